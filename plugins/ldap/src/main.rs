//! The LDAP resolver as an executable speaking the stdio protocol.

use std::process::ExitCode;

fn main() -> ExitCode {
    match resolver_sdk::serve_stdio::<emailprof_resolver_ldap::LdapResolver>() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("emailprof-resolver-ldap: {e}");
            ExitCode::FAILURE
        }
    }
}
