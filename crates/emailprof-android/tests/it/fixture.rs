//! Fixtures: profiles under `tests/data` and one directory user.

use std::path::{Path, PathBuf};

use emailprof_core::{
    DirectoryAttributes, EmailProfile, Format, ResolvedProfile, Secret, ValidationOptions,
    resolve_identity,
};

/// The password the fixtures' password source stands for; markup on purpose.
pub(crate) const PASSWORD: &str = "s3cr3t<&>]]>pw";

pub(crate) fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

/// Every profile fixture, and the workspace's examples when there are any.
pub(crate) fn profile_files() -> Vec<PathBuf> {
    let mut files = yaml_files(&data_dir());
    files.extend(yaml_files(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples"
    ))));
    files
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
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

pub(crate) fn load_file(path: &Path) -> EmailProfile {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let report = emailprof_core::load(&bytes, Format::Yaml, ValidationOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    report
        .profile
        .unwrap_or_else(|| panic!("{}: {:#?}", path.display(), report.findings))
}

pub(crate) fn profile(name: &str) -> EmailProfile {
    load_file(&data_dir().join(name))
}

/// A directory user with every attribute, so any profile resolves.
pub(crate) fn user(user_id: &str) -> DirectoryAttributes {
    DirectoryAttributes {
        user_id: user_id.into(),
        user_principal_name: Some(format!("{user_id}@contoso.com")),
        primary_smtp_address: Some(format!("{user_id}.smtp@contoso.com")),
        sam_account_name: Some(user_id.into()),
        domain_fqdn: Some("contoso.com".into()),
        netbios_name: Some("CONTOSO".into()),
    }
}

pub(crate) fn resolve_as(profile: EmailProfile, user_id: &str) -> ResolvedProfile {
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

pub(crate) fn resolved(name: &str) -> ResolvedProfile {
    resolve_as(profile(name), "adele")
}
