//! `cargo fuzz run profile`: see `emailprof_fuzz::profile::check` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| emailprof_fuzz::profile::check(data));
