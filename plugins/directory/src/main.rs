//! The directory-file resolver as an executable speaking the stdio protocol.

use std::process::ExitCode;

fn main() -> ExitCode {
    match resolver_sdk::serve_stdio::<emailprof_resolver_directory::DirectoryPlugin>() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("emailprof-resolver-directory: {e}");
            ExitCode::FAILURE
        }
    }
}
