//! Behaviour of the emitter: links, determinism, secrets, minimum OS, diagnostics.

use emailprof_core::emit::silently_dropped;
use emailprof_core::model::{AuthenticationMethod, CertificateKind, CertificateType};
use emailprof_core::{
    EmitError, EmitOptions, Emitter, OsVersion, SecretRef, Setting, Severity, Support,
};
use emailprof_ios::IosEmitter;
use plist::Value;
use uuid::Uuid;

use crate::common::*;

fn s<'a>(d: &'a plist::Dictionary, k: &str) -> &'a str {
    d.get(k)
        .and_then(Value::as_string)
        .unwrap_or_else(|| panic!("{k} missing"))
}

fn b(d: &plist::Dictionary, k: &str) -> bool {
    d.get(k)
        .and_then(Value::as_boolean)
        .unwrap_or_else(|| panic!("{k} missing"))
}

/// The UUID scheme of the brief, computed here independently of the crate.
fn expected_uuid(identifier: &str, ty: &str, user: &str) -> String {
    let ns = Uuid::new_v5(&Uuid::NAMESPACE_DNS, b"emailprof");
    Uuid::new_v5(&ns, format!("{identifier}|{ty}|{user}").as_bytes())
        .hyphenated()
        .to_string()
        .to_uppercase()
}

#[test]
fn payloads_are_linked_by_name_based_uuids() {
    let rp = resolve(profile("full.yaml"));
    let (xml, _) = emit(&rp, &EmitOptions::default());
    let top = dict(&xml);
    assert_eq!(
        s(&top, "PayloadUUID"),
        expected_uuid("com.contoso.email", "Configuration", "user1")
    );
    let eas = payload(&top, "com.apple.eas.account");
    let p12 = payload(&top, "com.apple.security.pkcs12");
    let scep = payload(&top, "com.apple.security.scep");
    let root = payload(&top, "com.apple.security.root");
    assert_eq!(s(eas, "PayloadIdentifier"), "com.contoso.email.eas");
    assert_eq!(
        s(eas, "PayloadUUID"),
        expected_uuid("com.contoso.email.eas", "com.apple.eas.account", "user1")
    );
    assert_eq!(
        s(p12, "PayloadIdentifier"),
        "com.contoso.email.cert.user-identity"
    );
    assert_eq!(
        s(p12, "PayloadUUID"),
        expected_uuid(
            "com.contoso.email.cert.user-identity",
            "com.apple.security.pkcs12",
            "user1"
        )
    );
    assert_eq!(
        s(root, "PayloadUUID"),
        expected_uuid(
            "com.contoso.email.cert.contoso-root",
            "com.apple.security.root",
            "user1"
        )
    );
    // References point at the payloads of this profile, or at the external UUID.
    assert_eq!(s(eas, "PayloadCertificateUUID"), s(p12, "PayloadUUID"));
    assert_eq!(
        s(eas, "SMIMESigningCertificateUUID"),
        s(scep, "PayloadUUID")
    );
    assert_eq!(
        s(eas, "SMIMEEncryptionCertificateUUID"),
        "6C9E5D4B-8F1A-4E2B-9C3D-0A1B2C3D4E5F"
    );
    // The certificate bytes are embedded as they were given.
    assert_eq!(
        p12["PayloadContent"].as_data().unwrap(),
        std::fs::read(data("user1.p12")).unwrap()
    );
    assert_eq!(
        root["PayloadContent"].as_data().unwrap(),
        std::fs::read(data("contoso-root.der")).unwrap()
    );
}

#[test]
fn output_is_deterministic_and_per_user() {
    let rp = resolve(profile("full.yaml"));
    let (a, _) = emit(&rp, &EmitOptions::default());
    let (b2, _) = emit(&rp, &EmitOptions::default());
    assert_eq!(a, b2);
    let mut other = rp.clone();
    other.user.user_id = "user2".into();
    let (c, _) = emit(&other, &EmitOptions::default());
    let (ta, tc) = (dict(&a), dict(&c));
    assert_eq!(s(&ta, "PayloadIdentifier"), s(&tc, "PayloadIdentifier"));
    assert_ne!(s(&ta, "PayloadUUID"), s(&tc, "PayloadUUID"));
    let (ea, ec) = (
        payload(&ta, "com.apple.eas.account"),
        payload(&tc, "com.apple.eas.account"),
    );
    assert_ne!(
        s(ea, "PayloadCertificateUUID"),
        s(ec, "PayloadCertificateUUID")
    );
    assert_eq!(
        s(ec, "PayloadCertificateUUID"),
        s(payload(&tc, "com.apple.security.pkcs12"), "PayloadUUID")
    );
}

#[test]
fn intune_settings_map_to_apple_keys_with_their_traps() {
    let rp = resolve(profile("full.yaml"));
    let (xml, _) = emit(&rp, &EmitOptions::default());
    let top = dict(&xml);
    let eas = payload(&top, "com.apple.eas.account");
    assert_eq!(s(eas, "Host"), "outlook.office365.com");
    assert_eq!(s(eas, "UserName"), "CONTOSO\\user1");
    assert_eq!(s(eas, "EmailAddress"), "user.one@contoso.com");
    assert_eq!(s(eas, "PayloadDisplayName"), "Contoso mail");
    assert!(b(eas, "SSL"));
    // Inverted allow → prevent/disable.
    assert!(
        b(eas, "PreventMove") && b(eas, "PreventAppSheet") && b(eas, "disableMailRecentsSyncing")
    );
    // Services: email, calendars, contacts on; overrides all off.
    for (k, on) in [
        ("EnableMail", true),
        ("EnableCalendars", true),
        ("EnableContacts", true),
        ("EnableReminders", false),
        ("EnableNotes", false),
    ] {
        assert_eq!(b(eas, k), on, "{k}");
        assert!(
            !b(eas, &format!("{k}UserOverridable")),
            "{k}UserOverridable"
        );
    }
    // Spellings verbatim: no `UserOverrideable` for services, no `UserOverridable` for S/MIME.
    assert!(!xml.contains("EnableMailUserOverrideable"));
    assert!(!xml.contains("SMIMESigningUserOverridable<"));
    assert_eq!(
        eas["MailNumberOfPastDaysToSync"].as_signed_integer(),
        Some(14)
    );
    assert!(b(eas, "allowMailDrop"));
    assert!(b(eas, "SMIMEEncryptByDefaultUserOverrideable"));
    assert!(!b(eas, "SMIMEEncryptionCertificateUUIDUserOverrideable"));
    // SCEP: subject with placeholders filled, Apple's key names with spaces.
    let scep = payload(&top, "com.apple.security.scep")["PayloadContent"]
        .as_dictionary()
        .unwrap();
    assert_eq!(scep["Key Usage"].as_signed_integer(), Some(1));
    assert_eq!(scep["Keysize"].as_signed_integer(), Some(2048));
    let subject = scep["Subject"].as_array().unwrap();
    let cn = subject[0].as_array().unwrap()[0].as_array().unwrap();
    assert_eq!(cn[1].as_string(), Some("CONTOSO\\user1"));
    assert_eq!(scep["CAFingerprint"].as_data().unwrap().len(), 32);
}

#[test]
fn minimum_os_swaps_deprecated_keys_and_drops_newer_ones() {
    let rp = resolve(profile("full.yaml"));
    let eas_at = |v: &str| {
        let (xml, e) = emit(&rp, &with_min(v));
        (payload(&dict(&xml), "com.apple.eas.account").clone(), e)
    };
    let (e12, _) = eas_at("12.0");
    assert!(
        b(&e12, "SMIMEEnableEncryptionPerMessageSwitch")
            && !e12.contains_key("SMIMEEnablePerMessageSwitch")
    );
    assert!(b(&e12, "SMIMEEncryptByDefault") && !e12.contains_key("SMIMEEncryptionEnabled"));
    let (e11, emission) = eas_at("11.0");
    assert!(
        b(&e11, "SMIMEEnablePerMessageSwitch")
            && !e11.contains_key("SMIMEEnableEncryptionPerMessageSwitch")
    );
    assert!(b(&e11, "SMIMEEncryptionEnabled") && !e11.contains_key("SMIMEEncryptByDefault"));
    assert!(!e11.contains_key("OAuth") && !e11.contains_key("EnableMail"));
    let warned: Vec<&str> = emission
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning && d.message.contains("left out"))
        .map(|d| d.setting.as_str())
        .collect();
    for pointer in [
        "/account/oauth/enabled",
        "/sync/services",
        "/sync/userCanChange",
        "/platforms/ios/perAccountVpnUuid",
    ] {
        assert_eq!(
            warned.iter().filter(|p| **p == pointer).count(),
            1,
            "{pointer}: {warned:?}"
        );
    }
    // iOS 9: S/MIME is switched on by the legacy SMIMEEnabled (ignored from iOS 10).
    let (e9, _) = eas_at("9.0");
    assert!(b(&e9, "SMIMEEnabled"));
    assert!(!e9.contains_key("SMIMESigningEnabled") && !e9.contains_key("allowMailDrop"));
    let (e13, _) = eas_at("13.0");
    assert!(!e13.contains_key("SMIMEEnabled"));
}

#[test]
fn minimum_below_ios_4_is_refused() {
    let rp = resolve(profile("minimal.yaml"));
    let e = IosEmitter.emit(&rp, &with_min("3.2")).unwrap_err();
    assert!(matches!(e, EmitError::InvalidOption(_)), "{e}");
    let mut p = profile("minimal.yaml");
    p.platforms.ios.minimum_os_version = Some("3.0".into());
    assert!(
        IosEmitter
            .emit(&resolve(p.clone()), &EmitOptions::default())
            .is_err()
    );
    // The option overrides the profile.
    assert!(IosEmitter.emit(&resolve(p), &with_min("13.0")).is_ok());
}

#[test]
fn nothing_is_dropped_silently() {
    let mut derived = profile("full.yaml");
    derived.account.authentication.method = AuthenticationMethod::DerivedCredential;
    derived.account.authentication.identity_certificate = None;
    derived.smime.signing.certificate_type = CertificateType::DerivedCredential;
    derived.smime.signing.certificate = None;
    derived
        .certificates
        .get_mut("smime-signing")
        .unwrap()
        .graph_id = Some("abc".into());
    for p in [
        profile("full.yaml"),
        profile("minimal.yaml"),
        derived.clone(),
    ] {
        let rp = resolve(p.clone());
        for min in ["4.0", "9.0", "11.0", "12.0", "13.0", "14.0"] {
            let (_, emission) = emit(&rp, &with_min(min));
            let dropped = silently_dropped(&IosEmitter, &p, &emission);
            assert!(dropped.is_empty(), "{min}: {dropped:?}");
            for d in &emission.diagnostics {
                assert!(d.setting.starts_with('/'), "{d}");
                assert_eq!(d.platform, "ios");
            }
        }
    }
    let (xml, emission) = emit(&resolve(derived), &EmitOptions::default());
    let eas = payload(&dict(&xml), "com.apple.eas.account").clone();
    assert!(
        !eas.contains_key("PayloadCertificateUUID")
            && !eas.contains_key("SMIMESigningCertificateUUID")
    );
    for pointer in [
        "/account/authentication/method",
        "/smime/signing/certificateType",
    ] {
        assert!(
            emission.diagnostics.iter().any(|d| d.setting == pointer
                && d.severity == Severity::Warning
                && d.message.contains("derived credential")),
            "{pointer}: {:#?}",
            emission.diagnostics
        );
    }
}

#[test]
fn secrets_are_written_only_when_asked_for() {
    let mut p = profile("full.yaml");
    p.account.oauth = Default::default();
    p.account.authentication.password = Some(SecretRef::env("CONTOSO_PASSWORD"));
    let rp = resolve(p);
    let (xml, emission) = emit(&rp, &EmitOptions::default());
    assert!(!xml.contains(ACCOUNT_PASSWORD) && !xml.contains(P12_PASSPHRASE));
    assert!(!payload(&dict(&xml), "com.apple.security.pkcs12").contains_key("Password"));
    assert!(
        emission.diagnostics.iter().any(
            |d| d.setting == "/account/authentication/password" && d.severity == Severity::Info
        )
    );
    assert!(
        emission
            .diagnostics
            .iter()
            .any(|d| d.setting == "/certificates/user-identity/pkcs12/passphrase")
    );

    let asked = EmitOptions {
        include_password: true,
        ..EmitOptions::default()
    };
    let (xml, emission) = emit(&rp, &asked);
    let top = dict(&xml);
    assert_eq!(
        s(payload(&top, "com.apple.eas.account"), "Password"),
        ACCOUNT_PASSWORD
    );
    assert_eq!(
        s(payload(&top, "com.apple.security.pkcs12"), "Password"),
        P12_PASSPHRASE
    );
    let warnings: Vec<_> = emission
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("plain text"))
        .collect();
    assert!(warnings.iter().any(
        |d| d.setting == "/account/authentication/password" && d.severity == Severity::Warning
    ));
    assert!(warnings.iter().any(
        |d| d.setting == "/certificates/user-identity/pkcs12/passphrase"
            && d.severity == Severity::Warning
    ));
    // Never in a diagnostic, nor in Debug output.
    let text = format!(
        "{:?} {}",
        emission,
        emission
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<String>()
    );
    for secret in [ACCOUNT_PASSWORD, P12_PASSPHRASE, SCEP_CHALLENGE] {
        assert!(!text.contains(secret), "{secret} leaked");
    }

    // With OAuth the password is never written (com.apple.eas.account.yaml OAuth).
    let mut oauth = rp.clone();
    oauth.profile.account.oauth.enabled = true;
    let (xml, _) = emit(&oauth, &asked);
    assert!(!payload(&dict(&xml), "com.apple.eas.account").contains_key("Password"));
}

#[test]
fn missing_or_wrong_material_is_an_error() {
    let mut rp = resolve(profile("full.yaml"));
    rp.materials.remove("user-identity");
    let e = IosEmitter.emit(&rp, &EmitOptions::default()).unwrap_err();
    assert!(
        matches!(&e, EmitError::Material { name, .. } if name == "user-identity"),
        "{e}"
    );
    let mut rp = resolve(profile("full.yaml"));
    let ca = rp.materials.remove("contoso-root").unwrap();
    rp.materials.insert("user-identity".into(), ca.clone());
    rp.materials.insert("contoso-root".into(), ca);
    assert!(matches!(
        IosEmitter.emit(&rp, &EmitOptions::default()),
        Err(EmitError::Material { .. })
    ));
    let mut rp = resolve(profile("full.yaml"));
    rp.materials.insert(
        "contoso-root".into(),
        emailprof_core::CertificateMaterial::Ca {
            der: b"-----BEGIN".to_vec(),
        },
    );
    assert!(matches!(
        IosEmitter.emit(&rp, &EmitOptions::default()),
        Err(EmitError::Material { .. })
    ));
}

#[test]
fn values_a_plist_cannot_hold_are_refused() {
    let mut rp = resolve(profile("minimal.yaml"));
    rp.profile.account.account_name = "Mail\u{1}".into();
    let e = IosEmitter.emit(&rp, &EmitOptions::default()).unwrap_err();
    assert!(
        matches!(&e, EmitError::Unsupported { setting, .. } if setting == "/account/accountName"),
        "{e}"
    );
    let mut rp = resolve(profile("full.yaml"));
    rp.profile
        .certificates
        .get_mut("smime-signing")
        .unwrap()
        .scep
        .as_mut()
        .unwrap()
        .subject = Some("XYZ=1".into());
    let e = IosEmitter.emit(&rp, &EmitOptions::default()).unwrap_err();
    assert!(
        matches!(&e, EmitError::Unsupported { setting, .. } if setting == "/certificates/smime-signing/scep/subject"),
        "{e}"
    );
    // Markup characters are escaped, not refused.
    let mut rp = resolve(profile("minimal.yaml"));
    rp.profile.display_name = "<b>Mail & \"more\"</b>".into();
    let (xml, _) = emit(&rp, &EmitOptions::default());
    assert_eq!(
        s(&dict(&xml), "PayloadDisplayName"),
        "<b>Mail & \"more\"</b>"
    );
}

/// Which Apple key carries a setting, for the `since` check below.
const SETTING_KEYS: [(Setting, &str); 24] = [
    (Setting::Server, "Host"),
    (Setting::UsernameSource, "UserName"),
    (Setting::EmailAddressSource, "EmailAddress"),
    (Setting::IdentityCertificate, "PayloadCertificateUUID"),
    (Setting::Password, "Password"),
    (Setting::Ssl, "SSL"),
    (Setting::OAuth, "OAuth"),
    (Setting::OAuthSignInUrl, "OAuthSignInURL"),
    (Setting::OAuthTokenRequestUrl, "OAuthTokenRequestURL"),
    (Setting::SyncServices, "EnableMail"),
    (Setting::SyncUserCanChange, "EnableMailUserOverridable"),
    (Setting::EmailSyncDuration, "MailNumberOfPastDaysToSync"),
    (Setting::Smime, "SMIMEEnabled"),
    (Setting::SmimeSigning, "SMIMESigningEnabled"),
    (
        Setting::SmimeSigningUserCanChange,
        "SMIMESigningUserOverrideable",
    ),
    (
        Setting::SmimeSigningCertificate,
        "SMIMESigningCertificateUUID",
    ),
    (
        Setting::SmimeSigningCertificateUserCanChange,
        "SMIMESigningCertificateUUIDUserOverrideable",
    ),
    (Setting::SmimeEncryptByDefault, "SMIMEEncryptionEnabled"),
    (
        Setting::SmimePerMessageSwitch,
        "SMIMEEnablePerMessageSwitch",
    ),
    (Setting::AllowMove, "PreventMove"),
    (Setting::AllowThirdPartySend, "PreventAppSheet"),
    (Setting::SyncRecentAddresses, "disableMailRecentsSyncing"),
    (Setting::IosPerAccountVpn, "VPNUUID"),
    (Setting::IosAllowMailDrop, "allowMailDrop"),
];

#[test]
fn support_answers_every_setting_with_adm_versions() {
    let eas = crate::adm::load("com.apple.eas.account.yaml");
    for (setting, key) in SETTING_KEYS {
        let def = eas
            .keys
            .iter()
            .find(|k| k.name == key)
            .unwrap_or_else(|| panic!("{key} not in ADM"));
        let since = match IosEmitter.support(setting) {
            Support::Native { since } | Support::Partial { since, .. } => since,
            other => panic!("{setting:?}: {other:?}"),
        };
        assert_eq!(since, def.ios.introduced.as_deref(), "{setting:?} ({key})");
    }
    for setting in Setting::ALL {
        let cap = IosEmitter.capability(setting);
        let other = matches!(setting, Setting::WindowsSyncSchedule | Setting::AndroidApp);
        assert_eq!(cap == Support::OtherPlatform, other, "{setting:?}");
        if let Support::Native { since: Some(v) } | Support::Partial { since: Some(v), .. } = cap {
            let v = OsVersion::parse(v).expect("since parses");
            assert!(v >= OsVersion(4, 0, 0), "{setting:?}");
        }
    }
    assert_eq!(IosEmitter.id(), "ios");
    assert_eq!(IosEmitter.title(), "iOS/iPadOS (.mobileconfig)");
    let kinds: Vec<_> = profile("full.yaml")
        .certificates
        .values()
        .map(|c| c.kind)
        .collect();
    assert!(kinds.contains(&CertificateKind::External));
}
