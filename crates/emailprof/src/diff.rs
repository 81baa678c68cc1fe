//! `diff`: what devices receive differently, between two profiles or two artifacts.
//!
//! Two profiles are compared setting by setting (certificates entry by entry, member by
//! member) with the content of the files they name: the material reader reads each file and
//! core compares the digests, so a renewed certificate at the same path is a change. Two
//! artifacts (`.mobileconfig`, SyncML, JSON), recognised by their content, are compared
//! structurally: a property list dictionary key by key (payloads by identifier), SyncML by
//! LocURI, JSON by pointer.

use emailprof_core::diff::{FileDigests, Impact, Side, diff_received};
use emailprof_core::input::escape_segment;
use emailprof_core::{EmailProfile, Emitter};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, invalid};
use crate::material::MaterialReader;
use crate::profile::LoadedProfile;

/// What a `diff` input is, judged by its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum InputKind {
    /// An email profile (YAML, JSON with an `account`, TOML).
    Profile,
    /// A `.mobileconfig`: XML or binary property list, signed or not.
    Mobileconfig,
    /// OMA-DM SyncML (the Windows ActiveSync CSP).
    Syncml,
    /// Any other JSON document (Android managed configurations, Intune Graph JSON).
    Json,
}

impl InputKind {
    fn name(self) -> &'static str {
        match self {
            InputKind::Profile => "profiles",
            InputKind::Mobileconfig => ".mobileconfig files",
            InputKind::Syncml => "SyncML documents",
            InputKind::Json => "JSON documents",
        }
    }
}

/// Recognise an input by its first bytes: artifacts by their markup, profiles otherwise.
pub fn detect(bytes: &[u8]) -> InputKind {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let body = bytes[start..]
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(&bytes[start..]);
    let head = &body[..body.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if body.starts_with(b"bplist") || (body.starts_with(b"<") && has(b"<plist")) {
        return InputKind::Mobileconfig;
    }
    if body.starts_with(b"<") && (has(b"<SyncML") || has(b"<SyncBody") || has(b"<LocURI>")) {
        return InputKind::Syncml;
    }
    // CMS SignedData is a DER SEQUENCE; no profile text starts with byte 0x30 followed by a
    // length byte of 0x80 or more.
    if body.len() > 1 && body[0] == 0x30 && body[1] >= 0x80 {
        return InputKind::Mobileconfig;
    }
    if body.starts_with(b"{") || body.starts_with(b"[") {
        let is_profile = serde_json::from_slice::<Value>(body)
            .ok()
            .is_some_and(|v| v.get("account").is_some_and(Value::is_object));
        if !is_profile {
            return InputKind::Json;
        }
    }
    InputKind::Profile
}

/// One difference that devices receive.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiffChange {
    /// Profile setting or artifact location: a JSON pointer, a key path or a LocURI.
    pub pointer: String,
    /// The setting's name, for profile changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'static str>,
    pub old: Value,
    pub new: Value,
    pub impact: Impact,
    /// What devices experience.
    pub devices: String,
}

/// All differences between two inputs of one kind.
#[derive(Clone, Debug, Serialize)]
pub struct DiffReport {
    pub kind: InputKind,
    pub changes: Vec<DiffChange>,
}

impl DiffReport {
    pub fn differs(&self) -> bool {
        !self.changes.is_empty()
    }

    /// The report for a reader: one change per entry, with what devices experience.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for c in &self.changes {
            let name = match c.title {
                Some(t) => format!("{t} ({})", c.pointer),
                None => c.pointer.clone(),
            };
            text.push_str(&format!(
                "{name}: {} -> {}\n    {}\n",
                c.old, c.new, c.devices
            ));
        }
        if self.changes.is_empty() {
            text.push_str(&format!("no differences ({} compared)\n", self.kind.name()));
        }
        text
    }

    /// The report as one JSON object.
    pub fn json(&self) -> String {
        let mut text = json!({
            "kind": self.kind,
            "differs": self.differs(),
            "changes": self.changes,
        })
        .to_string();
        text.push('\n');
        text
    }
}

/// `sha256:<hex>` of `bytes`.
fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The digest of every certificate file `profile` names, read by `reader`; a file that cannot
/// be read is recorded with the reason (it differs from any readable content).
pub fn file_digests(profile: &EmailProfile, reader: &MaterialReader) -> FileDigests {
    let mut out = FileDigests::new();
    for (name, cert) in &profile.certificates {
        let files = [
            cert.pkcs12.as_ref().map(|p| (p.file.as_str(), true)),
            cert.ca.as_ref().map(|c| (c.file.as_str(), false)),
        ];
        for (file, pkcs12) in files.into_iter().flatten() {
            let what = format!("certificate `{name}`");
            let value = match reader.certificate_file(file, &what, pkcs12) {
                Ok(bytes) => digest(&bytes),
                Err(e) => format!("unreadable: {e}"),
            };
            out.insert(file.to_owned(), value);
        }
    }
    out
}

/// Compare two profiles as devices receive them: settings, certificates member by member,
/// certificate files by content; impacts judged for `platform` when given.
pub fn profiles(
    old: &LoadedProfile,
    new: &LoadedProfile,
    platform: Option<&dyn Emitter>,
) -> DiffReport {
    let old_files = file_digests(&old.profile, &MaterialReader::plain(&old.base_dir));
    let new_files = file_digests(&new.profile, &MaterialReader::plain(&new.base_dir));
    let changes = diff_received(
        Side {
            profile: &old.profile,
            files: &old_files,
        },
        Side {
            profile: &new.profile,
            files: &new_files,
        },
        platform,
    );
    DiffReport {
        kind: InputKind::Profile,
        changes: changes
            .into_iter()
            .map(|c| DiffChange {
                pointer: c.setting,
                title: Some(c.title),
                old: c.old,
                new: c.new,
                impact: c.impact,
                devices: c.devices,
            })
            .collect(),
    }
}

/// The largest file `diff` reads: a signed profile carrying certificates is some hundred KB.
const MAX_DIFF_BYTES: u64 = 16 << 20;

/// When either file is an artifact, compare both structurally; `None` when both are profiles
/// (or stdin, `-`, which is read as a profile). A platform to judge the impact on is refused
/// for artifacts: each is already one platform's.
pub fn artifacts_at(old: &str, new: &str, platform: Option<&str>) -> Result<Option<DiffReport>> {
    let read = |spec: &str| {
        let read = || {
            let what = "`diff` reads (profiles and artifacts are far smaller)";
            crate::material::read_input(spec.as_ref(), MAX_DIFF_BYTES, what)
        };
        (spec != "-").then(read).transpose()
    };
    let (a, b) = (read(old)?, read(new)?);
    let artifact = |b: &Option<Vec<u8>>| {
        b.as_deref()
            .is_some_and(|b| detect(b) != InputKind::Profile)
    };
    if !artifact(&a) && !artifact(&b) {
        return Ok(None);
    }
    if let Some(platform) = platform {
        invalid!(
            "--platform {platform} judges changes between profiles; artifacts are compared as they are (each is one platform's already)"
        );
    }
    artifacts(&a.unwrap_or_default(), &b.unwrap_or_default()).map(Some)
}

/// Compare two artifacts structurally. Both must be of the same kind.
pub fn artifacts(old: &[u8], new: &[u8]) -> Result<DiffReport> {
    let kind = detect(old);
    let other = detect(new);
    if kind != other || kind == InputKind::Profile {
        invalid!(
            "cannot compare {} with {}: give two profiles or two artifacts of the same kind",
            kind.name(),
            other.name()
        );
    }
    let tree = |bytes: &[u8], which: &str| -> Result<Value> {
        let read = match kind {
            InputKind::Mobileconfig => property_list(bytes),
            InputKind::Syncml => syncml(bytes),
            _ => serde_json::from_slice(bytes)
                .map(keyed_by_package)
                .map_err(|e| e.to_string()),
        };
        read.map_err(|e| Error::invalid(format!("the {which} {}: {e}", kind.name())))
    };
    let (a, b) = (tree(old, "old")?, tree(new, "new")?);
    let mut changes = Vec::new();
    structural(kind, "", &a, &b, &mut changes);
    Ok(DiffReport { kind, changes })
}

/// A property list as JSON: payload arrays keyed by payload identifier, data by digest.
fn property_list(bytes: &[u8]) -> std::result::Result<Value, String> {
    let (value, _signed) = emailprof_ios::read_property_list(bytes).map_err(|e| e.to_string())?;
    Ok(plist_json(&value))
}

fn plist_json(v: &plist::Value) -> Value {
    match v {
        plist::Value::Dictionary(d) => {
            Value::Object(d.iter().map(|(k, v)| (k.clone(), plist_json(v))).collect())
        }
        plist::Value::Array(items) => {
            let id = |i: &plist::Value| {
                i.as_dictionary()
                    .and_then(|d| d.get("PayloadIdentifier"))
                    .and_then(plist::Value::as_string)
                    .map(str::to_owned)
            };
            let ids: Vec<Option<String>> = items.iter().map(id).collect();
            let mut distinct: Vec<&String> = ids.iter().flatten().collect();
            distinct.sort();
            distinct.dedup();
            if !items.is_empty() && distinct.len() == items.len() {
                // Payloads are matched by identifier, not by position.
                Value::Object(
                    items
                        .iter()
                        .zip(ids)
                        .map(|(i, id)| (id.unwrap_or_default(), plist_json(i)))
                        .collect(),
                )
            } else {
                Value::Array(items.iter().map(plist_json).collect())
            }
        }
        plist::Value::Data(d) => json!(format!("{} ({} bytes)", digest(d), d.len())),
        plist::Value::Boolean(b) => json!(b),
        plist::Value::Integer(i) => i
            .as_signed()
            .map(Value::from)
            .or_else(|| i.as_unsigned().map(Value::from))
            .unwrap_or(Value::Null),
        plist::Value::Real(r) => json!(r),
        plist::Value::String(s) => json!(s),
        plist::Value::Date(d) => json!(d.to_xml_format()),
        plist::Value::Uid(u) => json!(u.get()),
        _ => Value::Null,
    }
}

/// A SyncML document as `{LocURI: {"command", "data"}}`, in document order.
fn syncml(bytes: &[u8]) -> std::result::Result<Value, String> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut reader = quick_xml::Reader::from_str(text.trim_start_matches('\u{feff}'));
    let mut path: Vec<String> = Vec::new();
    let mut command = String::new();
    let (mut uri, mut data) = (String::new(), None::<String>);
    let mut out = Map::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                let name = e.local_name().into_inner().to_owned();
                if matches!(name.as_str(), "Add" | "Replace" | "Delete" | "Exec" | "Get") {
                    command = name.clone();
                }
                if name == "Item" {
                    uri.clear();
                    data = None;
                }
                if name == "Data" {
                    data = Some(String::new());
                }
                path.push(name);
                if path.len() > 64 {
                    return Err("nested more than 64 levels".into());
                }
            }
            Event::End(_) => {
                let closed = path.pop();
                if closed.as_deref() == Some("Item") && !uri.is_empty() {
                    out.insert(
                        std::mem::take(&mut uri),
                        json!({ "command": command, "data": data.take() }),
                    );
                }
            }
            Event::Text(t) => {
                let t = t.xml10_content();
                append(&path, &mut uri, &mut data, &t);
            }
            Event::CData(c) => {
                let t: &str = &c;
                append(&path, &mut uri, &mut data, t);
            }
            Event::GeneralRef(r) => {
                let t = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .ok_or_else(|| format!("unknown entity &{};", &*r))?
                        .to_owned(),
                };
                append(&path, &mut uri, &mut data, &t);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if out.is_empty() {
        return Err("no LocURI found".into());
    }
    Ok(Value::Object(out))
}

fn append(path: &[String], uri: &mut String, data: &mut Option<String>, text: &str) {
    let last = path.last().map(String::as_str);
    let parent = path.len().checked_sub(2).map(|i| path[i].as_str());
    match (parent, last) {
        (Some("Target"), Some("LocURI")) => uri.push_str(text.trim()),
        (Some("Item"), Some("Data")) => data.get_or_insert_default().push_str(text),
        _ => {}
    }
}

/// Android policy fragments list applications: match them by package name, not position.
fn keyed_by_package(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, keyed_by_package(v)))
                .collect(),
        ),
        Value::Array(items) => {
            let name = |i: &Value| {
                i.get("packageName")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let mut names: Vec<String> = items.iter().filter_map(name).collect();
            names.sort();
            names.dedup();
            if !items.is_empty() && names.len() == items.len() {
                Value::Object(
                    items
                        .into_iter()
                        .map(|i| (name(&i).unwrap_or_default(), keyed_by_package(i)))
                        .collect(),
                )
            } else {
                Value::Array(items.into_iter().map(keyed_by_package).collect())
            }
        }
        other => other,
    }
}

/// Differences below two trees, one change per differing leaf (an object member on one side
/// only is one change).
fn structural(kind: InputKind, at: &str, a: &Value, b: &Value, out: &mut Vec<DiffChange>) {
    // A SyncML entry (command and data at one LocURI) is one value.
    let entry = kind == InputKind::Syncml && !at.is_empty();
    if let (Value::Object(x), Value::Object(y), false) = (a, b, entry) {
        let mut keys: Vec<&String> = x.keys().collect();
        keys.extend(y.keys().filter(|k| !x.contains_key(k.as_str())));
        for k in keys {
            // SyncML keys are LocURIs, complete in themselves.
            let here = if kind == InputKind::Syncml {
                k.clone()
            } else {
                format!("{at}/{}", escape_segment(k))
            };
            let null = Value::Null;
            let (p, q) = (
                x.get(k.as_str()).unwrap_or(&null),
                y.get(k.as_str()).unwrap_or(&null),
            );
            structural(kind, &here, p, q, out);
        }
        return;
    }
    if let (Value::Array(x), Value::Array(y)) = (a, b) {
        let null = Value::Null;
        for i in 0..x.len().max(y.len()) {
            let (p, q) = (x.get(i).unwrap_or(&null), y.get(i).unwrap_or(&null));
            structural(kind, &format!("{at}/{i}"), p, q, out);
        }
        return;
    }
    if a == b {
        return;
    }
    let impact = artifact_impact(kind, at, a, b);
    out.push(DiffChange {
        pointer: at.to_owned(),
        title: None,
        old: a.clone(),
        new: b.clone(),
        impact,
        devices: impact.describe().to_owned(),
    });
}

/// What a changed artifact value does to devices, from what the location is.
fn artifact_impact(kind: InputKind, at: &str, old: &Value, new: &Value) -> Impact {
    let is_digest = |v: &Value| v.as_str().is_some_and(|s| s.starts_with("sha256:"));
    match kind {
        InputKind::Mobileconfig if at == "/PayloadIdentifier" => Impact::SecondProfile,
        InputKind::Mobileconfig if is_digest(old) || is_digest(new) => {
            Impact::CertificateReinstalled
        }
        InputKind::Mobileconfig if at.ends_with("/OAuth") => Impact::NewProfileReauth,
        InputKind::Syncml if at.contains("/ContentTypes/") && at.ends_with("/Enabled") => {
            let on = |v: &Value| v.pointer("/data").and_then(Value::as_str) == Some("1");
            if on(old) && !on(new) {
                Impact::DataRemoved
            } else {
                Impact::NewProfileReauth
            }
        }
        _ => Impact::Update,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_recognised_by_content() {
        assert_eq!(detect(b"displayName: x\n"), InputKind::Profile);
        assert_eq!(
            detect(br#"{"displayName":"x","account":{}}"#),
            InputKind::Profile
        );
        assert_eq!(detect(br#"{"managedConfiguration":{}}"#), InputKind::Json);
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?>\n<plist version=\"1.0\"><dict/></plist>"),
            InputKind::Mobileconfig
        );
        assert_eq!(
            detect(b"<SyncML><SyncBody></SyncBody></SyncML>"),
            InputKind::Syncml
        );
        assert_eq!(detect(b"bplist00"), InputKind::Mobileconfig);
    }

    #[test]
    fn syncml_is_compared_by_locuri() {
        let doc = |v: &str| {
            format!(
                "<SyncML><SyncBody><Add><CmdID>1</CmdID><Item><Target><LocURI>./A/Server</LocURI></Target><Data>{v}</Data></Item></Add></SyncBody></SyncML>"
            )
        };
        let r = artifacts(doc("a").as_bytes(), doc("a &amp; b").as_bytes()).unwrap();
        assert_eq!(r.changes.len(), 1);
        assert_eq!(r.changes[0].pointer, "./A/Server");
        assert_eq!(r.changes[0].new["data"], "a & b");
        assert!(
            artifacts(b"<SyncML><SyncBody><Add>", doc("a").as_bytes()).is_err(),
            "truncated SyncML is refused, not read as empty"
        );
    }
}
