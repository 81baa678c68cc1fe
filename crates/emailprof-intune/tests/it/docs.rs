//! The Graph documentation's own examples, one per concrete type (`tests/data/docs-*`).

use emailprof_core::{EmailProfile, Severity};
use emailprof_intune::{GraphType, export_graph};
use serde_json::{Value, json};

use crate::{at, data, finding, import_one, json};

/// Every docs example, with its type and the pointer of the object in the file.
const EXAMPLES: [(&str, GraphType, &str); 8] = [
    ("docs-ios-create-response.json", GraphType::Ios, ""),
    (
        "docs-windows10-create-response.json",
        GraphType::Windows10,
        "",
    ),
    (
        "docs-windowsphone-get.json",
        GraphType::WindowsPhone,
        "/value",
    ),
    ("docs-knox-get.json", GraphType::AndroidKnox, "/value"),
    (
        "docs-forwork-gmail-get.json",
        GraphType::AndroidForWorkGmail,
        "/value",
    ),
    (
        "docs-forwork-nine-create-response.json",
        GraphType::AndroidForWorkNineWork,
        "",
    ),
    (
        "docs-workprofile-gmail-create-response.json",
        GraphType::AndroidWorkProfileGmail,
        "",
    ),
    (
        "docs-workprofile-nine-create-response.json",
        GraphType::AndroidWorkProfileNineWork,
        "",
    ),
];

#[test]
fn every_documented_property_is_known_and_only_the_placeholder_host_fails() {
    for (file, ty, base) in EXAMPLES {
        let p = import_one(file);
        assert_eq!(p.graph_type, Some(ty), "{file}");
        let doc = json(file);
        let id = at(&doc, &format!("{base}/id")).as_str().unwrap();
        assert_eq!(p.id.as_deref(), Some(id), "{file}");
        assert_eq!(
            at(&p.profile, "/identifier"),
            &json!(format!("com.microsoft.intune.{id}")),
            "{file}"
        );
        // The tables in graph_type.rs were typed from the resource pages; the examples are
        // generated from the same metadata, so nothing in them may be unknown.
        for f in &p.findings {
            assert!(
                !f.message.contains("unknown") && !f.message.contains("not a property"),
                "{file}: {f}"
            );
        }
        // "Host Name value" is not a host name: the one error, reported at hostName.
        let errors: Vec<&str> = p
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.pointer.as_str())
            .collect();
        assert_eq!(
            errors,
            [format!("{base}/hostName")],
            "{file}: {:#?}",
            p.findings
        );
        assert_eq!(at(&p.profile, "/account/server"), "Host Name value");
        assert_eq!(at(&p.profile, "/displayName"), "Display Name value");
        assert_eq!(at(&p.profile, "/description"), "Description value");
        // Every example sets oneDay.
        assert_eq!(
            at(&p.profile, "/sync/emailSyncDuration"),
            "oneDay",
            "{file}"
        );
    }
}

#[test]
fn ios_example_maps_each_documented_setting() {
    let p = import_one("docs-ios-create-response.json");
    let d = &p.profile;
    assert_eq!(at(d, "/account/accountName"), "Account Name value");
    // usernameAADSource = primarySmtpAddress: the domain settings do not apply.
    assert_eq!(at(d, "/account/username/source"), "primarySmtpAddress");
    assert!(d.pointer("/account/username/domain").is_none());
    finding(&p, Severity::Info, "/customDomainName");
    finding(&p, Severity::Info, "/userDomainNameSource");
    assert_eq!(at(d, "/account/emailAddressSource"), "primarySmtpAddress");
    assert_eq!(at(d, "/account/authentication/method"), "certificate");
    assert!(
        d.pointer("/account/ssl").is_none(),
        "requireSsl true is the default"
    );
    assert_eq!(at(d, "/account/oauth/enabled"), true);
    // easServices "calendars": Calendar only.
    assert_eq!(at(d, "/sync/services"), &json!(["calendars"]));
    assert!(d.pointer("/sync/userCanChange").is_none());
    // All three block* true: all three "Allow" settings off.
    assert_eq!(
        at(d, "/mail"),
        &json!({"allowMove": false, "allowThirdPartySend": false, "syncRecentAddresses": false})
    );
    assert_eq!(
        at(d, "/smime"),
        &json!({
            "enabled": true,
            "signing": {
                "enabled": true, "userCanChange": true, "certificateType": "certificate",
                "certificate": "smime-signing", "certificateUserCanChange": true
            },
            "encryption": {
                "encryptByDefault": true, "encryptByDefaultUserCanChange": true,
                "perMessageSwitch": true, "certificateType": "certificate",
                "certificate": "smime-encryption", "certificateUserCanChange": true
            }
        })
    );
    // A plain response carries no certificate references: placeholders, and a warning each.
    for (nav, name) in [
        ("identityCertificate", "identity"),
        ("smimeSigningCertificate", "smime-signing"),
        ("smimeEncryptionCertificate", "smime-encryption"),
    ] {
        assert!(
            finding(&p, Severity::Warning, &format!("/{nav}"))
                .message
                .contains("not exported")
        );
        let cert = at(d, &format!("/certificates/{name}"));
        assert_eq!(cert["kind"], "external");
        assert!(cert.get("graphId").is_none());
    }
    assert!(
        finding(&p, Severity::Warning, "/perAppVPNProfileId")
            .message
            .contains("Graph id")
    );
    assert!(d.pointer("/platforms").is_none());
}

#[test]
fn windows_examples_keep_the_sync_schedule_and_sync_everything() {
    for (file, base) in [
        ("docs-windows10-create-response.json", ""),
        ("docs-windowsphone-get.json", "/value"),
    ] {
        let p = import_one(file);
        let d = &p.profile;
        assert_eq!(at(d, "/platforms/windows/syncSchedule"), "asMessagesArrive");
        // syncCalendar/Contacts/Tasks all true: everything syncs (the default, left out).
        assert!(d.pointer("/sync/services").is_none(), "{d:#}");
        assert_eq!(at(d, "/account/username/source"), "primarySmtpAddress");
        finding(&p, Severity::Info, &format!("{base}/customDomainName"));
        // No authentication method on the Windows types.
        assert!(d.pointer("/account/authentication").is_none());
    }
}

#[test]
fn knox_example_reads_the_android_username_source_and_drops_the_schedule() {
    let p = import_one("docs-knox-get.json");
    let d = &p.profile;
    // usernameSource userPrincipalName: the default, left out; the domain does not apply.
    assert!(d.pointer("/account/username").is_none(), "{d:#}");
    finding(&p, Severity::Info, "/value/customDomainName");
    assert!(
        d.pointer("/sync/services").is_none(),
        "all four switches on"
    );
    assert_eq!(at(d, "/smime/enabled"), true);
    assert_eq!(at(d, "/smime/signing/certificate"), "smime-signing");
    finding(&p, Severity::Warning, "/value/smimeSigningCertificate");
    finding(&p, Severity::Warning, "/value/identityCertificate");
    finding(&p, Severity::Warning, "/value/emailSyncSchedule");
    assert_eq!(at(d, "/platforms/android/app"), "samsung");
}

#[test]
fn android_enterprise_examples_have_no_account_name() {
    for (file, ty, base) in &EXAMPLES[4..] {
        let p = import_one(file);
        assert!(!ty.has("accountName"));
        assert_eq!(at(&p.profile, "/account/accountName"), "Display Name value");
        assert!(
            p.findings.iter().any(|f| f.severity == Severity::Info
                && f.pointer == *base
                && f.message.contains("no account name")),
            "{file}: {:#?}",
            p.findings
        );
        let app = p.profile.pointer("/platforms/android/app");
        match ty {
            GraphType::AndroidForWorkNineWork | GraphType::AndroidWorkProfileNineWork => {
                assert_eq!(app, Some(&json!("nineWork")));
                assert!(
                    p.profile.pointer("/sync/services").is_none(),
                    "three switches on"
                );
            }
            _ => assert_eq!(app, None, "Gmail is the default app"),
        }
    }
}

/// What the exporter writes for each type is a subset of what the documentation's example
/// for that type holds, with the same JSON type per property.
#[test]
fn exports_use_only_documented_properties_of_the_documented_json_type() {
    let rich: EmailProfile = serde_json::from_slice(&data("profile-rich.json")).unwrap();
    for (file, ty, base) in EXAMPLES {
        let doc = json(file);
        let example = at(&doc, if base.is_empty() { "" } else { base })
            .as_object()
            .unwrap();
        let out = export_graph(&rich, ty).unwrap().json;
        for (key, value) in out.as_object().unwrap() {
            if let Some(nav) = key.strip_suffix("@odata.bind") {
                assert!(ty.references().contains(&nav), "{ty}: {key}");
                continue;
            }
            let Some(documented) = example.get(key) else {
                panic!("{ty}: `{key}` is not in the documentation's example");
            };
            let same_kind = matches!(
                (documented, value),
                (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_))
            );
            assert!(
                same_kind,
                "{ty}: `{key}` is {value}, documented as {documented}"
            );
        }
        assert!(out.get("id").is_none(), "Intune assigns the id");
    }
}
