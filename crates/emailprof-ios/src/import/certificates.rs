//! The certificate payloads (PKCS#12, SCEP, root) and references to them.

use emailprof_core::Severity;
use emailprof_core::model::*;
use plist::{Dictionary, Value};

use crate::keys;
use crate::subject;

use super::reader::*;

impl Reader {
    pub(super) fn certificate(
        &mut self,
        d: &Dictionary,
        path: String,
        ty: &str,
        top_id: &str,
        certs: &mut Certs,
    ) {
        let mut p = Payload::new(d, path);
        p.seen.insert("PayloadType");
        self.payload_version(&mut p);
        let pid = p
            .dict
            .get("PayloadIdentifier")
            .and_then(Value::as_string)
            .unwrap_or_default()
            .to_owned();
        let display = self.string(&mut p, "PayloadDisplayName").map(str::to_owned);
        self.soft_string(&mut p, "PayloadDescription");
        self.soft_string(&mut p, "PayloadOrganization");
        let prefix = format!("{top_id}.cert.");
        let wanted = match pid.strip_prefix(&prefix) {
            Some(n) if !n.is_empty() => n.to_owned(),
            _ => display
                .clone()
                .or_else(|| pid.rsplit('.').next().map(str::to_owned))
                .unwrap_or_default(),
        };
        let name = certs.unique_name(&wanted);
        let identity = self.identity(&mut p, ty, || crate::emit::cert_identifier(top_id, &name));
        let uuid = Some(identity.uuid.to_ascii_uppercase());
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
            self.kept.certificates.insert(name.clone(), identity);
            certs.entries.insert(name, cert);
        }
    }

    pub(super) fn scep(
        &mut self,
        p: &mut Payload<'_>,
    ) -> Option<(Scep, Option<Vec<subject::Rdn>>)> {
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
                    self.push(Severity::Info, at, "absent: the device uses 1024 bits (Apple's default for Keysize), imported as such");
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
                "missing, but Apple requires it in a SCEP payload; the SCEP payload is ignored",
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
    pub(super) fn subject(&mut self, v: &Value, at: &str) -> Option<Vec<subject::Rdn>> {
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
    pub(super) fn finish_subjects(&mut self, certs: &mut Certs) {
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

    /// The certificate a `PayloadUUID` reference names: a payload of this profile, or else
    /// one delivered by another profile.
    pub(super) fn reference(&mut self, uuid: &str, at: &str, certs: &mut Certs) -> Option<String> {
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
                Certificate::external(ExternalCertificate {
                    payload_uuid: Some(upper.clone()),
                    android_alias: None,
                    note: None,
                }),
            );
            certs.by_uuid.insert(upper, name.clone());
            self.push(Severity::Info, at.to_owned(), format!("the certificate payload {uuid} is not in this profile; imported as certificate `{name}` delivered by another profile"));
        }
        Some(name)
    }
}
