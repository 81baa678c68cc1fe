//! Profile documents (YAML, JSON, TOML) through parsing and validation.
//!
//! Oracles: errors have a message and a position inside the document; a document is accepted
//! exactly when it has no error finding; the canonical document of an accepted profile is
//! accepted again and means the same profile; and no finding depends on a secret's value (a
//! string under a `password`, `passphrase` or `challenge` key, other than the `env`/`file`
//! naming its source): replacing the secrets changes no message.

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
    // Line breaks: LF, CRLF, or a lone CR (YAML 1.2 b-break).
    let lone_cr = bytes
        .windows(2)
        .filter(|w| w[0] == b'\r' && w[1] != b'\n')
        .count()
        + usize::from(bytes.last() == Some(&b'\r'));
    let lines = bytes.iter().filter(|b| **b == b'\n').count() + lone_cr + 1;
    // A parser may point just past the last line (unexpected end of input).
    p.line >= 1 && p.line <= lines + 1 && p.column >= 1
}

/// `v` with every secret (a string under a `password`, `passphrase` or `challenge` key, other
/// than the `env`/`file` naming its source) replaced by another string of the same length.
/// Returns whether there was any.
fn redact(v: &mut Value, under_secret: bool) -> bool {
    match v {
        Value::String(s) if under_secret => {
            let other = if s.starts_with('x') { 'y' } else { 'x' };
            *s = std::iter::repeat_n(other, s.chars().count()).collect();
            true
        }
        Value::Array(a) => a
            .iter_mut()
            .fold(false, |any, x| redact(x, under_secret) | any),
        Value::Object(o) => {
            let mut any = false;
            for (k, x) in o.iter_mut() {
                let secret_key = matches!(k.as_str(), "password" | "passphrase" | "challenge");
                let names_source = under_secret && matches!(k.as_str(), "env" | "file");
                any |= redact(x, (under_secret || secret_key) && !names_source);
            }
            any
        }
        _ => false,
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
    // The same document with other secret values: its messages must be the same, or a
    // message depends on (shows) a secret.
    let mut redacted = doc.clone();
    let has_secrets = redact(&mut redacted.value, false);
    for allow_inline_secrets in [false, true] {
        let options = ValidationOptions {
            allow_inline_secrets,
        };
        let report = validate(&doc, options);
        for f in &report.findings {
            assert!(!f.message.is_empty(), "a finding without a message: {f:?}");
            if let Some(p) = f.position {
                assert!(
                    inside(bytes, p),
                    "finding position {p} outside the document"
                );
            }
        }
        if has_secrets {
            let messages = |r: &emailprof_core::Report| {
                let mut m: Vec<String> = r.findings.iter().map(|f| f.message.clone()).collect();
                m.sort();
                m
            };
            let other = validate(&redacted, options);
            assert_eq!(
                messages(&report),
                messages(&other),
                "a finding's message depends on a secret's value"
            );
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
