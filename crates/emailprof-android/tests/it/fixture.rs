//! Fixtures: profiles under `tests/data` and one directory user.
//! The shared part is `emailprof-testkit`.

use emailprof_testkit::Fixtures;
pub(crate) use emailprof_testkit::{load_file, resolve_as};

pub(crate) const FIXTURES: Fixtures =
    Fixtures::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"));
