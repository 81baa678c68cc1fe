//! Integration tests of the iOS emitter and importer, against Apple's device-management schema
//! (ADM) vendored in `shared/reference/apple/`.

mod adm;
mod common;
mod conformance;
mod emit;
mod import;
mod roundtrip;
mod signed;
mod snapshots;
