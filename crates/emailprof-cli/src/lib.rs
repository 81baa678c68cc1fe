//! emailprof's command-line front end: argument parsing, reading the files it is given,
//! printing (human and `--json`), progress display, and turning the library's errors into
//! messages and exit codes. The pipeline itself is the `emailprof` library.

pub mod assets;
mod batch;
pub mod cli;
mod commands;
mod import;
mod output;
mod profile;
mod report;
mod resolve;
mod serve;
mod signing;

use std::process::ExitCode;

use clap::Parser;

pub use emailprof::registry;
pub use emailprof::registry::capability_matrix;
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

/// Whether `err` is bad input or usage (exit code 2).
fn is_invalid(err: &anyhow::Error) -> bool {
    err.downcast_ref::<Invalid>().is_some()
        || err
            .downcast_ref::<emailprof::Error>()
            .is_some_and(emailprof::Error::is_invalid)
}

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
    // Colour is for a person at a terminal: never in files, pipes or CI logs, and not when
    // NO_COLOR (https://no-color.org) is set to anything but the empty string.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
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
            let code = if is_invalid(&err) {
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
