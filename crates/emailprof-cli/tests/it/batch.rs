//! `emailprof batch`: every user and platform, failures reported, resumable, shardable, safe
//! file names, archive and JSONL forms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{
    Cli, batch, batch_report, emit, files_below, jsonl_file, minimal_ios_batch, stderr,
};

fn write_directory(path: &Path, users: usize, extra: &[&str]) {
    let mut csv = String::from(
        "userId,userPrincipalName,primarySmtpAddress,sAMAccountName,domainFqdn,netbiosName\n",
    );
    for i in 0..users {
        csv.push_str(&format!(
            "u{i},u{i}@contoso.com,first{i}.last@contoso.com,u{i},contoso.com,CONTOSO\n"
        ));
    }
    for line in extra {
        csv.push_str(line);
        csv.push('\n');
    }
    std::fs::write(path, csv).unwrap();
}

/// A temporary directory holding `dir.csv`, written by [`write_directory`].
fn csv_directory(users: usize, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dir.csv");
    write_directory(&dir, users, extra);
    (tmp, dir)
}

/// `emailprof batch PROFILE --platforms PLATFORMS --quiet --directory DIR`
fn quiet_batch(profile: &str, platforms: &str, dir: &Path) -> Cli {
    batch(profile, platforms).quiet().directory(dir)
}

/// Every file below `dir` (relative path → bytes), without the manifest and report.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_below(dir)
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let kept = !rel.starts_with(".emailprof-manifest") && rel != "emailprof-report.json";
            kept.then(|| (rel, std::fs::read(&p).unwrap()))
        })
        .collect()
}

#[test]
fn every_user_and_platform_is_written_and_failures_are_reported() {
    // The last user lacks the sAM account name the Contoso profile needs.
    let (tmp, dir) = csv_directory(
        50,
        &["nosam,nosam@contoso.com,nosam@contoso.com,,contoso.com,CONTOSO"],
    );
    let out = tmp.path().join("out");
    // A failed user makes the run fail.
    quiet_batch("examples/contoso.yaml", "ios,windows,android-gmail", &dir)
        .out(&out)
        .code(1);
    let files = tree(&out);
    assert_eq!(
        files.len(),
        150,
        "{:?}",
        files.keys().take(5).collect::<Vec<_>>()
    );
    for i in [0, 17, 49] {
        let ios = String::from_utf8(files[&format!("ios/u{i}.mobileconfig")].clone()).unwrap();
        assert!(
            ios.contains(&format!("<string>CONTOSO\\u{i}</string>")),
            "{ios}"
        );
        assert!(ios.contains(&format!("<string>first{i}.last@contoso.com</string>")));
        assert!(files.contains_key(&format!("windows/u{i}.syncml.xml")));
        assert!(files.contains_key(&format!("android-gmail/u{i}.gmail.json")));
    }
    let report = batch_report(&out);
    assert_eq!(report["written"], 150);
    assert_eq!(report["failed"], 1);
    assert_eq!(report["failures"][0]["user"], "nosam");
    assert!(
        report["failures"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("sAMAccountName")
    );
    // Each output equals what `emit` gives for that user.
    let single = emit("examples/contoso.yaml", "ios")
        .user("u17")
        .directory(&dir)
        .success();
    assert_eq!(single.stdout, files["ios/u17.mobileconfig"]);
}

#[test]
fn resume_skips_unchanged_outputs_and_redoes_missing_ones() {
    let (tmp, dir) = csv_directory(40, &[]);
    let out = tmp.path().join("out");
    let run = |resume: bool| {
        quiet_batch("examples/minimal.yaml", "ios,windows", &dir)
            .out(&out)
            .args(resume.then_some("--resume"))
            .success();
        batch_report(&out)
    };
    let first = run(false);
    assert_eq!(first["written"], 80);
    let complete = tree(&out);
    // Lose two outputs and truncate a third, as a crash between rename and manifest could not,
    // but a careless operator could.
    std::fs::remove_file(out.join("ios/u3.mobileconfig")).unwrap();
    std::fs::remove_file(out.join("windows/u39.syncml.xml")).unwrap();
    std::fs::write(out.join("ios/u7.mobileconfig"), b"").unwrap();
    let again = run(true);
    assert_eq!(again["written"], 3, "{again}");
    assert_eq!(again["unchanged"], 77);
    assert_eq!(tree(&out), complete);
}

#[test]
fn shards_split_the_directory_without_overlap() {
    let (tmp, dir) = csv_directory(300, &[]);
    let mut union = BTreeMap::new();
    for k in 1..=3 {
        let out = tmp.path().join(format!("shard{k}"));
        minimal_ios_batch()
            .flag("--shard", format!("{k}/3"))
            .directory(&dir)
            .out(&out)
            .success();
        let files = tree(&out);
        assert!(
            files.len() > 60 && files.len() < 140,
            "uneven shard {k}: {}",
            files.len()
        );
        for (name, bytes) in files {
            assert!(
                union.insert(name.clone(), bytes).is_none(),
                "{name} in two shards"
            );
        }
    }
    assert_eq!(union.len(), 300);
    batch("examples/minimal.yaml", "ios")
        .flag("--shard", "4/3")
        .out(tmp.path().join("bad"))
        .code(2);
}

#[test]
fn hostile_user_ids_stay_inside_the_output_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dir.csv");
    let hostile = [
        "../escape",
        "../../etc/passwd",
        "/abs/path",
        "a\\b",
        "CON",
        "nul.txt",
        ".hidden",
        "User",
        "user",
        "\"quoted,comma\"",
        "a b",
        "é",
    ];
    let mut csv = String::from("userId,userPrincipalName\n");
    for (i, id) in hostile.iter().enumerate() {
        let id = if id.starts_with('"') {
            id.to_string()
        } else {
            format!("\"{id}\"")
        };
        csv.push_str(&format!("{id},h{i}@contoso.com\n"));
    }
    std::fs::write(&dir, csv).unwrap();
    let out = tmp.path().join("a/out");
    minimal_ios_batch().directory(&dir).out(&out).success();
    let files = tree(&out);
    assert_eq!(
        files.len(),
        hostile.len(),
        "{:?}",
        files.keys().collect::<Vec<_>>()
    );
    let names: std::collections::HashSet<String> =
        files.keys().map(|k| k.to_ascii_lowercase()).collect();
    assert_eq!(names.len(), hostile.len(), "names clash case-insensitively");
    for name in files.keys() {
        let file = name.strip_prefix("ios/").unwrap();
        assert!(
            !file.starts_with('.') && !file.contains('/') && !file.contains('\\'),
            "{name}"
        );
        let stem = file.split('.').next().unwrap().to_ascii_lowercase();
        assert!(
            !["con", "nul", "prn", "aux"].contains(&stem.as_str()),
            "{name}"
        );
    }
    // Nothing was written outside `out`.
    let outside: Vec<_> = std::fs::read_dir(tmp.path().join("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, ["out"]);
}

#[test]
fn archive_and_jsonl_hold_the_same_artifacts_as_files() {
    let (tmp, dir) = csv_directory(25, &[]);
    let files_dir = tmp.path().join("files");
    let tar_path = tmp.path().join("all.tar");
    let jsonl_path = tmp.path().join("all.jsonl");
    for (flag, path) in [
        ("--out", &files_dir),
        ("--archive", &tar_path),
        ("--jsonl", &jsonl_path),
    ] {
        quiet_batch("examples/contoso.yaml", "ios,windows", &dir)
            .flag(flag, path)
            .success();
    }
    let files = tree(&files_dir);
    // The tar archive, read with the system's tar.
    let x = tmp.path().join("x");
    std::fs::create_dir(&x).unwrap();
    let st = std::process::Command::new("tar")
        .arg("-xf")
        .arg(&tar_path)
        .arg("-C")
        .arg(&x)
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(tree(&x), files);
    // The JSONL, one artifact per line.
    let mut from_jsonl = BTreeMap::new();
    for v in jsonl_file(&jsonl_path) {
        assert_eq!(v["encoding"], "utf-8");
        from_jsonl.insert(
            v["file"].as_str().unwrap().to_owned(),
            v["content"].as_str().unwrap().as_bytes().to_vec(),
        );
    }
    assert_eq!(from_jsonl, files);
    // Archive entries come in directory order, so the archive is reproducible.
    let again = tmp.path().join("again.tar");
    quiet_batch("examples/contoso.yaml", "ios,windows", &dir)
        .flag("--archive", &again)
        .success();
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&tar_path).unwrap()
    );
}

#[test]
fn an_interrupted_run_leaves_no_partial_file_and_resume_completes_it() {
    use std::io::Read;
    let (tmp, dir) = csv_directory(6_000, &[]);
    let out = tmp.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_emailprof"))
        .current_dir(crate::support::root())
        .args([
            "batch",
            "examples/minimal.yaml",
            "--platforms",
            "ios,windows",
            "--directory",
        ])
        .arg(&dir)
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it is writing, then interrupt it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::read_dir(out.join("ios")).map_or(0, |d| d.count()) < 100 {
        assert!(
            std::time::Instant::now() < deadline,
            "the batch did not start writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let st = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let partial = tree(&out);
    if status.code() == Some(130) {
        assert!(err.contains("interrupted"), "{err}");
        assert!(
            partial.len() < 12_000,
            "interrupted too late to prove anything"
        );
    }
    // No temporary or truncated file is left behind.
    for (name, bytes) in &partial {
        assert!(
            !name.contains(".emailprof-") && !name.ends_with(".tmp"),
            "{name}"
        );
        assert!(
            bytes.ends_with(b"</plist>\n")
                || bytes.ends_with(b"</SyncML>\n")
                || bytes.ends_with(b"</SyncML>"),
            "{name} is truncated"
        );
    }
    quiet_batch("examples/minimal.yaml", "ios,windows", &dir)
        .arg("--resume")
        .out(&out)
        .success();
    let done = tree(&out);
    assert_eq!(done.len(), 12_000);
    let report = batch_report(&out);
    assert_eq!(
        report["unchanged"].as_u64().unwrap() + report["written"].as_u64().unwrap(),
        12_000
    );
    assert!(report["unchanged"].as_u64().unwrap() > 0, "{report}");
}

#[test]
fn a_user_id_that_repeats_stops_the_run_and_overwrites_nothing() {
    // Line 43 repeats u7 (line 9) with another address.
    let (tmp, dir) = csv_directory(
        40,
        &[
            "u1x,u1x@contoso.com,,u1x,contoso.com,CONTOSO",
            "u7,evil@contoso.com,,u7,contoso.com,CONTOSO",
        ],
    );
    let out = tmp.path().join("out");
    let o = minimal_ios_batch().directory(&dir).out(&out).code(2);
    assert!(
        stderr(&o).contains("line 43: user id `u7` appears more than once"),
        "{}",
        stderr(&o)
    );
    let u7 = std::fs::read_to_string(out.join("ios/u7.mobileconfig")).unwrap();
    assert!(
        u7.contains("u7@contoso.com") && !u7.contains("evil"),
        "{u7}"
    );

    // As JSON lines the run is discarded whole; sharded, the repeat is found when it is in
    // the shard and ignored when it is not.
    let jsonl = tmp.path().join("out.jsonl");
    let run = |shard: Option<&str>| {
        minimal_ios_batch()
            .directory(&dir)
            .flag("--jsonl", &jsonl)
            .args(shard.map(|s| ["--shard", s]).into_iter().flatten())
    };
    run(None).code(2);
    assert!(!jsonl.exists());
    let with_u7 = (1..=3)
        .map(|k| format!("{k}/3"))
        .find(|s| run(Some(s)).output().status.code() == Some(2))
        .expect("the shard holding u7 fails");
    for k in 1..=3 {
        let s = format!("{k}/3");
        if s != with_u7 {
            run(Some(&s)).success();
        }
    }
}

#[test]
fn a_repeat_in_a_large_directory_is_found_by_the_two_pass_check() {
    // More lines than the exact check takes (2^17): the first pass runs ids through the
    // Bloom filter and the run tracks only suspects. A shard keeps the emitting small.
    fn fnv1a64(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dir.csv");
    let users = 140_000;
    let in_shard: Vec<usize> = (0..users)
        .filter(|i| fnv1a64(format!("u{i}").as_bytes()).is_multiple_of(500))
        .collect();
    let repeated = in_shard[in_shard.len() / 2];
    let line = format!("u{repeated},again@contoso.com,,u{repeated},contoso.com,CONTOSO");
    let run = |extra: &[&str]| {
        write_directory(&dir, users, extra);
        let out = tmp.path().join("out.jsonl");
        let _ = std::fs::remove_file(&out);
        let o = minimal_ios_batch()
            .directory(&dir)
            .flag("--shard", "1/500")
            .flag("--jsonl", &out)
            .output();
        (o, std::fs::read_to_string(&out).unwrap_or_default())
    };
    let (o, jsonl) = run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(jsonl.lines().count(), in_shard.len());
    let (o, jsonl) = run(&[&line]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "line {}: user id `u{repeated}` appears more than once",
            users + 2
        )),
        "{}",
        stderr(&o)
    );
    assert!(jsonl.is_empty());
}

/// Issue 15: every artifact's diagnostics are kept, counted by platform and setting with the
/// first users, in the summary and the report; `--strict` makes a warning fail its user.
#[test]
fn diagnostics_are_counted_and_strict_fails_warned_users() {
    let (tmp, dir) = csv_directory(40, &[]);
    let out = tmp.path().join("out");
    // Windows cannot express the Contoso profile's S/MIME or certificate sign-in.
    let o = quiet_batch("examples/contoso.yaml", "windows", &dir)
        .out(&out)
        .output();
    let err = crate::support::stderr(&o);
    let report = batch_report(&out);
    let diags = report["diagnostics"].as_array().unwrap();
    let smime = diags
        .iter()
        .find(|d| d["platform"] == "windows" && d["setting"] == "/smime/enabled")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(smime["severity"], "warning");
    assert_eq!(smime["users"].as_u64(), report["written"].as_u64());
    assert_eq!(smime["firstUsers"].as_array().unwrap().len(), 5);
    assert!(
        err.contains("windows: /smime/enabled:") && err.contains("user(s), e.g."),
        "{err}"
    );
    assert!(err.contains("warning(s) on artifacts"), "{err}");

    let strict = tmp.path().join("strict");
    let o = quiet_batch("examples/contoso.yaml", "windows", &dir)
        .arg("--strict")
        .out(&strict)
        .code(1);
    let report = batch_report(&strict);
    assert_eq!(report["written"], 0, "{report}");
    assert!(report["failed"].as_u64().unwrap() > 0);
    assert!(
        report["failures"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("--strict: warning")
    );
    assert!(crate::support::stderr(&o).contains("failed"));
}

/// Issue 15: outputs of users no longer in the directory are reported every run, and removed
/// with `--prune`.
#[test]
fn outputs_of_users_no_longer_given_are_reported_and_pruned() {
    let (tmp, dir) = csv_directory(30, &[]);
    let out = tmp.path().join("out");
    quiet_batch("examples/minimal.yaml", "ios", &dir)
        .out(&out)
        .success();
    let before = files_below(&out.join("ios")).len();
    // The directory loses its last ten users.
    let text = std::fs::read_to_string(&dir).unwrap();
    let kept: Vec<&str> = text.lines().take(21).collect();
    std::fs::write(&dir, kept.join("\n") + "\n").unwrap();
    for resume in [false, true] {
        let mut run = quiet_batch("examples/minimal.yaml", "ios", &dir).out(&out);
        if resume {
            run = run.arg("--resume");
        }
        let o = run.success();
        let report = batch_report(&out);
        assert_eq!(
            report["stale"]["files"].as_array().unwrap().len(),
            10,
            "{report}"
        );
        assert_eq!(report["stale"]["pruned"], false);
        assert!(crate::support::stderr(&o).contains("10 output(s) of users no longer given left"));
        assert_eq!(files_below(&out.join("ios")).len(), before);
    }
    quiet_batch("examples/minimal.yaml", "ios", &dir)
        .out(&out)
        .arg("--prune")
        .success();
    assert_eq!(batch_report(&out)["stale"]["pruned"], true);
    assert_eq!(files_below(&out.join("ios")).len(), before - 10);
    quiet_batch("examples/minimal.yaml", "ios", &dir)
        .out(&out)
        .success();
    assert!(
        batch_report(&out)["stale"]["files"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// Issue 15: an interrupted archive run says what really happened (no archive; run again),
/// and `--resume` is refused where it has no meaning.
#[test]
fn an_interrupted_archive_says_nothing_was_written() {
    use std::io::Read;
    let (tmp, dir) = csv_directory(60_000, &[]);
    let archive = tmp.path().join("all.tar");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_emailprof"))
        .current_dir(crate::support::root())
        .args([
            "batch",
            "examples/minimal.yaml",
            "--platforms",
            "ios,windows",
            "-j",
            "1",
            "--directory",
        ])
        .arg(&dir)
        .arg("--archive")
        .arg(&archive)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let growing = |t: &Path| {
        std::fs::read_dir(t).is_ok_and(|d| {
            d.flatten().any(|e| {
                e.file_name().to_string_lossy().starts_with(".emailprof-")
                    && e.metadata().is_ok_and(|m| m.len() > 0)
            })
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !growing(tmp.path()) && child.try_wait().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the batch did not start writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    if status.code() == Some(130) {
        assert!(
            err.contains("nothing was written") && err.contains("run the batch again"),
            "{err}"
        );
        assert!(!err.contains("--resume"), "{err}");
        assert!(!archive.exists());
        assert!(!growing(tmp.path()), "no temporary file is left");
    } else {
        eprintln!("NOTE: the run finished before the interrupt: {status:?}");
    }
    let o = batch("examples/minimal.yaml", "ios")
        .directory(&dir)
        .arg("--archive")
        .arg(&archive)
        .arg("--resume")
        .code(2);
    assert!(
        crate::support::stderr(&o).contains("--out"),
        "{}",
        crate::support::stderr(&o)
    );
}
