//! Where users' attributes come from: a directory file, a resolver plugin, or an MDM's
//! placeholders. One [`UserSource`] for `emit`, `serve` and the batch engine.

use std::path::{Path, PathBuf};
use std::time::Duration;

use emailprof_core::attributes::{
    Attribute, AttributeResolver, DirectoryAttributes, MissingAttributes, ResolveError,
    UserIdentity, required_attributes,
};
use emailprof_core::model::Account;
use emailprof_core::{EmailProfile, resolve_identity};
use emailprof_directory::{Directory, DirectoryFileResolver, DirectoryFormat};

pub use emailprof_directory::NetbiosMap;

pub use emailprof_directory::placeholders::Mdm;

use crate::error::{Context, Error, Result, invalid};
use crate::material;

/// The built-in example directory (`examples/directory.csv`).
pub const BUILTIN_DIRECTORY: &[u8] = include_bytes!("../../../examples/directory.csv");

/// The name the built-in directory is shown by.
pub const BUILTIN_DIRECTORY_NAME: &str = "built-in example directory (examples/directory.csv)";

/// Open the directory file resolver for `path`, or the built-in one.
pub fn directory_resolver(path: Option<&Path>) -> Result<DirectoryFileResolver> {
    let (name, bytes, format) = match path {
        None => (
            BUILTIN_DIRECTORY_NAME.to_owned(),
            BUILTIN_DIRECTORY.to_vec(),
            DirectoryFormat::Csv,
        ),
        Some(p) => {
            let shown = p.display().to_string();
            let Some(format) = DirectoryFormat::from_path(&shown) else {
                invalid!(
                    "{shown}: unknown directory format; use a .csv, .json (.jsonl) or .ldif file"
                )
            };
            let what = "a directory export is read whole (`batch` streams one of any size)";
            let bytes = material::read_input(p, material::MAX_DIRECTORY_BYTES, what)?;
            (shown, bytes, format)
        }
    };
    let directory =
        Directory::parse(&bytes, format).map_err(|e| Error::invalid(format!("{name}: {e}")))?;
    tracing::debug!(directory = %name, users = directory.len(), "directory loaded");
    Ok(DirectoryFileResolver::new(directory, name))
}

/// How to reach a resolver plugin.
#[derive(Clone, Debug)]
pub struct PluginSpec {
    /// The plugin library (cdylib), by explicit path.
    pub library: PathBuf,
    /// Its configuration file (JSON, YAML or TOML); `{}` when absent.
    pub config: Option<PathBuf>,
    /// Run it in a child process (this executable, `plugin serve PATH`), with this timeout.
    pub process: Option<PluginProcess>,
    /// Load it even though its file or directory is writable by others.
    pub allow_insecure: bool,
}

/// A plugin hosted by a child process.
#[derive(Clone, Debug)]
pub struct PluginProcess {
    /// The executable that hosts plugins (`EXE plugin serve PATH`).
    pub host_executable: PathBuf,
    pub timeout: Duration,
}

/// The configuration of a resolver plugin: a JSON, YAML or TOML file, or `{}`.
fn plugin_config(path: Option<&Path>) -> Result<serde_json::Value> {
    let Some(path) = path else {
        return Ok(serde_json::json!({}));
    };
    let shown = path.display().to_string();
    let format = emailprof_core::Format::from_path(&shown).unwrap_or(emailprof_core::Format::Json);
    let cap = emailprof_core::input::MAX_INPUT_BYTES as u64;
    let bytes = material::read_input(path, cap, "a plugin configuration may take")?;
    emailprof_core::input::parse(&bytes, format)
        .map(|d| d.value)
        .map_err(|e| Error::invalid(format!("{shown}: {}", e.message)))
}

/// A resolver plugin, in process or in a child process.
pub fn plugin_resolver(spec: &PluginSpec) -> Result<Box<dyn AttributeResolver>> {
    let config = plugin_config(spec.config.as_deref())?;
    let opts = resolver_host::LoadOptions {
        allow_insecure: spec.allow_insecure,
    };
    let resolver: Box<dyn AttributeResolver> = match &spec.process {
        Some(process) => {
            let mut cmd = std::process::Command::new(&process.host_executable);
            cmd.args(["plugin", "serve"]).arg(&spec.library);
            if spec.allow_insecure {
                cmd.arg("--allow-insecure-plugin");
            }
            Box::new(
                resolver_host::ProcessResolver::spawn(cmd, config, process.timeout)
                    .map_err(|e| Error::invalid(e.to_string()))?,
            )
        }
        None => Box::new(
            resolver_host::load_library(&spec.library, &config, &opts)
                .map_err(|e| Error::invalid(e.to_string()))?,
        ),
    };
    tracing::debug!(resolver = %resolver.describe(), "resolver plugin ready");
    Ok(resolver)
}

/// A plugin's identity as `emailprof plugin info` prints it (loading it, not configuring it).
pub fn plugin_info_text(library: &Path, allow_insecure: bool) -> Result<String> {
    let opts = resolver_host::LoadOptions { allow_insecure };
    let info =
        resolver_host::plugin_info(library, &opts).map_err(|e| Error::invalid(e.to_string()))?;
    Ok(format!(
        "name: {}\nversion: {}\nabi: {}\npath: {}\n",
        info.name,
        info.version,
        info.abi,
        library.display()
    ))
}

/// Host `library` on stdin/stdout (what `--resolver-process` runs in the child).
pub fn serve_plugin_stdio(library: &Path, allow_insecure: bool) -> Result<()> {
    let opts = resolver_host::LoadOptions { allow_insecure };
    resolver_host::serve_library_stdio(library, &opts).map_err(|e| Error::invalid(e.to_string()))
}

/// The platforms whose artifacts `mdm` delivers and fills its variables in (see
/// `crates/emailprof-directory/PLACEHOLDERS.md`): Apple-only MDMs fill Apple profiles,
/// Google's variables are Android managed-configuration variables, Intune documents its
/// tokens for iOS custom profiles and app configuration (not Windows OMA-URI, and its Knox
/// profile takes the user from Intune's own user-name source).
pub fn placeholder_platforms(mdm: Mdm) -> &'static [&'static str] {
    match mdm {
        Mdm::Intune => &["ios", "ios-outlook", "android-gmail", "android-outlook"],
        Mdm::Jamf => &["ios", "ios-outlook"],
        Mdm::Kandji => &["ios"],
        Mdm::WorkspaceOne => &[
            "ios",
            "ios-outlook",
            "windows",
            "android-gmail",
            "android-outlook",
        ],
        Mdm::Google => &["android-gmail", "android-outlook"],
    }
}

/// Every user a resolver plugin lists (ABI 1.1), batch by batch; refused (exit 2) with the
/// way out when the plugin cannot list.
pub fn plugin_listing(spec: &PluginSpec) -> Result<resolver_host::UserBatches> {
    let config = plugin_config(spec.config.as_deref())?;
    let opts = resolver_host::LoadOptions {
        allow_insecure: spec.allow_insecure,
    };
    let listing = match &spec.process {
        Some(process) => {
            let mut cmd = std::process::Command::new(&process.host_executable);
            cmd.args(["plugin", "serve"]).arg(&spec.library);
            if spec.allow_insecure {
                cmd.arg("--allow-insecure-plugin");
            }
            resolver_host::ProcessResolver::spawn(cmd, config, process.timeout)
                .and_then(resolver_host::ProcessResolver::list_users)
        }
        None => resolver_host::load_library(&spec.library, &config, &opts)
            .and_then(resolver_host::LibraryResolver::list_users),
    };
    listing.map_err(|e| match e {
        resolver_host::HostError::CannotList { .. } => Error::invalid(format!(
            "{e}: this plugin cannot list users; give --users FILE (the user ids, one per line)"
        )),
        e => Error::invalid(e.to_string()),
    })
}

/// Where one user's attributes come from.
pub enum UserSource {
    /// Look the user up in a resolver: a directory file or a plugin.
    Resolver(Box<dyn AttributeResolver>),
    /// No user: the MDM's own per-user variables in place of the values.
    Placeholders(Mdm),
}

impl UserSource {
    /// A directory file (`None`: the built-in example directory).
    pub fn directory(path: Option<&Path>) -> Result<UserSource> {
        Ok(UserSource::Resolver(Box::new(directory_resolver(path)?)))
    }

    /// A directory file whose users' NetBIOS domain names come from `netbios` where the file
    /// has none (Microsoft Entra ID exports never do).
    pub fn directory_with_netbios(path: Option<&Path>, netbios: NetbiosMap) -> Result<UserSource> {
        Ok(UserSource::Resolver(Box::new(
            directory_resolver(path)?.with_netbios(netbios),
        )))
    }

    /// A resolver plugin.
    pub fn plugin(spec: &PluginSpec) -> Result<UserSource> {
        Ok(UserSource::Resolver(plugin_resolver(spec)?))
    }

    /// The account identity to emit for `user` (ignored for placeholders).
    pub fn identity(&self, profile: &EmailProfile, user: Option<&str>) -> Result<UserIdentity> {
        let attrs = match self {
            UserSource::Placeholders(m) => {
                let needed = required_attributes(&profile.account);
                emailprof_directory::placeholders::placeholder_attributes(*m, &needed)
                    .map_err(|e| Error::invalid(e.to_string()))?
            }
            UserSource::Resolver(resolver) => {
                let Some(user) = user else {
                    invalid!(
                        "which user? give --user ID (a user of the directory), or --placeholders MDM"
                    )
                };
                tracing::debug!(resolver = %resolver.describe(), user = %user, "resolving");
                match resolver.resolve(user) {
                    Ok(a) => a,
                    Err(e @ (ResolveError::NotFound(_) | ResolveError::Ambiguous { .. })) => {
                        invalid!("{e} ({})", resolver.describe())
                    }
                    Err(e) => return Err::<_, ResolveError>(e).context(resolver.describe()),
                }
            }
        };
        let identity = identity(&profile.account, &attrs).map_err(Error::invalid)?;
        // Directory values are checked; an MDM's variables are filled in later by the MDM.
        if matches!(self, UserSource::Resolver(_)) {
            identity
                .check_values(&profile.account)
                .map_err(Error::invalid)?;
        }
        Ok(identity)
    }
}

/// The account identity of `attrs`' user, or why not. A missing NetBIOS name of a known domain
/// says which `--netbios` mapping would give it (Graph has no NetBIOS names).
pub(crate) fn identity(
    account: &Account,
    attrs: &DirectoryAttributes,
) -> std::result::Result<UserIdentity, String> {
    resolve_identity(account, attrs).map_err(|e| missing_message(&e, attrs))
}

fn missing_message(e: &MissingAttributes, attrs: &DirectoryAttributes) -> String {
    let domain = attrs
        .domain_fqdn
        .as_deref()
        .filter(|d| !d.trim().is_empty());
    // The flag for `emit`, `batch` and `serve`; the key for the directory plugin.
    let how = |domain: &str| {
        format!(
            "give --netbios {domain}=NAME (with the directory plugin: \"netbios\": {{\"{domain}\": \"NAME\"}} in its configuration)"
        )
    };
    match (e.missing.as_slice(), domain) {
        ([Attribute::NetbiosName], Some(domain)) => format!(
            "user `{}`: the profile needs the NetBIOS domain name of {domain}, which the directory does not give; {}",
            e.user_id,
            how(domain)
        ),
        (missing, Some(domain)) if missing.contains(&Attribute::NetbiosName) => {
            format!(
                "{e}; for the NetBIOS domain name of {domain}, {}",
                how(domain)
            )
        }
        _ => e.to_string(),
    }
}
