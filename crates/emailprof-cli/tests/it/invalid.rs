//! The corpus of invalid profiles in `tests/invalid/`: each file states the exact errors it must
//! produce (pointer, line:column, message), in `# expect:` lines or a sibling `.expect` file.
//! Every error must be expected and every expectation met.

use crate::support::{cli, json_lines_of, root, stderr, stdout};

fn expectations(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(str::to_owned)
        .collect();
    let sibling = path.with_extension("expect");
    if let Ok(extra) = std::fs::read_to_string(sibling) {
        out.extend(
            extra
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned),
        );
    }
    out
}

#[test]
fn every_invalid_profile_reports_exactly_its_errors() {
    let dir = root().join("tests/invalid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "expect"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "the corpus has only {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let expected = expectations(file);
        assert!(
            !expected.is_empty(),
            "{} states no expectation",
            file.display()
        );
        let out = cli(["validate"]).arg(file).json().output();
        if out.status.code() != Some(2) {
            failures.push(format!(
                "{}: exit code {:?}, want 2",
                file.display(),
                out.status.code()
            ));
        }
        let mut got: Vec<String> = json_lines_of(&out, "finding")
            .into_iter()
            .filter(|v| v["severity"] == "error")
            .map(|v| {
                let pointer = v["pointer"].as_str().unwrap();
                let message = v["message"].as_str().unwrap();
                assert!(
                    v["expected"].is_string(),
                    "{}: no 'expected' for {message}",
                    file.display()
                );
                assert_eq!(v["file"].as_str().unwrap(), file.to_str().unwrap());
                format!(
                    "{} {}:{} {}",
                    if pointer.is_empty() { "/" } else { pointer },
                    v["line"],
                    v["column"],
                    message
                )
            })
            .collect();
        got.sort();
        let mut want = expected.clone();
        want.sort();
        // A syntax error's message carries the parser's words; the expectation is its prefix.
        let matches = got.len() == want.len()
            && got
                .iter()
                .zip(&want)
                .all(|(g, w)| g == w || (w.ends_with("invalid YAML") && g.starts_with(w.as_str())));
        if !matches {
            failures.push(format!(
                "{}:\n  want {want:#?}\n  got  {got:#?}",
                file.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn human_output_names_file_line_column_pointer_and_what_is_valid() {
    let out = cli(["validate", "tests/invalid/08-bad-username-source.yaml"]).code(2);
    let err = stderr(&out);
    assert!(
        err.contains("tests/invalid/08-bad-username-source.yaml:8:13: error: /account/username/source: `upn` is not a valid value"),
        "{err}"
    );
    assert!(
        err.contains(
            "expected: one of `userPrincipalName`, `primarySmtpAddress`, `samAccountName`"
        ),
        "{err}"
    );
}

#[test]
fn inline_secrets_never_reach_the_output() {
    for args in [
        vec!["validate"],
        vec!["--json", "validate"],
        vec!["-vv", "validate"],
    ] {
        let out = cli(&args)
            .env("RUST_LOG", "trace")
            .arg("tests/invalid/32-inline-secret-refused.yaml")
            .output();
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            !all.contains("hunter2"),
            "secret leaked with {args:?}: {all}"
        );
    }
    // Allowed explicitly, the profile is valid, and still nothing shows the value.
    let out = cli([
        "validate",
        "--allow-inline-secrets",
        "tests/invalid/32-inline-secret-refused.yaml",
    ])
    .success();
    assert!(!stderr(&out).contains("hunter2"));
}
