//! Every example survives a trip through all three input formats unchanged.

use emailprof_core::input::{Format, parse, render};
use emailprof_core::{EmailProfile, ValidationOptions, validate};

use crate::support::{cli, root};

fn load(bytes: &[u8], format: Format) -> EmailProfile {
    let doc = parse(bytes, format).unwrap_or_else(|e| panic!("{format:?}: {e:?}"));
    let report = validate(&doc, ValidationOptions::default());
    report
        .profile
        .unwrap_or_else(|| panic!("{format:?} not valid: {:#?}", report.findings))
}

fn examples() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    assert!(v.len() >= 2);
    v
}

#[test]
fn examples_round_trip_through_yaml_json_and_toml() {
    for path in examples() {
        let original = load(&std::fs::read(&path).unwrap(), Format::Yaml);
        let value = emailprof_core::to_document(&original);
        for format in [Format::Json, Format::Toml, Format::Yaml] {
            let text = render(&value, format).unwrap();
            let again = load(text.as_bytes(), format);
            assert_eq!(
                again,
                original,
                "{} via {format:?}:\n{text}",
                path.display()
            );
            // And the CLI reads the same document from stdin with --format (from the
            // example's directory, where its certificate files are).
            cli(["validate", "--format", format.name(), "-"])
                .current_dir(path.parent().unwrap())
                .stdin(text.clone())
                .success();
        }
    }
}

#[test]
fn the_examples_configure_every_setting() {
    use emailprof_core::Setting;
    let full = load(
        &std::fs::read(root().join("examples/contoso.yaml")).unwrap(),
        Format::Yaml,
    );
    let basic = load(
        &std::fs::read(root().join("examples/basic-auth.yaml")).unwrap(),
        Format::Yaml,
    );
    // Settings that exclude each other: the directory domain attribute (contoso) and a custom
    // domain (basic-auth); OAuth (contoso) and a password (basic-auth).
    let elsewhere = [Setting::CustomDomainName, Setting::Password];
    let unconfigured: Vec<_> = Setting::ALL
        .into_iter()
        // The Android app choice only selects a target; it is never "configured".
        .filter(|s| *s != Setting::AndroidApp && !elsewhere.contains(s))
        .filter(|s| !s.is_configured(&full))
        .collect();
    assert!(
        unconfigured.is_empty(),
        "examples/contoso.yaml leaves {unconfigured:?} unset"
    );
    for s in elsewhere {
        assert!(
            s.is_configured(&basic),
            "examples/basic-auth.yaml leaves {s:?} unset"
        );
    }
}
