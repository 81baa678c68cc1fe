//! The checks behind emailprof's fuzz targets, one module per parser. Each `check` takes
//! arbitrary bytes, must never panic on its own account, and asserts what the parser promises
//! (the oracle): an imported profile validates, a position lies inside the file, a secret never
//! reaches a message, an emitted document is well-formed XML carrying the values unchanged.
//!
//! The module files are also compiled into the normal test suite (`#[path]` modules driven by
//! proptest or a seeded mutator), so stable CI runs every check without libFuzzer. They depend
//! only on what their host crate's tests can use; this file composes them.

pub mod cms;
pub mod directory;
pub mod intune;
pub mod mobileconfig;
pub mod plugin;
pub mod profile;
pub mod shared;
pub mod xml_ios;
pub mod xml_windows;

use std::sync::OnceLock;

use emailprof_core::{EmailProfile, resolve_identity};

/// The `plugin` target: a plugin's reply, and the attributes in it through the iOS and
/// Windows emitters (values from a plugin must not inject markup).
pub fn plugin_and_emit(data: &[u8]) {
    static PROFILES: OnceLock<Vec<EmailProfile>> = OnceLock::new();
    let profiles = PROFILES.get_or_init(xml_ios::profiles);
    plugin::check_with(data, &mut |attrs| {
        for profile in profiles {
            if let Ok(user) = resolve_identity(&profile.account, attrs) {
                xml_ios::check(profile, &user);
                xml_windows::check(profile, &user);
            }
        }
    });
}
