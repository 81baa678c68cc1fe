//! Resolver plugins through the CLI: `plugin info`, `--resolver` in and out of process, and a
//! batch that survives a crashing and a hanging plugin.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::support::{emailprof, root, stderr, stdout};

/// Build the reference directory plugin and the aborting fixture once; copy the libraries to
/// an owner-only directory so the host's permission check passes whatever the umask was.
fn plugin(package: &str) -> PathBuf {
    static BUILT: OnceLock<Vec<(String, PathBuf)>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        // One cargo command per package: a combined build unifies features differently and
        // rebuilds the plugins back and forth.
        let dir = root().join("target/emailprof-cli-test-plugins");
        std::fs::create_dir_all(&dir).unwrap();
        let mut libs = Vec::new();
        for package in ["emailprof-resolver-directory", "resolver-fixture-abort"] {
            let files = emailprof_testkit::cargo_build(&root(), &["--lib", "-p", package], package);
            for f in files {
                if f.to_string_lossy().ends_with(std::env::consts::DLL_SUFFIX) {
                    let target = dir.join(f.file_name().unwrap());
                    let tmp = dir.join(format!(".{}.tmp", std::process::id()));
                    std::fs::copy(&f, &tmp).unwrap();
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
                    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
                    std::fs::rename(&tmp, &target).unwrap();
                    libs.push((package.to_owned(), target));
                }
            }
        }
        libs
    });
    built
        .iter()
        .find(|(n, _)| n == package)
        .map(|(_, p)| p.clone())
        .unwrap_or_else(|| panic!("no library for {package}"))
}

#[test]
fn plugin_info_names_the_plugin() {
    let o = emailprof()
        .args(["plugin", "info"])
        .arg(plugin("emailprof-resolver-directory"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("abi: 1."), "{out}");
    assert!(out.lines().any(|l| l.starts_with("name: ")), "{out}");
    let o = emailprof()
        .args(["plugin", "info", "libnot-there.so"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "a bare name is never searched for"
    );
}

/// A configuration for the reference directory plugin, reading examples/directory.csv.
fn directory_plugin_config(dir: &Path) -> PathBuf {
    let config = dir.join("resolver.json");
    std::fs::write(
        &config,
        serde_json::json!({"path": root().join("examples/directory.csv")}).to_string(),
    )
    .unwrap();
    config
}

#[test]
fn the_reference_plugin_resolves_like_the_built_in_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let config = directory_plugin_config(tmp.path());
    let builtin = emailprof()
        .args([
            "emit",
            "examples/contoso.yaml",
            "--platform",
            "ios",
            "--user",
            "avance",
        ])
        .output()
        .unwrap();
    assert_eq!(builtin.status.code(), Some(0), "{}", stderr(&builtin));
    for process in [false, true] {
        let mut cmd = emailprof();
        cmd.args([
            "emit",
            "examples/contoso.yaml",
            "--platform",
            "ios",
            "--user",
            "avance",
            "--resolver",
        ])
        .arg(plugin("emailprof-resolver-directory"))
        .arg("--resolver-config")
        .arg(&config);
        if process {
            cmd.arg("--resolver-process");
        }
        let o = cmd.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "process={process}: {}",
            stderr(&o)
        );
        assert_eq!(o.stdout, builtin.stdout, "process={process}");
    }
}

#[test]
fn a_crashing_or_hanging_plugin_fails_only_its_users() {
    let tmp = tempfile::tempdir().unwrap();
    let ids = tmp.path().join("users.txt");
    std::fs::write(&ids, "u1\nu2\nabort\nu3\nhang\nu4\n").unwrap();
    let out = tmp.path().join("out");
    let o = emailprof()
        .args([
            "batch",
            "examples/minimal.yaml",
            "--platforms",
            "ios",
            "--quiet",
            "--resolver-process",
            "--resolver-timeout",
            "2",
            "--resolver",
        ])
        .arg(plugin("resolver-fixture-abort"))
        .arg("--users")
        .arg(&ids)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("emailprof-report.json")).unwrap())
            .unwrap();
    let failed: Vec<&str> = report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["user"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["abort", "hang"], "{report}");
    for u in ["u1", "u2", "u3", "u4"] {
        assert!(out.join(format!("ios/{u}.mobileconfig")).exists(), "{u}");
    }
}

#[test]
fn a_user_listed_twice_stops_a_resolver_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let config = directory_plugin_config(tmp.path());
    let ids = tmp.path().join("users.txt");
    let list = "# users\nuser1\navance\n\nuser1\n";
    std::fs::write(&ids, list).unwrap();
    // From a file (read twice: ids that may repeat, then the run) and from stdin (once).
    for from_stdin in [false, true] {
        let out = tmp.path().join(format!("out-{from_stdin}.jsonl"));
        let mut cmd = emailprof();
        cmd.args([
            "batch",
            "examples/minimal.yaml",
            "--platforms",
            "ios",
            "--quiet",
        ])
        .arg("--resolver")
        .arg(plugin("emailprof-resolver-directory"))
        .arg("--resolver-config")
        .arg(&config)
        .arg("--jsonl")
        .arg(&out);
        let o = if from_stdin {
            cmd.args(["--users", "-"])
                .write_stdin(list)
                .output()
                .unwrap()
        } else {
            cmd.arg("--users").arg(&ids).output().unwrap()
        };
        assert_eq!(
            o.status.code(),
            Some(2),
            "stdin={from_stdin}: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains("line 5: user id `user1` appears more than once"),
            "stdin={from_stdin}: {}",
            stderr(&o)
        );
        assert!(!out.exists());
    }
}
