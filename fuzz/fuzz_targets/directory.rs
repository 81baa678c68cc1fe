//! `cargo fuzz run directory`: see `emailprof_fuzz::directory::check` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| emailprof_fuzz::directory::check(data));
