//! Whole outputs, reviewed as files (structure is checked against ADM in `conformance`).

use emailprof_core::EmitOptions;

use crate::common::{emit, profile, resolve, with_min};

#[test]
fn full_profile_at_its_minimum() {
    let (xml, emission) = emit(&resolve(profile("full.yaml")), &EmitOptions::default());
    insta::assert_snapshot!("full_ios14", xml);
    let diags: Vec<String> = emission
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    insta::assert_snapshot!("full_ios14_diagnostics", diags.join("\n"));
}

#[test]
fn full_profile_for_ios_11() {
    let (xml, emission) = emit(&resolve(profile("full.yaml")), &with_min("11.0"));
    insta::assert_snapshot!("full_ios11", xml);
    let diags: Vec<String> = emission
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    insta::assert_snapshot!("full_ios11_diagnostics", diags.join("\n"));
}

#[test]
fn minimal_profile() {
    let (xml, emission) = emit(&resolve(profile("minimal.yaml")), &EmitOptions::default());
    insta::assert_snapshot!("minimal", xml);
    assert!(
        emission.diagnostics.is_empty(),
        "{:?}",
        emission.diagnostics
    );
}
