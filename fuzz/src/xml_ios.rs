//! Values from a directory or a plugin in an iOS profile (an XML property list): markup in
//! them (`<`, `&`, `]]>`, `</string>`) must stay character data.
//!
//! Oracle: for every user identity, the emitter either refuses a value XML cannot carry at all,
//! or writes a property list that parses back with the account's `UserName` and
//! `EmailAddress` exactly the user's values.

use emailprof_core::EmailProfile;
use emailprof_core::attributes::UserIdentity;

pub use super::shared::profiles;
use super::shared::{emit_xml, resolved, xml_safe};

pub fn check(profile: &EmailProfile, user: &UserIdentity) {
    let resolved = resolved(profile, user);
    let safe = xml_safe(&user.username) && xml_safe(&user.email_address);
    let Some(artifact) = emit_xml(&emailprof_ios::IosEmitter, &resolved, safe) else {
        return;
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
