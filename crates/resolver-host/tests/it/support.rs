//! Builds the plugin crates once per test run (Cargo has no stable artifact dependencies)
//! and finds their outputs from Cargo's JSON messages, so CARGO_TARGET_DIR is respected.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use emailprof_directory::{Directory, DirectoryFormat};

pub(crate) const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

pub(crate) struct Artifacts {
    /// `lib<name>.so` etc. by package name.
    pub(crate) libs: HashMap<String, PathBuf>,
    /// Executables by target name.
    pub(crate) bins: HashMap<String, PathBuf>,
}

pub(crate) fn artifacts() -> &'static Artifacts {
    static ONCE: OnceLock<Artifacts> = OnceLock::new();
    ONCE.get_or_init(|| build(false))
}

/// Build the plugins (and the serve_library example) and collect their files.
pub(crate) fn build(release: bool) -> Artifacts {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(WORKSPACE).args([
        "build",
        "--message-format=json-render-diagnostics",
        "-p",
        "emailprof-resolver-directory",
        "-p",
        "resolver-fixture-panic",
        "-p",
        "resolver-fixture-abort",
        "-p",
        "resolver-fixture-wrong-abi",
        "-p",
        "resolver-host",
        "--example",
        "serve_library",
        "--lib",
        "--bins",
    ]);
    if release {
        cmd.arg("--release");
    }
    let out = cmd.output().expect("run cargo build");
    assert!(
        out.status.success(),
        "cargo build of the plugins failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut libs = HashMap::new();
    let mut bins = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let kinds: Vec<&str> = msg["target"]["kind"]
            .as_array()
            .map(|k| k.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let name = msg["target"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if let Some(exe) = msg["executable"].as_str() {
            bins.insert(name.clone(), PathBuf::from(exe));
        }
        if kinds.contains(&"cdylib") {
            for f in msg["filenames"].as_array().into_iter().flatten() {
                let f = f.as_str().unwrap_or_default();
                if f.ends_with(std::env::consts::DLL_SUFFIX) {
                    libs.insert(name.replace('_', "-"), install(Path::new(f)));
                }
            }
        }
    }
    Artifacts { libs, bins }
}

/// Copy a built library to a directory only its owner can write to, next to the build
/// output, so the host's permission check passes whatever the umask of the build was.
fn install(built: &Path) -> PathBuf {
    let dir = built
        .parent()
        .unwrap_or(Path::new("."))
        .join("resolver-host-test-plugins");
    std::fs::create_dir_all(&dir).expect("create the plugin directory");
    let target = dir.join(built.file_name().expect("a file name"));
    // Copy to a new name and rename, so a library already loaded by another test binary is
    // never overwritten in place.
    let tmp = dir.join(format!(
        ".{}.{}",
        std::process::id(),
        built.file_name().and_then(|n| n.to_str()).unwrap_or("lib")
    ));
    std::fs::copy(built, &tmp).expect("copy the plugin");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod dir");
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).expect("chmod file");
    }
    std::fs::rename(&tmp, &target).expect("install the plugin");
    target
}

impl Artifacts {
    pub(crate) fn lib(&self, package: &str) -> &Path {
        self.libs
            .get(package)
            .unwrap_or_else(|| panic!("no cdylib for {package}: {:?}", self.libs.keys()))
    }

    pub(crate) fn bin(&self, name: &str) -> &Path {
        self.bins
            .get(name)
            .unwrap_or_else(|| panic!("no executable {name}: {:?}", self.bins.keys()))
    }
}

pub(crate) fn example_csv() -> PathBuf {
    PathBuf::from(format!("{WORKSPACE}/examples/directory.csv"))
}

pub(crate) fn example_directory() -> Directory {
    let bytes = std::fs::read(example_csv()).expect("examples/directory.csv");
    Directory::parse(&bytes, DirectoryFormat::Csv).expect("example parses")
}

pub(crate) fn directory_config() -> serde_json::Value {
    serde_json::json!({ "path": example_csv(), "format": "csv" })
}
