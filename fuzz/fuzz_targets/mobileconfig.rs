//! `cargo fuzz run mobileconfig`: see `emailprof_fuzz::mobileconfig::check` for what is checked.
#![no_main]

// A first byte of 0xFE asks for one of the shapes of `shaped` (expansion bombs, deep nesting)
// built from the next bytes; anything else is the profile itself.
libfuzzer_sys::fuzz_target!(|data: &[u8]| match data.split_first() {
    Some((0xFE, params)) => {
        emailprof_fuzz::mobileconfig::check(&emailprof_fuzz::mobileconfig::shaped(params))
    }
    _ => emailprof_fuzz::mobileconfig::check(data),
});
