//! `cargo xtask <task>`: project automation, in Rust (matklad's xtask pattern).
//!
//! Generated files are committed and kept fresh by tests that run the generators in check mode.

mod bench;
mod bench_ldap;
mod bench_sources;
mod codegen;
mod deploy;
#[cfg(test)]
mod deps;
#[cfg(test)]
mod editor;
#[cfg(test)]
mod structure;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [--check]

tasks:
  schemas       write schemas/*.schema.json (the profile and the resolver protocol)
  docs          write docs/capabilities.md and docs/settings.md
  codegen       all of the above
  completions   write shell completions to target/dist/completions (or DIR given as 2nd arg)
  man           write man pages to target/dist/man (or DIR given as 2nd arg)
  dist-assets   write what the Debian package installs besides binaries (gzipped man
                pages, completions) to <target dir>/release/assets (or DIR given as 2nd arg)
  bench         measure batch throughput, signing, memory and cold start against the
                baselines (--sizes 10000,100000,1000000; --scratch DIR to write the
                runs' output there, e.g. a tmpfs); writes target/bench/results.md.
                --sources: CSV vs Microsoft Entra ID exports of the same users,
                interleaved; writes target/bench/sources.md
  bench-ldap    the LDAP resolver against one paged ldapsearch of the same users on a
                throwaway slapd: listing and --users batches (--users 20000, --rounds 5)

--check: do not write; fail if a committed file is stale.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let rest: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let mode = if check {
        codegen::Mode::Check
    } else {
        codegen::Mode::Write
    };
    let result = match rest.first().map(|s| s.as_str()) {
        Some("schemas") => codegen::schemas(mode),
        Some("docs") => codegen::docs(mode),
        Some("codegen") => codegen::schemas(mode).and_then(|()| codegen::docs(mode)),
        Some("completions") => codegen::completions(dist(rest.get(1), "completions")),
        Some("man") => codegen::man(dist(rest.get(1), "man")),
        Some("dist-assets") => codegen::dist_assets(rest.get(1).map(PathBuf::from)),
        Some("bench") if args.iter().any(|a| a == "--sources") => {
            bench_sources::bench_sources(&args.iter().collect::<Vec<_>>())
        }
        Some("bench") => bench::bench(&args.iter().collect::<Vec<_>>()),
        Some("bench-ldap") => bench_ldap::bench_ldap(&args.iter().collect::<Vec<_>>()),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dist(arg: Option<&&String>, sub: &str) -> PathBuf {
    arg.map(PathBuf::from)
        .unwrap_or_else(|| codegen::workspace_root().join("target/dist").join(sub))
}
