//! Intune objects that configure Exchange ActiveSync without being email profiles: a Windows
//! custom configuration (`windows10CustomConfiguration`) holding ActiveSync CSP OMA-URI
//! settings, and Outlook's app configuration (`androidManagedStoreAppConfiguration`,
//! `iosMobileAppConfiguration`) with its `com.microsoft.outlook.EmailProfile.*` keys.
//!
//! Per-user values in these objects are either Intune's tokens (`{{userprincipalname}}`,
//! `{{mail}}`), which map back to the profile's attribute sources, or one user's literal
//! value, which a profile cannot hold: reported, and the source left at its default.
//! Keys: Outlook, OfficeDocs-Exchange `outlook-for-ios-and-android-configuration-with-
//! microsoft-intune.md` and `account-setup.md`; Windows, `ActiveSync.ddf.xml`.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use emailprof_core::Severity;
use emailprof_core::input::{Document, Format};
use emailprof_core::{ValidationOptions, validate};
use serde_json::{Map, Value, json};

use super::profile::identifier;
use super::types::{GraphFinding, ImportedGraphProfile};

/// The non-email-profile objects read here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ConfigKind {
    WindowsCustom,
    OutlookAndroid,
    OutlookIos,
}

impl ConfigKind {
    pub(super) fn name(self) -> &'static str {
        match self {
            ConfigKind::WindowsCustom => "windows10CustomConfiguration",
            ConfigKind::OutlookAndroid => "androidManagedStoreAppConfiguration",
            ConfigKind::OutlookIos => "iosMobileAppConfiguration",
        }
    }

    /// The kind an `@odata.type` names (namespace optional, case ignored).
    pub(super) fn from_odata_type(odata: &str) -> Option<ConfigKind> {
        let s = odata.trim().trim_start_matches('#');
        let s = s
            .get(..16)
            .filter(|ns| ns.eq_ignore_ascii_case("microsoft.graph."))
            .map_or(s, |_| &s[16..]);
        [
            ConfigKind::WindowsCustom,
            ConfigKind::OutlookAndroid,
            ConfigKind::OutlookIos,
        ]
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(s))
    }
}

const OUTLOOK: &str = "com.microsoft.outlook.EmailProfile.";
const OUTLOOK_SMIME: &str = "com.microsoft.outlook.Mail.SMIMEEnabled";
const ACTIVESYNC_ACCOUNTS: &str = "./user/vendor/msft/activesync/accounts/";

struct Out<'a> {
    base: &'a str,
    findings: Vec<GraphFinding>,
}

impl Out<'_> {
    fn push(&mut self, severity: Severity, at: &str, message: String) {
        self.findings.push(GraphFinding {
            severity,
            pointer: format!("{}{at}", self.base),
            message,
        });
    }
}

/// The attribute source an Intune token stands for.
fn token_source(value: &str) -> Option<&'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "{{userprincipalname}}" => Some("userPrincipalName"),
        "{{mail}}" => Some("primarySmtpAddress"),
        _ => None,
    }
}

/// Read one configuration; `None` when it configures no Exchange account (the caller reports
/// it as skipped).
pub(super) fn read_config(
    obj: &Map<String, Value>,
    base: &str,
    kind: ConfigKind,
    identifiers: &mut BTreeSet<String>,
) -> Option<ImportedGraphProfile> {
    let mut out = Out {
        base,
        findings: Vec::new(),
    };
    let mut doc = Map::new();
    let mut account = Map::new();
    let mut username = Map::new();
    let mut sync = Map::new();
    let mut smime = Map::new();
    let mut windows = Map::new();
    match kind {
        ConfigKind::WindowsCustom => {
            let leaves = windows_leaves(obj, &mut out)?;
            read_windows(
                &leaves,
                &mut out,
                &mut account,
                &mut username,
                &mut sync,
                &mut windows,
            );
        }
        _ => {
            let keys = outlook_keys(obj, kind, &mut out);
            if !keys.keys().any(|k| k.starts_with(OUTLOOK)) {
                return None;
            }
            read_outlook(&keys, &mut out, &mut account, &mut username, &mut smime);
            if kind == ConfigKind::OutlookAndroid {
                doc.insert("platforms".into(), json!({"android": {"app": "outlook"}}));
            }
        }
    }
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let display_name = obj
        .get("displayName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("Exchange email")
        .to_owned();
    if !account.contains_key("accountName") {
        account.insert("accountName".into(), display_name.clone().into());
    }
    if !account.contains_key("server") {
        out.push(
            Severity::Error,
            "",
            "no Exchange server in the configuration (with modern authentication Outlook finds it itself, but a profile names one); add account.server".into(),
        );
        account.insert("server".into(), "".into());
    }
    if !username.is_empty() {
        account.insert("username".into(), Value::Object(username));
    }
    doc.insert("displayName".into(), display_name.clone().into());
    doc.insert(
        "identifier".into(),
        identifier(id.as_deref(), &display_name, identifiers).into(),
    );
    if let Some(d) = obj
        .get("description")
        .and_then(Value::as_str)
        .filter(|d| !d.trim().is_empty())
    {
        doc.insert("description".into(), d.into());
    }
    doc.insert("account".into(), Value::Object(account));
    if !sync.is_empty() {
        doc.insert("sync".into(), Value::Object(sync));
    }
    if !smime.is_empty() {
        doc.insert("smime".into(), Value::Object(smime));
    }
    if !windows.is_empty() {
        doc.insert("platforms".into(), json!({ "windows": windows }));
    }
    let document = Value::Object(doc);
    let report = validate(
        &Document {
            format: Format::Json,
            value: document.clone(),
            locations: Default::default(),
        },
        ValidationOptions::default(),
    );
    for f in report.errors() {
        if f.pointer == "/account/server"
            && out.findings.iter().any(|x| x.severity == Severity::Error)
        {
            continue;
        }
        out.push(
            Severity::Error,
            "",
            format!(
                "the imported profile is not valid at {}: {}",
                f.pointer, f.message
            ),
        );
    }
    Some(ImportedGraphProfile {
        graph_type: None,
        object_type: kind.name(),
        id,
        profile: document,
        findings: out.findings,
    })
}

/// The ActiveSync CSP leaves of the first account, by path under `Accounts/{GUID}`
/// (unescaped, lower case); `None` when the configuration has none.
fn windows_leaves(
    obj: &Map<String, Value>,
    out: &mut Out<'_>,
) -> Option<BTreeMap<String, (String, String)>> {
    let settings = obj.get("omaSettings").and_then(Value::as_array)?;
    let mut account: Option<String> = None;
    let mut leaves = BTreeMap::new();
    for (i, s) in settings.iter().enumerate() {
        let at = format!("/omaSettings/{i}");
        let Some(uri) = s.get("omaUri").and_then(Value::as_str) else {
            continue;
        };
        let lower = percent_decode(uri).to_ascii_lowercase();
        let Some(rest) = lower.strip_prefix(ACTIVESYNC_ACCOUNTS) else {
            out.push(
                Severity::Warning,
                &at,
                format!("`{uri}` is not an ActiveSync CSP account setting; not imported"),
            );
            continue;
        };
        let (guid, path) = rest.split_once('/').unwrap_or((rest, ""));
        match &account {
            None => account = Some(guid.to_owned()),
            Some(a) if a != guid => {
                out.push(
                    Severity::Warning,
                    &at,
                    format!("a second account ({guid}); only the first is imported"),
                );
                continue;
            }
            Some(_) => {}
        }
        let value = match s.get("value") {
            Some(Value::String(v)) => v.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => if *b { "1" } else { "0" }.to_owned(),
            _ => String::new(),
        };
        leaves.insert(path.to_owned(), (value, at));
    }
    account.map(|_| leaves)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `ActiveSync.ddf.xml` content-type nodes and the profile services they sync.
const CONTENT_TYPES: [(&str, &str); 4] = [
    ("{c6d47067-6e92-480e-b0fc-4ba82182fac7}", "email"),
    ("{0dd8685c-e272-4fcb-9ecf-2ead7ea2497b}", "contacts"),
    ("{4a5d9fe0-f139-4a63-a5a4-4f31ceea02ad}", "calendars"),
    ("{783ae4f6-4c12-4423-8270-66361260d4f1}", "reminders"),
];

fn read_windows(
    leaves: &BTreeMap<String, (String, String)>,
    out: &mut Out<'_>,
    account: &mut Map<String, Value>,
    username: &mut Map<String, Value>,
    sync: &mut Map<String, Value>,
    windows: &mut Map<String, Value>,
) {
    let mut services: Vec<&str> = vec!["email"];
    let mut saw_services = false;
    let mut domain: Option<&str> = None;
    for (path, (value, at)) in leaves {
        let v = value.trim();
        match path.as_str() {
            "servername" => {
                account.insert("server".into(), v.into());
            }
            "accountname" => {
                account.insert("accountName".into(), v.into());
            }
            "accounttype" if v.eq_ignore_ascii_case("exchange") => {}
            "emailaddress" => match token_source(v) {
                Some(s) => {
                    account.insert("emailAddressSource".into(), s.into());
                }
                None => out.push(
                    Severity::Warning,
                    at,
                    format!("EmailAddress is one user's address (`{v}`); a profile takes it from the directory, so emailAddressSource stays at its default"),
                ),
            },
            "username" => match token_source(v) {
                Some(s) => {
                    username.insert("source".into(), s.into());
                }
                None => out.push(
                    Severity::Warning,
                    at,
                    format!("UserName is one user's name (`{v}`); a profile takes it from the directory{}", if leaves.contains_key("domain") { ": read as a sAM account name with the Domain value" } else { ", so the user name source stays at its default" }),
                ),
            },
            "domain" => domain = Some(v),
            "password" => out.push(
                Severity::Warning,
                at,
                "a password is not imported; a profile names where the password comes from".into(),
            ),
            "options/usessl" => {
                account.insert("ssl".into(), (v != "0").into());
            }
            "options/mailagefilter" => {
                let d = match v {
                    "0" => Some("unlimited"),
                    "1" => Some("oneDay"),
                    "2" => Some("threeDays"),
                    "3" => Some("oneWeek"),
                    "4" => Some("twoWeeks"),
                    "5" => Some("oneMonth"),
                    _ => None,
                };
                match d {
                    Some(d) => {
                        sync.insert("emailSyncDuration".into(), d.into());
                    }
                    None => out.push(
                        Severity::Warning,
                        at,
                        format!("MailAgeFilter `{v}` has no profile value (0 to 5); not imported"),
                    ),
                }
            }
            "options/schedule" => {
                let s = match v {
                    "-1" => Some("asMessagesArrive"),
                    "0" => Some("manual"),
                    "15" => Some("fifteenMinutes"),
                    "30" => Some("thirtyMinutes"),
                    "60" => Some("sixtyMinutes"),
                    _ => None,
                };
                match s {
                    Some(s) => {
                        windows.insert("syncSchedule".into(), s.into());
                    }
                    None => out.push(
                        Severity::Warning,
                        at,
                        format!("Schedule `{v}` has no profile value (-1, 0, 15, 30, 60); not imported"),
                    ),
                }
            }
            p if p.starts_with("options/contenttypes/") => {
                let rest = &p["options/contenttypes/".len()..];
                let (guid, leaf) = rest.split_once('/').unwrap_or((rest, ""));
                match (CONTENT_TYPES.iter().find(|(g, _)| *g == guid), leaf) {
                    (Some((_, service)), "enabled") => {
                        saw_services = true;
                        if v == "1" && !services.contains(service) {
                            services.push(service);
                        }
                        if v == "0" && *service == "email" {
                            out.push(Severity::Warning, at, "email cannot be turned off in a profile; it always syncs".into());
                        }
                    }
                    (Some(_), "name") => {}
                    _ => out.push(Severity::Warning, at, format!("`{p}` is not mapped to a profile setting; not imported")),
                }
            }
            other => out.push(
                Severity::Warning,
                at,
                format!("`{other}` is not mapped to a profile setting; not imported"),
            ),
        }
    }
    let literal_user = token_source(leaves.get("username").map_or("", |(v, _)| v)).is_none();
    if let (Some(d), true) = (domain, literal_user) {
        username.insert("source".into(), "samAccountName".into());
        username.insert("domain".into(), json!({"source": "custom", "name": d}));
    }
    if saw_services {
        sync.insert("services".into(), services.into());
    }
}

/// Outlook's keys and values: Android's `payloadJson` (base64 of a Play EMM managed
/// configuration) or iOS's `settings` list.
fn outlook_keys(
    obj: &Map<String, Value>,
    kind: ConfigKind,
    out: &mut Out<'_>,
) -> BTreeMap<String, (Value, String)> {
    let mut keys = BTreeMap::new();
    if kind == ConfigKind::OutlookAndroid {
        let Some(payload) = obj.get("payloadJson").and_then(Value::as_str) else {
            return keys;
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(payload.trim())
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        let Some(decoded) = decoded else {
            out.push(
                Severity::Warning,
                "/payloadJson",
                "payloadJson is not base64-encoded JSON; not read".into(),
            );
            return keys;
        };
        let props = decoded
            .get("managedProperty")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for p in &props {
            let Some(key) = p.get("key").and_then(Value::as_str) else {
                continue;
            };
            let value = ["valueString", "valueBool", "valueInteger"]
                .iter()
                .find_map(|f| p.get(*f).cloned())
                .unwrap_or(Value::Null);
            keys.insert(key.to_owned(), (value, "/payloadJson".to_owned()));
        }
    } else {
        let settings = obj
            .get("settings")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, s) in settings.iter().enumerate() {
            let Some(key) = s.get("appConfigKey").and_then(Value::as_str) else {
                continue;
            };
            let raw = s
                .get("appConfigKeyValue")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let value = match s.get("appConfigKeyType").and_then(Value::as_str) {
                Some(t) if t.eq_ignore_ascii_case("booleanType") => {
                    Value::Bool(raw.trim().eq_ignore_ascii_case("true"))
                }
                _ => Value::String(raw.to_owned()),
            };
            keys.insert(key.to_owned(), (value, format!("/settings/{i}")));
        }
        if obj.get("encodedSettingXml").is_some_and(|v| !v.is_null()) {
            out.push(
                Severity::Warning,
                "/encodedSettingXml",
                "the XML form of iOS app configuration is not read; only `settings`".into(),
            );
        }
    }
    keys
}

fn read_outlook(
    keys: &BTreeMap<String, (Value, String)>,
    out: &mut Out<'_>,
    account: &mut Map<String, Value>,
    username: &mut Map<String, Value>,
    smime: &mut Map<String, Value>,
) {
    let text = |v: &Value| v.as_str().map(str::trim).unwrap_or_default().to_owned();
    let truth = |v: &Value| {
        v.as_bool().unwrap_or_else(|| {
            v.as_str()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("true"))
        })
    };
    let modern = keys
        .get(&format!("{OUTLOOK}AccountType"))
        .is_some_and(|(v, _)| text(v).eq_ignore_ascii_case("ModernAuth"));
    account.insert("oauth".into(), json!({ "enabled": modern }));
    let mut signing = Map::new();
    let mut encryption = Map::new();
    for (key, (value, at)) in keys {
        let v = text(value);
        let at = at.as_str();
        if let Some(name) = key.strip_prefix(OUTLOOK) {
            match name {
                "AccountType" => {}
                "EmailAddress" => match token_source(&v) {
                    Some(s) => { account.insert("emailAddressSource".into(), s.into()); }
                    None => out.push(Severity::Warning, at, format!("{key} is one user's address (`{v}`); emailAddressSource stays at its default")),
                },
                "EmailUPN" => match token_source(&v) {
                    Some(s) => { username.entry("source").or_insert(s.into()); }
                    None => out.push(Severity::Warning, at, format!("{key} is one user's name (`{v}`); the user name source stays at its default")),
                },
                "ServerHostName" => { account.insert("server".into(), v.into()); }
                "EmailAccountName" => { account.insert("accountName".into(), v.into()); }
                "AccountDomain" => {
                    username.insert("source".into(), "samAccountName".into());
                    username.insert("domain".into(), json!({"source": "custom", "name": v}));
                }
                "ServerAuthentication" if v.eq_ignore_ascii_case("Username and Password") => {}
                _ => out.push(Severity::Warning, at, format!("`{key}` is not mapped to a profile setting; not imported")),
            }
        } else if let Some(rest) = key.strip_prefix(OUTLOOK_SMIME) {
            let on = truth(value);
            match rest {
                "" => {
                    smime.insert("enabled".into(), on.into());
                }
                ".SignAllMail" => {
                    signing.insert("enabled".into(), on.into());
                }
                ".SignAllMail.UserChangeAllowed" => {
                    signing.insert("userCanChange".into(), on.into());
                }
                ".EncryptAllMail" => {
                    encryption.insert("encryptByDefault".into(), on.into());
                }
                ".EncryptAllMail.UserChangeAllowed" => {
                    encryption.insert("encryptByDefaultUserCanChange".into(), on.into());
                }
                _ => out.push(
                    Severity::Warning,
                    at,
                    format!("`{key}` is not mapped to a profile setting; not imported"),
                ),
            }
        } else {
            out.push(
                Severity::Info,
                at,
                format!(
                    "`{key}` is an Outlook app setting, not part of an email profile; not imported"
                ),
            );
        }
    }
    if !signing.is_empty() {
        smime.insert("signing".into(), Value::Object(signing));
    }
    if !encryption.is_empty() {
        smime.insert("encryption".into(), Value::Object(encryption));
    }
    if !account.contains_key("server") && modern {
        out.push(Severity::Warning, "", "no ServerHostName (with modern authentication Outlook finds the server): outlook.office365.com, Exchange Online, is assumed".into());
        account.insert("server".into(), "outlook.office365.com".into());
    }
}
