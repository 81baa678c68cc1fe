//! The CLI's single integration-test binary (one module per feature), driving the real
//! `emailprof` executable on files from `examples/` and `tests/` at the workspace root.

mod batch;
mod certificate_files;
mod cli;
mod diff;
mod emit;
mod entra;
mod golden;
mod install;
mod invalid;
mod logs;
mod plugins;
mod reliability;
mod roundtrip;
mod security;
mod serve;
mod support;
mod values;
