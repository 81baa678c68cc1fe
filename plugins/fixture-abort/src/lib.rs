//! Test fixture: aborts the process for the user id `abort` and never answers for `hang`.
//! Other users get canned attributes. Only safe to run out of process.

use resolver_sdk::{DirectoryAttributes, PluginInfo, ResolveError, Resolver};

pub struct Fixture;

impl Resolver for Fixture {
    fn init(_config: serde_json::Value) -> Result<Self, String> {
        Ok(Fixture)
    }

    fn info() -> PluginInfo {
        PluginInfo::new("fixture-abort", env!("CARGO_PKG_VERSION"))
    }

    fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
        match user_id {
            "abort" => std::process::abort(),
            "hang" => loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            },
            _ => Ok(DirectoryAttributes {
                user_id: user_id.to_owned(),
                user_principal_name: Some(format!("{user_id}@contoso.com")),
                ..Default::default()
            }),
        }
    }
}

resolver_sdk::declare_resolver!(Fixture);
