//! User-facing messages on stderr, human or JSON (`--json`). Kept apart from `tracing` logs.

use std::io::Write;

use emailprof_core::{Diagnostic, Finding};
use serde_json::json;

/// Writes findings, diagnostics and errors to stderr.
pub struct Reporter {
    json: bool,
}

/// Whether the process reports in JSON (set once by [`Reporter::new`]), for the few warnings
/// raised where no reporter is at hand.
static JSON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A user-facing warning, in the process's reporting format.
pub(crate) fn warning(text: &str) {
    let mut err = std::io::stderr().lock();
    if JSON.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = writeln!(err, "{}", json!({ "kind": "warning", "message": text }));
    } else {
        let _ = writeln!(err, "warning: {text}");
    }
}

impl Reporter {
    pub fn new(json: bool) -> Self {
        JSON.store(json, std::sync::atomic::Ordering::Relaxed);
        Self { json }
    }

    /// Whether `--json` was given (commands whose stdout is a report print it as JSON then).
    pub fn is_json(&self) -> bool {
        self.json
    }

    fn line(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }

    /// A validation finding in `file`.
    pub fn finding(&self, file: &str, f: &Finding) {
        if self.json {
            self.line(
                &json!({
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
                .to_string(),
            );
            return;
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
        self.line(&text);
    }

    /// An emitter's diagnostic.
    pub fn diagnostic(&self, d: &Diagnostic) {
        if self.json {
            self.line(
                &json!({
                    "kind": "diagnostic",
                    "severity": d.severity,
                    "platform": d.platform,
                    "setting": d.setting,
                    "message": d.message,
                })
                .to_string(),
            );
        } else {
            self.line(&format!(
                "{}: {}: {}: {}",
                d.severity, d.platform, d.setting, d.message
            ));
        }
    }

    /// A note for the user (human mode only).
    pub fn note(&self, text: &str) {
        if self.json {
            self.line(&json!({ "kind": "note", "message": text }).to_string());
        } else {
            self.line(text);
        }
    }

    /// A fatal error.
    pub fn error(&self, err: &anyhow::Error) {
        let chain: Vec<String> = err.chain().map(|c| c.to_string()).collect();
        if self.json {
            self.line(&json!({ "kind": "error", "message": chain.join(": ") }).to_string());
        } else {
            self.line(&format!("error: {}", chain.join(": ")));
        }
    }
}
