//! The CLI's single integration-test binary (one module per feature), driving the real
//! `emailprof` executable on files from `examples/` and `tests/` at the workspace root.

mod batch;
mod cli;
mod emit;
mod entra;
mod golden;
mod invalid;
mod logs;
mod plugins;
mod reliability;
mod roundtrip;
mod security;
mod serve;
mod support;
