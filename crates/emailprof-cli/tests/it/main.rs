//! The CLI's single integration-test binary (one module per feature), driving the real
//! `emailprof` executable on files from `examples/` and `tests/` at the workspace root.

mod batch;
mod cli;
mod emit;
mod install;
mod invalid;
mod plugins;
mod reliability;
mod roundtrip;
mod serve;
mod support;
