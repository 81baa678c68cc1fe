//! The certificate payloads (`com.apple.security.pkcs12`, `.scep`, `.root`) and the
//! `PayloadUUID`s the account uses to refer to them.

use std::borrow::Cow;

use emailprof_core::model::{CertificateKind, KeyUsage};
use emailprof_core::{CertificateMaterial, EmitError, Setting, Severity};

use crate::keys::{self, Key};
use crate::prepared::Check;
use crate::subject;
use crate::subject::fill_subject;
use crate::xml::{Dict, Node, Slot, not_xml_safe, xml_safe};

use super::builder::*;

impl<'a> Build<'a, '_> {
    /// The `PayloadUUID` an EAS key uses for certificate `name`, if it can name one.
    pub(super) fn certificate_uuid(
        &mut self,
        name: &str,
        setting: Setting,
        key: Key,
    ) -> Result<Option<Node<'a>>, EmitError> {
        let profile = &self.p.profile;
        let Some(cert) = profile.certificates.get(name) else {
            return Err(EmitError::Material {
                name: name.to_owned(),
                message: format!(
                    "{} names it, but it is not defined under `certificates`",
                    setting.pointer()
                ),
            });
        };
        let kept = self.kept(Some(name));
        let uuid = match (cert.kind, kept) {
            (CertificateKind::Pkcs12 | CertificateKind::Scep, Some(k)) => {
                Some(Node::String(Cow::Borrowed(k.uuid.as_str())))
            }
            (CertificateKind::Pkcs12, None) => Some(self.uuid(
                &cert_identifier(&profile.identifier, name),
                keys::PKCS12_PAYLOAD_TYPE,
            )),
            (CertificateKind::Scep, None) => Some(self.uuid(
                &cert_identifier(&profile.identifier, name),
                keys::SCEP_PAYLOAD_TYPE,
            )),
            (CertificateKind::Ca, _) => {
                return Err(EmitError::Material {
                    name: name.to_owned(),
                    message: format!(
                        "{} needs an identity, but this is a CA certificate",
                        setting.pointer()
                    ),
                });
            }
            (CertificateKind::External, _) => {
                let uuid = cert.external.as_ref().and_then(|e| e.payload_uuid.as_ref());
                if uuid.is_none() {
                    self.warn(
                        setting,
                        format!(
                            "certificate `{name}` comes from another profile but has no `external.payloadUuid`, so `{}` is left out and the device cannot find the identity",
                            key.name
                        ),
                    );
                }
                uuid.map(|u| Node::String(Cow::Owned(u.to_ascii_uppercase())))
            }
            (CertificateKind::DerivedCredential, _) => {
                self.warn(
                    setting,
                    format!(
                        "certificate `{name}` is a derived credential, which no iOS profile payload can carry; `{}` is left out and the credential must be provisioned by the MDM (e.g. Intune derived credentials)",
                        key.name
                    ),
                );
                None
            }
        };
        Ok(uuid)
    }

    /// One payload per certificate entry that iOS can carry, by name.
    pub(super) fn certificates(&mut self) -> Result<Vec<Node<'a>>, EmitError> {
        let p = self.p;
        let mut out = Vec::new();
        for (name, cert) in &p.profile.certificates {
            let pointer = cert_pointer(name);
            let identifier = cert_identifier(&p.profile.identifier, name);
            let kept = self.kept(Some(name));
            let display = cert.display_name.as_deref().unwrap_or(name);
            let material = p.materials.get(name);
            let missing = || EmitError::Material {
                name: name.clone(),
                message: "its certificate data was not supplied".into(),
            };
            let wrong = |want: &str| EmitError::Material {
                name: name.clone(),
                message: format!("the supplied data is not {want}"),
            };
            let mut d = Dict::new();
            match cert.kind {
                CertificateKind::Pkcs12 => {
                    let Some(CertificateMaterial::Pkcs12 { data, passphrase }) = material else {
                        return Err(if material.is_some() {
                            wrong("a PKCS#12 file")
                        } else {
                            missing()
                        });
                    };
                    self.common_payload(&mut d, kept, identifier, keys::PKCS12_PAYLOAD_TYPE);
                    if let Some(file) = cert.pkcs12.as_ref().map(|c| file_name_of(&c.file)) {
                        d.insert("PayloadCertificateFileName", text(file, &pointer)?);
                    }
                    d.insert("PayloadContent", Node::Data(Cow::Borrowed(data)));
                    if let Some(pass) = passphrase {
                        let at = format!("{pointer}/pkcs12/passphrase");
                        if self.options.include_password {
                            d.insert("Password", text(pass.expose(), &at)?);
                            self.diagnostics.push(diag(
                                Severity::Warning,
                                at,
                                format!("the passphrase of `{name}` is written in plain text: an unencrypted profile is readable by anyone who has the file, and with it the private key"),
                            ));
                        } else {
                            self.diagnostics.push(diag(
                                Severity::Warning,
                                at,
                                format!("the passphrase of `{name}` is not written: the device asks for it during an interactive installation, and an MDM installation fails without it; ask for it explicitly to include it"),
                            ));
                        }
                    }
                }
                CertificateKind::Ca => {
                    let Some(CertificateMaterial::Ca { der }) = material else {
                        return Err(if material.is_some() {
                            wrong("a CA certificate")
                        } else {
                            missing()
                        });
                    };
                    if der.first() != Some(&0x30) {
                        return Err(wrong("a DER-encoded certificate"));
                    }
                    self.common_payload(&mut d, kept, identifier, keys::ROOT_PAYLOAD_TYPE);
                    if let Some(file) = cert.ca.as_ref().map(|c| file_name_of(&c.file)) {
                        d.insert("PayloadCertificateFileName", text(file, &pointer)?);
                    }
                    d.insert("PayloadContent", Node::Data(Cow::Borrowed(der)));
                }
                CertificateKind::Scep => {
                    let Some(scep) = &cert.scep else {
                        return Err(EmitError::Material {
                            name: name.clone(),
                            message: "kind `scep` needs a `scep` section".into(),
                        });
                    };
                    let challenge = match material {
                        Some(CertificateMaterial::Scep { challenge }) => challenge.as_ref(),
                        Some(_) => return Err(wrong("a SCEP challenge")),
                        None if scep.challenge.is_some() => return Err(missing()),
                        None => None,
                    };
                    self.common_payload(&mut d, kept, identifier, keys::SCEP_PAYLOAD_TYPE);
                    let content = self.scep(name, scep, challenge)?;
                    d.insert("PayloadContent", Node::Dictionary(content));
                }
                CertificateKind::External => {
                    if cert
                        .external
                        .as_ref()
                        .and_then(|e| e.payload_uuid.as_ref())
                        .is_none()
                    {
                        self.diagnostics.push(diag(
                            Severity::Info,
                            pointer,
                            format!("certificate `{name}` comes from another profile and has no payload UUID; iOS payloads cannot refer to it"),
                        ));
                    }
                    continue;
                }
                CertificateKind::DerivedCredential => {
                    self.diagnostics.push(diag(
                        Severity::Warning,
                        pointer,
                        format!("certificate `{name}` is a derived credential, which no iOS profile payload can carry; it must be provisioned by the MDM"),
                    ));
                    continue;
                }
            }
            d.insert("PayloadDisplayName", text(display, &pointer)?);
            if cert.graph_id.is_some() {
                self.diagnostics.push(diag(
                    Severity::Info,
                    format!("{pointer}/graphId"),
                    "the Microsoft Graph id is for Intune exports; the iOS profile carries the certificate itself".into(),
                ));
            }
            d.sort_keys();
            out.push(Node::Dictionary(d));
        }
        Ok(out)
    }

    pub(super) fn scep(
        &mut self,
        name: &str,
        scep: &'a emailprof_core::model::Scep,
        challenge: Option<&'a emailprof_core::Secret>,
    ) -> Result<Dict<'a>, EmitError> {
        let pointer = cert_pointer(name);
        let mut c = Dict::new();
        c.insert("URL", text(&scep.url, &format!("{pointer}/scep/url"))?);
        if let Some(n) = &scep.name {
            c.insert("Name", text(n, &format!("{pointer}/scep/name"))?);
        }
        if let Some(s) = &scep.subject {
            let at = format!("{pointer}/scep/subject");
            let rdns = self
                .subject(s, &at)
                .map_err(|message| EmitError::Unsupported {
                    setting: at.clone(),
                    message,
                })?;
            let mut arr = Vec::with_capacity(rdns.len());
            for rdn in rdns {
                let mut pairs = Vec::with_capacity(rdn.len());
                for (t, v) in rdn {
                    let value = match v {
                        SubjectValue::Known(v) if xml_safe(&v) => Node::String(Cow::Owned(v)),
                        SubjectValue::Known(_) => return Err(not_xml_safe(&at)),
                        SubjectValue::Slot(n) => {
                            self.slots
                                .checks
                                .push(Check::SubjectText { n, at: at.clone() });
                            Node::Slot(Slot::Subject(n))
                        }
                    };
                    pairs.push(Node::Array(vec![Node::String(Cow::Owned(t)), value]));
                }
                arr.push(Node::Array(pairs));
            }
            c.insert("Subject", Node::Array(arr));
        }
        if let Some(ch) = challenge {
            let at = format!("{pointer}/scep/challenge");
            c.insert("Challenge", text(ch.expose(), &at)?);
            self.diagnostics.push(diag(
                Severity::Info,
                at,
                format!("the SCEP challenge of `{name}` is written in plain text, as the device needs it to enrol; prefer one-time challenges"),
            ));
        }
        // ADM default 1024 differs from the profile's default 2048: always explicit.
        c.insert("Keysize", Node::Integer(scep.key_size.bits().into()));
        c.insert("Key Type", Node::String(Cow::Borrowed("RSA")));
        // com.apple.security.scep.yaml `Key Usage`: bitmask, 1 = signing, 4 = encryption.
        let usage: u64 = match scep.key_usage {
            KeyUsage::Signing => 1,
            KeyUsage::Encryption => 4,
            KeyUsage::SigningAndEncryption => 5,
        };
        c.insert("Key Usage", Node::Integer(usage));
        if let Some(fp) = &scep.ca_fingerprint {
            let bytes = hex(fp).ok_or_else(|| EmitError::Unsupported {
                setting: format!("{pointer}/scep/caFingerprint"),
                message: "not a hexadecimal fingerprint".into(),
            })?;
            c.insert("CAFingerprint", Node::Data(Cow::Owned(bytes)));
        }
        if scep.subject_alt_name_email {
            let mut san = Dict::new();
            san.insert(
                "rfc822Name",
                self.user_text(Slot::EmailAddress, Setting::EmailAddressSource)?,
            );
            c.insert("SubjectAltName", Node::Dictionary(san));
        }
        c.sort_keys();
        Ok(c)
    }

    /// The subject's RDNs with the user's values filled in, or (template) with the values that
    /// have placeholders as slots whose emptiness is checked per user, in the order `emit`
    /// checks them.
    pub(super) fn subject(
        &mut self,
        text: &str,
        at: &str,
    ) -> Result<Vec<Vec<(String, SubjectValue)>>, String> {
        let empty = |name: &str| format!("`{name}` has an empty value");
        match self.user {
            Some(user) => subject::parse(text, |name, value| {
                let v = fill_subject(&value, user);
                if v.is_empty() {
                    Err(empty(name))
                } else {
                    Ok(SubjectValue::Known(v))
                }
            }),
            None => {
                let slots = &mut *self.slots;
                subject::parse(text, |name, value| {
                    if has_placeholder(&value) {
                        let n = slots.subjects.len();
                        slots.subjects.push(value);
                        slots.checks.push(Check::SubjectNonEmpty {
                            n,
                            name: name.to_owned(),
                            at: at.to_owned(),
                        });
                        Ok(SubjectValue::Slot(n))
                    } else if value.is_empty() {
                        Err(empty(name))
                    } else {
                        Ok(SubjectValue::Known(value))
                    }
                })
            }
        }
    }
}

pub(super) fn file_name_of(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

pub(super) fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}
