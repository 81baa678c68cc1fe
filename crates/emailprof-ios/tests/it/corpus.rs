//! Public Exchange ActiveSync profiles (`tests/data/corpus`, sources in its README): import →
//! emit → import is a fixed point, and every payload keeps the `PayloadIdentifier` and
//! `PayloadUUID` it had, so that the re-emitted profile replaces the installed one.

use std::collections::BTreeMap;

use emailprof_core::model::CertificateKind;
use emailprof_core::{CertificateMaterial, EmailProfile, EmitOptions, ResolvedProfile, Severity};
use emailprof_ios::{ImportError, ImportOptions, Imported, import_mobileconfig_with};
use plist::Value;

use crate::common::{attributes, data, emit};

/// Each corpus profile and whether it needs a lenient import (it holds values emailprof
/// cannot carry over, which a strict import refuses).
const CORPUS: &[(&str, bool)] = &[
    ("apple-developer-example.mobileconfig", false),
    ("komazawa-university.mobileconfig", false),
    ("open-xchange-appsuite.mobileconfig", false),
    ("workspace-one-ios14-exchange.mobileconfig", false),
];

fn read(name: &str) -> Vec<u8> {
    std::fs::read(data(&format!("corpus/{name}"))).expect("corpus file exists")
}

fn import(name: &str, bytes: &[u8], lenient: bool) -> Imported {
    let i = import_mobileconfig_with(bytes, ImportOptions { lenient })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let errors: Vec<_> = i
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
    i
}

/// The imported profile resolved for user1, with the certificate files the import gave.
fn resolve(name: &str, i: &Imported) -> ResolvedProfile {
    let profile: EmailProfile =
        serde_json::from_value(i.profile.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let user = emailprof_core::resolve_identity(&profile.account, &attributes())
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let mut materials = BTreeMap::new();
    for (cert_name, c) in &profile.certificates {
        let file = |f: &str| i.files.get(f).cloned().expect("imported file");
        let m = match c.kind {
            CertificateKind::Pkcs12 => CertificateMaterial::Pkcs12 {
                data: file(&c.pkcs12.as_ref().expect("pkcs12 section").file),
                passphrase: None,
            },
            CertificateKind::Ca => CertificateMaterial::Ca {
                der: file(&c.ca.as_ref().expect("ca section").file),
            },
            CertificateKind::Scep => CertificateMaterial::Scep { challenge: None },
            _ => continue,
        };
        materials.insert(cert_name.clone(), m);
    }
    ResolvedProfile {
        profile,
        user,
        materials,
        password: None,
    }
}

/// (`PayloadType`, `PayloadIdentifier`, `PayloadUUID`) of the profile and of each payload.
fn identities(bytes: &[u8]) -> Vec<(String, String, String)> {
    let top = Value::from_reader(std::io::Cursor::new(bytes))
        .expect("a plist")
        .into_dictionary()
        .expect("a dictionary");
    let text = |d: &plist::Dictionary, k: &str| {
        d.get(k)
            .and_then(Value::as_string)
            .unwrap_or_default()
            .to_owned()
    };
    let mut out = vec![(
        "Configuration".to_owned(),
        text(&top, "PayloadIdentifier"),
        text(&top, "PayloadUUID"),
    )];
    for p in top["PayloadContent"].as_array().expect("payloads") {
        let d = p.as_dictionary().expect("a payload dictionary");
        out.push((
            text(d, "PayloadType"),
            text(d, "PayloadIdentifier"),
            text(d, "PayloadUUID"),
        ));
    }
    out
}

#[test]
fn public_profiles_import_emit_import_to_the_same_document() {
    for &(name, lenient) in CORPUS {
        let bytes = read(name);
        let first = import(name, &bytes, lenient);
        let rp = resolve(name, &first);
        let (xml, _) = emit(&rp, &EmitOptions::default());
        let second = import(name, xml.as_bytes(), lenient);
        assert_eq!(
            first.profile, second.profile,
            "{name}: the second import differs\n{xml}"
        );
        assert_eq!(first.files, second.files, "{name}");

        // Every payload the profile and emailprof both have keeps its identity, byte for byte,
        // where the source's identity is a valid one (reverse-DNS, UUID syntax).
        let before = identities(&bytes);
        let after = identities(xml.as_bytes());
        for (ty, id, uuid) in &before {
            let Some((_, id2, uuid2)) = after.iter().find(|(t, _, _)| t == ty) else {
                continue;
            };
            let valid_id = id.contains('.') && !id.contains([' ', '\'']);
            let valid_uuid =
                uuid.len() == 36 && uuid.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            if valid_id {
                assert_eq!(id, id2, "{name}: {ty} PayloadIdentifier");
            }
            if valid_uuid {
                assert_eq!(uuid, uuid2, "{name}: {ty} PayloadUUID");
            }
        }
    }
}

#[test]
fn a_template_without_a_host_is_refused_by_name() {
    let bytes = read("profiledocs-template.mobileconfig");
    for lenient in [false, true] {
        let e = import_mobileconfig_with(&bytes, ImportOptions { lenient }).unwrap_err();
        assert!(
            matches!(&e, ImportError::Invalid { key_path, .. } if key_path == "PayloadContent[0].Host"),
            "{e:?}"
        );
    }
}
