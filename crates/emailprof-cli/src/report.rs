//! User-facing messages on stderr, human or JSON (`--json`). Kept apart from `tracing` logs.

use std::io::Write;

use emailprof::messages;
use emailprof_core::{Diagnostic, Finding};

/// Writes findings, diagnostics and errors to stderr.
pub struct Reporter {
    json: bool,
}

/// Whether the process reports in JSON (set once by [`Reporter::new`]), for the few warnings
/// raised where no reporter is at hand.
static JSON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A user-facing warning, in the process's reporting format.
pub(crate) fn warning(text: &str) {
    let json = JSON.load(std::sync::atomic::Ordering::Relaxed);
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        messages::message("warning", text, json)
    );
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
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    /// A validation finding in `file`.
    pub fn finding(&self, file: &str, f: &Finding) {
        self.line(&messages::finding(file, f, self.json));
    }

    /// An emitter's diagnostic.
    pub fn diagnostic(&self, d: &Diagnostic) {
        self.line(&messages::diagnostic(d, self.json));
    }

    /// A note for the user.
    pub fn note(&self, text: &str) {
        self.line(&messages::message("note", text, self.json));
    }

    /// A fatal error, with its causes.
    pub fn error(&self, err: &anyhow::Error) {
        let chain: Vec<String> = err.chain().map(|c| c.to_string()).collect();
        self.line(&messages::message("error", &chain.join(": "), self.json));
    }
}
