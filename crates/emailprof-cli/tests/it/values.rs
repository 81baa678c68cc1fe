//! Values that look plausible but would produce a wrong artifact: host names, OS versions,
//! user-name forms. Each is refused with the reason, or written as the administrator meant.

use crate::support::{eas_payload, emit, import, plist_dict, stderr, stdout};

#[test]
fn a_minimum_os_newer_than_the_reference_knows_is_refused_with_the_known_range() {
    for version in ["99", "19.0"] {
        let o = emit("examples/minimal.yaml", "ios")
            .directory("examples/directory.csv")
            .user("avance")
            .flag("--min-os", version)
            .code(2);
        let err = stderr(&o);
        assert!(err.contains("from iOS 4.0 to 18.x"), "{version}: {err}");
        assert!(o.stdout.is_empty(), "nothing written for {version}");
    }
    // The newest known major is accepted.
    emit("examples/minimal.yaml", "ios")
        .directory("examples/directory.csv")
        .user("avance")
        .flag("--min-os", "18.4")
        .success();
}

/// A profile whose user name is the sAM account name with no domain.
fn sam_without_domain(dir: &std::path::Path) -> std::path::PathBuf {
    let file = dir.join("sam.yaml");
    std::fs::write(
        &file,
        "displayName: Contoso\nidentifier: com.contoso.mail\naccount:\n  server: mail.contoso.com\n  accountName: Mail\n  username:\n    source: samAccountName\n    domain:\n      source: none\n",
    )
    .unwrap();
    file
}

#[test]
fn a_sam_account_name_without_a_domain_is_the_name_alone_where_platforms_can_say_it() {
    let dir = tempfile::tempdir().unwrap();
    let profile = sam_without_domain(dir.path());
    let run = |platform: &str| {
        emit(&profile, platform)
            .directory("examples/directory.csv")
            .user("avance")
            .success()
    };
    let ios = eas_payload(&plist_dict(&run("ios").stdout));
    assert_eq!(ios["UserName"].as_string(), Some("avance"));
    let windows = stdout(&run("windows"));
    assert!(windows.contains("/UserName</LocURI>"), "{windows}");
    assert!(windows.contains("<Data>avance</Data>"), "{windows}");
    assert!(!windows.contains("/Domain</LocURI>"), "{windows}");
    assert!(!windows.contains("CONTOSO") && !windows.contains("contoso.com\\"));
    let gmail: serde_json::Value = serde_json::from_slice(&run("android-gmail").stdout).unwrap();
    assert!(
        gmail
            .to_string()
            .contains(r#""exchange_username":"avance""#),
        "{gmail}"
    );
    // Intune's Knox type has domain settings and no way to say "none": reported.
    let knox = run("android-knox");
    assert!(
        stderr(&knox).contains("cannot send the sAM account name without a domain"),
        "{}",
        stderr(&knox)
    );
}

#[test]
fn intune_android_sam_account_name_imports_as_the_name_alone() {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("gmail.json");
    std::fs::write(
        &graph,
        r##"{"@odata.type": "#microsoft.graph.androidWorkProfileGmailEasConfiguration", "displayName": "Gmail", "hostName": "mail.contoso.com", "usernameSource": "samAccountName"}"##,
    )
    .unwrap();
    let out = dir.path().join("back.yaml");
    import("intune", &graph).out(&out).success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("source: samAccountName"), "{text}");
    assert!(text.contains("source: none"), "{text}");
    // And it emits the name alone.
    let ios = emit(&out, "ios")
        .directory("examples/directory.csv")
        .user("avance")
        .success();
    assert_eq!(
        eas_payload(&plist_dict(&ios.stdout))["UserName"].as_string(),
        Some("avance")
    );
}
