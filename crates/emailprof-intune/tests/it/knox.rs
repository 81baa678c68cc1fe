//! The Samsung Knox emitter: Intune's `androidEasEmailProfileConfiguration`.

use std::collections::BTreeMap;

use emailprof_core::emit::silently_dropped;
use emailprof_core::{
    EmailProfile, EmitError, EmitOptions, Emitter, Family, Operation, ResolvedProfile, Setting,
    Support, UserIdentity,
};
use emailprof_intune::{GraphType, KnoxEmitter, emitters, import_graph};
use serde_json::Value;

use crate::{at, data, json};

fn resolved(profile: EmailProfile) -> ResolvedProfile {
    ResolvedProfile {
        profile,
        user: UserIdentity {
            user_id: "user1".into(),
            username: "CONTOSO\\user1".into(),
            email_address: "user1@contoso.com".into(),
            account: Some("user1".into()),
            domain: Some("CONTOSO".into()),
            user_principal_name: None,
        },
        materials: BTreeMap::new(),
        password: None,
    }
}

fn rich() -> EmailProfile {
    serde_json::from_slice(&data("profile-rich.json")).unwrap()
}

#[test]
fn registers_as_android_knox() {
    let all = emitters();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id(), "android-knox");
    assert_eq!(all[0].family(), Family::Android);
    assert_eq!(
        GraphType::for_platform(all[0].id()),
        Some(GraphType::AndroidKnox)
    );
}

#[test]
fn emits_the_graph_object_deterministically() {
    let rp = resolved(rich());
    let a = KnoxEmitter.emit(&rp, &EmitOptions::default()).unwrap();
    let b = KnoxEmitter.emit(&rp, &EmitOptions::default()).unwrap();
    assert_eq!(a.artifacts, b.artifacts);
    assert_eq!(a.artifacts.len(), 1);
    let art = &a.artifacts[0];
    assert_eq!(art.file_name, "com.contoso.email.knox.graph.json");
    assert_eq!(art.media_type, "application/json");
    let out: Value = serde_json::from_slice(&art.bytes).unwrap();
    assert_eq!(
        out["@odata.type"],
        "#microsoft.graph.androidEasEmailProfileConfiguration"
    );
    // Per-user values stay out: Intune fills them in on delivery.
    let text = String::from_utf8(art.bytes.clone()).unwrap();
    assert!(!text.contains("user1"), "{text}");
    // Every written key is in the documentation's Knox example (or a certificate bind).
    let doc = json("docs-knox-get.json");
    let documented = at(&doc, "/value").as_object().unwrap();
    for key in out.as_object().unwrap().keys() {
        assert!(
            documented.contains_key(key)
                || key == "identityCertificate@odata.bind"
                || key == "smimeSigningCertificate@odata.bind",
            "{key}"
        );
    }
    assert_eq!(out["usernameSource"], "samAccountName");
    assert_eq!(out["customDomainName"], "contoso.com");
    assert_eq!(out["requireSmime"], true);
    assert_eq!(out["requireSsl"], false);
    assert_eq!(out["durationOfEmailToSync"], "twoWeeks");
    // email + calendars + contacts: tasks and notes off.
    assert_eq!(
        (
            &out["syncCalendar"],
            &out["syncContacts"],
            &out["syncTasks"],
            &out["syncNotes"]
        ),
        (
            &Value::Bool(true),
            &Value::Bool(true),
            &Value::Bool(false),
            &Value::Bool(false)
        )
    );
}

#[test]
fn nothing_is_dropped_silently_and_support_is_truthful() {
    let profile = rich();
    let emission = KnoxEmitter
        .emit(&resolved(profile.clone()), &EmitOptions::default())
        .unwrap();
    assert_eq!(
        silently_dropped(&KnoxEmitter, &profile, &emission),
        Vec::<Setting>::new()
    );
    // What support() calls native comes back unchanged through Intune's own importer.
    let back = &import_graph(&emission.artifacts[0].bytes).unwrap()[0];
    let before = serde_json::to_value(&profile).unwrap();
    let after = serde_json::to_value(crate::model(back)).unwrap();
    for s in Setting::ALL {
        match KnoxEmitter.support(s) {
            Support::Native { .. } if s != Setting::Identifier => {
                assert_eq!(
                    after.pointer(s.pointer()),
                    before.pointer(s.pointer()),
                    "{s:?}"
                );
            }
            Support::Unsupported { .. } if s.is_configured(&profile) => {
                assert!(
                    emission.diagnostics.iter().any(|d| d.setting() == Some(s)),
                    "{s:?} not reported"
                );
            }
            _ => {}
        }
    }
    // The Windows-only and iOS-only settings are other platforms' business.
    assert_eq!(
        KnoxEmitter.capability(Setting::WindowsSyncSchedule),
        Support::OtherPlatform
    );
    assert_eq!(
        KnoxEmitter.capability(Setting::IosAllowMailDrop),
        Support::OtherPlatform
    );
}

#[test]
fn options_that_do_not_apply_are_refused() {
    let rp = resolved(rich());
    let form = EmitOptions {
        form: Some("intune-custom".into()),
        ..EmitOptions::default()
    };
    assert!(matches!(
        KnoxEmitter.emit(&rp, &form),
        Err(EmitError::InvalidOption(_))
    ));
    let remove = EmitOptions {
        operation: Operation::Remove,
        ..EmitOptions::default()
    };
    assert!(matches!(
        KnoxEmitter.emit(&rp, &remove),
        Err(EmitError::InvalidOption(_))
    ));
    let graph = EmitOptions {
        form: Some("graph".into()),
        operation: Operation::Replace,
        ..EmitOptions::default()
    };
    assert!(KnoxEmitter.emit(&rp, &graph).is_ok());
}

#[test]
fn a_bad_graph_id_is_a_material_error_naming_the_certificate() {
    let mut p = rich();
    p.certificates.get_mut("user-auth").unwrap().graph_id = Some("a b".into());
    match KnoxEmitter.emit(&resolved(p), &EmitOptions::default()) {
        Err(EmitError::Material { name, .. }) => assert_eq!(name, "user-auth"),
        other => panic!("{other:?}"),
    }
}
