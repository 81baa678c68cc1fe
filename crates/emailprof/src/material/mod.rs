//! The material reader: certificate files, secrets and input files the pipeline reads. All
//! file and environment reads of the library happen here (and in the batch sinks' writes).
//!
//! [`MaterialReader::plain`] reads paths as given, relative to the profile's directory;
//! [`MaterialReader::contained`] (for `serve`, where whoever posts a profile gets the bytes
//! back) reads only relative paths below its root, never through a symbolic link, only files
//! whose content is what the profile says (a PKCS#12 or an X.509 certificate), and never
//! secrets; [`MaterialReader::no_files`] reads nothing. A contained reader's refusals all read
//! the same, so a caller cannot learn which paths exist.

mod contained;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use emailprof_core::input::escape_segment;
use emailprof_core::model::{Certificate, CertificateKind};
use emailprof_core::{
    CertificateMaterial, Document, EmailProfile, Finding, Secret, SecretRef, Severity,
};
use serde_json::Value;

use crate::error::{Context, Error, Result, invalid};

/// Reads the files and secrets a profile names.
#[derive(Clone, Debug)]
pub struct MaterialReader {
    /// Relative paths are resolved from here.
    base_dir: PathBuf,
    /// Only relative paths below `base_dir`, no links, checked content, and no secrets.
    contained: bool,
    /// No file at all.
    no_files: bool,
}

/// What a contained reader says for any file it does not give: the same words whether the
/// file is missing, outside, behind a link, or not a certificate.
pub const NOT_FOUND_OR_NOT_ALLOWED: &str = "not found or not allowed";

/// Certificate material and the password an emission needs, with what the reader noticed
/// (e.g. a key file others may write) for the caller to tell the user.
#[derive(Default)]
pub struct Materials {
    pub certificates: BTreeMap<String, CertificateMaterial>,
    pub password: Option<Secret>,
    pub notices: Vec<String>,
}

impl MaterialReader {
    /// Reads paths relative to `base_dir` (the profile's directory), and absolute ones.
    pub fn plain(base_dir: impl Into<PathBuf>) -> MaterialReader {
        MaterialReader {
            base_dir: base_dir.into(),
            contained: false,
            no_files: false,
        }
    }

    /// Reads only relative paths below `root`, never through a link, only certificate
    /// content, and no secrets.
    pub fn contained(root: impl Into<PathBuf>) -> MaterialReader {
        MaterialReader {
            base_dir: root.into(),
            contained: true,
            no_files: false,
        }
    }

    /// Reads no file and no secret: a profile that names a certificate file is refused.
    pub fn no_files() -> MaterialReader {
        MaterialReader {
            base_dir: PathBuf::from("."),
            contained: true,
            no_files: true,
        }
    }

    pub fn base_dir(&self) -> &Path {
        &self.base_dir
    }

    /// Whether the reader may try to read `file` at all.
    pub fn allows(&self, file: &str) -> bool {
        !self.contained || (!self.no_files && contained::is_relative_below(file))
    }

    /// Refuse what a contained reader must not read for `profile`: files outside its root,
    /// and secrets (a SCEP challenge is read whenever the profile names one). Plain readers
    /// allow everything.
    pub fn check_profile(&self, profile: &EmailProfile) -> std::result::Result<(), String> {
        if !self.contained {
            return Ok(());
        }
        for (name, cert) in &profile.certificates {
            let files = [
                cert.pkcs12.as_ref().map(|p| p.file.as_str()),
                cert.ca.as_ref().map(|c| c.file.as_str()),
            ];
            for file in files.into_iter().flatten() {
                if !self.allows(file) {
                    return Err(format!(
                        "certificate `{name}`: `{file}`: {NOT_FOUND_OR_NOT_ALLOWED}"
                    ));
                }
            }
            if cert.scep.as_ref().is_some_and(|s| s.challenge.is_some()) {
                return Err(format!(
                    "certificate `{name}`: the server does not read secrets such as a SCEP challenge; emit this profile with `emailprof emit`"
                ));
            }
        }
        Ok(())
    }

    /// The bytes of a certificate file of `kind`.
    fn read_file(&self, file: &str, what: &str, kind: Expect) -> Result<(PathBuf, Vec<u8>)> {
        let path = self.base_dir.join(file);
        if self.contained {
            let bytes = (!self.no_files)
                .then(|| contained::read_beneath(&self.base_dir, file))
                .flatten()
                .filter(|b| kind.matches(b));
            return match bytes {
                Some(b) => Ok((path, b)),
                None => invalid!("{what}: `{file}`: {NOT_FOUND_OR_NOT_ALLOWED}"),
            };
        }
        let bytes = std::fs::read(&path)
            .map_err(|e| Error::invalid(format!("{what}: cannot read {}: {e}", path.display())))?;
        Ok((path, bytes))
    }

    /// The bytes of a certificate file the profile names (a PKCS#12 when `pkcs12`, else a CA
    /// certificate), read as an emission would read them: what devices would receive.
    pub fn certificate_file(&self, file: &str, what: &str, pkcs12: bool) -> Result<Vec<u8>> {
        let kind = if pkcs12 {
            Expect::Pkcs12
        } else {
            Expect::Certificate
        };
        self.read_file(file, what, kind).map(|(_, bytes)| bytes)
    }

    /// A finding for each certificate file that the document's certificate entries name and
    /// that cannot be read or does not hold what the entry's kind says (a PKCS#12 file, an
    /// X.509 certificate), at the pointer and position of the file's name. Entries that do not
    /// parse are left to validation's own findings. Secrets are not read.
    pub fn file_findings(&self, doc: &Document) -> Vec<Finding> {
        let Some(Value::Object(certificates)) = doc.value.get("certificates") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, value) in certificates {
            let Ok(cert) = serde_json::from_value::<Certificate>(value.clone()) else {
                continue;
            };
            let (member, file, kind) = match (cert.kind, &cert.pkcs12, &cert.ca) {
                (CertificateKind::Pkcs12, Some(p), _) => ("pkcs12", &p.file, Expect::Pkcs12),
                (CertificateKind::Ca, _, Some(c)) => ("ca", &c.file, Expect::Certificate),
                _ => continue,
            };
            // The path as the profile gives it: the finding already names the profile.
            let read = if self.contained {
                self.read_file(file, &format!("`{file}`"), kind)
                    .map(|(_, b)| b)
                    .map_err(|e| e.to_string())
            } else {
                std::fs::read(self.base_dir.join(file))
                    .map_err(|e| format!("cannot read `{file}`: {e}"))
            };
            let problem = match read {
                Err(e) => e,
                Ok(bytes) if kind.matches(&bytes) => continue,
                Ok(_) => format!("`{file}` is not {}", kind.description()),
            };
            let pointer = format!("/certificates/{}/{member}/file", escape_segment(name));
            out.push(Finding {
                severity: Severity::Error,
                position: doc.locations.value(&pointer),
                pointer,
                message: format!("certificate `{name}`: {problem}"),
                expected: Some(format!("the path of {}", kind.description())),
                rule: "file".into(),
            });
        }
        out
    }

    /// Read a secret from its source. Never logs or shows the value.
    pub fn read_secret(&self, source: &SecretRef, what: &str) -> Result<Secret> {
        if self.contained {
            invalid!("{what}: secrets are not read here");
        }
        if let Some(var) = &source.env {
            return match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
                _ => invalid!("{what}: environment variable {var} is not set"),
            };
        }
        if let Some(file) = &source.file {
            let path = self.base_dir.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::invalid(format!("{what}: cannot read {}: {e}", path.display()))
            })?;
            // Trim in place and move the string into the zeroizing holder: no copy stays
            // behind.
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

    /// Certificate material and the password the emission needs; secrets only when
    /// `include_secrets`.
    pub fn materials(&self, profile: &EmailProfile, include_secrets: bool) -> Result<Materials> {
        let mut out = Materials::default();
        for (name, cert) in &profile.certificates {
            let what = format!("certificate `{name}`");
            let material = match cert.kind {
                CertificateKind::Pkcs12 => {
                    let Some(p) = &cert.pkcs12 else { continue };
                    let label = format!("{what} (PKCS#12)");
                    let (path, data) = self.read_file(&p.file, &label, Expect::Pkcs12)?;
                    // A PKCS#12 file is encrypted with its passphrase.
                    out.notices.extend(loose_permissions(&path, &label, true));
                    let passphrase = match (&p.passphrase, include_secrets) {
                        (Some(s), true) => {
                            Some(self.read_secret(s, &format!("{what} passphrase"))?)
                        }
                        _ => None,
                    };
                    if let Some(pass) = &passphrase {
                        out.notices
                            .extend(passphrase_opens(&data, pass, &what, &path)?);
                    }
                    CertificateMaterial::Pkcs12 { data, passphrase }
                }
                CertificateKind::Ca => {
                    let Some(c) = &cert.ca else { continue };
                    let (_, bytes) = self.read_file(&c.file, &what, Expect::Certificate)?;
                    CertificateMaterial::Ca {
                        der: certificate_der(&bytes, &what)?,
                    }
                }
                CertificateKind::Scep => {
                    let challenge = match cert.scep.as_ref().and_then(|s| s.challenge.as_ref()) {
                        Some(s) => Some(self.read_secret(s, &format!("{what} SCEP challenge"))?),
                        None => None,
                    };
                    CertificateMaterial::Scep { challenge }
                }
                CertificateKind::External | CertificateKind::DerivedCredential => continue,
            };
            out.certificates.insert(name.clone(), material);
        }
        out.password = match (&profile.account.authentication.password, include_secrets) {
            (Some(s), true) => Some(
                self.read_secret(s, "account password")
                    .map_err(|e| e.context("--include-password"))?,
            ),
            _ => None,
        };
        Ok(out)
    }
}

/// Refuse a passphrase that does not open the PKCS#12 `data` (the device would refuse the
/// profile at install); a notice when the file gives no way to check it.
fn passphrase_opens(data: &[u8], pass: &Secret, what: &str, path: &Path) -> Result<Option<String>> {
    use emailprof_sign::Pkcs12Check;
    match emailprof_sign::pkcs12_passphrase_opens(data, pass) {
        Ok(Pkcs12Check::Opens) => Ok(None),
        Ok(Pkcs12Check::WrongPassphrase) => invalid!(
            "{what}: the passphrase does not open {}; devices would refuse the profile (check the passphrase source)",
            path.display()
        ),
        Ok(Pkcs12Check::CannotBeChecked(why)) => Ok(Some(format!(
            "{what}: the passphrase of {} cannot be checked before it is embedded: {why}",
            path.display()
        ))),
        Err(e) => invalid!("{what}: {}: {e}", path.display()),
    }
}

/// Whether artifacts of `profile` carry a secret: the account password or a PKCS#12
/// passphrase (written only with `include_secrets`), or a SCEP challenge (written whenever the
/// profile names one). Such artifacts are written readable by their owner only.
pub fn carries_secrets(profile: &EmailProfile, include_secrets: bool) -> bool {
    let challenge = profile
        .certificates
        .values()
        .any(|c| c.scep.as_ref().is_some_and(|s| s.challenge.is_some()));
    let passphrase = profile
        .certificates
        .values()
        .any(|c| c.pkcs12.as_ref().is_some_and(|p| p.passphrase.is_some()));
    let password = profile.account.authentication.password.is_some();
    challenge || (include_secrets && (password || passphrase))
}

/// What a certificate file must hold, for a contained reader.
#[derive(Clone, Copy)]
enum Expect {
    Pkcs12,
    /// An X.509 certificate, PEM or DER.
    Certificate,
}

impl Expect {
    fn description(self) -> &'static str {
        match self {
            Expect::Pkcs12 => "a PKCS#12 file (.p12/.pfx)",
            Expect::Certificate => "an X.509 certificate (PEM or DER)",
        }
    }

    fn matches(self, bytes: &[u8]) -> bool {
        match self {
            Expect::Pkcs12 => contained::is_pkcs12(bytes),
            Expect::Certificate => {
                certificate_der(bytes, "").is_ok_and(|der| contained::is_x509_certificate(&der))
            }
        }
    }
}

/// A warning when a file with key material is open to group or others: readable, for a key
/// stored in the clear; writable (someone could swap the key), for one encrypted with a
/// passphrase, which being readable does not expose (like the example PKCS#12, which a git
/// clone leaves world-readable).
pub fn loose_permissions(path: &Path, what: &str, encrypted: bool) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        let problem = if mode & 0o022 != 0 {
            "writable by group or others"
        } else if !encrypted && mode & 0o044 != 0 {
            "an unencrypted key readable by group or others"
        } else {
            return None;
        };
        Some(format!(
            "{what}: {} is {problem}; restrict it to its owner (chmod 600)",
            path.display()
        ))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, what, encrypted);
        None
    }
}

/// DER bytes of a PEM or DER certificate.
pub fn certificate_der(bytes: &[u8], what: &str) -> Result<Vec<u8>> {
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
        .map_err(|_| Error::invalid(format!("{what}: PEM certificate with invalid base64")))
}

/// Open an input file (a directory export, a list of user ids), as a usage error when it
/// cannot be opened.
pub fn open_input(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path)
        .map_err(|e| Error::invalid(format!("{}: cannot read: {e}", path.display())))
}

/// The largest directory export `emit` and `serve` read whole (`batch` streams any size).
pub const MAX_DIRECTORY_BYTES: u64 = 1 << 30;

/// Read a whole input file of at most `cap` bytes, as a usage error when it cannot be read or
/// is larger (`what` says what the file is for, in that message); a larger file is never held
/// whole, whatever it is (a FIFO, a device).
pub fn read_input(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>> {
    let shown = path.display().to_string();
    let cannot = |e: std::io::Error| Error::invalid(format!("{shown}: cannot read: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let too_large = || Error::invalid(format!("{shown}: larger than {cap} bytes, the most {what}"));
    // A regular file says its size; anything else is read up to the limit.
    if file.metadata().is_ok_and(|m| m.is_file() && m.len() > cap) {
        return Err(too_large());
    }
    let bytes = read_up_to(file, cap.saturating_add(1)).map_err(cannot)?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
}

/// At most `n` bytes of `reader`.
fn read_up_to(reader: impl std::io::Read, n: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader.take(n).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Read the input `spec` names (a path, or `-` for stdin), at most `cap` bytes: its display
/// name (`<stdin>` for stdin) and bytes.
pub fn read_spec(spec: &str, cap: usize) -> Result<(String, Vec<u8>)> {
    if spec == "-" {
        let bytes = read_up_to(std::io::stdin(), cap as u64).context("cannot read stdin")?;
        return Ok(("<stdin>".into(), bytes));
    }
    let file = std::fs::File::open(spec)
        .map_err(|e| Error::invalid(format!("{spec}: cannot open: {e}")))?;
    let bytes = read_up_to(file, cap as u64)
        .map_err(|e| Error::invalid(format!("{spec}: cannot read: {e}")))?;
    Ok((spec.to_owned(), bytes))
}

/// [`read_spec`], refusing more than `limit` bytes with a clear error.
pub fn read_spec_limited(spec: &str, limit: usize) -> Result<(String, Vec<u8>)> {
    let (display, bytes) = read_spec(spec, limit + 1)?;
    if bytes.len() > limit {
        invalid!("{display}: the input is larger than {limit} bytes and is refused");
    }
    Ok((display, bytes))
}

/// The signing material named by paths: certificate (PEM), key (PEM, kept in a zeroizing
/// buffer), optional chain; and a warning when the key file is open to others.
pub struct SigningFiles {
    pub cert_pem: Vec<u8>,
    pub key_pem: zeroize::Zeroizing<Vec<u8>>,
    pub chain_pem: Option<Vec<u8>>,
    pub notices: Vec<String>,
}

/// Read the signing files; `flag` names each in errors (`--sign-cert PATH: cannot read: ...`).
pub fn read_signing_files(
    cert: &Path,
    key: &Path,
    chain: Option<&Path>,
    flags: [&str; 3],
) -> Result<SigningFiles> {
    let read = |path: &Path, what: &str| {
        std::fs::read(path)
            .map_err(|e| Error::invalid(format!("{what} {}: cannot read: {e}", path.display())))
    };
    let cert_pem = read(cert, flags[0])?;
    let key_pem = zeroize::Zeroizing::new(read(key, flags[1])?);
    let notices = loose_permissions(key, flags[1], emailprof_sign::key_is_encrypted(&key_pem))
        .into_iter()
        .collect();
    let chain_pem = match chain {
        Some(p) => Some(read(p, flags[2])?),
        None => None,
    };
    Ok(SigningFiles {
        cert_pem,
        key_pem,
        chain_pem,
        notices,
    })
}
