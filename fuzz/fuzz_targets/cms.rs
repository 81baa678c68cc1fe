//! `cargo fuzz run cms`: see `emailprof_fuzz::cms::check` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| emailprof_fuzz::cms::check(data));
