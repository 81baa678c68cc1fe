//! Nothing configured is dropped silently by any Android emitter.

use emailprof_android::{IosOutlookEmitter, emitters};
use emailprof_core::{EmitOptions, Emitter, Setting, Support};

use crate::fixture;

#[test]
fn the_fixtures_hold_the_full_example_and_configure_every_setting() {
    fixture::FIXTURES.assert_cover_every_setting();
}

#[test]
fn no_fixture_loses_a_setting_silently() {
    for e in emitters() {
        emailprof_testkit::assert_nothing_dropped(
            e.as_ref(),
            &fixture::FIXTURES.files(),
            &EmitOptions::default(),
        );
    }
}

#[test]
fn outlook_for_ios_loses_no_setting_silently() {
    emailprof_testkit::assert_nothing_dropped(
        &IosOutlookEmitter,
        &fixture::FIXTURES.files(),
        &EmitOptions::default(),
    );
    // iOS settings are its own platform's (no Outlook key); Android's and Windows' are not.
    assert!(matches!(
        IosOutlookEmitter.capability(Setting::IosAllowMailDrop),
        Support::Unsupported { .. }
    ));
    for s in [Setting::AndroidApp, Setting::WindowsSyncSchedule] {
        assert_eq!(
            IosOutlookEmitter.capability(s),
            Support::OtherPlatform,
            "{s:?}"
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
