//! `diff` compares what devices receive: certificate files by content, certificates member by
//! member, the consequence of each change; JSON on request; artifacts structurally.

use std::path::{Path, PathBuf};

use crate::support::{cli, emit, root, stdout};

/// A copy of `examples/contoso.yaml` and its certificates in `dir`, edited by `edit`.
fn contoso_copy(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    std::fs::create_dir_all(dir.join("certs")).unwrap();
    for f in ["contoso-root.pem", "smime.p12"] {
        std::fs::copy(
            root().join("examples/certs").join(f),
            dir.join("certs").join(f),
        )
        .unwrap();
    }
    let text = std::fs::read_to_string(root().join("examples/contoso.yaml")).unwrap();
    let file = dir.join("contoso.yaml");
    std::fs::write(&file, edit(text.replace("../schemas", "../../schemas"))).unwrap();
    file
}

fn diff(old: &Path, new: &Path) -> crate::support::Cli {
    cli(["diff"]).arg(old).arg(new)
}

#[test]
fn renewed_certificates_at_the_same_path_are_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let old = contoso_copy(&tmp.path().join("old"), |t| t);
    let new = contoso_copy(&tmp.path().join("new"), |t| t);
    let o = diff(&old, &new).success();
    assert!(stdout(&o).contains("no differences"), "{}", stdout(&o));
    // Renew both files in place: same paths, other bytes.
    let certs = tmp.path().join("new/certs");
    // Another real PKCS#12 (a renewed identity must still be one: validate checks).
    let renewed = crate::support::root().join("crates/emailprof-ios/tests/data/user1.p12");
    std::fs::copy(renewed, certs.join("smime.p12")).unwrap();
    let pem = std::fs::read_to_string(certs.join("contoso-root.pem")).unwrap();
    std::fs::write(certs.join("contoso-root.pem"), format!("{pem}\n")).unwrap();
    let out = stdout(&diff(&old, &new).code(3));
    for pointer in [
        "(/certificates/smime/pkcs12/file)",
        "(/certificates/contoso-root/ca/file)",
    ] {
        assert!(out.contains(pointer), "{pointer}: {out}");
    }
    assert!(out.contains("devices install the new certificate"), "{out}");
    assert_eq!(out.matches("sha256:").count(), 4, "{out}");
}

#[test]
fn a_changed_certificate_path_is_one_member_not_the_whole_map() {
    let tmp = tempfile::tempdir().unwrap();
    let old = contoso_copy(&tmp.path().join("old"), |t| t);
    let new = contoso_copy(&tmp.path().join("new"), |t| {
        t.replace("certs/smime.p12", "certs/smime-2026.p12")
    });
    // The same bytes under a new name: devices receive nothing new.
    let certs = tmp.path().join("new/certs");
    std::fs::rename(certs.join("smime.p12"), certs.join("smime-2026.p12")).unwrap();
    let out = stdout(&diff(&old, &new).code(3));
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with("Certificates (/certificates/smime/pkcs12/file)"),
        "{out}"
    );
    assert!(
        !out.contains("contoso-root"),
        "the whole map is not printed: {out}"
    );
    assert!(out.contains("same file content"), "{out}");
}

#[test]
fn each_change_says_what_devices_experience_and_json_goes_to_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let old = contoso_copy(&tmp.path().join("old"), |t| t);
    let new = contoso_copy(&tmp.path().join("new"), |t| {
        t.replace(
            "services: [email, calendars, contacts]",
            "services: [email, calendars]",
        )
    });
    let out = stdout(&diff(&old, &new).code(3));
    assert!(
        out.contains("devices remove the account's `contacts` data from the device"),
        "{out}"
    );
    let o = diff(&old, &new).json().code(3);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["differs"], true);
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{report}");
    let c = &changes[0];
    assert_eq!(c["pointer"], "/sync/services");
    assert_eq!(
        c["old"],
        serde_json::json!(["calendars", "contacts", "email"])
    );
    assert_eq!(c["new"], serde_json::json!(["calendars", "email"]));
    assert_eq!(c["impact"], "dataRemoved");
}

#[test]
fn artifacts_are_compared_structurally() {
    let tmp = tempfile::tempdir().unwrap();
    let artifact = |platform: &str, user: &str| {
        let file = tmp.path().join(format!("{user}-{platform}"));
        emit("examples/contoso.yaml", platform)
            .directory("examples/directory.csv")
            .user(user)
            .out(&file)
            .success();
        file
    };
    for (platform, key) in [
        (
            "ios",
            "/PayloadContent/com.contoso.email.exchange.eas/UserName: \"CONTOSO\\\\avance\" -> \"CONTOSO\\\\user1\"",
        ),
        (
            "windows",
            "/UserName: {\"command\":\"Add\",\"data\":\"avance\"} -> null",
        ),
        (
            "android-gmail",
            "/applications/com.google.android.gm/managedConfiguration/exchange_username: \"CONTOSO\\\\avance\" -> \"CONTOSO\\\\user1\"",
        ),
    ] {
        let a = artifact(platform, "avance");
        let b = artifact(platform, "user1");
        let out = stdout(&diff(&a, &b).code(3));
        assert!(out.contains(key), "{platform}: {out}");
        let same = stdout(&diff(&a, &a).success());
        assert!(same.starts_with("no differences"), "{platform}: {same}");
    }
    // One user's account from two versions of the profile: the changed LocURI alone.
    let moved = contoso_copy(&tmp.path().join("moved"), |t| {
        t.replace(
            "  server: outlook.office365.com",
            "  server: mail.contoso.com",
        )
    });
    let windows = |profile: &Path, name: &str| {
        let file = tmp.path().join(name);
        emit(profile, "windows")
            .directory("examples/directory.csv")
            .user("avance")
            .out(&file)
            .success();
        file
    };
    let a = windows(&root().join("examples/contoso.yaml"), "before.xml");
    let b = windows(&moved, "after.xml");
    let out = stdout(&diff(&a, &b).code(3));
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].ends_with(r#"/ServerName: {"command":"Add","data":"outlook.office365.com"} -> {"command":"Add","data":"mail.contoso.com"}"#),
        "{out}"
    );
    // A profile and an artifact cannot be compared, nor artifacts judged for a platform.
    let ios = artifact("ios", "avance");
    cli(["diff", "examples/contoso.yaml"]).arg(&ios).code(2);
    diff(&ios, &ios).args(["--platform", "windows"]).code(2);
}
