//! What each app is told, per profile.

use emailprof_android::{GmailEmitter, OutlookEmitter, SamsungEmitter, emitters};
use emailprof_core::{Emission, EmitError, EmitOptions, Emitter, Family, Operation, Severity};
use serde_json::{Value, json};

use crate::declared::application;
use crate::fixture;

fn emit(e: &dyn Emitter, name: &str) -> Emission {
    e.emit(&fixture::FIXTURES.resolved(name), &EmitOptions::default())
        .expect("emits")
}

fn config(e: &Emission) -> Value {
    application(&e.artifacts[0].bytes)["managedConfiguration"].clone()
}

fn reported(e: &Emission, pointer: &str, severity: Severity) -> bool {
    e.diagnostics
        .iter()
        .any(|d| d.setting == pointer && d.severity == severity)
}

#[test]
fn the_registry_has_the_three_apps() {
    let ids: Vec<_> = emitters().iter().map(|e| e.id()).collect();
    assert_eq!(ids, ["android-gmail", "android-outlook", "android-samsung"]);
    assert!(emitters().iter().all(|e| e.family() == Family::Android));
}

#[test]
fn gmail_gets_the_account_as_exchange_sees_it() {
    let e = emit(&GmailEmitter, "full.yaml");
    assert_eq!(e.artifacts[0].file_name, "com.contoso.email.gmail.json");
    assert_eq!(e.artifacts[0].media_type, "application/json");
    assert_eq!(
        config(&e),
        json!({
            "email_address": "adele.smtp@contoso.com",
            "exchange_host": "outlook.office365.com",
            // sAM name with the NetBIOS domain, as Exchange expects it.
            "exchange_username": "CONTOSO\\adele",
            "exchange_ssl_required": true,
            "exchange_login_certificate_alias": "contoso-user",
        })
    );
    // OAuth, the sync window and S/MIME have no confirmed key: reported.
    assert!(reported(&e, "/account/oauth/enabled", Severity::Warning));
    assert!(reported(&e, "/sync/emailSyncDuration", Severity::Warning));
    assert!(reported(&e, "/smime/enabled", Severity::Warning));
    // The alias'd identity is referenced; the other certificates are reported one by one.
    assert!(
        !e.diagnostics
            .iter()
            .any(|d| d.setting == "/certificates/user-identity")
    );
    for name in ["smime-sign", "smime-encrypt", "contoso-root"] {
        assert!(
            reported(&e, &format!("/certificates/{name}"), Severity::Warning),
            "{name}"
        );
    }
}

#[test]
fn gmail_certificate_authentication_needs_a_keystore_alias() {
    let e = emit(&GmailEmitter, "basic-cert.yaml");
    let c = config(&e);
    assert_eq!(c["exchange_login_certificate_alias"], "eas-identity-alias");
    assert_eq!(c["exchange_username"], "adele@contoso.com");
    assert_eq!(c["exchange_ssl_required"], false);
    // SSL off with port 443: Gmail ignores the flag there, and says so.
    assert!(reported(&e, "/account/ssl", Severity::Warning));

    let e = emit(&GmailEmitter, "pkcs12-identity.yaml");
    assert!(config(&e).get("exchange_login_certificate_alias").is_none());
    assert!(reported(
        &e,
        "/account/authentication/identityCertificate",
        Severity::Warning
    ));
    assert!(reported(&e, "/certificates/user-p12", Severity::Warning));

    let e = emit(&GmailEmitter, "derived.yaml");
    assert!(config(&e).get("exchange_login_certificate_alias").is_none());
    assert!(reported(
        &e,
        "/account/authentication/method",
        Severity::Warning
    ));
}

#[test]
fn outlook_modern_authentication() {
    let e = emit(&OutlookEmitter, "full.yaml");
    assert_eq!(e.artifacts[0].file_name, "com.contoso.email.outlook.json");
    assert_eq!(
        config(&e),
        json!({
            "com.microsoft.outlook.EmailProfile.AccountType": "ModernAuth",
            "com.microsoft.outlook.EmailProfile.EmailAddress": "adele.smtp@contoso.com",
            // The profile's user name is CONTOSO\adele (sAM), but modern authentication
            // signs in through Entra ID with the user principal name.
            "com.microsoft.outlook.EmailProfile.EmailUPN": "adele@contoso.com",
            "com.microsoft.outlook.Mail.SMIMEEnabled": true,
            "com.microsoft.outlook.Mail.SMIMEEnabled.SignAllMail": true,
            "com.microsoft.outlook.Mail.SMIMEEnabled.SignAllMail.UserChangeAllowed": true,
            "com.microsoft.outlook.Mail.SMIMEEnabled.EncryptAllMail": true,
            "com.microsoft.outlook.Mail.SMIMEEnabled.EncryptAllMail.UserChangeAllowed": true,
        })
    );
    // Basic-authentication keys are left out with OAuth, and so is the sAM name (said once).
    assert!(reported(&e, "/account/server", Severity::Info));
    assert!(reported(&e, "/account/accountName", Severity::Info));
    assert!(reported(&e, "/account/username/source", Severity::Info));
    assert!(!reported(&e, "/account/username/source", Severity::Warning));
    assert!(reported(
        &e,
        "/smime/encryption/perMessageSwitch",
        Severity::Warning
    ));
}

#[test]
fn outlook_modern_authentication_without_a_upn_writes_no_sam_name() {
    let mut rp = fixture::FIXTURES.resolved("full.yaml");
    rp.user.user_principal_name = None;
    let e = OutlookEmitter
        .emit(&rp, &EmitOptions::default())
        .expect("emits");
    let c = config(&e);
    assert!(
        c.get("com.microsoft.outlook.EmailProfile.EmailUPN")
            .is_none(),
        "{c:#}"
    );
    assert!(reported(&e, "/account/username/source", Severity::Warning));
}

#[test]
fn outlook_basic_authentication_against_exchange_online_warns() {
    let mut rp = fixture::FIXTURES.resolved("full.yaml");
    rp.profile.account.oauth.enabled = false;
    let e = OutlookEmitter
        .emit(&rp, &EmitOptions::default())
        .expect("emits");
    let c = config(&e);
    assert_eq!(
        c["com.microsoft.outlook.EmailProfile.AccountType"],
        "BasicAuth"
    );
    // Basic authentication keeps the sAM form in its own keys.
    assert_eq!(c["com.microsoft.outlook.EmailProfile.EmailUPN"], "adele");
    assert_eq!(
        c["com.microsoft.outlook.EmailProfile.AccountDomain"],
        "CONTOSO"
    );
    let warning = e
        .diagnostics
        .iter()
        .find(|d| d.setting == "/account/oauth/enabled" && d.severity == Severity::Warning)
        .expect("a warning about basic authentication");
    assert!(
        warning.message.contains("AccountType=BasicAuth")
            && warning.message.contains("outlook.office365.com"),
        "{}",
        warning.message
    );
    // On premises, basic authentication passes without that warning.
    let e = emit(&OutlookEmitter, "sam-custom.yaml");
    assert!(!reported(&e, "/account/oauth/enabled", Severity::Warning));
}

#[test]
fn outlook_basic_authentication_with_a_sam_name() {
    let e = emit(&OutlookEmitter, "sam-custom.yaml");
    assert_eq!(
        config(&e),
        json!({
            "com.microsoft.outlook.EmailProfile.AccountType": "BasicAuth",
            "com.microsoft.outlook.EmailProfile.EmailAddress": "adele@contoso.com",
            // account-setup.md: the bare name in EmailUPN, the domain in AccountDomain.
            "com.microsoft.outlook.EmailProfile.EmailUPN": "adele",
            "com.microsoft.outlook.EmailProfile.AccountDomain": "CONTOSO",
            "com.microsoft.outlook.EmailProfile.ServerHostName": "mail.contoso.com:8443",
            "com.microsoft.outlook.EmailProfile.EmailAccountName": "Contoso on-premises",
        })
    );
    assert!(reported(&e, "/account/ssl", Severity::Warning));
    assert!(reported(
        &e,
        "/account/authentication/password",
        Severity::Warning
    ));
}

#[test]
fn outlook_smime_switches_follow_the_profile() {
    let c = config(&emit(&OutlookEmitter, "derived.yaml"));
    assert_eq!(c["com.microsoft.outlook.Mail.SMIMEEnabled"], true);
    assert_eq!(
        c["com.microsoft.outlook.Mail.SMIMEEnabled.SignAllMail"],
        false
    );
    assert_eq!(
        c["com.microsoft.outlook.Mail.SMIMEEnabled.EncryptAllMail"],
        true
    );
    assert_eq!(
        c["com.microsoft.outlook.Mail.SMIMEEnabled.EncryptAllMail.UserChangeAllowed"],
        false
    );
    let c = config(&emit(&OutlookEmitter, "minimal.yaml"));
    assert!(c.get("com.microsoft.outlook.Mail.SMIMEEnabled").is_none());
}

#[test]
fn samsung_writes_no_unconfirmed_key_and_reports_everything() {
    let e = emit(&SamsungEmitter, "minimal.yaml");
    assert_eq!(e.artifacts[0].file_name, "com.contoso.minimal.samsung.json");
    assert_eq!(config(&e), json!({}));
    for pointer in [
        "/account/server",
        "/account/username/source",
        "/account/emailAddressSource",
        "/account/ssl",
    ] {
        assert!(reported(&e, pointer, Severity::Warning), "{pointer}");
    }
}

#[test]
fn outputs_are_deterministic_and_replace_is_add() {
    for e in emitters() {
        for file in fixture::FIXTURES.files() {
            let rp = fixture::resolve_as(fixture::load_file(&file), "adele");
            let a = e.emit(&rp, &EmitOptions::default()).expect("emits");
            let b = e.emit(&rp, &EmitOptions::default()).expect("emits");
            let r = e
                .emit(
                    &rp,
                    &EmitOptions {
                        operation: Operation::Replace,
                        ..EmitOptions::default()
                    },
                )
                .expect("emits");
            assert_eq!(a.artifacts, b.artifacts);
            assert_eq!(a.diagnostics, b.diagnostics);
            assert_eq!(a.artifacts, r.artifacts);
        }
    }
}

#[test]
fn forms_and_removal_do_not_apply() {
    let rp = fixture::FIXTURES.resolved("minimal.yaml");
    for e in emitters() {
        for options in [
            EmitOptions {
                form: Some("syncml".into()),
                ..EmitOptions::default()
            },
            EmitOptions {
                operation: Operation::Remove,
                ..EmitOptions::default()
            },
        ] {
            assert!(
                matches!(e.emit(&rp, &options), Err(EmitError::InvalidOption(_))),
                "{}",
                e.id()
            );
        }
    }
}

#[test]
fn no_password_reaches_an_android_output_or_message() {
    let rp = fixture::FIXTURES.resolved("sam-custom.yaml");
    assert!(rp.password.is_some());
    let options = EmitOptions {
        include_password: true,
        ..EmitOptions::default()
    };
    for e in emitters() {
        let emission = e.emit(&rp, &options).expect("emits");
        let shown = format!(
            "{} {emission:?}",
            String::from_utf8_lossy(&emission.artifacts[0].bytes)
        );
        assert!(!shown.contains("s3cr3t"), "{}", e.id());
        assert!(
            emission
                .diagnostics
                .iter()
                .any(|d| d.setting == "/account/authentication/password"),
            "{}",
            e.id()
        );
    }
}

#[test]
fn outlook_for_ios_gets_the_same_keys_as_a_managed_app_configuration_dictionary() {
    use emailprof_android::IosOutlookEmitter;
    let ios = emit(&IosOutlookEmitter, "full.yaml");
    assert_eq!(
        ios.artifacts[0].file_name,
        "com.contoso.email.outlook-ios.plist"
    );
    assert!(!ios.artifacts[0].signable);
    let text = String::from_utf8(ios.artifacts[0].bytes.clone()).unwrap();
    // A bare <dict>: what MDMs take for an app configuration, no XML declaration or <plist>.
    assert!(
        text.starts_with("<dict>\n") && text.ends_with("</dict>\n"),
        "{text}"
    );
    assert!(
        !text.contains("<?xml") && !text.contains("<plist"),
        "{text}"
    );
    // Key for key and value for value the Android configuration.
    let android = config(&emit(&OutlookEmitter, "full.yaml"));
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let pairs: std::collections::BTreeMap<String, String> = lines[1..lines.len() - 1]
        .chunks(2)
        .map(|kv| {
            let key = kv[0]
                .strip_prefix("<key>")
                .and_then(|k| k.strip_suffix("</key>"));
            (key.expect("a key").to_owned(), kv[1].to_owned())
        })
        .collect();
    let expected: std::collections::BTreeMap<String, String> = android
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Bool(true) => "<true/>".to_owned(),
                Value::Bool(false) => "<false/>".to_owned(),
                Value::String(s) => format!("<string>{s}</string>"),
                other => panic!("{other}"),
            };
            (k.clone(), v)
        })
        .collect();
    assert_eq!(pairs, expected);
    assert!(
        text.contains("<string>adele@contoso.com</string>"),
        "{text}"
    );
    assert_eq!(IosOutlookEmitter.family(), Family::Ios);
    // Markup in values is escaped.
    let mut rp = fixture::FIXTURES.resolved("minimal.yaml");
    rp.profile.account.oauth.enabled = false;
    rp.profile.account.account_name = "R&D <mail>".into();
    let e = IosOutlookEmitter
        .emit(&rp, &EmitOptions::default())
        .expect("emits");
    let text = String::from_utf8(e.artifacts[0].bytes.clone()).unwrap();
    assert!(
        text.contains("<string>R&amp;D &lt;mail&gt;</string>"),
        "{text}"
    );
    // Only one form; no removal.
    let bad = EmitOptions {
        form: Some("syncml".into()),
        ..EmitOptions::default()
    };
    assert!(IosOutlookEmitter.emit(&rp, &bad).is_err());
}
