//! The reader: typed access to payload keys, the findings, and the certificate names.

use std::collections::{BTreeMap, BTreeSet};

use emailprof_core::Severity;
use emailprof_core::model::*;
use plist::{Dictionary, Value};

use crate::keys::Key;
use crate::subject;

use super::types::*;

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "an array",
        Value::Dictionary(_) => "a dictionary",
        Value::Boolean(_) => "a boolean",
        Value::Data(_) => "data",
        Value::Date(_) => "a date",
        Value::Real(_) => "a real",
        Value::Integer(_) => "an integer",
        Value::String(_) => "a string",
        Value::Uid(_) => "a UID",
        _ => "an unknown value",
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A payload dictionary being read: which keys were looked at, for the unknown-key report.
pub(super) struct Payload<'a> {
    pub(super) dict: &'a Dictionary,
    pub(super) path: String,
    pub(super) seen: BTreeSet<&'static str>,
}

impl<'a> Payload<'a> {
    pub(super) fn new(dict: &'a Dictionary, path: String) -> Self {
        Payload {
            dict,
            path,
            seen: BTreeSet::new(),
        }
    }

    pub(super) fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }
}

pub(super) struct Reader {
    pub(super) findings: Vec<ImportFinding>,
    pub(super) files: BTreeMap<String, Vec<u8>>,
    /// The account's `UserName` and `EmailAddress`, to turn back into placeholders.
    pub(super) user: (Option<String>, Option<String>),
    /// The payload identifiers and UUIDs the profile has on devices, kept.
    pub(super) kept: IosPayloads,
    /// The profile's `PayloadIdentifier`, once read (what generated identifiers start from).
    pub(super) top_identifier: String,
    /// The `PayloadUUID`s kept so far, upper-case: each payload keeps its own.
    pub(super) uuids: Vec<String>,
}

/// What the certificate payloads of the profile became.
#[derive(Default)]
pub(super) struct Certs {
    /// By upper-case `PayloadUUID`: certificate name.
    pub(super) by_uuid: BTreeMap<String, String>,
    pub(super) entries: BTreeMap<String, Certificate>,
    /// SCEP subjects by certificate name, formatted once the user's values are known.
    pub(super) subjects: BTreeMap<String, Vec<subject::Rdn>>,
}

impl Certs {
    pub(super) fn unique_name(&self, wanted: &str) -> String {
        let mut base: String = wanted
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        while base.starts_with(['.', '_', '-']) {
            base.remove(0);
        }
        base.truncate(56);
        if base.is_empty() {
            base = "certificate".into();
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.entries.contains_key(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        name
    }
}

pub(super) fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub(super) fn valid_identifier(s: &str) -> bool {
    (3..=255).contains(&s.len())
        && s.split('.').count() >= 2
        && s.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `id` made a reverse-DNS identifier: other characters become `-`, empty parts go, and a
/// single part gets `com.` in front.
pub(super) fn repaired_identifier(id: &str) -> String {
    let fixed: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('.')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(".");
    let fixed = if fixed.contains('.') {
        fixed
    } else {
        format!("com.{}", if fixed.is_empty() { "imported" } else { &fixed })
    };
    clip(&fixed, 255)
}

pub(super) fn valid_domain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

pub(super) fn valid_host(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    valid_domain(host)
        && port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

pub(super) fn https_url(s: &str) -> bool {
    s.len() <= 2048
        && s.starts_with("https://")
        && s.len() > 8
        && !s.chars().any(char::is_whitespace)
}

pub(super) fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

impl Reader {
    /// Keep `data` as `certs/<wanted>`, or under a name of its own when another certificate
    /// already has that file name.
    pub(super) fn add_file(&mut self, wanted: &str, name: &str, data: &[u8]) -> String {
        let mut file = format!("certs/{wanted}");
        let mut n = 1;
        while self.files.get(&file).is_some_and(|d| d.as_slice() != data) {
            file = if n == 1 {
                format!("certs/{name}-{wanted}")
            } else {
                format!("certs/{name}-{n}-{wanted}")
            };
            n += 1;
        }
        self.files.insert(file.clone(), data.to_vec());
        file
    }

    pub(super) fn push(
        &mut self,
        severity: Severity,
        key_path: String,
        message: impl Into<String>,
    ) {
        self.findings.push(ImportFinding {
            severity,
            key_path,
            message: message.into(),
        });
    }

    /// The value of `key` if it has type `want` (checked by `pick`); a wrong type is an error
    /// finding and the value is ignored.
    pub(super) fn typed<'v, T>(
        &mut self,
        p: &mut Payload<'v>,
        key: &'static str,
        want: &str,
        pick: impl Fn(&'v Value) -> Option<T>,
    ) -> Option<T> {
        self.typed_as(Severity::Error, p, key, want, pick)
    }

    /// [`Reader::typed`], reporting a wrong type with `severity`: a warning for keys whose value
    /// emailprof does not carry over (or replaces), so that it cannot block an import.
    pub(super) fn typed_as<'v, T>(
        &mut self,
        severity: Severity,
        p: &mut Payload<'v>,
        key: &'static str,
        want: &str,
        pick: impl Fn(&'v Value) -> Option<T>,
    ) -> Option<T> {
        p.seen.insert(key);
        let v = p.dict.get(key)?;
        match pick(v) {
            Some(t) => Some(t),
            None => {
                let at = p.at(key);
                self.push(
                    severity,
                    at,
                    format!(
                        "expected {want}, found {}; the value is ignored",
                        type_name(v)
                    ),
                );
                None
            }
        }
    }

    pub(super) fn bool(&mut self, p: &mut Payload<'_>, key: &'static str) -> Option<bool> {
        self.typed(p, key, "a boolean", Value::as_boolean)
    }

    pub(super) fn string<'v>(&mut self, p: &mut Payload<'v>, key: &'static str) -> Option<&'v str> {
        self.typed(p, key, "a string", Value::as_string)
    }

    pub(super) fn int(&mut self, p: &mut Payload<'_>, key: &'static str) -> Option<i64> {
        self.typed(p, key, "an integer", Value::as_signed_integer)
    }

    /// Whether another payload already keeps `uuid` (any case).
    fn uuid_taken(&self, uuid: &str) -> bool {
        self.uuids.iter().any(|u| u.eq_ignore_ascii_case(uuid))
    }

    /// A string key whose value is not carried over as is: a wrong type is a warning.
    pub(super) fn soft_string<'v>(
        &mut self,
        p: &mut Payload<'v>,
        key: &'static str,
    ) -> Option<&'v str> {
        self.typed_as(Severity::Warning, p, key, "a string", Value::as_string)
    }

    /// `PayloadVersion`, which emailprof always writes as 1: anything else is a warning.
    pub(super) fn payload_version(&mut self, p: &mut Payload<'_>) {
        let v = self.typed_as(
            Severity::Warning,
            p,
            "PayloadVersion",
            "an integer",
            Value::as_signed_integer,
        );
        if let Some(v) = v
            && v != 1
        {
            let at = p.at("PayloadVersion");
            self.push(
                Severity::Warning,
                at,
                format!("PayloadVersion is {v}, but its only valid value is 1; 1 is written"),
            );
        }
    }

    /// The `PayloadIdentifier` and `PayloadUUID` of payload `p`, kept so that re-emitting
    /// replaces the payload on devices. An identifier that is missing or not reverse-DNS
    /// becomes `generated` or a repaired form, a missing or malformed UUID a UUID v5 of the
    /// identifier; each such change is a warning, since devices then see a new payload.
    pub(super) fn identity(
        &mut self,
        p: &mut Payload<'_>,
        payload_type: &str,
        generated: impl FnOnce() -> String,
    ) -> PayloadIdentity {
        let identifier = match self.soft_string(p, "PayloadIdentifier") {
            Some(id) if valid_identifier(id) => id.to_owned(),
            Some(id) => {
                let fixed = repaired_identifier(id);
                let at = p.at("PayloadIdentifier");
                self.push(Severity::Warning, at, format!("`{id}` is not a reverse-DNS identifier (letters, digits and hyphens, in dot-separated parts); it became `{fixed}`, so devices install a second profile or account beside the old one instead of replacing it"));
                fixed
            }
            None => {
                let made = generated();
                let at = p.at("PayloadIdentifier");
                self.push(Severity::Warning, at, format!("missing; `{made}` is used"));
                made
            }
        };
        let uuid = match self.soft_string(p, "PayloadUUID") {
            Some(u) if is_uuid(u) && !self.uuid_taken(u) => u.to_owned(),
            found => {
                let mut made = crate::payload_uuid(&identifier, payload_type, "");
                let mut n = 2;
                while self.uuid_taken(&made) {
                    made = crate::payload_uuid(&identifier, payload_type, &n.to_string());
                    n += 1;
                }
                let at = p.at("PayloadUUID");
                let what = match found {
                    Some(u) if is_uuid(u) => format!("`{u}` is the PayloadUUID of another payload"),
                    Some(u) => format!("`{u}` is not a UUID (8-4-4-4-12 hexadecimal digits)"),
                    None => "missing".to_owned(),
                };
                self.push(Severity::Warning, at, format!("{what}; `{made}` is used"));
                made
            }
        };
        self.uuids.push(uuid.to_ascii_uppercase());
        PayloadIdentity { identifier, uuid }
    }

    pub(super) fn data<'v>(&mut self, p: &mut Payload<'v>, key: &'static str) -> Option<&'v [u8]> {
        self.typed(p, key, "data", Value::as_data)
    }

    pub(super) fn key_bool(&mut self, p: &mut Payload<'_>, key: Key) -> Option<bool> {
        self.bool(p, key.name)
    }

    /// Report keys of `p` nobody looked at: `unmodelled` ones as not carried over, the rest as
    /// unknown.
    pub(super) fn rest(&mut self, p: &Payload<'_>, unmodelled: &[&str], payload: &str) {
        for (k, _) in p.dict.iter() {
            if p.seen.contains(k.as_str()) {
                continue;
            }
            let at = p.at(k);
            if unmodelled.contains(&k.as_str()) {
                self.push(
                    Severity::Warning,
                    at,
                    format!("`{k}` has no emailprof setting; it is not carried over"),
                );
            } else {
                self.push(
                    Severity::Warning,
                    at,
                    format!("unknown key `{k}` for {payload}; it is ignored"),
                );
            }
        }
    }
}
