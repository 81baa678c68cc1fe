//! Validation in two layers, both reporting every problem at once: the generated JSON Schema,
//! then the semantic rules it cannot say (references between settings, secrets, advice).

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use serde::Serialize;
use serde_json::Value;

use crate::emit::Severity;
use crate::host;
use crate::input::{Document, Position, escape_segment};
use crate::model::*;
use crate::schema;
use crate::secret::SecretRef;

/// One problem found in a profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// JSON pointer of the offending value ("" for the document).
    pub pointer: String,
    /// Line and column in the file, when known.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
    /// What would be valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// The schema keyword or semantic rule that produced it.
    pub rule: String,
}

/// Validation switches.
#[derive(Clone, Copy, Debug, Default)]
pub struct ValidationOptions {
    /// Accept `inline` secrets (refused by default: profiles are often committed).
    pub allow_inline_secrets: bool,
}

/// The outcome of validating one document.
#[derive(Clone, Debug)]
pub struct Report {
    /// The profile, when the document has no errors.
    pub profile: Option<EmailProfile>,
    /// Errors and warnings, in document order.
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

fn compiled() -> &'static (Value, jsonschema::Validator) {
    static V: OnceLock<(Value, jsonschema::Validator)> = OnceLock::new();
    V.get_or_init(|| {
        let schema = schema::base_schema();
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            // The schema is generated from our own types; failing here is a build defect that
            // the schema tests catch.
            .expect("the generated profile schema compiles");
        (schema, validator)
    })
}

/// Validate a parsed document: the schema, the host fields and the semantic rules, all in one
/// run. When the schema finds errors, the semantic rules still run on what can be read (the
/// document with its invalid values set aside), so a reference error is not hidden behind a
/// type error elsewhere.
pub fn validate(doc: &Document, options: ValidationOptions) -> Report {
    let (root, validator) = compiled();
    let mut findings = Vec::new();
    for error in validator.iter_errors(&doc.value) {
        findings.extend(schema_finding(root, &doc.value, &error));
    }
    // A host problem is said precisely; the schema's pattern complaint about it is redundant.
    let hosts = host::check_document(&doc.value);
    findings.retain(|f| {
        !(matches!(f.rule.as_str(), "pattern" | "minLength" | "maxLength")
            && hosts.iter().any(|h| h.pointer == f.pointer))
    });
    let schema_clean = findings.is_empty();
    findings.extend(hosts.into_iter().map(|h| Finding {
        severity: Severity::Error,
        pointer: h.pointer,
        position: None,
        message: h.message,
        expected: Some(h.expected),
        rule: "host".into(),
    }));
    let mut profile = None;
    if schema_clean {
        match serde_json::from_value::<EmailProfile>(doc.value.clone()) {
            Ok(p) => {
                findings.extend(semantic_findings(&p, options));
                profile = Some(p);
            }
            Err(e) => findings.push(Finding {
                severity: Severity::Error,
                pointer: String::new(),
                position: None,
                message: format!("the profile does not match the model: {e}"),
                expected: None,
                rule: "model".into(),
            }),
        }
    } else if let Some((readable, set_aside)) = readable_part(root, validator, &doc.value) {
        // A rule about a value that was set aside (or stood in for) would only repeat, or
        // contradict, the schema error there.
        let inside = |pointer: &str, aside: &str| {
            pointer == aside
                || pointer.starts_with(&format!("{aside}/"))
                || aside.starts_with(&format!("{pointer}/"))
        };
        findings.extend(
            semantic_findings(&readable, options)
                .into_iter()
                .filter(|f| !set_aside.iter().any(|a| inside(&f.pointer, a))),
        );
    }
    for f in &mut findings {
        f.position = match f.rule.as_str() {
            "unknownProperty" | "notApplicable" => doc.locations.key(&f.pointer),
            // A missing member: point at the object that lacks it (its key, where there is one).
            "required" => {
                let parent = f.pointer.rsplit_once('/').map_or("", |(head, _)| head);
                doc.locations.key(parent)
            }
            _ => doc.locations.value(&f.pointer),
        };
    }
    findings = merge_same_pointer(findings);
    findings.sort_by(|a, b| {
        (a.position, &a.pointer, &a.message).cmp(&(b.position, &b.pointer, &b.message))
    });
    findings.dedup();
    if findings.iter().any(|f| f.severity == Severity::Error) {
        profile = None;
    }
    Report { profile, findings }
}

/// Marks a value set aside while reading an invalid document; removed before deserializing.
const SET_ASIDE: &str = "\u{0}emailprof:set-aside";

/// The profile an invalid document still describes: values the schema rejects are removed (so
/// their defaults apply) and missing required members are filled from the schema's examples or
/// defaults, until the schema accepts it. Returns it with the pointers that were set aside or
/// filled in; `None` when nothing readable is left (the document is not an object, say).
fn readable_part(
    root: &Value,
    validator: &jsonschema::Validator,
    document: &Value,
) -> Option<(EmailProfile, Vec<String>)> {
    let mut value = document.clone();
    let mut set_aside = Vec::new();
    // Each round removes or fills at least one value; nested problems surface one level at a
    // time, and the model is only a few levels deep.
    for _ in 0..8 {
        let mut remove = Vec::new();
        let mut fill = Vec::new();
        for error in validator.iter_errors(&value) {
            let pointer = error.instance_path().as_str().to_owned();
            match error.kind() {
                ValidationErrorKind::Required { property } => {
                    fill.push((pointer, property.as_str().unwrap_or_default().to_owned()));
                }
                ValidationErrorKind::AdditionalProperties { unexpected }
                | ValidationErrorKind::UnevaluatedProperties { unexpected } => remove.extend(
                    unexpected
                        .iter()
                        .map(|name| format!("{pointer}/{}", escape_segment(name))),
                ),
                _ => remove.push(pointer),
            }
        }
        if remove.is_empty() && fill.is_empty() {
            let clean = serde_json::from_value::<EmailProfile>(value).ok()?;
            return Some((clean, set_aside));
        }
        // A member that is only "unevaluated" because something inside it is invalid is
        // repaired inside, not removed.
        let below = |p: &str, q: &str| q.starts_with(&format!("{p}/"));
        let inner: Vec<String> = remove.clone();
        remove.retain(|p| {
            !inner.iter().any(|q| below(p, q)) && !fill.iter().any(|(q, _)| p == q || below(p, q))
        });
        for pointer in remove {
            if pointer.is_empty() {
                return None;
            }
            if let Some(slot) = value.pointer_mut(&pointer) {
                *slot = Value::String(SET_ASIDE.to_owned());
            }
            set_aside.push(pointer);
        }
        drop_set_aside(&mut value);
        for (pointer, name) in fill {
            let stand_in = schema::schema_at(root, &pointer)
                .and_then(|(s, _)| schema::member(schema::deref(root, s), &name))
                .map_or(Value::Null, |m| stand_in(root, m));
            if let Some(Value::Object(object)) = value.pointer_mut(&pointer) {
                object.insert(name.clone(), stand_in);
            }
            set_aside.push(format!("{pointer}/{}", escape_segment(&name)));
        }
    }
    None
}

fn drop_set_aside(value: &mut Value) {
    let marker = |v: &Value| v.as_str() == Some(SET_ASIDE);
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !marker(v));
            map.values_mut().for_each(drop_set_aside);
        }
        Value::Array(items) => {
            items.retain(|v| !marker(v));
            items.iter_mut().for_each(drop_set_aside);
        }
        _ => {}
    }
}

/// A value the schema accepts for a missing member: its example, default or first choice.
fn stand_in(root: &Value, member: &Value) -> Value {
    let s = schema::deref(root, member);
    let first = |key: &str| s.get(key).and_then(Value::as_array).and_then(|a| a.first());
    if let Some(v) = member.get("default").or(s.get("default")) {
        return v.clone();
    }
    if let Some(v) = first("examples").or(s.get("const")).or(first("enum")) {
        return v.clone();
    }
    if let Some(v) = first("oneOf").and_then(|o| o.get("const")) {
        return v.clone();
    }
    match s.get("type").and_then(Value::as_str) {
        Some("boolean") => Value::Bool(false),
        Some("integer" | "number") => Value::from(0),
        Some("array") => Value::Array(Vec::new()),
        Some("object") => Value::Object(serde_json::Map::new()),
        _ => Value::String("x".into()),
    }
}

/// Several schema complaints about one value become one finding.
fn merge_same_pointer(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        let same = out.iter_mut().find(|o| {
            o.pointer == f.pointer
                && o.severity == f.severity
                && o.rule != "required"
                && f.rule != "required"
                && o.rule != "unknownProperty"
                && f.rule != "unknownProperty"
        });
        match same {
            Some(o) if !o.message.contains(&f.message) => {
                o.message = format!("{}; {}", o.message, f.message);
            }
            Some(_) => {}
            None => out.push(f),
        }
    }
    out
}

fn short_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.chars().count() <= 64 => Some(format!("`{s}`")),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".into()),
        _ => None,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn schema_finding(
    root: &Value,
    instance_root: &Value,
    error: &jsonschema::ValidationError<'_>,
) -> Vec<Finding> {
    let pointer = error.instance_path().as_str().to_owned();
    let instance = instance_root.pointer(&pointer).unwrap_or(&Value::Null);
    let here = schema::schema_at(root, &pointer);
    let expected = here.map(|(s, _)| schema::describe(root, s));
    let finding =
        |message: String, expected: Option<String>, rule: &str, pointer: String| Finding {
            severity: Severity::Error,
            pointer,
            position: None,
            message,
            expected,
            rule: rule.to_owned(),
        };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let object_schema = here.map(|(s, _)| s);
            let def = object_schema.and_then(schema::def_name);
            unexpected
                .iter()
                // A conditional member whose condition holds is only "unevaluated" because its
                // own value is invalid; that error is reported at the member itself.
                .filter(|name| !def.is_some_and(|d| schema::condition_holds(d, name, instance)))
                .map(|name| {
                    let child = format!("{pointer}/{}", escape_segment(name));
                    let cond = def.and_then(|d| schema::condition_of(d, name));
                    match cond {
                        Some(c) => finding(
                            format!("`{name}` is not allowed here: it {c}"),
                            Some(format!("remove `{name}`, or change the setting it depends on")),
                            "notApplicable",
                            child,
                        ),
                        None => finding(
                            format!("unknown setting `{name}`"),
                            object_schema.map(|s| schema::describe(root, s)),
                            "unknownProperty",
                            child,
                        ),
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("?");
            let child = format!("{pointer}/{}", escape_segment(name));
            let member_expected = here
                .and_then(|(s, _)| schema::member(schema::deref(root, s), name))
                .map(|m| schema::describe(root, m));
            let object_schema = here.map(|(s, _)| s);
            let def = object_schema.and_then(schema::def_name);
            let why = def
                .and_then(|d| schema::condition_of(d, name))
                .map(|c| format!(" (needed because {})", c.trim_start_matches("applies only when ")))
                .unwrap_or_default();
            vec![Finding {
                pointer: if pointer.is_empty() && name == "?" { pointer } else { child },
                ..finding(
                    format!("missing required setting `{name}`{why}"),
                    member_expected,
                    "required",
                    String::new(),
                )
            }]
        }
        ValidationErrorKind::Type { .. } => vec![finding(
            format!("wrong type: found {}", type_name(instance)),
            expected,
            "type",
            pointer,
        )],
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::Enum { .. }
        | ValidationErrorKind::Constant { .. } => {
            let shown = short_value(instance).unwrap_or_else(|| type_name(instance).to_owned());
            vec![finding(
                format!("{shown} is not a valid value"),
                expected,
                "enum",
                pointer,
            )]
        }
        ValidationErrorKind::MinItems { limit } => vec![finding(
            format!("needs at least {limit} item(s)"),
            expected,
            "minItems",
            pointer,
        )],
        ValidationErrorKind::UniqueItems => vec![finding(
            "lists an item more than once".into(),
            expected,
            "uniqueItems",
            pointer,
        )],
        ValidationErrorKind::MinLength { limit } => vec![finding(
            format!("is shorter than {limit} character(s)"),
            expected,
            "minLength",
            pointer,
        )],
        ValidationErrorKind::MaxLength { limit } => vec![finding(
            format!("is longer than {limit} characters"),
            expected,
            "maxLength",
            pointer,
        )],
        ValidationErrorKind::Pattern { .. } => vec![finding(
            "does not have the required form".into(),
            expected,
            "pattern",
            pointer,
        )],
        ValidationErrorKind::MinProperties { .. } | ValidationErrorKind::MaxProperties { .. } => {
            vec![finding(
                "must name exactly one source".into(),
                expected,
                "oneSource",
                pointer,
            )]
        }
        ValidationErrorKind::PropertyNames { .. } => vec![finding(
            "has a name that is not allowed".into(),
            Some("names of letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 64 characters".into()),
            "propertyNames",
            pointer,
        )],
        _ => vec![finding(
            error.masked().to_string(),
            expected,
            "schema",
            pointer,
        )],
    }
}

struct Rules<'a> {
    profile: &'a EmailProfile,
    options: ValidationOptions,
    out: Vec<Finding>,
}

impl Rules<'_> {
    fn push(
        &mut self,
        severity: Severity,
        pointer: &str,
        rule: &str,
        message: String,
        expected: Option<String>,
    ) {
        self.out.push(Finding {
            severity,
            pointer: pointer.to_owned(),
            position: None,
            message,
            expected,
            rule: rule.to_owned(),
        });
    }

    fn certificate_ref(&mut self, pointer: &str, name: &str, purpose: &str) {
        let names: Vec<String> = self
            .profile
            .certificates
            .keys()
            .map(|k| format!("`{k}`"))
            .collect();
        match self.profile.certificates.get(name) {
            None => {
                let expected = if names.is_empty() {
                    "the name of an entry under `certificates` (there are none yet)".to_owned()
                } else {
                    format!("one of {}", names.join(", "))
                };
                self.push(
                    Severity::Error,
                    pointer,
                    "certificateExists",
                    format!("certificate `{name}` is not defined under `certificates`"),
                    Some(expected),
                );
            }
            Some(cert) if !cert.kind.is_identity() => self.push(
                Severity::Error,
                pointer,
                "certificateIsIdentity",
                format!("certificate `{name}` is a CA certificate, but {purpose} needs an identity (certificate and private key)"),
                Some("a certificate of kind `pkcs12`, `scep`, `external` or `derivedCredential`".into()),
            ),
            Some(_) => {}
        }
    }

    fn secret(&mut self, pointer: &str, secret: &SecretRef) {
        if secret.inline.is_some() && !self.options.allow_inline_secrets {
            self.push(
                Severity::Error,
                &format!("{pointer}/inline"),
                "inlineSecret",
                "inline secrets are refused: profile files are often committed and shared".into(),
                Some("`env: VARIABLE` or `file: path`, or allow inline secrets explicitly with `--allow-inline-secrets`".into()),
            );
        }
    }
}

/// The rules the schema cannot express.
pub fn semantic_findings(profile: &EmailProfile, options: ValidationOptions) -> Vec<Finding> {
    let mut r = Rules {
        profile,
        options,
        out: Vec::new(),
    };
    let a = &profile.account;
    let auth = &a.authentication;
    if auth.method == AuthenticationMethod::Certificate
        && let Some(name) = &auth.identity_certificate
    {
        r.certificate_ref(
            "/account/authentication/identityCertificate",
            name,
            "certificate authentication",
        );
    }
    if let Some(pw) = &auth.password {
        r.secret("/account/authentication/password", pw);
        if a.oauth.enabled {
            r.push(
                Severity::Warning,
                "/account/authentication/password",
                "oauthNoPassword",
                "a password is set although OAuth is on; devices ignore it (Apple: \"If enabled, don't specify a password\")".into(),
                Some("remove `password` while OAuth is on".into()),
            );
        } else if auth.method != AuthenticationMethod::UsernameAndPassword {
            r.push(
                Severity::Warning,
                "/account/authentication/password",
                "passwordUnused",
                "a password is set but the authentication method does not use one".into(),
                Some("remove `password`, or use the method `usernameAndPassword`".into()),
            );
        }
    }
    let smime = &profile.smime;
    if smime.enabled {
        if smime.signing.certificate_type == CertificateType::Certificate
            && let Some(name) = &smime.signing.certificate
        {
            r.certificate_ref("/smime/signing/certificate", name, "S/MIME signing");
        }
        if smime.encryption.certificate_type == CertificateType::Certificate
            && let Some(name) = &smime.encryption.certificate
        {
            r.certificate_ref("/smime/encryption/certificate", name, "S/MIME encryption");
        }
        if !smime.signing.enabled
            && !smime.encryption.encrypt_by_default
            && !smime.encryption.per_message_switch
        {
            r.push(
                Severity::Warning,
                "/smime/enabled",
                "smimeDoesNothing",
                "S/MIME is on, but neither signing, encryption by default nor the per-message switch is".into(),
                Some("turn on `signing.enabled`, `encryption.encryptByDefault` or `encryption.perMessageSwitch`, or turn S/MIME off".into()),
            );
        }
    }
    let services = &profile.sync.services;
    if services.len() < Service::ALL.len() && profile.sync.user_can_change {
        r.push(
            Severity::Warning,
            "/sync/userCanChange",
            "partialSyncOverride",
            "only some services sync, but users may change the sync settings (and turn the others on)".into(),
            Some("`userCanChange: false` is recommended when only some services sync".into()),
        );
    }
    // Certificates: secrets, and entries nothing uses.
    let used: Vec<&str> = [
        (auth.method == AuthenticationMethod::Certificate)
            .then_some(auth.identity_certificate.as_deref())
            .flatten(),
        (smime.enabled && smime.signing.certificate_type == CertificateType::Certificate)
            .then_some(smime.signing.certificate.as_deref())
            .flatten(),
        (smime.enabled && smime.encryption.certificate_type == CertificateType::Certificate)
            .then_some(smime.encryption.certificate.as_deref())
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(kept) = &profile.platforms.ios.payloads {
        // Apple: a PayloadUUID is unique; a device refuses a profile whose payloads share one.
        let base = "/platforms/ios/payloads";
        let mut seen: Vec<(String, String)> = Vec::new();
        let uuids = kept
            .profile_uuid
            .iter()
            .map(|u| (format!("{base}/profileUuid"), u))
            .chain(
                kept.account
                    .iter()
                    .map(|a| (format!("{base}/account/uuid"), &a.uuid)),
            )
            .chain(kept.certificates.iter().map(|(name, c)| {
                (
                    format!("{base}/certificates/{}/uuid", escape_segment(name)),
                    &c.uuid,
                )
            }));
        for (pointer, uuid) in uuids {
            let upper = uuid.to_ascii_uppercase();
            match seen.iter().find(|(_, u)| *u == upper) {
                Some((first, _)) => r.push(
                    Severity::Error,
                    &pointer,
                    "payloadUuidUnique",
                    format!(
                        "`{uuid}` is also the PayloadUUID at {first}; each payload needs its own"
                    ),
                    Some("a UUID no other payload of the profile has".into()),
                ),
                None => seen.push((pointer, upper)),
            }
        }
        for name in kept.certificates.keys() {
            let pointer = format!(
                "/platforms/ios/payloads/certificates/{}",
                escape_segment(name)
            );
            let has_payload = profile.certificates.get(name).is_some_and(|c| {
                matches!(
                    c.kind,
                    CertificateKind::Pkcs12 | CertificateKind::Scep | CertificateKind::Ca
                )
            });
            if !has_payload {
                r.push(
                    Severity::Error,
                    &pointer,
                    "payloadIdentityCertificate",
                    format!("certificate `{name}` is not a PKCS#12, SCEP or CA entry under `certificates`, so no payload of the profile carries this identity"),
                    Some("the name of a `pkcs12`, `scep` or `ca` entry under `certificates`".into()),
                );
            }
        }
    }
    for (name, cert) in &profile.certificates {
        let base = format!("/certificates/{}", escape_segment(name));
        if let Some(p) = cert.pkcs12.as_ref().and_then(|p| p.passphrase.as_ref()) {
            r.secret(&format!("{base}/pkcs12/passphrase"), p);
        }
        if let Some(c) = cert.scep.as_ref().and_then(|s| s.challenge.as_ref()) {
            r.secret(&format!("{base}/scep/challenge"), c);
        }
        if cert.kind.is_identity() && !used.contains(&name.as_str()) {
            r.push(
                Severity::Warning,
                &base,
                "unusedCertificate",
                format!("certificate `{name}` is not used by authentication or S/MIME; it is still delivered"),
                None,
            );
        }
    }
    r.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Format, parse};

    fn check(yaml: &str) -> Report {
        validate(
            &parse(yaml.as_bytes(), Format::Yaml).unwrap(),
            ValidationOptions::default(),
        )
    }

    const MINIMAL: &str = "displayName: D\nidentifier: com.contoso.mail\naccount:\n  server: mail.contoso.com\n  accountName: Mail\n";

    #[test]
    fn minimal_profile_is_valid() {
        let r = check(MINIMAL);
        assert!(r.findings.is_empty(), "{:#?}", r.findings);
        assert!(r.profile.is_some());
    }

    #[test]
    fn all_errors_are_reported_at_once() {
        let r = check(
            "displayName: ''\nidentifier: nodots\naccount:\n  server: mail.contoso.com\n  accountName: Mail\n  bogus: 1\n",
        );
        let pointers: Vec<_> = r.errors().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/displayName", "/identifier", "/account/bogus"],
            "{:#?}",
            r.findings
        );
        assert_eq!(
            r.findings[2].position,
            Some(Position { line: 6, column: 3 })
        );
    }

    #[test]
    fn kept_payload_identities_are_checked() {
        let ios = |payloads: &str| {
            format!(
                "{MINIMAL}certificates:\n  root:\n    kind: ca\n    ca:\n      file: root.cer\n  other:\n    kind: external\n    external:\n      note: x\nplatforms:\n  ios:\n    payloads:\n{payloads}"
            )
        };
        let good = check(&ios(
            "      profileUuid: b8fd6fd7-a55e-4eb1-96af-d9c4d8562e38\n      account:\n        identifier: com.example.myeaspayload\n        uuid: DE789252-DCF2-42E7-91C8-0AB9F50AAFC5\n      certificates:\n        root:\n          identifier: com.apple.security.root.E3C795F8\n          uuid: E3C795F8-91EE-41DF-8D9C-FFB62CCE59B8\n",
        ));
        assert!(!good.has_errors(), "{:#?}", good.findings);
        let bad = check(&ios(
            "      profileUuid: b8fd6fd7-a55e-4eb1-96af-d9c4d8562e38'\n      account:\n        identifier: 195c2047.Exchange ActiveSync\n        uuid: 26a7aaa7-c5cf-4d36-94d3-731b8b3dXXXX\n      certificates:\n        other:\n          identifier: com.example.other\n          uuid: E3C795F8-91EE-41DF-8D9C-FFB62CCE59B8\n        missing:\n          identifier: com.example.missing\n          uuid: E3C795F8-91EE-41DF-8D9C-FFB62CCE59B8\n",
        ));
        let pointers: Vec<_> = bad.errors().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/platforms/ios/payloads/profileUuid",
                "/platforms/ios/payloads/account/identifier",
                "/platforms/ios/payloads/account/uuid",
                // Every layer at once (issue 15): the reference and uniqueness rules too.
                "/platforms/ios/payloads/certificates/other",
                "/platforms/ios/payloads/certificates/other/uuid",
                "/platforms/ios/payloads/certificates/missing",
            ],
            "{:#?}",
            bad.findings
        );
        // One UUID for two payloads is refused.
        let shared = check(&ios(
            "      profileUuid: E3C795F8-91EE-41DF-8D9C-FFB62CCE59B8\n      certificates:\n        root:\n          identifier: com.example.root\n          uuid: e3c795f8-91ee-41df-8d9c-ffb62cce59b8\n",
        ));
        let pointers: Vec<_> = shared.errors().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/platforms/ios/payloads/certificates/root/uuid"],
            "{:#?}",
            shared.findings
        );
        // Each kept certificate identity must belong to a payload the profile emits (document
        // order).
        let refs = check(&ios(
            "      certificates:\n        other:\n          identifier: com.example.other\n          uuid: E3C795F8-91EE-41DF-8D9C-FFB62CCE59B8\n        missing:\n          identifier: com.example.missing\n          uuid: 0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D\n",
        ));
        let pointers: Vec<_> = refs.errors().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/platforms/ios/payloads/certificates/other",
                "/platforms/ios/payloads/certificates/missing",
            ],
            "{:#?}",
            refs.findings
        );
    }
}
