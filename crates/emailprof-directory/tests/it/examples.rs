//! `examples/directory.{csv,json,ldif}` describe the same six Contoso users in three shapes
//! (explicit columns; an AD-style export with proxyAddresses and a DN; an LDIF export with
//! crossRef records), so they must parse to the same attributes.

use emailprof_attributes::{AttributeResolver, DirectoryAttributes, ResolveError};
use emailprof_directory::{Directory, DirectoryFileResolver, DirectoryFormat};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

fn load(name: &str) -> Directory {
    let path = format!("{EXAMPLES}/{name}");
    let format = DirectoryFormat::from_path(&path).expect("known extension");
    let bytes = std::fs::read(&path).expect("example file exists");
    Directory::parse(&bytes, format).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn users(d: &Directory) -> Vec<DirectoryAttributes> {
    d.users().cloned().collect()
}

#[test]
fn csv_json_and_ldif_examples_agree() {
    let csv = load("directory.csv");
    let json = load("directory.json");
    let ldif = load("directory.ldif");
    assert_eq!(csv.len(), 6);
    assert_eq!(users(&csv), users(&json), "CSV vs JSON");
    assert_eq!(users(&csv), users(&ldif), "CSV vs LDIF");
    assert!(csv.ignored_fields().is_empty());
    assert!(json.ignored_fields().is_empty());
}

#[test]
fn example_rules_hold() {
    let ldif = load("directory.ldif");
    // Primary SMTP from the upper-case SMTP: proxy address, not `mail`.
    let adele = ldif.get("avance").unwrap();
    assert_eq!(
        adele.primary_smtp_address.as_deref(),
        Some("Adele.Vance@contoso.com")
    );
    assert_ne!(adele.primary_smtp_address, adele.user_principal_name);
    // No sAMAccountName: keyed by the UPN's local part, attribute missing.
    let megan = ldif.get("megan.bowen").unwrap();
    assert_eq!(megan.sam_account_name, None);
    // Child domain: FQDN from the DC components, NetBIOS from its own crossRef.
    let john = ldif.get("jdoe").unwrap();
    assert_eq!(john.domain_fqdn.as_deref(), Some("emea.contoso.com"));
    assert_eq!(john.netbios_name.as_deref(), Some("CONTOSO-EMEA"));
    // The group and the computer account are not users.
    assert!(ldif.get("Staff").is_none());
    assert!(ldif.get("WS01$").is_none());
}

#[test]
fn resolver_over_the_example() {
    let r = DirectoryFileResolver::new(load("directory.csv"), "examples/directory.csv");
    assert_eq!(r.describe(), "directory file examples/directory.csv");
    assert_eq!(
        r.resolve("USER1").unwrap().user_id,
        "user1",
        "case-insensitive fallback"
    );
    assert_eq!(
        r.resolve("nobody"),
        Err(ResolveError::NotFound("nobody".to_owned()))
    );
    let ids: Vec<String> = vec!["user2".into(), "nobody".into(), "jdoe".into()];
    let batch = r.resolve_batch(&ids);
    assert_eq!(batch.len(), 3);
    assert!(batch[0].is_ok() && batch[1].is_err() && batch[2].is_ok());
}

#[test]
fn case_variants_are_ambiguous_not_guessed() {
    let d = Directory::parse(
        b"id,upn\nAlice,a1@contoso.com\nalice,a2@contoso.com\n",
        DirectoryFormat::Csv,
    )
    .unwrap();
    assert_eq!(
        d.get("Alice").unwrap().user_principal_name.as_deref(),
        Some("a1@contoso.com")
    );
    assert_eq!(
        d.lookup("ALICE"),
        Err(ResolveError::Ambiguous {
            user_id: "ALICE".to_owned(),
            count: 2
        })
    );
}

#[test]
fn format_from_path() {
    assert_eq!(
        DirectoryFormat::from_path("a/b/users.CSV"),
        Some(DirectoryFormat::Csv)
    );
    assert_eq!(
        DirectoryFormat::from_path("users.json"),
        Some(DirectoryFormat::Json)
    );
    assert_eq!(
        DirectoryFormat::from_path(r"C:\x\export.ldf"),
        Some(DirectoryFormat::Ldif)
    );
    assert_eq!(
        DirectoryFormat::from_path("users.ldif"),
        Some(DirectoryFormat::Ldif)
    );
    assert_eq!(
        DirectoryFormat::from_path("graph-pages.JSONL"),
        Some(DirectoryFormat::Json)
    );
    assert_eq!(DirectoryFormat::from_path("users"), None);
    assert_eq!(DirectoryFormat::from_path("dir.csv/users"), None);
    assert_eq!(DirectoryFormat::from_path("users.xlsx"), None);
}
