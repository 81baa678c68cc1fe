//! Byte-identical outputs across refactors: every example profile through every platform, form
//! and export, plus signed output, batch JSON lines, validation and the capability matrix, run
//! through the real binary and compared with the outputs committed in `tests/golden/`.
//!
//! The committed files were written by the release before the library/CLI redesign (issue 13),
//! so this test proves the redesign changed no byte. A deliberate change of output re-blesses
//! them with `EMAILPROF_BLESS_GOLDEN=1 cargo test -p emailprof-cli --test it golden` and says
//! why in its commit.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::support::{emailprof, root};

const EXAMPLES: [&str; 3] = ["basic-auth", "contoso", "minimal"];
const PLATFORMS: [&str; 7] = [
    "ios",
    "ios-outlook",
    "windows",
    "android-gmail",
    "android-outlook",
    "android-samsung",
    "android-knox",
];

struct Case {
    name: String,
    args: Vec<OsString>,
    env: Vec<(&'static str, &'static str)>,
    /// A file the command writes, compared instead of stdout.
    out_file: Option<PathBuf>,
}

fn case(name: String, args: &[&str]) -> Case {
    Case {
        name,
        args: args.iter().map(OsString::from).collect(),
        env: Vec::new(),
        out_file: None,
    }
}

const SECRETS: [(&str, &str); 2] = [
    ("CONTOSO_EAS_PASSWORD", "golden-password"),
    ("CONTOSO_SMIME_PASSPHRASE", "example-only"),
];

fn cases(scratch: &Path) -> Vec<Case> {
    let mut all = Vec::new();
    let dir = "examples/directory.csv";
    for ex in EXAMPLES {
        let profile = format!("examples/{ex}.yaml");
        all.push(case(
            format!("validate-{ex}"),
            &["--json", "validate", &profile],
        ));
        for p in PLATFORMS {
            all.push(case(
                format!("emit-{ex}-{p}"),
                &[
                    "emit",
                    &profile,
                    "--platform",
                    p,
                    "--user",
                    "avance",
                    "--directory",
                    dir,
                ],
            ));
            let mut with_secrets = case(
                format!("emit-{ex}-{p}-password"),
                &[
                    "--json",
                    "emit",
                    &profile,
                    "--platform",
                    p,
                    "--user",
                    "user1",
                    "--directory",
                    "examples/directory.json",
                    "--include-password",
                ],
            );
            with_secrets.env = SECRETS.to_vec();
            all.push(with_secrets);
            all.push(case(
                format!("emit-{ex}-{p}-placeholders-intune"),
                &[
                    "--json",
                    "emit",
                    &profile,
                    "--platform",
                    p,
                    "--placeholders",
                    "intune",
                ],
            ));
            // Gmail has two Graph types; the golden files pin the work-profile one.
            let mut export = vec!["export", "intune", &profile, "-p", p];
            if p == "android-gmail" {
                export.extend(["--graph-type", "androidWorkProfileGmailEasConfiguration"]);
            }
            all.push(case(format!("export-{ex}-{p}"), &export));
        }
        for extra in [
            &["--form", "intune-custom"][..],
            &["--replace"][..],
            &["--remove"][..],
        ] {
            let mut args = vec![
                "emit",
                &profile,
                "--platform",
                "windows",
                "--user",
                "user2",
                "--directory",
                "examples/directory.ldif",
            ];
            args.extend_from_slice(extra);
            all.push(case(format!("emit-{ex}-windows{}", extra.join("")), &args));
        }
        all.push(case(
            format!("emit-{ex}-ios-min-os-16"),
            &[
                "emit",
                &profile,
                "-p",
                "ios",
                "--user",
                "avance",
                "--directory",
                dir,
                "--min-os",
                "16.0",
            ],
        ));
        let key = scratch.join("signer.key");
        let mut signed = case(
            format!("emit-{ex}-ios-signed"),
            &[
                "emit",
                &profile,
                "-p",
                "ios",
                "--user",
                "avance",
                "--directory",
                dir,
                "--sign-cert",
                "tests/golden/signer/signer.pem",
                "--signing-time",
                "2026-01-02T03:04:05Z",
                "--sign-key",
            ],
        );
        signed.args.push(key.into_os_string());
        all.push(signed);
        let jsonl = scratch.join(format!("batch-{ex}.jsonl"));
        let mut batch = case(
            format!("batch-{ex}"),
            &[
                "batch",
                &profile,
                "--platforms",
                "ios,windows,android-gmail,android-outlook,android-knox",
                "--directory",
                dir,
                "--quiet",
                "-j",
                "1",
                "--jsonl",
            ],
        );
        batch.args.push(jsonl.clone().into_os_string());
        batch.out_file = Some(jsonl);
        all.push(batch);
    }
    for mdm in ["jamf", "google", "workspace-one", "kandji"] {
        all.push(case(
            format!("emit-minimal-ios-placeholders-{mdm}"),
            &[
                "--json",
                "emit",
                "examples/minimal.yaml",
                "-p",
                "ios",
                "--placeholders",
                mdm,
            ],
        ));
    }
    for (kind, input) in [
        ("mobileconfig", "emit-contoso-ios"),
        ("mobileconfig", "emit-basic-auth-ios-password"),
        ("mobileconfig", "emit-minimal-ios-min-os-16"),
        ("mobileconfig", "emit-contoso-ios-signed"),
        ("intune", "export-contoso-ios"),
        ("intune", "export-contoso-windows"),
        ("intune", "export-basic-auth-android-gmail"),
        ("intune", "export-contoso-android-knox"),
    ] {
        all.push(case(
            format!("import-{input}"),
            &["import", kind, &format!("tests/golden/{input}.out")],
        ));
    }
    all.push(case("platforms".into(), &["platforms"]));
    all.push(case("platforms-matrix".into(), &["platforms", "--matrix"]));
    all.push(case("schema".into(), &["schema"]));
    all.push(case(
        "diff-minimal-contoso".into(),
        &["diff", "examples/minimal.yaml", "examples/contoso.yaml"],
    ));
    all
}

fn render(code: Option<i32>, stderr: &[u8], scratch: &Path) -> String {
    // Temporary paths vary between runs; the rest of stderr is compared as is.
    let stderr =
        String::from_utf8_lossy(stderr).replace(&scratch.display().to_string(), "$SCRATCH");
    format!("exit: {code:?}\nstderr:\n{}", without_durations(&stderr))
}

/// `in 0.01s` → `in …s`: run times in summaries are not output.
fn without_durations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" in ") {
        let (head, tail) = rest.split_at(at + 4);
        out.push_str(head);
        let digits = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        if digits > 0 && tail[digits..].starts_with('s') {
            out.push('…');
            rest = &tail[digits..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn outputs_are_byte_identical_to_the_committed_release() {
    let golden = root().join("tests/golden");
    let bless = std::env::var_os("EMAILPROF_BLESS_GOLDEN").is_some();
    let scratch = tempfile::tempdir().unwrap();
    // The signing key is private (0600), so no permission warning depends on the checkout.
    let key = scratch.path().join("signer.key");
    std::fs::copy(golden.join("signer/signer.key"), &key).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();

    let mut mismatches = Vec::new();
    let all = cases(scratch.path());
    assert!(
        all.len() > 100,
        "the matrix covers every example and platform"
    );
    for c in &all {
        let mut cmd = emailprof();
        for var in SECRETS {
            cmd.env_remove(var.0);
        }
        cmd.envs(c.env.iter().copied()).args(&c.args);
        let o = cmd.output().unwrap();
        let bytes = match &c.out_file {
            Some(f) => std::fs::read(f).unwrap_or_default(),
            None => o.stdout.clone(),
        };
        let meta = render(o.status.code(), &o.stderr, scratch.path());
        let out_path = golden.join(format!("{}.out", c.name));
        let meta_path = golden.join(format!("{}.meta", c.name));
        if bless {
            std::fs::write(&out_path, &bytes).unwrap();
            std::fs::write(&meta_path, &meta).unwrap();
            continue;
        }
        let want = std::fs::read(&out_path)
            .unwrap_or_else(|e| panic!("{}: {e} (bless to create)", out_path.display()));
        let want_meta = std::fs::read_to_string(&meta_path).unwrap();
        if want != bytes {
            mismatches.push(format!("{}: output differs", c.name));
        }
        if want_meta != meta {
            mismatches.push(format!(
                "{}: exit/stderr differ\n--- committed\n{want_meta}\n--- now\n{meta}",
                c.name
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
