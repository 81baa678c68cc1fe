//! Whole outputs, reviewed as files; `declared.rs` checks them against the declared
//! properties, these pin the exact bytes.

use emailprof_android::emitters;
use emailprof_core::EmitOptions;

use crate::fixture;

#[test]
fn policy_fragment_snapshots() {
    for e in emitters() {
        for name in ["full", "minimal", "sam-custom"] {
            let emission = e
                .emit(
                    &fixture::FIXTURES.resolved(&format!("{name}.yaml")),
                    &EmitOptions::default(),
                )
                .expect("emits");
            let mut out = String::from_utf8(emission.artifacts[0].bytes.clone()).expect("UTF-8");
            out.push_str("--- diagnostics\n");
            for d in &emission.diagnostics {
                out.push_str(&format!("{d}\n"));
            }
            insta::assert_snapshot!(format!("{}.{name}", e.id()), out);
        }
    }
}
