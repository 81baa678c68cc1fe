//! `cargo fuzz run mobileconfig`: see `emailprof_fuzz::mobileconfig::check` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| emailprof_fuzz::mobileconfig::check(data));
