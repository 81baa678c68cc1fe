//! `cargo fuzz run plugin`: see `emailprof_fuzz::plugin_and_emit` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| emailprof_fuzz::plugin_and_emit(data));
