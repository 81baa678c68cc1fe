//! `cargo fuzz run intune`: see `emailprof_fuzz::intune::check` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| emailprof_fuzz::intune::check(data));
