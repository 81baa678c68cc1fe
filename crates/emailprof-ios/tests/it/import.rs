//! Reading `.mobileconfig` files back: what is inferred, what is reported, what is refused.

use emailprof_core::{EmitOptions, Severity};
use emailprof_ios::{ImportError, Imported, import_mobileconfig};
use plist::Value;
use proptest::prelude::*;
use serde_json::json;

use crate::common::*;

fn to_xml(top: &plist::Dictionary) -> Vec<u8> {
    let mut out = Vec::new();
    plist::to_writer_xml(&mut out, &Value::Dictionary(top.clone())).unwrap();
    out
}

fn findings_at<'a>(i: &'a Imported, path: &str) -> Vec<&'a emailprof_ios::ImportFinding> {
    i.findings.iter().filter(|f| f.key_path == path).collect()
}

fn full_import() -> (String, Imported) {
    let (xml, _) = emit(&resolve(profile("full.yaml")), &EmitOptions::default());
    let imported = import_mobileconfig(xml.as_bytes()).expect("imports");
    (xml, imported)
}

#[test]
fn full_profile_imports_with_sources_inferred_and_secrets_left_out() {
    let (_, i) = full_import();
    let p = &i.profile;
    assert_eq!(p["identifier"], "com.contoso.email");
    assert_eq!(p["displayName"], "Contoso Exchange");
    assert_eq!(p["account"]["accountName"], "Contoso mail");
    assert_eq!(
        p["account"]["username"],
        json!({"source": "samAccountName", "domain": {"source": "custom", "name": "CONTOSO"}})
    );
    assert_eq!(
        p["account"]["authentication"],
        json!({"method": "certificate", "identityCertificate": "user-identity"})
    );
    assert_eq!(p["smime"]["signing"]["certificate"], "smime-signing");
    assert_eq!(p["smime"]["encryption"]["certificate"], "external-6c9e5d4b");
    assert_eq!(
        p["certificates"]["external-6c9e5d4b"]["external"]["payloadUuid"],
        "6C9E5D4B-8F1A-4E2B-9C3D-0A1B2C3D4E5F"
    );
    assert_eq!(
        p["sync"],
        json!({"services": ["email", "calendars", "contacts"], "userCanChange": false, "emailSyncDuration": "twoWeeks"})
    );
    assert_eq!(
        p["mail"],
        json!({"allowMove": false, "allowThirdPartySend": false, "syncRecentAddresses": false})
    );
    // Placeholders come back from the resolved values.
    assert_eq!(
        p["certificates"]["smime-signing"]["scep"]["subject"],
        "CN={{username}},OU=Mobile\\, Staff,O=Contoso,1.2.840.113549.1.9.1={{emailAddress}}"
    );
    // No secret is imported; each is reported where it was.
    let text = serde_json::to_string(p).unwrap();
    assert!(!text.contains(SCEP_CHALLENGE));
    assert!(
        p["certificates"]["user-identity"]["pkcs12"]
            .get("passphrase")
            .is_none()
    );
    let challenge = findings_at(&i, "PayloadContent[1].PayloadContent.Challenge");
    assert_eq!(challenge.len(), 1);
    assert_eq!(challenge[0].severity, Severity::Warning);
    // Certificate files to write beside the profile.
    assert_eq!(
        i.files["certs/user1.p12"],
        std::fs::read(data("user1.p12")).unwrap()
    );
    assert_eq!(
        i.files["certs/contoso-root.der"],
        std::fs::read(data("contoso-root.der")).unwrap()
    );
    assert_eq!(
        p["certificates"]["user-identity"]["pkcs12"]["file"],
        "certs/user1.p12"
    );
    // The UserName inference is explained.
    let user = findings_at(&i, "PayloadContent[3].UserName");
    assert!(
        user.iter()
            .any(|f| f.severity == Severity::Info && f.message.contains("sAM account name")),
        "{user:?}"
    );
}

#[test]
fn binary_plists_import_like_xml() {
    let (xml, from_xml) = full_import();
    let value = Value::from_reader_xml(xml.as_bytes()).unwrap();
    let mut bin = Vec::new();
    value.to_writer_binary(&mut bin).unwrap();
    assert!(bin.starts_with(b"bplist00"));
    let from_bin = import_mobileconfig(&bin).unwrap();
    assert_eq!(from_bin.profile, from_xml.profile);
    assert_eq!(from_bin.files, from_xml.files);
}

#[test]
fn wrong_types_unknown_keys_and_ranges_are_reported_with_their_path() {
    let (xml, _) = emit(&resolve(profile("minimal.yaml")), &EmitOptions::default());
    let mut top = dict(&xml);
    {
        let eas = payload_mut(&mut top, 0);
        eas.insert("SSL".into(), Value::String("true".into()));
        eas.insert(
            "MailNumberOfPastDaysToSync".into(),
            Value::Integer(5.into()),
        );
        eas.insert("EnableMailUserOverrideable".into(), Value::Boolean(false));
        eas.insert("HeaderMagic".into(), Value::String("x".into()));
        eas.insert("PreventMove".into(), Value::Integer(1.into()));
    }
    top.insert("PayloadRemovalDisallowed".into(), Value::Boolean(true));
    top.insert("Bogus".into(), Value::Boolean(true));
    let i = import_mobileconfig(&to_xml(&top)).expect("still imports");
    let check = |path: &str, severity: Severity, words: &str| {
        let f = findings_at(&i, path);
        assert!(
            f.iter()
                .any(|f| f.severity == severity && f.message.contains(words)),
            "{path}: {:#?}",
            i.findings
        );
    };
    check(
        "PayloadContent[0].SSL",
        Severity::Error,
        "expected a boolean, found a string",
    );
    check(
        "PayloadContent[0].MailNumberOfPastDaysToSync",
        Severity::Error,
        "its valid values are 0, 1, 3, 7, 14, 31",
    );
    check(
        "PayloadContent[0].EnableMailUserOverrideable",
        Severity::Warning,
        "unknown key",
    );
    check(
        "PayloadContent[0].HeaderMagic",
        Severity::Warning,
        "not carried over",
    );
    check(
        "PayloadContent[0].PreventMove",
        Severity::Error,
        "expected a boolean, found an integer",
    );
    check(
        "PayloadRemovalDisallowed",
        Severity::Warning,
        "not carried over",
    );
    check("Bogus", Severity::Warning, "unknown key");
    // The wrong values are ignored, the rest imported.
    assert_eq!(i.profile["account"]["ssl"], false);
    assert!(i.profile.get("sync").is_none(), "{}", i.profile);
    assert!(i.profile.get("mail").is_none());
}

#[test]
fn what_cannot_be_a_profile_is_refused() {
    assert!(matches!(
        import_mobileconfig(b""),
        Err(ImportError::Signature(_))
    ));
    assert!(matches!(
        import_mobileconfig(b"<?xml version=\"1.0\"?><nope/>"),
        Err(ImportError::NotAProfile(_))
    ));
    assert!(matches!(
        import_mobileconfig(b"<plist version=\"1.0\"><array/></plist>"),
        Err(ImportError::NotAProfile(_))
    ));
    let (xml, _) = emit(&resolve(profile("minimal.yaml")), &EmitOptions::default());
    let top = dict(&xml);

    let mut enc = top.clone();
    enc.insert("IsEncrypted".into(), Value::Boolean(true));
    assert_eq!(
        import_mobileconfig(&to_xml(&enc)).unwrap_err(),
        ImportError::Encrypted
    );

    let mut wifi = top.clone();
    let item = payload_mut(&mut wifi, 0);
    item.insert(
        "PayloadType".into(),
        Value::String("com.apple.wifi.managed".into()),
    );
    assert_eq!(
        import_mobileconfig(&to_xml(&wifi)).unwrap_err(),
        ImportError::NoExchangeAccount
    );

    let mut no_host = top.clone();
    let item = payload_mut(&mut no_host, 0);
    item.remove("Host");
    let e = import_mobileconfig(&to_xml(&no_host)).unwrap_err();
    assert!(
        matches!(&e, ImportError::Invalid { key_path, .. } if key_path == "PayloadContent[0].Host"),
        "{e}"
    );

    let mut other = top.clone();
    other.insert(
        "PayloadType".into(),
        Value::String("com.apple.eas.account".into()),
    );
    assert!(matches!(
        import_mobileconfig(&to_xml(&other)),
        Err(ImportError::Invalid { .. })
    ));
}

#[test]
fn hand_written_legacy_profile_imports() {
    // The shape of older hand-written profiles: lower-case UUIDs, deprecated S/MIME keys, an
    // inline identity, a password, a UPN user name, a non-reverse-DNS identifier.
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadType</key><string>com.apple.eas.account</string>
      <key>PayloadVersion</key><integer>1</integer>
      <key>PayloadIdentifier</key><string>com.example.eas</string>
      <key>PayloadUUID</key><string>0b5f1d1e-2f3a-4b4c-8d9e-0a1b2c3d4e5f</string>
      <key>Host</key><string>mail.example.com</string>
      <key>UserName</key><string>jane@example.com</string>
      <key>EmailAddress</key><string>jane@example.com</string>
      <key>Password</key><string>s3cret-in-file</string>
      <key>Certificate</key><data>MIIBAA==</data>
      <key>CertificateName</key><string>Jane identity</string>
      <key>SMIMEEnabled</key><true/>
      <key>SMIMEEnablePerMessageSwitch</key><true/>
      <key>SMIMEEncryptionEnabled</key><true/>
      <key>MailNumberOfPastDaysToSync</key><integer>31</integer>
    </dict>
  </array>
  <key>PayloadDisplayName</key><string>Example mail</string>
  <key>PayloadIdentifier</key><string>example_mail</string>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadUUID</key><string>1b5f1d1e-2f3a-4b4c-8d9e-0a1b2c3d4e5f</string>
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>"#;
    let i = import_mobileconfig(xml.as_bytes()).unwrap();
    let p = &i.profile;
    assert_eq!(p["identifier"], "com.example-mail");
    assert!(
        findings_at(&i, "PayloadIdentifier")[0]
            .message
            .contains("second profile")
    );
    assert_eq!(p["account"]["accountName"], "Example mail");
    assert!(p["account"].get("username").is_none(), "UPN is the default");
    assert_eq!(p["account"]["ssl"], false);
    assert_eq!(p["account"]["authentication"]["method"], "certificate");
    let name = p["account"]["authentication"]["identityCertificate"]
        .as_str()
        .unwrap();
    assert_eq!(name, "Jane-identity");
    assert_eq!(i.files["certs/Jane-identity.p12"], [0x30, 0x82, 0x01, 0x00]);
    assert_eq!(
        p["smime"]["encryption"],
        json!({"encryptByDefault": true, "perMessageSwitch": true})
    );
    assert_eq!(p["sync"]["emailSyncDuration"], "oneMonth");
    assert!(!serde_json::to_string(p).unwrap().contains("s3cret"));
    assert_eq!(
        findings_at(&i, "PayloadContent[0].Password")[0].severity,
        Severity::Warning
    );
    assert_eq!(
        findings_at(&i, "PayloadContent[0].SSL")[0].severity,
        Severity::Warning
    );
}

/// Values of every plist type, to put where another is expected.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(|i| Value::Integer(i.into())),
        ".{0,12}".prop_map(Value::String),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::Data),
        any::<f64>().prop_map(Value::Real),
        Just(Value::Array(vec![Value::String("x".into())])),
        Just(Value::Array(vec![Value::Array(vec![Value::Array(vec![])])])),
        Just(Value::Dictionary(plist::Dictionary::new())),
    ]
}

/// Every (payload index, key path) of a profile's payloads, one level into dictionaries.
fn slots(top: &plist::Dictionary) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for (i, p) in top["PayloadContent"].as_array().unwrap().iter().enumerate() {
        for (k, v) in p.as_dictionary().unwrap().iter() {
            out.push((i, vec![k.clone()]));
            if let Value::Dictionary(d) = v {
                for k2 in d.keys() {
                    out.push((i, vec![k.clone(), k2.clone()]));
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = import_mobileconfig(&bytes);
        let mut xml = b"<?xml version=\"1.0\"?><plist version=\"1.0\">".to_vec();
        xml.extend_from_slice(&bytes);
        let _ = import_mobileconfig(&xml);
        let mut bin = b"bplist00".to_vec();
        bin.extend_from_slice(&bytes);
        let _ = import_mobileconfig(&bin);
    }

    #[test]
    fn mutated_profiles_never_panic(
        picks in proptest::collection::vec((any::<prop::sample::Index>(), any_value(), any::<bool>()), 1..6),
    ) {
        let (xml, _) = emit(&resolve(profile("full.yaml")), &EmitOptions::default());
        let mut top = dict(&xml);
        let all = slots(&top);
        for (pick, value, remove) in picks {
            let (i, path) = &all[pick.index(all.len())];
            let item = payload_mut(&mut top, *i);
            let target = if path.len() == 1 { Some(item) } else { item.get_mut(&path[0]).and_then(Value::as_dictionary_mut) };
            if let Some(d) = target {
                let key = path.last().unwrap().clone();
                if remove { d.remove(&key); } else { d.insert(key, value); }
            }
        }
        match import_mobileconfig(&to_xml(&top)) {
            // Whatever is imported is a valid profile (the importer validates it) and every
            // finding names where it is.
            Ok(i) => prop_assert!(i.findings.iter().all(|f| !f.message.is_empty())),
            Err(ImportError::InvalidProfile(e)) => prop_assert!(false, "invalid profile produced: {e:?}"),
            Err(_) => {}
        }
    }

    #[test]
    fn mutated_bytes_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let (xml, _) = emit(&resolve(profile("minimal.yaml")), &EmitOptions::default());
        let value = Value::from_reader_xml(xml.as_bytes()).unwrap();
        let mut bin = Vec::new();
        value.to_writer_binary(&mut bin).unwrap();
        for mut bytes in [xml.into_bytes(), bin] {
            for (at, v) in &flips {
                let i = at.index(bytes.len());
                bytes[i] = *v;
            }
            let _ = import_mobileconfig(&bytes);
        }
    }
}

#[test]
fn certificates_with_the_same_file_name_keep_their_own_files() {
    let (xml, _) = emit(&resolve(profile("full.yaml")), &EmitOptions::default());
    let mut top = dict(&xml);
    let items = top
        .get_mut("PayloadContent")
        .unwrap()
        .as_array_mut()
        .unwrap();
    // The root CA payload claims the identity's file name.
    let root = items[0].as_dictionary_mut().unwrap();
    assert_eq!(
        root["PayloadType"].as_string(),
        Some("com.apple.security.root")
    );
    root.insert(
        "PayloadCertificateFileName".into(),
        Value::String("user1.p12".into()),
    );
    let i = import_mobileconfig(&to_xml(&top)).unwrap();
    let p12 = i.profile["certificates"]["user-identity"]["pkcs12"]["file"]
        .as_str()
        .unwrap();
    let ca = i.profile["certificates"]["contoso-root"]["ca"]["file"]
        .as_str()
        .unwrap();
    assert_ne!(p12, ca);
    assert_eq!(i.files[p12], std::fs::read(data("user1.p12")).unwrap());
    assert_eq!(
        i.files[ca],
        std::fs::read(data("contoso-root.der")).unwrap()
    );
}

/// Apple's published ExchangeActiveSync example: its account payload is `com.example.myeaspayload`
/// with a lower-case UUID, and the profile's UUID ends in a stray `'`.
fn apple_example() -> Vec<u8> {
    std::fs::read(data("corpus/apple-developer-example.mobileconfig")).unwrap()
}

#[test]
fn payload_identifiers_and_uuids_are_kept_and_emitted_again() {
    let i = import_mobileconfig(&apple_example()).unwrap();
    let kept = &i.profile["platforms"]["ios"]["payloads"];
    assert_eq!(
        kept["account"],
        json!({"identifier": "com.example.myeaspayload", "uuid": "de789252-dcf2-42e7-91c8-0ab9f50aafc5"})
    );
    // Not a UUID: replaced by one made from the identifier, and said so.
    let made = emailprof_ios::payload_uuid("com.example.myprofile", "Configuration", "");
    assert_eq!(kept["profileUuid"], made.as_str());
    let f = findings_at(&i, "PayloadUUID");
    assert!(
        f.iter().any(|f| f.severity == Severity::Warning
            && f.message.contains("b8fd6fd7-a55e-4eb1-96af-d9c4d8562e38'")
            && f.message.contains(&made)),
        "{f:#?}"
    );

    // Emitted again, the account payload is the one devices have (for every user).
    let p: emailprof_core::EmailProfile = serde_json::from_value(i.profile).unwrap();
    let (xml, _) = emit(&resolve(p), &EmitOptions::default());
    let top = dict(&xml);
    let eas = payload(&top, "com.apple.eas.account");
    assert_eq!(
        eas["PayloadIdentifier"].as_string(),
        Some("com.example.myeaspayload")
    );
    assert_eq!(
        eas["PayloadUUID"].as_string(),
        Some("de789252-dcf2-42e7-91c8-0ab9f50aafc5")
    );
    assert_eq!(
        top["PayloadIdentifier"].as_string(),
        Some("com.example.myprofile")
    );
    assert_eq!(top["PayloadUUID"].as_string(), Some(made.as_str()));
}

#[test]
fn kept_certificate_identities_are_what_the_account_refers_to() {
    let (xml, _) = emit(&resolve(profile("full.yaml")), &EmitOptions::default());
    let mut top = dict(&xml);
    // Give the PKCS#12 payload (and the account's reference to it) an identity of another tool.
    let (old_uuid, index) = {
        let items = top["PayloadContent"].as_array().unwrap();
        let n = items
            .iter()
            .position(|p| {
                p.as_dictionary().unwrap()["PayloadType"].as_string()
                    == Some("com.apple.security.pkcs12")
            })
            .unwrap();
        let d = items[n].as_dictionary().unwrap();
        (d["PayloadUUID"].as_string().unwrap().to_owned(), n)
    };
    let new_uuid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    {
        let cert = payload_mut(&mut top, index);
        cert.insert(
            "PayloadIdentifier".into(),
            Value::String("com.othermdm.identity".into()),
        );
        cert.insert("PayloadUUID".into(), Value::String(new_uuid.into()));
    }
    let eas_index = top["PayloadContent"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| {
            p.as_dictionary().unwrap()["PayloadType"].as_string() == Some("com.apple.eas.account")
        })
        .unwrap();
    {
        let eas = payload_mut(&mut top, eas_index);
        assert_eq!(
            eas["PayloadCertificateUUID"].as_string(),
            Some(old_uuid.as_str())
        );
        eas.insert(
            "PayloadCertificateUUID".into(),
            Value::String(new_uuid.into()),
        );
    }
    let i = import_mobileconfig(&to_xml(&top)).unwrap();
    let name = i.profile["account"]["authentication"]["identityCertificate"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        i.profile["platforms"]["ios"]["payloads"]["certificates"][&name],
        json!({"identifier": "com.othermdm.identity", "uuid": new_uuid})
    );
    let p: emailprof_core::EmailProfile = serde_json::from_value(i.profile).unwrap();
    let (xml2, _) = emit(&resolve(p), &EmitOptions::default());
    let top2 = dict(&xml2);
    let cert = payload(&top2, "com.apple.security.pkcs12");
    assert_eq!(
        cert["PayloadIdentifier"].as_string(),
        Some("com.othermdm.identity")
    );
    assert_eq!(cert["PayloadUUID"].as_string(), Some(new_uuid));
    let eas = payload(&top2, "com.apple.eas.account");
    assert_eq!(eas["PayloadCertificateUUID"].as_string(), Some(new_uuid));
}

/// Apple's example with a real deployment's 365 days of mail and a `PayloadVersion` string.
fn with_bad_values() -> Vec<u8> {
    let mut top = plist::Value::from_reader(std::io::Cursor::new(apple_example()))
        .unwrap()
        .into_dictionary()
        .unwrap();
    payload_mut(&mut top, 0).insert(
        "MailNumberOfPastDaysToSync".into(),
        Value::Integer(365.into()),
    );
    top.insert("PayloadVersion".into(), Value::String("1".into()));
    to_xml(&top)
}

#[test]
fn strict_import_names_the_key_and_its_valid_values() {
    let i = import_mobileconfig(&with_bad_values()).unwrap();
    let days = findings_at(&i, "PayloadContent[0].MailNumberOfPastDaysToSync");
    assert_eq!(days.len(), 1, "{:#?}", i.findings);
    assert_eq!(days[0].severity, Severity::Error);
    assert_eq!(
        days[0].message,
        "MailNumberOfPastDaysToSync is 365; its valid values are 0, 1, 3, 7, 14, 31 (0: no limit); not imported"
    );
    // A wrongly typed key emailprof ignores does not block the import.
    let version = findings_at(&i, "PayloadVersion");
    assert_eq!(version.len(), 1);
    assert_eq!(version[0].severity, Severity::Warning);
    assert_eq!(
        i.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        1
    );
    // No message cites emailprof's copies of Apple's schema files.
    for f in &i.findings {
        assert!(!f.message.contains(".yaml"), "{f:?}");
    }
}

#[test]
fn lenient_import_writes_the_profile_without_each_offending_value() {
    let i = emailprof_ios::import_mobileconfig_with(
        &with_bad_values(),
        emailprof_ios::ImportOptions { lenient: true },
    )
    .unwrap();
    assert!(i.findings.iter().all(|f| f.severity != Severity::Error));
    let days = findings_at(&i, "PayloadContent[0].MailNumberOfPastDaysToSync");
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].severity, Severity::Warning);
    assert!(
        days[0]
            .message
            .contains("MailNumberOfPastDaysToSync is 365")
    );
    assert!(days[0].message.contains("left out of the profile"));
    // Everything else is imported as a strict import of the profile without the value gives.
    assert!(i.profile["sync"].get("emailSyncDuration").is_none());
    let clean = import_mobileconfig(&apple_example()).unwrap();
    let mut want = clean.profile.clone();
    let sync = want["sync"].as_object_mut().unwrap();
    sync.remove("emailSyncDuration");
    if sync.is_empty() {
        want.as_object_mut().unwrap().remove("sync");
    }
    assert_eq!(i.profile, want);
}

#[test]
fn a_payload_uuid_used_twice_is_kept_once() {
    // The profile and its account payload share one UUID (as hand-made profiles sometimes do).
    let mut top = plist::Value::from_reader(std::io::Cursor::new(apple_example()))
        .unwrap()
        .into_dictionary()
        .unwrap();
    let shared = "DE789252-DCF2-42E7-91C8-0AB9F50AAFC5";
    top.insert("PayloadUUID".into(), Value::String(shared.into()));
    let i = import_mobileconfig(&to_xml(&top)).unwrap();
    let kept = &i.profile["platforms"]["ios"]["payloads"];
    assert_eq!(kept["profileUuid"], shared);
    let account = kept["account"]["uuid"].as_str().unwrap();
    assert!(!account.eq_ignore_ascii_case(shared), "{kept}");
    let f = findings_at(&i, "PayloadContent[0].PayloadUUID");
    assert!(
        f.iter().any(|f| f.severity == Severity::Warning
            && f.message.contains("is the PayloadUUID of another payload")),
        "{:#?}",
        i.findings
    );
}
