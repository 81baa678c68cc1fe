use std::path::{Path, PathBuf};
use std::process::Output;

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub(crate) fn emailprof() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_emailprof"));
    cmd.current_dir(root());
    cmd.env_remove("RUST_LOG");
    cmd
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The JSON lines of `--json` output.
pub(crate) fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stderr(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// `emailprof batch examples/minimal.yaml --platforms ios --quiet --directory DIR`, then `rest`.
pub(crate) fn minimal_ios_batch<'a>(
    dir: &Path,
    rest: impl IntoIterator<Item = &'a std::ffi::OsStr>,
) -> Output {
    emailprof()
        .args([
            "batch",
            "examples/minimal.yaml",
            "--platforms",
            "ios",
            "--quiet",
            "--directory",
        ])
        .arg(dir)
        .args(rest)
        .output()
        .unwrap()
}
