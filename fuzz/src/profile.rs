//! Profile documents (YAML, JSON, TOML) through parsing and validation.
//!
//! Oracles: errors have a message and a position inside the document; a document is accepted
//! exactly when it has no error finding; the canonical document of an accepted profile is
//! accepted again and means the same profile; and no finding quotes a secret (a string under a
//! `password`, `passphrase` or `challenge` key, other than the `env`/`file` naming its source).

use emailprof_core::input::{self, Format, Position};
use emailprof_core::{ValidationOptions, validate};
use serde_json::Value;

/// The first byte picks the format, the rest is the document.
pub fn check(data: &[u8]) {
    match data.split_first() {
        Some((first, rest)) => {
            let format = [Format::Yaml, Format::Json, Format::Toml][usize::from(*first) % 3];
            check_format(rest, format);
        }
        None => check_format(data, Format::Yaml),
    }
}

fn inside(bytes: &[u8], p: Position) -> bool {
    let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
    // A parser may point just past the last line (unexpected end of input).
    p.line >= 1 && p.line <= lines + 1 && p.column >= 1
}

/// Strings under secret-bearing keys, long enough not to match by accident.
fn secrets(v: &Value, under_secret: bool, out: &mut Vec<String>) {
    match v {
        Value::String(s) if under_secret && s.chars().count() >= 6 => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| secrets(x, under_secret, out)),
        Value::Object(o) => {
            for (k, x) in o {
                let secret_key = matches!(k.as_str(), "password" | "passphrase" | "challenge");
                // `env` and `file` name where the secret is; they are not secret.
                let names_source = under_secret && matches!(k.as_str(), "env" | "file");
                secrets(x, (under_secret || secret_key) && !names_source, out);
            }
        }
        _ => {}
    }
}

/// Every key and string of `v` that is not under a secret-bearing key.
fn public_text(v: &Value, under_secret: bool, out: &mut String) {
    match v {
        Value::String(s) if !under_secret => {
            out.push_str(s);
            out.push('\u{0}');
        }
        Value::Array(a) => a.iter().for_each(|x| public_text(x, under_secret, out)),
        Value::Object(o) => {
            for (k, x) in o {
                out.push_str(k);
                out.push('\u{0}');
                let secret_key = matches!(k.as_str(), "password" | "passphrase" | "challenge");
                public_text(x, under_secret || secret_key, out);
            }
        }
        _ => {}
    }
}

pub fn check_format(bytes: &[u8], format: Format) {
    let doc = match input::parse(bytes, format) {
        Ok(doc) => doc,
        Err(e) => {
            assert!(!e.message.is_empty(), "an error without a message");
            if let Some(p) = e.position {
                assert!(inside(bytes, p), "error position {p} outside the document");
            }
            return;
        }
    };
    let mut hidden = Vec::new();
    secrets(&doc.value, false, &mut hidden);
    let mut public = String::new();
    public_text(&doc.value, false, &mut public);
    // A secret that also appears as an ordinary value may be quoted as that value.
    hidden.retain(|s| !public.contains(s.as_str()));
    for allow_inline_secrets in [false, true] {
        let options = ValidationOptions {
            allow_inline_secrets,
        };
        let report = validate(&doc, options);
        for f in &report.findings {
            assert!(!f.message.is_empty(), "a finding without a message: {f:?}");
            if let Some(p) = f.position {
                assert!(inside(bytes, p), "finding position {p} outside the document");
            }
            for s in &hidden {
                let shown = format!("{} {}", f.message, f.expected.as_deref().unwrap_or(""));
                assert!(!shown.contains(s.as_str()), "a finding shows a secret: {f:?}");
            }
        }
        assert_eq!(report.profile.is_some(), !report.has_errors());
        if let Some(profile) = &report.profile {
            let canonical = emailprof_core::to_document(profile);
            let text = serde_json::to_vec(&canonical).expect("a JSON value serializes");
            let again = match input::parse(&text, Format::Json) {
                Ok(d) => d,
                Err(e) => panic!("the canonical document does not parse: {e}"),
            };
            let second = validate(&again, options);
            assert!(
                !second.has_errors(),
                "the canonical document of a valid profile is invalid: {:?}",
                second.findings
            );
            assert_eq!(
                second.profile.as_ref(),
                Some(profile),
                "the canonical document means another profile"
            );
        }
    }
}
