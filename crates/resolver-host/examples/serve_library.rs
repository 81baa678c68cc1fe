//! `serve_library PATH [--allow-insecure]`: host a plugin library on stdin/stdout, as
//! `emailprof plugin serve PATH` does. Used by the tests and the benchmark.

use std::path::PathBuf;
use std::process::ExitCode;

use resolver_host::{LoadOptions, serve_library_stdio};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: serve_library PATH [--allow-insecure]");
        return ExitCode::from(2);
    };
    let opts = LoadOptions {
        allow_insecure: args.next().is_some_and(|a| a == "--allow-insecure"),
    };
    match serve_library_stdio(&path, &opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve_library: {e}");
            ExitCode::FAILURE
        }
    }
}
