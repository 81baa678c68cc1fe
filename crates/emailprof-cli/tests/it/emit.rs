//! `emit`, `diff`, `import` and `export` through the real binary.

use crate::support::{cli, eas_payload, emit, import, openssl, plist_dict, root, stderr, stdout};

/// The Exchange payload of the profile a run printed.
fn eas(o: &std::process::Output) -> plist::Dictionary {
    eas_payload(&plist_dict(&o.stdout))
}

#[test]
fn the_main_job_emits_the_users_values_deterministically() {
    let run = || emit("examples/contoso.yaml", "ios").user("avance");
    let a = run().success();
    assert_eq!(a.stdout, run().output().stdout, "same input, same bytes");
    let p = eas(&a);
    // examples/directory.csv: avance's sAM name, NetBIOS domain and primary SMTP address.
    assert_eq!(p["UserName"].as_string(), Some("CONTOSO\\avance"));
    assert_eq!(
        p["EmailAddress"].as_string(),
        Some("Adele.Vance@contoso.com")
    );
    assert_eq!(p["Host"].as_string(), Some("outlook.office365.com"));
    // Written to a file: atomically, nothing else left in the directory.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("avance.mobileconfig");
    run().out(&out).success();
    assert_eq!(std::fs::read(&out).unwrap(), a.stdout);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn unknown_users_and_missing_attributes_are_clear_errors() {
    let o = emit("examples/minimal.yaml", "ios").user("nobody").code(2);
    assert!(
        stderr(&o).contains("user `nobody` was not found"),
        "{}",
        stderr(&o)
    );
    // megan.bowen has no sAMAccountName in examples/directory.csv; Contoso needs it.
    let o = emit("examples/contoso.yaml", "windows")
        .user("megan.bowen")
        .code(2);
    assert!(stderr(&o).contains("sAMAccountName"), "{}", stderr(&o));
    let o = emit("examples/minimal.yaml", "ios").code(2);
    assert!(stderr(&o).contains("--user"), "{}", stderr(&o));
    emit("examples/minimal.yaml", "ios")
        .user("user1")
        .directory("tests/invalid/01-missing-server.yaml")
        .code(2);
}

#[test]
fn placeholders_put_the_mdms_variables_in_place_of_values() {
    let o = emit("examples/minimal.yaml", "ios")
        .flag("--placeholders", "intune")
        .success();
    assert_eq!(
        eas(&o)["UserName"].as_string(),
        Some("{{userprincipalname}}")
    );
    // Intune has no variable for a NetBIOS domain: an error, not a guess.
    let o = emit("examples/contoso.yaml", "ios")
        .flag("--placeholders", "intune")
        .code(2);
    assert!(stderr(&o).contains("netbiosName"), "{}", stderr(&o));
}

#[test]
fn passwords_are_written_only_when_asked_and_never_logged() {
    let secret = "Pa55-word-that-must-not-leak";
    let user1 = |platform| emit("examples/basic-auth.yaml", platform).user("user1");
    let o = user1("ios").env("CONTOSO_EAS_PASSWORD", secret).success();
    assert!(!stdout(&o).contains(secret));
    for platform in ["ios", "windows"] {
        let o = user1(platform)
            .arg("--include-password")
            .env("CONTOSO_EAS_PASSWORD", secret)
            .tracing()
            .success();
        assert!(
            stdout(&o).contains(secret),
            "{platform}: the password was asked for"
        );
        assert!(
            !stderr(&o).contains(secret),
            "{platform}: the password leaked into the log"
        );
        assert!(
            stderr(&o).contains("password"),
            "{platform}: a warning says the artifact is readable"
        );
    }
    let o = user1("ios")
        .arg("--include-password")
        .env_remove("CONTOSO_EAS_PASSWORD")
        .code(2);
    assert!(
        stderr(&o).contains("CONTOSO_EAS_PASSWORD"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn signed_profiles_verify_with_openssl_and_carry_the_unsigned_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    openssl(
        d,
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2",
        Some("/CN=Test CA"),
    );
    openssl(
        d,
        "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout leaf.key -out leaf.csr",
        Some("/CN=Profile signer"),
    );
    openssl(
        d,
        "x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 2",
        None,
    );
    let user1 = || emit("examples/contoso.yaml", "ios").user("user1");
    let unsigned = user1().output();
    let signed_path = d.join("signed.mobileconfig");
    user1()
        .flag("--signing-time", "2026-01-02T03:04:05Z")
        .signed_with(d.join("leaf.pem"), d.join("leaf.key"))
        .out(&signed_path)
        .success();
    let content = d.join("content.plist");
    let st = std::process::Command::new("openssl")
        .args(["cms", "-verify", "-inform", "DER", "-in"])
        .arg(&signed_path)
        .arg("-CAfile")
        .arg(d.join("ca.pem"))
        .arg("-out")
        .arg(&content)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert_eq!(std::fs::read(&content).unwrap(), unsigned.stdout);
    // A signed profile imports like the unsigned one.
    import("mobileconfig", &signed_path)
        .out(d.join("imported.yaml"))
        .success();
}

#[test]
fn diff_exit_codes_and_reauthentication_warnings() {
    let o = cli(["diff", "examples/contoso.yaml", "examples/contoso.yaml"]).success();
    assert!(stdout(&o).contains("no differences"));
    let tmp = tempfile::tempdir().unwrap();
    let changed = tmp.path().join("changed.yaml");
    let text = std::fs::read_to_string(root().join("examples/contoso.yaml")).unwrap();
    let text = text
        .replace(
            "services: [email, calendars, contacts]",
            "services: [email]",
        )
        .replace(
            "  server: outlook.office365.com",
            "  server: mail.contoso.com",
        )
        .replace("../schemas", "../../schemas");
    std::fs::write(&changed, text).unwrap();
    // Keep the certificate paths valid relative to the copy.
    std::fs::create_dir(tmp.path().join("certs")).unwrap();
    for file in ["smime.p12", "contoso-root.pem"] {
        let from = root().join("examples/certs").join(file);
        std::fs::copy(from, tmp.path().join("certs").join(file)).unwrap();
    }
    let o = cli(["diff", "examples/contoso.yaml"])
        .arg(&changed)
        .args(["--platform", "ios"])
        .code(3);
    let out = stdout(&o);
    assert!(
        out.contains("Exchange data to sync (/sync/services)"),
        "{out}"
    );
    assert!(
        out.contains("users must re-enter their credentials"),
        "{out}"
    );
    assert!(out.contains("Email server (/account/server)"), "{out}");
    assert!(out.contains("updated in place"), "{out}");
    // A change to a setting Windows cannot express (S/MIME, OAuth) is reported as such.
    let o = cli(["diff", "examples/minimal.yaml", "examples/contoso.yaml"])
        .args(["--platform", "windows"])
        .output();
    assert!(
        stdout(&o).contains("not expressed on this platform"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn every_platform_emits_the_full_example() {
    let platforms = cli(["platforms"]).output();
    let ids: Vec<String> = stdout(&platforms)
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    assert!(ids.len() >= 6, "{ids:?}");
    for id in ids {
        // A platform that can express nothing of the profile refuses (issue 15): exit 2 with
        // what to do instead, as `platforms` says under "needs".
        if id == "android-samsung" {
            let o = emit("examples/contoso.yaml", &id).user("user1").code(2);
            assert!(
                stderr(&o).contains("would configure nothing"),
                "{}",
                stderr(&o)
            );
            assert!(stderr(&o).contains("Instead: "), "{}", stderr(&o));
            continue;
        }
        let o = emit("examples/contoso.yaml", &id).user("user1").success();
        assert!(!o.stdout.is_empty(), "{id}");
    }
}

#[test]
fn intune_export_and_import_round_trip_through_the_cli() {
    let export = |platform| {
        cli([
            "export",
            "intune",
            "examples/contoso.yaml",
            "--platform",
            platform,
        ])
    };
    let tmp = tempfile::tempdir().unwrap();
    // `-p` is the device app; Gmail has two Graph types, chosen with --graph-type.
    for (platform, graph_type) in [
        ("ios", None),
        ("windows", None),
        ("android-knox", None),
        (
            "android-gmail",
            Some("androidWorkProfileGmailEasConfiguration"),
        ),
        ("android-gmail", Some("androidForWorkGmailEasConfiguration")),
    ] {
        let graph = tmp.path().join(format!("{platform}.json"));
        let mut cmd = export(platform);
        if let Some(t) = graph_type {
            cmd = cmd.flag("--graph-type", t);
        }
        let out = cmd.out(&graph).success();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&graph).unwrap()).unwrap();
        if let Some(t) = graph_type {
            assert_eq!(
                json["@odata.type"],
                format!("#microsoft.graph.{t}"),
                "{out:?}"
            );
        }
        let back = tmp.path().join(format!("{platform}.yaml"));
        import("intune", &graph).out(&back).success();
        cli(["validate"]).arg(&back).success();
    }
    export("amiga").code(2);
    // Alone, android-gmail no longer picks the work-profile type: it names the flag.
    let refused = export("android-gmail").code(2);
    assert!(
        stderr(&refused).contains("--graph-type"),
        "{}",
        stderr(&refused)
    );
    // The same platform ids as `emit`: android-outlook is Intune's app configuration.
    let outlook = tmp.path().join("outlook.json");
    cli([
        "export",
        "intune",
        "examples/minimal.yaml",
        "-p",
        "android-outlook",
    ])
    .out(&outlook)
    .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&outlook).unwrap()).unwrap();
    assert_eq!(
        json["@odata.type"],
        "#microsoft.graph.androidManagedStoreAppConfiguration"
    );
    // Both the app configuration and the custom OMA-URI configuration import back.
    let custom = tmp.path().join("custom.json");
    cli(["export", "intune", "examples/minimal.yaml"])
        .flag("--graph-type", "windows10CustomConfiguration")
        .out(&custom)
        .success();
    let outlook_ios = tmp.path().join("outlook-ios.json");
    cli([
        "export",
        "intune",
        "examples/minimal.yaml",
        "-p",
        "ios-outlook",
    ])
    .out(&outlook_ios)
    .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&outlook_ios).unwrap()).unwrap();
    assert_eq!(
        json["@odata.type"],
        "#microsoft.graph.iosMobileAppConfiguration"
    );
    for graph in [&outlook, &custom, &outlook_ios] {
        let back = graph.with_extension("yaml");
        import("intune", graph).out(&back).success();
        cli(["validate"]).arg(&back).success();
        let text = std::fs::read_to_string(&back).unwrap();
        assert!(text.contains("server: outlook.office365.com"), "{text}");
    }
}

/// Apple's published Exchange example (`crates/emailprof-ios/tests/data/corpus`).
fn apple_example() -> String {
    std::fs::read_to_string(
        root().join("crates/emailprof-ios/tests/data/corpus/apple-developer-example.mobileconfig"),
    )
    .unwrap()
}

#[test]
fn lenient_import_leaves_out_what_strict_import_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("deployed.mobileconfig");
    let text = apple_example().replace(
        "<key>MailNumberOfPastDaysToSync</key>\n                <integer>7</integer>",
        "<key>MailNumberOfPastDaysToSync</key>\n                <integer>365</integer>",
    );
    assert!(text.contains("<integer>365</integer>"));
    std::fs::write(&input, text).unwrap();
    let out = tmp.path().join("profile.yaml");
    let o = import("mobileconfig", &input).out(&out).code(2);
    let err = stderr(&o);
    assert!(
        err.contains("MailNumberOfPastDaysToSync is 365; its valid values are 0, 1, 3, 7, 14, 31"),
        "{err}"
    );
    assert!(!err.contains(".yaml)"), "{err}");
    assert!(!out.exists());

    let o = import("mobileconfig", &input)
        .arg("--lenient")
        .out(&out)
        .success();
    let err = stderr(&o);
    assert!(err.contains("MailNumberOfPastDaysToSync is 365"), "{err}");
    assert!(err.contains("left out of the profile"), "{err}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(!written.contains("emailSyncDuration"), "{written}");
    assert!(
        written.contains("identifier: com.example.myeaspayload"),
        "{written}"
    );
    cli(["validate"]).arg(&out).success();

    // The flag belongs to `.mobileconfig` imports only.
    import("intune", &input).arg("--lenient").code(2);
}

#[test]
fn diff_reports_a_changed_payload_identifier_as_a_second_account() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("deployed.mobileconfig");
    std::fs::write(&input, apple_example()).unwrap();
    let old = tmp.path().join("old.yaml");
    import("mobileconfig", &input).out(&old).success();
    let text = std::fs::read_to_string(&old).unwrap();
    let new = tmp.path().join("new.yaml");
    std::fs::write(
        &new,
        text.replace("com.example.myeaspayload", "com.example.myprofile.eas"),
    )
    .unwrap();
    let o = cli(["diff"])
        .arg(&old)
        .arg(&new)
        .args(["--platform", "ios"])
        .code(3);
    let out = stdout(&o);
    assert!(
        out.contains("Exchange account PayloadIdentifier (/platforms/ios/payloads/account/identifier): \"com.example.myeaspayload\" -> \"com.example.myprofile.eas\""),
        "{out}"
    );
    assert!(
        out.contains("a second account/profile is installed instead of replacing"),
        "{out}"
    );
    // Windows has no iOS payloads: nothing changes there.
    let o = cli(["diff"])
        .arg(&old)
        .arg(&new)
        .args(["--platform", "windows"])
        .code(3);
    assert!(stdout(&o).contains("not expressed on this platform"));
}
