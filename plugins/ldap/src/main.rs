//! The LDAP resolver as an executable speaking the stdio protocol.

fn main() -> std::process::ExitCode {
    resolver_sdk::main_stdio::<emailprof_resolver_ldap::LdapResolver>("emailprof-resolver-ldap")
}
