//! Whole outputs, reviewed as files. Their structure is checked against the DDF in
//! `conformance.rs`; these pin the exact bytes.

use emailprof_core::{EmitOptions, Emitter, Operation};
use emailprof_windows::WindowsEmitter;

use crate::fixture;

fn render(name: &str, options: &EmitOptions) -> String {
    let e = WindowsEmitter
        .emit(&fixture::FIXTURES.resolved(name), options)
        .expect("emits");
    let mut out = String::from_utf8(e.artifacts[0].bytes.clone()).expect("UTF-8");
    out.push_str("--- diagnostics\n");
    for d in &e.diagnostics {
        out.push_str(&format!("{d}\n"));
    }
    out
}

#[test]
fn syncml_snapshots() {
    for name in ["full", "minimal", "sam-custom", "markup"] {
        let options = EmitOptions {
            include_password: true,
            ..EmitOptions::default()
        };
        insta::assert_snapshot!(
            format!("{name}.add"),
            render(&format!("{name}.yaml"), &options)
        );
    }
    for op in [Operation::Replace, Operation::Remove] {
        let options = EmitOptions {
            operation: op,
            ..EmitOptions::default()
        };
        insta::assert_snapshot!(
            format!("full.{op:?}").to_lowercase(),
            render("full.yaml", &options)
        );
    }
}

#[test]
fn intune_custom_snapshots() {
    for name in ["full", "sam-custom"] {
        let options = EmitOptions {
            form: Some("intune-custom".into()),
            ..EmitOptions::default()
        };
        insta::assert_snapshot!(
            format!("{name}.intune-custom"),
            render(&format!("{name}.yaml"), &options)
        );
    }
}
