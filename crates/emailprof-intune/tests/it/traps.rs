//! One test per importer trap (intune-graph.md §0 and §6).

use emailprof_core::Severity;
use emailprof_core::model::*;
use emailprof_intune::{GraphType, IntuneError, import_graph, import_graph_report};
use serde_json::json;

use crate::{at, data, finding, import, import_one, model};

#[test]
fn explicit_nulls_are_not_configured() {
    // Terraform's Graph fixture: every unset setting is `null`.
    let p = import_one("tf-ios-email-nulls.json");
    let m = model(&p);
    let defaults = EmailProfile {
        display_name: m.display_name.clone(),
        identifier: m.identifier.clone(),
        ..serde_json::from_value(json!({
            "displayName": "x", "identifier": "x.y",
            "account": {"server": "x", "accountName": "x"}
        }))
        .unwrap()
    };
    assert_eq!(m.sync, defaults.sync);
    assert_eq!(m.smime, defaults.smime);
    assert_eq!(m.mail, defaults.mail);
    assert!(!m.account.oauth.enabled);
    assert!(m.account.ssl);
    assert_eq!(m.account.username.source, UsernameSource::UserPrincipalName);
    assert_eq!(m.account.server, "mail.example.invalid");
    assert_eq!(
        m.description.as_deref(),
        Some("Device configuration template test")
    );
    // `authenticationMethod: certificate` with no reference at all: a placeholder to fill in.
    assert_eq!(
        m.account.authentication.method,
        AuthenticationMethod::Certificate
    );
    assert_eq!(
        m.account.authentication.identity_certificate.as_deref(),
        Some("identity")
    );
    assert!(m.certificates["identity"].graph_id.is_none());
    finding(&p, Severity::Warning, "/identityCertificate");
    // Nothing else to say: nulls are silent.
    assert_eq!(p.findings.len(), 1, "{:#?}", p.findings);
}

#[test]
fn null_sync_switches_are_off_and_all_false_syncs_email_only() {
    let p = import_one("tf-windows-email.json");
    let m = model(&p);
    assert_eq!(m.sync.services, [Service::Email]);
    assert_eq!(
        m.platforms.windows.sync_schedule,
        SyncSchedule::NotConfigured
    );

    let mut obj =
        serde_json::from_slice::<serde_json::Value>(&data("tf-windows-email.json")).unwrap();
    obj["syncCalendar"] = json!(true);
    obj["syncContacts"] = serde_json::Value::Null;
    obj.as_object_mut().unwrap().remove("syncTasks");
    let p = &import_graph(obj.to_string().as_bytes()).unwrap()[0];
    assert_eq!(model(p).sync.services, [Service::Email, Service::Calendars]);
    let f = finding(p, Severity::Info, "/syncContacts");
    assert!(
        f.message.contains("`syncTasks`") && f.message.contains("off"),
        "{f}"
    );
}

#[test]
fn eas_services_with_and_without_spaces() {
    let all = import("trap-eas-services.json");
    let services: Vec<Vec<Service>> = all.iter().map(|p| model(p).sync.services).collect();
    assert_eq!(services[0], [Service::Email, Service::Calendars]);
    assert_eq!(services[1], Service::all());
    // Case is forgiven; `tasks` is Windows' word, not a member.
    assert_eq!(services[2], [Service::Email, Service::Notes]);
    finding(&all[2], Severity::Warning, "/value/2/easServices");
    // `none` cannot be expressed (at least one service): not configured, with a warning.
    assert_eq!(services[3], Service::all());
    finding(&all[3], Severity::Warning, "/value/3/easServices");
    assert_eq!(services[4], Service::all());
    assert!(all[4].findings.is_empty(), "{:#?}", all[4].findings);
}

#[test]
fn username_aad_source_wins_over_username_source() {
    let all = import("trap-username-source.json");
    let portal = model(&all[0]);
    assert_eq!(
        portal.account.username.source,
        UsernameSource::SamAccountName
    );
    assert_eq!(
        portal.account.username.domain,
        Some(UserDomain {
            source: DomainSource::Directory,
            attribute: Some(DomainAttribute::NetBiosDomainName),
            name: None
        })
    );
    finding(&all[0], Severity::Info, "/0/usernameSource");
    // Without usernameAADSource, the older usernameSource decides.
    assert_eq!(
        model(&all[1]).account.username.source,
        UsernameSource::PrimarySmtpAddress
    );
    assert!(all[1].findings.is_empty(), "{:#?}", all[1].findings);
    assert_eq!(
        model(&all[2]).account.username.source,
        UsernameSource::UserPrincipalName
    );
}

#[test]
fn domain_source_is_inferred_from_custom_domain_name() {
    let all = import("trap-domain-source.json");
    let domain = |i: usize| model(&all[i]).account.username.domain;
    assert_eq!(
        domain(0),
        Some(UserDomain {
            source: DomainSource::Custom,
            attribute: None,
            name: Some("contoso".into())
        })
    );
    finding(&all[0], Severity::Info, "/0/userDomainNameSource");
    assert_eq!(
        domain(1),
        Some(UserDomain {
            source: DomainSource::Directory,
            attribute: Some(DomainAttribute::NetBiosDomainName),
            name: None
        })
    );
    assert_eq!(
        domain(2),
        Some(UserDomain {
            source: DomainSource::Directory,
            attribute: Some(DomainAttribute::FullDomainName),
            name: None
        })
    );
    // The portal's own switch, when an export carries it, decides.
    assert_eq!(domain(3).unwrap().source, DomainSource::Directory);
    finding(&all[3], Severity::Info, "/3/customDomainName");
    // Not sAM: no domain at all.
    assert_eq!(domain(4), None);
    finding(&all[4], Severity::Info, "/4/customDomainName");
}

#[test]
fn block_flags_are_inverted() {
    let mail: Vec<Mail> = import("trap-inverted-blocks.json")
        .iter()
        .map(|p| model(p).mail)
        .collect();
    let m = |allow_move, allow_third_party_send, sync_recent_addresses| Mail {
        allow_move,
        allow_third_party_send,
        sync_recent_addresses,
    };
    assert_eq!(
        mail,
        [
            m(false, false, false),
            m(true, true, true),
            m(true, false, true)
        ]
    );
}

#[test]
fn certificate_reference_expanded() {
    let p = import_one("trap-cert-expanded.json");
    let m = model(&p);
    // Identity and signing name the same Intune profile: one entry.
    assert_eq!(
        m.account.authentication.identity_certificate.as_deref(),
        Some("identity")
    );
    assert_eq!(m.smime.signing.certificate.as_deref(), Some("identity"));
    assert_eq!(
        m.smime.encryption.certificate.as_deref(),
        Some("smime-encryption")
    );
    assert_eq!(m.certificates.len(), 2);
    let id = &m.certificates["identity"];
    assert_eq!(id.kind, CertificateKind::External);
    assert_eq!(
        id.graph_id.as_deref(),
        Some("0a6c1f7e-5b2d-4c3e-8f90-1a2b3c4d5e6f")
    );
    assert_eq!(id.display_name.as_deref(), Some("Contoso user PKCS"));
    let enc = &m.certificates["smime-encryption"];
    assert!(
        enc.external
            .as_ref()
            .unwrap()
            .note
            .as_deref()
            .unwrap()
            .contains("iosScepCertificateProfile")
    );
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
}

#[test]
fn certificate_reference_custom_ref() {
    let p = import_one("trap-cert-customref.json");
    let m = model(&p);
    let cert = &m.certificates["identity"];
    assert_eq!(cert.display_name.as_deref(), Some("Contoso user SCEP"));
    assert_eq!(cert.graph_id, None, "IntuneManagement refers by name only");
    // The navigation link points at this profile's own relation, not at the certificate.
    let f = finding(&p, Severity::Info, "/identityCertificate");
    assert!(f.message.contains("graphId"), "{f}");
    assert_eq!(p.findings.len(), 1, "{:#?}", p.findings);
}

#[test]
fn certificate_reference_odata_bind() {
    let p = import_one("trap-cert-bind.json");
    let m = model(&p);
    assert_eq!(
        m.certificates["identity"].graph_id.as_deref(),
        Some("0a6c1f7e-5b2d-4c3e-8f90-1a2b3c4d5e6f")
    );
    // A bind that is not a deviceConfigurations URL yields no id: a warning, and an entry
    // to complete.
    finding(&p, Severity::Warning, "/smimeSigningCertificate@odata.bind");
    assert_eq!(
        m.smime.signing.certificate.as_deref(),
        Some("smime-signing")
    );
    assert_eq!(m.certificates["smime-signing"].graph_id, None);
}

#[test]
fn certificate_reference_missing() {
    let p = import_one("trap-cert-missing.json");
    let m = model(&p);
    for (nav, name) in [
        ("identityCertificate", "identity"),
        ("smimeSigningCertificate", "smime-signing"),
        ("smimeEncryptionCertificate", "smime-encryption"),
    ] {
        let f = finding(&p, Severity::Warning, &format!("/{nav}"));
        assert!(f.message.contains("not exported"), "{f}");
        assert!(m.certificates[name].graph_id.is_none());
    }
}

#[test]
fn unknown_properties_are_reported_not_fatal() {
    let p = import_one("trap-unknown-properties.json");
    assert_eq!(p.graph_type, Some(GraphType::Windows10));
    for key in [
        "/syncNotes",
        "/useOAuth",
        "/favouriteColour",
        "/#CustomRef_identityCertificate",
    ] {
        finding(&p, Severity::Warning, key);
    }
    assert!(
        finding(&p, Severity::Warning, "/syncNotes")
            .message
            .contains("androidEasEmailProfileConfiguration")
    );
    // Wrong value types and members: reported and left at the default.
    finding(&p, Severity::Warning, "/requireSsl");
    finding(&p, Severity::Warning, "/durationOfEmailToSync");
    finding(&p, Severity::Info, "/assignments");
    let m = model(&p);
    assert!(m.account.ssl);
    assert!(!m.account.oauth.enabled);
    assert_eq!(m.sync.email_sync_duration, EmailSyncDuration::NotConfigured);
    // Annotations of known properties pass quietly.
    assert!(
        !p.findings
            .iter()
            .any(|f| f.pointer.contains("roleScopeTagIds"))
    );
    assert!(
        !p.findings
            .iter()
            .any(|f| f.pointer.contains("@odata.context"))
    );
}

#[test]
fn per_app_vpn_profile_id_is_reported_not_mistaken_for_a_payload_uuid() {
    let p = import_one("trap-per-app-vpn.json");
    // The id has the form of a UUID, yet it names an Intune object, not a VPN payload.
    assert_eq!(model(&p).platforms.ios.per_account_vpn_uuid, None);
    let f = finding(&p, Severity::Warning, "/perAppVPNProfileId");
    assert!(f.message.contains("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
}

#[test]
fn host_name_urls_are_reduced_and_a_missing_host_is_an_error() {
    let all = import("trap-host-url.json");
    assert_eq!(model(&all[0]).account.server, "mail.contoso.com");
    finding(&all[0], Severity::Info, "/0/hostName");
    assert!(all[1].has_errors());
    finding(&all[1], Severity::Error, "/1/hostName");
    assert_eq!(
        all[1]
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        1,
        "validation must not report the missing server twice: {:#?}",
        all[1].findings
    );
}

#[test]
fn envelopes_lists_and_non_email_objects() {
    let report = import_graph_report(&data("list-mixed.json")).unwrap();
    let types: Vec<GraphType> = report
        .profiles
        .iter()
        .filter_map(|p| p.graph_type)
        .collect();
    assert_eq!(types, [GraphType::WindowsPhone, GraphType::Ios]);
    let pointers: Vec<&str> = report.findings.iter().map(|f| f.pointer.as_str()).collect();
    assert_eq!(pointers, ["/@odata.nextLink", "/value/0", "/value/2"]);
    // `microsoft.graph.windowsPhoneEasEmail…`: no `#`, and EAS in the wrong case.
    finding(&report.profiles[0], Severity::Info, "/value/1/@odata.type");

    let all = import("array-of-wrappers.json");
    let ids: Vec<&str> = all.iter().map(|p| p.id.as_deref().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "8e4a7b63-2d3c-4f90-8b21-4c6d8f0a1e32",
            "b17dae96-5a6f-4c23-9e54-7f9abc3d4165",
            "c28ebfa7-6b7a-4d34-8f65-8a0bcd4e5276"
        ]
    );
    assert_eq!(
        at(&all[2].profile, "/identifier"),
        "com.microsoft.intune.c28ebfa7-6b7a-4d34-8f65-8a0bcd4e5276"
    );
}

#[test]
fn identifiers_fall_back_to_the_display_name_and_stay_unique() {
    let input = json!([
        {"@odata.type": "#microsoft.graph.iosEasEmailProfileConfiguration",
         "displayName": "Contoso — Exchange (iOS)", "hostName": "mail.contoso.com"},
        {"@odata.type": "#microsoft.graph.iosEasEmailProfileConfiguration",
         "displayName": "Contoso — Exchange (iOS)", "hostName": "mail.contoso.com"}
    ]);
    let all = import_graph(input.to_string().as_bytes()).unwrap();
    assert_eq!(
        at(&all[0].profile, "/identifier"),
        "com.microsoft.intune.contoso-exchange-ios"
    );
    assert_eq!(
        at(&all[1].profile, "/identifier"),
        "com.microsoft.intune.contoso-exchange-ios-2"
    );
    for p in &all {
        model(p);
    }
}

#[test]
fn android_username_and_domain_gaps() {
    // Terraform's Nine Work fixture uses `username`, the name without a domain: the sAM
    // account name alone, said as a warning (Intune takes it from Entra ID).
    let p = import_one("tf-android-work-nine.json");
    let m = model(&p);
    assert_eq!(m.account.username.source, UsernameSource::SamAccountName);
    assert_eq!(
        m.account.username.domain.as_ref().map(|d| d.source),
        Some(DomainSource::None)
    );
    finding(&p, Severity::Warning, "/usernameSource");
    assert_eq!(m.sync.services, [Service::Email]);

    // sAM on a work-profile type, which has no domain settings: the name alone, as Intune
    // sends it (not a domain the export never named).
    let input = json!({"@odata.type": "#microsoft.graph.androidWorkProfileGmailEasConfiguration",
        "displayName": "Gmail", "hostName": "mail.contoso.com", "usernameSource": "samAccountName"});
    let p = &import_graph(input.to_string().as_bytes()).unwrap()[0];
    let m = model(p);
    assert_eq!(m.account.username.source, UsernameSource::SamAccountName);
    assert_eq!(
        m.account.username.domain.unwrap().source,
        DomainSource::None
    );
}

#[test]
fn smime_settings_under_a_switch_that_is_off_are_ignored() {
    let input = json!({"@odata.type": "#microsoft.graph.iosEasEmailProfileConfiguration",
        "displayName": "S/MIME off", "hostName": "mail.contoso.com",
        "requireSmime": false, "smimeSigningEnabled": true, "smimeEncryptByDefaultEnabled": true,
        "smimeSigningCertificate@odata.bind": "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('x1')"});
    let p = &import_graph(input.to_string().as_bytes()).unwrap()[0];
    let m = model(p);
    assert!(!m.smime.enabled);
    assert!(m.certificates.is_empty());
    finding(p, Severity::Info, "/requireSmime");
    finding(p, Severity::Info, "/smimeSigningCertificate");
}

#[test]
fn what_is_not_an_email_profile_export_fails_plainly() {
    assert!(matches!(
        import_graph(b"{"),
        Err(IntuneError::Json { line: 1, .. })
    ));
    assert!(matches!(import_graph(b"42"), Err(IntuneError::Shape(_))));
    let wifi = br##"{"value":[{"@odata.type":"#microsoft.graph.iosWiFiConfiguration"}]}"##;
    let err = import_graph(wifi).unwrap_err();
    assert!(err.to_string().contains("iosWiFiConfiguration"), "{err}");
    assert!(matches!(
        import_graph(b"[]"),
        Err(IntuneError::NoEmailProfile { .. })
    ));
    // A BOM is tolerated (PowerShell writes one).
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(data("trap-per-app-vpn.json"));
    assert_eq!(import_graph(&bom).unwrap().len(), 1);
}

#[test]
fn no_panic_on_odd_values() {
    let odd = json!({"@odata.type": "#microsoft.graph.androidEasEmailProfileConfiguration",
        "displayName": 7, "hostName": ["x"], "accountName": {}, "syncCalendar": "yes",
        "usernameSource": 1, "identityCertificate": "text", "#CustomRef_smimeSigningCertificate": 3,
        "identityCertificate@odata.bind": null, "authenticationMethod": "certificate",
        "requireSmime": true, "customDomainName": "", "description": "   "});
    let p = &import_graph(odd.to_string().as_bytes()).unwrap()[0];
    assert!(p.has_errors(), "no host name");
    assert!(p.findings.iter().any(|f| f.pointer == "/displayName"));
}
