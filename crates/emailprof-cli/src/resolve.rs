//! Per-user values and material from outside the profile: the user's directory attributes,
//! certificate files and secrets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use emailprof_core::attributes::{
    AttributeResolver, ResolveError, UserIdentity, required_attributes,
};
use emailprof_core::model::CertificateKind;
use emailprof_core::{CertificateMaterial, EmailProfile, Secret, SecretRef, resolve_identity};
use emailprof_directory::{Directory, DirectoryFileResolver, DirectoryFormat};

use crate::cli::{PlaceholderMdm, PluginArgs, UserSource};
use crate::invalid;

/// The built-in example directory, the default when no `--directory` is given.
pub(crate) const BUILTIN_DIRECTORY: &[u8] = include_bytes!("../../../examples/directory.csv");

/// Open the directory file resolver for `path`, or the built-in one.
pub(crate) fn directory_resolver(path: Option<&Path>) -> anyhow::Result<DirectoryFileResolver> {
    let (name, bytes, format) = match path {
        None => (
            "built-in example directory (examples/directory.csv)".to_owned(),
            BUILTIN_DIRECTORY.to_vec(),
            DirectoryFormat::Csv,
        ),
        Some(p) => {
            let shown = p.display().to_string();
            let Some(format) = DirectoryFormat::from_path(&shown) else {
                invalid!("{shown}: unknown directory format; use a .csv, .json or .ldif file")
            };
            let bytes = std::fs::read(p).map_err(|e| {
                anyhow::Error::new(crate::Invalid(format!("{shown}: cannot read: {e}")))
            })?;
            (shown, bytes, format)
        }
    };
    let directory = Directory::parse(&bytes, format)
        .map_err(|e| anyhow::Error::new(crate::Invalid(format!("{name}: {e}"))))?;
    tracing::debug!(directory = %name, users = directory.len(), "directory loaded");
    Ok(DirectoryFileResolver::new(directory, name))
}

fn mdm(m: PlaceholderMdm) -> emailprof_directory::placeholders::Mdm {
    use emailprof_directory::placeholders::Mdm;
    match m {
        PlaceholderMdm::Intune => Mdm::Intune,
        PlaceholderMdm::Jamf => Mdm::Jamf,
        PlaceholderMdm::WorkspaceOne => Mdm::WorkspaceOne,
        PlaceholderMdm::Kandji => Mdm::Kandji,
        PlaceholderMdm::Google => Mdm::Google,
    }
}

/// The configuration of a resolver plugin: a JSON, YAML or TOML file, or `{}`.
fn plugin_config(path: Option<&Path>) -> anyhow::Result<serde_json::Value> {
    let Some(path) = path else {
        return Ok(serde_json::json!({}));
    };
    let shown = path.display().to_string();
    let format = emailprof_core::Format::from_path(&shown).unwrap_or(emailprof_core::Format::Json);
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::Error::new(crate::Invalid(format!("{shown}: cannot read: {e}"))))?;
    emailprof_core::input::parse(&bytes, format)
        .map(|d| d.value)
        .map_err(|e| anyhow::Error::new(crate::Invalid(format!("{shown}: {}", e.message))))
}

/// A resolver plugin, in process or in a child process.
pub(crate) fn plugin_resolver(
    args: &PluginArgs,
) -> anyhow::Result<Option<Box<dyn AttributeResolver>>> {
    let Some(lib) = &args.resolver else {
        return Ok(None);
    };
    let config = plugin_config(args.resolver_config.as_deref())?;
    let opts = resolver_host::LoadOptions {
        allow_insecure: args.allow_insecure_plugin,
    };
    let resolver: Box<dyn AttributeResolver> = if args.resolver_process {
        let exe = std::env::current_exe().context("locating the emailprof executable")?;
        let mut cmd = std::process::Command::new(exe);
        cmd.args(["plugin", "serve"]).arg(lib);
        if args.allow_insecure_plugin {
            cmd.arg("--allow-insecure-plugin");
        }
        let timeout = std::time::Duration::from_secs(args.resolver_timeout.max(1));
        Box::new(
            resolver_host::ProcessResolver::spawn(cmd, config, timeout)
                .map_err(|e| anyhow::Error::new(crate::Invalid(e.to_string())))?,
        )
    } else {
        Box::new(
            resolver_host::load_library(lib, &config, &opts)
                .map_err(|e| anyhow::Error::new(crate::Invalid(e.to_string())))?,
        )
    };
    tracing::debug!(resolver = %resolver.describe(), "resolver plugin ready");
    Ok(Some(resolver))
}

/// The account identity to emit for, from `--user` + a resolver, or `--placeholders`.
pub(crate) fn identity(profile: &EmailProfile, users: &UserSource) -> anyhow::Result<UserIdentity> {
    let attrs = if let Some(m) = users.placeholders {
        let needed = required_attributes(&profile.account);
        emailprof_directory::placeholders::placeholder_attributes(mdm(m), &needed)
            .map_err(|e| anyhow::Error::new(crate::Invalid(e.to_string())))?
    } else {
        let Some(user) = &users.user else {
            invalid!("which user? give --user ID (a user of the directory), or --placeholders MDM")
        };
        let resolver: Box<dyn AttributeResolver> = match plugin_resolver(&users.plugin)? {
            Some(r) => r,
            None => Box::new(directory_resolver(users.directory.as_deref())?),
        };
        tracing::debug!(resolver = %resolver.describe(), user = %user, "resolving");
        match resolver.resolve(user) {
            Ok(a) => a,
            Err(e @ (ResolveError::NotFound(_) | ResolveError::Ambiguous { .. })) => {
                invalid!("{e} ({})", resolver.describe())
            }
            Err(e) => return Err(anyhow::Error::new(e).context(resolver.describe())),
        }
    };
    resolve_identity(&profile.account, &attrs)
        .map_err(|e| anyhow::Error::new(crate::Invalid(e.to_string())))
}

/// Read a secret from its source. Never logs or shows the value.
pub(crate) fn read_secret(
    source: &SecretRef,
    base_dir: &Path,
    what: &str,
) -> anyhow::Result<Secret> {
    if let Some(var) = &source.env {
        return match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
            _ => invalid!("{what}: environment variable {var} is not set"),
        };
    }
    if let Some(file) = &source.file {
        let path = base_dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            anyhow::Error::new(crate::Invalid(format!(
                "{what}: cannot read {}: {e}",
                path.display()
            )))
        })?;
        // Trim in place and move the string into the zeroizing holder: no copy stays behind.
        let mut text = text;
        while text.ends_with('\n') || text.ends_with('\r') {
            text.pop();
        }
        return Ok(Secret::new(text));
    }
    if let Some(inline) = &source.inline {
        return Ok(inline.clone());
    }
    invalid!("{what}: the secret source names no env, file or inline value")
}

fn read_file(base_dir: &Path, file: &str, what: &str) -> anyhow::Result<(PathBuf, Vec<u8>)> {
    let path = base_dir.join(file);
    let bytes = std::fs::read(&path).map_err(|e| {
        anyhow::Error::new(crate::Invalid(format!(
            "{what}: cannot read {}: {e}",
            path.display()
        )))
    })?;
    Ok((path, bytes))
}

/// Warn when a file with key material is open to group or others: readable, for a key stored
/// in the clear; writable (someone could swap the key), for one encrypted with a passphrase,
/// which being readable does not expose (like the example PKCS#12, which a git clone leaves
/// world-readable).
pub(crate) fn warn_if_loose(path: &Path, what: &str, encrypted: bool) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(mode) = std::fs::metadata(path).map(|m| m.permissions().mode()) else {
            return;
        };
        let problem = if mode & 0o022 != 0 {
            "writable by group or others"
        } else if !encrypted && mode & 0o044 != 0 {
            "an unencrypted key readable by group or others"
        } else {
            return;
        };
        crate::report::warning(&format!(
            "{what}: {} is {problem}; restrict it to its owner (chmod 600)",
            path.display()
        ));
    }
    #[cfg(not(unix))]
    let _ = (path, what, encrypted);
}

/// DER bytes of a PEM or DER certificate.
pub(crate) fn certificate_der(bytes: &[u8], what: &str) -> anyhow::Result<Vec<u8>> {
    use base64::Engine;
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(bytes.to_vec());
    };
    let Some(start) = text.find("-----BEGIN CERTIFICATE-----") else {
        if bytes.first() == Some(&0x30) {
            return Ok(bytes.to_vec());
        }
        invalid!("{what}: not a PEM or DER certificate")
    };
    let body = &text[start + "-----BEGIN CERTIFICATE-----".len()..];
    let Some(end) = body.find("-----END CERTIFICATE-----") else {
        invalid!("{what}: PEM certificate without an END line")
    };
    let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| {
            anyhow::Error::new(crate::Invalid(format!(
                "{what}: PEM certificate with invalid base64"
            )))
        })
}

/// Certificate material and the password the emission needs.
pub(crate) fn materials(
    profile: &EmailProfile,
    base_dir: &Path,
    include_secrets: bool,
) -> anyhow::Result<(BTreeMap<String, CertificateMaterial>, Option<Secret>)> {
    let mut out = BTreeMap::new();
    for (name, cert) in &profile.certificates {
        let what = format!("certificate `{name}`");
        let material = match cert.kind {
            CertificateKind::Pkcs12 => {
                let Some(p) = &cert.pkcs12 else { continue };
                let (path, data) = read_file(base_dir, &p.file, &format!("{what} (PKCS#12)"))?;
                // A PKCS#12 file is encrypted with its passphrase.
                warn_if_loose(&path, &format!("{what} (PKCS#12)"), true);
                let passphrase = match (&p.passphrase, include_secrets) {
                    (Some(s), true) => {
                        Some(read_secret(s, base_dir, &format!("{what} passphrase"))?)
                    }
                    _ => None,
                };
                CertificateMaterial::Pkcs12 { data, passphrase }
            }
            CertificateKind::Ca => {
                let Some(c) = &cert.ca else { continue };
                let (_, bytes) = read_file(base_dir, &c.file, &what)?;
                CertificateMaterial::Ca {
                    der: certificate_der(&bytes, &what)?,
                }
            }
            CertificateKind::Scep => {
                let challenge = match cert.scep.as_ref().and_then(|s| s.challenge.as_ref()) {
                    Some(s) => Some(read_secret(s, base_dir, &format!("{what} SCEP challenge"))?),
                    None => None,
                };
                CertificateMaterial::Scep { challenge }
            }
            CertificateKind::External | CertificateKind::DerivedCredential => continue,
        };
        out.insert(name.clone(), material);
    }
    let password = match (&profile.account.authentication.password, include_secrets) {
        (Some(s), true) => {
            Some(read_secret(s, base_dir, "account password").context("--include-password")?)
        }
        _ => None,
    };
    Ok((out, password))
}
