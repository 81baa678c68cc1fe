//! `.mobileconfig` → emailprof profile.
//!
//! A configuration profile holds resolved per-user values, not the directory sources behind
//! them, and no secret should travel out of it; so the importer infers sources where it can,
//! leaves secrets out, and says so in findings. Every key it meets is either carried over or
//! reported, with its path (`PayloadContent[0].MailNumberOfPastDaysToSync`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use emailprof_core::input::{Document, Format, Locations};
use emailprof_core::model::*;
use emailprof_core::{EmailProfile, Severity, ValidationOptions};
use plist::{Dictionary, Value};

use crate::keys::{self, Key};
use crate::subject;

/// The largest profile accepted; real ones are a few KiB plus certificates.
const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// One thing the importer has to say about a key of the profile.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportFinding {
    pub severity: Severity,
    /// Where in the `.mobileconfig`, e.g. `PayloadContent[0].MailNumberOfPastDaysToSync`.
    pub key_path: String,
    pub message: String,
}

/// The result of an import.
#[derive(Clone, Debug)]
pub struct Imported {
    /// A valid emailprof profile document (JSON).
    pub profile: serde_json::Value,
    /// Everything that was inferred, left out or wrong, in document order.
    pub findings: Vec<ImportFinding>,
    /// Certificate files the profile refers to (`certificates.*.pkcs12.file`, `.ca.file`),
    /// relative to the profile file, with the bytes taken from the `.mobileconfig`. The caller
    /// writes them beside the profile.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Why a `.mobileconfig` could not be imported at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the input is larger than {MAX_INPUT_BYTES} bytes")]
    TooLarge,
    #[error("not a property list or a signed profile: {0}")]
    NotAProfile(String),
    #[error("the signed profile could not be read: {0}")]
    Signature(#[from] emailprof_sign::SignError),
    #[error("the profile is encrypted (IsEncrypted / EncryptedPayloadContent); decrypt it first")]
    Encrypted,
    #[error("{key_path}: {message}")]
    Invalid { key_path: String, message: String },
    #[error("the profile has no com.apple.eas.account (Exchange ActiveSync) payload")]
    NoExchangeAccount,
    /// The profile read is not a valid emailprof profile (a defect of the importer).
    #[error("the imported profile is not valid: {}", .0.join("; "))]
    InvalidProfile(Vec<String>),
}

/// Members the importer writes even at emailprof's default. `ssl`: Apple's default differs
/// (com.apple.eas.account.yaml SSL `default: false`), so the document says what was meant.
/// The S/MIME switches: with S/MIME on, the document says whether signing and encryption by
/// default are on.
const ALWAYS_WRITTEN: &[&str] = &[
    "/account/ssl",
    "/smime/signing/enabled",
    "/smime/encryption/encryptByDefault",
];

/// The smallest profile document (JSON) that means `p`, as [`import_mobileconfig`] writes it:
/// [`emailprof_core::minimal_document`], with SSL and the S/MIME switches always written.
pub fn profile_document(p: &EmailProfile) -> serde_json::Value {
    emailprof_core::minimal_document(p, ALWAYS_WRITTEN)
}

/// Read a `.mobileconfig`: XML or binary plist, or either inside CMS SignedData (DER or BER).
pub fn import_mobileconfig(bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let mut findings = Vec::new();
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let trimmed = &bytes[start..];
    let is_plist = trimmed.starts_with(b"<?xml")
        || trimmed.starts_with(b"<plist")
        || trimmed.starts_with(b"<!DOCTYPE")
        || trimmed.starts_with(b"bplist")
        || trimmed.starts_with(b"\xef\xbb\xbf<");
    let content;
    let plist_bytes = if is_plist {
        bytes
    } else {
        content = emailprof_sign::signed_content(bytes)?;
        findings.push(ImportFinding {
            severity: Severity::Info,
            key_path: String::new(),
            message:
                "the profile is CMS-signed; its content was read, the signature was not verified"
                    .into(),
        });
        &content
    };
    let value = Value::from_reader(Cursor::new(plist_bytes))
        .map_err(|e| ImportError::NotAProfile(e.to_string()))?;
    let Value::Dictionary(top) = value else {
        return Err(ImportError::NotAProfile(
            "the top-level object is not a dictionary".into(),
        ));
    };
    let mut r = Reader {
        findings,
        files: BTreeMap::new(),
        user: (None, None),
    };
    let profile = r.profile(&top)?;
    let doc = profile_document(&profile);
    let report = emailprof_core::validate(
        &Document {
            format: Format::Json,
            value: doc.clone(),
            locations: Locations::default(),
        },
        ValidationOptions::default(),
    );
    if report.has_errors() {
        return Err(ImportError::InvalidProfile(
            report
                .errors()
                .map(|f| format!("{}: {}", f.pointer, f.message))
                .collect(),
        ));
    }
    Ok(Imported {
        profile: doc,
        findings: r.findings,
        files: r.files,
    })
}

fn type_name(v: &Value) -> &'static str {
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

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A payload dictionary being read: which keys were looked at, for the unknown-key report.
struct Payload<'a> {
    dict: &'a Dictionary,
    path: String,
    seen: BTreeSet<&'static str>,
}

impl<'a> Payload<'a> {
    fn new(dict: &'a Dictionary, path: String) -> Self {
        Payload {
            dict,
            path,
            seen: BTreeSet::new(),
        }
    }

    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }
}

struct Reader {
    findings: Vec<ImportFinding>,
    files: BTreeMap<String, Vec<u8>>,
    /// The account's `UserName` and `EmailAddress`, to turn back into placeholders.
    user: (Option<String>, Option<String>),
}

/// What the certificate payloads of the profile became.
#[derive(Default)]
struct Certs {
    /// By upper-case `PayloadUUID`: certificate name.
    by_uuid: BTreeMap<String, String>,
    entries: BTreeMap<String, Certificate>,
    /// SCEP subjects by certificate name, formatted once the user's values are known.
    subjects: BTreeMap<String, Vec<subject::Rdn>>,
}

impl Certs {
    fn unique_name(&self, wanted: &str) -> String {
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

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn valid_identifier(s: &str) -> bool {
    (3..=255).contains(&s.len())
        && s.split('.').count() >= 2
        && s.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn valid_domain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

fn valid_host(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    valid_domain(host)
        && port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

fn https_url(s: &str) -> bool {
    s.len() <= 2048
        && s.starts_with("https://")
        && s.len() > 8
        && !s.chars().any(char::is_whitespace)
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

impl Reader {
    /// Keep `data` as `certs/<wanted>`, or under a name of its own when another certificate
    /// already has that file name.
    fn add_file(&mut self, wanted: &str, name: &str, data: &[u8]) -> String {
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

    fn push(&mut self, severity: Severity, key_path: String, message: impl Into<String>) {
        self.findings.push(ImportFinding {
            severity,
            key_path,
            message: message.into(),
        });
    }

    /// The value of `key` if it has type `want` (checked by `pick`); a wrong type is an error
    /// finding and the value is ignored.
    fn typed<'v, T>(
        &mut self,
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
                    Severity::Error,
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

    fn bool(&mut self, p: &mut Payload<'_>, key: &'static str) -> Option<bool> {
        self.typed(p, key, "a boolean", Value::as_boolean)
    }

    fn string<'v>(&mut self, p: &mut Payload<'v>, key: &'static str) -> Option<&'v str> {
        self.typed(p, key, "a string", Value::as_string)
    }

    fn int(&mut self, p: &mut Payload<'_>, key: &'static str) -> Option<i64> {
        self.typed(p, key, "an integer", Value::as_signed_integer)
    }

    fn data<'v>(&mut self, p: &mut Payload<'v>, key: &'static str) -> Option<&'v [u8]> {
        self.typed(p, key, "data", Value::as_data)
    }

    fn key_bool(&mut self, p: &mut Payload<'_>, key: Key) -> Option<bool> {
        self.bool(p, key.name)
    }

    /// Report keys of `p` nobody looked at: `unmodelled` ones as not carried over, the rest as
    /// unknown.
    fn rest(&mut self, p: &Payload<'_>, unmodelled: &[&str], payload: &str) {
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

    fn profile(&mut self, top: &Dictionary) -> Result<EmailProfile, ImportError> {
        let mut t = Payload::new(top, String::new());
        if self.bool(&mut t, "IsEncrypted") == Some(true)
            || top.contains_key("EncryptedPayloadContent")
        {
            return Err(ImportError::Encrypted);
        }
        t.seen.insert("EncryptedPayloadContent");
        match self.string(&mut t, "PayloadType") {
            Some("Configuration") => {}
            Some(other) => {
                return Err(ImportError::Invalid {
                    key_path: "PayloadType".into(),
                    message: format!("`{other}` is not `Configuration` (TopLevel.yaml rangelist)"),
                });
            }
            None => self.push(
                Severity::Warning,
                "PayloadType".into(),
                "missing; TopLevel.yaml requires `Configuration`",
            ),
        }
        if let Some(v) = self.int(&mut t, "PayloadVersion")
            && v != 1
        {
            self.push(
                Severity::Warning,
                "PayloadVersion".into(),
                format!("{v} is outside the rangelist [1] of TopLevel.yaml"),
            );
        }
        self.string(&mut t, "PayloadUUID");
        let identifier = self.string(&mut t, "PayloadIdentifier").map(str::to_owned);
        let display = self.string(&mut t, "PayloadDisplayName").map(str::to_owned);
        let organization = self
            .string(&mut t, "PayloadOrganization")
            .map(str::to_owned);
        let description = self.string(&mut t, "PayloadDescription").map(str::to_owned);
        let content = self
            .typed(&mut t, "PayloadContent", "an array", Value::as_array)
            .ok_or_else(|| ImportError::Invalid {
                key_path: "PayloadContent".into(),
                message: "the profile has no payload array".into(),
            })?;
        self.rest(&t, &keys::TOP_LEVEL_UNMODELLED, "the top level");

        let Some(identifier) = identifier else {
            return Err(ImportError::Invalid {
                key_path: "PayloadIdentifier".into(),
                message: "missing; TopLevel.yaml requires it".into(),
            });
        };
        let identifier = if valid_identifier(&identifier) {
            identifier
        } else {
            let fixed: String = identifier
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
            let fixed = clip(&fixed, 255);
            self.push(
                Severity::Warning,
                "PayloadIdentifier".into(),
                format!("`{identifier}` is not a reverse-DNS identifier; it became `{fixed}` (a different identifier installs as a second profile)"),
            );
            fixed
        };

        // Certificates first, so that the account's references can be resolved.
        let mut certs = Certs::default();
        let mut eas = None;
        for (i, item) in content.iter().enumerate() {
            let path = format!("PayloadContent[{i}]");
            let Value::Dictionary(d) = item else {
                self.push(
                    Severity::Error,
                    path,
                    format!("expected a dictionary, found {}", type_name(item)),
                );
                continue;
            };
            match d.get("PayloadType").and_then(Value::as_string) {
                Some(keys::EAS_PAYLOAD_TYPE) => {
                    if eas.is_none() {
                        eas = Some((path, d));
                    } else {
                        self.push(
                            Severity::Warning,
                            path,
                            "a second Exchange ActiveSync payload; only the first is imported",
                        );
                    }
                }
                Some(
                    ty @ (keys::PKCS12_PAYLOAD_TYPE
                    | keys::ROOT_PAYLOAD_TYPE
                    | keys::PKCS1_PAYLOAD_TYPE
                    | keys::PEM_PAYLOAD_TYPE
                    | keys::SCEP_PAYLOAD_TYPE),
                ) => self.certificate(d, path, ty, &identifier, &mut certs),
                Some(other) => self.push(
                    Severity::Warning,
                    join(&path, "PayloadType"),
                    format!("`{other}` payloads are not part of an email profile; not imported"),
                ),
                None => self.push(
                    Severity::Error,
                    join(&path, "PayloadType"),
                    "missing; the payload is ignored",
                ),
            }
        }
        let (path, eas) = eas.ok_or(ImportError::NoExchangeAccount)?;
        let display_name = match display {
            Some(d) if !d.is_empty() => clip(&d, 256),
            _ => {
                self.push(
                    Severity::Warning,
                    "PayloadDisplayName".into(),
                    "missing; the identifier is used as display name",
                );
                clip(&identifier, 256)
            }
        };
        let mut profile = self.eas(eas, path, &display_name, &mut certs)?;
        self.finish_subjects(&mut certs);
        profile.display_name = display_name;
        profile.identifier = identifier;
        profile.organization = organization
            .filter(|o| !o.is_empty())
            .map(|o| clip(&o, 256));
        profile.description = description.map(|d| clip(&d, 4096));
        profile.certificates = certs.entries;
        Ok(profile)
    }

    fn certificate(
        &mut self,
        d: &Dictionary,
        path: String,
        ty: &str,
        top_id: &str,
        certs: &mut Certs,
    ) {
        let mut p = Payload::new(d, path);
        p.seen.insert("PayloadType");
        if let Some(v) = self.int(&mut p, "PayloadVersion")
            && v != 1
        {
            let at = p.at("PayloadVersion");
            self.push(
                Severity::Warning,
                at,
                format!("{v} is outside the rangelist [1] of CommonPayloadKeys.yaml"),
            );
        }
        let uuid = self
            .string(&mut p, "PayloadUUID")
            .map(str::to_ascii_uppercase);
        let pid = self
            .string(&mut p, "PayloadIdentifier")
            .unwrap_or_default()
            .to_owned();
        let display = self.string(&mut p, "PayloadDisplayName").map(str::to_owned);
        self.string(&mut p, "PayloadDescription");
        self.string(&mut p, "PayloadOrganization");
        let prefix = format!("{top_id}.cert.");
        let wanted = match pid.strip_prefix(&prefix) {
            Some(n) if !n.is_empty() => n.to_owned(),
            _ => display
                .clone()
                .or_else(|| pid.rsplit('.').next().map(str::to_owned))
                .unwrap_or_default(),
        };
        let name = certs.unique_name(&wanted);
        let display_name = display
            .filter(|d| *d != name && !d.is_empty())
            .map(|d| clip(&d, 256));
        let file_name = self
            .string(&mut p, "PayloadCertificateFileName")
            .map(str::to_owned)
            .filter(|f| {
                !f.is_empty()
                    && f.len() <= 200
                    && !f.contains(['/', '\\'])
                    && !f.starts_with('.')
                    && f.chars().all(|c| !c.is_control())
            });
        let cert = if ty == keys::SCEP_PAYLOAD_TYPE {
            let scep = self.scep(&mut p);
            scep.map(|(scep, rdns)| {
                if let Some(rdns) = rdns {
                    certs.subjects.insert(name.clone(), rdns);
                }
                Certificate {
                    kind: CertificateKind::Scep,
                    display_name,
                    graph_id: None,
                    pkcs12: None,
                    scep: Some(scep),
                    ca: None,
                    external: None,
                }
            })
        } else {
            let data = self.data(&mut p, "PayloadContent");
            if data.is_none() && !d.contains_key("PayloadContent") {
                let at = p.at("PayloadContent");
                self.push(
                    Severity::Error,
                    at,
                    "missing; the certificate payload is ignored",
                );
            }
            data.map(|data| {
                let (ext, kind) = match ty {
                    keys::PKCS12_PAYLOAD_TYPE => ("p12", CertificateKind::Pkcs12),
                    keys::PEM_PAYLOAD_TYPE => ("pem", CertificateKind::Ca),
                    _ => ("cer", CertificateKind::Ca),
                };
                let wanted = file_name.clone().unwrap_or_else(|| format!("{name}.{ext}"));
                let file = self.add_file(&wanted, &name, data);
                let mut c = Certificate {
                    kind,
                    display_name,
                    graph_id: None,
                    pkcs12: None,
                    scep: None,
                    ca: None,
                    external: None,
                };
                if kind == CertificateKind::Pkcs12 {
                    c.pkcs12 = Some(Pkcs12 {
                        file,
                        passphrase: None,
                    });
                } else {
                    c.ca = Some(CaCertificate { file });
                }
                c
            })
        };
        if ty == keys::PKCS12_PAYLOAD_TYPE && p.dict.contains_key("Password") {
            p.seen.insert("Password");
            let at = p.at("Password");
            self.push(Severity::Warning, at, "the PKCS#12 passphrase is not imported (secrets stay out of profile files); set `pkcs12.passphrase` to an `env` or `file` source");
        }
        let unmodelled: &[&str] = if ty == keys::PKCS12_PAYLOAD_TYPE {
            &["AllowAllAppsAccess", "KeyIsExtractable"]
        } else {
            &[]
        };
        self.rest(&p, unmodelled, ty);
        if let Some(cert) = cert {
            if let Some(uuid) = uuid {
                certs.by_uuid.insert(uuid, name.clone());
            }
            certs.entries.insert(name, cert);
        }
    }

    fn scep(&mut self, p: &mut Payload<'_>) -> Option<(Scep, Option<Vec<subject::Rdn>>)> {
        let Some(c) = self.typed(p, "PayloadContent", "a dictionary", Value::as_dictionary) else {
            if !p.dict.contains_key("PayloadContent") {
                let at = p.at("PayloadContent");
                self.push(Severity::Error, at, "missing; the SCEP payload is ignored");
            }
            return None;
        };
        let mut s = Payload::new(c, p.at("PayloadContent"));
        let url = self.string(&mut s, "URL").map(str::to_owned);
        let name = self
            .string(&mut s, "Name")
            .filter(|n| !n.is_empty())
            .map(|n| clip(n, 256));
        let subject = s
            .dict
            .get("Subject")
            .and_then(|v| self.subject(v, &s.at("Subject")));
        s.seen.insert("Subject");
        if s.dict.contains_key("Challenge") {
            s.seen.insert("Challenge");
            let at = s.at("Challenge");
            self.push(Severity::Warning, at, "the SCEP challenge is not imported (secrets stay out of profile files); set `scep.challenge` to an `env` or `file` source");
        }
        let key_size = match self.int(&mut s, "Keysize") {
            Some(1024) | None => {
                if !s.dict.contains_key("Keysize") {
                    let at = s.at("Keysize");
                    self.push(Severity::Info, at, "absent: the device uses 1024 bits (com.apple.security.scep.yaml default), imported as such");
                }
                KeySize::Bits1024
            }
            Some(2048) => KeySize::Bits2048,
            Some(4096) => KeySize::Bits4096,
            Some(other) => {
                let at = s.at("Keysize");
                self.push(
                    Severity::Error,
                    at,
                    format!(
                        "{other} is outside the rangelist {:?}; 2048 is used",
                        keys::SCEP_KEY_SIZES
                    ),
                );
                KeySize::Bits2048
            }
        };
        if let Some(kt) = self.string(&mut s, "Key Type")
            && kt != "RSA"
        {
            let at = s.at("Key Type");
            self.push(
                Severity::Error,
                at,
                format!("`{kt}` is not `RSA`, the only key type of SCEP payloads; RSA is used"),
            );
        }
        let key_usage = match self.int(&mut s, "Key Usage") {
            Some(1) => KeyUsage::Signing,
            Some(4) => KeyUsage::Encryption,
            Some(5) => KeyUsage::SigningAndEncryption,
            Some(0) | None => KeyUsage::SigningAndEncryption,
            Some(other) => {
                let at = s.at("Key Usage");
                self.push(Severity::Error, at, format!("{other} is not a combination of 1 (signing) and 4 (encryption); signing and encryption is used"));
                KeyUsage::SigningAndEncryption
            }
        };
        let ca_fingerprint = self.data(&mut s, "CAFingerprint").and_then(|fp| {
            if fp.len() == 20 || fp.len() == 32 {
                Some(fp.iter().map(|b| format!("{b:02X}")).collect::<String>())
            } else {
                None
            }
        });
        if s.dict.contains_key("CAFingerprint") && ca_fingerprint.is_none() {
            let at = s.at("CAFingerprint");
            self.push(
                Severity::Warning,
                at,
                "only SHA-1 (20 bytes) and SHA-256 (32 bytes) fingerprints are carried over",
            );
        }
        let mut subject_alt_name_email = false;
        if let Some(san) = self.typed(
            &mut s,
            "SubjectAltName",
            "a dictionary",
            Value::as_dictionary,
        ) {
            let mut a = Payload::new(san, s.at("SubjectAltName"));
            if a.dict.contains_key("rfc822Name") {
                a.seen.insert("rfc822Name");
                subject_alt_name_email = true;
                let at = a.at("rfc822Name");
                self.push(
                    Severity::Info,
                    at,
                    "imported as `subjectAltNameEmail: true`: the user's email address",
                );
            }
            self.rest(
                &a,
                &["dNSName", "uniformResourceIdentifier", "ntPrincipalName"],
                "SubjectAltName",
            );
        }
        self.rest(
            &s,
            &[
                "Retries",
                "RetryDelay",
                "KeyIsExtractable",
                "AllowAllAppsAccess",
            ],
            "a SCEP request",
        );
        let Some(url) = url else {
            let at = s.at("URL");
            self.push(
                Severity::Error,
                at,
                "missing (com.apple.security.scep.yaml: required); the SCEP payload is ignored",
            );
            return None;
        };
        let url_ok = (url.starts_with("http://") || url.starts_with("https://"))
            && url.len() <= 2048
            && !url.chars().any(char::is_whitespace)
            && url
                .split_once("://")
                .is_some_and(|(_, rest)| !rest.is_empty());
        if !url_ok {
            let at = s.at("URL");
            self.push(
                Severity::Error,
                at,
                "not an http(s) URL; the SCEP payload is ignored",
            );
            return None;
        }
        let scep = Scep {
            url,
            name,
            subject: None,
            subject_alt_name_email,
            challenge: None,
            key_size,
            key_usage,
            ca_fingerprint,
        };
        Some((scep, subject))
    }

    /// Apple's `[[[type, value], ...], ...]`.
    fn subject(&mut self, v: &Value, at: &str) -> Option<Vec<subject::Rdn>> {
        let bad = |r: &mut Self, msg: &str| {
            r.push(
                Severity::Error,
                at.to_owned(),
                format!("{msg}; the subject is not imported"),
            );
            None
        };
        let Some(rdns) = v.as_array() else {
            return bad(self, &format!("expected an array, found {}", type_name(v)));
        };
        let mut out: Vec<subject::Rdn> = Vec::new();
        for rdn in rdns {
            let Some(pairs) = rdn.as_array() else {
                return bad(self, "an RDN is not an array");
            };
            let mut r = Vec::new();
            for pair in pairs {
                match pair.as_array().map(|p| p.as_slice()) {
                    Some([Value::String(t), Value::String(v)])
                        if !t.is_empty() && !v.is_empty() =>
                    {
                        r.push((t.clone(), v.clone()))
                    }
                    _ => return bad(self, "a pair is not [type, value] of two strings"),
                }
            }
            if r.is_empty() {
                return bad(self, "an RDN is empty");
            }
            out.push(r);
        }
        if out.is_empty() {
            return None;
        }
        Some(out)
    }

    /// Format the SCEP subjects, with the account's own values turned back into the
    /// `{{username}}` and `{{emailAddress}}` placeholders.
    fn finish_subjects(&mut self, certs: &mut Certs) {
        let (user, email) = self.user.clone();
        for (name, mut rdns) in std::mem::take(&mut certs.subjects) {
            let at = format!("certificates.{name}.scep.subject");
            let mut replaced = false;
            for (_, value) in rdns.iter_mut().flatten() {
                let mut v = value.clone();
                if let Some(e) = email.as_deref().filter(|e| e.len() >= 3) {
                    v = v.replace(e, "{{emailAddress}}");
                }
                if let Some(u) = user.as_deref().filter(|u| u.len() >= 2) {
                    v = v.replace(u, "{{username}}");
                }
                replaced |= v != *value;
                *value = v;
            }
            let text = subject::format(&rdns);
            if text.chars().count() > 1024 {
                self.push(
                    Severity::Error,
                    at,
                    "the SCEP subject is longer than 1024 characters; not imported",
                );
                continue;
            }
            if replaced {
                self.push(Severity::Info, at, "the account's user name and email address in the subject became the `{{username}}` and `{{emailAddress}}` placeholders");
            }
            if let Some(scep) = certs.entries.get_mut(&name).and_then(|c| c.scep.as_mut()) {
                scep.subject = Some(text);
            }
        }
    }

    fn eas(
        &mut self,
        d: &Dictionary,
        path: String,
        top_display: &str,
        certs: &mut Certs,
    ) -> Result<EmailProfile, ImportError> {
        let mut p = Payload::new(d, path);
        for k in keys::COMMON_KEYS {
            p.seen.insert(k);
        }
        let account_name = match self.string(&mut p, "PayloadDisplayName") {
            Some(n) if !n.is_empty() => clip(n, 256),
            _ => {
                let at = p.at("PayloadDisplayName");
                self.push(
                    Severity::Info,
                    at,
                    "missing; the profile's display name is used as account name",
                );
                clip(top_display, 256)
            }
        };
        let host = self.string(&mut p, keys::HOST.name).map(str::to_owned);
        let server = match host {
            Some(h) if valid_host(&h) => h,
            Some(h) => {
                return Err(ImportError::Invalid {
                    key_path: p.at("Host"),
                    message: format!(
                        "`{h}` is not a host name (emailprof needs a host name, optionally with a port)"
                    ),
                });
            }
            None => {
                return Err(ImportError::Invalid {
                    key_path: p.at("Host"),
                    message: "missing; emailprof needs the Exchange server's host name".into(),
                });
            }
        };
        let ssl = match self.key_bool(&mut p, keys::SSL) {
            Some(v) => v,
            None => {
                let at = p.at("SSL");
                self.push(Severity::Warning, at, "absent: SSL is off (com.apple.eas.account.yaml default false); check that this is meant");
                false
            }
        };

        let user_name = self.string(&mut p, keys::USER_NAME.name).map(str::to_owned);
        let email = self
            .string(&mut p, keys::EMAIL_ADDRESS.name)
            .map(str::to_owned);
        self.user = (user_name.clone(), email.clone());
        let username = self.username(user_name.as_deref(), &p.at("UserName"));
        let email_at = p.at("EmailAddress");
        match &email {
            Some(e) => self.push(Severity::Info, email_at, format!("`{e}` is a per-user value; the email address source is taken as the user principal name (it may be the primary SMTP address)")),
            None => self.push(Severity::Info, email_at, "absent (the device asks for it); the email address source is taken as the user principal name"),
        }

        // OAuth.
        let oauth_on = self.key_bool(&mut p, keys::OAUTH).unwrap_or(false);
        let mut oauth = OAuth {
            enabled: oauth_on,
            ..OAuth::default()
        };
        for (key, slot) in [
            (keys::OAUTH_SIGN_IN_URL, &mut oauth.sign_in_url),
            (keys::OAUTH_TOKEN_REQUEST_URL, &mut oauth.token_request_url),
        ] {
            if let Some(url) = self.string(&mut p, key.name) {
                let at = p.at(key.name);
                if !oauth_on {
                    self.push(
                        Severity::Warning,
                        at,
                        "ignored by iOS unless OAuth is true; not imported",
                    );
                } else if https_url(url) {
                    *slot = Some(url.to_owned());
                } else {
                    self.push(Severity::Error, at, "not an https URL; not imported");
                }
            }
        }

        // Authentication.
        let mut authentication = Authentication::default();
        if let Some(uuid) = self.string(&mut p, keys::PAYLOAD_CERTIFICATE_UUID.name) {
            let at = p.at(keys::PAYLOAD_CERTIFICATE_UUID.name);
            if let Some(name) = self.reference(uuid, &at, certs) {
                authentication.method = AuthenticationMethod::Certificate;
                authentication.identity_certificate = Some(name);
            }
        }
        let inline = self.data(&mut p, keys::CERTIFICATE.name);
        let inline_name = self.string(&mut p, keys::CERTIFICATE_NAME.name);
        if let Some(data) = inline {
            let at = p.at(keys::CERTIFICATE.name);
            if authentication.method == AuthenticationMethod::Certificate {
                self.push(
                    Severity::Warning,
                    at,
                    "ignored: PayloadCertificateUUID is present (com.apple.eas.account.yaml)",
                );
            } else {
                let name = certs.unique_name(inline_name.unwrap_or("identity"));
                let file = self.add_file(&format!("{name}.p12"), &name, data);
                certs.entries.insert(
                    name.clone(),
                    Certificate {
                        kind: CertificateKind::Pkcs12,
                        display_name: inline_name
                            .filter(|n| *n != name && !n.is_empty())
                            .map(|n| clip(n, 256)),
                        graph_id: None,
                        pkcs12: Some(Pkcs12 {
                            file,
                            passphrase: None,
                        }),
                        scep: None,
                        ca: None,
                        external: None,
                    },
                );
                self.push(Severity::Info, at, format!("the embedded identity became certificate `{name}` (a separate PKCS#12 payload when emitted)"));
                authentication.method = AuthenticationMethod::Certificate;
                authentication.identity_certificate = Some(name);
            }
        }
        for secret in [keys::PASSWORD, keys::CERTIFICATE_PASSWORD] {
            if p.dict.contains_key(secret.name) {
                p.seen.insert(secret.name);
                let at = p.at(secret.name);
                self.push(Severity::Warning, at, "secrets are not imported into profile files; set `account.authentication.password` (or the certificate's passphrase) to an `env` or `file` source");
            }
        }

        // Services (iOS 13+).
        let mut services = Vec::new();
        let mut overrides = Vec::new();
        for (service, enable, overridable) in keys::SERVICES {
            if self.key_bool(&mut p, enable).unwrap_or(true) {
                services.push(service);
            }
            overrides.push((
                overridable.name,
                self.key_bool(&mut p, overridable).unwrap_or(true),
            ));
        }
        if services.is_empty() {
            let at = p.at("EnableMail");
            self.push(Severity::Error, at, "every service is off, but at least one of EnableMail, EnableContacts, EnableCalendars, EnableReminders and EnableNotes must be true; all are imported as on");
            services = Service::all();
        }
        let user_can_change = overrides.iter().all(|(_, v)| *v);
        if !user_can_change && overrides.iter().any(|(_, v)| *v) {
            let allowed: Vec<&str> = overrides
                .iter()
                .filter(|(_, v)| *v)
                .map(|(k, _)| *k)
                .collect();
            let at = p.path.clone();
            self.push(Severity::Warning, at, format!("the per-service override flags differ ({} allow changes); emailprof has one setting for all services, imported as No", allowed.join(", ")));
        }
        let email_sync_duration = match self
            .int(&mut p, keys::MAIL_NUMBER_OF_PAST_DAYS_TO_SYNC.name)
        {
            None => EmailSyncDuration::NotConfigured,
            Some(0) => EmailSyncDuration::Unlimited,
            Some(1) => EmailSyncDuration::OneDay,
            Some(3) => EmailSyncDuration::ThreeDays,
            Some(7) => EmailSyncDuration::OneWeek,
            Some(14) => EmailSyncDuration::TwoWeeks,
            Some(31) => EmailSyncDuration::OneMonth,
            Some(other) => {
                let at = p.at(keys::MAIL_NUMBER_OF_PAST_DAYS_TO_SYNC.name);
                self.push(Severity::Error, at, format!("{other} is outside the rangelist {:?} of com.apple.eas.account.yaml; not imported", keys::PAST_DAYS_RANGE));
                EmailSyncDuration::NotConfigured
            }
        };
        let mail = Mail {
            allow_move: !self.key_bool(&mut p, keys::PREVENT_MOVE).unwrap_or(false),
            allow_third_party_send: !self
                .key_bool(&mut p, keys::PREVENT_APP_SHEET)
                .unwrap_or(false),
            sync_recent_addresses: !self
                .key_bool(&mut p, keys::DISABLE_MAIL_RECENTS_SYNCING)
                .unwrap_or(false),
        };
        let mut ios = IosSettings {
            allow_mail_drop: self
                .key_bool(&mut p, keys::ALLOW_MAIL_DROP)
                .unwrap_or(false),
            ..IosSettings::default()
        };
        if let Some(vpn) = self.string(&mut p, keys::VPN_UUID.name) {
            if is_uuid(vpn) {
                ios.per_account_vpn_uuid = Some(vpn.to_owned());
            } else {
                let at = p.at(keys::VPN_UUID.name);
                self.push(Severity::Error, at, "not a UUID; not imported");
            }
        }
        let smime = self.smime(&mut p, certs);

        // What is left are ADM keys without an emailprof setting (HeaderMagic,
        // CommunicationServiceRules, OverridePreviousPassword, ...) and unknown keys.
        let known: Vec<&str> = keys::EAS_KEYS.iter().map(|k| k.name).collect();
        self.rest(&p, &known, keys::EAS_PAYLOAD_TYPE);

        Ok(EmailProfile {
            schema: None,
            display_name: String::new(),
            identifier: String::new(),
            organization: None,
            description: None,
            account: Account {
                server,
                account_name,
                username,
                email_address_source: EmailAddressSource::UserPrincipalName,
                authentication,
                ssl,
                oauth,
            },
            sync: Sync {
                services,
                user_can_change,
                email_sync_duration,
            },
            smime,
            mail,
            certificates: BTreeMap::new(),
            platforms: Platforms {
                ios,
                ..Platforms::default()
            },
        })
    }

    /// The user name source a resolved `UserName` suggests.
    fn username(&mut self, value: Option<&str>, at: &str) -> Username {
        let Some(v) = value else {
            self.push(Severity::Info, at.to_owned(), "absent (the device asks for it); the user name source is taken as the user principal name");
            return Username::default();
        };
        if let Some((domain, account)) = v.split_once('\\')
            && valid_domain(domain)
            && !account.is_empty()
        {
            self.push(Severity::Info, at.to_owned(), format!("`{v}` has the form DOMAIN\\user: imported as the sAM account name with the custom domain `{domain}` (use `domain.source: directory` if the domain comes from the directory)"));
            return Username {
                source: UsernameSource::SamAccountName,
                domain: Some(UserDomain {
                    source: DomainSource::Custom,
                    attribute: None,
                    name: Some(domain.to_owned()),
                }),
            };
        }
        self.push(Severity::Info, at.to_owned(), format!("`{v}` is a per-user value; the user name source is taken as the user principal name (it may be the primary SMTP address)"));
        Username::default()
    }

    /// The certificate a `PayloadUUID` reference names: a payload of this profile, or else
    /// one delivered by another profile.
    fn reference(&mut self, uuid: &str, at: &str, certs: &mut Certs) -> Option<String> {
        if !is_uuid(uuid) {
            self.push(
                Severity::Error,
                at.to_owned(),
                format!("`{uuid}` is not a UUID; the reference is not imported"),
            );
            return None;
        }
        let upper = uuid.to_ascii_uppercase();
        if let Some(name) = certs.by_uuid.get(&upper) {
            let kind = certs.entries.get(name).map(|c| c.kind);
            if kind == Some(CertificateKind::Ca) {
                self.push(Severity::Error, at.to_owned(), format!("refers to `{name}`, a CA certificate without private key, but an identity is needed; the reference is not imported"));
                return None;
            }
            return Some(name.clone());
        }
        let name = format!("external-{}", upper[..8].to_ascii_lowercase());
        if !certs.entries.contains_key(&name) {
            certs.entries.insert(
                name.clone(),
                Certificate {
                    kind: CertificateKind::External,
                    display_name: None,
                    graph_id: None,
                    pkcs12: None,
                    scep: None,
                    ca: None,
                    external: Some(ExternalCertificate {
                        payload_uuid: Some(upper.clone()),
                        android_alias: None,
                        note: None,
                    }),
                },
            );
            certs.by_uuid.insert(upper, name.clone());
            self.push(Severity::Info, at.to_owned(), format!("the certificate payload {uuid} is not in this profile; imported as certificate `{name}` delivered by another profile"));
        }
        Some(name)
    }

    fn smime(&mut self, p: &mut Payload<'_>, certs: &mut Certs) -> Smime {
        let legacy = self.key_bool(p, keys::SMIME_ENABLED).unwrap_or(false);
        let signing_on = self
            .key_bool(p, keys::SMIME_SIGNING_ENABLED)
            .unwrap_or(false);
        let signing_override = self
            .key_bool(p, keys::SMIME_SIGNING_USER_OVERRIDEABLE)
            .unwrap_or(false);
        let signing_cert_override = self
            .key_bool(p, keys::SMIME_SIGNING_CERTIFICATE_UUID_USER_OVERRIDEABLE)
            .unwrap_or(false);
        // The successor wins over its deprecated predecessor when both are present.
        let enc_new = self.key_bool(p, keys::SMIME_ENCRYPT_BY_DEFAULT);
        let enc_old = self.key_bool(p, keys::SMIME_ENCRYPTION_ENABLED);
        let encrypt_by_default = enc_new.or(enc_old).unwrap_or(false);
        let enc_override = self
            .key_bool(p, keys::SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDEABLE)
            .unwrap_or(false);
        let switch_new = self.key_bool(p, keys::SMIME_ENABLE_ENCRYPTION_PER_MESSAGE_SWITCH);
        let switch_old = self.key_bool(p, keys::SMIME_ENABLE_PER_MESSAGE_SWITCH);
        let per_message_switch = switch_new.or(switch_old).unwrap_or(false);
        let enc_cert_override = self
            .key_bool(p, keys::SMIME_ENCRYPTION_CERTIFICATE_UUID_USER_OVERRIDEABLE)
            .unwrap_or(false);
        let mut refs = [None, None];
        for (slot, key) in refs.iter_mut().zip([
            keys::SMIME_SIGNING_CERTIFICATE_UUID,
            keys::SMIME_ENCRYPTION_CERTIFICATE_UUID,
        ]) {
            if let Some(uuid) = self.string(p, key.name) {
                let at = p.at(key.name);
                *slot = self.reference(uuid, &at, certs);
            }
        }
        let [signing_cert, encryption_cert] = refs;
        let enabled = legacy
            || signing_on
            || encrypt_by_default
            || per_message_switch
            || signing_cert.is_some()
            || encryption_cert.is_some()
            || signing_override
            || signing_cert_override
            || enc_override
            || enc_cert_override;
        if !enabled {
            return Smime::default();
        }
        let signing = if signing_on {
            SmimeSigning {
                enabled: true,
                user_can_change: signing_override,
                certificate_type: if signing_cert.is_some() {
                    CertificateType::Certificate
                } else {
                    CertificateType::NotConfigured
                },
                certificate: signing_cert,
                certificate_user_can_change: signing_cert_override,
            }
        } else {
            if signing_cert.is_some() || signing_override || signing_cert_override {
                let at = p.at(keys::SMIME_SIGNING_ENABLED.name);
                self.push(Severity::Warning, at, "signing is off, so its certificate and override flags are not imported (emailprof applies them only with signing on)");
            }
            SmimeSigning::default()
        };
        let encryption = SmimeEncryption {
            encrypt_by_default,
            encrypt_by_default_user_can_change: encrypt_by_default && enc_override,
            per_message_switch,
            certificate_type: if encryption_cert.is_some() {
                CertificateType::Certificate
            } else {
                CertificateType::NotConfigured
            },
            certificate: encryption_cert,
            certificate_user_can_change: enc_cert_override,
        };
        if enc_override && !encrypt_by_default {
            let at = p.at(keys::SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDEABLE.name);
            self.push(
                Severity::Warning,
                at,
                "encryption by default is off, so this flag is not imported",
            );
        }
        Smime {
            enabled: true,
            signing,
            encryption,
        }
    }
}
