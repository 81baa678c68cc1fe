//! Issue 14's holes in what emailprof writes, each through the binary: links planted in an
//! output directory, a link to a FIFO, secrets in files and archives, and resume manifests
//! with lines of any length.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::Output;

use crate::support::{emailprof, root, stderr};

/// `emailprof emit examples/minimal.yaml -p PLATFORM --user user1 --directory
/// examples/directory.csv`, to add to.
fn emit_user1(platform: &str) -> assert_cmd::Command {
    let mut cmd = emailprof();
    cmd.args([
        "emit",
        "examples/minimal.yaml",
        "-p",
        platform,
        "--user",
        "user1",
    ])
    .args(["--directory", "examples/directory.csv"]);
    cmd
}

fn minimal_batch(out: &Path, extra: &[&str]) -> Output {
    emailprof()
        .args([
            "batch",
            "examples/minimal.yaml",
            "--platforms",
            "ios,windows",
            "--quiet",
            "--directory",
            "examples/directory.csv",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap()
}

#[test]
fn a_manifest_link_planted_in_the_output_is_refused_and_its_target_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let precious = tmp.path().join("precious.txt");
    std::fs::write(&precious, "keep me\n").unwrap();
    std::os::unix::fs::symlink(&precious, out.join(".emailprof-manifest.jsonl")).unwrap();
    for extra in [&[][..], &["--resume"][..]] {
        let o = minimal_batch(&out, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me\n");
    }
}

#[test]
fn a_platform_directory_link_planted_in_the_output_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("ios")).unwrap();
    let o = minimal_batch(&out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written through the link"
    );
}

#[test]
fn emit_out_through_a_link_to_a_fifo_replaces_the_link_and_leaves_the_fifo() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let link = tmp.path().join("out.mobileconfig");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    let o = emit_user1("ios")
        .arg("--out")
        .arg(&link)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(
        meta.is_file(),
        "the link was replaced by the profile, not written through"
    );
    assert!(std::fs::read(&link).unwrap().ends_with(b"</plist>\n"));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

/// A profile whose SCEP payload carries a challenge (from the environment).
fn scep_profile(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("scep.yaml");
    std::fs::write(
        &p,
        "displayName: Scep\nidentifier: com.contoso.scep\naccount:\n  server: mail.contoso.com\n  accountName: Mail\n  authentication:\n    method: certificate\n    identityCertificate: enrol\ncertificates:\n  enrol:\n    kind: scep\n    scep:\n      url: https://scep.contoso.com/certsrv/mscep/mscep.dll\n      challenge:\n        env: SECURITY_SCEP_CHALLENGE\n",
    )
    .unwrap();
    p
}

#[test]
fn artifacts_carrying_a_scep_challenge_are_owner_only_in_files_and_archives() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = scep_profile(tmp.path());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let one = tmp.path().join("one.mobileconfig");
    let o = emailprof()
        .env("SECURITY_SCEP_CHALLENGE", "challenge-3f9a")
        .arg("emit")
        .arg(&profile)
        .args(["-p", "ios", "--user", "user1", "--directory"])
        .arg(root().join("examples/directory.csv"))
        .arg("--out")
        .arg(&one)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&std::fs::read(&one).unwrap()).contains("challenge-3f9a"));
    assert_eq!(mode(&one), 0o600);

    let out = tmp.path().join("out");
    let archive = tmp.path().join("all.tar");
    for target in [&["--out"][..], &["--archive"][..]] {
        let o = emailprof()
            .env("SECURITY_SCEP_CHALLENGE", "challenge-3f9a")
            .arg("batch")
            .arg(&profile)
            .args(["--platforms", "ios", "--quiet", "--directory"])
            .arg(root().join("examples/directory.csv"))
            .args(target)
            .arg(if target[0] == "--out" { &out } else { &archive })
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let files: Vec<_> = std::fs::read_dir(out.join("ios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty());
    for f in files {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    let mut tar = tar::Archive::new(std::fs::File::open(&archive).unwrap());
    let mut entries = 0;
    for e in tar.entries().unwrap() {
        let e = e.unwrap();
        assert_eq!(e.header().mode().unwrap() & 0o777, 0o600);
        entries += 1;
    }
    assert!(entries > 0);
    // Without a secret, artifacts stay readable as before.
    let plain = tmp.path().join("plain.mobileconfig");
    let o = emit_user1("ios").arg("--out").arg(&plain).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(mode(&plain), 0o644);
}

#[test]
fn an_overlong_manifest_line_is_skipped_as_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let first = minimal_batch(&out, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let manifest = out.join(".emailprof-manifest.jsonl");
    let mut text = std::fs::read(&manifest).unwrap();
    // A 20 MiB line that looks like the start of a record, then the real records again.
    let good = text.clone();
    text.extend_from_slice(b"{\"k\":\"");
    text.extend(std::iter::repeat_n(b'0', 20 << 20));
    text.extend_from_slice(b"\"}\n");
    text.extend_from_slice(&good);
    std::fs::write(&manifest, &text).unwrap();
    let again = minimal_batch(&out, &["--resume"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("emailprof-report.json")).unwrap()).unwrap();
    assert_eq!(
        report["written"], 0,
        "every output was still recognised: {report}"
    );
    assert!(report["unchanged"].as_u64().unwrap() > 0);
}

#[test]
fn signing_times_are_checked_against_the_calendar() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("signer.key");
    std::fs::copy(root().join("tests/golden/signer/signer.key"), &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let sign = |time: &str| {
        emit_user1("ios")
            .args([
                "--sign-cert",
                "tests/golden/signer/signer.pem",
                "--sign-key",
            ])
            .arg(&key)
            .args(["--signing-time", time])
            .output()
            .unwrap()
    };
    for bad in [
        "2026-02-31T00:00:00Z",
        "2026-02-29T12:00:00Z",
        "2026-01-02 03:04:05",
    ] {
        let o = sign(bad);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("is not an RFC 3339 time"),
            "{}",
            stderr(&o)
        );
    }
    let ok = sign("2028-02-29T12:00:00+01:00");
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

/// A binary plist of `levels` arrays each holding `fan` references to the next (shared, no
/// cycle): 16^8 values from 2.4 KB once expanded.
fn shared_arrays(levels: usize, fan: usize) -> Vec<u8> {
    let mut out = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    for l in 0..levels {
        offsets.push(out.len() as u16);
        out.extend_from_slice(&[0xAF, 0x10, fan as u8]);
        out.extend(std::iter::repeat_n((l + 1) as u8, fan));
    }
    offsets.push(out.len() as u16);
    out.extend_from_slice(b"\x51x");
    let table = out.len() as u64;
    for o in &offsets {
        out.extend_from_slice(&o.to_be_bytes());
    }
    let mut trailer = [0u8; 32];
    trailer[6] = 2;
    trailer[7] = 1;
    trailer[8..16].copy_from_slice(&(offsets.len() as u64).to_be_bytes());
    trailer[24..32].copy_from_slice(&table.to_be_bytes());
    out.extend_from_slice(&trailer);
    out
}

#[test]
fn plist_expansion_bombs_and_deep_nesting_are_refused_plain_and_signed() {
    let tmp = tempfile::tempdir().unwrap();
    let bomb = tmp.path().join("bomb.mobileconfig");
    std::fs::write(&bomb, shared_arrays(8, 16)).unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 3000);
    let deep = tmp.path().join("deep.mobileconfig");
    let n = 150_000;
    std::fs::write(
        &deep,
        format!(
            "<?xml version=\"1.0\"?><plist version=\"1.0\">{}{}</plist>",
            "<array>".repeat(n),
            "</array>".repeat(n)
        ),
    )
    .unwrap();
    // The bomb inside CMS SignedData, as MDMs ship signed profiles.
    let signed = tmp.path().join("signed-bomb.mobileconfig");
    let st = std::process::Command::new("openssl")
        .args([
            "cms",
            "-sign",
            "-nodetach",
            "-binary",
            "-outform",
            "DER",
            "-in",
        ])
        .arg(&bomb)
        .arg("-signer")
        .arg(root().join("tests/golden/signer/signer.pem"))
        .arg("-inkey")
        .arg(root().join("tests/golden/signer/signer.key"))
        .arg("-out")
        .arg(&signed)
        .status();
    let mut inputs = vec![
        (&bomb, "expands to more than"),
        (&deep, "nests deeper than 64"),
    ];
    if st.is_ok_and(|s| s.success()) {
        inputs.push((&signed, "expands to more than"));
    } else {
        eprintln!("SKIPPED: the signed bomb (no openssl)");
    }
    for (file, says) in inputs {
        let o = emailprof()
            .args(["import", "mobileconfig"])
            .arg(file)
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}: {}",
            file.display(),
            stderr(&o)
        );
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
}

#[test]
fn graph_json_nesting_is_held_to_the_profile_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("deep.json");
    let mut doc = String::from("\"x\"");
    for _ in 0..100 {
        doc = format!("{{\"a\":{doc}}}");
    }
    std::fs::write(&file, format!("{{\"value\":[{doc}]}}")).unwrap();
    let o = emailprof()
        .args(["import", "intune"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nests deeper than 64 levels"),
        "{}",
        stderr(&o)
    );
}

/// Issue 15: emailprof never guesses the users: `emit` and `batch` without a source of users
/// exit 2 naming the flags that give one (they used to read the built-in Contoso example).
#[test]
fn emit_and_batch_need_a_source_of_users() {
    let o = emailprof()
        .args([
            "emit",
            "examples/minimal.yaml",
            "-p",
            "ios",
            "--user",
            "user1",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    for flag in ["--directory", "--resolver", "--placeholders"] {
        assert!(stderr(&o).contains(flag), "{}", stderr(&o));
    }
    assert!(o.stdout.is_empty(), "nothing emitted");
    let tmp = tempfile::tempdir().unwrap();
    let o = emailprof()
        .args([
            "batch",
            "examples/minimal.yaml",
            "--platforms",
            "ios",
            "--out",
        ])
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--directory") && stderr(&o).contains("--resolver"),
        "{}",
        stderr(&o)
    );
}

/// Issue 15: flags a platform cannot honour exit 2 naming the platform and what they mean
/// there, instead of writing a normal install profile; a platform expressing nothing of the
/// profile refuses, in `batch` too (it used to write 1,000 empty files).
#[test]
fn what_a_platform_cannot_honour_is_refused() {
    let run = |platform: &str, extra: &[&str]| emit_user1(platform).args(extra).output().unwrap();
    let o = run("ios", &["--remove"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("RemoveProfile") && stderr(&o).contains("`com.contoso.email.minimal`"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
    for (platform, extra) in [
        ("ios", &["--replace"][..]),
        ("android-gmail", &["--remove"][..]),
        ("ios", &["--form", "intune-custom"][..]),
        ("android-outlook", &["--form", "syncml"][..]),
        ("windows", &["--form", "nope"][..]),
    ] {
        let o = run(platform, extra);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{platform} {extra:?}: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains(platform) || stderr(&o).contains("windows"),
            "{}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty());
    }
    // What Windows can honour still works.
    for extra in [
        &["--remove"][..],
        &["--replace"][..],
        &["--form", "intune-custom"][..],
    ] {
        let o = run("windows", extra);
        assert_eq!(o.status.code(), Some(0), "{extra:?}: {}", stderr(&o));
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = minimal_batch_with(&out, "ios,android-samsung");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("android-samsung can express none"),
        "{}",
        stderr(&o)
    );
    assert!(
        !out.join("android-samsung").exists()
            || std::fs::read_dir(out.join("android-samsung"))
                .unwrap()
                .count()
                == 0
    );
}

fn minimal_batch_with(out: &Path, platforms: &str) -> Output {
    emailprof()
        .args([
            "batch",
            "examples/contoso.yaml",
            "--platforms",
            platforms,
            "--quiet",
        ])
        .args(["--directory", "examples/directory.csv", "--out"])
        .arg(out)
        .output()
        .unwrap()
}

/// Issue 15: an MDM's placeholders only where that MDM delivers and fills them.
#[test]
fn placeholders_only_for_the_platforms_their_mdm_fills() {
    let run = |platform: &str, mdm: &str| {
        emailprof()
            .args([
                "emit",
                "examples/minimal.yaml",
                "-p",
                platform,
                "--placeholders",
                mdm,
            ])
            .output()
            .unwrap()
    };
    for (platform, mdm) in [
        ("ios", "google"),
        ("windows", "intune"),
        ("android-gmail", "jamf"),
        ("android-outlook", "kandji"),
    ] {
        let o = run(platform, mdm);
        assert_eq!(o.status.code(), Some(2), "{platform} {mdm}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("would carry them unfilled"),
            "{}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty());
    }
    for (platform, mdm) in [
        ("android-gmail", "google"),
        ("ios", "intune"),
        ("android-outlook", "intune"),
    ] {
        let o = run(platform, mdm);
        assert_eq!(o.status.code(), Some(0), "{platform} {mdm}: {}", stderr(&o));
    }
}

/// Issue 15: directory values that are not what the profile says they are fail that user with
/// the reason; the other users go on.
#[test]
fn values_that_are_not_addresses_fail_their_user_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("users.csv");
    std::fs::write(
        &dir,
        "id,userPrincipalName,primarySmtpAddress,sAMAccountName,domainFqdn,netbiosName\n\
         good,good@contoso.com,good@contoso.com,good,contoso.com,CONTOSO\n\
         bad-mail,bm@contoso.com,not-an-email,bm,contoso.com,CONTOSO\n\
         bad-upn,no-at-sign,bu@contoso.com,bu,contoso.com,CONTOSO\n",
    )
    .unwrap();
    // examples/minimal.yaml: user name and email address from the user principal name.
    let emit_for = |user: &str, profile: &str| {
        emailprof()
            .args(["emit", profile, "-p", "ios", "--user", user, "--directory"])
            .arg(&dir)
            .output()
            .unwrap()
    };
    assert_eq!(
        emit_for("good", "examples/minimal.yaml").status.code(),
        Some(0)
    );
    let o = emit_for("bad-upn", "examples/minimal.yaml");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`no-at-sign` has no `@`"),
        "{}",
        stderr(&o)
    );
    // contoso.yaml takes the email address from the primary SMTP address.
    let o = emit_for("bad-mail", "examples/contoso.yaml");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("email address `not-an-email`"),
        "{}",
        stderr(&o)
    );

    let out = tmp.path().join("out");
    let o = emailprof()
        .args([
            "batch",
            "examples/minimal.yaml",
            "--platforms",
            "ios",
            "--quiet",
            "--directory",
        ])
        .arg(&dir)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("emailprof-report.json")).unwrap()).unwrap();
    let failed: Vec<&str> = report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["user"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["bad-upn"], "{report}");
    assert!(out.join("ios/good.mobileconfig").exists());
    assert!(
        out.join("ios/bad-mail.mobileconfig").exists(),
        "minimal.yaml does not use the SMTP address"
    );
}

/// Files read whole have a budget: a directory export for `emit` (1 GiB; `batch` streams any
/// size), a plugin configuration (1 MiB), a file for `diff` (16 MiB). Past it: exit 2 naming
/// the file and the limit, without holding it (the files here are sparse: no disk used).
#[test]
fn files_read_whole_are_held_to_a_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let sparse = |name: &str, len: u64| {
        let p = tmp.path().join(name);
        std::fs::File::create(&p).unwrap().set_len(len).unwrap();
        p
    };
    // `args` then `file`, run from the workspace: exit 2, and stderr holds every `expected`.
    let refused = |args: &[&str], file: &Path, expected: &[&str]| {
        let o = emailprof()
            .args(args)
            .arg(file)
            .current_dir(root())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        for e in expected {
            assert!(stderr(&o).contains(e), "{}", stderr(&o));
        }
    };
    let emit = [
        "emit",
        "examples/minimal.yaml",
        "-p",
        "ios",
        "--user",
        "user1",
    ];
    let directory = [&emit[..], &["--directory"]].concat();
    refused(
        &directory,
        &sparse("huge.csv", (1 << 30) + 1),
        &["huge.csv: larger than 1073741824 bytes", "`batch` streams"],
    );
    let resolver = [
        &emit[..],
        &[
            "--resolver",
            "/nonexistent/libplugin.so",
            "--resolver-config",
        ],
    ]
    .concat();
    refused(
        &resolver,
        &sparse("resolver.json", (1 << 20) + 1),
        &["resolver.json: larger than 1048576 bytes"],
    );
    refused(
        &["diff", "examples/minimal.yaml"],
        &sparse("big.mobileconfig", (16 << 20) + 1),
        &["big.mobileconfig: larger than 16777216 bytes"],
    );
}
