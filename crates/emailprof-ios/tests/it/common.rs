//! Fixtures: profiles from `tests/data`, a user, certificate material.

use std::collections::BTreeMap;
use std::path::PathBuf;

use emailprof_core::model::CertificateKind;
use emailprof_core::{
    CertificateMaterial, DirectoryAttributes, EmailProfile, Emission, EmitOptions, Emitter, Format,
    ResolvedProfile, Secret, ValidationOptions,
};
use emailprof_ios::IosEmitter;

pub(crate) const P12_PASSPHRASE: &str = "test-only-passphrase";
pub(crate) const SCEP_CHALLENGE: &str = "scep-challenge-4f1c";
pub(crate) const ACCOUNT_PASSWORD: &str = "hunter2-account-password";

pub(crate) fn data(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")).join(name)
}

pub(crate) fn reference(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/reference"
    ))
    .join(name)
}

/// A profile file of `tests/data`, validated.
pub(crate) fn profile(name: &str) -> EmailProfile {
    let bytes = std::fs::read(data(name)).expect("fixture exists");
    let report = emailprof_core::load(&bytes, Format::Yaml, ValidationOptions::default())
        .expect("fixture parses");
    assert!(!report.has_errors(), "{name}: {:#?}", report.findings);
    report.profile.expect("valid fixture")
}

pub(crate) fn attributes() -> DirectoryAttributes {
    DirectoryAttributes {
        user_id: "user1".into(),
        user_principal_name: Some("user1@contoso.com".into()),
        primary_smtp_address: Some("user.one@contoso.com".into()),
        sam_account_name: Some("user1".into()),
        domain_fqdn: Some("contoso.com".into()),
        netbios_name: Some("CONTOSO".into()),
    }
}

/// `profile` resolved for user1, with material for every certificate that needs some.
pub(crate) fn resolve(profile: EmailProfile) -> ResolvedProfile {
    let user =
        emailprof_core::resolve_identity(&profile.account, &attributes()).expect("user resolves");
    let mut materials = BTreeMap::new();
    for (name, cert) in &profile.certificates {
        let m = match cert.kind {
            CertificateKind::Pkcs12 => CertificateMaterial::Pkcs12 {
                data: std::fs::read(data("user1.p12")).unwrap(),
                passphrase: Some(Secret::new(P12_PASSPHRASE)),
            },
            CertificateKind::Ca => CertificateMaterial::Ca {
                der: std::fs::read(data("contoso-root.der")).unwrap(),
            },
            CertificateKind::Scep => CertificateMaterial::Scep {
                challenge: Some(Secret::new(SCEP_CHALLENGE)),
            },
            _ => continue,
        };
        materials.insert(name.clone(), m);
    }
    let password = profile
        .account
        .authentication
        .password
        .as_ref()
        .map(|_| Secret::new(ACCOUNT_PASSWORD));
    ResolvedProfile {
        profile,
        user,
        materials,
        password,
    }
}

pub(crate) fn emit(p: &ResolvedProfile, options: &EmitOptions) -> (String, Emission) {
    let emission = IosEmitter.emit(p, options).expect("emits");
    assert_eq!(emission.artifacts.len(), 1);
    let a = &emission.artifacts[0];
    assert_eq!(a.media_type, "application/x-apple-aspen-config");
    assert_eq!(
        a.file_name,
        format!("{}.mobileconfig", p.profile.identifier)
    );
    let xml = String::from_utf8(a.bytes.clone()).expect("UTF-8 XML");
    (xml, emission)
}

pub(crate) fn with_min(version: &str) -> EmitOptions {
    EmitOptions {
        min_os_version: Some(version.parse().unwrap()),
        ..EmitOptions::default()
    }
}

pub(crate) fn dict(xml: &str) -> plist::Dictionary {
    plist::Value::from_reader_xml(xml.as_bytes())
        .expect("the output is a plist")
        .into_dictionary()
        .expect("a dictionary at the top")
}

/// The payload of `payload_type` in a parsed profile.
pub(crate) fn payload<'a>(top: &'a plist::Dictionary, payload_type: &str) -> &'a plist::Dictionary {
    top["PayloadContent"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_dictionary())
        .find(|p| p["PayloadType"].as_string() == Some(payload_type))
        .unwrap_or_else(|| panic!("no {payload_type} payload"))
}

/// The `index`th payload of a parsed profile, to edit.
pub(crate) fn payload_mut(top: &mut plist::Dictionary, index: usize) -> &mut plist::Dictionary {
    top.get_mut("PayloadContent")
        .and_then(plist::Value::as_array_mut)
        .and_then(|items| items.get_mut(index))
        .and_then(plist::Value::as_dictionary_mut)
        .unwrap_or_else(|| panic!("no payload {index}"))
}
