//! Integration tests of emailprof-core: the document writer, hostile input (the `profile` fuzz
//! target's checks) and the draft-07 form of the schema.

mod document;
mod draft07;
mod fuzz_profile;
