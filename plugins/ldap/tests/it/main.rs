//! The LDAP resolver against a real OpenLDAP slapd started by the tests on loopback ports,
//! with an AD-like schema and directory (tests/data).

mod batch;
mod listing;
mod resolve;
mod slapd;
