//! Integration tests of emailprof-core: the document writer, and hostile input (the `profile`
//! fuzz target's checks).

mod document;
mod fuzz_profile;
