//! Import → emit iOS: the Apple keys that the Graph → `com.apple.eas.account` pairing of
//! intune-graph.md §8 predicts, for the Contoso iOS fixture.

use std::collections::BTreeMap;

use emailprof_core::{
    DirectoryAttributes, EmitOptions, Emitter, ResolvedProfile, resolve_identity,
};
use emailprof_ios::IosEmitter;
use plist::Value;

use crate::{import, json, model};

const IDENTITY_UUID: &str = "6F1D2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B";
const SIGNING_UUID: &str = "7A2E3B4C-5D6E-4F70-9B0C-1D2E3F4A5B6C";
const ENCRYPTION_UUID: &str = "8B3F4C5D-6E7F-4081-8C1D-2E3F4A5B6C7D";

#[test]
fn imported_ios_profile_emits_the_keys_section_8_predicts() {
    let graph = json("contoso-all-types.json");
    let g = &graph[0];
    assert_eq!(
        g["@odata.type"],
        "#microsoft.graph.iosEasEmailProfileConfiguration"
    );
    let mut profile = model(&import("contoso-all-types.json")[0]);
    // Graph refers to certificate profiles by Graph id; an iOS profile needs the PayloadUUIDs
    // Intune gave them, which the administrator fills in after import.
    for (name, uuid) in [
        ("identity", IDENTITY_UUID),
        ("smime-signing", SIGNING_UUID),
        ("smime-encryption", ENCRYPTION_UUID),
    ] {
        let cert = profile.certificates.get_mut(name).unwrap();
        cert.external.as_mut().unwrap().payload_uuid = Some(uuid.into());
    }
    let attrs = DirectoryAttributes {
        user_id: "user1".into(),
        user_principal_name: Some("user1@contoso.onmicrosoft.com".into()),
        primary_smtp_address: Some("user.one@contoso.com".into()),
        sam_account_name: Some("user1".into()),
        domain_fqdn: Some("contoso.com".into()),
        netbios_name: Some("CONTOSO".into()),
    };
    let user = resolve_identity(&profile.account, &attrs).unwrap();
    let resolved = ResolvedProfile {
        profile,
        user,
        materials: BTreeMap::new(),
        password: None,
    };
    let emission = IosEmitter.emit(&resolved, &EmitOptions::default()).unwrap();
    let root: Value = plist::from_bytes(&emission.artifacts[0].bytes).unwrap();
    let eas = root
        .as_dictionary()
        .and_then(|d| d.get("PayloadContent"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_dictionary)
        .find(|d| d.get("PayloadType").and_then(Value::as_string) == Some("com.apple.eas.account"))
        .expect("an EAS payload");
    let s = |k: &str| {
        eas.get(k)
            .and_then(Value::as_string)
            .unwrap_or_else(|| panic!("{k}"))
    };
    let b = |k: &str| eas.get(k).and_then(Value::as_boolean);
    let g_bool = |k: &str| g[k].as_bool().unwrap();

    // hostName → Host; accountName → PayloadDisplayName.
    assert_eq!(s("Host"), g["hostName"]);
    assert_eq!(s("PayloadDisplayName"), g["accountName"]);
    // emailAddressSource primarySmtpAddress → EmailAddress; usernameAADSource samAccountName
    // with userDomainNameSource netBiosDomainName → UserName `domain\user`.
    assert_eq!(g["emailAddressSource"], "primarySmtpAddress");
    assert_eq!(s("EmailAddress"), "user.one@contoso.com");
    assert_eq!(
        (&g["usernameAADSource"], &g["userDomainNameSource"]),
        (&"samAccountName".into(), &"netBiosDomainName".into())
    );
    assert_eq!(s("UserName"), "CONTOSO\\user1");
    // authenticationMethod certificate + identityCertificate → PayloadCertificateUUID; no Password.
    assert_eq!(s("PayloadCertificateUUID"), IDENTITY_UUID);
    assert!(eas.get("Password").is_none());
    assert_eq!(b("SSL"), Some(g_bool("requireSsl")));
    assert_eq!(b("OAuth"), Some(g_bool("useOAuth")));
    // easServices "calendars, contacts, email" → Enable*; the override flag on all five.
    for (key, on) in [
        ("EnableMail", true),
        ("EnableCalendars", true),
        ("EnableContacts", true),
        ("EnableReminders", false),
        ("EnableNotes", false),
    ] {
        assert_eq!(b(key).unwrap_or(true), on, "{key}");
        assert_eq!(
            b(&format!("{key}UserOverridable")).unwrap_or(false),
            g_bool("easServicesUserOverrideEnabled"),
            "{key}UserOverridable"
        );
    }
    // durationOfEmailToSync twoWeeks → 14.
    assert_eq!(g["durationOfEmailToSync"], "twoWeeks");
    assert_eq!(
        eas.get("MailNumberOfPastDaysToSync")
            .and_then(Value::as_signed_integer),
        Some(14)
    );
    // The block* flags are the Prevent*/disable* keys unchanged.
    assert_eq!(
        b("PreventMove").unwrap_or(false),
        g_bool("blockMovingMessagesToOtherEmailAccounts")
    );
    assert_eq!(
        b("PreventAppSheet").unwrap_or(false),
        g_bool("blockSendingEmailFromThirdPartyApps")
    );
    assert_eq!(
        b("disableMailRecentsSyncing").unwrap_or(false),
        g_bool("blockSyncingRecentlyUsedEmailAddresses")
    );
    // S/MIME.
    assert_eq!(
        b("SMIMESigningEnabled"),
        Some(g_bool("smimeSigningEnabled"))
    );
    assert_eq!(
        b("SMIMESigningUserOverrideable"),
        Some(g_bool("smimeSigningUserOverrideEnabled"))
    );
    assert_eq!(s("SMIMESigningCertificateUUID"), SIGNING_UUID);
    assert_eq!(
        b("SMIMESigningCertificateUUIDUserOverrideable").unwrap_or(false),
        g_bool("smimeSigningCertificateUserOverrideEnabled")
    );
    assert_eq!(
        b("SMIMEEncryptByDefault"),
        Some(g_bool("smimeEncryptByDefaultEnabled"))
    );
    assert_eq!(
        b("SMIMEEncryptByDefaultUserOverrideable"),
        Some(g_bool("smimeEncryptByDefaultUserOverrideEnabled"))
    );
    assert_eq!(
        b("SMIMEEnableEncryptionPerMessageSwitch"),
        Some(g_bool("smimeEnablePerMessageSwitch"))
    );
    assert_eq!(s("SMIMEEncryptionCertificateUUID"), ENCRYPTION_UUID);
    assert_eq!(
        b("SMIMEEncryptionCertificateUUIDUserOverrideable"),
        Some(g_bool("smimeEncryptionCertificateUserOverrideEnabled"))
    );
}
