//! `cargo xtask bench`: batch throughput, signing and memory against their baselines, on this
//! machine, in one run. Writes `target/bench/results.md`; BENCHMARKS.md records a run.
//!
//! Baselines measured in the same run: (1) `bench/baseline.py`, the plistlib script
//! administrators write today; (2) `openssl speed` for the signature algorithm; (3) the
//! filesystem bound: writing and renaming the same bytes into as many files, with the same
//! number of threads, and no other work.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::codegen::workspace_root;

pub(crate) struct Measured {
    pub(crate) seconds: f64,
    pub(crate) max_rss_kib: i64,
}

/// Run `cmd` to completion and measure its wall time and peak RSS (wait4's rusage).
pub(crate) fn measure(cmd: &mut Command) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("starting {cmd:?}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for the kernel to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped (std only reaps in `wait`, which we never
    // call); `status` and `usage` are valid for writes.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    std::mem::forget(child);
    if rc != pid {
        bail!("wait4 failed for {cmd:?}");
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!("{cmd:?} failed with status {status}");
    }
    Ok(Measured {
        seconds,
        max_rss_kib: usage.ru_maxrss,
    })
}

/// Before a measured run: the previous run's output removed (freeing its pages is not part
/// of the next run) and everything written so far flushed to disk (so one run's write-back
/// does not land in the next).
pub(crate) fn settle(outputs: &[&Path]) {
    for p in outputs {
        if p.is_dir() {
            let _ = std::fs::remove_dir_all(p);
        } else {
            let _ = std::fs::remove_file(p);
        }
    }
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// `reps` settled runs of `run`: the median wall time, the highest peak RSS.
fn median_of(
    reps: usize,
    outputs: &[&Path],
    mut run: impl FnMut() -> anyhow::Result<Measured>,
) -> anyhow::Result<Measured> {
    let mut runs = Vec::new();
    for _ in 0..reps.max(1) {
        settle(outputs);
        runs.push(run()?);
    }
    Ok(median(runs))
}

/// The median wall time and the highest peak RSS of `runs` (not empty).
fn median(mut runs: Vec<Measured>) -> Measured {
    let max_rss_kib = runs.iter().map(|m| m.max_rss_kib).max().unwrap_or(0);
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    Measured {
        seconds: runs.get(runs.len() / 2).map_or(f64::NAN, |m| m.seconds),
        max_rss_kib,
    }
}

pub(crate) fn write_directory(path: &Path, users: usize) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        f,
        "userId,userPrincipalName,primarySmtpAddress,sAMAccountName,domainFqdn,netbiosName"
    )?;
    for i in 0..users {
        writeln!(
            f,
            "user{i},user{i}@contoso.com,first{i}.last@contoso.com,user{i},contoso.com,CONTOSO"
        )?;
    }
    f.flush()?;
    Ok(())
}

fn openssl_speed(alg: &str) -> anyhow::Result<f64> {
    let out = Command::new("openssl")
        .args(["speed", "-seconds", "3", alg])
        .stderr(std::process::Stdio::null())
        .output()
        .context("running openssl speed")?;
    let text = String::from_utf8_lossy(&out.stdout);
    // The result line: "rsa 2048 bits 0.000262s 0.000008s   3820.4 124766.9" (sign, verify,
    // sign/s, verify/s) or "256 bits ecdsa (nistp256)   0.0000s   0.0001s  55000.1  17000.2".
    for line in text.lines().rev() {
        let nums: Vec<f64> = line
            .split_whitespace()
            .filter_map(|w| w.parse::<f64>().ok())
            .collect();
        if line.contains("bits") && nums.len() >= 3 {
            return Ok(nums[nums.len() - 2]);
        }
    }
    bail!("could not read `openssl speed {alg}` output:\n{text}")
}

fn make_signer(dir: &Path, kind: &str) -> anyhow::Result<(PathBuf, PathBuf)> {
    let key = dir.join(format!("{kind}.key"));
    let cert = dir.join(format!("{kind}.pem"));
    let newkey = match kind {
        "rsa" => "rsa:2048",
        _ => "ec",
    };
    let mut cmd = Command::new("openssl");
    cmd.args([
        "req",
        "-x509",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=emailprof bench signer",
    ])
    .arg("-newkey")
    .arg(newkey);
    if kind == "p256" {
        cmd.args(["-pkeyopt", "ec_paramgen_curve:prime256v1"]);
    }
    let st = cmd
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()?;
    if !st.success() {
        bail!("openssl could not make a {kind} signing certificate");
    }
    Ok((cert, key))
}

/// The filesystem bound: `files` files of `bytes`, temp file + rename, `threads` threads; with
/// `durable`, ended by one `syncfs` as `batch` ends (the files are on disk when it returns).
fn filesystem_bound(
    dir: &Path,
    files: usize,
    bytes: &[u8],
    threads: usize,
    durable: bool,
) -> anyhow::Result<f64> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || {
                let mut i = t;
                while i < files {
                    let tmp = dir.join(format!(".tmp-{i}"));
                    let dst = dir.join(format!("user{i}.mobileconfig"));
                    if std::fs::write(&tmp, bytes)
                        .and_then(|()| std::fs::rename(&tmp, &dst))
                        .is_err()
                    {
                        return;
                    }
                    i += threads;
                }
            });
        }
    });
    if durable {
        use std::os::fd::AsRawFd;
        let d = std::fs::File::open(dir)?;
        // SAFETY: `d` is an open descriptor for the duration of the call.
        unsafe { libc::syncfs(d.as_raw_fd()) };
    }
    Ok(started.elapsed().as_secs_f64())
}

struct Row {
    what: String,
    users: usize,
    m: Measured,
}

pub(crate) fn bench(args: &[&String]) -> anyhow::Result<()> {
    let sizes: Vec<usize> = match args.iter().position(|a| *a == "--sizes") {
        Some(i) => args
            .get(i + 1)
            .context("--sizes N,N,...")?
            .split(',')
            .map(|s| s.parse::<usize>().context("--sizes takes numbers"))
            .collect::<Result<_, _>>()?,
        None => vec![10_000, 100_000, 1_000_000],
    };
    // Signed and Python runs above this size take long and add nothing: their rate per user
    // is flat.
    let slow_limit: usize = 100_000;
    let root = workspace_root();
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work)?;
    // Where the runs write: target/bench, or `--scratch DIR` (e.g. a tmpfs, to take the disk
    // out of the comparison).
    let scratch = match args.iter().position(|a| *a == "--scratch") {
        Some(i) => PathBuf::from(args.get(i + 1).context("--scratch DIR")?.as_str()),
        None => work.clone(),
    };
    std::fs::create_dir_all(&scratch)?;
    eprintln!("building the release binary");
    let st = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["build", "--release", "--locked", "--bin", "emailprof"])
        .status()?;
    if !st.success() {
        bail!("cargo build --release failed");
    }
    let bin = root.join("target/release/emailprof");
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (rsa_cert, rsa_key) = make_signer(&work, "rsa")?;
    let (ec_cert, ec_key) = make_signer(&work, "p256")?;
    eprintln!("openssl speed (3 s each)");
    let rsa_speed = openssl_speed("rsa2048")?;
    let ec_speed = openssl_speed("ecdsap256")?;

    // Cold start of a single emit, unsigned and signed (P-256): median of 31 runs.
    let cold_start = |signed: bool| -> anyhow::Result<f64> {
        let mut cold = Vec::new();
        for _ in 0..31 {
            let mut cmd = Command::new(&bin);
            cmd.current_dir(&root).args([
                "emit",
                "examples/minimal.yaml",
                "--platform",
                "ios",
                "--user",
                "user1",
                "--directory",
                "examples/directory.csv",
            ]);
            if signed {
                cmd.arg("--sign-cert")
                    .arg(&ec_cert)
                    .arg("--sign-key")
                    .arg(&ec_key);
            }
            cold.push(measure(&mut cmd)?.seconds);
        }
        cold.sort_by(f64::total_cmp);
        Ok(cold[cold.len() / 2] * 1000.0)
    };
    let cold_ms = cold_start(false)?;
    let cold_signed_ms = cold_start(true)?;

    let mut rows: Vec<Row> = Vec::new();
    let mut notes = String::new();
    for &n in &sizes {
        eprintln!("== {n} users");
        let dir_csv = work.join(format!("directory-{n}.csv"));
        write_directory(&dir_csv, n)?;
        // Runs up to 100,000 users are repeated (median of 3): this machine's page cache makes
        // single runs that write hundreds of MB vary by up to 2x.
        let reps = 3;
        // A million files take minutes a run: once.
        let file_reps = if n <= slow_limit { 3 } else { 1 };
        let out = scratch.join(format!("out-{n}"));
        let out_s = out.display().to_string();
        let jsonl_path = scratch.join(format!("out-{n}.jsonl"));
        let tar_path = scratch.join(format!("out-{n}.tar"));
        let jsonl = jsonl_path.display().to_string();
        let tar = tar_path.display().to_string();
        let outputs = [out.as_path(), jsonl_path.as_path(), tar_path.as_path()];
        let batch = |extra: &[&str]| -> anyhow::Result<Measured> {
            median_of(reps, &outputs, || {
                let mut cmd = Command::new(&bin);
                cmd.current_dir(&root)
                    .args(["batch", "examples/minimal.yaml", "--quiet", "--directory"])
                    .arg(&dir_csv)
                    .args(extra);
                measure(&mut cmd)
            })
        };
        // Emission throughput per platform, without a file per user.
        for platform in [
            "ios",
            "windows",
            "android-gmail",
            "android-outlook",
            "android-knox",
        ] {
            let m = batch(&["--platforms", platform, "--jsonl", &jsonl])?;
            rows.push(Row {
                what: format!("{platform}, --jsonl"),
                users: n,
                m,
            });
        }
        // One file per user and the filesystem bounds, interleaved run by run: this machine's
        // disk slows down for minutes after heavy metadata work (the same 100,000-file write
        // took from 3 to 55 s), so the runs compared must share the same minutes.
        let fs_dir = scratch.join(format!("fs-{n}"));
        let both = [out.as_path(), fs_dir.as_path()];
        let (mut ours, mut bound, mut bound_sync) = (Vec::new(), Vec::new(), Vec::new());
        let mut sample = Vec::new();
        for _ in 0..file_reps {
            settle(&both);
            ours.push(measure(
                Command::new(&bin)
                    .current_dir(&root)
                    .args(["batch", "examples/minimal.yaml", "--quiet", "--directory"])
                    .arg(&dir_csv)
                    .args(["--platforms", "ios", "--out", &out_s]),
            )?);
            // The bounds write the bytes of a real iOS artifact.
            sample = std::fs::read(out.join("ios/user0.mobileconfig"))?;
            for (durable, runs) in [(false, &mut bound), (true, &mut bound_sync)] {
                settle(&both);
                runs.push(Measured {
                    seconds: filesystem_bound(&fs_dir, n, &sample, threads, durable)?,
                    max_rss_kib: 0,
                });
            }
        }
        rows.push(Row {
            what: "ios, one file per user".into(),
            users: n,
            m: median(ours),
        });
        for (durable, runs) in [(false, bound), (true, bound_sync)] {
            rows.push(Row {
                what: format!(
                    "filesystem bound{} ({threads} threads, {} B files)",
                    if durable { " + syncfs" } else { "" },
                    sample.len()
                ),
                users: n,
                m: median(runs),
            });
        }
        settle(&both);
        let m = batch(&["--platforms", "ios", "--archive", &tar])?;
        rows.push(Row {
            what: "ios, --archive".into(),
            users: n,
            m,
        });
        if n <= slow_limit {
            for (label, cert, key) in [
                ("RSA-2048", &rsa_cert, &rsa_key),
                ("P-256", &ec_cert, &ec_key),
            ] {
                let m = batch(&[
                    "--platforms",
                    "ios",
                    "--jsonl",
                    &jsonl,
                    "--sign-cert",
                    &cert.display().to_string(),
                    "--sign-key",
                    &key.display().to_string(),
                    "--signing-time",
                    "2026-01-01T00:00:00Z",
                ])?;
                rows.push(Row {
                    what: format!("ios signed {label}, --jsonl"),
                    users: n,
                    m,
                });
            }
            let py = root.join("bench/baseline.py");
            // One run: it takes a minute at 100,000 users.
            let m = median_of(1, &outputs, || {
                measure(
                    Command::new("python3")
                        .arg(&py)
                        .arg(&dir_csv)
                        .arg("--out")
                        .arg(&out),
                )
            })?;
            rows.push(Row {
                what: "Python plistlib baseline, one file per user".into(),
                users: n,
                m,
            });
            let m = median_of(reps, &outputs, || {
                measure(
                    Command::new("python3")
                        .arg(&py)
                        .arg(&dir_csv)
                        .arg("--jsonl")
                        .arg(&jsonl),
                )
            })?;
            rows.push(Row {
                what: "Python plistlib baseline, JSON lines".into(),
                users: n,
                m,
            });
        } else {
            let _ = writeln!(
                notes,
                "- {n} users: signed and Python runs skipped (their per-user rate is flat; see the smaller sizes)."
            );
        }
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(&jsonl);
        let _ = std::fs::remove_file(&tar);
        let _ = std::fs::remove_file(&dir_csv);
    }

    let mut md = String::new();
    let _ = writeln!(md, "| run | users | wall s | profiles/s | peak RSS MiB |");
    let _ = writeln!(md, "|---|---:|---:|---:|---:|");
    for r in &rows {
        let rss = if r.m.max_rss_kib > 0 {
            format!("{:.1}", r.m.max_rss_kib as f64 / 1024.0)
        } else {
            "-".into()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {:.0} | {} |",
            r.what,
            r.users,
            r.m.seconds,
            r.users as f64 / r.m.seconds,
            rss
        );
    }
    let rate = |what: &str, n: usize| {
        rows.iter()
            .find(|r| r.what == what && r.users == n)
            .map(|r| r.users as f64 / r.m.seconds)
    };
    let _ = writeln!(md, "\nRatios (goal in brackets):\n");
    for &n in &sizes {
        for (bound, label) in [
            ("filesystem bound (", "filesystem bound"),
            (
                "filesystem bound + syncfs (",
                "filesystem bound + syncfs (same durability as batch)",
            ),
        ] {
            let fs = rows
                .iter()
                .find(|r| r.what.starts_with(bound) && r.users == n)
                .map(|r| r.users as f64 / r.m.seconds);
            if let (Some(ios), Some(fs)) = (rate("ios, one file per user", n), fs) {
                let _ = writeln!(
                    md,
                    "- {n} users: one file per user vs {label}: {:.2}x [>= 0.7]",
                    ios / fs
                );
            }
        }
        if let (Some(j), Some(py)) = (
            rate("ios, --jsonl", n),
            rate("Python plistlib baseline, JSON lines", n),
        ) {
            let _ = writeln!(
                md,
                "- {n} users: --jsonl unsigned iOS vs Python JSON lines: {:.1}x [>= 20]",
                j / py
            );
        }
        if let (Some(f), Some(py)) = (
            rate("ios, one file per user", n),
            rate("Python plistlib baseline, one file per user", n),
        ) {
            let _ = writeln!(
                md,
                "- {n} users: one file per user vs Python files: {:.1}x",
                f / py
            );
        }
        if let Some(s) = rate("ios signed RSA-2048, --jsonl", n) {
            let _ = writeln!(
                md,
                "- {n} users: signed RSA-2048 {:.0}/s = {:.2}x openssl speed x {threads} cores ({rsa_speed:.0}/s/core) [>= 0.8]",
                s,
                s / (rsa_speed * threads as f64)
            );
        }
        if let Some(s) = rate("ios signed P-256, --jsonl", n) {
            let _ = writeln!(
                md,
                "- {n} users: signed P-256 {:.0}/s = {:.2}x openssl speed x {threads} cores ({ec_speed:.0}/s/core) [>= 0.8]",
                s,
                s / (ec_speed * threads as f64)
            );
        }
    }
    for platform in ["ios", "android-gmail"] {
        let rss: Vec<String> = rows
            .iter()
            .filter(|r| r.what == format!("{platform}, --jsonl"))
            .map(|r| format!("{:.1} MiB at {}", r.m.max_rss_kib as f64 / 1024.0, r.users))
            .collect();
        let _ = writeln!(
            md,
            "- peak RSS, {platform} --jsonl: {} [< 100 MiB at 1,000,000, flat from 10,000]",
            rss.join(", ")
        );
    }
    let _ = writeln!(
        md,
        "- single `emailprof emit` cold start: median {cold_ms:.1} ms of 31 runs, signed (P-256) {cold_signed_ms:.1} ms [< 20 ms]"
    );
    let _ = writeln!(
        md,
        "- openssl speed: RSA-2048 {rsa_speed:.0} sign/s, P-256 {ec_speed:.0} sign/s (one core)"
    );
    md.push_str(&notes);
    if scratch != work {
        let _ = writeln!(md, "- outputs written to {}", scratch.display());
    }
    let path = work.join("results.md");
    std::fs::write(&path, &md)?;
    println!("{md}");
    eprintln!("wrote {}", path.display());
    Ok(())
}
