//! Signing round trips: OpenSSL verifies what we sign, and the embedded content is the input
//! byte for byte.

use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode, Tagged};
use emailprof_core::Secret;
use emailprof_sign::{SignError, SigningIdentity, sign, signed_content};

use crate::pki::{Algo, OPENSSL, Pki, openssl};

const CONTENT: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n\t<key>PayloadType</key>\n\t<string>Configuration</string>\n</dict>\n</plist>\n";

/// 2026-01-02T03:04:05Z.
fn fixed_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_323_045)
}

fn identity(pki: &Pki, key: &str, pass: Option<&Secret>) -> SigningIdentity {
    SigningIdentity::from_pem(
        &pki.read("leaf.pem"),
        &pki.read(key),
        Some(&pki.read("int.pem")),
        pass,
    )
    .expect("identity loads")
}

/// `openssl cms -verify` against the root only; returns the content it printed.
fn openssl_verify(pki: &Pki, der: &[u8]) -> Result<Vec<u8>, String> {
    let sig = pki.path("signed.der");
    let out = pki.path("verified.out");
    std::fs::write(&sig, der).unwrap();
    let _ = std::fs::remove_file(&out);
    let res = Command::new(OPENSSL)
        .args(["cms", "-verify", "-inform", "DER", "-in"])
        .arg(&sig)
        .arg("-CAfile")
        .arg(pki.path("ca.pem"))
        .arg("-out")
        .arg(&out)
        .output()
        .expect("openssl runs");
    if res.status.success() {
        Ok(std::fs::read(&out).unwrap())
    } else {
        Err(String::from_utf8_lossy(&res.stderr).into_owned())
    }
}

/// Decode with the `cms` crate (not our BER walker) and check the structure Apple expects.
fn check_structure(der: &[u8], pki: &Pki, algo: Algo) {
    let info = ContentInfo::from_der(der).expect("DER ContentInfo");
    assert_eq!(info.content_type, const_oid::db::rfc5911::ID_SIGNED_DATA);
    let sd: SignedData = info.content.decode_as().expect("SignedData");
    // eContent is one OCTET STRING whose value is the plist: no double wrapping.
    let econtent = sd.encap_content_info.econtent.expect("attached content");
    assert_eq!(econtent.tag(), der::Tag::OctetString);
    assert_eq!(econtent.value(), CONTENT);
    assert_eq!(
        sd.encap_content_info.econtent_type,
        const_oid::db::rfc5911::ID_DATA
    );
    let digests: Vec<_> = sd.digest_algorithms.iter().map(|a| a.oid).collect();
    assert_eq!(digests, [const_oid::db::rfc5912::ID_SHA_256]);
    // Leaf and intermediate travel with the signature; the root does not.
    let certs = sd.certificates.expect("certificates");
    assert_eq!(certs.0.len(), 2);
    let root = x509_cert::Certificate::load_pem_chain(&pki.read("ca.pem")).unwrap();
    for c in certs.0.iter() {
        let cms::cert::CertificateChoices::Certificate(c) = c else {
            panic!("only X.509 certificates")
        };
        assert_ne!(c, &root[0]);
    }
    let signers: Vec<_> = sd.signer_infos.0.iter().collect();
    assert_eq!(signers.len(), 1);
    let si = signers[0];
    let expected_sig = match algo {
        Algo::Rsa => const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        Algo::P256 => const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
    };
    assert_eq!(si.signature_algorithm.oid, expected_sig);
    let attrs = si.signed_attrs.as_ref().expect("signed attributes");
    let oids: Vec<_> = attrs.iter().map(|a| a.oid).collect();
    for oid in [
        const_oid::db::rfc5911::ID_CONTENT_TYPE,
        const_oid::db::rfc5911::ID_MESSAGE_DIGEST,
        const_oid::db::rfc5911::ID_SIGNING_TIME,
    ] {
        assert!(oids.contains(&oid), "{oid} missing from {oids:?}");
    }
    let time = attrs
        .iter()
        .find(|a| a.oid == const_oid::db::rfc5911::ID_SIGNING_TIME)
        .unwrap();
    let t =
        x509_cert::time::Time::from_der(&time.values.get(0).unwrap().to_der().unwrap()).unwrap();
    assert_eq!(t.to_system_time(), fixed_time());
    // Our BER walker agrees.
    assert_eq!(signed_content(der).unwrap(), CONTENT);
    // Re-encoding the decoded structure gives the same bytes: the output is DER.
    let again = ContentInfo::from_der(der).unwrap().to_der().unwrap();
    assert_eq!(again, der);
}

fn signer_info(der: &[u8]) -> cms::signed_data::SignerInfo {
    let sd: SignedData = ContentInfo::from_der(der)
        .unwrap()
        .content
        .decode_as()
        .unwrap();
    sd.signer_infos.0.get(0).unwrap().clone()
}

fn signature(der: &[u8]) -> Vec<u8> {
    signer_info(der).signature.as_bytes().to_vec()
}

/// The SignedData with an empty signature value, re-encoded: what two signings of the same
/// content at the same time share.
fn without_signature(der: &[u8]) -> Vec<u8> {
    let info = ContentInfo::from_der(der).unwrap();
    let mut sd: SignedData = info.content.decode_as().unwrap();
    let mut si = sd.signer_infos.0.get(0).unwrap().clone();
    si.signature = der::asn1::OctetString::new(Vec::<u8>::new()).unwrap();
    sd.signer_infos = cms::signed_data::SignerInfos::try_from(vec![si]).unwrap();
    ContentInfo {
        content_type: info.content_type,
        content: der::Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// Verify the signature over the signed attributes with RustCrypto, independently of OpenSSL
/// and of the signer; for RSA (deterministic) RustCrypto's own signature must be the same bytes.
fn verify_with_rustcrypto(der: &[u8], pki: &Pki, algo: Algo) {
    use pkcs8::{DecodePrivateKey, DecodePublicKey};
    use rsa::signature::{SignatureEncoding, Signer, Verifier};
    let si = signer_info(der);
    let to_sign = si.signed_attrs.as_ref().unwrap().to_der().unwrap();
    assert_eq!(to_sign[0], 0x31, "signed as a SET OF");
    let sig = si.signature.as_bytes();
    let leaf = x509_cert::Certificate::load_pem_chain(&pki.read("leaf.pem")).unwrap();
    let spki = leaf[0]
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap();
    let key_pem = String::from_utf8(pki.read("leaf.key")).unwrap();
    match algo {
        Algo::Rsa => {
            let public = rsa::RsaPublicKey::from_public_key_der(&spki).unwrap();
            let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public);
            let s = rsa::pkcs1v15::Signature::try_from(sig).unwrap();
            verifier
                .verify(&to_sign, &s)
                .expect("RSA signature verifies");
            let private = rsa::RsaPrivateKey::from_pkcs8_pem(&key_pem).unwrap();
            let theirs = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private).sign(&to_sign);
            assert_eq!(theirs.to_vec(), sig, "the same PKCS#1 v1.5 signature");
        }
        Algo::P256 => {
            let public = p256::PublicKey::from_public_key_der(&spki).unwrap();
            let verifier = p256::ecdsa::VerifyingKey::from(&public);
            let s = p256::ecdsa::DerSignature::try_from(sig).unwrap();
            verifier
                .verify(&to_sign, &s)
                .expect("ECDSA signature verifies");
        }
    }
}

fn round_trip(algo: Algo) {
    let pki = Pki::new(algo);
    let id = identity(&pki, "leaf.key", None);
    assert_eq!(id.chain_len(), 1);
    assert!(
        id.subject().contains("emailprof Test Profile Signer"),
        "{}",
        id.subject()
    );
    let der = sign(CONTENT, &id, fixed_time()).unwrap();
    assert_eq!(openssl_verify(&pki, &der).unwrap(), CONTENT);
    check_structure(&der, &pki, algo);
    // PKCS#1 v1.5 has no randomness: the same bytes again. ECDSA's nonce is random: another
    // valid signature, and nothing else changes.
    let again = sign(CONTENT, &id, fixed_time()).unwrap();
    match algo {
        Algo::Rsa => assert_eq!(again, der),
        Algo::P256 => {
            assert_ne!(signature(&again), signature(&der));
            assert_eq!(without_signature(&again), without_signature(&der));
            assert_eq!(openssl_verify(&pki, &again).unwrap(), CONTENT);
        }
    }
    verify_with_rustcrypto(&der, &pki, algo);

    // A flipped content byte breaks the signature.
    let pos = der.windows(5).position(|w| w == b"<?xml").unwrap() + 20;
    let mut bad = der.clone();
    bad[pos] ^= 0x01;
    assert!(openssl_verify(&pki, &bad).is_err());

    // Without the intermediate the chain cannot be built: it really is carried.
    let lone = SigningIdentity::from_pem(&pki.read("leaf.pem"), &pki.read("leaf.key"), None, None)
        .unwrap();
    let der = sign(CONTENT, &lone, fixed_time()).unwrap();
    assert!(openssl_verify(&pki, &der).is_err());
}

#[test]
fn rsa_2048_chain_verifies_with_openssl() {
    round_trip(Algo::Rsa);
}

#[test]
fn p256_chain_verifies_with_openssl() {
    round_trip(Algo::P256);
}

#[test]
fn every_key_encoding_loads_and_signs() {
    let secret = Secret::new("correct horse battery staple");
    let pass_arg = format!("pass:{}", secret.expose());
    for algo in [Algo::Rsa, Algo::P256] {
        let pki = Pki::new(algo);
        let d = pki.dir.path();
        // Encrypted PKCS#8: PBES2 with PBKDF2-HMAC-SHA256 + AES-256-CBC (OpenSSL 3 default) and
        // PBKDF2-HMAC-SHA1 + AES-128-CBC (OpenSSL 1.x default).
        for (out, cipher) in [
            ("leaf.enc256.key", &["aes-256-cbc"][..]),
            ("leaf.enc1.key", &["aes-128-cbc", "-v2prf", "hmacWithSHA1"]),
        ] {
            let mut args = vec!["pkcs8", "-topk8", "-in", "leaf.key", "-out", out, "-v2"];
            args.extend_from_slice(cipher);
            args.extend_from_slice(&["-passout", &pass_arg]);
            openssl(d, &args);
        }
        let legacy = match algo {
            Algo::Rsa => {
                openssl(
                    d,
                    &[
                        "rsa",
                        "-in",
                        "leaf.key",
                        "-traditional",
                        "-out",
                        "leaf.legacy.key",
                    ],
                );
                "RSA PRIVATE KEY"
            }
            Algo::P256 => {
                openssl(d, &["ec", "-in", "leaf.key", "-out", "leaf.legacy.key"]);
                "EC PRIVATE KEY"
            }
        };
        assert!(String::from_utf8_lossy(&pki.read("leaf.legacy.key")).contains(legacy));
        assert!(
            String::from_utf8_lossy(&pki.read("leaf.enc256.key")).contains("ENCRYPTED PRIVATE KEY")
        );
        let reference = sign(CONTENT, &identity(&pki, "leaf.key", None), fixed_time()).unwrap();
        for (key, pass) in [
            ("leaf.enc256.key", Some(&secret)),
            ("leaf.enc1.key", Some(&secret)),
            ("leaf.legacy.key", None),
        ] {
            let id = identity(&pki, key, pass);
            // Same key, same content, same time: the same bytes whatever the key encoding
            // (for ECDSA up to the random signature value, which verifies).
            let der = sign(CONTENT, &id, fixed_time()).unwrap();
            match algo {
                Algo::Rsa => assert_eq!(der, reference, "{key}"),
                Algo::P256 => {
                    assert_eq!(
                        without_signature(&der),
                        without_signature(&reference),
                        "{key}"
                    );
                    verify_with_rustcrypto(&der, &pki, algo);
                }
            }
        }
        assert_eq!(
            SigningIdentity::from_pem(
                &pki.read("leaf.pem"),
                &pki.read("leaf.enc256.key"),
                None,
                None
            )
            .unwrap_err(),
            SignError::PassphraseRequired
        );
        let wrong = Secret::new("wrong horse");
        let e = SigningIdentity::from_pem(
            &pki.read("leaf.pem"),
            &pki.read("leaf.enc256.key"),
            None,
            Some(&wrong),
        )
        .unwrap_err();
        assert_eq!(e, SignError::Decrypt);
        let text = format!("{e} {e:?}");
        assert!(!text.contains("horse"), "{text}");
        // The intermediate's key with the leaf certificate.
        let e = SigningIdentity::from_pem(&pki.read("leaf.pem"), &pki.read("int.key"), None, None)
            .unwrap_err();
        assert_eq!(e, SignError::KeyMismatch);
        let id = identity(&pki, "leaf.key", None);
        let shown = format!("{id:?}");
        assert!(!shown.contains("PRIVATE"), "{shown}");
        assert_eq!(
            id.algorithm(),
            match algo {
                Algo::Rsa => "RSA PKCS#1 v1.5 with SHA-256",
                Algo::P256 => "ECDSA P-256 with SHA-256",
            }
        );
    }
}

#[test]
fn keys_emailprof_cannot_use_are_named() {
    let pki = Pki::new(Algo::P256);
    let d = pki.dir.path();
    // Keys encrypted with legacy ciphers: the cipher and the way out are named.
    for (name, args) in [
        ("des3.key", ["-v2", "des3"]),
        ("pbe3des.key", ["-v1", "PBE-SHA1-3DES"]),
    ] {
        openssl(
            d,
            &[
                "pkcs8", "-topk8", "-in", "leaf.key", "-out", name, args[0], args[1], "-passout",
                "pass:x",
            ],
        );
        let e = SigningIdentity::from_pem(
            &pki.read("leaf.pem"),
            &pki.read(name),
            None,
            Some(&Secret::new("x")),
        )
        .unwrap_err();
        assert!(matches!(e, SignError::UnsupportedKey(_)), "{name}: {e:?}");
        let text = e.to_string();
        assert!(
            text.contains("3DES") && text.contains("-v2 aes-256-cbc"),
            "{name}: {text}"
        );
    }
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:secp384r1",
            "-out",
            "p384.key",
        ],
    );
    openssl(d, &["genpkey", "-algorithm", "ED25519", "-out", "ed.key"]);
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
            "-out",
            "rsa1024.key",
        ],
    );
    for (key, words) in [
        ("p384.key", "curve"),
        ("ed.key", "key"),
        ("rsa1024.key", "1024"),
    ] {
        let e = SigningIdentity::from_pem(&pki.read("leaf.pem"), &pki.read(key), None, None)
            .unwrap_err();
        assert!(matches!(e, SignError::UnsupportedKey(_)), "{key}: {e:?}");
        assert!(e.to_string().contains(words), "{key}: {e}");
    }
}

#[test]
fn openssl_signed_ber_content_is_extracted() {
    // `openssl cms -sign -stream` writes indefinite-length BER with a chunked OCTET STRING,
    // the shape Apple's tools produce.
    let pki = Pki::new(Algo::P256);
    std::fs::write(pki.path("content.xml"), CONTENT).unwrap();
    pki.openssl_sign("content.xml", "ber.der", &["-nodetach", "-stream"]);
    let ber = pki.read("ber.der");
    assert_eq!(&ber[..2], &[0x30, 0x80], "openssl wrote indefinite length");
    assert!(
        ContentInfo::from_der(&ber).is_err(),
        "strict DER refuses it"
    );
    assert_eq!(signed_content(&ber).unwrap(), CONTENT);
    pki.openssl_sign("content.xml", "det.der", &[]);
    let e = signed_content(&pki.read("det.der")).unwrap_err();
    assert!(e.to_string().contains("detached"), "{e}");
}
