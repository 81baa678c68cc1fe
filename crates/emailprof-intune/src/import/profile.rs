//! One Graph email profile read into a profile document: the names, the order of the
//! sections, unknown properties, the identifier, and the final validation.

use std::collections::{BTreeMap, BTreeSet};

use emailprof_core::input::{Document, Format};
use emailprof_core::model::*;
use emailprof_core::{EmailProfile, Severity, ValidationOptions, validate};
use serde_json::{Map, Value};

use crate::graph_type::{DEVICE_CONFIGURATION, DEVICE_CONFIGURATION_RELATIONS, GraphType};
use crate::properties::*;
use crate::wire;

use super::reader::*;
use super::sections::*;
use super::types::*;

pub(super) fn read_profile(
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
        graph_type: Some(ty),
        object_type: ty.name(),
        id,
        profile: document,
        findings: r.findings,
    }
}

/// Report every property the type does not have. Instance annotations (`@odata.*` and the
/// like) and the known `deviceConfiguration` members pass quietly.
pub(super) fn report_unknown(r: &mut Reader<'_>) {
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
pub(super) fn identifier(
    id: Option<&str>,
    display_name: &str,
    used: &mut BTreeSet<String>,
) -> String {
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

/// Validate the document as the CLI will, so that an import without errors is a valid
/// profile; problems are reported at the Graph property they come from.
pub(super) fn check_document(r: &mut Reader<'_>, document: &Value) {
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
