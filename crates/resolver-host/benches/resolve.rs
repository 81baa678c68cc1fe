//! Resolutions per second over 10,000 synthetic users, for the three ways emailprof gets
//! attributes: the built-in directory file, the directory plugin in process (C ABI + JSON),
//! and the same plugin out of process (stdio JSON lines). Plain std timing; run with
//! `cargo bench -p resolver-host --bench resolve`.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use emailprof_attributes::AttributeResolver;
use emailprof_directory::{Directory, DirectoryFileResolver, DirectoryFormat};
use resolver_host::{LoadOptions, ProcessResolver, load_library};

#[allow(dead_code)]
#[path = "../tests/it/support.rs"]
mod support;

const USERS: usize = 10_000;

fn measure(label: &str, ids: &[String], f: impl Fn() -> usize) {
    // One warm-up round, then the best of three.
    assert_eq!(f(), ids.len(), "{label}: every user resolves");
    let best = (0..3)
        .map(|_| {
            let started = Instant::now();
            let n = f();
            assert_eq!(n, ids.len());
            started.elapsed()
        })
        .min()
        .unwrap_or(Duration::MAX);
    let rate = ids.len() as f64 / best.as_secs_f64();
    println!(
        "{label:<48} {rate:>12.0} resolutions/s  ({best:.2?} for {})",
        ids.len()
    );
}

fn ok_count(
    results: Vec<
        Result<emailprof_attributes::DirectoryAttributes, emailprof_attributes::ResolveError>,
    >,
) -> usize {
    results.iter().filter(|r| r.is_ok()).count()
}

fn main() {
    // `cargo test --benches` runs this with --bench absent; keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("resolve benchmark: run with `cargo bench -p resolver-host --bench resolve`");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let csv_path = dir.path().join("users.csv");
    let mut csv = String::from(
        "userId,userPrincipalName,primarySmtpAddress,sAMAccountName,domainFqdn,netbiosName\n",
    );
    for i in 0..USERS {
        let _ = writeln!(
            csv,
            "user{i},user{i}@contoso.com,first{i}.last@contoso.com,user{i},contoso.com,CONTOSO"
        );
    }
    std::fs::write(&csv_path, &csv).expect("write users.csv");
    let ids: Vec<String> = (0..USERS).map(|i| format!("user{i}")).collect();
    let config = serde_json::json!({"path": csv_path, "format": "csv"});

    let artifacts = support::build(true);
    println!("{USERS} synthetic users, release build, best of 3\n");

    let builtin = DirectoryFileResolver::new(
        Directory::parse(csv.as_bytes(), DirectoryFormat::Csv).expect("parse"),
        "users.csv",
    );
    measure("built-in directory file, per user", &ids, || {
        ids.iter().filter(|id| builtin.resolve(id).is_ok()).count()
    });

    let library = load_library(
        artifacts.lib("emailprof-resolver-directory"),
        &config,
        &LoadOptions::default(),
    )
    .expect("load the directory plugin");
    measure("in-process plugin, per user (one call each)", &ids, || {
        ids.iter().filter(|id| library.resolve(id).is_ok()).count()
    });
    measure("in-process plugin, batch (one call)", &ids, || {
        ok_count(library.resolve_batch(&ids))
    });

    let process = ProcessResolver::spawn(
        Command::new(artifacts.bin("emailprof-resolver-directory")),
        config,
        Duration::from_secs(30),
    )
    .expect("start the directory plugin");
    measure(
        "out-of-process plugin, per user (one message each)",
        &ids,
        || ids.iter().filter(|id| process.resolve(id).is_ok()).count(),
    );
    measure(
        "out-of-process plugin, batch (256 ids per message)",
        &ids,
        || ok_count(process.resolve_batch(&ids)),
    );
}
