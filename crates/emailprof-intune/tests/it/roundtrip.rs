//! Import → export gives back the same settings, for every type; export → import keeps every
//! setting the type expresses natively and reports every configured one it cannot hold.

use emailprof_core::{EmailProfile, Setting, Severity, Support};
use emailprof_intune::{GraphType, export_graph, import_graph};
use serde_json::{Map, Value};

use crate::{data, import, model};

/// The settings of a Graph object: no server-side metadata, no `null`s, no "not configured"
/// members, and `easServices` as a set.
fn settings(obj: &Value) -> Map<String, Value> {
    const METADATA: &[&str] = &[
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "version",
        "roleScopeTagIds",
        "supportsScopeTags",
        "applyOnlyToWindowsPhone81",
    ];
    let mut out = Map::new();
    for (k, v) in obj.as_object().unwrap() {
        if METADATA.contains(&k.as_str()) || v.is_null() || v == "userDefined" {
            continue;
        }
        let v = if k == "easServices" {
            let mut names: Vec<String> = v
                .as_str()
                .unwrap()
                .split(',')
                .map(|s| s.trim().to_owned())
                .collect();
            names.sort();
            Value::from(names)
        } else {
            v.clone()
        };
        out.insert(k.clone(), v);
    }
    out
}

#[test]
fn import_then_export_gives_back_the_same_settings_for_every_type() {
    let originals = crate::json("contoso-all-types.json");
    let imported = import("contoso-all-types.json");
    let mut seen = Vec::new();
    for (original, p) in originals.as_array().unwrap().iter().zip(&imported) {
        let ty = p.graph_type.expect("an email profile");
        seen.push(ty);
        assert!(
            p.findings.iter().all(|f| f.severity == Severity::Info),
            "{}: {:#?}",
            ty,
            p.findings
        );
        let export = export_graph(&model(p), ty).unwrap();
        assert_eq!(
            settings(&export.json),
            settings(original),
            "{}: exported {:#}",
            ty,
            export.json
        );
        let warnings: Vec<_> = export
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .collect();
        assert!(warnings.is_empty(), "{}: {warnings:#?}", ty);
    }
    assert_eq!(seen, GraphType::ALL, "one fixture per type, in order");
}

fn rich() -> EmailProfile {
    serde_json::from_slice(&data("profile-rich.json")).unwrap()
}

/// Serialized with every default written out, so absent and default compare equal.
fn full(p: &EmailProfile) -> Value {
    serde_json::to_value(p).unwrap()
}

#[test]
fn export_then_import_keeps_what_the_type_expresses_natively() {
    let original = rich();
    let before = full(&original);
    for ty in GraphType::ALL {
        let export = export_graph(&original, ty).unwrap();
        let back = import_graph(export.json.to_string().as_bytes()).unwrap();
        assert_eq!(back.len(), 1);
        let after = full(&model(&back[0]));
        for s in Setting::ALL {
            if s == Setting::Identifier || ty.support(s) != Support::NATIVE {
                continue;
            }
            assert_eq!(
                after.pointer(s.pointer()),
                before.pointer(s.pointer()),
                "{ty}: {} ({}) did not survive: {:#}",
                s.title(),
                s.pointer(),
                export.json
            );
        }
    }
}

#[test]
fn every_configured_setting_a_type_cannot_hold_is_reported() {
    let original = rich();
    for ty in GraphType::ALL {
        let export = export_graph(&original, ty).unwrap();
        for s in Setting::ALL {
            if !s.is_configured(&original) {
                continue;
            }
            let reported = export.diagnostics.iter().any(|d| {
                d.setting == s.pointer() || d.setting.starts_with(&format!("{}/", s.pointer()))
            });
            match ty.support(s) {
                Support::Unsupported { .. } => {
                    assert!(reported, "{ty}: {} not reported", s.title())
                }
                Support::OtherPlatform => assert!(!reported, "{ty}: {} reported", s.title()),
                _ => {}
            }
            for d in &export.diagnostics {
                assert_eq!(d.platform, ty.platform_id());
            }
        }
    }
}

#[test]
fn partial_sync_services_are_reported_per_type() {
    let mut p = rich();
    p.sync.services = vec![
        emailprof_core::model::Service::Calendars,
        emailprof_core::model::Service::Notes,
    ];
    let diag = |ty: GraphType| -> Vec<String> {
        export_graph(&p, ty)
            .unwrap()
            .diagnostics
            .into_iter()
            .filter(|d| d.setting == "/sync/services")
            .map(|d| d.message)
            .collect()
    };
    let win = diag(GraphType::Windows10);
    assert_eq!(win.len(), 2, "{win:#?}");
    assert!(win[0].contains("email always syncs"));
    assert!(win[1].contains("notes"));
    // Knox has syncNotes: only the email remark.
    assert_eq!(diag(GraphType::AndroidKnox).len(), 1);
    assert!(diag(GraphType::Ios).is_empty());
    let out = export_graph(&p, GraphType::AndroidKnox).unwrap().json;
    assert_eq!(out["syncNotes"], true);
    assert_eq!(out["syncCalendar"], true);
    assert_eq!(out["syncContacts"], false);
}

#[test]
fn certificate_references_need_a_graph_id() {
    let mut p = rich();
    p.certificates.get_mut("user-auth").unwrap().graph_id = None;
    let export = export_graph(&p, GraphType::Ios).unwrap();
    assert!(export.json.get("identityCertificate@odata.bind").is_none());
    assert_eq!(
        export.json["smimeSigningCertificate@odata.bind"],
        "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('1b7d2e8f-6c3e-4d4f-9a01-2b3c4d5e6f70')"
    );
    assert!(export.diagnostics.iter().any(|d| d.setting
        == "/account/authentication/identityCertificate"
        && d.severity == Severity::Warning));
    // The CA certificate is never referred to; its material does not go to Graph.
    assert!(
        export
            .diagnostics
            .iter()
            .any(|d| d.setting == "/certificates/spare-ca" && d.severity == Severity::Info)
    );

    p.certificates.get_mut("user-auth").unwrap().graph_id = Some("x')/../users('y".into());
    assert!(export_graph(&p, GraphType::Ios).is_err());
}

#[test]
fn export_writes_the_portal_forms() {
    let p = rich();
    let ios = export_graph(&p, GraphType::Ios).unwrap().json;
    assert_eq!(ios["easServices"], "calendars,contacts,email");
    // sAM goes to usernameAADSource; usernameSource cannot hold it.
    assert_eq!(ios["usernameAADSource"], "samAccountName");
    assert_eq!(ios["usernameSource"], "userPrincipalName");
    assert_eq!(ios["customDomainName"], "contoso.com");
    assert!(ios.get("userDomainNameSource").is_none());
    // "Allow …" false is block… true.
    assert_eq!(ios["blockMovingMessagesToOtherEmailAccounts"], true);
    assert_eq!(ios["blockSendingEmailFromThirdPartyApps"], true);
    assert_eq!(ios["blockSyncingRecentlyUsedEmailAddresses"], true);
    assert_eq!(ios["requireSsl"], false);
    let win = export_graph(&p, GraphType::Windows10).unwrap().json;
    assert_eq!(win["emailSyncSchedule"], "thirtyMinutes");
    assert_eq!(win["syncTasks"], false);
    let gmail = export_graph(&p, GraphType::AndroidWorkProfileGmail)
        .unwrap()
        .json;
    assert_eq!(gmail["usernameSource"], "samAccountName");
    assert!(gmail.get("accountName").is_none());
}
