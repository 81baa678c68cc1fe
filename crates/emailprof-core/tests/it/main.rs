//! Integration tests of emailprof-core on hostile input (the `profile` fuzz target's checks).

mod fuzz_profile;
