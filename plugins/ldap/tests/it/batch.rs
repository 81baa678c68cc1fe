//! Issue 8: the LDAP server stops in the middle of a batch. `emailprof batch` with this plugin
//! against a real slapd holding a few thousand users; the test kills slapd (SIGKILL) once some
//! outputs exist. The resolver retries with backoff, then every remaining user fails with a
//! connection error, quickly; what was written is complete. After slapd restarts on the same
//! port with the same data, `--resume` finishes the job, and the outputs equal a clean run's.
//! Also: a server that stops answering (SIGSTOP) times out instead of hanging the batch.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use emailprof_resolver_ldap::LdapResolver;
use resolver_sdk::ResolveError;
use resolver_sdk::Resolver;
use serde_json::{Value, json};

use crate::slapd::{BASE_DN, BIND_DN, PASSWORD, Slapd};

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Enough users that the batch is still running, for seconds, when the test kills the server.
const USERS: usize = 3000;

/// Outputs to wait for before the kill (the batch's chunk size: see step 1 of the test).
const KILL_AFTER: usize = 256;

fn user_id(i: usize) -> String {
    format!("bu{i:04}")
}

/// Every tenth user lives in the child domain, whose crossRef says CONTOSO-EMEA.
fn in_emea(i: usize) -> bool {
    i % 10 == 7
}

/// The AD mapping the profile asks for, worked out from the LDIF below: `NETBIOS\sAMAccountName`
/// from the crossRef of the entry's domain, and the upper-case `SMTP:` proxy address.
fn expected_username(i: usize) -> String {
    let domain = if in_emea(i) {
        "CONTOSO-EMEA"
    } else {
        "CONTOSO"
    };
    format!("{domain}\\{}", user_id(i))
}

fn expected_email(i: usize) -> String {
    format!("Batch.User{i:04}@contoso.com")
}

/// The users, as entries to add to tests/data/directory.ldif (which holds the domains, their
/// crossRefs and the service account).
fn users_ldif() -> String {
    let mut ldif = String::new();
    for i in 0..USERS {
        let id = user_id(i);
        let domain = if in_emea(i) {
            "DC=emea,DC=contoso,DC=com"
        } else {
            "DC=contoso,DC=com"
        };
        ldif.push_str(&format!(
            "dn: CN=Batch User {i:04},CN=Users,{domain}\n\
             objectClass: user\n\
             cn: Batch User {i:04}\n\
             sn: User{i:04}\n\
             sAMAccountName: {id}\n\
             userPrincipalName: {id}@contoso.com\n\
             mail: {id}@contoso.com\n\
             proxyAddresses: smtp:{id}@contoso.com\n\
             proxyAddresses: SMTP:{}\n\n",
            expected_email(i)
        ));
    }
    ldif
}

/// Sign-in as `CONTOSO\user` and the primary SMTP address: the AD attributes, not just the UPN.
const PROFILE: &str = "\
displayName: Contoso Exchange
identifier: com.contoso.email.ldapbatch
account:
  server: outlook.office365.com
  accountName: Contoso mail
  username:
    source: samAccountName
    domain:
      source: directory
      attribute: netBiosDomainName
  emailAddressSource: primarySmtpAddress
";

struct Built {
    emailprof: PathBuf,
    plugin: PathBuf,
}

fn cargo_build(args: &[&str], name: &str) -> Vec<PathBuf> {
    emailprof_testkit::cargo_build(Path::new(WORKSPACE), args, name)
}

/// Build the `emailprof` binary and the plugin library, and copy the library into `dir` with
/// owner-only write permissions so the host's permission check passes.
///
/// Two cargo runs, not one with both packages: built together, their dependencies' features
/// unify differently from `cargo test -p emailprof-resolver-ldap`, and the plugin would be
/// rebuilt by every test run and again by the next `cargo test`.
fn build(dir: &Path) -> Built {
    let library = cargo_build(
        &["-p", "emailprof-resolver-ldap", "--lib"],
        "emailprof_resolver_ldap",
    )
    .into_iter()
    .find(|f| f.to_string_lossy().ends_with(std::env::consts::DLL_SUFFIX));
    let emailprof = cargo_build(&["-p", "emailprof-cli", "--bin", "emailprof"], "emailprof")
        .into_iter()
        .find(|f| {
            f.file_name().is_some_and(|n| {
                n.to_string_lossy() == format!("emailprof{}", std::env::consts::EXE_SUFFIX)
            })
        });
    let emailprof = emailprof.expect("cargo reported no emailprof executable");
    let library = library.expect("cargo reported no cdylib for emailprof-resolver-ldap");
    let plugin_dir = dir.join("plugin");
    std::fs::create_dir(&plugin_dir).unwrap();
    let plugin = plugin_dir.join(library.file_name().unwrap());
    std::fs::copy(&library, &plugin).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&plugin_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    Built { emailprof, plugin }
}

/// Everything a batch run needs but the output directory.
struct Setup {
    built: Built,
    profile: PathBuf,
    config: PathBuf,
    /// `--users FILE`; `None`: the plugin lists the users.
    users: Option<PathBuf>,
    /// `--resolver-process`.
    process: bool,
    logs: PathBuf,
}

impl Setup {
    /// Start `emailprof batch` (one worker, so users go in file order) into `out`.
    fn spawn(&self, out: &Path, resume: bool, name: &str) -> Batch {
        let log = |what: &str| {
            std::fs::File::create(self.logs.join(format!("{name}.{what}"))).expect("log file")
        };
        let mut cmd = Command::new(&self.built.emailprof);
        cmd.arg("batch")
            .arg(&self.profile)
            .args(["--platforms", "ios", "--jobs", "1", "--quiet", "--resolver"])
            .arg(&self.built.plugin)
            .arg("--resolver-config")
            .arg(&self.config)
            .args(self.users.iter().flat_map(|u| [Path::new("--users"), u]))
            .args(self.process.then_some("--resolver-process"))
            .arg("--out")
            .arg(out)
            .stdin(Stdio::null())
            .stdout(log("stdout"))
            .stderr(log("stderr"));
        if resume {
            cmd.arg("--resume");
        }
        Batch(cmd.spawn().expect("start emailprof"))
    }

    fn stderr(&self, name: &str) -> String {
        std::fs::read_to_string(self.logs.join(format!("{name}.stderr"))).unwrap_or_default()
    }

    /// Run to the end, within `limit`.
    fn run(&self, out: &Path, resume: bool, name: &str, limit: Duration) -> ExitStatus {
        let mut child = self.spawn(out, resume, name);
        wait(&mut child, limit).unwrap_or_else(|| {
            panic!(
                "`{name}` batch did not finish within {limit:?}:\n{}",
                self.stderr(name)
            )
        })
    }
}

/// A running `emailprof batch`, killed if the test ends before it does.
struct Batch(Child);

impl Drop for Batch {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Wait for `batch` at most `limit`; `None` when it is still running then (and killed).
fn wait(batch: &mut Batch, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = batch.0.try_wait().expect("wait for emailprof") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = batch.0.kill();
            let _ = batch.0.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every file below `dir`, by path relative to it.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

const REPORT: &str = "emailprof-report.json";
const MANIFEST: &str = ".emailprof-manifest.jsonl";

/// Only outputs, the report and the manifest: no temporary file left behind.
fn assert_no_stray_files(files: &BTreeMap<String, Vec<u8>>) {
    for name in files.keys() {
        let output = name
            .strip_prefix("ios/")
            .is_some_and(|f| f.starts_with("bu") && f.ends_with(".mobileconfig"));
        assert!(
            output || name == REPORT || name == MANIFEST,
            "unexpected file {name} (a temporary or partial file?)"
        );
    }
}

fn output_name(i: usize) -> String {
    format!("ios/{}.mobileconfig", user_id(i))
}

/// The outputs, i.e. files under ios/.
fn outputs(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .filter(|(k, _)| k.starts_with("ios/"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn report(files: &BTreeMap<String, Vec<u8>>) -> Value {
    let bytes = files.get(REPORT).expect("the batch wrote no report");
    serde_json::from_slice(bytes).expect("the report is JSON")
}

fn manifest_lines(files: &BTreeMap<String, Vec<u8>>) -> BTreeSet<String> {
    String::from_utf8_lossy(files.get(MANIFEST).map_or(&[][..], |m| m.as_slice()))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A complete configuration profile for user `i`: the whole plist, with the account values the
/// directory gives for that user (independent of any other run).
fn assert_complete_for(name: &str, bytes: &[u8], i: usize) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{name}: not UTF-8"));
    assert!(
        text.starts_with("<?xml") && text.trim_end().ends_with("</plist>"),
        "{name}: cut short:\n{text}"
    );
    for value in [expected_username(i), expected_email(i)] {
        assert!(
            text.contains(&format!("<string>{value}</string>")),
            "{name}: no {value}:\n{text}"
        );
    }
}

#[test]
fn server_killed_mid_batch_then_resume_completes() {
    let Some(mut server) = Slapd::start_with(&users_ldif()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let url = server.ldap_url();
    let logs = dir.join("logs");
    std::fs::create_dir(&logs).unwrap();
    let setup = Setup {
        built: build(dir),
        profile: dir.join("profile.yaml"),
        config: dir.join("resolver.json"),
        users: Some(dir.join("users.txt")),
        process: false,
        logs,
    };
    std::fs::write(&setup.profile, PROFILE).unwrap();
    std::fs::write(
        &setup.config,
        json!({
            "url": url,
            "base_dn": BASE_DN,
            "bind_dn": BIND_DN,
            "bind_password_file": server.password_file(PASSWORD),
            // Loopback only.
            "allow_plaintext_bind": true,
            "timeout_secs": 5,
            "retries": 2,
        })
        .to_string(),
    )
    .unwrap();
    let ids: Vec<String> = (0..USERS).map(user_id).collect();
    std::fs::write(setup.users.as_ref().unwrap(), ids.join("\n") + "\n").unwrap();

    // 1. Kill the server once KILL_AFTER outputs exist. The batch resolves a chunk of users,
    // then writes their files; at that count it is looking up the next chunk, so the kill
    // lands between or during searches on an open connection.
    let out = dir.join("out");
    let mut child = setup.spawn(&out, false, "killed");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = std::fs::read_dir(out.join("ios")).map_or(0, |d| {
            d.filter_map(Result::ok)
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .count()
        });
        if done >= KILL_AFTER {
            break;
        }
        if let Some(status) = child.0.try_wait().unwrap() {
            panic!(
                "the batch ended ({status}) with only {done} outputs, before the kill:\n{}",
                setup.stderr("killed")
            );
        }
        assert!(
            Instant::now() < deadline,
            "{done} outputs after 30 s:\n{}",
            setup.stderr("killed")
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    server.kill();
    let killed_at = Instant::now();
    // Bounded: the resolver retries with backoff once, then fails the remaining users at once
    // instead of paying the retries again for each of them.
    let status = wait(&mut child, Duration::from_secs(30)).unwrap_or_else(|| {
        panic!(
            "the batch hung after the server was killed:\n{}",
            setup.stderr("killed")
        )
    });
    let after_kill = killed_at.elapsed();
    assert_eq!(status.code(), Some(1), "{}", setup.stderr("killed"));
    assert!(
        after_kill < Duration::from_secs(15),
        "failing the remaining users took {after_kill:?}"
    );

    let files = tree(&out);
    assert_no_stray_files(&files);
    let partial = outputs(&files);
    let report1 = report(&files);
    let failures = report1["failures"].as_array().expect("failures");
    let written = partial.len();
    assert!(
        written > 0 && !failures.is_empty(),
        "the kill did not land mid-run: {written} written, report {report1}"
    );
    assert_eq!(report1["interrupted"], false, "{report1}");
    assert_eq!(report1["users"], USERS, "{report1}");
    assert_eq!(report1["written"], written, "{report1}");
    assert_eq!(report1["failed"], failures.len(), "{report1}");
    assert_eq!(written + failures.len(), USERS, "{report1}");
    // One worker, users in file order, the server never back: the first users are written,
    // every later one failed, each once, as a user-level (not platform) failure.
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            partial.contains_key(&output_name(i)),
            i < written,
            "{id}: outputs should be exactly the first {written} users"
        );
    }
    let mut retried = 0;
    for (f, id) in failures.iter().zip(&ids[written..]) {
        assert_eq!(f["user"], id.as_str(), "{f}");
        assert_eq!(f["platform"], Value::Null, "{f}");
        let reason = f["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains(&format!("cannot connect to {url}")),
            "{id}: the reason should name the connection: {reason}"
        );
        assert!(!reason.contains(PASSWORD), "{reason}");
        if reason.contains("after 3 attempts") {
            retried += 1;
        }
    }
    // `retries: 2`: the first failure after the kill is the third attempt.
    assert!(retried >= 1, "no failure after the retries: {report1}");
    // What was written is whole, and the manifest records exactly that, with the sizes.
    for (i, _) in ids.iter().enumerate().take(written) {
        let name = output_name(i);
        assert_complete_for(&name, &partial[&name], i);
    }
    let recorded: BTreeMap<String, u64> = manifest_lines(&files)
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("manifest line");
            (
                v["f"].as_str().unwrap().to_owned(),
                v["n"].as_u64().unwrap(),
            )
        })
        .collect();
    let sizes: BTreeMap<String, u64> = partial
        .iter()
        .map(|(k, v)| (k.clone(), v.len() as u64))
        .collect();
    assert_eq!(
        recorded, sizes,
        "the manifest should list the written files"
    );

    // 2. The server comes back on the same port with the same data: --resume finishes.
    server.restart().expect("restart slapd");
    let status = setup.run(&out, true, "resume", Duration::from_secs(60));
    assert_eq!(status.code(), Some(0), "{}", setup.stderr("resume"));
    let resumed = tree(&out);
    assert_no_stray_files(&resumed);
    let report2 = report(&resumed);
    assert_eq!(report2["failed"], 0, "{report2}");
    assert_eq!(report2["unchanged"], written, "{report2}");
    assert_eq!(report2["resumedFromManifest"], written, "{report2}");
    assert_eq!(report2["written"], USERS - written, "{report2}");
    assert!(report2["unchanged"].as_u64().unwrap_or(0) > 0, "{report2}");

    // 3. A clean run against the live server gives the same outputs, byte for byte.
    let clean = dir.join("clean");
    let status = setup.run(&clean, false, "clean", Duration::from_secs(60));
    assert_eq!(status.code(), Some(0), "{}", setup.stderr("clean"));
    let clean_files = tree(&clean);
    assert_no_stray_files(&clean_files);
    let clean_report = report(&clean_files);
    assert_eq!(clean_report["written"], USERS, "{clean_report}");
    let clean_outputs = outputs(&clean_files);
    assert_eq!(clean_outputs.len(), USERS);
    for i in 0..USERS {
        let name = output_name(i);
        assert_complete_for(&name, &clean_outputs[&name], i);
    }
    let resumed_outputs = outputs(&resumed);
    assert_eq!(
        resumed_outputs.keys().collect::<Vec<_>>(),
        clean_outputs.keys().collect::<Vec<_>>(),
        "the resumed run and the clean run wrote different files"
    );
    for (name, bytes) in &clean_outputs {
        assert!(resumed_outputs[name] == *bytes, "{name} differs");
    }
    // The files written before the kill were kept as they were, and were already right.
    for (name, bytes) in &partial {
        assert!(resumed_outputs[name] == *bytes, "{name} was rewritten");
    }
    // Both manifests record the same complete outputs (so a further --resume skips them all).
    assert_eq!(manifest_lines(&resumed), manifest_lines(&clean_files));
}

/// Issue 17: without `--users` the plugin lists the users, a page of 100 at a time. The
/// server is killed once the first outputs exist: the listing cannot complete, so the run
/// fails saying so (it must not look complete); what was written is whole. After a restart,
/// `--resume` completes it; the result equals clean listing runs in process and out of
/// process, and a `--users` run of the same ids.
#[test]
fn server_killed_mid_listing_fails_the_run_then_resume_completes() {
    // slapd's default size limit (500) also caps paged searches; AD has no total cap.
    let limits = "limits users size.soft=500 size.hard=500 size.prtotal=unlimited";
    let Some(mut server) = Slapd::start_configured(&users_ldif(), limits) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let logs = dir.join("logs");
    std::fs::create_dir(&logs).unwrap();
    let mut setup = Setup {
        built: build(dir),
        profile: dir.join("profile.yaml"),
        config: dir.join("resolver.json"),
        users: None,
        process: false,
        logs,
    };
    std::fs::write(&setup.profile, PROFILE).unwrap();
    std::fs::write(
        &setup.config,
        json!({
            "url": server.ldap_url(),
            "base_dn": BASE_DN,
            "bind_dn": BIND_DN,
            "bind_password_file": server.password_file(PASSWORD),
            "allow_plaintext_bind": true,
            "timeout_secs": 5,
            "retries": 1,
            // The batch users only (the test directory also holds others, and a duplicate).
            "users": {"filter": "(&(objectClass=user)(sAMAccountName=bu*))", "page_size": 100},
        })
        .to_string(),
    )
    .unwrap();

    let out = dir.join("out");
    let mut child = setup.spawn(&out, false, "killed");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_dir(out.join("ios")).map_or(0, |d| d.count()) < 1 {
        if let Some(status) = child.0.try_wait().unwrap() {
            panic!(
                "the batch ended ({status}) before the kill:
{}",
                setup.stderr("killed")
            );
        }
        assert!(Instant::now() < deadline, "{}", setup.stderr("killed"));
        std::thread::sleep(Duration::from_millis(2));
    }
    server.kill();
    let status = wait(&mut child, Duration::from_secs(30)).unwrap_or_else(|| {
        panic!(
            "the batch hung after the server was killed:\n{}",
            setup.stderr("killed")
        )
    });
    let stderr = setup.stderr("killed");
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the listing of users is incomplete"),
        "{stderr}"
    );
    assert!(stderr.contains("--resume"), "{stderr}");
    let partial = outputs(&tree(&out));
    assert!(
        !partial.is_empty() && partial.len() < USERS,
        "the kill did not land mid-listing: {} written",
        partial.len()
    );
    assert_no_stray_files(&tree(&out));
    for name in partial.keys() {
        let i: usize = name["ios/bu".len()..name.len() - ".mobileconfig".len()]
            .parse()
            .unwrap();
        assert_complete_for(name, &partial[name], i);
    }

    server.restart().expect("restart slapd");
    let status = setup.run(&out, true, "resume", Duration::from_secs(60));
    assert_eq!(status.code(), Some(0), "{}", setup.stderr("resume"));
    let resumed = tree(&out);
    let report2 = report(&resumed);
    assert_eq!(report2["failed"], 0, "{report2}");
    assert_eq!(report2["users"], USERS, "{report2}");
    assert_eq!(report2["unchanged"], partial.len(), "{report2}");
    let resumed = outputs(&resumed);
    assert_eq!(resumed.len(), USERS);
    for (name, bytes) in &partial {
        assert!(resumed[name] == *bytes, "{name} was rewritten");
    }

    // Clean runs: listed in process, listed out of process, and from a list of ids.
    for (name, process, users) in [
        ("clean", false, false),
        ("process", true, false),
        ("ids", false, true),
    ] {
        setup.process = process;
        setup.users = users.then(|| {
            let path = dir.join("users.txt");
            let ids: Vec<String> = (0..USERS).map(user_id).collect();
            std::fs::write(&path, ids.join("\n") + "\n").unwrap();
            path
        });
        let clean = dir.join(name);
        let status = setup.run(&clean, false, name, Duration::from_secs(60));
        assert_eq!(status.code(), Some(0), "{}", setup.stderr(name));
        let clean = outputs(&tree(&clean));
        assert!(
            clean == resumed,
            "{name}: the outputs differ from the resumed run"
        );
    }
}

/// A server that stops answering without closing the connection (SIGSTOP: frozen, or a
/// dropped network path): lookups time out after `timeout_secs` instead of hanging, and work
/// again once it answers.
#[test]
fn a_frozen_server_times_out_then_recovers() {
    let Some(server) = Slapd::start() else { return };
    let resolver = LdapResolver::init(json!({
        "url": server.ldap_url(),
        "base_dn": BASE_DN,
        "bind_dn": BIND_DN,
        "bind_password_file": server.password_file(PASSWORD),
        "allow_plaintext_bind": true,
        "timeout_secs": 1,
        "retries": 1,
    }))
    .unwrap();
    // Connected, bound, and the NetBIOS name cached.
    assert!(resolver.resolve("avance").is_ok());
    server.signal("STOP");
    let (tx, rx) = mpsc::channel();
    let resolver = std::sync::Arc::new(resolver);
    let r = std::sync::Arc::clone(&resolver);
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(r.resolve("user1"));
    });
    let result = rx.recv_timeout(Duration::from_secs(20));
    let took = started.elapsed();
    server.signal("CONT");
    match result {
        Err(_) => panic!("a lookup against a frozen server still hangs after 20 s"),
        Ok(Err(ResolveError::Failed(m))) => {
            assert!(
                m.to_lowercase().contains("timeout") || m.to_lowercase().contains("timed out"),
                "{m}"
            );
        }
        Ok(other) => panic!("expected a timeout, got {other:?}"),
    }
    // The search (1 s), then the reconnect's bind twice (1 s each) with 100 ms between.
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Back: lookups succeed again once the hold after the failure is over.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match resolver.resolve("user1") {
            Ok(a) => {
                assert_eq!(a.primary_smtp_address.as_deref(), Some("user1@contoso.com"));
                break;
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => panic!("the resolver did not recover: {e}"),
        }
    }
}
