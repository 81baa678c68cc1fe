//! Microsoft Entra ID exports as `--directory` for `emit` and `batch`: every shape (fixtures in
//! crates/emailprof-directory/tests/data/entra, their sources in its SOURCES.md), users found
//! by UPN or object id, `--netbios` for the NetBIOS names Graph does not have, and cloud-only
//! users failing by name while the others go on.

use crate::support::{batch, emit, jsonl_file, root, stderr, stdout};

const DATA: &str = "crates/emailprof-directory/tests/data/entra";
/// The shapes that carry the on-premises attributes: a Graph page (List users,
/// https://learn.microsoft.com/en-us/graph/api/user-list?view=graph-rest-1.0), pages as JSON
/// lines (https://learn.microsoft.com/en-us/graph/paging) and `Get-MgUser | ConvertTo-Json`
/// (https://learn.microsoft.com/en-us/powershell/module/microsoft.graph.users/get-mguser).
const SYNCED_SHAPES: [&str; 4] = [
    "graph-page.json",
    "graph-pages.jsonl",
    "get-mguser.json",
    "get-mguser-single.json",
];
const ADELE_ID: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";

fn file(name: &str) -> String {
    format!("{DATA}/{name}")
}

#[test]
fn emit_finds_a_user_by_upn_or_object_id_in_every_shape() {
    for shape in SYNCED_SHAPES {
        for id in ["AdeleV@contoso.com", ADELE_ID] {
            let o = emit("examples/contoso.yaml", "ios")
                .user(id)
                .directory(file(shape))
                .flag("--netbios", "contoso.com=CONTOSO")
                .success();
            let out = stdout(&o);
            assert!(
                out.contains("<string>CONTOSO\\AdeleV</string>"),
                "{shape} {id}"
            );
            // The upper-case SMTP: proxy address is the primary address.
            assert!(
                out.contains("<string>Adele.Vance@contoso.com</string>"),
                "{shape}"
            );
        }
    }
}

#[test]
fn emit_without_the_netbios_mapping_names_it() {
    let o = emit("examples/contoso.yaml", "ios")
        .user("AdeleV@contoso.com")
        .directory(file("graph-page.json"))
        .code(2);
    assert!(
        stderr(&o).contains(
            "user `AdeleV@contoso.com`: the profile needs the NetBIOS domain name of contoso.com, which the directory does not give; give --netbios contoso.com=NAME"
        ),
        "{}",
        stderr(&o)
    );
    // A mapping for another domain does not help, and says the same.
    let o = emit("examples/contoso.yaml", "ios")
        .user("AdeleV@contoso.com")
        .directory(file("graph-page.json"))
        .flag("--netbios", "fabrikam.com=FABRIKAM")
        .code(2);
    assert!(stderr(&o).contains("give --netbios contoso.com=NAME"));
    let o = emit("examples/contoso.yaml", "ios")
        .user("AdeleV@contoso.com")
        .directory(file("graph-page.json"))
        .flag("--netbios", "contoso.com")
        .code(2);
    assert!(stderr(&o).contains("FQDN=NAME"), "{}", stderr(&o));
}

#[test]
fn emit_for_a_cloud_only_user_fails_by_name() {
    let o = emit("examples/contoso.yaml", "ios")
        .user("Adams@contoso.com")
        .directory(file("graph-page.json"))
        .flag("--netbios", "contoso.com=CONTOSO")
        .code(2);
    let e = stderr(&o);
    assert!(
        e.contains("user `Adams@contoso.com`: the directory has no sAMAccountName"),
        "{e}"
    );
}

#[test]
fn batch_emits_the_synced_users_and_fails_the_cloud_only_one_in_every_shape() {
    for shape in SYNCED_SHAPES {
        // Every file but the single user has the cloud-only user: one failure, exit 1.
        let cloud_only = shape != "get-mguser-single.json";
        let tmp = tempfile::tempdir().unwrap();
        let jsonl = tmp.path().join("out.jsonl");
        batch("examples/contoso.yaml", "ios,windows")
            .quiet()
            .directory(file(shape))
            .flag("--netbios", "contoso.com=CONTOSO")
            .flag("--jsonl", &jsonl)
            .code(i32::from(cloud_only));
        let mut users: Vec<String> = jsonl_file(&jsonl)
            .iter()
            .map(|v| {
                format!(
                    "{}/{}",
                    v["platform"].as_str().unwrap(),
                    v["user"].as_str().unwrap()
                )
            })
            .collect();
        users.sort();
        let mut expected = vec!["ios/AdeleV@contoso.com", "windows/AdeleV@contoso.com"];
        if shape.starts_with("graph") {
            expected.extend(["ios/AlexW@contoso.com", "windows/AlexW@contoso.com"]);
        }
        expected.sort();
        assert_eq!(users, expected, "{shape}");
        let report: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(tmp.path().join("out.jsonl.report.json")).unwrap(),
        )
        .unwrap();
        let failures = report["failures"].as_array().unwrap();
        assert_eq!(failures.len(), usize::from(cloud_only), "{shape}: {report}");
        if cloud_only {
            assert_eq!(failures[0]["user"], "Adams@contoso.com");
            let reason = failures[0]["reason"].as_str().unwrap();
            assert!(reason.contains("has no sAMAccountName"), "{reason}");
        }
    }
}

#[test]
fn batch_without_netbios_names_the_mapping_for_every_user() {
    let tmp = tempfile::tempdir().unwrap();
    let jsonl = tmp.path().join("out.jsonl");
    batch("examples/contoso.yaml", "ios")
        .quiet()
        .directory(file("graph-pages.jsonl"))
        .flag("--jsonl", &jsonl)
        .code(1);
    let report = std::fs::read_to_string(tmp.path().join("out.jsonl.report.json")).unwrap();
    assert_eq!(
        report.matches("give --netbios contoso.com=NAME").count(),
        2,
        "{report}"
    );
}

#[test]
fn az_user_list_serves_a_upn_profile() {
    // `az ad user list`: https://learn.microsoft.com/cli/azure/ad/user#az-ad-user-list
    let tmp = tempfile::tempdir().unwrap();
    let jsonl = tmp.path().join("out.jsonl");
    batch("examples/minimal.yaml", "ios")
        .quiet()
        .directory(file("az-user-list.json"))
        .flag("--jsonl", &jsonl)
        .success();
    let users: Vec<_> = jsonl_file(&jsonl)
        .iter()
        .map(|v| v["user"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(users, ["Adams@contoso.com", "AdeleV@contoso.com"]);
    let o = emit("examples/minimal.yaml", "ios")
        .user(ADELE_ID)
        .directory(file("az-user-list.json"))
        .success();
    assert!(stdout(&o).contains("<string>AdeleV@contoso.com</string>"));
}

#[test]
fn a_broken_page_stops_the_batch_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let pages = tmp.path().join("pages.jsonl");
    let good = std::fs::read_to_string(root().join(file("graph-pages.jsonl"))).unwrap();
    let first = good.lines().next().unwrap();
    std::fs::write(&pages, format!("{first}\n{{\"value\": [{{\"id\": 5}}]}}\n")).unwrap();
    let o = batch("examples/minimal.yaml", "ios")
        .quiet()
        .directory(&pages)
        .flag("--jsonl", tmp.path().join("out.jsonl"))
        .code(2);
    assert!(
        stderr(&o)
            .contains("JSON line 2: invalid type: integer `5`, expected a string or null for `id`"),
        "{}",
        stderr(&o)
    );
}
