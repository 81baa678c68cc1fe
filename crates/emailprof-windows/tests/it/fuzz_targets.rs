//! The `plugin` fuzz target's Windows check (`fuzz/src/xml_windows.rs`) as a property test, so
//! stable CI runs it: directory values with markup (`<`, `&`, `]]>`, `</Data>`), quotes,
//! controls and non-ASCII come out of the SyncML document exactly, or are refused when XML
//! cannot carry them. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/shared.rs"]
mod shared;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/xml_windows.rs"]
mod target;

use emailprof_core::resolve_identity;
use emailprof_testkit::fuzz;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn directory_values_never_inject_markup(
        attrs in fuzz::attributes("</Data></Item></Add><Exec><Item><Data>x")
    ) {
        for profile in target::profiles() {
            if let Ok(user) = resolve_identity(&profile.account, &attrs) {
                target::check(&profile, &user);
            }
        }
    }
}

/// The check fails on a writer that does not escape: `data_values` of unescaped markup is not
/// the value (or not XML at all).
#[test]
fn the_check_catches_unescaped_markup() {
    let value = "a</Data><Exec>&x";
    let escaped = format!(
        "<SyncML><Data>{}</Data></SyncML>",
        value.replace('&', "&amp;").replace('<', "&lt;")
    );
    assert_eq!(target::data_values(&escaped).unwrap(), [value]);
    let raw = format!("<SyncML><Data>{value}</Data></SyncML>");
    assert_ne!(target::data_values(&raw).ok(), Some(vec![value.to_owned()]));
}
