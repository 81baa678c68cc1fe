//! Test fixtures for emitter crates (a dev-dependency only): loading profile fixtures, a
//! directory user with every attribute so any profile resolves, and the checks every emitter
//! owes the "nothing dropped silently" rule. A new emitter crate's tests start here. Also
//! [`cargo_build`], for tests that need a plugin library or the binary built.

pub mod fuzz;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use emailprof_core::emit::silently_dropped;
use emailprof_core::{
    DirectoryAttributes, EmailProfile, EmitOptions, Emitter, Format, ResolvedProfile, Secret,
    Setting, ValidationOptions, resolve_identity,
};

/// The password a fixture's password source stands for; markup on purpose, so escaping bugs
/// show.
pub const PASSWORD: &str = "s3cr3t<&>]]>pw";

/// The `.yaml`/`.yml` files in `dir`, sorted; none when it does not exist.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The fixtures in `data_dir` and the workspace's examples.
pub fn profile_files(data_dir: &Path) -> Vec<PathBuf> {
    let mut files = yaml_files(data_dir);
    files.extend(yaml_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples"),
    ));
    files
}

/// A crate's profile fixtures: a directory of YAML profiles, plus the workspace's examples.
#[derive(Clone, Copy, Debug)]
pub struct Fixtures {
    dir: &'static str,
}

impl Fixtures {
    /// The fixtures in `dir`, e.g. `concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")`.
    pub const fn new(dir: &'static str) -> Fixtures {
        Fixtures { dir }
    }

    pub fn dir(&self) -> &Path {
        Path::new(self.dir)
    }

    /// Every profile fixture, and the workspace's examples.
    pub fn files(&self) -> Vec<PathBuf> {
        profile_files(self.dir())
    }

    /// The fixture `name`, which must be valid.
    pub fn profile(&self, name: &str) -> EmailProfile {
        load_file(&self.dir().join(name))
    }

    /// The fixture `name` resolved for [`user`] `adele`.
    pub fn resolved(&self, name: &str) -> ResolvedProfile {
        resolve_as(self.profile(name), "adele")
    }

    /// Panics unless the fixtures hold the full example and together configure every setting
    /// (the Android app choice only picks a target and never counts as configured): what makes
    /// [`assert_nothing_dropped`] over them cover every setting.
    pub fn assert_cover_every_setting(&self) {
        let files = self.files();
        assert!(
            files.iter().any(|f| f.ends_with("examples/contoso.yaml")),
            "{files:?}"
        );
        let configured = configured_settings(&files);
        let missing: Vec<_> = Setting::ALL
            .into_iter()
            .filter(|s| *s != Setting::AndroidApp && !configured.contains(s))
            .collect();
        assert!(missing.is_empty(), "no fixture configures {missing:?}");
    }
}

/// A valid profile from a YAML file; panics with the findings otherwise.
pub fn load_file(path: &Path) -> EmailProfile {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let report = emailprof_core::load(&bytes, Format::Yaml, ValidationOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    report
        .profile
        .unwrap_or_else(|| panic!("{}: {:#?}", path.display(), report.findings))
}

/// A directory user with every attribute, so any profile resolves.
pub fn user(user_id: &str) -> DirectoryAttributes {
    DirectoryAttributes {
        user_id: user_id.into(),
        user_principal_name: Some(format!("{user_id}@contoso.com")),
        primary_smtp_address: Some(format!("{user_id}.smtp@contoso.com")),
        sam_account_name: Some(user_id.into()),
        domain_fqdn: Some("contoso.com".into()),
        netbios_name: Some("CONTOSO".into()),
    }
}

/// `profile` resolved for [`user`] `user_id`, with [`PASSWORD`] when it has a password source.
pub fn resolve_as(profile: EmailProfile, user_id: &str) -> ResolvedProfile {
    let user = resolve_identity(&profile.account, &user(user_id)).expect("the user resolves");
    let password = profile
        .account
        .authentication
        .password
        .as_ref()
        .map(|_| Secret::new(PASSWORD));
    ResolvedProfile {
        profile,
        user,
        materials: Default::default(),
        password,
    }
}

/// The settings some file of `files` configures.
pub fn configured_settings(files: &[PathBuf]) -> BTreeSet<Setting> {
    files
        .iter()
        .map(|f| load_file(f))
        .flat_map(|p| {
            Setting::ALL
                .into_iter()
                .filter(move |s| s.is_configured(&p))
        })
        .collect()
}

/// Emit every file of `files` with `emitter` and `options`; panics naming the file and the
/// settings when a configured setting is neither written nor reported.
pub fn assert_nothing_dropped(emitter: &dyn Emitter, files: &[PathBuf], options: &EmitOptions) {
    for file in files {
        let rp = resolve_as(load_file(file), "adele");
        let emission = emitter.emit(&rp, options).expect("emits");
        let dropped = silently_dropped(emitter, &rp.profile, &emission);
        assert!(
            dropped.is_empty(),
            "{} {:?} {}: {dropped:?}",
            emitter.id(),
            options.form,
            file.display()
        );
    }
}

/// `cargo build --message-format=json-render-diagnostics ARGS` in `workspace`; the files of the
/// artifacts whose target is `target` (`-` and `_` alike). Panics with cargo's output when the
/// build fails.
///
/// The variables cargo sets for the calling test binary are removed: build scripts that watch
/// one (ring's watches `CARGO_MANIFEST_DIR`) would rerun, and their crates be rebuilt by every
/// test run. `CARGO_TARGET_DIR` passes on.
pub fn cargo_build(workspace: &Path, args: &[&str], target: &str) -> Vec<PathBuf> {
    let mut cmd = std::process::Command::new(env!("CARGO"));
    cmd.current_dir(workspace)
        .args(["build", "--message-format=json-render-diagnostics"])
        .args(args)
        .stderr(std::process::Stdio::piped());
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if ["CARGO_PKG_", "CARGO_BIN_", "CARGO_MANIFEST_"]
            .iter()
            .any(|p| k.starts_with(p))
            || [
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&k.as_ref())
        {
            cmd.env_remove(&key);
        }
    }
    let out = cmd.output().expect("run cargo build");
    assert!(
        out.status.success(),
        "cargo build {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = target.replace('-', "_");
    let mut files = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let name = msg["target"]["name"].as_str().unwrap_or_default();
        if msg["reason"] == "compiler-artifact" && name.replace('-', "_") == target {
            files.extend(
                msg["filenames"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(serde_json::Value::as_str)
                    .map(PathBuf::from),
            );
        }
    }
    files
}
