//! Integration tests of the iOS emitter and importer, against Apple's device-management schema
//! (ADM) vendored in `shared/reference/apple/`.

mod adm;
mod bench;
mod common;
mod conformance;
mod corpus;
mod emit;
mod fuzz_targets;
mod import;
mod prepared;
mod roundtrip;
mod signed;
mod snapshots;
