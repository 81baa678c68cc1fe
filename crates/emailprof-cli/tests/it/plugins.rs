//! Resolver plugins through the CLI: `plugin info`, `--resolver` in and out of process, and a
//! batch that survives a crashing and a hanging plugin.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::support::{
    batch_report, cli, emit, minimal_ios_batch, plugin_library, root, stderr, stdout,
};

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
            let f = plugin_library(package);
            let target = dir.join(f.file_name().unwrap());
            let tmp = dir.join(format!(".{}.tmp", std::process::id()));
            std::fs::copy(&f, &tmp).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::rename(&tmp, &target).unwrap();
            libs.push((package.to_owned(), target));
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
    let o = cli(["plugin", "info"])
        .arg(plugin("emailprof-resolver-directory"))
        .success();
    let out = stdout(&o);
    assert!(out.contains("abi: 1."), "{out}");
    assert!(out.lines().any(|l| l.starts_with("name: ")), "{out}");
    // A bare name is never searched for.
    cli(["plugin", "info", "libnot-there.so"]).code(2);
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
    let avance = || emit("examples/contoso.yaml", "ios").user("avance");
    let builtin = avance().success();
    for process in [false, true] {
        let o = avance()
            .resolver(plugin("emailprof-resolver-directory"), &config)
            .args(process.then_some("--resolver-process"))
            .success();
        assert_eq!(o.stdout, builtin.stdout, "process={process}");
    }
}

#[test]
fn a_crashing_or_hanging_plugin_fails_only_its_users() {
    let tmp = tempfile::tempdir().unwrap();
    let ids = tmp.path().join("users.txt");
    std::fs::write(&ids, "u1\nu2\nabort\nu3\nhang\nu4\n").unwrap();
    let out = tmp.path().join("out");
    minimal_ios_batch()
        .args(["--resolver-process", "--resolver-timeout", "2"])
        .flag("--resolver", plugin("resolver-fixture-abort"))
        .flag("--users", &ids)
        .out(&out)
        .code(1);
    let report = batch_report(&out);
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
        let cmd = minimal_ios_batch()
            .resolver(plugin("emailprof-resolver-directory"), &config)
            .flag("--jsonl", &out);
        let o = if from_stdin {
            cmd.args(["--users", "-"]).stdin(list).code(2)
        } else {
            cmd.flag("--users", &ids).code(2)
        };
        assert!(
            stderr(&o).contains("line 5: user id `user1` appears more than once"),
            "stdin={from_stdin}: {}",
            stderr(&o)
        );
        assert!(!out.exists());
    }
}

/// Issue 17: without `--users`, a batch asks the plugin for its users; a plugin that cannot
/// list (the directory reference plugin has no listing) is refused with the way out, in
/// process and out of process, and nothing is written.
#[test]
fn a_plugin_that_cannot_list_asks_for_users() {
    let tmp = tempfile::tempdir().unwrap();
    let config = directory_plugin_config(tmp.path());
    for process in [false, true] {
        let out = tmp.path().join(format!("out-{process}"));
        let o = minimal_ios_batch()
            .resolver(plugin("emailprof-resolver-directory"), &config)
            .args(process.then_some("--resolver-process"))
            .out(&out)
            .code(2);
        assert!(
            stderr(&o).contains("cannot list its users")
                && stderr(&o).contains("give --users FILE"),
            "process={process}: {}",
            stderr(&o)
        );
        assert!(!out.join("ios").exists(), "process={process}");
    }
}

/// Issue 17: the directory plugin's `netbios` key gives the NetBIOS names a Microsoft Entra ID
/// export does not have, as `--netbios` does for `--directory`; without it the error names
/// the mapping; a bad mapping is a configuration error.
#[test]
fn the_directory_plugin_takes_netbios_names_from_its_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let export = root().join("crates/emailprof-directory/tests/data/entra/graph-page.json");
    let config = |name: &str, value: serde_json::Value| {
        let path = tmp.path().join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        path
    };
    let adele = || emit("examples/contoso.yaml", "ios").user("AdeleV@contoso.com");
    let expected = adele()
        .directory(&export)
        .flag("--netbios", "contoso.com=CONTOSO")
        .success();
    assert!(stdout(&expected).contains("CONTOSO\\AdeleV"));
    let mapped = config(
        "mapped.json",
        serde_json::json!({"path": export, "netbios": {"Contoso.com.": "CONTOSO"}}),
    );
    let unmapped = config("unmapped.json", serde_json::json!({"path": export}));
    let bad = config(
        "bad.json",
        serde_json::json!({"path": export, "netbios": {"contoso.com": "CON\\TOSO"}}),
    );
    for process in [false, true] {
        let with = |c: &Path| {
            adele()
                .resolver(plugin("emailprof-resolver-directory"), c)
                .args(process.then_some("--resolver-process"))
        };
        let o = with(&mapped).success();
        assert_eq!(o.stdout, expected.stdout, "process={process}");
        let o = with(&unmapped).code(2);
        assert!(
            stderr(&o).contains("\"netbios\": {\"contoso.com\": \"NAME\"}"),
            "process={process}: {}",
            stderr(&o)
        );
        let o = with(&bad).code(2);
        assert!(
            stderr(&o).contains("netbios") && stderr(&o).contains("backslashes"),
            "process={process}: {}",
            stderr(&o)
        );
    }
}
