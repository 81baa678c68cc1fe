//! The minimal document writer keeps every setting: for each [`Setting`], a profile that sets it
//! to a value other than its default is written, read back and validated, and comes back equal.
//! The match below is exhaustive, so a new setting cannot be added without saying here how to
//! configure it; the writer itself needs no change for it.

use emailprof_core::input::{Document, Format, Locations};
use emailprof_core::{EmailProfile, Setting, ValidationOptions, minimal_document, to_document};
use proptest::prelude::*;
use serde_json::{Value, json};

fn base() -> Value {
    json!({
        "displayName": "Contoso",
        "identifier": "com.contoso.email",
        "account": { "server": "mail.contoso.com", "accountName": "Contoso mail" },
    })
}

fn certificates() -> Value {
    json!({ "certificates": {
        "id": { "kind": "pkcs12", "pkcs12": { "file": "certs/id.p12" } },
        "scep": { "kind": "scep", "scep": { "url": "https://scep.contoso.com/", "keySize": "2048" } },
    }})
}

fn signing(member: Value) -> Value {
    let mut signing = json!({ "enabled": true });
    merge(&mut signing, &member);
    json!({ "smime": { "enabled": true, "signing": signing } })
}

fn encryption(member: Value) -> Value {
    json!({ "smime": { "enabled": true, "encryption": member } })
}

/// What a document adds to [`base`] to configure `setting` with a value other than its default.
fn configure(setting: Setting) -> Value {
    let account = |member: Value| json!({ "account": member });
    let sam = |domain: Value| {
        account(json!({ "username": { "source": "samAccountName", "domain": domain } }))
    };
    let oauth = |member: Value| {
        let mut oauth = json!({ "enabled": true });
        merge(&mut oauth, &member);
        account(json!({ "oauth": oauth }))
    };
    let with_certificates = |mut v: Value| {
        merge(&mut v, &certificates());
        v
    };
    match setting {
        Setting::DisplayName => json!({ "displayName": "Fabrikam" }),
        Setting::Identifier => json!({ "identifier": "com.fabrikam.mail" }),
        Setting::Organization => json!({ "organization": "Contoso Ltd" }),
        Setting::Description => json!({ "description": "Work email" }),
        Setting::Server => account(json!({ "server": "eas.contoso.com" })),
        Setting::AccountName => account(json!({ "accountName": "Work" })),
        Setting::UsernameSource => {
            account(json!({ "username": { "source": "primarySmtpAddress" } }))
        }
        Setting::UserDomainSource | Setting::CustomDomainName => {
            sam(json!({ "source": "custom", "name": "contoso" }))
        }
        Setting::DirectoryDomainAttribute => {
            sam(json!({ "source": "directory", "attribute": "netBiosDomainName" }))
        }
        Setting::EmailAddressSource => {
            account(json!({ "emailAddressSource": "primarySmtpAddress" }))
        }
        Setting::AuthenticationMethod => {
            account(json!({ "authentication": { "method": "derivedCredential" } }))
        }
        Setting::IdentityCertificate => with_certificates(account(json!({
            "authentication": { "method": "certificate", "identityCertificate": "id" }
        }))),
        Setting::Password => {
            account(json!({ "authentication": { "password": { "env": "EAS_PASSWORD" } } }))
        }
        Setting::Ssl => account(json!({ "ssl": false })),
        Setting::OAuth => oauth(json!({})),
        Setting::OAuthSignInUrl => oauth(json!({ "signInUrl": "https://login.contoso.com/a" })),
        Setting::OAuthTokenRequestUrl => {
            oauth(json!({ "tokenRequestUrl": "https://login.contoso.com/t" }))
        }
        Setting::SyncServices => json!({ "sync": { "services": ["email", "notes"] } }),
        Setting::SyncUserCanChange => json!({ "sync": { "userCanChange": false } }),
        Setting::EmailSyncDuration => json!({ "sync": { "emailSyncDuration": "oneWeek" } }),
        Setting::Smime => json!({ "smime": { "enabled": true } }),
        Setting::SmimeSigning => signing(json!({})),
        Setting::SmimeSigningUserCanChange => signing(json!({ "userCanChange": true })),
        Setting::SmimeSigningCertificateType => signing(json!({ "certificateType": "none" })),
        Setting::SmimeSigningCertificate => with_certificates(signing(
            json!({ "certificateType": "certificate", "certificate": "id" }),
        )),
        Setting::SmimeSigningCertificateUserCanChange => {
            signing(json!({ "certificateUserCanChange": true }))
        }
        Setting::SmimeEncryptByDefault => encryption(json!({ "encryptByDefault": true })),
        Setting::SmimeEncryptByDefaultUserCanChange => encryption(json!({
            "encryptByDefault": true, "encryptByDefaultUserCanChange": true
        })),
        Setting::SmimePerMessageSwitch => encryption(json!({ "perMessageSwitch": true })),
        Setting::SmimeEncryptionCertificateType => {
            encryption(json!({ "certificateType": "derivedCredential" }))
        }
        Setting::SmimeEncryptionCertificate => with_certificates(encryption(
            json!({ "certificateType": "certificate", "certificate": "id" }),
        )),
        Setting::SmimeEncryptionCertificateUserCanChange => {
            encryption(json!({ "certificateUserCanChange": true }))
        }
        Setting::AllowMove => json!({ "mail": { "allowMove": false } }),
        Setting::AllowThirdPartySend => json!({ "mail": { "allowThirdPartySend": false } }),
        Setting::SyncRecentAddresses => json!({ "mail": { "syncRecentAddresses": false } }),
        Setting::Certificates => certificates(),
        Setting::IosMinimumOsVersion => {
            json!({ "platforms": { "ios": { "minimumOsVersion": "15.0" } } })
        }
        Setting::IosPerAccountVpn => json!({ "platforms": { "ios": {
            "perAccountVpnUuid": "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"
        } } }),
        Setting::IosAllowMailDrop => json!({ "platforms": { "ios": { "allowMailDrop": true } } }),
        Setting::WindowsSyncSchedule => {
            json!({ "platforms": { "windows": { "syncSchedule": "manual" } } })
        }
        Setting::AndroidApp => json!({ "platforms": { "android": { "app": "outlook" } } }),
    }
}

/// Deep-merge `patch` into `into`; the patch wins where both have a leaf.
fn merge(into: &mut Value, patch: &Value) {
    match (into, patch) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

fn errors(value: &Value) -> Vec<String> {
    let doc = Document {
        format: Format::Json,
        value: value.clone(),
        locations: Locations::default(),
    };
    emailprof_core::validate(&doc, ValidationOptions::default())
        .errors()
        .map(|f| format!("{}: {}", f.pointer, f.message))
        .collect()
}

/// Writes `doc`'s profile minimally and checks that the result is valid and means the same
/// profile. Returns the profile and the minimal document.
fn round_trip(doc: &Value) -> Result<(EmailProfile, Value), String> {
    let problems = errors(doc);
    if !problems.is_empty() {
        return Err(format!(
            "the test document is not valid: {problems:?}\n{doc:#}"
        ));
    }
    let profile: EmailProfile = serde_json::from_value(doc.clone()).map_err(|e| e.to_string())?;
    let minimal = minimal_document(&profile, &[]);
    let problems = errors(&minimal);
    if !problems.is_empty() {
        return Err(format!(
            "the written document is not valid: {problems:?}\n{minimal:#}"
        ));
    }
    let back: EmailProfile = serde_json::from_value(minimal.clone()).map_err(|e| e.to_string())?;
    if back != profile {
        return Err(format!("read back differently:\n{minimal:#}"));
    }
    Ok((profile, minimal))
}

#[test]
fn every_setting_survives_the_minimal_writer() {
    for setting in Setting::ALL {
        let mut doc = base();
        merge(&mut doc, &configure(setting));
        let (profile, minimal) = round_trip(&doc).unwrap_or_else(|e| panic!("{setting:?}: {e}"));
        // Reading back gave the same profile; the setting is there in its own right, not by
        // default.
        assert!(
            doc.pointer(setting.pointer()).is_some(),
            "{setting:?}: not set"
        );
        assert!(
            minimal.pointer(setting.pointer()).is_some(),
            "{setting:?} is not written:\n{minimal:#}"
        );
        // The Android app choice steers a target rather than asking anything of it.
        if setting != Setting::AndroidApp {
            assert!(setting.is_configured(&profile), "{setting:?}");
        }
    }
}

#[test]
fn defaults_and_members_whose_condition_is_off_are_left_out() {
    let mut doc = base();
    merge(
        &mut doc,
        &json!({
            "account": {
                "ssl": true,
                "username": { "source": "userPrincipalName" },
                "oauth": { "enabled": false },
            },
            "sync": { "services": ["email", "calendars", "contacts", "reminders", "notes"] },
            "smime": { "enabled": false },
            "platforms": { "windows": { "syncSchedule": "notConfigured" } },
        }),
    );
    let mut profile: EmailProfile = serde_json::from_value(doc).unwrap();
    // Settings whose condition is off, which a document may not hold.
    profile.smime.signing.enabled = true;
    profile.account.oauth.sign_in_url = Some("https://login.contoso.com/a".into());
    assert_eq!(minimal_document(&profile, &[]), base());
    // The canonical document keeps the defaults but not what is off.
    let canonical = to_document(&profile);
    assert_eq!(canonical.pointer("/account/ssl"), Some(&json!(true)));
    assert_eq!(canonical.pointer("/smime/signing"), None);
    assert_eq!(canonical.pointer("/account/oauth/signInUrl"), None);
}

#[test]
fn kept_members_are_written_at_their_default_when_their_condition_holds() {
    let profile: EmailProfile = serde_json::from_value(base()).unwrap();
    let keep = ["/account/ssl", "/smime/signing/enabled"];
    let mut want = base();
    // S/MIME is off, so its signing switch is not written even though it is kept.
    merge(&mut want, &json!({ "account": { "ssl": true } }));
    assert_eq!(minimal_document(&profile, &keep), want);

    let mut smime = profile.clone();
    smime.smime.enabled = true;
    merge(
        &mut want,
        &json!({ "smime": { "enabled": true, "signing": { "enabled": false } } }),
    );
    assert_eq!(minimal_document(&smime, &keep), want);
}

fn settings() -> impl Strategy<Value = Vec<Setting>> {
    proptest::collection::vec(proptest::sample::select(Setting::ALL.to_vec()), 0..12)
}

proptest! {
    /// Settings configured together survive as well as one by one (later ones win where two
    /// set the same member).
    #[test]
    fn configured_settings_survive_together(chosen in settings()) {
        let mut doc = base();
        for setting in &chosen {
            merge(&mut doc, &configure(*setting));
        }
        // Two choices can contradict each other (a certificate type without a certificate);
        // those documents are not profiles.
        prop_assume!(errors(&doc).is_empty());
        let (_, minimal) = round_trip(&doc).map_err(TestCaseError::fail)?;
        for setting in chosen {
            prop_assert!(minimal.pointer(setting.pointer()).is_some(), "{:?}", setting);
        }
    }
}
