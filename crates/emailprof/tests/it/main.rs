//! The library's API, used as an integrator would: one user at a time and as a batch, with
//! the same bytes either way.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use base64::Engine;
use emailprof::batch::{self, BatchConfig, Output, Users};
use emailprof::{EmitRequest, MaterialReader, UserSource, emit_user, profile};
use emailprof_core::{EmitOptions, Format, ValidationOptions};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn load(name: &str) -> emailprof::LoadedProfile {
    let bytes = std::fs::read(examples().join(name)).unwrap();
    profile::load(
        &bytes,
        Format::Yaml,
        ValidationOptions::default(),
        examples(),
    )
    .unwrap_or_else(|f| panic!("{f:?}"))
    .0
}

struct Counting(AtomicU64);

impl batch::Progress for Counting {
    fn tick(&self, done: u64, _total: Option<u64>, _failed: u64) {
        self.0.store(done, Ordering::Relaxed);
    }
}

#[test]
fn a_batch_writes_what_one_user_emissions_give() {
    let loaded = load("minimal.yaml");
    let directory = examples().join("directory.csv");
    let tmp = tempfile::tempdir().unwrap();
    let jsonl = tmp.path().join("all.jsonl");
    let config = BatchConfig {
        reader: MaterialReader::plain(&loaded.base_dir),
        profile: loaded.clone(),
        platforms: vec!["ios".into(), "windows".into()],
        users: Users::Directory(Some(directory.clone())),
        shard: None,
        output: Output::Jsonl(jsonl.clone()),
        report: None,
        min_os_version: None,
        include_password: false,
        signer: None,
        jobs: 2,
        interrupted: Arc::new(AtomicBool::new(false)),
        strict: false,
        prune: false,
    };
    let progress = Counting(AtomicU64::new(0));
    let report = batch::run(config, &progress).unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert!(report.fatal.is_none() && !report.interrupted);
    assert_eq!(progress.0.load(Ordering::Relaxed), report.users);
    assert_eq!(report.written, report.users * 2);
    assert!(report.report_path.exists());

    let users = UserSource::directory(Some(&directory)).unwrap();
    let reader = MaterialReader::plain(&loaded.base_dir);
    let text = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(text.lines().count() as u64, report.written);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let request = EmitRequest {
            platform: v["platform"].as_str().unwrap(),
            users: &users,
            user: v["user"].as_str(),
            options: EmitOptions::default(),
        };
        let one = emit_user(&loaded, &request, &reader).unwrap();
        let content = v["content"].as_str().unwrap();
        let bytes = match v["encoding"].as_str() {
            Some("utf-8") => content.as_bytes().to_vec(),
            _ => base64::engine::general_purpose::STANDARD
                .decode(content)
                .unwrap(),
        };
        assert_eq!(bytes, one.emission.artifacts[0].bytes, "{line}");
    }
}

#[test]
fn errors_say_whose_fault_they_are() {
    let loaded = load("minimal.yaml");
    let users = UserSource::directory(None).unwrap();
    let reader = MaterialReader::plain(&loaded.base_dir);
    let request = |platform, user| EmitRequest {
        platform,
        users: &users,
        user,
        options: EmitOptions::default(),
    };
    let unknown =
        emit_user(&loaded, &request("nokia", Some("user1")), &reader).expect_err("an error");
    assert!(unknown.is_invalid());
    assert!(
        unknown.to_string().contains("unknown platform `nokia`"),
        "{unknown}"
    );
    let missing =
        emit_user(&loaded, &request("ios", Some("nobody")), &reader).expect_err("an error");
    assert!(missing.is_invalid(), "{missing:?}");
    let no_user = emit_user(&loaded, &request("ios", None), &reader).expect_err("an error");
    assert!(no_user.to_string().contains("which user?"), "{no_user}");
}

#[test]
fn a_contained_reader_reads_nothing_outside_its_root_and_no_secrets() {
    let reader = MaterialReader::contained(examples());
    assert!(reader.allows("certs/smime.p12"));
    assert!(!reader.allows("../Cargo.toml"));
    assert!(!reader.allows("/etc/passwd"));
    let mut contoso = load("contoso.yaml");
    assert!(reader.check_profile(&contoso.profile).is_ok());
    let smime = contoso.profile.certificates.get_mut("smime").unwrap();
    smime.pkcs12.as_mut().unwrap().file = "../Cargo.toml".into();
    let refused = reader.check_profile(&contoso.profile).unwrap_err();
    assert!(refused.contains("not found or not allowed"), "{refused}");
    assert!(reader.materials(&contoso.profile, false).is_err());
    assert!(
        MaterialReader::plain(examples())
            .check_profile(&contoso.profile)
            .is_ok()
    );
}
