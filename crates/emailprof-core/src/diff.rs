//! What changes between two profiles, and what each change does to devices that already have
//! the profile.

use serde::Serialize;
use serde_json::Value;

use crate::emit::{Emitter, Family};
use crate::input::escape_segment;
use crate::model::{EmailProfile, PayloadIdentity};
use crate::settings::Setting;

/// What a changed setting does to devices that already have the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Impact {
    /// The installed profile is updated in place.
    Update,
    /// Devices receive a new profile and users are asked for their credentials (EAS password)
    /// again; the settings take effect once they are entered. Source: settings inventory §1
    /// (OAuth) and §2 (services to sync and their override flag).
    NewProfileReauth,
    /// The profile is installed as a second profile next to the old one, which stays until
    /// removed (the identifier decides replace-vs-add; ADM `TopLevel.yaml`).
    SecondProfile,
    /// An iOS payload's `PayloadIdentifier` changed: devices install a second account (or
    /// profile) next to the one they have instead of replacing it (ADM `CommonPayloadKeys.yaml`:
    /// the identifier decides replace-vs-add).
    SecondPayload,
    /// The platform cannot express the setting: nothing changes on devices.
    NotExpressed,
}

impl Impact {
    pub fn describe(self) -> &'static str {
        match self {
            Impact::Update => "installed profile is updated in place",
            Impact::NewProfileReauth => {
                "devices receive a new profile and users must re-enter their credentials"
            }
            Impact::SecondProfile => {
                "installed as a second profile; the old one stays until it is removed"
            }
            Impact::SecondPayload => {
                "a second account/profile is installed instead of replacing the installed one"
            }
            Impact::NotExpressed => "not expressed on this platform; devices see no change",
        }
    }
}

/// One setting that differs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub setting: String,
    pub title: &'static str,
    pub old: Value,
    pub new: Value,
    pub impact: Impact,
}

fn value_at(profile: &EmailProfile, setting: Setting) -> Value {
    let v = serde_json::to_value(profile).unwrap_or(Value::Null);
    // Compare what is in force: a sub-setting whose parent is off is not in force.
    if !setting.is_configured(profile) && !always_compared(setting) {
        return Value::Null;
    }
    let mut found = v.pointer(setting.pointer()).cloned().unwrap_or(Value::Null);
    if setting == Setting::SyncServices
        && let Value::Array(items) = &mut found
    {
        items.sort_by_key(|i| i.to_string());
    }
    if setting == Setting::Password || setting == Setting::Certificates {
        // Never show secret values: compare only a fingerprint-free summary.
        found = redact(found);
    }
    found
}

fn always_compared(setting: Setting) -> bool {
    matches!(
        setting,
        Setting::Ssl | Setting::SyncServices | Setting::SyncUserCanChange | Setting::OAuth
    )
}

fn redact(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    if k == "inline" {
                        (k, Value::String("<redacted>".into()))
                    } else {
                        (k, redact(v))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(redact).collect()),
        other => other,
    }
}

/// The settings that differ between `old` and `new`, with their impact on `platform` (or in
/// general, when no platform is given).
pub fn diff(old: &EmailProfile, new: &EmailProfile, platform: Option<&dyn Emitter>) -> Vec<Change> {
    let mut out = Vec::new();
    for setting in Setting::ALL {
        let a = value_at(old, setting);
        let b = value_at(new, setting);
        if a == b {
            continue;
        }
        let mut impact = match setting {
            Setting::OAuth | Setting::SyncServices | Setting::SyncUserCanChange => {
                Impact::NewProfileReauth
            }
            Setting::Identifier => Impact::SecondProfile,
            _ => Impact::Update,
        };
        if let Some(e) = platform
            && !e.capability(setting).is_expressed()
        {
            impact = Impact::NotExpressed;
        }
        out.push(Change {
            setting: setting.pointer().to_owned(),
            title: setting.title(),
            old: a,
            new: b,
            impact,
        });
    }
    let ios = platform.is_none_or(|e| e.family() == Family::Ios);
    for (pointer, title, old, new, identifier) in payload_identities(old, new) {
        if old == new {
            continue;
        }
        // The identifier decides whether a device replaces a payload; a new UUID under the
        // same identifier replaces it.
        let impact = match (ios, identifier) {
            (false, _) => Impact::NotExpressed,
            (true, true) => Impact::SecondPayload,
            (true, false) => Impact::Update,
        };
        out.push(Change {
            setting: pointer,
            title,
            old,
            new,
            impact,
        });
    }
    out
}

/// The kept iOS payload identifiers and UUIDs of both profiles, side by side: (pointer, title,
/// old, new, whether it is an identifier). `null` means "generated by emailprof".
fn payload_identities(
    old: &EmailProfile,
    new: &EmailProfile,
) -> Vec<(String, &'static str, Value, Value, bool)> {
    let kept = |p: &EmailProfile| p.platforms.ios.payloads.clone().unwrap_or_default();
    let (a, b) = (kept(old), kept(new));
    let text = |v: Option<&String>| v.map_or(Value::Null, |s| Value::String(s.clone()));
    let base = "/platforms/ios/payloads";
    let mut out = vec![(
        format!("{base}/profileUuid"),
        "Profile PayloadUUID",
        text(a.profile_uuid.as_ref()),
        text(b.profile_uuid.as_ref()),
        false,
    )];
    let mut pair = |at: String,
                    what: &'static str,
                    x: Option<&PayloadIdentity>,
                    y: Option<&PayloadIdentity>| {
        let (title_id, title_uuid) = match what {
            "account" => (
                "Exchange account PayloadIdentifier",
                "Exchange account PayloadUUID",
            ),
            _ => ("Certificate PayloadIdentifier", "Certificate PayloadUUID"),
        };
        out.push((
            format!("{at}/identifier"),
            title_id,
            text(x.map(|i| &i.identifier)),
            text(y.map(|i| &i.identifier)),
            true,
        ));
        out.push((
            format!("{at}/uuid"),
            title_uuid,
            text(x.map(|i| &i.uuid)),
            text(y.map(|i| &i.uuid)),
            false,
        ));
    };
    pair(
        format!("{base}/account"),
        "account",
        a.account.as_ref(),
        b.account.as_ref(),
    );
    let names: std::collections::BTreeSet<&String> =
        a.certificates.keys().chain(b.certificates.keys()).collect();
    for name in names {
        pair(
            format!("{base}/certificates/{}", escape_segment(name)),
            "certificate",
            a.certificates.get(name),
            b.certificates.get(name),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IosPayloads;

    fn profile(account: Option<(&str, &str)>) -> EmailProfile {
        let mut p: EmailProfile = serde_json::from_value(serde_json::json!({
            "displayName": "D", "identifier": "com.contoso.mail",
            "account": {"server": "mail.contoso.com", "accountName": "Mail"}
        }))
        .expect("a valid profile");
        p.platforms.ios.payloads = Some(IosPayloads {
            account: account.map(|(identifier, uuid)| PayloadIdentity {
                identifier: identifier.into(),
                uuid: uuid.into(),
            }),
            ..IosPayloads::default()
        });
        p
    }

    #[test]
    fn a_changed_payload_identifier_installs_a_second_account() {
        const U1: &str = "DE789252-DCF2-42E7-91C8-0AB9F50AAFC5";
        const U2: &str = "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D";
        let old = profile(Some(("com.example.myeaspayload", U1)));
        let renamed = profile(Some(("com.example.myprofile.eas", U1)));
        let changes = diff(&old, &renamed, None);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(
            changes[0].setting,
            "/platforms/ios/payloads/account/identifier"
        );
        assert_eq!(changes[0].impact, Impact::SecondPayload);
        // Dropping the kept identity makes emailprof generate another one: also a second account.
        let dropped = diff(&old, &profile(None), None);
        assert_eq!(dropped[0].impact, Impact::SecondPayload);
        assert_eq!(dropped[0].new, Value::Null);
        // A new UUID under the same identifier replaces the payload.
        let new_uuid = diff(&old, &profile(Some(("com.example.myeaspayload", U2))), None);
        assert_eq!(new_uuid.len(), 1);
        assert_eq!(new_uuid[0].setting, "/platforms/ios/payloads/account/uuid");
        assert_eq!(new_uuid[0].impact, Impact::Update);
        assert!(diff(&old, &old, None).is_empty());
    }
}
