//! Signatures per second of `sign` (CMS included), release build, against `openssl speed`:
//! `cargo test --release -p emailprof-sign --test it -- --ignored --nocapture bench`.
//! Rates are per CPU-second of the signing threads (as `openssl speed` counts user CPU time),
//! so that other work on the machine does not lower them; best of several rounds.

use std::time::{Duration, Instant, UNIX_EPOCH};

use emailprof_sign::{SigningIdentity, sign};

use crate::pki::{Algo, Pki};

/// About the size of an unsigned minimal profile.
fn content() -> Vec<u8> {
    let mut c =
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n".to_vec();
    while c.len() < 2200 {
        c.extend_from_slice(b"\t<key>PayloadDisplayName</key>\n\t<string>Contoso</string>\n");
    }
    c.extend_from_slice(b"</dict>\n</plist>\n");
    c
}

/// CPU time of the calling thread (Linux `schedstat`: nanoseconds on the CPU).
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    let ns: u64 = text.split_whitespace().next().unwrap().parse().unwrap();
    Duration::from_nanos(ns)
}

/// Signatures per CPU-second over `threads` threads, and per wall-second.
fn rate(id: &SigningIdentity, content: &[u8], n: usize, threads: usize) -> (f64, f64) {
    let time = UNIX_EPOCH + Duration::from_secs(1_767_323_045);
    let (mut best_cpu, mut best_wall) = (0f64, 0f64);
    for _ in 0..3 {
        let t = Instant::now();
        let cpu: Duration = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let start = thread_cpu();
                        for _ in 0..n / threads {
                            assert!(sign(content, id, time).unwrap().len() > content.len());
                        }
                        thread_cpu() - start
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        });
        let wall = t.elapsed();
        best_cpu = best_cpu.max(n as f64 / cpu.as_secs_f64());
        best_wall = best_wall.max(n as f64 / wall.as_secs_f64());
    }
    (best_cpu, best_wall)
}

#[test]
#[ignore = "benchmark; run in release"]
fn bench_signing() {
    let content = content();
    for (algo, n) in [(Algo::Rsa, 6_000), (Algo::P256, 100_000)] {
        let pki = Pki::new(algo);
        let id = pki.identity();
        let (one, one_wall) = rate(&id, &content, n, 1);
        let (two, two_wall) = rate(&id, &content, n, 2);
        println!(
            "{algo:?}: sign() of {} bytes: {one:.0}/s per core on 1 thread, {two:.0}/s per core on 2 threads (wall clock: {one_wall:.0}/s and {two_wall:.0}/s)",
            content.len()
        );
    }
}
