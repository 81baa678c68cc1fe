//! `emit`, `diff`, `import` and `export` through the real binary.

use crate::support::{emailprof, root, stderr, stdout};

fn plist(bytes: &[u8]) -> plist::Value {
    plist::Value::from_reader_xml(bytes).expect("a well-formed XML plist")
}

fn eas(profile: &plist::Value) -> plist::Dictionary {
    profile
        .as_dictionary()
        .unwrap()
        .get("PayloadContent")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_dictionary().unwrap())
        .find(|p| p.get("PayloadType").and_then(|t| t.as_string()) == Some("com.apple.eas.account"))
        .unwrap()
        .clone()
}

#[test]
fn the_main_job_emits_the_users_values_deterministically() {
    let run = || {
        emailprof()
            .args([
                "emit",
                "examples/contoso.yaml",
                "--platform",
                "ios",
                "--user",
                "avance",
            ])
            .output()
            .unwrap()
    };
    let a = run();
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(a.stdout, run().stdout, "same input, same bytes");
    let p = eas(&plist(&a.stdout));
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
    let o = emailprof()
        .args([
            "emit",
            "examples/contoso.yaml",
            "--platform",
            "ios",
            "--user",
            "avance",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read(&out).unwrap(), a.stdout);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn unknown_users_and_missing_attributes_are_clear_errors() {
    let o = emailprof()
        .args([
            "emit",
            "examples/minimal.yaml",
            "--platform",
            "ios",
            "--user",
            "nobody",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("user `nobody` was not found"),
        "{}",
        stderr(&o)
    );
    // megan.bowen has no sAMAccountName in examples/directory.csv; Contoso needs it.
    let o = emailprof()
        .args([
            "emit",
            "examples/contoso.yaml",
            "--platform",
            "windows",
            "--user",
            "megan.bowen",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sAMAccountName"), "{}", stderr(&o));
    let o = emailprof()
        .args(["emit", "examples/minimal.yaml", "--platform", "ios"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--user"), "{}", stderr(&o));
    let o = emailprof()
        .args([
            "emit",
            "examples/minimal.yaml",
            "--platform",
            "ios",
            "--user",
            "user1",
            "--directory",
            "tests/invalid/01-missing-server.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn placeholders_put_the_mdms_variables_in_place_of_values() {
    let o = emailprof()
        .args([
            "emit",
            "examples/minimal.yaml",
            "--platform",
            "ios",
            "--placeholders",
            "intune",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = eas(&plist(&o.stdout));
    assert_eq!(p["UserName"].as_string(), Some("{{userprincipalname}}"));
    // Intune has no variable for a NetBIOS domain: an error, not a guess.
    let o = emailprof()
        .args([
            "emit",
            "examples/contoso.yaml",
            "--platform",
            "ios",
            "--placeholders",
            "intune",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("netbiosName"), "{}", stderr(&o));
}

#[test]
fn passwords_are_written_only_when_asked_and_never_logged() {
    let secret = "Pa55-word-that-must-not-leak";
    let base = [
        "emit",
        "examples/basic-auth.yaml",
        "--platform",
        "ios",
        "--user",
        "user1",
    ];
    let o = emailprof()
        .args(base)
        .env("CONTOSO_EAS_PASSWORD", secret)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains(secret));
    for platform in ["ios", "windows"] {
        let o = emailprof()
            .args([
                "-vv",
                "emit",
                "examples/basic-auth.yaml",
                "--platform",
                platform,
                "--user",
                "user1",
                "--include-password",
            ])
            .env("CONTOSO_EAS_PASSWORD", secret)
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
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
    let o = emailprof()
        .args([
            "emit",
            "examples/basic-auth.yaml",
            "--platform",
            "ios",
            "--user",
            "user1",
            "--include-password",
        ])
        .env_remove("CONTOSO_EAS_PASSWORD")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("CONTOSO_EAS_PASSWORD"),
        "{}",
        stderr(&o)
    );
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let st = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl CLI");
    assert!(st.success(), "openssl {args:?}");
}

#[test]
fn signed_profiles_verify_with_openssl_and_carry_the_unsigned_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Test CA",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=Profile signer",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "2",
        ],
    );
    let unsigned = emailprof()
        .args([
            "emit",
            "examples/contoso.yaml",
            "--platform",
            "ios",
            "--user",
            "user1",
        ])
        .output()
        .unwrap();
    let signed_path = d.join("signed.mobileconfig");
    let o = emailprof()
        .args([
            "emit",
            "examples/contoso.yaml",
            "--platform",
            "ios",
            "--user",
            "user1",
            "--signing-time",
            "2026-01-02T03:04:05Z",
            "--sign-cert",
        ])
        .arg(d.join("leaf.pem"))
        .arg("--sign-key")
        .arg(d.join("leaf.key"))
        .arg("--out")
        .arg(&signed_path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
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
    let o = emailprof()
        .args(["import", "mobileconfig"])
        .arg(&signed_path)
        .arg("--out")
        .arg(d.join("imported.yaml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn diff_exit_codes_and_reauthentication_warnings() {
    let o = emailprof()
        .args(["diff", "examples/contoso.yaml", "examples/contoso.yaml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
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
    let o = emailprof()
        .args(["diff", "examples/contoso.yaml"])
        .arg(&changed)
        .args(["--platform", "ios"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
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
    let o = emailprof()
        .args([
            "diff",
            "examples/minimal.yaml",
            "examples/contoso.yaml",
            "--platform",
            "windows",
        ])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("not expressed on this platform"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn every_platform_emits_the_full_example() {
    let platforms = emailprof().arg("platforms").output().unwrap();
    let ids: Vec<String> = stdout(&platforms)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    assert!(ids.len() >= 6, "{ids:?}");
    for id in ids {
        let o = emailprof()
            .args([
                "emit",
                "examples/contoso.yaml",
                "--platform",
                &id,
                "--user",
                "user1",
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{id}: {}", stderr(&o));
        assert!(!o.stdout.is_empty(), "{id}");
    }
}

#[test]
fn intune_export_and_import_round_trip_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    for platform in ["ios", "windows", "android-knox", "android-gmail"] {
        let graph = tmp.path().join(format!("{platform}.json"));
        let o = emailprof()
            .args([
                "export",
                "intune",
                "examples/contoso.yaml",
                "--platform",
                platform,
                "--out",
            ])
            .arg(&graph)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{platform}: {}", stderr(&o));
        let back = tmp.path().join(format!("{platform}.yaml"));
        let o = emailprof()
            .args(["import", "intune"])
            .arg(&graph)
            .arg("--out")
            .arg(&back)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{platform}: {}", stderr(&o));
        let o = emailprof().arg("validate").arg(&back).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{platform}: {}", stderr(&o));
    }
    let o = emailprof()
        .args([
            "export",
            "intune",
            "examples/contoso.yaml",
            "--platform",
            "amiga",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
