//! `cargo xtask bench --sources`: the same batch from a CSV directory and from Microsoft Entra
//! ID exports of the same users (Graph pages as JSON lines, and one single page), run
//! interleaved (CSV, Entra, CSV, Entra, …) so that the runs compared share the same minutes
//! of a shared machine. Reports users/s (median, min and max of the runs) and peak RSS per
//! size. Writes `target/bench/sources.md`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::bench::{Measured, measure, settle, write_directory};
use crate::codegen::workspace_root;

/// Users per Graph page: the largest `$top` of List users.
const PAGE: usize = 999;

/// The users of `write_directory`, as Graph users with the `$select` the README gives.
fn graph_user(f: &mut impl std::io::Write, i: usize) -> std::io::Result<()> {
    write!(
        f,
        "{{\"id\":\"{:08x}-0000-4000-8000-{:012x}\",\"userPrincipalName\":\"user{i}@contoso.com\",\"mail\":\"user{i}@contoso.com\",\"proxyAddresses\":[\"smtp:user{i}@contoso.onmicrosoft.com\",\"SMTP:first{i}.last@contoso.com\"],\"onPremisesSamAccountName\":\"user{i}\",\"onPremisesDomainName\":\"contoso.com\",\"onPremisesUserPrincipalName\":\"user{i}@contoso.com\"}}",
        i, i
    )
}

const CONTEXT: &str = "https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,mail,proxyAddresses,onPremisesSamAccountName,onPremisesDomainName,onPremisesUserPrincipalName)";

/// Graph pages of `PAGE` users, one per line, as a paging loop writes them.
fn write_pages(path: &Path, users: usize) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut i = 0;
    while i < users {
        write!(f, "{{\"@odata.context\":\"{CONTEXT}\",")?;
        let end = (i + PAGE).min(users);
        if end < users {
            write!(
                f,
                "\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/users?$top={PAGE}&$skiptoken=X{end}\","
            )?;
        }
        f.write_all(b"\"value\":[")?;
        for j in i..end {
            if j > i {
                f.write_all(b",")?;
            }
            graph_user(&mut f, j)?;
        }
        f.write_all(b"]}\n")?;
        i = end;
    }
    f.flush()?;
    Ok(())
}

/// One Graph page holding every user (one user per line, as a pretty-printer would).
fn write_single_page(path: &Path, users: usize) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "{{\"@odata.context\":\"{CONTEXT}\",\"value\":[")?;
    for i in 0..users {
        if i > 0 {
            f.write_all(b",\n")?;
        }
        graph_user(&mut f, i)?;
    }
    f.write_all(b"\n]}\n")?;
    f.flush()?;
    Ok(())
}

fn sizes(args: &[&String]) -> anyhow::Result<Vec<usize>> {
    Ok(match args.iter().position(|a| *a == "--sizes") {
        Some(i) => args
            .get(i + 1)
            .context("--sizes N,N,...")?
            .split(',')
            .map(|s| s.parse::<usize>().context("--sizes takes numbers"))
            .collect::<Result<_, _>>()?,
        None => vec![10_000, 100_000, 1_000_000],
    })
}

/// users/s of each run.
fn rates(users: usize, runs: &[Measured]) -> Vec<f64> {
    let mut r: Vec<f64> = runs.iter().map(|m| users as f64 / m.seconds).collect();
    r.sort_by(f64::total_cmp);
    r
}

pub(crate) fn bench_sources(args: &[&String]) -> anyhow::Result<()> {
    let sizes = sizes(args)?;
    let root = workspace_root();
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work)?;
    eprintln!("building the release binary");
    let st = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["build", "--release", "--locked", "--bin", "emailprof"])
        .status()?;
    if !st.success() {
        bail!("cargo build --release failed");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let bin = target.join("release/emailprof");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    let mut md = String::new();
    let _ = writeln!(
        md,
        "| source | users | runs | users/s median | min | max | vs CSV (median) | peak RSS MiB |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|");
    let sources = ["CSV", "Entra ID, JSON lines pages", "Entra ID, one page"];
    for &n in &sizes {
        eprintln!("== {n} users");
        let files: [PathBuf; 3] = [
            work.join(format!("sources-{n}.csv")),
            work.join(format!("sources-{n}.jsonl")),
            work.join(format!("sources-{n}.json")),
        ];
        write_directory(&files[0], n)?;
        write_pages(&files[1], n)?;
        write_single_page(&files[2], n)?;
        let jsonl = work.join(format!("sources-out-{n}.jsonl"));
        let reps = if n >= 1_000_000 { 3 } else { 9 };
        let mut runs: [Vec<Measured>; 3] = Default::default();
        for _ in 0..reps {
            for (file, runs) in files.iter().zip(runs.iter_mut()) {
                settle(&[jsonl.as_path()]);
                let mut cmd = Command::new(&bin);
                cmd.current_dir(&root)
                    .args([
                        "batch",
                        "examples/minimal.yaml",
                        "--quiet",
                        "--platforms",
                        "ios",
                    ])
                    .arg("--directory")
                    .arg(file)
                    .arg("--jsonl")
                    .arg(&jsonl);
                if file.extension().is_some_and(|e| e != "csv") {
                    cmd.args(["--netbios", "contoso.com=CONTOSO"]);
                }
                runs.push(measure(&mut cmd)?);
            }
        }
        let csv_median = rates(n, &runs[0])[reps / 2];
        for (name, runs) in sources.iter().zip(&runs) {
            let r = rates(n, runs);
            let rss = runs.iter().map(|m| m.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0;
            let _ = writeln!(
                md,
                "| {name} | {n} | {reps} | {:.0} | {:.0} | {:.0} | {:.2}x | {rss:.1} |",
                r[reps / 2],
                r[0],
                r[reps - 1],
                r[reps / 2] / csv_median
            );
        }
        for f in files.iter().chain([&jsonl]) {
            let _ = std::fs::remove_file(f);
        }
    }
    let _ = writeln!(
        md,
        "\nProfile examples/minimal.yaml, `batch --platforms ios --jsonl`, {} threads; Entra ID runs with `--netbios contoso.com=CONTOSO`; runs interleaved CSV, pages, page. Load average before: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load.trim()
    );
    let path = work.join("sources.md");
    std::fs::write(&path, &md)?;
    println!("{md}");
    eprintln!("wrote {}", path.display());
    Ok(())
}
