//! The sections of a Graph email profile: host, user name and domain, certificate
//! references, sync and S/MIME.

use std::collections::BTreeSet;

use emailprof_core::Severity;
use emailprof_core::model::*;
use serde_json::Value;

use crate::graph_type::GraphType;
use crate::properties::*;
use crate::wire;

use super::reader::*;

/// `hostName`, reduced to a host name: Graph calls it the "Exchange location (URL)", and
/// exports do hold URLs.
pub(super) fn read_host(r: &mut Reader<'_>) -> String {
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

/// The sAM account name alone, without `domain\`.
fn no_domain() -> UserDomain {
    UserDomain {
        source: DomainSource::None,
        attribute: None,
        name: None,
    }
}

pub(super) fn read_username(r: &mut Reader<'_>) -> Username {
    let ty = r.ty;
    let source = if ty.android_username() {
        match r.member(USERNAME_SOURCE.graph, &wire::ANDROID_USERNAME_SOURCE) {
            Some(Some(s)) => s,
            Some(None) => {
                r.push(
                    Severity::Warning,
                    USERNAME_SOURCE.graph,
                    "`username` (the name without a domain, e.g. `user1`) is imported as the sAM account name without a domain; check that the directory's sAMAccountName is that name".into(),
                );
                return Username {
                    source: UsernameSource::SamAccountName,
                    domain: Some(no_domain()),
                };
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
        // The Android Enterprise types have no domain settings: their samAccountName is the
        // name alone.
        let domain = (source == UsernameSource::SamAccountName).then(no_domain);
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
pub(super) fn reference(r: &mut Reader<'_>, nav: &str) -> Option<CertRef> {
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
pub(super) fn certificate_for(
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
        let cert = Certificate::external(ExternalCertificate {
            payload_uuid: None,
            android_alias: None,
            note: Some(format!(
                "Intune certificate profile of `{nav}`; the export did not include the reference"
            )),
        });
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
        display_name: found.display_name.clone(),
        graph_id: found.graph_id.clone(),
        ..Certificate::external(ExternalCertificate {
            payload_uuid: None,
            android_alias: None,
            note: Some(format!("Intune certificate profile{what}")),
        })
    };
    Some(add_certificate(r, role, cert))
}

/// Add `cert` under `role`, or return the name of an entry that is the same certificate.
pub(super) fn add_certificate(r: &mut Reader<'_>, role: &str, cert: Certificate) -> String {
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

pub(super) fn read_sync(r: &mut Reader<'_>) -> Sync {
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
    let switches = crate::properties::sync_switches(ty);
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
pub(super) fn read_eas_services(r: &mut Reader<'_>) -> Option<Vec<Service>> {
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

pub(super) fn read_smime(r: &mut Reader<'_>) -> Smime {
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
