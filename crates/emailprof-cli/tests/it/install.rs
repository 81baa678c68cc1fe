//! What an installation takes from the binary: its version, shell completions, man pages.

use std::process::Command;

use crate::support::{emailprof, root, stderr, stdout};

/// The git revision of the checkout the test runs in, when it is emailprof's own repository
/// (what build.rs puts into the version).
fn checkout_revision() -> Option<String> {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(root())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let top = std::path::PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    (top.canonicalize().ok()? == root()).then_some(())?;
    git(&["rev-parse", "--short", "HEAD"])
}

#[test]
fn version_names_the_release_and_the_revision() {
    let out = emailprof().arg("--version").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = match checkout_revision() {
        Some(rev) => format!("emailprof {} ({rev})\n", env!("CARGO_PKG_VERSION")),
        None => format!("emailprof {}\n", env!("CARGO_PKG_VERSION")),
    };
    assert_eq!(stdout(&out), expected);
    assert_ne!(env!("CARGO_PKG_VERSION"), "0.0.0");
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = emailprof().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for sub in ["validate", "emit", "batch", "import", "completions", "man"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let out = emailprof().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The bash script, sourced into a real bash and called as bash calls a completion function
/// (command, current word, previous word), completes subcommands and flags.
#[test]
fn bash_completes_subcommands_and_flags() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: no bash");
        return;
    }
    let out = emailprof().args(["completions", "bash"]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("emailprof.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let complete = |words: &str, cword: usize| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; \
                 COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \
                 _emailprof emailprof \"${{COMP_WORDS[COMP_CWORD]}}\" \
                 \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let subs = complete("emailprof e", 1);
    let subs: Vec<&str> = subs.lines().collect();
    assert!(subs.contains(&"emit"), "{subs:?}");
    assert!(subs.contains(&"export"), "{subs:?}");
    assert!(!subs.contains(&"batch"), "{subs:?}");
    let flags = complete("emailprof emit --pla", 2);
    assert!(flags.lines().any(|l| l == "--platform"), "{flags}");
}

#[test]
fn man_pages_are_roff() {
    let out = emailprof().arg("man").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.lines().any(|l| l.starts_with(".TH emailprof 1 ")),
        "{page}"
    );
    assert!(page.contains(".SH NAME"), "{page}");
    assert!(page.contains("emailprof\\-emit(1)"), "{page}");

    let out = emailprof()
        .args(["man", "import", "intune"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with(".TH emailprof-import-intune 1 ")
                && l.contains(&format!("\"emailprof {}", env!("CARGO_PKG_VERSION")))),
        "{}",
        stdout(&out)
    );

    let out = emailprof().args(["man", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no man page for `nope`"),
        "{}",
        stderr(&out)
    );
}
