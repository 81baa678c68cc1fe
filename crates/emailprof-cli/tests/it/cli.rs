//! Exit codes, stdin, formats and the schema command.

use crate::support::{cli, emit, json_lines_of, root, stderr, stdout};

#[test]
fn valid_examples_exit_zero() {
    cli(["validate", "examples/minimal.yaml", "examples/contoso.yaml"]).success();
}

#[test]
fn all_files_are_checked_even_after_a_bad_one() {
    let out = cli([
        "validate",
        "tests/invalid/01-missing-server.yaml",
        "examples/minimal.yaml",
        "tests/invalid/02-server-wrong-type.yaml",
    ])
    .json()
    .code(2);
    let files: Vec<String> = json_lines_of(&out, "finding")
        .iter()
        .map(|v| v["file"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        files,
        [
            "tests/invalid/01-missing-server.yaml",
            "tests/invalid/02-server-wrong-type.yaml"
        ]
    );
}

#[test]
fn warnings_fail_only_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("partial.yaml");
    // Only some services sync while users may change that: a warning, per the settings text.
    std::fs::write(
        &p,
        "displayName: D\nidentifier: com.contoso.x\naccount:\n  server: m.contoso.com\n  accountName: M\nsync:\n  services: [email]\n",
    )
    .unwrap();
    let out = cli(["validate"]).arg(&p).success();
    assert!(
        stderr(&out).contains("warning: /sync/userCanChange"),
        "{}",
        stderr(&out)
    );
    cli(["validate", "--strict"]).arg(&p).code(2);
}

#[test]
fn usage_errors_and_missing_files_exit_two() {
    cli(["validate"]).code(2);
    let out = cli(["validate", "no/such/file.yaml"]).code(2);
    assert!(stderr(&out).contains("no/such/file.yaml"));
    let out = cli(["validate", "README.md"]).code(2);
    assert!(stderr(&out).contains("--format"), "{}", stderr(&out));
    let out = emit("examples/minimal.yaml", "amiga").user("user1").code(2);
    assert!(
        stderr(&out).contains("unknown platform `amiga`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let out = cli(["schema"]).success();
    let committed =
        std::fs::read_to_string(root().join("schemas/email-profile.schema.json")).unwrap();
    assert!(
        stdout(&out) == committed,
        "`emailprof schema` differs from schemas/email-profile.schema.json; run `cargo xtask codegen`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn schema_is_usable_by_form_generators() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/email-profile.schema.json")).unwrap(),
    )
    .unwrap();
    // Every property everywhere has an English title and description.
    let mut missing = Vec::new();
    fn walk(v: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
        if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
            for (name, p) in props {
                let here = format!("{path}/{name}");
                if name != "$schema" && (p.get("title").is_none() || p.get("description").is_none())
                {
                    missing.push(here.clone());
                }
                walk(p, &here, missing);
            }
        }
        if let Some(obj) = v.as_object() {
            for (k, child) in obj {
                // `if` holds conditions, not settings.
                if k != "properties" && k != "if" {
                    walk(child, &format!("{path}/{k}"), missing);
                }
            }
        } else if let Some(a) = v.as_array() {
            for (i, child) in a.iter().enumerate() {
                walk(child, &format!("{path}/{i}"), missing);
            }
        }
    }
    walk(&schema, "", &mut missing);
    assert!(
        missing.is_empty(),
        "properties without title/description: {missing:#?}"
    );
    // Enums carry labels.
    let source = &schema["$defs"]["UsernameSource"]["oneOf"];
    let labels: Vec<&str> = source
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "User principal name",
            "Primary SMTP address",
            "sAM account name"
        ]
    );
    // Conditional fields sit under if/then.
    let username = &schema["$defs"]["Username"];
    assert_eq!(
        username["allOf"][0]["if"]["properties"]["source"]["const"],
        "samAccountName"
    );
    assert!(username["allOf"][0]["then"]["properties"]["domain"].is_object());
    assert_eq!(username["unevaluatedProperties"], false);
    // Defaults are present.
    assert_eq!(
        schema["$defs"]["Account"]["properties"]["ssl"]["default"],
        true
    );
}

#[test]
fn emit_help_says_windows_syncml_has_no_header() {
    let help = stdout(&cli(["emit", "--help"]).success());
    // clap wraps lines: compare with whitespace runs collapsed.
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("no `<SyncHdr>`"), "{help}");
    assert!(help.contains("the body without `SyncHdr`"), "{help}");
}
