//! Integration tests: sign with keys made by the OpenSSL CLI, verify with the OpenSSL CLI, and
//! decode the result independently with the `cms` crate.

mod bench;
mod fuzz_target;
mod pkcs12;
mod pki;
mod signing;
