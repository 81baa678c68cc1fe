//! Integration tests of the Windows emitter, against the ActiveSync CSP DDF.

mod behaviour;
mod conformance;
mod drops;
mod fixture;
mod fuzz_targets;
mod snapshots;
mod xml;
