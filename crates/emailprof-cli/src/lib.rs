//! emailprof's command-line front end: argument parsing, file and stdin input, user resolution,
//! certificate and secret reading, atomic output, and turning library errors into messages and
//! exit codes. The only crate (with the resolver host) that touches files, the environment,
//! the clock or the network.

pub mod assets;
mod batch;
pub mod cli;
mod commands;
mod dedup;
mod import;
mod jsonl;
mod output;
mod profile;
pub mod registry;
mod report;
mod resolve;
mod serve;
mod signing;

use std::process::ExitCode;

use clap::Parser;

pub use commands::capability_matrix;
pub use report::Reporter;

/// Exit codes, documented in `--help`.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const INVALID: u8 = 2;
    pub const DIFFERS: u8 = 3;
}

/// Bad input or usage: exit code 2. Everything else that fails is a runtime failure (1).
#[derive(Debug)]
pub struct Invalid(pub String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// Bail out with exit code 2.
macro_rules! invalid {
    ($($t:tt)*) => { return Err(anyhow::Error::new($crate::Invalid(format!($($t)*)))) };
}
pub(crate) use invalid;

fn init_logging(verbose: u8) {
    use tracing_subscriber::filter::{EnvFilter, LevelFilter};
    let default = match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let filter = EnvFilter::builder()
        .with_default_directive(default.into())
        .from_env_lossy();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Run the CLI with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::INVALID
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_logging(cli.global.verbose);
    let reporter = Reporter::new(cli.global.json);
    match commands::run(cli.command, &reporter, cli.global.json) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let code = if err.downcast_ref::<Invalid>().is_some() {
                exit::INVALID
            } else if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::from(exit::OK);
            } else {
                exit::FAILURE
            };
            reporter.error(&err);
            ExitCode::from(code)
        }
    }
}
