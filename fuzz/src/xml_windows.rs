//! Values from a directory or a plugin in Windows SyncML: markup in them (`<`, `&`, `]]>`,
//! `</Data>`) must stay character data.
//!
//! Oracle: for every user identity, the emitter either refuses a value XML cannot carry at all
//! (C0 controls, U+FFFE/U+FFFF), or writes a well-formed document whose `<Data>` elements,
//! read by an XML parser, hold the user's email address and user name exactly. Writing a
//! value unescaped breaks the document or changes the value, and fails this check.

use emailprof_core::attributes::UserIdentity;
use emailprof_core::{EmailProfile, EmitOptions, Emitter};
use quick_xml::events::Event;

pub use super::shared::profiles;
use super::shared::{emit_xml, resolved, xml_safe};

/// The character data of every `<Data>` element, references resolved; `Err` if the document
/// is not well-formed.
pub fn data_values(xml: &str) -> Result<Vec<String>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                depth += 1;
                if e.name().as_ref() == "Data" {
                    current = Some(String::new());
                }
            }
            Event::End(e) => {
                depth = depth.checked_sub(1).ok_or("an end tag without a start")?;
                if e.name().as_ref() == "Data" {
                    out.extend(current.take());
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                if let Some(c) = current.as_mut() {
                    c.push_str(&text);
                }
            }
            Event::CData(c) => {
                if let Some(cur) = current.as_mut() {
                    cur.push_str(&c);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .ok_or_else(|| format!("unknown entity &{};", &*r))?
                        .to_owned(),
                };
                if let Some(c) = current.as_mut() {
                    c.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unclosed elements".into());
    }
    Ok(out)
}

pub fn check(profile: &EmailProfile, user: &UserIdentity) {
    let resolved = resolved(profile, user);
    let safe = [&user.username, &user.email_address]
        .iter()
        .chain(user.account.as_ref().iter())
        .chain(user.domain.as_ref().iter())
        .all(|v| xml_safe(v));
    let emitter = emailprof_windows::WindowsEmitter;
    let Some(artifact) = emit_xml(&emitter, &resolved, safe) else {
        return;
    };
    let xml = std::str::from_utf8(&artifact.bytes).expect("SyncML is UTF-8");
    let data = match data_values(xml) {
        Ok(d) => d,
        Err(e) => panic!("the SyncML document is not well-formed: {e}\n{xml}"),
    };
    let expect = |v: &str, what: &str| {
        assert!(
            data.iter().any(|d| d == v),
            "the {what} {v:?} is not carried unchanged: {data:?}"
        );
    };
    expect(&user.email_address, "email address");
    match &user.account {
        Some(account) => expect(account, "account name"),
        None => expect(&user.username, "user name"),
    }
    // The Intune custom-profile form is JSON, whatever the values.
    let custom = EmitOptions {
        form: Some("intune-custom".into()),
        ..EmitOptions::default()
    };
    if let Ok(e) = emitter.emit(&resolved, &custom) {
        for a in &e.artifacts {
            assert!(
                serde_json::from_slice::<serde_json::Value>(&a.bytes).is_ok(),
                "the intune-custom form is not JSON"
            );
        }
    }
}
