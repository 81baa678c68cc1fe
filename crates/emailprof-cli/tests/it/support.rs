//! What every test module shares: the `emailprof` command lines under construction ([`Cli`]),
//! the checks on how a run ended, and the readers of what it printed or wrote. A test states
//! only what differs from the common command line, so the command lines read as in the docs.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

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

/// The `--json` lines of one kind (`finding`, `diagnostic`, ...).
pub(crate) fn json_lines_of(o: &Output, kind: &str) -> Vec<serde_json::Value> {
    json_lines(o)
        .into_iter()
        .filter(|l| l["kind"] == kind)
        .collect()
}

/// One `emailprof` command line: global flags (placed before the subcommand, as a user types
/// them), the subcommand's words in the order given, and the process's environment and stdin.
pub(crate) struct Cli {
    cmd: assert_cmd::Command,
    global: Vec<OsString>,
    args: Vec<OsString>,
}

/// `emailprof ARGS...`
pub(crate) fn cli<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Cli {
    Cli {
        cmd: emailprof(),
        global: Vec::new(),
        args: Vec::new(),
    }
    .args(args)
}

/// `emailprof emit PROFILE --platform PLATFORM`
pub(crate) fn emit(profile: impl AsRef<OsStr>, platform: &str) -> Cli {
    cli(["emit"]).arg(profile).args(["--platform", platform])
}

/// `emailprof batch PROFILE --platforms PLATFORMS`
pub(crate) fn batch(profile: &str, platforms: &str) -> Cli {
    cli(["batch", profile, "--platforms", platforms])
}

/// `emailprof batch examples/minimal.yaml --platforms ios --quiet`: the smallest batch, for
/// tests about users, output sinks and failures rather than artifacts.
pub(crate) fn minimal_ios_batch() -> Cli {
    batch("examples/minimal.yaml", "ios").quiet()
}

/// `emailprof import KIND FILE`
pub(crate) fn import(kind: &str, file: impl AsRef<OsStr>) -> Cli {
    cli(["import", kind]).arg(file)
}

impl Cli {
    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Cli {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub(crate) fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Cli {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// `FLAG VALUE`
    pub(crate) fn flag(self, flag: &str, value: impl AsRef<OsStr>) -> Cli {
        self.arg(flag).arg(value)
    }

    /// `--user ID`
    pub(crate) fn user(self, id: &str) -> Cli {
        self.flag("--user", id)
    }

    /// `--directory FILE`
    pub(crate) fn directory(self, file: impl AsRef<OsStr>) -> Cli {
        self.flag("--directory", file)
    }

    /// `--out PATH`
    pub(crate) fn out(self, path: impl AsRef<OsStr>) -> Cli {
        self.flag("--out", path)
    }

    /// `--quiet`
    pub(crate) fn quiet(self) -> Cli {
        self.arg("--quiet")
    }

    /// `--resolver LIBRARY --resolver-config FILE`
    pub(crate) fn resolver(self, library: impl AsRef<OsStr>, config: impl AsRef<OsStr>) -> Cli {
        self.flag("--resolver", library)
            .flag("--resolver-config", config)
    }

    /// `--sign-cert CERT --sign-key KEY`
    pub(crate) fn signed_with(self, cert: impl AsRef<OsStr>, key: impl AsRef<OsStr>) -> Cli {
        self.flag("--sign-cert", cert).flag("--sign-key", key)
    }

    /// A global flag, placed before the subcommand.
    pub(crate) fn global(mut self, flag: &str) -> Cli {
        self.global.push(flag.into());
        self
    }

    /// `--json` (log lines as JSON on stderr).
    pub(crate) fn json(self) -> Cli {
        self.global("--json")
    }

    /// `-vv` with `RUST_LOG=trace`: everything the program can log.
    pub(crate) fn tracing(self) -> Cli {
        self.global("-vv").env("RUST_LOG", "trace")
    }

    pub(crate) fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Cli {
        self.cmd.env(key, value);
        self
    }

    pub(crate) fn env_remove(mut self, key: &str) -> Cli {
        self.cmd.env_remove(key);
        self
    }

    /// Run in `dir` instead of the workspace root (relative paths of a profile read from
    /// stdin resolve from here).
    pub(crate) fn current_dir(mut self, dir: impl AsRef<Path>) -> Cli {
        self.cmd.current_dir(dir);
        self
    }

    pub(crate) fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Cli {
        self.cmd.write_stdin(bytes.into());
        self
    }

    pub(crate) fn timeout(mut self, limit: Duration) -> Cli {
        self.cmd.timeout(limit);
        self
    }

    /// `emit` and `batch` need a source of users since issue 15; tests that are not about
    /// where users come from read the shipped example directory, as a user would name it.
    fn with_default_users(mut self) -> Cli {
        let sub = self.args.first().and_then(|a| a.to_str()).unwrap_or("");
        let named = self.args.iter().any(|a| {
            matches!(
                a.to_str(),
                Some("--directory" | "--resolver" | "--placeholders")
            )
        });
        if matches!(sub, "emit" | "batch") && !named {
            self.args.push("--directory".into());
            self.args.push(root().join("examples/directory.csv").into());
        }
        self
    }

    /// Run it, whatever the exit code.
    pub(crate) fn output(self) -> Output {
        let mut this = self.with_default_users();
        let shown = this.to_string();
        let (global, args) = (
            std::mem::take(&mut this.global),
            std::mem::take(&mut this.args),
        );
        this.cmd
            .args(&global)
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("{shown}: {e}"))
    }

    /// Run it and check that it exits with `code`; the message shows the command line and
    /// what it wrote to stderr.
    pub(crate) fn code(self, code: i32) -> Output {
        let shown = self.to_string();
        let o = self.output();
        assert_exit(&o, code, &shown);
        o
    }

    /// Run it and check that it succeeds.
    pub(crate) fn success(self) -> Output {
        self.code(0)
    }
}

impl std::fmt::Display for Cli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("emailprof")?;
        for a in self.global.iter().chain(&self.args) {
            write!(f, " {}", a.to_string_lossy())?;
        }
        Ok(())
    }
}

/// The run exited with `code`; otherwise fail showing `what` and the run's stderr.
pub(crate) fn assert_exit(o: &Output, code: i32, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}: exit code {:?}, want {code}\n{}",
        o.status.code(),
        stderr(o)
    );
}

/// The `emailprof-report.json` a batch writes into its `--out` directory.
pub(crate) fn batch_report(out: &Path) -> serde_json::Value {
    let path = out.join("emailprof-report.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of a `--jsonl` output, one artifact each.
pub(crate) fn jsonl_file(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// The top dictionary of an XML property list (an unsigned `.mobileconfig`).
pub(crate) fn plist_dict(bytes: &[u8]) -> plist::Dictionary {
    plist::Value::from_reader_xml(bytes)
        .unwrap_or_else(|e| panic!("not a well-formed property list: {e}"))
        .into_dictionary()
        .expect("a dictionary")
}

/// The Exchange ActiveSync payload (`com.apple.eas.account`) of a profile.
pub(crate) fn eas_payload(top: &plist::Dictionary) -> plist::Dictionary {
    top["PayloadContent"]
        .as_array()
        .expect("payloads")
        .iter()
        .filter_map(|p| p.as_dictionary())
        .find(|p| p.get("PayloadType").and_then(|t| t.as_string()) == Some("com.apple.eas.account"))
        .expect("an Exchange payload")
        .clone()
}

/// Run `openssl COMMAND` in `dir` (the command's words are split at spaces), followed by
/// `-subj SUBJECT` when given (a subject may hold spaces); it must succeed.
pub(crate) fn openssl(dir: &Path, command: &str, subject: Option<&str>) {
    let st = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(command.split_whitespace())
        .args(subject.map(|s| ["-subj", s]).into_iter().flatten())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl CLI");
    assert!(st.success(), "openssl {command} {subject:?}");
}

/// A self-signed P-256 signing certificate and key (`c.pem`, `k.pem`) in `dir`.
pub(crate) fn signing_identity(dir: &Path) {
    openssl(
        dir,
        "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout k.pem -out c.pem -days 2",
        Some("/CN=Profile signer"),
    );
}

/// Every file below `dir`, at any depth, in no particular order.
pub(crate) fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                found.push(p);
            }
        }
    }
    found
}

/// Build the resolver plugin `package` (a `cdylib`) with cargo; the path of its library.
pub(crate) fn plugin_library(package: &str) -> PathBuf {
    emailprof_testkit::cargo_build(&root(), &["--lib", "-p", package], package)
        .into_iter()
        .find(|f| f.to_string_lossy().ends_with(std::env::consts::DLL_SUFFIX))
        .unwrap_or_else(|| panic!("no library for {package}"))
}
