//! Test fixture: panics in `resolve` for the user id `panic`, and in `init` when the
//! configuration is `{"panicIn": "init"}`. Other users get canned attributes.

use resolver_sdk::{DirectoryAttributes, PluginInfo, ResolveError, Resolver};

pub struct Fixture;

impl Resolver for Fixture {
    fn init(config: serde_json::Value) -> Result<Self, String> {
        if config.get("panicIn").and_then(|v| v.as_str()) == Some("init") {
            panic!("fixture-panic: asked to panic in init");
        }
        Ok(Fixture)
    }

    fn info() -> PluginInfo {
        PluginInfo::new("fixture-panic", env!("CARGO_PKG_VERSION"))
    }

    fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
        if user_id == "panic" {
            panic!("fixture-panic: asked to panic for `{user_id}`");
        }
        Ok(DirectoryAttributes {
            user_id: user_id.to_owned(),
            user_principal_name: Some(format!("{user_id}@contoso.com")),
            ..Default::default()
        })
    }
}

resolver_sdk::declare_resolver!(Fixture);
