fn main() -> std::process::ExitCode {
    emailprof_cli::main()
}
