//! Log output: colour escapes only for a terminal, and never with NO_COLOR set.

use std::io::Write;
use std::process::Command;

use crate::support::{emailprof, root, stderr};

const ESC: &str = "\x1b[";

#[test]
fn logs_to_a_pipe_carry_no_colour() {
    let out = emailprof()
        .args(["-v", "validate", "examples/minimal.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains(ESC), "{:?}", stderr(&out));

    // A command that does log at -v, so the check above is not one of silence.
    let dir = tempfile::tempdir().unwrap();
    let out = emailprof()
        .args(["-v", "emit", "examples/minimal.yaml", "--user", "user1"])
        .args(["--directory", "examples/directory.csv"])
        .args(["--platform", "ios", "-o"])
        .arg(dir.path().join("minimal.mobileconfig"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("DEBUG directory loaded"), "{err:?}");
    assert!(!err.contains(ESC), "{err:?}");
}

/// At a terminal (a pseudo-terminal from util-linux `script`): colour, unless NO_COLOR is set
/// to something non-empty.
#[cfg(target_os = "linux")]
#[test]
fn logs_to_a_terminal_are_coloured_unless_no_color() {
    if Command::new("script").arg("--version").output().is_err() {
        let _ = writeln!(
            std::io::stderr(),
            "\n======== SKIP: no `script` (util-linux) to give the binary a terminal ========\n"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let command = format!(
        "'{}' -v emit examples/minimal.yaml --user user1 --directory examples/directory.csv --platform ios -o '{}'",
        env!("CARGO_BIN_EXE_emailprof"),
        dir.path().join("minimal.mobileconfig").display()
    );
    let at_terminal = |no_color: Option<&str>| {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &command, "/dev/null"])
            .current_dir(root())
            .env_remove("RUST_LOG")
            .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        // `script` copies the terminal (stdout and stderr both) to its stdout.
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.contains("directory loaded"), "{text:?}");
        text
    };
    assert!(at_terminal(None).contains(ESC));
    assert!(at_terminal(Some("")).contains(ESC));
    assert!(!at_terminal(Some("1")).contains(ESC));
}
