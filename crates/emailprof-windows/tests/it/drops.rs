//! Nothing configured is dropped silently: every configured setting is written or reported.

use emailprof_core::{EmitOptions, Emitter, Setting, Support};
use emailprof_windows::WindowsEmitter;

use crate::fixture;

#[test]
fn the_fixtures_hold_the_full_example_and_configure_every_setting() {
    fixture::FIXTURES.assert_cover_every_setting();
}

#[test]
fn no_fixture_loses_a_setting_silently_in_either_form() {
    for form in [None, Some("intune-custom")] {
        let options = EmitOptions {
            form: form.map(Into::into),
            ..EmitOptions::default()
        };
        emailprof_testkit::assert_nothing_dropped(
            &WindowsEmitter,
            &fixture::FIXTURES.files(),
            &options,
        );
    }
}

#[test]
fn every_unsupported_setting_that_is_configured_gets_its_own_diagnostic() {
    let rp = fixture::FIXTURES.resolved("full.yaml");
    let emission = WindowsEmitter
        .emit(&rp, &EmitOptions::default())
        .expect("emits");
    for s in Setting::ALL {
        if s.is_configured(&rp.profile)
            && matches!(WindowsEmitter.capability(s), Support::Unsupported { .. })
        {
            assert!(
                emission
                    .diagnostics
                    .iter()
                    .any(|d| d.setting == s.pointer()),
                "{s:?}"
            );
        }
    }
}

#[test]
fn other_platforms_settings_are_answered_as_such() {
    for s in [
        Setting::IosMinimumOsVersion,
        Setting::IosPerAccountVpn,
        Setting::IosAllowMailDrop,
        Setting::AndroidApp,
    ] {
        assert_eq!(
            WindowsEmitter.capability(s),
            Support::OtherPlatform,
            "{s:?}"
        );
    }
    assert!(
        WindowsEmitter
            .capability(Setting::WindowsSyncSchedule)
            .is_expressed()
    );
}
