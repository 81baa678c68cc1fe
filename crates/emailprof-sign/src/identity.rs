//! The signer: a certificate, its chain and a private key, behind a small backend trait so that
//! the CMS code does not depend on the crypto library. Keys are loaded and signed with aws-lc-rs
//! alone; RustCrypto only parses their containers (PEM, PKCS#8, the PBES2 decryption of
//! encrypted keys, the RSA modulus length).

use std::fmt;

use aws_lc_rs::signature::KeyPair;
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1, SHA_256_WITH_RSA_ENCRYPTION,
};
use der::Decode;
use emailprof_core::Secret;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

use crate::SignError;

/// What the CMS code needs from a private key: sign with SHA-256, and say how.
pub(crate) trait SignatureBackend: Send + Sync {
    /// Human name, e.g. "ECDSA P-256 with SHA-256".
    fn algorithm(&self) -> &'static str;
    /// `SignerInfo.signatureAlgorithm`.
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned;
    /// Sign `message` (hashing it with SHA-256); the signature as CMS stores it.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
    /// Whether `spki` is this key's public key.
    fn matches(&self, spki: &SubjectPublicKeyInfoOwned) -> bool;
}

// The keys are loaded and signed by aws-lc-rs, whose RSA (AVX-512 IFMA where the CPU has it)
// and P-256 run at OpenSSL's speed (RustCrypto signs about 10x (RSA) and 20x (P-256) slower,
// and ring's RSA half as fast) in constant time. No second implementation holds the private key.

/// RSA PKCS#1 v1.5 with SHA-256 (aws-lc-rs); deterministic.
struct RsaBackend {
    key: aws_lc_rs::signature::RsaKeyPair,
}

impl SignatureBackend for RsaBackend {
    fn algorithm(&self) -> &'static str {
        "RSA PKCS#1 v1.5 with SHA-256"
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        // RFC 4055 §5: the parameters of sha256WithRSAEncryption are NULL.
        AlgorithmIdentifierOwned {
            oid: SHA_256_WITH_RSA_ENCRYPTION,
            parameters: Some(der::asn1::Null.into()),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut sig = vec![0; self.key.public_modulus_len()];
        // aws-lc-rs ignores the generator: PKCS#1 v1.5 needs no randomness.
        self.key
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                message,
                &mut sig,
            )
            .map_err(|_| SignError::Signing("the RSA signature could not be computed".into()))?;
        Ok(sig)
    }

    fn matches(&self, spki: &SubjectPublicKeyInfoOwned) -> bool {
        // Both as RFC 8017 `RSAPublicKey`; compared as numbers, not encodings.
        let ours = pkcs1::RsaPublicKey::from_der(self.key.public_key().as_ref());
        let theirs = pkcs1::RsaPublicKey::from_der(spki.subject_public_key.raw_bytes());
        spki.algorithm.oid == RSA_ENCRYPTION
            && matches!((ours, theirs), (Ok(a), Ok(b))
                if a.modulus == b.modulus && a.public_exponent == b.public_exponent)
    }
}

/// ECDSA P-256 with SHA-256 (aws-lc-rs). The nonce is random (AWS-LC has no RFC 6979), so two
/// signatures of the same content differ, and both verify.
struct P256Backend {
    key: aws_lc_rs::signature::EcdsaKeyPair,
}

impl SignatureBackend for P256Backend {
    fn algorithm(&self) -> &'static str {
        "ECDSA P-256 with SHA-256"
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        // RFC 5758 §3.2: ecdsa-with-SHA256 has absent parameters.
        AlgorithmIdentifierOwned {
            oid: ECDSA_WITH_SHA_256,
            parameters: None,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        // ECDSA_P256_SHA256_ASN1_SIGNING: the DER `Ecdsa-Sig-Value` CMS stores (RFC 5753 §7.2).
        let sig = self
            .key
            .sign(&aws_lc_rs::rand::SystemRandom::new(), message)
            .map_err(|_| SignError::Signing("the ECDSA signature could not be computed".into()))?;
        Ok(sig.as_ref().to_vec())
    }

    fn matches(&self, spki: &SubjectPublicKeyInfoOwned) -> bool {
        let on_p256 = spki.algorithm.oid == ID_EC_PUBLIC_KEY
            && spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                == Some(SECP_256_R_1);
        on_p256
            && same_point(
                self.key.public_key().as_ref(),
                spki.subject_public_key.raw_bytes(),
            )
    }
}

/// Whether the uncompressed P-256 point `ours` (`04 || x || y`, as aws-lc-rs gives it) is the
/// point `theirs`, which a certificate may carry uncompressed or compressed (`02|03 || x`).
fn same_point(ours: &[u8], theirs: &[u8]) -> bool {
    const COORD: usize = 32;
    if ours.len() != 1 + 2 * COORD || ours[0] != 0x04 {
        return false;
    }
    match theirs.first() {
        Some(0x04) => ours == theirs,
        Some(&tag @ (0x02 | 0x03)) if theirs.len() == 1 + COORD => {
            let y_is_odd = ours[2 * COORD] & 1 == 1;
            ours[1..=COORD] == theirs[1..] && y_is_odd == (tag == 0x03)
        }
        _ => false,
    }
}

/// A signing certificate, its intermediates and the matching private key.
pub struct SigningIdentity {
    pub(crate) certificate: Certificate,
    pub(crate) chain: Vec<Certificate>,
    pub(crate) signer: Box<dyn SignatureBackend>,
    /// The signer's part of every SignedData, encoded once.
    pub(crate) parts: crate::cms::SignerParts,
}

impl fmt::Debug for SigningIdentity {
    // Never the key; the subject is enough to tell identities apart.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("subject", &self.subject())
            .field("algorithm", &self.algorithm())
            .field("chain", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl SigningIdentity {
    /// Read the signing certificate (PEM; further certificates in the same text count as
    /// chain), the private key (PKCS#8 plain or encrypted, PKCS#1 `RSA PRIVATE KEY`, SEC1
    /// `EC PRIVATE KEY`) and optional intermediates, and check that key and certificate
    /// belong together.
    pub fn from_pem(
        cert_pem: &[u8],
        key_pem: &[u8],
        chain_pem: Option<&[u8]>,
        passphrase: Option<&Secret>,
    ) -> Result<Self, SignError> {
        let mut certs = load_certificates(cert_pem).map_err(SignError::Certificate)?;
        if certs.is_empty() {
            return Err(SignError::Certificate("no certificate found".into()));
        }
        let certificate = certs.remove(0);
        let mut chain = certs;
        if let Some(pem) = chain_pem {
            chain.extend(load_certificates(pem).map_err(SignError::Chain)?);
        }
        // Intermediates once each, and never the signer itself.
        let mut unique: Vec<Certificate> = Vec::new();
        for c in chain {
            if c != certificate && !unique.contains(&c) {
                unique.push(c);
            }
        }
        let signer = load_key(key_pem, passphrase)?;
        if !signer.matches(&certificate.tbs_certificate.subject_public_key_info) {
            return Err(SignError::KeyMismatch);
        }
        let parts =
            crate::cms::SignerParts::new(&certificate, &unique, &signer.signature_algorithm())?;
        Ok(Self {
            certificate,
            chain: unique,
            signer,
            parts,
        })
    }

    /// The signature scheme, e.g. "RSA PKCS#1 v1.5 with SHA-256".
    pub fn algorithm(&self) -> &'static str {
        self.signer.algorithm()
    }

    /// The signing certificate's subject, e.g. `CN=Contoso Profile Signing,O=Contoso`.
    pub fn subject(&self) -> String {
        self.certificate.tbs_certificate.subject.to_string()
    }

    /// How many intermediate certificates travel with the signature.
    pub fn chain_len(&self) -> usize {
        self.chain.len()
    }
}

/// Whether the key in `bytes` (PEM or DER, as `SigningIdentity::from_pem` reads it) is
/// encrypted with a passphrase: an encrypted PKCS#8 key, or legacy OpenSSL PEM encryption.
pub fn key_is_encrypted(bytes: &[u8]) -> bool {
    let blocks = pem_blocks(bytes);
    if blocks.is_empty() {
        return pkcs8::EncryptedPrivateKeyInfo::try_from(bytes).is_ok();
    }
    blocks.iter().any(|(label, block)| {
        label == "ENCRYPTED PRIVATE KEY" || find(block, b"Proc-Type:").is_some()
    })
}

/// PEM blocks of `text`: (label, whole block bytes).
fn pem_blocks(text: &[u8]) -> Vec<(String, &[u8])> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"-----END ";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find(rest, BEGIN) {
        let block = &rest[start..];
        let Some(label_end) = find(&block[BEGIN.len()..], b"-----") else {
            break;
        };
        let label =
            String::from_utf8_lossy(&block[BEGIN.len()..BEGIN.len() + label_end]).into_owned();
        let Some(end) = find(block, END) else {
            break;
        };
        // The END line runs to its closing dashes.
        let after_end = &block[end + END.len()..];
        let Some(close) = find(after_end, b"-----") else {
            break;
        };
        let len = end + END.len() + close + 5;
        out.push((label, &block[..len]));
        rest = &block[len..];
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Certificates in PEM (any number of `CERTIFICATE` blocks) or one DER certificate.
fn load_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, String> {
    let blocks = pem_blocks(bytes);
    if blocks.is_empty() {
        if bytes.first() == Some(&0x30) {
            return Certificate::from_der(bytes)
                .map(|c| vec![c])
                .map_err(|e| format!("not a DER certificate ({})", e.kind()));
        }
        return Err("no PEM `CERTIFICATE` block found".into());
    }
    let mut out = Vec::new();
    for (i, (label, block)) in blocks.into_iter().enumerate() {
        if label != "CERTIFICATE" {
            continue;
        }
        let (_, der) = der::pem::decode_vec(block)
            .map_err(|e| format!("PEM block {} is malformed ({e})", i + 1))?;
        let cert = Certificate::from_der(&der).map_err(|e| {
            format!(
                "PEM block {} is not an X.509 certificate ({})",
                i + 1,
                e.kind()
            )
        })?;
        out.push(cert);
    }
    if out.is_empty() {
        return Err("no PEM `CERTIFICATE` block found".into());
    }
    Ok(out)
}

fn load_key(
    bytes: &[u8],
    passphrase: Option<&Secret>,
) -> Result<Box<dyn SignatureBackend>, SignError> {
    let blocks = pem_blocks(bytes);
    if blocks.is_empty() {
        // DER: plain or encrypted PKCS#8.
        if pkcs8::PrivateKeyInfo::try_from(bytes).is_ok() {
            return from_pkcs8(bytes);
        }
        if pkcs8::EncryptedPrivateKeyInfo::try_from(bytes).is_ok() {
            return from_encrypted_pkcs8(bytes, passphrase);
        }
        return Err(SignError::Key(
            "no PEM private key block and not a DER PKCS#8 key".into(),
        ));
    }
    for (label, block) in blocks {
        let known = matches!(
            label.as_str(),
            "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY"
        );
        if !known {
            continue;
        }
        if find(block, b"Proc-Type:").is_some() {
            return Err(SignError::UnsupportedKey(
                "legacy OpenSSL PEM encryption (Proc-Type: 4,ENCRYPTED); convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`".into(),
            ));
        }
        let (_, der) = der::pem::decode_vec(block)
            .map_err(|e| SignError::Key(format!("the `{label}` PEM block is malformed ({e})")))?;
        let der = zeroize::Zeroizing::new(der);
        return match label.as_str() {
            "PRIVATE KEY" => from_pkcs8(&der),
            "ENCRYPTED PRIVATE KEY" => from_encrypted_pkcs8(&der, passphrase),
            "RSA PRIVATE KEY" => rsa_backend(&der, RsaEncoding::Pkcs1),
            _ => {
                // SEC1 `ECPrivateKey` (RFC 5915); aws-lc-rs checks the curve.
                let key = aws_lc_rs::signature::EcdsaKeyPair::from_private_key_der(
                    &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                    &der,
                )
                .map_err(|_| {
                    SignError::UnsupportedKey(
                        "the SEC1 EC key is malformed or not on the P-256 curve".into(),
                    )
                })?;
                Ok(Box::new(P256Backend { key }))
            }
        };
    }
    Err(SignError::Key(
        "no private key found; expected a PEM block `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`".into(),
    ))
}

fn from_encrypted_pkcs8(
    der: &[u8],
    passphrase: Option<&Secret>,
) -> Result<Box<dyn SignatureBackend>, SignError> {
    let Some(pass) = passphrase else {
        return Err(SignError::PassphraseRequired);
    };
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der).map_err(|_| {
        match legacy_cipher(der) {
            Some(cipher) => SignError::UnsupportedKey(format!(
                "a key encrypted with {cipher}; re-encrypt it with AES: `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW_KEY`"
            )),
            None => SignError::Key("the encrypted PKCS#8 key is malformed".into()),
        }
    })?;
    let doc = info
        .decrypt(pass.expose().as_bytes())
        .map_err(|_| SignError::Decrypt)?;
    from_pkcs8(doc.as_bytes())
}

/// The legacy cipher an encrypted PKCS#8 key uses, when it is one emailprof does not read
/// (`openssl req -passout` and OpenSSL 1.x `-v1` defaults): found by its OID's DER encoding.
fn legacy_cipher(der: &[u8]) -> Option<&'static str> {
    const CIPHERS: [(&[u8], &str); 5] = [
        // 1.2.840.113549.3.7
        (
            &[0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07],
            "3DES (des-ede3-cbc)",
        ),
        // 1.3.14.3.2.7
        (&[0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x07], "DES (des-cbc)"),
        // 1.2.840.113549.1.12.1.3
        (
            &[
                0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03,
            ],
            "PKCS#12 PBE with SHA-1 and 3DES",
        ),
        // 1.2.840.113549.1.5.3 and 1.2.840.113549.1.5.10
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x03,
            ],
            "PBES1 with MD5 and DES",
        ),
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0a,
            ],
            "PBES1 with SHA-1 and DES",
        ),
    ];
    // The algorithm identifiers are in the first bytes; the encrypted key follows.
    let head = &der[..der.len().min(128)];
    CIPHERS
        .iter()
        .find(|(oid, _)| head.windows(oid.len()).any(|w| w == *oid))
        .map(|(_, name)| *name)
}

fn from_pkcs8(der: &[u8]) -> Result<Box<dyn SignatureBackend>, SignError> {
    let info = pkcs8::PrivateKeyInfo::try_from(der)
        .map_err(|_| SignError::Key("the PKCS#8 key is malformed".into()))?;
    let oid = info.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        return rsa_backend(der, RsaEncoding::Pkcs8(info.private_key));
    }
    if oid == ID_EC_PUBLIC_KEY {
        let curve: Option<ObjectIdentifier> = info.algorithm.parameters_oid().ok();
        if curve != Some(SECP_256_R_1) {
            let name = curve
                .map(|c| oid_name(&c))
                .unwrap_or_else(|| "unknown".into());
            return Err(SignError::UnsupportedKey(format!("EC key on curve {name}")));
        }
        let key = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
            &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            der,
        )
        .map_err(|_| SignError::Key("the PKCS#8 EC key is malformed".into()))?;
        return Ok(Box::new(P256Backend { key }));
    }
    Err(SignError::UnsupportedKey(format!("{} key", oid_name(&oid))))
}

fn oid_name(oid: &ObjectIdentifier) -> String {
    const_oid::db::DB
        .by_oid(oid)
        .map_or_else(|| oid.to_string(), str::to_owned)
}

/// How an RSA private key is encoded: a PKCS#1 `RSAPrivateKey`, or PKCS#8 with that structure
/// inside.
enum RsaEncoding<'a> {
    Pkcs1,
    Pkcs8(&'a [u8]),
}

/// An RSA key of 2048 to 8192 bits, loaded by aws-lc-rs from `der` (`encoding` says how it is
/// encoded; for PKCS#8, with the inner PKCS#1 structure).
fn rsa_backend(
    der: &[u8],
    encoding: RsaEncoding<'_>,
) -> Result<Box<dyn SignatureBackend>, SignError> {
    let (pkcs1, name) = match encoding {
        RsaEncoding::Pkcs1 => (der, "PKCS#1"),
        RsaEncoding::Pkcs8(inner) => (inner, "PKCS#8"),
    };
    // The size is read from the structure so that the refusal can name it: aws-lc-rs refuses
    // keys outside 2048..=8192 bits without saying their size.
    let parsed = pkcs1::RsaPrivateKey::from_der(pkcs1)
        .map_err(|_| SignError::Key(format!("the {name} RSA key is malformed")))?;
    let bits = parsed.modulus.as_bytes().len() * 8;
    if bits < 2048 {
        return Err(SignError::UnsupportedKey(format!(
            "RSA key of {bits} bits; at least 2048 are needed"
        )));
    }
    if bits > 8192 {
        return Err(SignError::UnsupportedKey(format!(
            "RSA key of {bits} bits; at most 8192 are supported"
        )));
    }
    let key = match encoding {
        RsaEncoding::Pkcs1 => aws_lc_rs::signature::RsaKeyPair::from_der(der),
        RsaEncoding::Pkcs8(_) => aws_lc_rs::signature::RsaKeyPair::from_pkcs8(der),
    }
    .map_err(rejected)?;
    Ok(Box::new(RsaBackend { key }))
}

/// A key aws-lc-rs refused although its structure parsed (e.g. an RSA key of more than two
/// primes, or inconsistent components).
fn rejected(e: aws_lc_rs::error::KeyRejected) -> SignError {
    SignError::UnsupportedKey(format!("the key was rejected by the signer ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_keys_are_told_apart() {
        let plain = b"-----BEGIN PRIVATE KEY-----\nMA==\n-----END PRIVATE KEY-----\n";
        let pkcs8 =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMA==\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let legacy = b"-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nMA==\n-----END EC PRIVATE KEY-----\n";
        assert!(!key_is_encrypted(plain));
        assert!(key_is_encrypted(pkcs8));
        assert!(key_is_encrypted(legacy));
        assert!(!key_is_encrypted(b"\x30\x03\x02\x01\x00"));
    }

    #[test]
    fn points_match_uncompressed_or_compressed() {
        let mut ours = vec![0x04];
        ours.extend([7u8; 32]);
        ours.extend([9u8; 32]); // y odd
        let compressed = |tag: u8, x: u8| {
            let mut p = vec![tag];
            p.extend([x; 32]);
            p
        };
        assert!(same_point(&ours, &ours));
        assert!(same_point(&ours, &compressed(0x03, 7)));
        assert!(!same_point(&ours, &compressed(0x02, 7)));
        assert!(!same_point(&ours, &compressed(0x03, 8)));
        let mut other = ours.clone();
        other[64] = 8;
        assert!(!same_point(&ours, &other));
        assert!(!same_point(&ours, &[]));
        assert!(!same_point(&ours, &ours[..64]));
    }

    #[test]
    fn pem_blocks_are_split_with_their_labels() {
        let text = b"junk\n-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        let blocks = pem_blocks(text);
        let labels: Vec<_> = blocks.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["EC PARAMETERS", "EC PRIVATE KEY"]);
        assert!(blocks[1].1.ends_with(b"-----END EC PRIVATE KEY-----"));
    }

    #[test]
    fn truncated_pem_is_not_a_block() {
        assert!(pem_blocks(b"-----BEGIN PRIVATE KEY-----\nAAAA\n").is_empty());
        assert!(pem_blocks(b"-----BEGIN ").is_empty());
    }

    #[test]
    fn garbage_keys_and_certs_are_refused_without_panicking() {
        for input in [
            &b""[..],
            b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n",
            b"-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n",
            b"-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n",
            &[0x30, 0x82, 0xff],
        ] {
            assert!(load_key(input, Some(&Secret::new("x"))).is_err());
            assert!(load_certificates(input).is_err());
        }
    }

    #[test]
    fn encrypted_key_without_passphrase_says_so() {
        // A syntactically valid EncryptedPrivateKeyInfo is not needed to reach the check.
        let block =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(
            load_key(block, None).err(),
            Some(SignError::PassphraseRequired)
        );
    }
}
