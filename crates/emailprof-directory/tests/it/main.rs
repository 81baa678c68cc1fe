//! Integration tests of emailprof-directory: the shipped example files, robustness on
//! arbitrary input, and the resolver.

mod entra;
mod examples;
mod fuzz_target;
mod robustness;
