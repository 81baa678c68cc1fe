//! Runs attribute-resolver plugins behind [`emailprof_attributes::AttributeResolver`]:
//!
//! - [`load_library`]: a plugin library loaded into this process through the C ABI of
//!   `include/emailprof_resolver.h`. Fast, but a crash or hang in the plugin is ours.
//! - [`ProcessResolver`]: a plugin executable speaking JSON lines on stdin/stdout. A crash or
//!   timeout fails only the users being resolved, and the child is restarted for the next.
//! - [`serve_library_stdio`]: hosts any plugin library as such an executable, so the CLI can
//!   run a library out of process by re-executing itself (`emailprof plugin serve PATH`).
//!
//! With the CLI, this is the only crate that loads code or spawns processes. Plugin
//! configuration may hold secrets: it is never logged nor put in an error.

use std::path::PathBuf;
use std::time::Duration;

mod library;
mod process;
mod trust;

pub use library::{LibraryResolver, load_library, plugin_info, serve_library_stdio};
pub use process::ProcessResolver;
pub use resolver_abi::PluginInfo;

/// How to load a plugin library.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Load a plugin whose file or directory others than its owner can write to. Off by
    /// default: anyone who can replace the file can run code as the user running emailprof.
    pub allow_insecure: bool,
}

/// Why a plugin could not be loaded or run. Messages never include the plugin configuration.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// A bare library name would be searched for on the library path.
    #[error(
        "refusing to load plugin `{}`: give the path of the plugin file (e.g. ./{}), not a bare library name",
        .0.display(), .0.display()
    )]
    BareName(PathBuf),
    /// The path does not resolve to an absolute path.
    #[error("refusing to load plugin `{}`: its path is not absolute after resolving it", .0.display())]
    NotAbsolute(PathBuf),
    /// Reading the plugin file or its metadata failed.
    #[error("plugin `{}`: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The plugin file or its directory is writable by group or others.
    #[error(
        "refusing to load plugin `{}`: {what} `{}` is writable by {who} (mode {mode:o}); make it writable only by its owner (chmod go-w), or allow insecure plugins explicitly",
        .path.display(), .offending.display()
    )]
    InsecurePermissions {
        path: PathBuf,
        offending: PathBuf,
        what: &'static str,
        who: &'static str,
        mode: u32,
    },
    /// The plugin file or a directory above it belongs to another user (not root, not us).
    #[error(
        "refusing to load plugin `{}`: {what} `{}` is owned by uid {uid}, neither root nor the user running emailprof; whoever owns it can change what runs (or allow insecure plugins explicitly)",
        .path.display(), .offending.display()
    )]
    UntrustedOwner {
        path: PathBuf,
        offending: PathBuf,
        what: &'static str,
        uid: u32,
    },
    /// The dynamic loader refused the file.
    #[error("could not load plugin `{}`: {message}", .path.display())]
    Load { path: PathBuf, message: String },
    /// A required function is not exported.
    #[error("plugin `{}` does not export `{symbol}`; is it an emailprof resolver plugin?", .path.display())]
    MissingSymbol { path: PathBuf, symbol: String },
    /// The plugin was built for another major version of the contract.
    #[error(
        "plugin `{}` was built for resolver ABI {}, but this emailprof speaks ABI {}; rebuild the plugin against a matching resolver-sdk",
        .path.display(), resolver_abi::abi_string(*.found), resolver_abi::abi_string(*.expected)
    )]
    WrongAbi {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    /// The plugin sent something that is not the expected JSON.
    #[error("plugin `{plugin}` sent invalid JSON ({context}): {message}")]
    BadJson {
        plugin: String,
        context: &'static str,
        message: String,
    },
    /// The plugin reported an error (bad configuration, unreachable directory ...).
    #[error("plugin `{plugin}`: {message}")]
    Resolver { plugin: String, message: String },
    /// The plugin panicked; it caught the panic and reported it.
    #[error("plugin `{plugin}` panicked: {message}")]
    Panic { plugin: String, message: String },
    /// The plugin executable could not be started.
    #[error("could not start plugin `{command}`: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    /// The plugin did not answer in time.
    #[error("plugin `{plugin}` did not answer within {:.1?} ({during})", .after)]
    Timeout {
        plugin: String,
        after: Duration,
        during: &'static str,
    },
    /// The plugin has no listing (ABI 1.0, or it says it cannot list its users).
    #[error("plugin `{plugin}` cannot list its users")]
    CannotList { plugin: String },
    /// The plugin broke the protocol: exited, closed its output, or answered out of turn.
    #[error("plugin `{plugin}`: {message}")]
    Protocol { plugin: String, message: String },
}

/// A plugin's listing, batch by batch: each listed user's id and attributes, or why it has
/// none. An `Err` item ends the listing as incomplete.
pub type UserBatches =
    Box<dyn Iterator<Item = Result<Vec<resolver_sdk::ListedUser>, HostError>> + Send>;

/// A listed batch in the SDK's shape: each user's id (from its attributes or its error).
pub(crate) fn listed(users: Vec<resolver_abi::UserResult>) -> Vec<resolver_sdk::ListedUser> {
    users
        .into_iter()
        .map(|u| {
            let id = match &u {
                resolver_abi::UserResult::Attributes(a) => a.user_id.clone(),
                resolver_abi::UserResult::Error(e) => e.user_id.clone().unwrap_or_default(),
            };
            (id, u.into_result())
        })
        .collect()
}

/// The answer of a one-id batch. Both transports answer a batch with one result per id, so an
/// empty answer is the plugin's failure, not the user's.
pub(crate) fn single(
    mut results: Vec<
        Result<emailprof_attributes::DirectoryAttributes, emailprof_attributes::ResolveError>,
    >,
) -> Result<emailprof_attributes::DirectoryAttributes, emailprof_attributes::ResolveError> {
    results.pop().unwrap_or_else(|| {
        Err(emailprof_attributes::ResolveError::Failed(
            "the plugin returned no result".to_owned(),
        ))
    })
}

/// A plugin's answer for `requested`, refused when it carries another user's attributes: a
/// wrong answer would put one user's account into another user's file.
pub(crate) fn answer_for(
    requested: &str,
    answer: Result<emailprof_attributes::DirectoryAttributes, emailprof_attributes::ResolveError>,
) -> Result<emailprof_attributes::DirectoryAttributes, emailprof_attributes::ResolveError> {
    match answer {
        Ok(a) if !a.user_id.eq_ignore_ascii_case(requested) => {
            Err(emailprof_attributes::ResolveError::Failed(format!(
                "the plugin answered for user `{}` when asked for `{requested}`",
                a.user_id
            )))
        }
        other => other,
    }
}
