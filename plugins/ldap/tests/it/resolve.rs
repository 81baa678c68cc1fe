//! Found, not found, several matches, injection, server down, TLS, credentials.

use std::process::Command;
use std::time::{Duration, Instant};

use emailprof_resolver_ldap::LdapResolver;
use resolver_host::ProcessResolver;
use resolver_sdk::Resolver;
use resolver_sdk::{AttributeResolver, DirectoryAttributes, ResolveError};
use serde_json::{Value, json};

use crate::slapd::{BASE_DN, BIND_DN, PASSWORD, Slapd};

/// Configuration for plain ldap:// with a bind (allowed explicitly, loopback only).
fn plain(server: &Slapd) -> Value {
    json!({
        "url": server.ldap_url(),
        "base_dn": BASE_DN,
        "bind_dn": BIND_DN,
        "bind_password_file": server.password_file(PASSWORD),
        "allow_plaintext_bind": true,
        "timeout_secs": 5,
    })
}

fn with(mut config: Value, extra: Value) -> Value {
    if let (Some(c), Some(e)) = (config.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            if v.is_null() {
                c.remove(k);
            } else {
                c.insert(k.clone(), v.clone());
            }
        }
    }
    config
}

fn resolver(config: Value) -> LdapResolver {
    LdapResolver::init(config).unwrap_or_else(|e| panic!("init: {e}"))
}

fn failed(r: Result<DirectoryAttributes, ResolveError>) -> String {
    match r {
        Err(ResolveError::Failed(m)) => m,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn found_with_ad_rules() {
    let Some(server) = Slapd::start() else { return };
    let r = resolver(plain(&server));
    let adele = r.resolve("avance").unwrap();
    assert_eq!(
        adele,
        DirectoryAttributes {
            user_id: "avance".into(),
            user_principal_name: Some("avance@contoso.com".into()),
            // The upper-case SMTP: proxy address, not `mail`.
            primary_smtp_address: Some("Adele.Vance@contoso.com".into()),
            sam_account_name: Some("avance".into()),
            // slapd returns the DN normalized to lower case.
            domain_fqdn: Some("contoso.com".into()),
            // From CN=CONTOSO,CN=Partitions,CN=Configuration,DC=contoso,DC=com.
            netbios_name: Some("CONTOSO".into()),
        }
    );
    // sAMAccountName matching is case-insensitive, as in AD.
    assert_eq!(
        r.resolve("AVANCE").unwrap().sam_account_name.as_deref(),
        Some("avance")
    );
    // A child domain: its own DC components and crossRef.
    let john = r.resolve("jdoe").unwrap();
    assert_eq!(john.domain_fqdn.as_deref(), Some("emea.contoso.com"));
    assert_eq!(john.netbios_name.as_deref(), Some("CONTOSO-EMEA"));
    assert_eq!(
        john.primary_smtp_address.as_deref(),
        Some("john.doe@contoso.com")
    );
    // No proxyAddresses: `mail`.
    assert_eq!(
        r.resolve("user1").unwrap().primary_smtp_address.as_deref(),
        Some("user1@contoso.com")
    );

    // Matching on the UPN instead; a user without sAMAccountName; a configured NetBIOS name.
    let by_upn = resolver(with(
        plain(&server),
        json!({"filter_attribute": "userPrincipalName", "netbios_name": "CORP"}),
    ));
    let megan = by_upn.resolve("megan.bowen@contoso.com").unwrap();
    assert_eq!(megan.sam_account_name, None);
    assert_eq!(megan.netbios_name.as_deref(), Some("CORP"));
}

#[test]
fn not_found_and_several_matches() {
    let Some(server) = Slapd::start() else { return };
    let r = resolver(plain(&server));
    assert_eq!(
        r.resolve("nobody"),
        Err(ResolveError::NotFound("nobody".into()))
    );
    // A group has a sAMAccountName but is not a user.
    assert_eq!(
        r.resolve("staff"),
        Err(ResolveError::NotFound("staff".into()))
    );
    assert_eq!(
        r.resolve("dup"),
        Err(ResolveError::Ambiguous {
            user_id: "dup".into(),
            count: 2
        })
    );
    let ids: Vec<String> = ["user1", "nobody", "dup", "avance"]
        .map(String::from)
        .to_vec();
    let batch = r.resolve_batch(&ids);
    assert!(batch[0].is_ok() && batch[3].is_ok());
    assert!(matches!(batch[1], Err(ResolveError::NotFound(_))));
    assert!(matches!(
        batch[2],
        Err(ResolveError::Ambiguous { count: 2, .. })
    ));
}

#[test]
fn user_ids_cannot_inject_filter_syntax() {
    let Some(server) = Slapd::start() else { return };
    let r = resolver(plain(&server));
    // Unescaped, each of these would match one or all users.
    for id in [
        "*",
        "*)(sAMAccountName=*",
        "avance)(|(sAMAccountName=*",
        "av*",
        "avance\\",
        "(",
        "\0",
    ] {
        assert_eq!(
            r.resolve(id),
            Err(ResolveError::NotFound(id.into())),
            "{id:?}"
        );
    }
}

#[test]
fn server_down_fails_after_bounded_retries() {
    let Some(server) = Slapd::start() else { return };
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = with(
        plain(&server),
        json!({"url": format!("ldap://127.0.0.1:{port}"), "retries": 2}),
    );
    let r = resolver(config);
    let started = Instant::now();
    let message = failed(r.resolve("avance"));
    assert!(
        message.contains("cannot connect") && message.contains("after 3 attempts"),
        "{message}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    drop(server);
}

#[test]
fn tls_verifies_the_server_certificate() {
    let Some(server) = Slapd::start() else { return };
    let tls = |extra: Value| {
        with(
            plain(&server),
            with(
                json!({"url": server.ldaps_url(), "allow_plaintext_bind": null}),
                extra,
            ),
        )
    };
    // ldaps with the test CA.
    let r = resolver(tls(json!({"ca_file": server.ca_file()})));
    assert_eq!(
        r.resolve("avance").unwrap().netbios_name.as_deref(),
        Some("CONTOSO")
    );
    // StartTLS on the plain port, with the CA.
    let r = resolver(with(
        plain(&server),
        json!({"starttls": true, "ca_file": server.ca_file(), "allow_plaintext_bind": null}),
    ));
    assert!(r.resolve("avance").is_ok());
    // Without the CA (system roots only): the certificate is not trusted.
    let r = resolver(tls(json!({"retries": 0})));
    let message = failed(r.resolve("avance"));
    assert!(message.to_lowercase().contains("certificate"), "{message}");
    // Verification can only be turned off explicitly.
    let r = resolver(tls(json!({"tls_verify": false})));
    assert!(r.resolve("avance").is_ok());
}

#[test]
fn credentials_are_required_checked_and_never_shown() {
    let Some(server) = Slapd::start() else { return };
    let wrong = "wrong-password-hunter2";
    let r = resolver(with(
        plain(&server),
        json!({"bind_password_file": server.password_file(wrong)}),
    ));
    let message = failed(r.resolve("avance"));
    assert!(
        message.contains("49") || message.to_lowercase().contains("invalid"),
        "{message}"
    );
    assert!(
        !message.contains(wrong) && !format!("{r:?}").contains(wrong),
        "{message}"
    );
    assert!(!format!("{r:?}").contains(PASSWORD));

    // Anonymous: the ACL hides everything, the base DN included.
    let anonymous = resolver(with(
        plain(&server),
        json!({"bind_dn": null, "bind_password_file": null}),
    ));
    let message = failed(anonymous.resolve("avance"));
    assert!(
        message.contains("is not readable by an anonymous bind"),
        "{message}"
    );

    // Configuration mistakes are refused at init.
    let refuse = |config: Value, expect: &str| {
        let e = LdapResolver::init(config).expect_err("init should fail");
        assert!(e.contains(expect), "{e}");
        assert!(!e.contains(PASSWORD), "{e}");
    };
    refuse(
        with(plain(&server), json!({"bind_password": PASSWORD})),
        "inline passwords are not accepted",
    );
    refuse(
        with(plain(&server), json!({"allow_plaintext_bind": null})),
        "refusing to send the bind password unencrypted",
    );
    refuse(
        with(plain(&server), json!({"url": "http://127.0.0.1"})),
        "ldap:// or ldaps://",
    );
    refuse(
        with(
            plain(&server),
            json!({"bind_password_file": null, "bind_password_env": "EMAILPROF_TEST_UNSET_VARIABLE"}),
        ),
        "EMAILPROF_TEST_UNSET_VARIABLE",
    );
}

#[test]
fn out_of_process_with_the_password_from_the_environment() {
    let Some(server) = Slapd::start() else { return };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_emailprof-resolver-ldap"));
    cmd.env("EMAILPROF_TEST_LDAP_PASSWORD", PASSWORD);
    let config = with(
        plain(&server),
        json!({"bind_password_file": null, "bind_password_env": "EMAILPROF_TEST_LDAP_PASSWORD"}),
    );
    let r = ProcessResolver::spawn(cmd, config, Duration::from_secs(20)).unwrap();
    assert_eq!(r.info().name, "ldap");
    let ids: Vec<String> = ["avance", "nobody", "jdoe"].map(String::from).to_vec();
    let batch = r.resolve_batch(&ids);
    assert_eq!(
        batch[0].as_ref().unwrap().primary_smtp_address.as_deref(),
        Some("Adele.Vance@contoso.com")
    );
    assert!(matches!(batch[1], Err(ResolveError::NotFound(_))));
    assert_eq!(
        batch[2].as_ref().unwrap().netbios_name.as_deref(),
        Some("CONTOSO-EMEA")
    );
}
