//! Per-profile cost of `emit` and of a prepared `emit_user`, release build:
//! `cargo test --release -p emailprof-ios --test it -- --ignored --nocapture bench`.
//! Times are CPU time of the measuring thread, so that other work on the machine inflates them
//! least; best of several rounds.

use std::time::Duration;

use emailprof_core::{EmailProfile, EmitOptions, Emitter, UserIdentity};
use emailprof_ios::IosEmitter;

use crate::common::{profile, resolve};

fn users(n: usize) -> Vec<UserIdentity> {
    (0..n)
        .map(|i| UserIdentity {
            user_id: format!("user{i}"),
            username: format!("user{i}@contoso.com"),
            email_address: format!("first.last{i}@contoso.com"),
            account: None,
            domain: None,
            user_principal_name: None,
        })
        .collect()
}

/// CPU time of the calling thread (Linux `schedstat`: nanoseconds on the CPU).
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    let ns: u64 = text.split_whitespace().next().unwrap().parse().unwrap();
    Duration::from_nanos(ns)
}

fn best(rounds: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut bytes = 0;
    for _ in 0..rounds {
        let t = thread_cpu();
        bytes = f();
        best = best.min(thread_cpu() - t);
    }
    (best, bytes)
}

fn measure(name: &str, p: EmailProfile) {
    let options = EmitOptions::default();
    let mut base = resolve(p);
    let users = users(20_000);
    let n = users.len() as f64;
    let (direct, direct_bytes) = best(5, || {
        let mut total = 0;
        for u in &users {
            base.user = u.clone();
            let e = IosEmitter.emit(&base, &options).unwrap();
            total += e.artifacts[0].bytes.len();
        }
        total
    });
    let prepared = IosEmitter.prepare(&base, &options).unwrap();
    let (fast, fast_bytes) = best(5, || {
        let mut total = 0;
        for u in &users {
            let e = prepared.emit_user(u).unwrap();
            total += e.artifacts[0].bytes.len();
        }
        total
    });
    assert_eq!(direct_bytes, fast_bytes);
    let us = |d: Duration| d.as_secs_f64() * 1e6 / n;
    println!(
        "{name}: emit {:.2} µs/profile, prepared emit_user {:.2} µs/profile ({:.0}/s on one core; {:.0} bytes/profile)",
        us(direct),
        us(fast),
        n / fast.as_secs_f64(),
        fast_bytes as f64 / n
    );
}

#[test]
#[ignore = "benchmark; run in release"]
fn bench_emit_vs_prepared() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/minimal.yaml");
    let bytes = std::fs::read(path).unwrap();
    let report = emailprof_core::load(
        &bytes,
        emailprof_core::Format::Yaml,
        emailprof_core::ValidationOptions::default(),
    )
    .unwrap();
    measure("examples/minimal.yaml", report.profile.unwrap());
    measure("tests/data/full.yaml", profile("full.yaml"));
}
