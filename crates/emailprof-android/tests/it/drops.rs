//! Nothing configured is dropped silently by any Android emitter.

use emailprof_android::emitters;
use emailprof_core::{EmitOptions, Setting, Support};

use crate::fixture;

#[test]
fn the_full_example_is_among_the_profiles() {
    let files = fixture::profile_files();
    assert!(
        files.iter().any(|f| f.ends_with("examples/contoso.yaml")),
        "{files:?}"
    );
}

#[test]
fn the_fixtures_configure_every_setting() {
    let configured = emailprof_testkit::configured_settings(&fixture::profile_files());
    let missing: Vec<_> = Setting::ALL
        .into_iter()
        .filter(|s| *s != Setting::AndroidApp && !configured.contains(s))
        .collect();
    assert!(missing.is_empty(), "no fixture configures {missing:?}");
}

#[test]
fn no_fixture_loses_a_setting_silently() {
    for e in emitters() {
        emailprof_testkit::assert_nothing_dropped(
            e.as_ref(),
            &fixture::profile_files(),
            &EmitOptions::default(),
        );
    }
}

#[test]
fn other_platforms_settings_are_answered_as_such() {
    for e in emitters() {
        for s in [
            Setting::IosMinimumOsVersion,
            Setting::IosPerAccountVpn,
            Setting::IosAllowMailDrop,
            Setting::WindowsSyncSchedule,
        ] {
            assert_eq!(e.capability(s), Support::OtherPlatform, "{} {s:?}", e.id());
        }
    }
}
