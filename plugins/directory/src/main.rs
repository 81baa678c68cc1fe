//! The directory-file resolver as an executable speaking the stdio protocol.

fn main() -> std::process::ExitCode {
    resolver_sdk::main_stdio::<emailprof_resolver_directory::DirectoryPlugin>(
        "emailprof-resolver-directory",
    )
}
