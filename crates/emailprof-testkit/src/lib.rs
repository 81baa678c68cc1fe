//! Test fixtures for emitter crates (a dev-dependency only): loading profile fixtures, a
//! directory user with every attribute so any profile resolves, and the checks every emitter
//! owes the "nothing dropped silently" rule. A new emitter crate's tests start here.

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
