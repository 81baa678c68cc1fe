//! What changes between two profiles, and what each change does to devices that already have
//! the profile.
//!
//! Devices receive the bytes of the files a profile names, not their paths: a renewed PKCS#12
//! or CA certificate at the same path is a change. Core reads no file, so the caller passes the
//! content digest of each referenced file ([`FileDigests`]); certificates are compared entry by
//! entry and member by member.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::emit::{Emitter, Family};
use crate::input::escape_segment;
use crate::model::{EmailProfile, PayloadIdentity, Service};
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
    /// A service is no longer synced: devices remove the account's data of that service
    /// (contacts, calendars, ...) from the device, and users re-enter their credentials.
    DataRemoved,
    /// A certificate's content changed: devices install the new certificate with the updated
    /// profile, and the account uses it from then on.
    CertificateReinstalled,
    /// The profile is installed as a second profile next to the old one, which stays until
    /// removed (the identifier decides replace-vs-add; ADM `TopLevel.yaml`).
    SecondProfile,
    /// An iOS payload's `PayloadIdentifier` changed: devices install a second account (or
    /// profile) next to the one they have instead of replacing it (ADM `CommonPayloadKeys.yaml`:
    /// the identifier decides replace-vs-add).
    SecondPayload,
    /// Only where a file lives changed; its content, which is what devices receive, is the same.
    SameContent,
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
            Impact::DataRemoved => {
                "devices remove the data of the services no longer synced from the device; users must re-enter their credentials"
            }
            Impact::CertificateReinstalled => {
                "devices install the new certificate with the updated profile"
            }
            Impact::SecondProfile => {
                "installed as a second profile; the old one stays until it is removed"
            }
            Impact::SecondPayload => {
                "a second account/profile is installed instead of replacing the installed one"
            }
            Impact::SameContent => "same file content: devices receive the same bytes",
            Impact::NotExpressed => "not expressed on this platform; devices see no change",
        }
    }
}

/// One setting (or one member of a certificate) that differs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// JSON pointer of the changed value in the profile.
    pub setting: String,
    pub title: &'static str,
    pub old: Value,
    pub new: Value,
    pub impact: Impact,
    /// What devices experience, in words (the impact, with the services concerned).
    pub devices: String,
}

/// Content digests of the files a profile names (certificate files), by the path as the
/// profile writes it: `sha256:<hex>`, or why the file could not be read.
pub type FileDigests = BTreeMap<String, String>;

/// One profile and the digests of the files it names.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    pub profile: &'a EmailProfile,
    pub files: &'a FileDigests,
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
/// general, when no platform is given). Referenced files are compared by path only; see
/// [`diff_received`] to compare their content.
pub fn diff(old: &EmailProfile, new: &EmailProfile, platform: Option<&dyn Emitter>) -> Vec<Change> {
    let none = FileDigests::new();
    diff_received(
        Side {
            profile: old,
            files: &none,
        },
        Side {
            profile: new,
            files: &none,
        },
        platform,
    )
}

/// The changes devices receive between `old` and `new`: settings, certificates entry by entry
/// and member by member, and referenced files by content.
pub fn diff_received(old: Side<'_>, new: Side<'_>, platform: Option<&dyn Emitter>) -> Vec<Change> {
    let mut out = Vec::new();
    let expressed =
        |setting: Setting| platform.is_none_or(|e| e.capability(setting).is_expressed());
    for setting in Setting::ALL {
        let a = value_at(old.profile, setting);
        let b = value_at(new.profile, setting);
        // Certificates are compared even when the profile text is the same: their files'
        // content may not be.
        if a == b && setting != Setting::Certificates {
            continue;
        }
        if setting == Setting::Certificates {
            certificate_changes(old, new, &a, &b, &mut out);
            if !expressed(setting) {
                for c in out.iter_mut().filter(|c| c.title == setting.title()) {
                    c.impact = Impact::NotExpressed;
                    c.devices = Impact::NotExpressed.describe().to_owned();
                }
            }
            continue;
        }
        let mut impact = match setting {
            Setting::SyncServices if !dropped(old.profile, new.profile).is_empty() => {
                Impact::DataRemoved
            }
            Setting::OAuth | Setting::SyncServices | Setting::SyncUserCanChange => {
                Impact::NewProfileReauth
            }
            Setting::Identifier => Impact::SecondProfile,
            _ => Impact::Update,
        };
        if !expressed(setting) {
            impact = Impact::NotExpressed;
        }
        let devices = match impact {
            Impact::DataRemoved => {
                let names: Vec<String> = dropped(old.profile, new.profile)
                    .iter()
                    .map(|s| format!("`{}`", service_name(*s)))
                    .collect();
                format!(
                    "devices remove the account's {} data from the device (no longer synced); users must re-enter their credentials",
                    names.join(", ")
                )
            }
            other => other.describe().to_owned(),
        };
        out.push(Change {
            setting: setting.pointer().to_owned(),
            title: setting.title(),
            old: a,
            new: b,
            impact,
            devices,
        });
    }
    let ios = platform.is_none_or(|e| e.family() == Family::Ios);
    for (pointer, title, was, now, identifier) in payload_identities(old.profile, new.profile) {
        if was == now {
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
            old: was,
            new: now,
            impact,
            devices: impact.describe().to_owned(),
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

/// Services `old` syncs and `new` does not.
fn dropped(old: &EmailProfile, new: &EmailProfile) -> Vec<Service> {
    old.sync
        .services
        .iter()
        .filter(|s| !new.sync.services.contains(s))
        .copied()
        .collect()
}

fn service_name(s: Service) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The members of a certificate entry that name a file whose bytes devices receive.
const FILE_MEMBERS: [&str; 2] = ["/pkcs12/file", "/ca/file"];

/// Certificates key by key; within an entry, member by member; files by content.
fn certificate_changes(old: Side<'_>, new: Side<'_>, a: &Value, b: &Value, out: &mut Vec<Change>) {
    let title = Setting::Certificates.title();
    let empty = serde_json::Map::new();
    let a = a.as_object().unwrap_or(&empty);
    let b = b.as_object().unwrap_or(&empty);
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    let push = |out: &mut Vec<Change>, pointer: String, old: Value, new: Value, impact: Impact| {
        out.push(Change {
            setting: pointer,
            title,
            old,
            new,
            impact,
            devices: impact.describe().to_owned(),
        });
    };
    for name in names {
        let base = format!("/certificates/{}", escape_segment(name));
        let (x, y) = (a.get(name.as_str()), b.get(name.as_str()));
        match (x, y) {
            (Some(x), Some(y)) => {
                let mut leaves = Vec::new();
                leaf_changes("", x, y, &mut leaves);
                for (member, old_value, new_value) in leaves {
                    if FILE_MEMBERS.contains(&member.as_str()) {
                        continue;
                    }
                    push(
                        out,
                        format!("{base}{member}"),
                        old_value,
                        new_value,
                        Impact::Update,
                    );
                }
                for member in FILE_MEMBERS {
                    let path_of =
                        |v: &Value| v.pointer(member).and_then(Value::as_str).map(str::to_owned);
                    let (Some(p), Some(q)) = (path_of(x), path_of(y)) else {
                        continue;
                    };
                    let (dp, dq) = (old.files.get(&p), new.files.get(&q));
                    let same_bytes = dp.is_some() && dp == dq;
                    if p == q && same_bytes {
                        continue;
                    }
                    let shown = |path: &str, digest: Option<&String>| serde_json::json!({ "file": path, "content": digest });
                    let impact = if same_bytes {
                        Impact::SameContent
                    } else {
                        Impact::CertificateReinstalled
                    };
                    // Unknown digests (no files given) and the same path: nothing to say.
                    if p == q && dp.is_none() && dq.is_none() {
                        continue;
                    }
                    push(
                        out,
                        format!("{base}{member}"),
                        shown(&p, dp),
                        shown(&q, dq),
                        impact,
                    );
                }
            }
            (x, y) => {
                let (impact, devices) = if x.is_none() {
                    let i = Impact::CertificateReinstalled;
                    (i, i.describe().to_owned())
                } else {
                    let words = "devices remove this certificate with the updated profile";
                    (Impact::Update, words.to_owned())
                };
                out.push(Change {
                    setting: base,
                    title,
                    old: x.cloned().unwrap_or(Value::Null),
                    new: y.cloned().unwrap_or(Value::Null),
                    impact,
                    devices,
                });
            }
        }
    }
}

/// The leaves that differ below two JSON values, as (pointer suffix, old, new); a member on
/// one side only is one change.
fn leaf_changes(at: &str, a: &Value, b: &Value, out: &mut Vec<(String, Value, Value)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let here = format!("{at}/{}", escape_segment(k));
                let null = Value::Null;
                leaf_changes(
                    &here,
                    x.get(k.as_str()).unwrap_or(&null),
                    y.get(k.as_str()).unwrap_or(&null),
                    out,
                );
            }
        }
        _ if a == b => {}
        _ => out.push((at.to_owned(), a.clone(), b.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IosPayloads;

    fn with_account(account: Option<(&str, &str)>) -> EmailProfile {
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
        let old = with_account(Some(("com.example.myeaspayload", U1)));
        let renamed = with_account(Some(("com.example.myprofile.eas", U1)));
        let changes = diff(&old, &renamed, None);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(
            changes[0].setting,
            "/platforms/ios/payloads/account/identifier"
        );
        assert_eq!(changes[0].impact, Impact::SecondPayload);
        // Dropping the kept identity makes emailprof generate another one: also a second account.
        let dropped = diff(&old, &with_account(None), None);
        assert_eq!(dropped[0].impact, Impact::SecondPayload);
        assert_eq!(dropped[0].new, Value::Null);
        // A new UUID under the same identifier replaces the payload.
        let new_uuid = diff(
            &old,
            &with_account(Some(("com.example.myeaspayload", U2))),
            None,
        );
        assert_eq!(new_uuid.len(), 1);
        assert_eq!(new_uuid[0].setting, "/platforms/ios/payloads/account/uuid");
        assert_eq!(new_uuid[0].impact, Impact::Update);
        assert!(diff(&old, &old, None).is_empty());
    }

    fn profile(yaml: &str) -> EmailProfile {
        let doc = crate::input::parse(yaml.as_bytes(), crate::input::Format::Yaml).unwrap();
        serde_json::from_value(doc.value).unwrap()
    }

    const BASE: &str = "displayName: D\nidentifier: com.contoso.mail\naccount:\n  server: mail.contoso.com\n  accountName: Mail\ncertificates:\n  root:\n    kind: ca\n    ca:\n      file: root.pem\n";

    #[test]
    fn a_renewed_file_at_the_same_path_is_a_change() {
        let p = profile(BASE);
        let old: FileDigests = [("root.pem".to_owned(), "sha256:aa".to_owned())].into();
        let new: FileDigests = [("root.pem".to_owned(), "sha256:bb".to_owned())].into();
        let side = |files| Side { profile: &p, files };
        assert!(diff_received(side(&old), side(&old), None).is_empty());
        let changes = diff_received(side(&old), side(&new), None);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(changes[0].setting, "/certificates/root/ca/file");
        assert_eq!(changes[0].impact, Impact::CertificateReinstalled);
    }

    #[test]
    fn certificates_are_compared_member_by_member() {
        let old = profile(BASE);
        let new = profile(
            &BASE
                .replace("root.pem", "renewed.pem")
                .replace("    kind: ca\n", "    kind: ca\n    displayName: Root\n"),
        );
        let files: FileDigests = [
            ("root.pem".to_owned(), "sha256:aa".to_owned()),
            ("renewed.pem".to_owned(), "sha256:aa".to_owned()),
        ]
        .into();
        let changes = diff_received(
            Side {
                profile: &old,
                files: &files,
            },
            Side {
                profile: &new,
                files: &files,
            },
            None,
        );
        let got: Vec<(&str, Impact)> = changes
            .iter()
            .map(|c| (c.setting.as_str(), c.impact))
            .collect();
        assert_eq!(
            got,
            [
                ("/certificates/root/displayName", Impact::Update),
                ("/certificates/root/ca/file", Impact::SameContent),
            ]
        );
    }

    #[test]
    fn a_dropped_service_says_its_data_leaves_the_device() {
        let old = profile(BASE);
        let new = profile(&format!("{BASE}sync:\n  services: [email, calendars]\n"));
        let changes = diff(&old, &new, None);
        let c = changes
            .iter()
            .find(|c| c.setting == "/sync/services")
            .unwrap();
        assert_eq!(c.impact, Impact::DataRemoved);
        assert!(c.devices.contains("`contacts`"), "{}", c.devices);
        // Adding a service back removes nothing.
        let back = diff(&new, &old, None);
        let c = back.iter().find(|c| c.setting == "/sync/services").unwrap();
        assert_eq!(c.impact, Impact::NewProfileReauth);
    }
}
