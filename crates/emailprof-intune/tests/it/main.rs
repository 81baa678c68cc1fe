//! Integration tests: Graph fixtures in `tests/data`, checked against the Graph documentation
//! examples and the profile model.

mod configs;
mod conformance;
mod docs;
mod fuzz;
mod fuzz_target;
mod ios;
mod knox;
mod roundtrip;
mod traps;

use emailprof_core::input::{Document, Format};
use emailprof_core::{EmailProfile, Severity, ValidationOptions, validate};
use emailprof_intune::{GraphFinding, ImportedGraphProfile, import_graph};
use serde_json::Value;

pub(crate) fn data(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    std::fs::read(format!("{path}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub(crate) fn json(name: &str) -> Value {
    serde_json::from_slice(&data(name)).unwrap()
}

pub(crate) fn import(name: &str) -> Vec<ImportedGraphProfile> {
    import_graph(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub(crate) fn import_one(name: &str) -> ImportedGraphProfile {
    let mut all = import(name);
    assert_eq!(all.len(), 1, "{name}");
    all.remove(0)
}

/// The imported document, validated the way the CLI validates a profile file.
pub(crate) fn model(p: &ImportedGraphProfile) -> EmailProfile {
    let doc = Document {
        format: Format::Json,
        value: p.profile.clone(),
        locations: Default::default(),
    };
    let report = validate(&doc, ValidationOptions::default());
    assert!(
        !report.has_errors(),
        "invalid profile {:#}: {:#?}",
        p.profile,
        report.findings
    );
    report.profile.expect("a profile without errors")
}

/// The finding at `pointer` with `severity`, if exactly one.
pub(crate) fn finding<'a>(
    p: &'a ImportedGraphProfile,
    severity: Severity,
    pointer: &str,
) -> &'a GraphFinding {
    let hits: Vec<&GraphFinding> = p
        .findings
        .iter()
        .filter(|f| f.severity == severity && f.pointer == pointer)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "{severity} at {pointer} in {:#?}",
        p.findings
    );
    hits[0]
}

pub(crate) fn at<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("nothing at {pointer} in {doc:#}"))
}
