//! The words of what emailprof tells its user, as text lines or JSON objects: findings,
//! diagnostics, notes, warnings and errors. The library only formats them; the CLI prints them
//! (stderr) and decides when.

use emailprof_core::{Diagnostic, Finding};
use serde_json::json;

/// A validation finding in `file`: `file:line:column: severity: pointer: message` (and an
/// `expected:` line), or one JSON object.
pub fn finding(file: &str, f: &Finding, as_json: bool) -> String {
    if as_json {
        return json!({
            "kind": "finding",
            "file": file,
            "line": f.position.map(|p| p.line),
            "column": f.position.map(|p| p.column),
            "pointer": f.pointer,
            "severity": f.severity,
            "message": f.message,
            "expected": f.expected,
            "rule": f.rule,
        })
        .to_string();
    }
    let at = match f.position {
        Some(p) => format!("{file}:{}:{}", p.line, p.column),
        None => file.to_owned(),
    };
    let pointer = if f.pointer.is_empty() {
        "/"
    } else {
        &f.pointer
    };
    let mut text = format!("{at}: {}: {pointer}: {}", f.severity, f.message);
    if let Some(e) = &f.expected {
        text.push_str(&format!("\n    expected: {e}"));
    }
    text
}

/// An emitter's diagnostic: `severity: platform: setting: message`, or one JSON object.
pub fn diagnostic(d: &Diagnostic, as_json: bool) -> String {
    if as_json {
        return json!({
            "kind": "diagnostic",
            "severity": d.severity,
            "platform": d.platform,
            "setting": d.setting,
            "message": d.message,
        })
        .to_string();
    }
    format!(
        "{}: {}: {}: {}",
        d.severity, d.platform, d.setting, d.message
    )
}

/// A plain message of `kind` (`note`, `warning`, `error`): the text (with `warning: ` or
/// `error: ` before it, notes as they are), or one JSON object.
pub fn message(kind: &str, text: &str, as_json: bool) -> String {
    match (as_json, kind) {
        (true, _) => json!({ "kind": kind, "message": text }).to_string(),
        (false, "note") => text.to_owned(),
        (false, _) => format!("{kind}: {text}"),
    }
}
