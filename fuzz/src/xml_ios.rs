//! Values from a directory or a plugin in an iOS profile (an XML property list): markup in
//! them (`<`, `&`, `]]>`, `</string>`) must stay character data.
//!
//! Oracle: for every user identity, the emitter either refuses a value XML cannot carry at all,
//! or writes a property list that parses back with the account's `UserName` and
//! `EmailAddress` exactly the user's values.

use emailprof_core::attributes::UserIdentity;
use emailprof_core::{EmailProfile, EmitOptions, Emitter, ResolvedProfile};

pub use super::shared::profiles;
use super::shared::{same_as_prepared, xml_safe};

pub fn check(profile: &EmailProfile, user: &UserIdentity) {
    let resolved = ResolvedProfile {
        profile: profile.clone(),
        user: user.clone(),
        materials: Default::default(),
        password: None,
    };
    let safe = xml_safe(&user.username) && xml_safe(&user.email_address);
    let emitted = emailprof_ios::IosEmitter.emit(&resolved, &EmitOptions::default());
    same_as_prepared(
        &emailprof_ios::IosEmitter,
        &resolved,
        &EmitOptions::default(),
        &emitted,
    );
    let emission = match emitted {
        Ok(e) => e,
        Err(e) => {
            assert!(!safe, "refused values XML can carry: {e}");
            return;
        }
    };
    assert!(safe, "wrote values XML cannot carry");
    let [artifact] = emission.artifacts.as_slice() else {
        panic!("one profile expected");
    };
    let value = match plist::Value::from_reader_xml(artifact.bytes.as_slice()) {
        Ok(v) => v,
        Err(e) => panic!(
            "the profile is not a well-formed property list: {e}\n{}",
            String::from_utf8_lossy(&artifact.bytes)
        ),
    };
    let eas = value
        .as_dictionary()
        .and_then(|d| d.get("PayloadContent"))
        .and_then(|c| c.as_array())
        .and_then(|a| {
            a.iter().filter_map(|p| p.as_dictionary()).find(|p| {
                p.get("PayloadType").and_then(|t| t.as_string()) == Some("com.apple.eas.account")
            })
        })
        .expect("an Exchange payload");
    assert_eq!(
        eas.get("UserName").and_then(|v| v.as_string()),
        Some(user.username.as_str()),
        "the user name is not carried unchanged"
    );
    assert_eq!(
        eas.get("EmailAddress").and_then(|v| v.as_string()),
        Some(user.email_address.as_str()),
        "the email address is not carried unchanged"
    );
}
