//! Graph JSON → emailprof profile documents.
//!
//! Every trap of intune-graph.md §0/§6 is handled here: explicit `null`s mean "not configured";
//! `easServices` is a comma-joined flags string; `usernameAADSource` wins over
//! `usernameSource`; the portal-only domain source is inferred from `customDomainName`; the
//! three `block*` flags are inverted; certificate references come in three shapes or not at
//! all; unknown properties are reported, never fatal.

use std::collections::{BTreeMap, BTreeSet};

use emailprof_core::input::{Document, Format, escape_segment};
use emailprof_core::model::*;
use emailprof_core::{EmailProfile, Severity, ValidationOptions, validate};
use serde_json::{Map, Value};

use crate::IntuneError;
use crate::graph_type::{DEVICE_CONFIGURATION, DEVICE_CONFIGURATION_RELATIONS, GraphType};
use crate::properties::*;
use crate::wire::{self, GraphEnum};

/// The largest Graph export accepted; a whole tenant's `deviceConfigurations` fits easily.
pub const MAX_GRAPH_BYTES: usize = 32 * 1024 * 1024;

/// The namespace of imported profile identifiers: `com.microsoft.intune.<id or name>`.
pub const IDENTIFIER_PREFIX: &str = "com.microsoft.intune.";

/// Something the importer has to tell about the Graph input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphFinding {
    pub severity: Severity,
    /// JSON pointer in the Graph input, e.g. `/value/0/easServices`.
    pub pointer: String,
    pub message: String,
}

impl std::fmt::Display for GraphFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{}: {}: {}", self.severity, at, self.message)
    }
}

/// One Graph email profile, read into an emailprof profile document.
#[derive(Clone, Debug)]
pub struct ImportedGraphProfile {
    pub graph_type: GraphType,
    /// The Graph object id, when the export has one.
    pub id: Option<String>,
    /// The emailprof profile document (settings at their defaults are left out). It is a
    /// valid profile whenever `findings` has no error. Its `identifier` is
    /// `com.microsoft.intune.<id>` (the Graph id, lower-cased), else
    /// `com.microsoft.intune.<display name as a lower-case slug>`, with `-2`, `-3` … added
    /// when one file yields the same identifier twice.
    pub profile: Value,
    pub findings: Vec<GraphFinding>,
}

impl ImportedGraphProfile {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Everything read from one Graph file: the email profiles, and what was skipped.
#[derive(Clone, Debug, Default)]
pub struct GraphImport {
    pub profiles: Vec<ImportedGraphProfile>,
    /// Findings about the file rather than one profile: objects that are not email profiles,
    /// paging left unread.
    pub findings: Vec<GraphFinding>,
}

/// Read every email profile in a Graph export: one object, a `{"value": ...}` wrapper (object
/// or list), or a list of either. Fails only when the input is not JSON of that shape or holds
/// no email profile.
pub fn import_graph(bytes: &[u8]) -> Result<Vec<ImportedGraphProfile>, IntuneError> {
    import_graph_report(bytes).map(|r| r.profiles)
}

/// [`import_graph`], with the findings about objects that were skipped.
pub fn import_graph_report(bytes: &[u8]) -> Result<GraphImport, IntuneError> {
    if bytes.len() > MAX_GRAPH_BYTES {
        return Err(IntuneError::TooLarge {
            size: bytes.len(),
            limit: MAX_GRAPH_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| IntuneError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if !matches!(root, Value::Object(_) | Value::Array(_)) {
        return Err(IntuneError::Shape(
            "expected a Graph object, a `{\"value\": ...}` wrapper or a list of them".into(),
        ));
    }
    let mut objects = Vec::new();
    let mut out = GraphImport::default();
    let mut others = Vec::new();
    collect(
        &root,
        String::new(),
        0,
        &mut objects,
        &mut others,
        &mut out.findings,
    );
    let mut identifiers = BTreeSet::new();
    for (pointer, obj, odata, ty) in objects {
        let mut p = read_profile(obj, &pointer, ty, &mut identifiers);
        let bare = odata.trim().trim_start_matches('#');
        if bare != ty.name() && bare != &ty.odata_type()[1..] {
            p.findings.insert(
                0,
                GraphFinding {
                    severity: Severity::Info,
                    pointer: format!("{pointer}/@odata.type"),
                    message: format!(
                        "`{odata}` read as `{}` (Graph type names are case-sensitive)",
                        ty.odata_type()
                    ),
                },
            );
        }
        out.profiles.push(p);
    }
    if out.profiles.is_empty() {
        return Err(IntuneError::NoEmailProfile {
            found: if others.is_empty() {
                "nothing".into()
            } else {
                others.join(", ")
            },
        });
    }
    Ok(out)
}

/// Gather the objects that carry an `@odata.type`, with their pointers.
fn collect<'a>(
    value: &'a Value,
    pointer: String,
    depth: usize,
    out: &mut Vec<(String, &'a Map<String, Value>, &'a str, GraphType)>,
    others: &mut Vec<String>,
    findings: &mut Vec<GraphFinding>,
) {
    if depth > 4 {
        findings.push(GraphFinding {
            severity: Severity::Warning,
            pointer,
            message: "nested too deeply for a Graph export; skipped".into(),
        });
        return;
    }
    match value {
        Value::Object(obj) => {
            if let Some(t) = obj.get("@odata.type") {
                let ty = t.as_str().and_then(GraphType::from_odata_type);
                match (t.as_str(), ty) {
                    (Some(odata), Some(ty)) => out.push((pointer, obj, odata, ty)),
                    (Some(odata), None) => {
                        others.push(format!("`{odata}`"));
                        findings.push(GraphFinding {
                            severity: Severity::Info,
                            pointer,
                            message: format!(
                                "skipped `{odata}`: not an Exchange ActiveSync email profile"
                            ),
                        });
                    }
                    (None, _) => {
                        others.push("an object with a non-string `@odata.type`".into());
                        findings.push(GraphFinding {
                            severity: Severity::Warning,
                            pointer: format!("{pointer}/@odata.type"),
                            message: "`@odata.type` is not a string; object skipped".into(),
                        });
                    }
                }
            } else if let Some(v) = obj.get("value") {
                if obj.contains_key("@odata.nextLink") {
                    findings.push(GraphFinding {
                        severity: Severity::Warning,
                        pointer: format!("{pointer}/@odata.nextLink"),
                        message: "the Graph list continues on another page, which this file does not hold; only this page was read".into(),
                    });
                }
                collect(
                    v,
                    format!("{pointer}/value"),
                    depth + 1,
                    out,
                    others,
                    findings,
                );
            } else {
                others.push("an object without `@odata.type`".into());
                findings.push(GraphFinding {
                    severity: Severity::Warning,
                    pointer,
                    message: "an object without `@odata.type` (Graph names every device configuration's type); skipped".into(),
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(
                    item,
                    format!("{pointer}/{i}"),
                    depth + 1,
                    out,
                    others,
                    findings,
                );
            }
        }
        _ => findings.push(GraphFinding {
            severity: Severity::Warning,
            pointer,
            message: "not a Graph object; skipped".into(),
        }),
    }
}

/// The role names of certificate entries created from references.
const IDENTITY: &str = "identity";
const SIGNING: &str = "smime-signing";
const ENCRYPTION: &str = "smime-encryption";

/// A certificate reference as found in the export.
#[derive(Default)]
struct CertRef {
    graph_id: Option<String>,
    display_name: Option<String>,
    odata_type: Option<String>,
}

struct Reader<'a> {
    obj: &'a Map<String, Value>,
    base: &'a str,
    ty: GraphType,
    findings: Vec<GraphFinding>,
    /// Profile pointers already reported, so validation does not report them twice.
    reported: BTreeSet<&'static str>,
    certificates: BTreeMap<String, Certificate>,
}

impl<'a> Reader<'a> {
    fn at(&self, key: &str) -> String {
        format!("{}/{}", self.base, escape_segment(key))
    }

    fn push(&mut self, severity: Severity, key: &str, message: String) {
        let pointer = if key.is_empty() {
            self.base.to_owned()
        } else {
            self.at(key)
        };
        self.findings.push(GraphFinding {
            severity,
            pointer,
            message,
        });
    }

    /// The value of `key`, `None` when absent or `null` (Graph's "not configured").
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn wrong_type(&mut self, key: &str, expected: &str, found: &Value) {
        let found = match found {
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
            Value::Null => "null",
        };
        self.push(
            Severity::Warning,
            key,
            format!("expected {expected}, found {found}; ignored"),
        );
    }

    fn bool(&mut self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(key, "true or false", other);
                None
            }
        }
    }

    /// A string setting; empty or blank counts as not configured.
    fn string(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            other => {
                self.wrong_type(key, "a string", other);
                None
            }
        }
    }

    fn member<T: Copy + PartialEq>(&mut self, key: &str, e: &GraphEnum<T>) -> Option<T> {
        let s = self.string(key)?;
        match e.parse(&s) {
            Some(v) => Some(v),
            None => {
                self.push(
                    Severity::Warning,
                    key,
                    format!(
                        "`{s}` is not a member of Graph's `{}` ({}); ignored",
                        e.name,
                        e.expected()
                    ),
                );
                None
            }
        }
    }
}

fn read_profile(
    obj: &Map<String, Value>,
    base: &str,
    ty: GraphType,
    identifiers: &mut BTreeSet<String>,
) -> ImportedGraphProfile {
    let mut r = Reader {
        obj,
        base,
        ty,
        findings: Vec::new(),
        reported: BTreeSet::new(),
        certificates: BTreeMap::new(),
    };
    report_unknown(&mut r);

    let id = match r.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    };

    // Names.
    let display_name = r.string(DISPLAY_NAME.graph);
    let account_name = if ty.has(ACCOUNT_NAME.graph) {
        r.string(ACCOUNT_NAME.graph)
    } else {
        None
    };
    let display_name = match (display_name, &account_name) {
        (Some(d), _) => d,
        (None, Some(a)) => {
            r.push(
                Severity::Warning,
                DISPLAY_NAME.graph,
                "no displayName; the account name is used".into(),
            );
            a.clone()
        }
        (None, None) => {
            r.push(
                Severity::Warning,
                DISPLAY_NAME.graph,
                "no displayName; `Exchange email` is used".into(),
            );
            "Exchange email".into()
        }
    };
    let account_name = match account_name {
        Some(a) => a,
        None => {
            if ty.has(ACCOUNT_NAME.graph) {
                r.push(
                    Severity::Info,
                    ACCOUNT_NAME.graph,
                    "no accountName; the display name is used".into(),
                );
            } else {
                r.push(
                    Severity::Info,
                    "",
                    format!(
                        "`{}` has no account name; the display name is used as the profile's account name",
                        ty.name()
                    ),
                );
            }
            display_name.clone()
        }
    };
    let identifier = identifier(id.as_deref(), &display_name, identifiers);
    let description = r.string(DESCRIPTION.graph);

    let server = read_host(&mut r);
    let username = read_username(&mut r);
    let email_address_source = r
        .member(EMAIL_ADDRESS_SOURCE.graph, &wire::USER_EMAIL_SOURCE)
        .unwrap_or_default();

    // Authentication.
    let method = if ty.has(AUTHENTICATION_METHOD.graph) {
        r.member(AUTHENTICATION_METHOD.graph, &wire::AUTHENTICATION_METHOD)
            .unwrap_or_default()
    } else {
        AuthenticationMethod::UsernameAndPassword
    };
    let identity_certificate = certificate_for(
        &mut r,
        IDENTITY_CERTIFICATE.graph,
        IDENTITY,
        method == AuthenticationMethod::Certificate,
        "authenticationMethod is not `certificate`",
    );
    let ssl = r.bool(REQUIRE_SSL.graph).unwrap_or(true);
    let oauth_enabled = if ty.has(USE_OAUTH.graph) {
        r.bool(USE_OAUTH.graph).unwrap_or(false)
    } else {
        false
    };

    let sync = read_sync(&mut r);
    let smime = read_smime(&mut r);
    let mail = if ty == GraphType::Ios {
        // Inverted: the portal's "Allow …" Enable is `block… = false` (intune-graph.md §7).
        Mail {
            allow_move: !r
                .bool(BLOCK_MOVING_MESSAGES_TO_OTHER_EMAIL_ACCOUNTS.graph)
                .unwrap_or(false),
            allow_third_party_send: !r
                .bool(BLOCK_SENDING_EMAIL_FROM_THIRD_PARTY_APPS.graph)
                .unwrap_or(false),
            sync_recent_addresses: !r
                .bool(BLOCK_SYNCING_RECENTLY_USED_EMAIL_ADDRESSES.graph)
                .unwrap_or(false),
        }
    } else {
        Mail::default()
    };

    let mut platforms = Platforms::default();
    if ty == GraphType::Ios
        && let Some(vpn) = r.string(PER_APP_VPN_PROFILE_ID.graph)
    {
        r.push(
            Severity::Warning,
            PER_APP_VPN_PROFILE_ID.graph,
            format!(
                "`{vpn}` is the Graph id of an Intune VPN profile, not the PayloadUUID of a VPN payload, which `platforms.ios.perAccountVpnUuid` needs and Intune generates on delivery; not imported: set perAccountVpnUuid by hand"
            ),
        );
    }
    if ty.has(EMAIL_SYNC_SCHEDULE.graph) {
        let schedule = r
            .member(EMAIL_SYNC_SCHEDULE.graph, &wire::SYNC_SCHEDULE)
            .unwrap_or_default();
        if ty.family() == emailprof_core::Family::Windows {
            platforms.windows.sync_schedule = schedule;
        } else if schedule != SyncSchedule::NotConfigured {
            r.push(
                Severity::Warning,
                EMAIL_SYNC_SCHEDULE.graph,
                "the profile model has a sync schedule for Windows only; dropped".into(),
            );
        }
    }
    platforms.android.app = match ty {
        GraphType::AndroidKnox => AndroidApp::Samsung,
        GraphType::AndroidForWorkNineWork | GraphType::AndroidWorkProfileNineWork => {
            AndroidApp::NineWork
        }
        _ => AndroidApp::Gmail,
    };

    let profile = EmailProfile {
        schema: None,
        display_name: display_name.clone(),
        identifier: identifier.clone(),
        organization: None,
        description,
        account: Account {
            server: server.clone(),
            account_name: account_name.clone(),
            username,
            email_address_source,
            authentication: Authentication {
                method,
                identity_certificate,
                password: None,
            },
            ssl,
            oauth: OAuth {
                enabled: oauth_enabled,
                sign_in_url: None,
                token_request_url: None,
            },
        },
        sync,
        smime,
        mail,
        certificates: std::mem::take(&mut r.certificates),
        platforms,
    };
    let document = emailprof_core::minimal_document(&profile, &[]);
    check_document(&mut r, &document);
    ImportedGraphProfile {
        graph_type: ty,
        id,
        profile: document,
        findings: r.findings,
    }
}

/// Report every property the type does not have. Instance annotations (`@odata.*` and the
/// like) and the known `deviceConfiguration` members pass quietly.
fn report_unknown(r: &mut Reader<'_>) {
    let ty = r.ty;
    let known = |name: &str| {
        DEVICE_CONFIGURATION.contains(&name)
            || DEVICE_CONFIGURATION_RELATIONS.contains(&name)
            || ty.has(name)
            || ty.has_reference(name)
    };
    let keys: Vec<&String> = r.obj.keys().collect();
    for key in keys {
        if key.starts_with('@') {
            continue;
        }
        let (name, what) = if let Some(nav) = key.strip_prefix("#CustomRef_") {
            (nav, "IntuneManagement reference")
        } else if let Some((prop, _annotation)) = key.split_once('@') {
            (prop, "annotation")
        } else {
            (key.as_str(), "property")
        };
        if key == "domainNameSourceType" && ty.has(CUSTOM_DOMAIN_NAME.graph) {
            continue;
        }
        if name == "assignments" && what == "property" {
            r.push(
                Severity::Info,
                key,
                "assignments are not part of an emailprof profile; ignored".into(),
            );
            continue;
        }
        if known(name) {
            continue;
        }
        let owners: Vec<&str> = GraphType::ALL
            .into_iter()
            .filter(|t| t.has(name) || t.has_reference(name))
            .map(GraphType::name)
            .collect();
        let message = if owners.is_empty() {
            format!("unknown {what} `{key}` for `{}`; ignored", ty.name())
        } else {
            format!(
                "`{name}` is not a property of `{}` (it belongs to {}); ignored",
                ty.name(),
                owners.join(", ")
            )
        };
        r.push(Severity::Warning, key, message);
    }
}

/// `com.microsoft.intune.<id>`, else `<slug of the display name>`, unique within the import.
fn identifier(id: Option<&str>, display_name: &str, used: &mut BTreeSet<String>) -> String {
    let slug = |s: &str| {
        let mut out = String::new();
        for c in s.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') {
                out.push('-');
            }
        }
        let out: String = out.trim_matches('-').chars().take(180).collect();
        out.trim_end_matches('-').to_owned()
    };
    let base = [id.map(slug), Some(slug(display_name))]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "email".to_owned());
    let mut candidate = format!("{IDENTIFIER_PREFIX}{base}");
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{IDENTIFIER_PREFIX}{base}-{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

/// `hostName`, reduced to a host name: Graph calls it the "Exchange location (URL)", and
/// exports do hold URLs.
fn read_host(r: &mut Reader<'_>) -> String {
    let Some(raw) = r.string(HOST_NAME.graph) else {
        r.push(
            Severity::Error,
            HOST_NAME.graph,
            "no hostName: the profile needs the Exchange server".into(),
        );
        r.reported.insert("/account/server");
        return String::new();
    };
    let lower = raw.to_ascii_lowercase();
    let without_scheme = ["https://", "http://"]
        .into_iter()
        .find(|p| lower.starts_with(p))
        .map_or(raw.as_str(), |p| &raw[p.len()..]);
    let host = without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or(without_scheme);
    if host != raw {
        r.push(
            Severity::Info,
            HOST_NAME.graph,
            format!("`{raw}` read as the host name `{host}`"),
        );
    }
    host.to_owned()
}

fn read_username(r: &mut Reader<'_>) -> Username {
    let ty = r.ty;
    let source = if ty.android_username() {
        match r.member(USERNAME_SOURCE.graph, &wire::ANDROID_USERNAME_SOURCE) {
            Some(Some(s)) => s,
            Some(None) => {
                r.push(
                    Severity::Warning,
                    USERNAME_SOURCE.graph,
                    "`username` (the bare user name, e.g. `user1`) has no equivalent in emailprof; imported as the user principal name".into(),
                );
                UsernameSource::UserPrincipalName
            }
            None => UsernameSource::default(),
        }
    } else {
        // The portal writes a fixed hidden `usernameSource = userPrincipalName` and the real
        // choice to `usernameAADSource`, which alone has `samAccountName` (intune-graph.md §0).
        let aad = r.member(USERNAME_AAD_SOURCE.graph, &wire::USERNAME_SOURCE);
        let legacy = r.member(USERNAME_SOURCE.graph, &wire::USER_EMAIL_SOURCE);
        match (aad, legacy) {
            (Some(a), Some(l)) => {
                let same = matches!(
                    (a, l),
                    (
                        UsernameSource::UserPrincipalName,
                        EmailAddressSource::UserPrincipalName
                    ) | (
                        UsernameSource::PrimarySmtpAddress,
                        EmailAddressSource::PrimarySmtpAddress
                    )
                );
                if !same {
                    r.push(
                        Severity::Info,
                        USERNAME_SOURCE.graph,
                        "ignored: usernameAADSource decides the user name (the Intune portal writes a fixed usernameSource)".into(),
                    );
                }
                a
            }
            (Some(a), None) => a,
            (None, Some(EmailAddressSource::PrimarySmtpAddress)) => {
                UsernameSource::PrimarySmtpAddress
            }
            (None, _) => UsernameSource::UserPrincipalName,
        }
    };
    if !ty.has(CUSTOM_DOMAIN_NAME.graph) {
        // The Android Enterprise types have no domain settings; the profile needs one with
        // the sAM account name, and the directory's full domain name is the model's default.
        let domain = (source == UsernameSource::SamAccountName).then(|| {
            r.push(
                Severity::Info,
                USERNAME_SOURCE.graph,
                format!(
                    "`{}` has no user domain settings; the directory's full domain name is assumed",
                    ty.name()
                ),
            );
            UserDomain {
                source: DomainSource::Directory,
                attribute: Some(DomainAttribute::FullDomainName),
                name: None,
            }
        });
        return Username { source, domain };
    }
    let custom = r.string(CUSTOM_DOMAIN_NAME.graph);
    let attribute = r.member(USER_DOMAIN_NAME_SOURCE.graph, &wire::DOMAIN_NAME_SOURCE);
    let switch = if r.obj.contains_key("domainNameSourceType") {
        r.member("domainNameSourceType", &wire::DOMAIN_NAME_SOURCE_TYPE)
    } else {
        None
    };
    if source != UsernameSource::SamAccountName {
        for (key, set) in [
            (CUSTOM_DOMAIN_NAME.graph, custom.is_some()),
            (USER_DOMAIN_NAME_SOURCE.graph, attribute.is_some()),
        ] {
            if set {
                r.push(
                    Severity::Info,
                    key,
                    "ignored: the user domain only applies with the sAM account name".into(),
                );
            }
        }
        return Username {
            source,
            domain: None,
        };
    }
    // "User domain name source" is not a Graph property: custom when a custom domain name is
    // set (intune-graph.md §0), unless an export carries the portal's own switch.
    let use_custom = match (switch, &custom) {
        (Some(true), None) => {
            r.push(
                Severity::Warning,
                "domainNameSourceType",
                "says the domain is custom, but customDomainName is empty; the directory's full domain name is used".into(),
            );
            false
        }
        (Some(false), Some(_)) => {
            r.push(
                Severity::Info,
                CUSTOM_DOMAIN_NAME.graph,
                "ignored: domainNameSourceType says the domain comes from the directory".into(),
            );
            false
        }
        (_, c) => c.is_some(),
    };
    let domain = if use_custom {
        if attribute.is_some() {
            r.push(
                Severity::Info,
                USER_DOMAIN_NAME_SOURCE.graph,
                "ignored: customDomainName is set, so the domain is custom".into(),
            );
        }
        UserDomain {
            source: DomainSource::Custom,
            attribute: None,
            name: custom,
        }
    } else {
        UserDomain {
            source: DomainSource::Directory,
            attribute: Some(attribute.unwrap_or_default()),
            name: None,
        }
    };
    Username {
        source,
        domain: Some(domain),
    }
}

/// The certificate reference `nav` in whichever shape the export has it: an expanded object
/// (`$expand`), IntuneManagement's `#CustomRef_<nav>` = `"<name>|:|<@odata.type>"`, or
/// `<nav>@odata.bind` (intune-graph.md §6.2).
fn reference(r: &mut Reader<'_>, nav: &str) -> Option<CertRef> {
    let mut found = CertRef::default();
    let mut any = false;
    match r.get(nav) {
        Some(Value::Object(o)) => {
            any = true;
            let s = |k: &str| {
                o.get(k)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            found.graph_id = s("id");
            found.display_name = s("displayName");
            found.odata_type = s("@odata.type");
        }
        Some(other) => r.wrong_type(nav, "an object (an expanded reference)", other),
        None => {}
    }
    let bind = format!("{nav}@odata.bind");
    if let Some(url) = r.string(&bind) {
        any = true;
        match wire::bind_id(&url) {
            Some(id) => {
                if found.graph_id.as_ref().is_some_and(|g| *g != id) {
                    r.push(
                        Severity::Warning,
                        &bind,
                        format!("names `{id}`, the expanded reference another id; the expanded one is used"),
                    );
                } else {
                    found.graph_id = Some(id);
                }
            }
            None => r.push(
                Severity::Warning,
                &bind,
                format!("`{url}` is not a deviceConfigurations URL; no id taken from it"),
            ),
        }
    }
    let custom = format!("#CustomRef_{nav}");
    if let Some(v) = r.string(&custom) {
        any = true;
        let (name, odata) = match v.split_once("|:|") {
            Some((n, t)) => (n.trim(), Some(t.trim())),
            None => (v.as_str(), None),
        };
        if found.display_name.is_none() && !name.is_empty() {
            found.display_name = Some(name.to_owned());
        }
        if found.odata_type.is_none() {
            found.odata_type = odata.filter(|t| !t.is_empty()).map(str::to_owned);
        }
    }
    any.then_some(found)
}

/// The certificate entry for reference `nav`, when `needed`; a placeholder entry when the
/// export lacks the reference, so that the profile stays valid and says what to fill in.
fn certificate_for(
    r: &mut Reader<'_>,
    nav: &str,
    role: &str,
    needed: bool,
    unneeded_because: &str,
) -> Option<String> {
    if !r.ty.has_reference(nav) {
        return None;
    }
    let found = reference(r, nav);
    if !needed {
        if found.is_some() {
            r.push(
                Severity::Info,
                nav,
                format!("certificate reference ignored: {unneeded_because}"),
            );
        }
        return None;
    }
    let Some(found) = found else {
        r.push(
            Severity::Warning,
            nav,
            format!(
                "certificate reference not exported (Graph does not return `{nav}` on a plain GET); certificates.{role} is a placeholder: set its graphId to the Intune certificate profile's id"
            ),
        );
        let cert = Certificate {
            kind: CertificateKind::External,
            display_name: None,
            graph_id: None,
            pkcs12: None,
            scep: None,
            ca: None,
            external: Some(ExternalCertificate {
                payload_uuid: None,
                android_alias: None,
                note: Some(format!(
                    "Intune certificate profile of `{nav}`; the export did not include the reference"
                )),
            }),
        };
        return Some(add_certificate(r, role, cert));
    };
    if found.graph_id.is_none() {
        r.push(
            Severity::Info,
            nav,
            format!(
                "the certificate profile is named but its Graph id is not exported; set certificates.{role}.graphId before exporting to Intune"
            ),
        );
    }
    let what = found
        .odata_type
        .as_deref()
        .map(|t| format!(" ({})", t.trim_start_matches('#')))
        .unwrap_or_default();
    let cert = Certificate {
        kind: CertificateKind::External,
        display_name: found.display_name.clone(),
        graph_id: found.graph_id.clone(),
        pkcs12: None,
        scep: None,
        ca: None,
        external: Some(ExternalCertificate {
            payload_uuid: None,
            android_alias: None,
            note: Some(format!("Intune certificate profile{what}")),
        }),
    };
    Some(add_certificate(r, role, cert))
}

/// Add `cert` under `role`, or return the name of an entry that is the same certificate.
fn add_certificate(r: &mut Reader<'_>, role: &str, cert: Certificate) -> String {
    let same = r
        .certificates
        .iter()
        .find(|(_, c)| match (&c.graph_id, &cert.graph_id) {
            (Some(a), Some(b)) => a == b,
            (None, None) => {
                c.display_name.is_some()
                    && c.display_name == cert.display_name
                    && c.external == cert.external
            }
            _ => false,
        });
    if let Some((name, _)) = same {
        return name.clone();
    }
    r.certificates.insert(role.to_owned(), cert);
    role.to_owned()
}

fn read_sync(r: &mut Reader<'_>) -> Sync {
    let ty = r.ty;
    let mut sync = Sync {
        email_sync_duration: r
            .member(DURATION_OF_EMAIL_TO_SYNC.graph, &wire::SYNC_DURATION)
            .unwrap_or_default(),
        ..Sync::default()
    };
    if ty.has(EAS_SERVICES.graph) {
        if let Some(services) = read_eas_services(r) {
            sync.services = services;
        }
        sync.user_can_change = r
            .bool(EAS_SERVICES_USER_OVERRIDE_ENABLED.graph)
            .unwrap_or(true);
        return sync;
    }
    let switches = ty.sync_switches();
    if switches.is_empty() {
        return sync;
    }
    // Email always syncs; each switch adds a service. A switch left `null` ("Not configured")
    // is applied as off (intune email-settings-android.md "Content sync settings";
    // MicrosoftDocs/IntuneDocs#1606).
    let mut on = Vec::new();
    let mut unset = Vec::new();
    for (key, service) in switches {
        match r.bool(key) {
            Some(true) => on.push(*service),
            Some(false) => {}
            None => unset.push(*key),
        }
    }
    if !unset.is_empty() {
        let keys: Vec<String> = unset.iter().map(|k| format!("`{k}`")).collect();
        r.push(
            Severity::Info,
            unset[0],
            format!(
                "{} not configured; Intune applies that as off",
                keys.join(", ")
            ),
        );
    }
    // Every switch on is the portal's "all content": the model's all services (notes too,
    // which these types cannot choose separately unless they have syncNotes).
    sync.services = if on.len() == switches.len() {
        Service::all()
    } else {
        let mut v = vec![Service::Email];
        v.extend(on);
        Service::ALL.into_iter().filter(|s| v.contains(s)).collect()
    };
    sync
}

/// `easServices`: flag names joined with `,` (with or without spaces), `none` for nothing.
fn read_eas_services(r: &mut Reader<'_>) -> Option<Vec<Service>> {
    let raw = r.get(EAS_SERVICES.graph)?;
    let names: Vec<String> = match raw {
        Value::String(s) => s.split(',').map(|p| p.trim().to_owned()).collect(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|p| p.trim().to_owned())
            .collect(),
        other => {
            r.wrong_type(EAS_SERVICES.graph, "comma-separated service names", other);
            return None;
        }
    };
    let mut services = BTreeSet::new();
    let mut unknown = Vec::new();
    for name in names.iter().filter(|n| !n.is_empty()) {
        if name.eq_ignore_ascii_case("none") {
            continue;
        }
        match wire::EAS_SERVICES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, s)) => {
                services.insert(*s);
            }
            None => unknown.push(format!("`{name}`")),
        }
    }
    if !unknown.is_empty() {
        r.push(
            Severity::Warning,
            EAS_SERVICES.graph,
            format!(
                "{} not a member of Graph's `easServices` (calendars, contacts, email, notes, reminders); ignored",
                unknown.join(", ")
            ),
        );
    }
    if services.is_empty() {
        r.push(
            Severity::Warning,
            EAS_SERVICES.graph,
            "no service to sync; at least one must sync, so all are kept (not configured)".into(),
        );
        return None;
    }
    Some(
        Service::ALL
            .into_iter()
            .filter(|s| services.contains(s))
            .collect(),
    )
}

fn read_smime(r: &mut Reader<'_>) -> Smime {
    let ty = r.ty;
    if !ty.has(REQUIRE_SMIME.graph) {
        return Smime::default();
    }
    let enabled = r.bool(REQUIRE_SMIME.graph).unwrap_or(false);
    if ty == GraphType::AndroidKnox {
        // Knox has one S/MIME switch and binds a signing certificate only.
        let certificate = certificate_for(
            r,
            SMIME_SIGNING_CERTIFICATE.graph,
            SIGNING,
            enabled,
            "requireSmime is off",
        );
        if !enabled {
            return Smime::default();
        }
        return Smime {
            enabled,
            signing: SmimeSigning {
                enabled: true,
                certificate_type: CertificateType::Certificate,
                certificate,
                ..SmimeSigning::default()
            },
            encryption: SmimeEncryption::default(),
        };
    }
    let mut signing = SmimeSigning {
        enabled: r.bool(SMIME_SIGNING_ENABLED.graph).unwrap_or(false),
        user_can_change: r
            .bool(SMIME_SIGNING_USER_OVERRIDE_ENABLED.graph)
            .unwrap_or(false),
        certificate_type: r
            .member(SIGNING_CERTIFICATE_TYPE.graph, &wire::CERTIFICATE_TYPE)
            .unwrap_or_default(),
        certificate: None,
        certificate_user_can_change: r
            .bool(SMIME_SIGNING_CERTIFICATE_USER_OVERRIDE_ENABLED.graph)
            .unwrap_or(false),
    };
    let mut encryption = SmimeEncryption {
        encrypt_by_default: r
            .bool(SMIME_ENCRYPT_BY_DEFAULT_ENABLED.graph)
            .unwrap_or(false),
        encrypt_by_default_user_can_change: r
            .bool(SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDE_ENABLED.graph)
            .unwrap_or(false),
        per_message_switch: r
            .bool(SMIME_ENABLE_PER_MESSAGE_SWITCH.graph)
            .unwrap_or(false),
        certificate_type: r
            .member(ENCRYPTION_CERTIFICATE_TYPE.graph, &wire::CERTIFICATE_TYPE)
            .unwrap_or_default(),
        certificate: None,
        certificate_user_can_change: r
            .bool(SMIME_ENCRYPTION_CERTIFICATE_USER_OVERRIDE_ENABLED.graph)
            .unwrap_or(false),
    };
    // The model nests the S/MIME settings as the portal does; values under a switch that is
    // off are not in force, and the profile schema refuses them.
    if !enabled {
        if signing != SmimeSigning::default() || encryption != SmimeEncryption::default() {
            r.push(
                Severity::Info,
                REQUIRE_SMIME.graph,
                "S/MIME is off, so its signing and encryption settings are ignored".into(),
            );
        }
        certificate_for(
            r,
            SMIME_SIGNING_CERTIFICATE.graph,
            SIGNING,
            false,
            "requireSmime is off",
        );
        certificate_for(
            r,
            SMIME_ENCRYPTION_CERTIFICATE.graph,
            ENCRYPTION,
            false,
            "requireSmime is off",
        );
        return Smime::default();
    }
    if !signing.enabled {
        let inert = SmimeSigning::default();
        if signing != inert {
            r.push(
                Severity::Info,
                SMIME_SIGNING_ENABLED.graph,
                "signing is off, so the signing certificate and override settings are ignored"
                    .into(),
            );
        }
        signing = inert;
    }
    if !encryption.encrypt_by_default && encryption.encrypt_by_default_user_can_change {
        r.push(
            Severity::Info,
            SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDE_ENABLED.graph,
            "ignored: encryption by default is off".into(),
        );
        encryption.encrypt_by_default_user_can_change = false;
    }
    let why = if signing.enabled {
        "the signing certificate type is not `certificate`"
    } else {
        "S/MIME signing is off"
    };
    signing.certificate = certificate_for(
        r,
        SMIME_SIGNING_CERTIFICATE.graph,
        SIGNING,
        signing.enabled && signing.certificate_type == CertificateType::Certificate,
        why,
    );
    encryption.certificate = certificate_for(
        r,
        SMIME_ENCRYPTION_CERTIFICATE.graph,
        ENCRYPTION,
        encryption.certificate_type == CertificateType::Certificate,
        "the encryption certificate type is not `certificate`",
    );
    Smime {
        enabled,
        signing,
        encryption,
    }
}

/// Validate the document as the CLI will, so that an import without errors is a valid
/// profile; problems are reported at the Graph property they come from.
fn check_document(r: &mut Reader<'_>, document: &Value) {
    let doc = Document {
        format: Format::Json,
        value: document.clone(),
        locations: Default::default(),
    };
    let report = validate(&doc, ValidationOptions::default());
    for f in report.errors() {
        if r.reported.iter().any(|p| f.pointer.starts_with(p)) {
            continue;
        }
        let key = graph_property(r.ty, &f.pointer);
        let expected = f
            .expected
            .as_deref()
            .map(|e| format!(" (expected {e})"))
            .unwrap_or_default();
        r.push(
            Severity::Error,
            key,
            format!(
                "the imported profile is not valid at {}: {}{expected}",
                f.pointer, f.message
            ),
        );
    }
}
