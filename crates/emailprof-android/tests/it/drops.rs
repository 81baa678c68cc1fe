//! Nothing configured is dropped silently by any Android emitter.

use std::collections::BTreeSet;

use emailprof_android::emitters;
use emailprof_core::emit::silently_dropped;
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
    let configured: BTreeSet<Setting> = fixture::profile_files()
        .iter()
        .map(|f| fixture::load_file(f))
        .flat_map(|p| {
            Setting::ALL
                .into_iter()
                .filter(move |s| s.is_configured(&p))
        })
        .collect();
    let missing: Vec<_> = Setting::ALL
        .into_iter()
        .filter(|s| *s != Setting::AndroidApp && !configured.contains(s))
        .collect();
    assert!(missing.is_empty(), "no fixture configures {missing:?}");
}

#[test]
fn no_fixture_loses_a_setting_silently() {
    for e in emitters() {
        for file in fixture::profile_files() {
            let rp = fixture::resolve_as(fixture::load_file(&file), "adele");
            let emission = e.emit(&rp, &EmitOptions::default()).expect("emits");
            let dropped = silently_dropped(e.as_ref(), &rp.profile, &emission);
            assert!(
                dropped.is_empty(),
                "{} {}: {dropped:?}",
                e.id(),
                file.display()
            );
        }
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
