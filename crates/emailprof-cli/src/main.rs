/// mimalloc: users are read on one thread and freed on the workers; glibc's malloc spent up to
/// 45% of a batch's CPU on those cross-thread frees (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    emailprof_cli::main()
}
