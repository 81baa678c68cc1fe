//! Fixtures: profiles under `tests/data`, one directory user, and the vendor references.
//! The shared part is `emailprof-testkit`.

use std::path::PathBuf;

use emailprof_testkit::Fixtures;
pub(crate) use emailprof_testkit::{PASSWORD, load_file, resolve_as};

pub(crate) const FIXTURES: Fixtures =
    Fixtures::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"));

/// The ActiveSync CSP DDF, beside the repository (CI clones `shared/` next to it).
pub(crate) fn ddf_path() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/reference/windows/ActiveSync.ddf.xml"
    ))
}
