//! What several checks share: the fixed profiles the identity checks emit, what XML can carry,
//! emission through `prepare` held against `emit`, and validating an imported document.
//!
//! The checks reach it as `super::shared`, so that it works both in this crate and in the
//! crate tests that include a check with `#[path]` (they include this file next to it).

use emailprof_core::attributes::UserIdentity;
use emailprof_core::input::{Document, Format, Locations};
use emailprof_core::{
    Artifact, EmailProfile, Emission, EmitError, EmitOptions, Emitter, Report, ResolvedProfile,
    ValidationOptions, validate,
};

/// Profiles that put the user's values in the output: UPN user name, and sAM + NetBIOS domain.
const PROFILES: [&str; 2] = [
    "displayName: D\nidentifier: com.contoso.fuzz\naccount:\n  server: mail.contoso.com\n  accountName: Mail\n",
    "displayName: D\nidentifier: com.contoso.fuzz\naccount:\n  server: mail.contoso.com\n  accountName: Mail\n  username:\n    source: samAccountName\n    domain:\n      source: directory\n      attribute: netBiosDomainName\n  emailAddressSource: primarySmtpAddress\n",
];

/// The fixed profiles the identity checks use.
pub fn profiles() -> Vec<EmailProfile> {
    PROFILES
        .iter()
        .map(|yaml| {
            emailprof_core::load(yaml.as_bytes(), Format::Yaml, Default::default())
                .ok()
                .and_then(|r| r.profile)
                .expect("the fixed profile is valid")
        })
        .collect()
}

/// What an XML 1.0 document can carry as character data.
pub fn xml_safe(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    })
}

/// `profile` for `user`, without certificates or password.
pub fn resolved(profile: &EmailProfile, user: &UserIdentity) -> ResolvedProfile {
    ResolvedProfile {
        profile: profile.clone(),
        user: user.clone(),
        materials: Default::default(),
        password: None,
    }
}

/// `emitter`'s one artifact for `resolved` (default options), held against `prepare`; `None`
/// when it refused values XML cannot carry. Panics when it refuses values XML can carry
/// (`safe`), writes values it cannot, or writes other than one artifact.
pub fn emit_xml(emitter: &dyn Emitter, resolved: &ResolvedProfile, safe: bool) -> Option<Artifact> {
    let emitted = emitter.emit(resolved, &EmitOptions::default());
    same_as_prepared(emitter, resolved, &EmitOptions::default(), &emitted);
    let emission = match emitted {
        Ok(e) => e,
        Err(e) => {
            assert!(!safe, "refused values XML can carry: {e}");
            return None;
        }
    };
    assert!(safe, "wrote values XML cannot carry");
    let Ok([artifact]) = <[Artifact; 1]>::try_from(emission.artifacts) else {
        panic!("one artifact expected");
    };
    Some(artifact)
}

/// `batch` emits through `Emitter::prepare`, which must give exactly what `emit` gives.
pub fn same_as_prepared(
    emitter: &dyn Emitter,
    resolved: &ResolvedProfile,
    options: &EmitOptions,
    emitted: &Result<Emission, EmitError>,
) {
    let prepared = emitter
        .prepare(resolved, options)
        .and_then(|p| p.emit_user(&resolved.user));
    match (emitted, &prepared) {
        (Ok(a), Ok(b)) => {
            let bytes = |e: &Emission| {
                e.artifacts
                    .iter()
                    .map(|a| a.bytes.clone())
                    .collect::<Vec<_>>()
            };
            assert!(bytes(a) == bytes(b), "prepared and direct emission differ");
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "emit and prepare disagree: {:?} vs {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
}

/// The validation of an importer's JSON document, as `emailprof validate` would run it.
pub fn validate_imported(profile: &serde_json::Value) -> Report {
    validate(
        &Document {
            format: Format::Json,
            value: profile.clone(),
            locations: Locations::default(),
        },
        ValidationOptions::default(),
    )
}
