//! Every key of every emitted payload exists in ADM, has its type, lies in its rangelist,
//! matches its format and is supported (not deprecated) at the minimum OS; required keys are
//! present.

use emailprof_core::{EmitOptions, OsVersion};

use crate::adm::check_profile;
use crate::common::{dict, emit, profile, resolve, with_min};

const MINIMUMS: [&str; 13] = [
    "4.0", "5.0", "7.0", "8.0", "9.2", "10.0", "10.3", "11.0", "12.0", "13.0", "14.0", "17.0",
    "18.1",
];

#[test]
fn fixtures_conform_at_every_minimum_version() {
    for fixture in ["full.yaml", "minimal.yaml"] {
        let rp = resolve(profile(fixture));
        for min in MINIMUMS {
            let (xml, _) = emit(&rp, &with_min(min));
            let errors = check_profile(&dict(&xml), OsVersion::parse(min).unwrap());
            assert!(
                errors.is_empty(),
                "{fixture} at iOS {min}:\n{}",
                errors.join("\n")
            );
        }
    }
}

#[test]
fn profile_minimum_is_used_and_conforms() {
    // full.yaml says 14.0.
    let rp = resolve(profile("full.yaml"));
    let (xml, _) = emit(&rp, &EmitOptions::default());
    assert!(check_profile(&dict(&xml), OsVersion(14, 0, 0)).is_empty());
    assert!(xml.contains("<key>VPNUUID</key>"), "14.0 has VPNUUID");
    // The checker is not blind: at 13.0 the same output has a key introduced later.
    let errors = check_profile(&dict(&xml), OsVersion(13, 0, 0));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("VPNUUID: introduced in iOS 14.0")),
        "{errors:?}"
    );
}

#[test]
fn workspace_examples_conform() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"));
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("examples/ exists") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let report = emailprof_core::load(&bytes, emailprof_core::Format::Yaml, Default::default())
            .expect("example parses");
        let Some(p) = report.profile else {
            panic!("{}: {:#?}", path.display(), report.findings)
        };
        let rp = resolve(p.clone());
        for options in [EmitOptions::default(), with_min("11.0"), with_min("13.0")] {
            let (xml, emission) = emit(&rp, &options);
            let min = emailprof_ios::IosEmitter::min_os(&p, &options).unwrap();
            let errors = check_profile(&dict(&xml), min);
            assert!(
                errors.is_empty(),
                "{} at {min}:\n{}",
                path.display(),
                errors.join("\n")
            );
            let dropped =
                emailprof_core::emit::silently_dropped(&emailprof_ios::IosEmitter, &p, &emission);
            assert!(dropped.is_empty(), "{}: {dropped:?}", path.display());
        }
        seen += 1;
    }
    assert!(seen >= 1);
}
