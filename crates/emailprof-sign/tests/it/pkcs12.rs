//! `pkcs12_passphrase_opens` against PKCS#12 files written by the OpenSSL CLI (modern, legacy,
//! other MAC digests, no MAC) and the example identity.

use emailprof_core::Secret;
use emailprof_sign::{Pkcs12Check, pkcs12_passphrase_opens};

use crate::pki::{Algo, Pki, openssl};

fn check(der: &[u8], passphrase: &str) -> Pkcs12Check {
    pkcs12_passphrase_opens(der, &Secret::new(passphrase)).expect("a PKCS#12 file")
}

/// `openssl pkcs12 -export` of the test leaf into `out` with `passphrase` and `extra` options.
fn export(pki: &Pki, out: &str, passphrase: &str, extra: &[&str]) -> Vec<u8> {
    let pass = format!("pass:{passphrase}");
    let mut args = vec![
        "pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-out", out, "-passout",
        &pass,
    ];
    args.extend_from_slice(extra);
    openssl(pki.dir.path(), &args);
    pki.read(out)
}

#[test]
fn the_example_identity_opens_with_its_passphrase_only() {
    let p12 = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/certs/smime.p12"),
    )
    .unwrap();
    assert_eq!(check(&p12, "example-only"), Pkcs12Check::Opens);
    assert_eq!(check(&p12, "example-only "), Pkcs12Check::WrongPassphrase);
    assert_eq!(check(&p12, ""), Pkcs12Check::WrongPassphrase);
}

#[test]
fn modern_legacy_and_other_digests_verify_with_the_right_passphrase() {
    let pki = Pki::new(Algo::P256);
    let cases: [(&str, &[&str]); 4] = [
        // OpenSSL 3's default: SHA-256 MAC, PBES2 with AES-256.
        ("modern.p12", &[]),
        (
            "legacy.p12",
            &[
                "-macalg",
                "sha1",
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
            ],
        ),
        ("sha512.p12", &["-macalg", "sha512"]),
        // One MAC iteration (the DEFAULT of `MacData.iterations`).
        ("sha384.p12", &["-macalg", "sha384", "-nomaciter"]),
    ];
    for (file, extra) in cases {
        let der = export(&pki, file, "right horse", extra);
        assert_eq!(check(&der, "right horse"), Pkcs12Check::Opens, "{file}");
        assert_eq!(
            check(&der, "wrong horse"),
            Pkcs12Check::WrongPassphrase,
            "{file}"
        );
    }
}

#[test]
fn non_ascii_and_empty_passphrases() {
    let pki = Pki::new(Algo::P256);
    let der = export(&pki, "umlaut.p12", "pässwörd-ß", &[]);
    assert_eq!(check(&der, "pässwörd-ß"), Pkcs12Check::Opens);
    assert_eq!(check(&der, "passwort-ss"), Pkcs12Check::WrongPassphrase);
    let der = export(&pki, "empty.p12", "", &[]);
    assert_eq!(check(&der, ""), Pkcs12Check::Opens);
    assert_eq!(check(&der, "x"), Pkcs12Check::WrongPassphrase);
}

#[test]
fn a_file_without_a_mac_cannot_be_checked() {
    let pki = Pki::new(Algo::P256);
    let der = export(&pki, "nomac.p12", "right", &["-nomac"]);
    assert!(matches!(
        check(&der, "right"),
        Pkcs12Check::CannotBeChecked(_)
    ));
}

#[test]
fn what_is_not_a_pkcs12_file_is_an_error() {
    let pki = Pki::new(Algo::P256);
    let der = export(&pki, "ok.p12", "right", &[]);
    let cert = std::fs::read(pki.path("leaf.pem")).unwrap();
    let pass = Secret::new("right");
    for junk in [
        &b""[..],
        b"garbage",
        &cert,
        &der[..der.len() / 2],
        b"\x30\x03\x02\x01\x03",
    ] {
        assert!(pkcs12_passphrase_opens(junk, &pass).is_err(), "{junk:?}");
    }
    // A file whose MAC value was changed (the SHA-256 digest ends 14 bytes before the end,
    // ahead of the salt and iteration count) no longer opens.
    let mut tampered = der.clone();
    let at = tampered.len() - 20;
    tampered[at] ^= 1;
    assert_eq!(check(&tampered, "right"), Pkcs12Check::WrongPassphrase);
}
