//! What an administrator relies on: stable GUIDs, the three operations, the two forms, values
//! that survive XML, and the password handled as a secret.

use emailprof_core::{Emission, EmitError, EmitOptions, Emitter, Operation, Severity};
use emailprof_windows::{ContentType, WindowsEmitter, account_guid, emitters};
use proptest::prelude::*;

use crate::fixture;
use crate::xml::{self, Element};

fn emit(name: &str, options: &EmitOptions) -> Result<Emission, EmitError> {
    WindowsEmitter.emit(&fixture::FIXTURES.resolved(name), options)
}

fn text(e: &Emission) -> String {
    String::from_utf8(e.artifacts[0].bytes.clone()).expect("UTF-8")
}

fn with(operation: Operation) -> EmitOptions {
    EmitOptions {
        operation,
        ..EmitOptions::default()
    }
}

/// (verb, LocURI, Data) of every command in the Atomic.
fn commands(doc: &str) -> Vec<(String, String, Option<String>)> {
    let root = xml::parse(doc);
    let atomic = root
        .child("SyncBody")
        .and_then(|b| b.child("Atomic"))
        .expect("an Atomic");
    atomic
        .children
        .iter()
        .filter(|c| c.name != "CmdID")
        .map(|c: &Element| {
            (
                c.name.clone(),
                c.text_at(&["Item", "Target", "LocURI"])
                    .unwrap_or("")
                    .to_owned(),
                c.text_at(&["Item", "Data"]).map(str::to_owned),
            )
        })
        .collect()
}

fn value_of(cmds: &[(String, String, Option<String>)], suffix: &str) -> Option<String> {
    cmds.iter()
        .find(|(_, uri, _)| uri.ends_with(suffix))
        .and_then(|(_, _, d)| d.clone())
}

#[test]
fn the_registry_has_one_windows_emitter() {
    let all = emitters();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id(), "windows");
    assert_eq!(all[0].title(), "Windows 10/11 (ActiveSync CSP SyncML)");
    assert_eq!(all[0].family(), emailprof_core::Family::Windows);
}

#[test]
fn same_input_same_bytes_and_same_account_for_every_operation() {
    let guid = account_guid("com.contoso.email", "adele");
    let prefix = format!("./User/Vendor/MSFT/ActiveSync/Accounts/%7B{guid:X}%7D");
    for op in [Operation::Add, Operation::Replace, Operation::Remove] {
        let a = emit("full.yaml", &with(op)).expect("emits");
        let b = emit("full.yaml", &with(op)).expect("emits");
        assert_eq!(a.artifacts, b.artifacts, "{op:?} is deterministic");
        assert_eq!(a.diagnostics, b.diagnostics);
        for (_, uri, _) in commands(&text(&a)) {
            assert!(uri.starts_with(&prefix), "{uri}");
        }
    }
    // Another user gets another account.
    let other = WindowsEmitter
        .emit(
            &fixture::resolve_as(fixture::FIXTURES.profile("full.yaml"), "megan"),
            &EmitOptions::default(),
        )
        .expect("emits");
    assert!(!text(&other).contains(&prefix));
}

#[test]
fn add_creates_the_account_node_then_its_leaves() {
    let e = emit("full.yaml", &EmitOptions::default()).expect("emits");
    let doc = text(&e);
    let cmds = commands(&doc);
    assert!(cmds.iter().all(|(v, _, _)| v == "Add"));
    assert!(cmds[0].1.ends_with("%7D") && cmds[0].2.is_none());
    assert!(doc.contains("<Format xmlns=\"syncml:metinf\">node</Format>"));
    // sAM: the bare name and the NetBIOS domain (email-settings-windows-10.md).
    assert_eq!(value_of(&cmds, "/UserName").as_deref(), Some("adele"));
    assert_eq!(value_of(&cmds, "/Domain").as_deref(), Some("CONTOSO"));
    assert_eq!(
        value_of(&cmds, "/EmailAddress").as_deref(),
        Some("adele.smtp@contoso.com")
    );
    assert_eq!(value_of(&cmds, "/Options/Schedule").as_deref(), Some("15"));
    assert_eq!(
        value_of(&cmds, "/Options/MailAgeFilter").as_deref(),
        Some("4")
    );
    assert_eq!(e.artifacts[0].file_name, "com.contoso.email.syncml.xml");
    assert_eq!(e.artifacts[0].media_type, "application/vnd.syncml.dm+xml");
}

#[test]
fn content_types_follow_the_services_and_reminders_are_tasks() {
    let e = emit("sam-custom.yaml", &EmitOptions::default()).expect("emits");
    let cmds = commands(&text(&e));
    let enabled = |ct: ContentType| {
        let guid = ct.guid().replace('{', "%7B").replace('}', "%7D");
        value_of(&cmds, &format!("/ContentTypes/{guid}/Enabled"))
    };
    // services: [email, reminders]
    assert_eq!(enabled(ContentType::Email).as_deref(), Some("1"));
    assert_eq!(enabled(ContentType::Tasks).as_deref(), Some("1"));
    assert_eq!(enabled(ContentType::Contacts).as_deref(), Some("0"));
    assert_eq!(enabled(ContentType::Calendar).as_deref(), Some("0"));
    assert_eq!(value_of(&cmds, "/Options/UseSSL").as_deref(), Some("0"));
    assert_eq!(
        value_of(&cmds, "/ServerName").as_deref(),
        Some("mail.contoso.com:8443")
    );
    assert_eq!(value_of(&cmds, "/Domain").as_deref(), Some("CONTOSO"));
    // "Based on my usage" has no CSP value: nothing written, a warning instead.
    assert_eq!(value_of(&cmds, "/Options/Schedule"), None);
    assert!(
        e.diagnostics
            .iter()
            .any(|d| d.setting == "/platforms/windows/syncSchedule"
                && d.severity == Severity::Warning)
    );
}

#[test]
fn notes_are_reported_not_dropped() {
    let e = emit("full.yaml", &EmitOptions::default()).expect("emits");
    let d = e
        .diagnostics
        .iter()
        .find(|d| d.setting == "/sync/services")
        .expect("a diagnostic about Notes");
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.message.contains("Notes"));
}

#[test]
fn replace_rewrites_what_may_change_and_says_what_may_not() {
    let e = emit("full.yaml", &with(Operation::Replace)).expect("emits");
    let cmds = commands(&text(&e));
    assert!(cmds.iter().all(|(v, _, _)| v == "Replace"));
    assert!(cmds.iter().all(|(_, _, d)| d.is_some()), "no node commands");
    assert_eq!(value_of(&cmds, "/AccountType"), None);
    assert_eq!(value_of(&cmds, "/UserName"), None);
    assert_eq!(
        value_of(&cmds, "/AccountName").as_deref(),
        Some("Contoso mail")
    );
    assert!(
        e.diagnostics
            .iter()
            .any(|d| d.setting == "/account/username/source"
                && d.severity == Severity::Info
                && d.message.contains("UserName"))
    );
}

#[test]
fn remove_deletes_the_account_node() {
    let e = emit("full.yaml", &with(Operation::Remove)).expect("emits");
    let cmds = commands(&text(&e));
    let guid = account_guid("com.contoso.email", "adele");
    assert_eq!(
        cmds,
        [(
            "Delete".to_owned(),
            format!("./User/Vendor/MSFT/ActiveSync/Accounts/%7B{guid:X}%7D"),
            None
        )]
    );
}

#[test]
fn markup_in_values_arrives_unchanged() {
    let rp = fixture::FIXTURES.resolved("markup.yaml");
    let e = WindowsEmitter
        .emit(&rp, &EmitOptions::default())
        .expect("emits");
    let doc = text(&e);
    assert!(
        !doc.contains("]]>"),
        "no raw CDATA terminator in the output"
    );
    let cmds = commands(&doc);
    assert_eq!(
        value_of(&cmds, "/AccountName").as_deref(),
        Some(rp.profile.account.account_name.as_str())
    );
    assert_eq!(rp.profile.account.account_name, "<Contoso> & 'Co' ]]> mail");
    // The Intune form carries the same values as JSON strings.
    let json = WindowsEmitter
        .emit(
            &rp,
            &EmitOptions {
                form: Some("intune-custom".into()),
                ..EmitOptions::default()
            },
        )
        .expect("emits");
    let v: serde_json::Value = serde_json::from_slice(&json.artifacts[0].bytes).expect("JSON");
    assert_eq!(v["displayName"], "Contoso <Mail> & \"Friends\" (adele)");
    assert_eq!(
        v["description"],
        rp.profile.description.as_deref().expect("set")
    );
    let names: Vec<_> = v["omaSettings"]
        .as_array()
        .expect("settings")
        .iter()
        .filter(|s| s["displayName"] == "AccountName")
        .map(|s| s["value"].clone())
        .collect();
    assert_eq!(names, [serde_json::json!("<Contoso> & 'Co' ]]> mail")]);
}

#[test]
fn a_character_xml_cannot_carry_is_an_error_naming_the_setting() {
    let mut rp = fixture::FIXTURES.resolved("minimal.yaml");
    rp.profile.account.account_name = "bad\u{1}name".into();
    match WindowsEmitter.emit(&rp, &EmitOptions::default()) {
        Err(EmitError::Unsupported { setting, message }) => {
            assert_eq!(setting, "/account/accountName");
            assert!(message.contains("U+0001"), "{message}");
            assert!(
                !message.contains("bad"),
                "the value is not repeated: {message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_password_is_written_only_on_request_and_never_shown() {
    let plain = emit("sam-custom.yaml", &EmitOptions::default()).expect("emits");
    assert_eq!(value_of(&commands(&text(&plain)), "/Password"), None);
    assert!(!text(&plain).contains("s3cr3t"));
    assert!(
        plain.diagnostics.iter().any(
            |d| d.setting == "/account/authentication/password" && d.severity == Severity::Info
        )
    );

    let options = EmitOptions {
        include_password: true,
        ..EmitOptions::default()
    };
    let with_pw = emit("sam-custom.yaml", &options).expect("emits");
    assert_eq!(
        value_of(&commands(&text(&with_pw)), "/Password").as_deref(),
        Some(fixture::PASSWORD)
    );
    assert!(with_pw.diagnostics.iter().any(
        |d| d.setting == "/account/authentication/password" && d.severity == Severity::Warning
    ));
    let shown = format!("{with_pw:?} {:?}", with_pw.diagnostics);
    assert!(!shown.contains("s3cr3t"), "{shown}");
    for d in &with_pw.diagnostics {
        assert!(!d.message.contains("s3cr3t"));
    }
}

#[test]
fn forms_and_their_errors() {
    let default = emit("minimal.yaml", &EmitOptions::default()).expect("emits");
    let syncml = emit(
        "minimal.yaml",
        &EmitOptions {
            form: Some("syncml".into()),
            ..EmitOptions::default()
        },
    )
    .expect("emits");
    assert_eq!(default.artifacts, syncml.artifacts);

    let intune = emit(
        "minimal.yaml",
        &EmitOptions {
            form: Some("intune-custom".into()),
            ..EmitOptions::default()
        },
    )
    .expect("emits");
    assert_eq!(
        intune.artifacts[0].file_name,
        "com.contoso.minimal.intune-custom.json"
    );
    assert_eq!(intune.artifacts[0].media_type, "application/json");
    assert!(!text(&intune).contains("Atomic"));

    for (form, op) in [
        (Some("fleet"), Operation::Add),
        (Some("SyncML"), Operation::Add),
        (Some("intune-custom"), Operation::Remove),
    ] {
        let options = EmitOptions {
            form: form.map(Into::into),
            operation: op,
            ..EmitOptions::default()
        };
        assert!(
            matches!(
                emit("minimal.yaml", &options),
                Err(EmitError::InvalidOption(_))
            ),
            "{form:?} {op:?}"
        );
    }
}

proptest! {
    #[test]
    fn any_account_name_round_trips_or_is_refused(name in any::<String>()) {
        let mut rp = fixture::FIXTURES.resolved("minimal.yaml");
        rp.profile.account.account_name = name.clone();
        let representable = name.chars().all(|c| {
            matches!(c, '\t' | '\n' | '\r') || (c as u32 >= 0x20 && c != '\u{FFFE}' && c != '\u{FFFF}')
        });
        match WindowsEmitter.emit(&rp, &EmitOptions::default()) {
            Ok(e) => {
                prop_assert!(representable);
                let cmds = commands(&text(&e));
                prop_assert_eq!(value_of(&cmds, "/AccountName"), Some(name));
            }
            Err(EmitError::Unsupported { setting, .. }) => {
                prop_assert!(!representable);
                prop_assert_eq!(setting, "/account/accountName");
            }
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }
}
