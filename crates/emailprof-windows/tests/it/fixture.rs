//! Fixtures: profiles under `tests/data`, one directory user, and the vendor references.
//! The shared part is `emailprof-testkit`.

use std::path::PathBuf;

use emailprof_core::{EmailProfile, ResolvedProfile};
pub(crate) use emailprof_testkit::{PASSWORD, load_file, resolve_as};

pub(crate) fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

/// The ActiveSync CSP DDF, beside the repository (CI clones `shared/` next to it).
pub(crate) fn ddf_path() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/reference/windows/ActiveSync.ddf.xml"
    ))
}

/// Every profile fixture, and the workspace's examples.
pub(crate) fn profile_files() -> Vec<PathBuf> {
    emailprof_testkit::profile_files(&data_dir())
}

pub(crate) fn profile(name: &str) -> EmailProfile {
    load_file(&data_dir().join(name))
}

pub(crate) fn resolved(name: &str) -> ResolvedProfile {
    resolve_as(profile(name), "adele")
}
