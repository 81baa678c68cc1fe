//! Issue 17: listing the users with a paged search (across pages, under a server size limit
//! that a plain search hits), a size limit that cuts the listing (an error, not a short
//! listing), nested group membership, injection in group DNs and ids, and batches of ids
//! resolved a chunk at a time with the same answers as one id at a time.

use std::collections::BTreeSet;
use std::process::Command;

use emailprof_resolver_ldap::LdapResolver;
use resolver_sdk::{DirectoryAttributes, ListedUser, ResolveError, Resolver};
use serde_json::{Value, json};

use crate::slapd::{BASE_DN, BIND_DN, PASSWORD, Slapd};

/// Users in the listed container: more than the server's size limit below.
const USERS: usize = 130;
const CONTAINER: &str = "CN=Paged,DC=contoso,DC=com";
/// A plain search returns at most this many entries; paged searches have no total limit.
const LIMITS: &str = "limits users size.soft=50 size.hard=50 size.pr=50 size.prtotal=unlimited";

fn id(i: usize) -> String {
    format!("pg{i:03}")
}

/// The users, and groups: `Outer` holds pg000, pg001 and the group `Inner`, which holds pg002
/// and the group `Innermost` (pg003); `Other` holds pg004.
fn ldif() -> String {
    let mut ldif = format!("dn: {CONTAINER}\nobjectClass: container\ncn: Paged\n\n");
    for i in 0..USERS {
        ldif.push_str(&format!(
            "dn: CN=Paged User {i:03},{CONTAINER}\n\
             objectClass: user\n\
             cn: Paged User {i:03}\n\
             sn: User{i:03}\n\
             sAMAccountName: {}\n\
             userPrincipalName: {}@contoso.com\n\
             proxyAddresses: SMTP:{}@contoso.com\n\n",
            id(i),
            id(i),
            id(i)
        ));
    }
    let user = |i: usize| format!("CN=Paged User {i:03},{CONTAINER}");
    let groups = [
        (
            "Outer",
            vec![user(0), user(1), format!("CN=Inner,{BASE_DN}")],
        ),
        ("Inner", vec![user(2), format!("CN=Innermost,{BASE_DN}")]),
        ("Innermost", vec![user(3)]),
        ("Other", vec![user(4)]),
    ];
    for (name, members) in groups {
        ldif.push_str(&format!(
            "dn: CN={name},{BASE_DN}\nobjectClass: group\ncn: {name}\n"
        ));
        for m in members {
            ldif.push_str(&format!("member: {m}\n"));
        }
        ldif.push('\n');
    }
    ldif
}

fn config(server: &Slapd, users: Value) -> Value {
    json!({
        "url": server.ldap_url(),
        "base_dn": BASE_DN,
        "bind_dn": BIND_DN,
        "bind_password_file": server.password_file(PASSWORD),
        "allow_plaintext_bind": true,
        "timeout_secs": 5,
        "netbios_name": "CONTOSO",
        "users": users,
    })
}

fn resolver(config: Value) -> LdapResolver {
    LdapResolver::init(config).unwrap_or_else(|e| panic!("init: {e}"))
}

/// Every batch of a listing, or its error.
fn list(r: &LdapResolver) -> Result<Vec<Vec<ListedUser>>, String> {
    let listing = r
        .list_users()
        .expect("the LDAP plugin lists")
        .map_err(|e| format!("open: {e}"))?;
    listing.collect()
}

fn ids_of(batches: &[Vec<ListedUser>]) -> Vec<String> {
    batches.iter().flatten().map(|(id, _)| id.clone()).collect()
}

#[test]
fn lists_every_user_across_pages_past_the_size_limit() {
    let Some(server) = Slapd::start_configured(&ldif(), LIMITS) else {
        return;
    };
    // The limit is real: a plain search of the container stops at 50 entries (result 4).
    let plain = Command::new("ldapsearch")
        .args([
            "-x",
            "-LLL",
            "-H",
            &server.ldap_url(),
            "-D",
            BIND_DN,
            "-w",
            PASSWORD,
        ])
        .args(["-b", CONTAINER, "(objectClass=user)", "sAMAccountName"])
        .output()
        .expect("run ldapsearch");
    assert_eq!(plain.status.code(), Some(4), "{plain:?}");

    let r = resolver(config(
        &server,
        json!({"base_dn": CONTAINER, "page_size": 20}),
    ));
    let batches = list(&r).expect("a complete listing");
    assert_eq!(batches.len(), USERS.div_ceil(20), "one batch per page");
    assert!(batches.iter().all(|b| b.len() <= 20));
    let ids = ids_of(&batches);
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), USERS);
    assert_eq!(unique.len(), USERS, "a user listed twice");
    assert_eq!(
        unique,
        (0..USERS).map(id).collect::<Vec<_>>().iter().collect()
    );
    // Each listed user carries the attributes a lookup gives.
    for (id, attrs) in batches.iter().flatten().take(3) {
        assert_eq!(attrs.as_ref().unwrap(), &r.resolve(id).unwrap());
    }
    let (id0, attrs0) = &batches[0][0];
    assert_eq!(
        attrs0.as_ref().unwrap(),
        &DirectoryAttributes {
            user_id: id0.clone(),
            user_principal_name: Some(format!("{id0}@contoso.com")),
            primary_smtp_address: Some(format!("{id0}@contoso.com")),
            sam_account_name: Some(id0.clone()),
            domain_fqdn: Some("contoso.com".into()),
            netbios_name: Some("CONTOSO".into()),
        }
    );
}

#[test]
fn a_size_limit_on_the_paged_search_fails_the_listing() {
    let limits = "limits users size.soft=50 size.hard=50 size.pr=20 size.prtotal=60";
    let Some(server) = Slapd::start_configured(&ldif(), limits) else {
        return;
    };
    let r = resolver(config(
        &server,
        json!({"base_dn": CONTAINER, "page_size": 20}),
    ));
    let listing = r.list_users().unwrap().unwrap();
    let mut listed = 0;
    let mut error = None;
    for batch in listing {
        match batch {
            Ok(users) => listed += users.len(),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let error = error.unwrap_or_else(|| panic!("a short listing of {listed} looked complete"));
    assert!(listed < USERS, "{listed}");
    assert!(
        error.contains("size limit") && error.contains(&format!("after {listed} users")),
        "{error}"
    );
}

#[test]
fn member_of_lists_nested_members_only() {
    let Some(server) = Slapd::start_with(&ldif()) else {
        return;
    };
    let group = |name: &str| format!("CN={name},{BASE_DN}");
    let listed = |member_of: String| {
        let r = resolver(config(
            &server,
            json!({"base_dn": CONTAINER, "page_size": 7, "member_of": member_of}),
        ));
        let mut ids = ids_of(&list(&r).expect("a listing"));
        ids.sort();
        ids
    };
    assert_eq!(listed(group("Outer")), ["pg000", "pg001", "pg002", "pg003"]);
    assert_eq!(listed(group("Inner")), ["pg002", "pg003"]);
    // DNs compare as DNs: case and spacing do not matter.
    assert_eq!(listed("cn=other, dc=CONTOSO,dc=com".into()), ["pg004"]);

    // A group DN is never filter syntax: these name no group, so nothing is listed.
    for hostile in [
        format!("CN=Outer,{BASE_DN})(objectClass=*"),
        "*".to_owned(),
        format!("CN=Outer*,{BASE_DN}"),
    ] {
        let r = resolver(config(
            &server,
            json!({"base_dn": CONTAINER, "member_of": hostile}),
        ));
        let Err(e) = list(&r) else {
            panic!("`{hostile}` listed users")
        };
        assert!(e.contains("no group"), "{hostile}: {e}");
    }
}

#[test]
fn a_batch_of_ids_resolves_in_chunks_as_one_at_a_time() {
    let Some(server) = Slapd::start_with(&ldif()) else {
        return;
    };
    let r = resolver(config(&server, json!({})));
    // Found, case-folded, missing, ambiguous, empty, and filter syntax that must match nothing.
    let mut ids: Vec<String> = (0..USERS).map(id).collect();
    ids.extend(
        [
            "PG007",
            "nobody",
            "dup",
            "",
            "*",
            "*)(sAMAccountName=*",
            "pg0*",
            "avance",
            "jdoe",
            "staff",
            "pg001)(|(cn=*",
        ]
        .map(String::from),
    );
    ids.extend((0..40).map(|i| id(i * 3)));
    let batch = r.resolve_batch(&ids);
    assert_eq!(batch.len(), ids.len());
    for (id, got) in ids.iter().zip(&batch) {
        assert_eq!(got, &r.resolve(id), "{id}");
    }
    assert!(matches!(batch[USERS + 1], Err(ResolveError::NotFound(_))));
    assert!(matches!(
        batch[USERS + 2],
        Err(ResolveError::Ambiguous { count: 2, .. })
    ));
    for hostile in 4..7 {
        assert!(
            matches!(batch[USERS + hostile], Err(ResolveError::NotFound(_))),
            "{:?}",
            batch[USERS + hostile]
        );
    }
}

/// Searches the server has completed, from its monitor backend.
fn searches(server: &Slapd) -> u64 {
    let out = Command::new("ldapsearch")
        .args([
            "-x",
            "-LLL",
            "-H",
            &server.ldap_url(),
            "-D",
            BIND_DN,
            "-w",
            PASSWORD,
        ])
        .args(["-b", "cn=Search,cn=Operations,cn=Monitor", "-s", "base"])
        .arg("monitorOpCompleted")
        .output()
        .expect("run ldapsearch");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("monitorOpCompleted: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no search count from cn=Monitor: {out:?}"))
}

/// Issue 17: a batch of ids costs a few OR-filter searches, not one search per id (the
/// SDK's default, 15.6x slower than a listing). Counted by the server itself.
#[test]
fn a_batch_of_ids_costs_a_few_searches_not_one_per_id() {
    let monitor = "database monitor\naccess to dn.subtree=\"cn=Monitor\" by users read";
    let Some(server) = Slapd::start_configured(&ldif(), monitor) else {
        return;
    };
    let r = resolver(config(&server, json!({})));
    let ids: Vec<String> = (0..USERS).map(id).collect();
    // Connected, bound and the NetBIOS name settled before counting.
    assert!(r.resolve(&ids[0]).is_ok());
    let before = searches(&server);
    let results = r.resolve_batch(&ids);
    let after = searches(&server);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    // 130 ids: four chunks of 33 on four connections (and the counting search itself).
    let used = after - before;
    assert!((4..=8).contains(&used), "{used} searches for {USERS} ids");
}

/// A subtree held by another server (a referral object) makes a subtree search return a
/// continuation reference: the listing fails by default (users there would be missing), and
/// lists the rest only when told to skip references.
#[test]
fn continuation_references_fail_the_listing_unless_skipped() {
    let referral = format!(
        "dn: CN=Elsewhere,{CONTAINER}\n\
         objectClass: referral\n\
         objectClass: extensibleObject\n\
         cn: Elsewhere\n\
         ref: ldap://dc2.contoso.com/CN=Elsewhere,{CONTAINER}\n"
    );
    let Some(server) = Slapd::start_with(&format!("{}\n{referral}", ldif())) else {
        return;
    };
    let r = resolver(config(&server, json!({"base_dn": CONTAINER})));
    let Err(e) = list(&r) else {
        panic!("a listing with a continuation reference looked complete")
    };
    assert!(
        e.contains("continuation references") && e.contains("dc2.contoso.com"),
        "{e}"
    );
    let r = resolver(config(
        &server,
        json!({"base_dn": CONTAINER, "skip_references": true}),
    ));
    assert_eq!(ids_of(&list(&r).expect("a listing")).len(), USERS);
}
