//! Integration tests of emailprof-core: hostile input (the `profile` fuzz target's checks) and
//! the draft-07 form of the schema.

mod draft07;
mod fuzz_profile;
