//! From the user-source flags to the library's [`emailprof::UserSource`] and
//! [`emailprof::PluginSpec`].

use anyhow::Context;
use emailprof::users::Mdm;
use emailprof::{PluginSpec, UserSource};

use crate::cli::{PlaceholderMdm, PluginArgs};

/// Said when `emit` or `batch` is given no source of users: emailprof never guesses them.
pub(crate) const NO_USERS: &str = "where do the users come from? give --directory FILE (a CSV, JSON or LDIF export), --resolver PLUGIN (e.g. LDAP), or --placeholders MDM (the MDM fills in each user's values)";

pub(crate) fn mdm(m: PlaceholderMdm) -> Mdm {
    match m {
        PlaceholderMdm::Intune => Mdm::Intune,
        PlaceholderMdm::Jamf => Mdm::Jamf,
        PlaceholderMdm::WorkspaceOne => Mdm::WorkspaceOne,
        PlaceholderMdm::Kandji => Mdm::Kandji,
        PlaceholderMdm::Google => Mdm::Google,
    }
}

/// The plugin the flags name, if any; `--resolver-process` runs it under this executable.
pub(crate) fn plugin_spec(args: &PluginArgs) -> anyhow::Result<Option<PluginSpec>> {
    let Some(library) = &args.resolver else {
        return Ok(None);
    };
    let process = if args.resolver_process {
        Some(emailprof::users::PluginProcess {
            host_executable: std::env::current_exe()
                .context("locating the emailprof executable")?,
            timeout: std::time::Duration::from_secs(args.resolver_timeout.max(1)),
        })
    } else {
        None
    };
    Ok(Some(PluginSpec {
        library: library.clone(),
        config: args.resolver_config.clone(),
        process,
        allow_insecure: args.allow_insecure_plugin,
    }))
}

/// The user source of `emit`: placeholders, a plugin, or a directory file (default: the
/// built-in example directory).
pub(crate) fn user_source(users: &crate::cli::UserSource) -> anyhow::Result<UserSource> {
    if let Some(m) = users.placeholders {
        return Ok(UserSource::Placeholders(mdm(m)));
    }
    if users.user.is_none() {
        crate::invalid!(
            "which user? give --user ID (a user of the directory), or --placeholders MDM"
        )
    }
    Ok(match (plugin_spec(&users.plugin)?, &users.directory) {
        (Some(spec), _) => UserSource::plugin(&spec)?,
        (None, Some(dir)) => {
            UserSource::directory_with_netbios(Some(dir), netbios(&users.netbios)?)?
        }
        (None, None) => crate::invalid!("{NO_USERS}"),
    })
}

/// The `--netbios FQDN=NAME` flags.
pub(crate) fn netbios(entries: &[String]) -> anyhow::Result<emailprof::users::NetbiosMap> {
    emailprof::users::NetbiosMap::from_entries(entries)
        .map_err(|e| crate::Invalid(format!("--netbios {e}")).into())
}
