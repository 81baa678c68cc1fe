//! Apple's device-management schema (ADM YAML, `docs/schema.md`), read from the vendored copy,
//! and a checker that holds a payload dictionary against it.

use emailprof_core::OsVersion;
use plist::Value;
use serde_json::Value as Json;

use crate::common::reference;

/// iOS availability after inheritance from the payload (ADM `docs/schema.md`: a key "inherits
/// the supportedOS values from the payload object", updated by its own).
#[derive(Clone, Debug, Default)]
pub(crate) struct Availability {
    pub introduced: Option<String>,
    pub deprecated: Option<String>,
    pub removed: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct KeyDef {
    pub name: String,
    pub ty: String,
    pub required: bool,
    pub rangelist: Option<Vec<Json>>,
    pub format: Option<String>,
    pub ios: Availability,
    pub subkeys: Vec<KeyDef>,
    pub repetition: Option<(u64, u64)>,
}

#[derive(Clone, Debug)]
pub(crate) struct PayloadSchema {
    pub payload_type: String,
    pub ios: Availability,
    pub keys: Vec<KeyDef>,
}

fn availability(parent: &Availability, supported: Option<&Json>) -> Availability {
    let mut a = parent.clone();
    if let Some(ios) = supported.and_then(|s| s.get("iOS")) {
        let get = |k: &str| {
            ios.get(k).map(|v| match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        if let Some(v) = get("introduced") {
            a.introduced = Some(v);
        }
        if let Some(v) = get("deprecated") {
            a.deprecated = Some(v);
        }
        if let Some(v) = get("removed") {
            a.removed = Some(v);
        }
    }
    a
}

fn key_def(k: &Json, parent: &Availability) -> KeyDef {
    let ios = availability(parent, k.get("supportedOS"));
    let subkeys = k
        .get("subkeys")
        .and_then(Json::as_array)
        .map(|s| s.iter().map(|k| key_def(k, &ios)).collect())
        .unwrap_or_default();
    KeyDef {
        name: k["key"].as_str().expect("key name").to_owned(),
        ty: k["type"].as_str().expect("key type").to_owned(),
        required: k.get("presence").and_then(Json::as_str) == Some("required"),
        rangelist: k.get("rangelist").and_then(Json::as_array).cloned(),
        format: k.get("format").and_then(Json::as_str).map(str::to_owned),
        ios,
        subkeys,
        repetition: k.get("repetition").map(|r| {
            (
                r["min"].as_u64().expect("min"),
                r["max"].as_u64().expect("max"),
            )
        }),
    }
}

/// `shared/reference/apple/<file>`.
pub(crate) fn load(file: &str) -> PayloadSchema {
    let path = reference("apple").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let y: Json = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let ios = availability(&Availability::default(), y["payload"].get("supportedOS"));
    PayloadSchema {
        payload_type: y["payload"]["payloadtype"]
            .as_str()
            .expect("payloadtype")
            .to_owned(),
        keys: y["payloadkeys"]
            .as_array()
            .expect("payloadkeys")
            .iter()
            .map(|k| key_def(k, &ios))
            .collect(),
        ios,
    }
}

/// The payload schemas by type, with the common payload keys.
pub(crate) fn payload_schemas() -> Vec<PayloadSchema> {
    [
        "com.apple.eas.account.yaml",
        "com.apple.security.pkcs12.yaml",
        "com.apple.security.root.yaml",
        "com.apple.security.pem.yaml",
        "com.apple.security.pkcs1.yaml",
        "com.apple.security.scep.yaml",
    ]
    .into_iter()
    .map(load)
    .collect()
}

fn version(s: &str) -> Option<OsVersion> {
    OsVersion::parse(s)
}

/// Why `a` is not usable on every device from `min` on, if it is not.
pub(crate) fn unsupported_at(a: &Availability, min: OsVersion) -> Option<String> {
    match a.introduced.as_deref() {
        None => return Some("no iOS availability".into()),
        Some("n/a") => return Some("not available on iOS".into()),
        Some(v) if version(v).is_none_or(|v| v > min) => {
            return Some(format!("introduced in iOS {v}, after the minimum {min}"));
        }
        _ => {}
    }
    if let Some(d) = a.deprecated.as_deref().and_then(version)
        && d <= min
    {
        return Some(format!(
            "deprecated since iOS {d}, at or before the minimum {min}"
        ));
    }
    if let Some(r) = a.removed.as_deref().and_then(version)
        && r <= min
    {
        return Some(format!("removed in iOS {r}"));
    }
    None
}

fn type_matches(ty: &str, v: &Value) -> bool {
    match ty {
        "<string>" => matches!(v, Value::String(_)),
        "<integer>" => matches!(v, Value::Integer(_)),
        "<boolean>" => matches!(v, Value::Boolean(_)),
        "<data>" => matches!(v, Value::Data(_)),
        "<array>" => matches!(v, Value::Array(_)),
        "<dictionary>" => matches!(v, Value::Dictionary(_)),
        "<real>" => matches!(v, Value::Real(_)),
        "<date>" => matches!(v, Value::Date(_)),
        "<any>" => true,
        other => panic!("unknown ADM type {other}"),
    }
}

fn in_rangelist(range: &[Json], v: &Value) -> bool {
    range.iter().any(|r| match (r, v) {
        (Json::Number(n), Value::Integer(i)) => n.as_i64() == i.as_signed(),
        (Json::String(s), Value::String(t)) => s == t,
        (Json::Bool(b), Value::Boolean(c)) => b == c,
        _ => false,
    })
}

/// A matcher for the regex subset ADM `format`s use: `^`, `$`, literals, `[...]` classes with
/// ranges, `{n}`. Anything else fails the test, so a new construct is noticed.
pub(crate) fn format_matches(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    assert!(
        p.first() == Some(&'^') && p.last() == Some(&'$'),
        "unanchored format {pattern}"
    );
    let mut atoms: Vec<(Vec<(char, char)>, usize)> = Vec::new();
    let mut i = 1;
    while i < p.len() - 1 {
        let class = if p[i] == '[' {
            let mut ranges = Vec::new();
            i += 1;
            while p[i] != ']' {
                if p[i + 1] == '-' && p[i + 2] != ']' {
                    ranges.push((p[i], p[i + 2]));
                    i += 3;
                } else {
                    ranges.push((p[i], p[i]));
                    i += 1;
                }
            }
            i += 1;
            ranges
        } else {
            assert!(
                !"\\.*+?()|".contains(p[i]),
                "unsupported format construct in {pattern}"
            );
            i += 1;
            vec![(p[i - 1], p[i - 1])]
        };
        let mut count = 1;
        if i < p.len() - 1 && p[i] == '{' {
            let end = i + p[i..]
                .iter()
                .position(|c| *c == '}')
                .expect("closing brace");
            count = p[i + 1..end]
                .iter()
                .collect::<String>()
                .parse()
                .expect("count");
            i = end + 1;
        }
        atoms.push((class, count));
    }
    let chars: Vec<char> = s.chars().collect();
    let mut at = 0;
    for (class, count) in atoms {
        for _ in 0..count {
            let Some(c) = chars.get(at) else { return false };
            if !class.iter().any(|(lo, hi)| lo <= c && c <= hi) {
                return false;
            }
            at += 1;
        }
    }
    at == chars.len()
}

/// Check `v` against `def` at `path`; problems go to `errors`.
pub(crate) fn check_value(
    def: &KeyDef,
    v: &Value,
    min: OsVersion,
    path: &str,
    errors: &mut Vec<String>,
) {
    if !type_matches(&def.ty, v) {
        errors.push(format!("{path}: type is not {}", def.ty));
        return;
    }
    if let Some(why) = unsupported_at(&def.ios, min) {
        errors.push(format!("{path}: {why}"));
    }
    if let Some(range) = &def.rangelist
        && !in_rangelist(range, v)
    {
        errors.push(format!("{path}: {v:?} is not in the rangelist {range:?}"));
    }
    if let (Some(f), Value::String(s)) = (&def.format, v)
        && !format_matches(f, s)
    {
        errors.push(format!("{path}: `{s}` does not match the format {f}"));
    }
    match v {
        Value::Dictionary(d) if !def.subkeys.is_empty() => {
            check_dict(d, &def.subkeys, min, path, errors)
        }
        Value::Array(items) => {
            if let Some((lo, hi)) = def.repetition {
                let n = items.len() as u64;
                if n < lo || n > hi {
                    errors.push(format!("{path}: {n} items, ADM repetition is {lo}..={hi}"));
                }
            }
            if let Some(item) = def.subkeys.first() {
                for (i, it) in items.iter().enumerate() {
                    check_value(item, it, min, &format!("{path}[{i}]"), errors);
                }
            }
        }
        _ => {}
    }
}

/// Check every key of `d` against `defs` (a key named `ANY` accepts any name), and that every
/// required key is present.
pub(crate) fn check_dict(
    d: &plist::Dictionary,
    defs: &[KeyDef],
    min: OsVersion,
    path: &str,
    errors: &mut Vec<String>,
) {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    for (k, v) in d.iter() {
        match defs
            .iter()
            .find(|def| def.name == *k)
            .or_else(|| defs.iter().find(|d| d.name == "ANY"))
        {
            Some(def) => check_value(def, v, min, &at(k), errors),
            None => errors.push(format!("{}: not a key of this payload in ADM", at(k))),
        }
    }
    for def in defs.iter().filter(|d| d.required && d.name != "ANY") {
        if !d.contains_key(&def.name) {
            errors.push(format!("{}: required key missing", at(&def.name)));
        }
    }
}

/// Check a whole profile: TopLevel keys, then each payload against CommonPayloadKeys and its
/// own schema. Returns every problem.
pub(crate) fn check_profile(top: &plist::Dictionary, min: OsVersion) -> Vec<String> {
    let top_level = load("TopLevel.yaml");
    let common = load("CommonPayloadKeys.yaml");
    let payloads = payload_schemas();
    let mut errors = Vec::new();
    // PayloadContent's items are checked below, against their own schemas.
    let mut top_defs = top_level.keys.clone();
    for def in &mut top_defs {
        if def.name == "PayloadContent" {
            def.subkeys.clear();
        }
    }
    check_dict(top, &top_defs, min, "", &mut errors);
    if let Some(why) = unsupported_at(&top_level.ios, min) {
        errors.push(format!("profile: {why}"));
    }
    let Some(items) = top.get("PayloadContent").and_then(Value::as_array) else {
        return errors;
    };
    let mut identifiers = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("PayloadContent[{i}]");
        let Some(d) = item.as_dictionary() else {
            errors.push(format!("{path}: not a dictionary"));
            continue;
        };
        let ty = d
            .get("PayloadType")
            .and_then(Value::as_string)
            .unwrap_or_default();
        let Some(schema) = payloads.iter().find(|s| s.payload_type == ty) else {
            errors.push(format!(
                "{path}: payload type `{ty}` is not one emailprof should write"
            ));
            continue;
        };
        if let Some(why) = unsupported_at(&schema.ios, min) {
            errors.push(format!("{path}: payload {ty}: {why}"));
        }
        // The payload's own keys override the common ones of the same name (pkcs12's
        // PayloadContent is <data>, scep's a <dictionary>).
        let mut defs: Vec<KeyDef> = common
            .keys
            .iter()
            .filter(|c| !schema.keys.iter().any(|k| k.name == c.name))
            .cloned()
            .collect();
        defs.extend(schema.keys.iter().cloned());
        check_dict(d, &defs, min, &path, &mut errors);
        if let Some(id) = d.get("PayloadIdentifier").and_then(Value::as_string) {
            if identifiers.contains(&id) {
                errors.push(format!(
                    "{path}: PayloadIdentifier `{id}` is not unique within the profile"
                ));
            }
            identifiers.push(id);
        }
    }
    errors
}

#[test]
fn the_format_matcher_does_what_adm_means() {
    let f = "^[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}$";
    assert!(format_matches(f, "6C9E5D4B-8F1A-4E2B-9C3D-0A1B2C3D4E5F"));
    assert!(!format_matches(f, "6C9E5D4B-8F1A-4E2B-9C3D-0A1B2C3D4E5"));
    assert!(!format_matches(f, "6C9E5D4B-8F1A-4E2B-9C3D-0A1B2C3D4E5F0"));
    assert!(!format_matches(f, "6C9E5D4B_8F1A-4E2B-9C3D-0A1B2C3D4E5F"));
}

#[test]
fn the_checker_rejects_what_adm_forbids() {
    // A hand-made EAS payload with one fault of each kind.
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>PayloadIdentifier</key><string>x.y</string>
<key>PayloadUUID</key><string>U</string>
<key>PayloadType</key><string>Configuration</string>
<key>PayloadVersion</key><integer>2</integer>
<key>PayloadContent</key><array><dict>
  <key>PayloadIdentifier</key><string>x.y.eas</string>
  <key>PayloadUUID</key><string>U2</string>
  <key>PayloadType</key><string>com.apple.eas.account</string>
  <key>PayloadVersion</key><integer>1</integer>
  <key>SSL</key><string>true</string>
  <key>MailNumberOfPastDaysToSync</key><integer>5</integer>
  <key>EnableMailUserOverrideable</key><true/>
  <key>VPNUUID</key><string>6C9E5D4B-8F1A-4E2B-9C3D-0A1B2C3D4E5F</string>
  <key>SMIMEEnablePerMessageSwitch</key><true/>
  <key>PayloadCertificateUUID</key><string>nope</string>
</dict></array>
</dict></plist>"#;
    let top = crate::common::dict(xml);
    let errors = check_profile(&top, OsVersion(13, 0, 0));
    let text = errors.join("\n");
    for expected in [
        "PayloadVersion: Integer(2) is not in the rangelist",
        "PayloadContent[0].SSL: type is not <boolean>",
        "PayloadContent[0].MailNumberOfPastDaysToSync: Integer(5) is not in the rangelist",
        "PayloadContent[0].EnableMailUserOverrideable: not a key",
        "PayloadContent[0].VPNUUID: introduced in iOS 14.0",
        "PayloadContent[0].SMIMEEnablePerMessageSwitch: deprecated since iOS 12.0",
        "PayloadContent[0].PayloadCertificateUUID: `nope` does not match",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in\n{text}");
    }
    assert_eq!(errors.len(), 7, "{text}");
}
