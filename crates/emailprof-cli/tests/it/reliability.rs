//! Reliability and security through the real binary (RELIABILITY.md): the hostile-input corpus
//! of `tests/hostile/`, input size limits, markup injection through profile and directory
//! values, path traversal through user ids, disk-full and write faults, secrets in logs and
//! errors, and warnings for loose key-file permissions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::{
    Cli, batch, cli, eas_payload, files_below, import, json_lines_of, jsonl_file,
    minimal_ios_batch, openssl, plist_dict, plugin_library, root, signing_identity, stderr, stdout,
};

fn hostile(name: &str) -> String {
    format!("tests/hostile/{name}")
}

/// A failure that is clear: the exit code, a message naming the problem, no panic, and nothing
/// on stdout (no partial artifact).
fn assert_clean_failure(o: &Output, code: i32, needle: &str, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "{what}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{what} panicked: {err}"
    );
    assert!(
        err.contains(needle),
        "{what}: expected `{needle}` in: {err}"
    );
    assert!(o.stdout.is_empty(), "{what}: partial output on stdout");
}

/// `emailprof emit PROFILE -p PLATFORM --user user1`
fn emit_user1(profile: impl AsRef<std::ffi::OsStr>, platform: &str) -> Cli {
    cli(["emit"])
        .arg(profile)
        .args(["-p", platform, "--user", "user1"])
}

#[test]
fn hostile_profiles_are_refused_with_exit_code_2() {
    let cases: &[(&str, &str)] = &[
        // A YAML alias bomb: 9^9 strings once expanded, refused by the parser's budget.
        (
            "alias-bomb.yaml",
            "too large once its anchors and aliases are expanded",
        ),
        ("deep-nesting.yaml", "recursion limit exceeded"),
        ("deep-nesting.json", "recursion limit exceeded"),
        ("deep-nesting.toml", "max recursion depth"),
        ("invalid-utf8.yaml", "invalid UTF-8 at byte 21"),
        ("nul-byte.yaml", "NUL byte"),
        ("wrong-types.yaml", "wrong type"),
    ];
    for (file, needle) in cases {
        let started = std::time::Instant::now();
        let o = cli(["validate", &hostile(file)]).output();
        assert_clean_failure(&o, 2, needle, file);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{file} took {:?}",
            started.elapsed()
        );
        // `emit` reads the same way, and writes nothing.
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out.mobileconfig");
        let o = emit_user1(hostile(file), "ios").out(&out).output();
        assert_clean_failure(&o, 2, needle, file);
        assert!(!out.exists(), "{file}: partial output");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "{file}");
    }
    // Every member of the wrong type is reported, each at its own pointer.
    let o = cli(["validate", &hostile("wrong-types.yaml")])
        .json()
        .output();
    let pointers: Vec<String> = json_lines_of(&o, "finding")
        .iter()
        .map(|l| l["pointer"].as_str().unwrap_or_default().to_owned())
        .collect();
    for p in [
        "/displayName",
        "/identifier",
        "/description",
        "/organization",
        "/account/server",
        "/account/accountName",
        "/account/ssl",
        "/sync",
        "/smime",
        "/certificates",
    ] {
        assert!(pointers.iter().any(|x| x == p), "{p} not in {pointers:?}");
    }
}

#[test]
fn a_misplaced_secret_is_refused_without_being_shown() {
    let secret = "Hunter2-plain-text-secret";
    for args in [
        vec!["validate"],
        vec!["--json", "validate"],
        vec!["-vv", "validate"],
    ] {
        let o = cli(&args)
            .env("RUST_LOG", "trace")
            .arg(hostile("secret-misplaced.yaml"))
            .code(2);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(all.contains("/account/authentication/password"), "{all}");
        assert!(
            !all.contains(secret),
            "the secret is shown with {args:?}: {all}"
        );
    }
}

#[test]
fn inputs_larger_than_any_profile_are_refused_with_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.yaml");
    let mut text = String::from("displayName: D\nidentifier: com.contoso.mail\n");
    while text.len() < 3 * 1024 * 1024 {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&big, &text).unwrap();
    let out = tmp.path().join("out.mobileconfig");
    let o = cli(["emit", "-p", "ios", "--user", "user1"])
        .out(&out)
        .arg(&big)
        .output();
    assert_clean_failure(&o, 2, "limited to 1048576 bytes", "3 MiB profile");
    assert!(!out.exists());
    // The same through stdin.
    let o = cli(["validate", "-"]).stdin(text).output();
    assert_clean_failure(&o, 2, "limited to 1048576 bytes", "3 MiB on stdin");
    // A `.mobileconfig` past the importer's own limit (16 MiB) is refused as such.
    let huge = tmp.path().join("huge.mobileconfig");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(17 * 1024 * 1024).unwrap();
    let o = import("mobileconfig", &huge).code(2);
    assert!(o.stdout.is_empty());
}

/// `import` reads files the size of real `.mobileconfig` files: certificates make them larger
/// than any profile document, and they are limited to 16 MiB by the importer, not 1 MiB.
#[test]
fn a_mobileconfig_larger_than_a_profile_imports() {
    let o = emit_user1("examples/minimal.yaml", "ios").success();
    let xml = String::from_utf8(o.stdout).unwrap();
    // 1.5 MiB of XML comment inside the plist: still the same profile.
    let padded = xml.replacen(
        "<plist version=\"1.0\">",
        &format!(
            "<plist version=\"1.0\">\n<!-- {} -->",
            "x".repeat(1536 * 1024)
        ),
        1,
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("large.mobileconfig");
    std::fs::write(&file, padded).unwrap();
    // A valid 1.5 MiB profile, not cut at 1 MiB.
    let o = import("mobileconfig", &file).success();
    assert!(
        stdout(&o).contains("outlook.office365.com"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn hostile_mobileconfigs_are_refused_with_exit_code_2() {
    let cases: &[(&str, &str)] = &[
        ("type-confusion.mobileconfig", "PayloadIdentifier"),
        ("payload-content-string.mobileconfig", "payload array"),
        ("xml-entity-bomb.mobileconfig", "payload array"),
        ("bplist-garbage.mobileconfig", "not a property list"),
        (
            "not-a-profile.mobileconfig",
            "signed profile could not be read",
        ),
    ];
    for (file, needle) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("p.yaml");
        let started = std::time::Instant::now();
        let o = import("mobileconfig", hostile(file)).out(&out).output();
        assert_clean_failure(&o, 2, needle, file);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{file}"
        );
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "{file}");
    }
}

#[test]
fn truncated_signed_profiles_are_refused_with_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    signing_identity(d);
    let signed = d.join("signed.mobileconfig");
    emit_user1("examples/minimal.yaml", "ios")
        .flag("--signing-time", "2026-01-02T03:04:05Z")
        .signed_with(d.join("c.pem"), d.join("k.pem"))
        .out(&signed)
        .success();
    let bytes = std::fs::read(&signed).unwrap();
    // Cut inside the header, the content and the signer info.
    for cut in [2, 40, bytes.len() / 2, bytes.len() - 10, bytes.len() - 1] {
        let file = d.join(format!("cut-{cut}.mobileconfig"));
        std::fs::write(&file, &bytes[..cut]).unwrap();
        let o = import("mobileconfig", &file).output();
        assert_clean_failure(
            &o,
            2,
            "signed profile could not be read",
            &format!("cut at {cut}"),
        );
    }
}

#[test]
fn hostile_directories_and_graph_files_are_refused_with_exit_code_2() {
    for (file, needle) in [
        ("directory-invalid-utf8.csv", "not valid UTF-8"),
        ("directory-deep.json", "directory-deep.json"),
        ("directory-wrong-types.json", "must be a string"),
        ("directory-bad-base64.ldif", "base64"),
        ("directory-control-character.csv", "control characters"),
    ] {
        let o = emit_user1("examples/minimal.yaml", "ios")
            .directory(hostile(file))
            .output();
        assert_clean_failure(&o, 2, needle, file);
    }
    for (file, needle) in [
        ("intune-deep.json", "recursion limit"),
        ("intune-wrong-types.json", "error"),
    ] {
        let o = import("intune", hostile(file)).output();
        assert_clean_failure(&o, 2, needle, file);
    }
}

/// The character data of every `<Data>` element of a SyncML document, with the predefined and
/// numeric references resolved; `None` when markup appears where only text may be.
fn syncml_data(xml: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for part in xml.split("<Data>").skip(1) {
        let (raw, _) = part.split_once("</Data>")?;
        if raw.contains('<') {
            return None;
        }
        let mut text = String::new();
        let mut rest = raw;
        while let Some(i) = rest.find('&') {
            text.push_str(&rest[..i]);
            let (entity, after) = rest[i + 1..].split_once(';')?;
            text.push(match entity {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                e if e.starts_with("#x") => char::from_u32(u32::from_str_radix(&e[2..], 16).ok()?)?,
                e if e.starts_with('#') => char::from_u32(e[1..].parse().ok()?)?,
                _ => return None,
            });
            rest = after;
        }
        text.push_str(rest);
        out.push(text);
    }
    Some(out)
}

/// The Exchange payload of a profile whose payloads are all Apple's own (none injected).
fn uninjected_eas_payload(top: &plist::Dictionary) -> plist::Dictionary {
    let content = top["PayloadContent"].as_array().expect("payloads");
    let types: Vec<&str> = content
        .iter()
        .filter_map(|p| p.as_dictionary()?.get("PayloadType")?.as_string())
        .collect();
    assert!(
        types.iter().all(|t| t.starts_with("com.apple.")) && !types.contains(&"com.apple.evil"),
        "injected payload: {types:?}"
    );
    eas_payload(top)
}

/// The `<Data>` values of a SyncML document that holds no injected markup or command.
fn uninjected_syncml_data(xml: &str) -> Vec<String> {
    let data = syncml_data(xml).unwrap_or_else(|| panic!("markup inside <Data>: {xml}"));
    assert!(!xml.contains("<Exec>"), "an injected command: {xml}");
    data
}

/// Profile values with `<`, `&`, `]]>`, closing tags and quotes come out of every XML artifact
/// exactly as they went in: an emitter that wrote them unescaped would break the document or
/// inject payloads and commands, and fail here.
#[test]
fn markup_in_profile_values_stays_text() {
    let display = "Contoso <b>mail</b> & co ]]> <![CDATA[x]]>";
    let description =
        "</string><key>PayloadType</key><string>com.apple.evil</string> &amp; &#x41; &unknown;";
    let organization =
        "</Data></Item></Replace><Exec><Item><Data>x</Data></Item></Exec><Replace><Item><Data>";
    let account_name = "Mail <&> \"quoted\" 'apos' ]]>";
    let o = emit_user1(hostile("markup.yaml"), "ios").success();
    let top = plist_dict(&o.stdout);
    assert_eq!(top["PayloadDisplayName"].as_string(), Some(display));
    assert_eq!(top["PayloadDescription"].as_string(), Some(description));
    assert_eq!(top["PayloadOrganization"].as_string(), Some(organization));
    let eas = uninjected_eas_payload(&top);
    assert_eq!(eas["PayloadDisplayName"].as_string(), Some(account_name));

    let o = emit_user1(hostile("markup.yaml"), "windows").success();
    let xml = stdout(&o);
    let data = uninjected_syncml_data(&xml);
    assert!(data.iter().any(|d| d == account_name), "{data:?}");
    assert_eq!(
        xml.matches("<Data>").count(),
        xml.matches("</Data>").count()
    );

    let o = emit_user1(hostile("markup.yaml"), "windows")
        .flag("--form", "intune-custom")
        .success();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(
        v["displayName"].as_str().unwrap().starts_with(display),
        "{v}"
    );
    assert_eq!(v["description"], description);
}

/// The same for values from the directory (what a compromised or careless directory controls).
#[test]
fn markup_in_directory_values_stays_text() {
    let sam_profile = "displayName: D\nidentifier: com.contoso.mail\naccount:\n  server: mail.contoso.com\n  accountName: Mail\n  username:\n    source: samAccountName\n    domain:\n      source: directory\n      attribute: netBiosDomainName\n  emailAddressSource: primarySmtpAddress\n";
    let tmp = tempfile::tempdir().unwrap();
    let profile = tmp.path().join("sam.yaml");
    std::fs::write(&profile, sam_profile).unwrap();
    let upn = "a&b]]></string><key>x@contoso.com";
    let smtp = "</Data><Exec>&amp;@contoso.com";
    let sam = "s<&>'\"";
    let netbios = "N]]>";
    for (profile, username, email) in [
        (root().join("examples/minimal.yaml"), upn.to_owned(), upn),
        (profile.clone(), format!("{netbios}\\{sam}"), smtp),
    ] {
        let run = |platform| {
            cli(["emit", "-p", platform, "--user", "u<1>"])
                .directory(hostile("directory-markup.csv"))
                .arg(&profile)
                .success()
        };
        let eas = uninjected_eas_payload(&plist_dict(&run("ios").stdout));
        assert_eq!(eas["UserName"].as_string(), Some(username.as_str()));
        assert_eq!(eas["EmailAddress"].as_string(), Some(email));

        let xml = stdout(&run("windows"));
        let data = uninjected_syncml_data(&xml);
        assert!(data.iter().any(|d| d == email), "{email} not in {data:?}");
    }
}

/// Tar entry paths of an archive: every one relative, made of plain components.
fn tar_paths(bytes: &[u8]) -> Vec<String> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            String::from_utf8_lossy(&e.path_bytes()).into_owned()
        })
        .collect()
}

fn is_contained(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.contains('\\')
        && !rel.contains('\0')
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Hostile user ids from JSON and LDIF directories (the CSV case is in `batch.rs`) in file,
/// archive and JSON-lines outputs: every output path stays below its platform directory.
#[test]
fn hostile_user_ids_never_leave_the_output() {
    let ids = [
        "../escape",
        "../../etc/passwd",
        "/abs/path",
        "a/../../b",
        "a\\..\\b",
        "..",
        "C:\\x",
        "con",
        ".hidden",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let users: Vec<serde_json::Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| serde_json::json!({"userId": id, "userPrincipalName": format!("h{i}@contoso.com")}))
        .collect();
    let json_dir = tmp.path().join("dir.json");
    std::fs::write(&json_dir, serde_json::json!({ "users": users }).to_string()).unwrap();
    let mut ldif = String::new();
    for (i, id) in ids.iter().enumerate() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(id);
        ldif.push_str(&format!(
            "dn: cn=u{i},dc=contoso,dc=com\nsAMAccountName:: {b64}\nuserPrincipalName: h{i}@contoso.com\n\n"
        ));
    }
    let ldif_dir = tmp.path().join("dir.ldif");
    std::fs::write(&ldif_dir, ldif).unwrap();
    for directory in [&json_dir, &ldif_dir] {
        let base = tmp.path().join("runs");
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        let out = base.join("out");
        let o = batch("examples/minimal.yaml", "ios,windows")
            .quiet()
            .directory(directory)
            .out(&out)
            .output();
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{}: {}",
            directory.display(),
            stderr(&o)
        );
        let outside: Vec<_> = std::fs::read_dir(&base)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(outside, ["out"], "{}", directory.display());
        let mut written = 0;
        for platform in ["ios", "windows"] {
            for e in std::fs::read_dir(out.join(platform)).unwrap() {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                assert!(!name.starts_with('.') && is_contained(&name), "{name}");
                written += 1;
            }
        }
        assert!(
            written >= 2 * 8,
            "{written} files for {}",
            directory.display()
        );

        let archive = base.join("out.tar");
        let o = minimal_ios_batch()
            .directory(directory)
            .flag("--archive", &archive)
            .output();
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
        let paths = tar_paths(&std::fs::read(&archive).unwrap());
        assert!(paths.len() >= 8, "{paths:?}");
        for p in &paths {
            assert!(
                is_contained(p) && p.starts_with("ios/"),
                "archive entry {p:?}"
            );
        }

        let jsonl = base.join("out.jsonl");
        let o = minimal_ios_batch()
            .directory(directory)
            .flag("--jsonl", &jsonl)
            .output();
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
        for v in jsonl_file(&jsonl) {
            let file = v["file"].as_str().unwrap();
            assert!(is_contained(file) && file.starts_with("ios/"), "{file:?}");
        }
    }
}

/// An id with a control character (NUL here) is refused with the directory, not mangled.
#[test]
fn a_user_id_with_a_control_character_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dir.json");
    std::fs::write(
        &dir,
        r#"{"users": [{"userId": "x\u0000y", "userPrincipalName": "x@contoso.com"}]}"#,
    )
    .unwrap();
    let o = minimal_ios_batch()
        .directory(&dir)
        .out(tmp.path().join("out"))
        .output();
    assert_clean_failure(&o, 2, "control characters", "a NUL in a user id");
}

/// A certificate file name inside a `.mobileconfig` cannot place the file outside the
/// directory of the imported profile.
#[test]
fn certificate_file_names_in_a_mobileconfig_cannot_escape() {
    let o = emit_user1("examples/contoso.yaml", "ios").success();
    let mut top = plist_dict(&o.stdout);
    let evil = [
        "../../../escaped.p12",
        "/tmp/absolute.p12",
        "..\\..\\escaped.p12",
        "..",
    ];
    let mut n = 0;
    if let Some(plist::Value::Array(payloads)) = top.get_mut("PayloadContent") {
        for p in payloads.iter_mut().filter_map(|p| p.as_dictionary_mut()) {
            let ty = p["PayloadType"].as_string().unwrap_or_default().to_owned();
            if ty.starts_with("com.apple.security.") && p.contains_key("PayloadContent") {
                p.insert(
                    "PayloadCertificateFileName".into(),
                    evil[n % evil.len()].into(),
                );
                n += 1;
            }
        }
    }
    assert!(n >= 2, "the example has certificate payloads");
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("a/b");
    std::fs::create_dir_all(&base).unwrap();
    let file = base.join("evil.mobileconfig");
    plist::to_file_xml(&file, &plist::Value::Dictionary(top)).unwrap();
    let o = import("mobileconfig", &file)
        .out(base.join("out/p.yaml"))
        .output();
    assert!(matches!(o.status.code(), Some(0 | 2)), "{}", stderr(&o));
    // Nothing appeared anywhere but below `out`.
    for f in &files_below(tmp.path()) {
        assert!(
            f == &file || f.starts_with(base.join("out")),
            "written outside the output directory: {}",
            f.display()
        );
    }
    assert!(!Path::new("/tmp/absolute.p12").exists());
}

/// A tmpfs of `size` mounted on a fresh directory, unmounted on drop. `None` (with a loud note)
/// where mounting is not allowed, e.g. not root.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!(
                "SKIPPED: cannot mount a size-limited tmpfs (needs root); the disk-full test did not run"
            );
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, options: &str) {
        let st = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(st.success(), "remount {options}");
    }

    /// Fill the file system up to the last byte.
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.path().join("filler")).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.write_all(&[0u8]);
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                out.extend(
                    leftovers(&e.path())
                        .into_iter()
                        .map(|n| format!("{name}/{n}")),
                );
            } else if name.starts_with(".emailprof-") && name.ends_with(".tmp") {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn a_full_disk_is_a_clear_error_that_leaves_no_file() {
    let Some(disk) = SmallDisk::mount("64k") else {
        return;
    };
    disk.fill();
    let out = disk.path().join("user1.mobileconfig");
    let o = emit_user1("examples/contoso.yaml", "ios")
        .out(&out)
        .output();
    assert_clean_failure(&o, 1, "No space left on device", "emit to a full disk");
    assert!(!out.exists(), "a truncated file was left");
    assert!(
        leftovers(disk.path()).is_empty(),
        "{:?}",
        leftovers(disk.path())
    );
    // Archive and JSON-lines outputs: nothing at the target path, no temporary file.
    for flag in ["--archive", "--jsonl"] {
        let target = disk.path().join("out.bin");
        let o = minimal_ios_batch().flag(flag, &target).output();
        assert_ne!(o.status.code(), Some(0), "{flag}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("No space left on device"),
            "{flag}: {}",
            stderr(&o)
        );
        assert!(!target.exists(), "{flag}: a partial archive was left");
        assert!(
            leftovers(disk.path()).is_empty(),
            "{:?}",
            leftovers(disk.path())
        );
    }
}

#[test]
fn stdout_on_a_full_device_is_a_clear_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("SKIPPED: no /dev/full");
        return;
    };
    let o = Command::new(env!("CARGO_BIN_EXE_emailprof"))
        .current_dir(root())
        .env_remove("RUST_LOG")
        .args([
            "emit",
            "examples/contoso.yaml",
            "-p",
            "ios",
            "--user",
            "user1",
            "--directory",
            "examples/directory.csv",
        ])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A batch that fills the disk stops with a clear error; every file it left is complete; once
/// there is room again, `--resume` finishes the rest.
#[test]
fn a_batch_that_fills_the_disk_is_resumable() {
    let Some(disk) = SmallDisk::mount("200k") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dir.csv");
    let mut csv = String::from("userId,userPrincipalName\n");
    for i in 0..300 {
        csv.push_str(&format!("u{i},u{i}@contoso.com\n"));
    }
    std::fs::write(&dir, csv).unwrap();
    let out = disk.path().join("out");
    let batch = |resume: bool| {
        minimal_ios_batch()
            .directory(&dir)
            .out(&out)
            .args(resume.then_some("--resume"))
            .output()
    };
    let o = batch(false);
    let err = stderr(&o);
    assert_ne!(
        o.status.code(),
        Some(0),
        "300 profiles do not fit in 200 KiB: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    let complete = |dir: &Path| -> usize {
        let mut n = 0;
        for e in std::fs::read_dir(dir.join("ios")).unwrap() {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            assert!(bytes.ends_with(b"</plist>\n"), "a truncated file was left");
            n += 1;
        }
        n
    };
    let first = complete(&out);
    assert!(first < 300, "{first}");
    assert!(
        leftovers(disk.path()).is_empty(),
        "{:?}",
        leftovers(disk.path())
    );
    disk.remount("size=16m");
    let o = batch(true);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(complete(&out), 300);
}

#[test]
fn a_read_only_output_directory_is_a_clear_error() {
    let Some(disk) = SmallDisk::mount("1m") else {
        return;
    };
    disk.remount("ro");
    let out = disk.path().join("user1.mobileconfig");
    let o = emit_user1("examples/minimal.yaml", "ios")
        .out(&out)
        .output();
    assert_clean_failure(
        &o,
        1,
        "Read-only file system",
        "emit to a read-only directory",
    );
    assert!(!out.exists());
}

/// `--out` naming a FIFO (or a device such as `/dev/null`) writes into it: the atomic
/// temp-file-and-rename would replace the special file with a regular one, which for root and
/// `/dev/null` breaks the whole system.
#[test]
fn out_to_a_fifo_writes_into_it() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe");
    let st = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(st.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let o = emit_user1("examples/minimal.yaml", "ios")
        .out(&fifo)
        .timeout(std::time::Duration::from_secs(30))
        .output();
    use std::os::unix::fs::FileTypeExt;
    let still_fifo = std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo();
    if !still_fifo {
        // Unblock the reader thread, which is still waiting on the old FIFO's open.
        let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
    }
    assert!(still_fifo, "the FIFO was replaced by a regular file");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = reader.join().unwrap();
    assert!(
        got.ends_with(b"</plist>\n"),
        "{} bytes through the FIFO",
        got.len()
    );
}

/// A PKCS#12 file, a signing key and a profile with every kind of secret, in an owner-only
/// temporary directory.
struct SecretsFixture {
    dir: tempfile::TempDir,
}

const PASSWORD: &str = "Pw-9f2c-account-password";
const P12_PASSPHRASE: &str = "example-only";
const SCEP_CHALLENGE: &str = "Scep-5e1d-one-time-challenge";
const KEY_PASSPHRASE: &str = "Key-77aa-signing-passphrase";

impl SecretsFixture {
    fn new() -> SecretsFixture {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::copy(root().join("examples/certs/smime.p12"), d.join("smime.p12")).unwrap();
        std::fs::set_permissions(d.join("smime.p12"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
        std::fs::write(d.join("p12-passphrase"), format!("{P12_PASSPHRASE}\n")).unwrap();
        std::fs::write(
            d.join("profile.yaml"),
            "displayName: Secrets\nidentifier: com.contoso.secrets\naccount:\n  server: mail.contoso.com\n  accountName: Mail\n  authentication:\n    method: usernameAndPassword\n    password:\n      env: RELIABILITY_EAS_PASSWORD\nsmime:\n  enabled: true\n  signing:\n    enabled: true\n    certificateType: certificate\n    certificate: smime\ncertificates:\n  smime:\n    kind: pkcs12\n    pkcs12:\n      file: smime.p12\n      passphrase:\n        file: p12-passphrase\n  enrol:\n    kind: scep\n    scep:\n      url: https://scep.contoso.com/certsrv/mscep/mscep.dll\n      challenge:\n        env: RELIABILITY_SCEP_CHALLENGE\n",
        )
        .unwrap();
        // The signing key as encrypted PKCS#8 (PBES2, AES-256-CBC). `openssl req -passout`
        // would use 3DES, which emailprof does not read (see RELIABILITY.md).
        openssl(
            d,
            "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out plain.pem",
            None,
        );
        openssl(
            d,
            &format!(
                "pkcs8 -topk8 -in plain.pem -out k.pem -v2 aes-256-cbc -passout pass:{KEY_PASSPHRASE}"
            ),
            None,
        );
        openssl(
            d,
            "req -x509 -key plain.pem -out c.pem -days 2",
            Some("/CN=Profile signer"),
        );
        std::fs::remove_file(d.join("plain.pem")).unwrap();
        std::fs::set_permissions(d.join("k.pem"), std::fs::Permissions::from_mode(0o600)).unwrap();
        SecretsFixture { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `emailprof ARGS... profile.yaml`, every secret of the fixture in the environment.
    fn cli(&self, args: &[&str]) -> Cli {
        cli(args)
            .arg(self.path("profile.yaml"))
            .env("RELIABILITY_EAS_PASSWORD", PASSWORD)
            .env("RELIABILITY_SCEP_CHALLENGE", SCEP_CHALLENGE)
            .env("RELIABILITY_KEY_PASSPHRASE", KEY_PASSPHRASE)
    }

    /// The same, signed with the fixture's encrypted key.
    fn signed(&self, args: &[&str]) -> Cli {
        self.cli(args)
            .signed_with(self.path("c.pem"), self.path("k.pem"))
            .flag("--sign-key-passphrase-env", "RELIABILITY_KEY_PASSPHRASE")
            .flag("--signing-time", "2026-01-02T03:04:05Z")
    }
}

fn assert_no_secret(text: &str, what: &str) {
    for s in [PASSWORD, P12_PASSPHRASE, SCEP_CHALLENGE, KEY_PASSPHRASE] {
        assert!(!text.contains(s), "{what}: `{s}` leaked: {text}");
    }
}

/// Every secret (account password, PKCS#12 passphrase, SCEP challenge, signing-key passphrase)
/// stays out of the logs at trace level, of the messages of failed runs, and of the artifacts
/// unless asked for.
#[test]
fn secrets_never_reach_logs_or_errors() {
    let f = SecretsFixture::new();
    // Successful runs at trace level, with and without the secrets in the artifact.
    for (platform, include) in [("ios", false), ("ios", true), ("windows", true)] {
        let o = f
            .signed(&["emit", "-p", platform, "--user", "user1"])
            .args(include.then_some("--include-password"))
            .tracing()
            .success();
        assert_no_secret(&stderr(&o), &format!("{platform} log"));
        if !include {
            // Signed DER carries the plist as-is: a plain search finds any secret in it.
            let out = String::from_utf8_lossy(&o.stdout);
            for s in [PASSWORD, P12_PASSPHRASE] {
                assert!(!out.contains(s), "`{s}` written without --include-password");
            }
        }
    }
    // A batch at trace level, JSON logs.
    let tmp = tempfile::tempdir().unwrap();
    let o = f
        .signed(&["batch", "--platforms", "ios,windows,android-gmail"])
        .arg("--include-password")
        .out(tmp.path().join("out"))
        .tracing()
        .json()
        .success();
    assert_no_secret(&stderr(&o), "batch log");
    let report = std::fs::read_to_string(tmp.path().join("out/emailprof-report.json")).unwrap();
    assert_no_secret(&report, "batch report");

    // Failures: a wrong signing-key passphrase, a wrong PKCS#12 passphrase file, unreadable
    // secret files. The messages name the source, never the value.
    let o = f
        .signed(&["emit", "-p", "ios", "--user", "user1"])
        .env("RELIABILITY_KEY_PASSPHRASE", "Wrong-passphrase-1234")
        .env("RUST_LOG", "trace")
        .code(2);
    assert!(
        !stderr(&o).contains("Wrong-passphrase-1234"),
        "{}",
        stderr(&o)
    );
    assert_no_secret(&stderr(&o), "wrong key passphrase");
    std::fs::remove_file(f.path("p12-passphrase")).unwrap();
    let o = f
        .cli(&["emit", "-p", "ios", "--user", "user1", "--include-password"])
        .env("RUST_LOG", "trace")
        .code(2);
    assert!(stderr(&o).contains("p12-passphrase"), "{}", stderr(&o));
    assert_no_secret(&stderr(&o), "missing passphrase file");
}

/// The LDAP plugin's bind password (from the environment) never shows, even at trace level
/// when the bind fails.
#[test]
fn the_ldap_bind_password_never_shows() {
    let lib = plugin_library("emailprof-resolver-ldap");
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let plugin = tmp.path().join(lib.file_name().unwrap());
    std::fs::copy(&lib, &plugin).unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o700)).unwrap();
    let bind_password = "Bind-3c9e-directory-password";
    // Nothing listens on port 1: the connection fails after the password was read.
    let config = tmp.path().join("ldap.json");
    std::fs::write(
        &config,
        serde_json::json!({
            "url": "ldap://127.0.0.1:1",
            "base_dn": "dc=contoso,dc=com",
            "bind_dn": "cn=reader,dc=contoso,dc=com",
            "bind_password_env": "RELIABILITY_BIND_PASSWORD",
            "allow_plaintext_bind": true,
        })
        .to_string(),
    )
    .unwrap();
    for process in [false, true] {
        let o = emit_user1("examples/minimal.yaml", "ios")
            .resolver(&plugin, &config)
            .args(process.then_some("--resolver-process"))
            .env("RELIABILITY_BIND_PASSWORD", bind_password)
            .tracing()
            .timeout(std::time::Duration::from_secs(120))
            .output();
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert_ne!(o.status.code(), Some(0), "{all}");
        assert!(
            !all.contains(bind_password),
            "the bind password leaked: {all}"
        );
    }
}

/// Key material open to others is worth a warning at the default log level: writable for any
/// key, readable for a key in the clear (an encrypted one is protected by its passphrase).
#[test]
fn loose_key_file_permissions_are_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let f = SecretsFixture::new();
    let warned = |o: &Output, needle: &str| {
        stderr(o)
            .lines()
            .any(|l| l.contains("by group or others") && l.contains(needle))
    };
    let run = |f: &SecretsFixture| {
        f.signed(&["emit", "-p", "ios", "--user", "user1"])
            .success()
    };
    let o = run(&f);
    assert!(!warned(&o, ""), "owner-only files: {}", stderr(&o));
    // The PKCS#12 and the signing key here are both encrypted.
    for (file, mode, name, warn) in [
        ("smime.p12", 0o644, "PKCS#12", false),
        ("smime.p12", 0o664, "PKCS#12", true),
        ("k.pem", 0o644, "--sign-key", false),
        ("k.pem", 0o606, "--sign-key", true),
    ] {
        std::fs::set_permissions(f.path(file), std::fs::Permissions::from_mode(mode)).unwrap();
        let o = run(&f);
        assert_eq!(warned(&o, name), warn, "{file} {mode:o}: {}", stderr(&o));
        if warn {
            assert!(
                stderr(&o).contains("writable by group or others"),
                "{}",
                stderr(&o)
            );
        }
        std::fs::set_permissions(f.path(file), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // A signing key in the clear: readable by others is already too open.
    let tmp = tempfile::tempdir().unwrap();
    signing_identity(tmp.path());
    let key = tmp.path().join("k.pem");
    for (mode, warn) in [(0o600, false), (0o640, true), (0o604, true)] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        let o = emit_user1("examples/minimal.yaml", "ios")
            .signed_with(tmp.path().join("c.pem"), &key)
            .success();
        assert_eq!(
            stderr(&o).contains("an unencrypted key readable by group or others"),
            warn,
            "{mode:o}: {}",
            stderr(&o)
        );
    }
}

/// `Debug` of everything that holds a secret shows none.
#[test]
fn debug_output_never_shows_a_secret() {
    use emailprof_core::{CertificateMaterial, ResolvedProfile, Secret};
    let profile = emailprof_core::load(
        b"displayName: D\nidentifier: com.contoso.mail\naccount:\n  server: mail.contoso.com\n  accountName: Mail\n  authentication:\n    password:\n      inline: Pw-9f2c-account-password\n",
        emailprof_core::Format::Yaml,
        emailprof_core::ValidationOptions {
            allow_inline_secrets: true,
        },
    )
    .unwrap()
    .profile
    .unwrap();
    let mut materials = std::collections::BTreeMap::new();
    materials.insert(
        "smime".to_owned(),
        CertificateMaterial::Pkcs12 {
            data: vec![1, 2, 3],
            passphrase: Some(Secret::new(P12_PASSPHRASE)),
        },
    );
    materials.insert(
        "enrol".to_owned(),
        CertificateMaterial::Scep {
            challenge: Some(Secret::new(SCEP_CHALLENGE)),
        },
    );
    let resolved = ResolvedProfile {
        profile,
        user: emailprof_core::UserIdentity {
            user_id: "u".into(),
            username: "u@contoso.com".into(),
            email_address: "u@contoso.com".into(),
            account: None,
            domain: None,
            user_principal_name: None,
        },
        materials,
        password: Some(Secret::new(PASSWORD)),
    };
    let shown = format!("{resolved:?} {resolved:#?}");
    assert_no_secret(&shown, "Debug of ResolvedProfile");
    assert!(shown.contains("redacted"));
}
