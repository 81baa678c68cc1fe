//! The directory-file resolver (CSV, JSON, LDIF) as a plugin, built with `resolver-sdk`: the
//! reference example of the plugin interface. Configuration:
//!
//! ```json
//! {"path": "/etc/emailprof/users.csv", "format": "csv"}
//! {"path": "/etc/emailprof/entra-users.json", "netbios": {"contoso.com": "CONTOSO"}}
//! ```
//!
//! `format` (`csv`, `json`, `ldif`) is optional when the path's extension says it. `netbios`
//! maps domain FQDNs to NetBIOS names for the users the file gives none (a Microsoft Entra ID
//! export never does): the `--netbios FQDN=NAME` flags of `emit` and `batch`, as a key.

use std::collections::BTreeMap;

use emailprof_directory::{Directory, DirectoryFileResolver, DirectoryFormat, NetbiosMap};
use resolver_sdk::{
    AttributeResolver as _, DirectoryAttributes, PluginInfo, ResolveError, Resolver,
};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    path: String,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    netbios: BTreeMap<String, String>,
}

/// Users from a directory file read once at init.
pub struct DirectoryPlugin(DirectoryFileResolver);

impl Resolver for DirectoryPlugin {
    fn init(config: serde_json::Value) -> Result<Self, String> {
        let config: Config = serde_json::from_value(config)
            .map_err(|e| format!("directory plugin configuration: {e}"))?;
        let format = match config.format.as_deref() {
            None => DirectoryFormat::from_path(&config.path).ok_or_else(|| {
                format!(
                    "{}: say the format (csv, json, ldif); the extension does not",
                    config.path
                )
            })?,
            Some(f) => DirectoryFormat::from_path(&format!("x.{f}")).ok_or_else(|| {
                format!("unknown directory format `{f}`; expected csv, json or ldif")
            })?,
        };
        let bytes = std::fs::read(&config.path).map_err(|e| format!("{}: {e}", config.path))?;
        let directory =
            Directory::parse(&bytes, format).map_err(|e| format!("{}: {e}", config.path))?;
        let mut netbios = NetbiosMap::default();
        for (fqdn, name) in &config.netbios {
            netbios
                .insert(fqdn, name)
                .map_err(|e| format!("directory plugin configuration: netbios: {e}"))?;
        }
        Ok(Self(
            DirectoryFileResolver::new(directory, config.path).with_netbios(netbios),
        ))
    }

    fn info() -> PluginInfo {
        PluginInfo::new("directory-file", env!("CARGO_PKG_VERSION"))
    }

    fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
        self.0.resolve(user_id)
    }
}

resolver_sdk::declare_resolver!(DirectoryPlugin);
