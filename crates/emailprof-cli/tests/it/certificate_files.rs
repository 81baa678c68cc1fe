//! Wrong values refused before anything is written: a PKCS#12 passphrase that does not open
//! its file, and certificate files that are missing or are not certificates (issue 15).

use std::path::Path;

use crate::support::{Cli, batch, cli, emit, files_below, openssl, root, signing_identity, stderr};

/// `cli` with `--include-password`, the S/MIME PKCS#12 passphrase set to `passphrase`.
fn contoso_with_passphrase(cli: Cli, passphrase: &str) -> Cli {
    cli.arg("--include-password")
        .env("CONTOSO_SMIME_PASSPHRASE", passphrase)
        .env("CONTOSO_EAS_PASSWORD", "a-password")
}

#[test]
fn a_pkcs12_passphrase_that_does_not_open_the_file_is_refused_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("user1.mobileconfig");
    let wrong = "not-the-passphrase";
    let o = contoso_with_passphrase(emit("examples/contoso.yaml", "ios").user("user1"), wrong)
        .directory("examples/directory.csv")
        .out(&out)
        .code(2);
    let err = stderr(&o);
    assert!(err.contains("certificate `smime`"), "{err}");
    assert!(err.contains("the passphrase does not open"), "{err}");
    assert!(err.contains("smime.p12"), "{err}");
    assert!(!err.contains(wrong), "the passphrase is never shown: {err}");
    assert!(!out.exists(), "nothing is written");

    // batch: refused before any user, so nothing at all is written.
    let dir = tmp.path().join("batch");
    let o = contoso_with_passphrase(batch("examples/contoso.yaml", "ios,windows"), wrong)
        .directory("examples/directory.csv")
        .out(&dir)
        .quiet()
        .code(2);
    assert!(stderr(&o).contains("certificate `smime`"), "{}", stderr(&o));
    assert!(
        !dir.exists() || files_below(&dir).is_empty(),
        "{:?}",
        files_below(&dir)
    );

    // The right passphrase is embedded, in emit and in batch (over the example directory's
    // first two users: others there fail on purpose).
    contoso_with_passphrase(
        emit("examples/contoso.yaml", "ios").user("user1"),
        "example-only",
    )
    .directory("examples/directory.csv")
    .out(&out)
    .success();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.contains("example-only"),
        "the passphrase is embedded"
    );
    let example = std::fs::read_to_string(root().join("examples/directory.csv")).unwrap();
    let two_users: String = example.lines().take(3).map(|l| format!("{l}\n")).collect();
    let users = tmp.path().join("users.csv");
    std::fs::write(&users, two_users).unwrap();
    contoso_with_passphrase(batch("examples/contoso.yaml", "ios"), "example-only")
        .directory(&users)
        .out(&dir)
        .quiet()
        .success();
    assert!(!files_below(&dir).is_empty());
}

/// A profile in `dir` whose identity is the PKCS#12 file `p12` and whose CA certificate is
/// `ca` (paths relative to `dir`).
fn profile_naming(dir: &Path, p12: &str, ca: &str) -> std::path::PathBuf {
    let text = format!(
        "displayName: Contoso
identifier: com.contoso.mail
account:
  server: mail.contoso.com
  accountName: Mail
  authentication:
    method: certificate
    identityCertificate: id
certificates:
  id:
    kind: pkcs12
    pkcs12:
      file: {p12}
      passphrase:
        env: TEST_P12_PASSPHRASE
  root:
    kind: ca
    ca:
      file: {ca}
"
    );
    let path = dir.join("profile.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn certificate_files_are_checked_by_validate_and_emit_refuses_before_emitting() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let certs = root().join("examples/certs");
    std::fs::copy(certs.join("smime.p12"), d.join("id.p12")).unwrap();
    std::fs::copy(certs.join("contoso-root.pem"), d.join("root.pem")).unwrap();
    std::fs::write(d.join("notes.txt"), "the root CA is on the intranet\n").unwrap();

    // The real files pass.
    let good = profile_naming(d, "id.p12", "root.pem");
    cli(["validate"]).arg(&good).success();

    let cases = [
        // A PKCS#12 file that is not there.
        (
            ("missing.p12", "root.pem"),
            "profile.yaml:13:13: error: /certificates/id/pkcs12/file: certificate `id`: cannot read `missing.p12`",
        ),
        // A PEM certificate named as the PKCS#12 identity.
        (
            ("root.pem", "root.pem"),
            "profile.yaml:13:13: error: /certificates/id/pkcs12/file: certificate `id`: `root.pem` is not a PKCS#12 file",
        ),
        // A text file named as the CA certificate.
        (
            ("id.p12", "notes.txt"),
            "profile.yaml:19:13: error: /certificates/root/ca/file: certificate `root`: `notes.txt` is not an X.509 certificate",
        ),
    ];
    for ((p12, ca), want) in cases {
        let profile = profile_naming(d, p12, ca);
        let o = cli(["validate"]).arg(&profile).code(2);
        assert!(stderr(&o).contains(want), "{want}\n{}", stderr(&o));
        // emit refuses the same profile before emitting anything.
        let out = d.join("out.mobileconfig");
        let o = emit(&profile, "ios")
            .directory("examples/directory.csv")
            .user("user1")
            .out(&out)
            .code(2);
        assert!(stderr(&o).contains(want), "emit: {}", stderr(&o));
        assert!(!out.exists());
    }
}

/// PKCS#12 files as OpenSSL writes them: legacy (SHA-1 MAC, 3DES) is checked like the modern
/// form; a file without a MAC cannot be checked, which is said, and is not an error.
#[test]
fn legacy_files_are_checked_and_a_file_without_a_mac_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    signing_identity(d);
    openssl(
        d,
        "pkcs12 -export -in c.pem -inkey k.pem -passout pass:legacy-one -out legacy.p12 -macalg sha1 -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES",
        None,
    );
    openssl(
        d,
        "pkcs12 -export -in c.pem -inkey k.pem -passout pass:nomac-one -out nomac.p12 -nomac",
        None,
    );
    std::fs::copy(
        root().join("examples/certs/contoso-root.pem"),
        d.join("root.pem"),
    )
    .unwrap();
    let run = |p12: &str, passphrase: &str| {
        emit(profile_naming(d, p12, "root.pem"), "ios")
            .directory("examples/directory.csv")
            .user("user1")
            .arg("--include-password")
            .env("TEST_P12_PASSPHRASE", passphrase)
    };
    run("legacy.p12", "legacy-one").success();
    let o = run("legacy.p12", "legacy-two").code(2);
    assert!(
        stderr(&o).contains("the passphrase does not open"),
        "{}",
        stderr(&o)
    );
    let o = run("nomac.p12", "anything").success();
    let said = "cannot be checked before it is embedded: it has no password MAC";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    // batch says it too.
    let example = std::fs::read_to_string(root().join("examples/directory.csv")).unwrap();
    let one_user: String = example.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(d.join("users.csv"), one_user).unwrap();
    let profile = profile_naming(d, "nomac.p12", "root.pem");
    let o = batch(profile.to_str().unwrap(), "ios")
        .directory(d.join("users.csv"))
        .arg("--include-password")
        .env("TEST_P12_PASSPHRASE", "anything")
        .out(d.join("out"))
        .success();
    assert!(stderr(&o).contains(said), "batch: {}", stderr(&o));
}
