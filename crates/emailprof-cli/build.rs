//! Puts the git revision into `emailprof --version` when built from a checkout:
//! `EMAILPROF_VERSION` is `0.1.0 (abc1234)`, or just `0.1.0` where there is no git or no
//! repository (a packaged source tree, a crates.io-style tarball). Never fails the build.

use std::path::Path;
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    println!("cargo:rerun-if-changed=build.rs");
    let full = match own_checkout(&dir).then(|| git(&dir, &["rev-parse", "--short", "HEAD"])) {
        Some(Some(rev)) => {
            watch_head(&dir);
            format!("{version} ({rev})")
        }
        _ => version,
    };
    println!("cargo:rustc-env=EMAILPROF_VERSION={full}");
}

/// Whether the enclosing repository is this workspace's own, not one that merely contains an
/// unpacked source tree (a distribution's packaging repository): its top level is the workspace
/// root, two levels above this crate.
fn own_checkout(dir: &str) -> bool {
    let Some(top) = git(dir, &["rev-parse", "--show-toplevel"]) else {
        return false;
    };
    let root = Path::new(dir).join("../..");
    match (std::fs::canonicalize(top), std::fs::canonicalize(root)) {
        (Ok(top), Ok(root)) => top == root,
        _ => false,
    }
}

/// Rebuild when HEAD moves: a checkout changes `HEAD`, a commit changes the branch's ref (a
/// loose file, or `packed-refs` after a `git gc`). `--git-path` resolves both inside linked
/// worktrees too. Only existing files are named: Cargo reruns the script on every build for a
/// path that does not exist.
fn watch_head(dir: &str) {
    let mut paths = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(r) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        paths.push(r);
    }
    for p in paths {
        if let Some(file) = git(dir, &["rev-parse", "--git-path", &p]) {
            let file = Path::new(dir).join(file);
            if file.exists() {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
    }
}

/// One line of `git` output, or `None` when git is missing, fails, or prints nothing.
fn git(dir: &str, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let line = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!line.is_empty()).then_some(line)
}
