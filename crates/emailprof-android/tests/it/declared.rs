//! Every output fits the managed properties its emitter declares, and the declarations are
//! complete data: exact keys, AMAPI types, allowed values, a source.

use std::collections::HashSet;

use emailprof_android::{
    GmailEmitter, ManagedProperty, OutlookEmitter, PACKAGES, SamsungEmitter, check_configuration,
    emitters, managed_properties,
};
use emailprof_core::EmitOptions;
use serde_json::Value;

use crate::fixture;

/// The single application policy of an emitted fragment.
pub(crate) fn application(bytes: &[u8]) -> Value {
    let v: Value = serde_json::from_slice(bytes).expect("JSON");
    let object = v.as_object().expect("a JSON object");
    assert_eq!(object.keys().collect::<Vec<_>>(), ["applications"]);
    let apps = v["applications"].as_array().expect("applications");
    assert_eq!(apps.len(), 1);
    let app = apps[0].clone();
    let keys: HashSet<_> = app
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        keys,
        HashSet::from(["packageName".to_owned(), "managedConfiguration".to_owned()])
    );
    app
}

#[test]
fn declarations_are_complete() {
    for (props, app) in [
        (GmailEmitter::managed_properties(), "gmail"),
        (OutlookEmitter::managed_properties(), "outlook"),
    ] {
        assert!(!props.is_empty(), "{app}");
        let keys: HashSet<_> = props.iter().map(|p| p.key).collect();
        assert_eq!(keys.len(), props.len(), "{app}: keys are unique");
        for p in props {
            assert!(!p.source.trim().is_empty(), "{app} {}: no source", p.key);
            assert!(!p.title.trim().is_empty());
            assert!(!p.key.contains(char::is_whitespace), "{}", p.key);
        }
    }
    // No Samsung Email key could be confirmed: nothing is declared, nothing written.
    assert!(SamsungEmitter::managed_properties().is_empty());
    let json = serde_json::to_value(GmailEmitter::managed_properties()).expect("serialises");
    assert_eq!(json[0]["key"], "email_address");
    assert_eq!(json[0]["type"], "STRING");
}

#[test]
fn every_output_fits_its_declaration() {
    let files = fixture::FIXTURES.files();
    assert!(files.len() >= 7, "{files:?}");
    for e in emitters() {
        let declared: &[ManagedProperty] = managed_properties(e.id()).expect("declared");
        let package = PACKAGES
            .iter()
            .find(|(id, _)| *id == e.id())
            .map(|(_, p)| *p)
            .expect("a package");
        for file in &files {
            let rp = fixture::resolve_as(fixture::load_file(file), "adele");
            let emission = e.emit(&rp, &EmitOptions::default()).expect("emits");
            assert_eq!(emission.artifacts.len(), 1);
            let app = application(&emission.artifacts[0].bytes);
            assert_eq!(app["packageName"], package);
            let problems = check_configuration(declared, &app["managedConfiguration"]);
            assert!(
                problems.is_empty(),
                "{} {}: {problems:#?}",
                e.id(),
                file.display()
            );
        }
    }
}

#[test]
fn the_check_catches_what_an_app_would_reject() {
    let declared = OutlookEmitter::managed_properties();
    let bad = serde_json::json!({
        "com.microsoft.outlook.EmailProfile.AccountType": "OAuth",
        "com.microsoft.outlook.Mail.SMIMEEnabled": "true",
        "com.microsoft.outlook.emailprofile.emailaddress": "a@b.c",
    });
    assert_eq!(check_configuration(declared, &bad).len(), 3);
}
