//! Whether a passphrase opens a PKCS#12 file, checked by its integrity MAC (RFC 7292 §4,
//! `MacData`) before the passphrase is embedded next to it: a wrong one would only show when
//! the device installs the profile.
//!
//! The MAC is an HMAC over the content octets of the `authSafe` `data`, keyed with the PKCS#12
//! KDF (RFC 7292 Appendix B.2, ID 3) of the passphrase as a BMPString (UTF-16BE with a
//! terminating NUL pair), with the digest the MAC names: SHA-1 (legacy files) or SHA-2 (OpenSSL
//! 3's default is SHA-256). The file is read with the BER walker, so the indefinite lengths some
//! tools write are accepted too.

use aws_lc_rs::{digest, hmac};
use emailprof_core::Secret;

use crate::SignError;
use crate::ber::{self, CONTEXT, Node, UNIVERSAL};

/// `1.2.840.113549.1.7.1` (id-data), content octets of the OID.
const ID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
/// `1.2.840.113549.1.7.2` (id-signedData): public-key integrity mode, no password MAC.
const ID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// `1.3.14.3.2.26` (SHA-1).
const ID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
/// `2.16.840.1.101.3.4.2` (the NIST hash arc), followed by one byte naming the SHA-2 function.
const NIST_HASH_ARC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];

/// More MAC iterations than any tool writes (OpenSSL writes 2048): refused, so a crafted file
/// cannot keep the check busy for minutes.
const MAX_ITERATIONS: u64 = 10_000_000;

/// What checking a passphrase against a PKCS#12 file showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pkcs12Check {
    /// The passphrase verifies the file's MAC: it opens the file.
    Opens,
    /// The MAC does not verify with this passphrase.
    WrongPassphrase,
    /// The passphrase cannot be checked without decrypting the file; the reason says why (no
    /// password MAC, or a MAC algorithm not known here).
    CannotBeChecked(&'static str),
}

fn err(msg: &str) -> SignError {
    SignError::Pkcs12(msg.to_owned())
}

/// Check `passphrase` against the MAC of the PKCS#12 (PFX) `der`.
///
/// An error means the bytes are not a PKCS#12 file this reader understands.
pub fn pkcs12_passphrase_opens(der: &[u8], passphrase: &Secret) -> Result<Pkcs12Check, SignError> {
    let pfx = Pfx::read(der)?;
    let Some(mac) = pfx.mac else {
        return Ok(Pkcs12Check::CannotBeChecked(if pfx.public_key_integrity {
            "its integrity is a signature, not a password MAC"
        } else {
            "it has no password MAC"
        }));
    };
    let Some(algorithm) = mac.algorithm else {
        return Ok(Pkcs12Check::CannotBeChecked(
            "its MAC algorithm is not SHA-1 or SHA-2 (e.g. PBMAC1)",
        ));
    };
    let text = passphrase.expose();
    // OpenSSL 3 encodes the passphrase from UTF-8; OpenSSL 1.x widened each byte, and files
    // it wrote with a non-ASCII passphrase verify only that way. An empty passphrase may also
    // have been given to the tool as no passphrase at all (no NUL pair).
    let mut candidates = vec![bmp_string(text.encode_utf16())];
    if !text.is_ascii() {
        candidates.push(bmp_string(text.bytes().map(u16::from)));
    }
    if text.is_empty() {
        candidates.push(Vec::new());
    }
    for password in &candidates {
        let key = kdf_mac_key(algorithm, password, mac.salt, mac.iterations);
        let key = hmac::Key::new(algorithm, &key);
        if hmac::verify(&key, &pfx.content, mac.digest).is_ok() {
            return Ok(Pkcs12Check::Opens);
        }
    }
    Ok(Pkcs12Check::WrongPassphrase)
}

/// What the check needs of a PFX.
struct Pfx<'a> {
    /// The content octets of the `authSafe` `data`: what the MAC covers.
    content: Vec<u8>,
    mac: Option<MacData<'a>>,
    /// The `authSafe` is `signedData`.
    public_key_integrity: bool,
}

struct MacData<'a> {
    /// `None` for a digest this reader does not know.
    algorithm: Option<hmac::Algorithm>,
    digest: &'a [u8],
    salt: &'a [u8],
    iterations: u64,
}

impl<'a> Pfx<'a> {
    /// `PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData
    /// OPTIONAL }`.
    fn read(der: &'a [u8]) -> Result<Pfx<'a>, SignError> {
        let not_pfx = || err("not a PKCS#12 file");
        let (root, _) = ber::read(der, 0).map_err(|_| not_pfx())?;
        if !root.is(UNIVERSAL, true, 16) {
            return Err(not_pfx());
        }
        let fields = ber::children(root, 0).map_err(|_| not_pfx())?;
        match fields.first() {
            Some(v) if v.is(UNIVERSAL, false, 2) && v.body == [3] => {}
            _ => return Err(not_pfx()),
        }
        let auth_safe = fields
            .get(1)
            .filter(|n| n.is(UNIVERSAL, true, 16))
            .ok_or_else(not_pfx)?;
        let info = ber::children(*auth_safe, 1).map_err(|_| not_pfx())?;
        let content_type = info
            .first()
            .filter(|n| n.is(UNIVERSAL, false, 6))
            .ok_or_else(not_pfx)?;
        if content_type.body == ID_SIGNED_DATA {
            return Ok(Pfx {
                content: Vec::new(),
                mac: None,
                public_key_integrity: true,
            });
        }
        if content_type.body != ID_DATA {
            return Err(err("the PKCS#12 content is neither data nor signedData"));
        }
        let explicit = info
            .get(1)
            .filter(|n| n.is(CONTEXT, true, 0))
            .ok_or_else(|| err("the PKCS#12 content is missing"))?;
        let inner = ber::children(*explicit, 2)?;
        let value = inner
            .first()
            .ok_or_else(|| err("the PKCS#12 content is empty"))?;
        let mut content = Vec::new();
        ber::octets(*value, 3, &mut content)
            .map_err(|_| err("the PKCS#12 content is not an OCTET STRING"))?;
        let mac = match fields.get(2) {
            Some(node) => Some(MacData::read(*node)?),
            None => None,
        };
        Ok(Pfx {
            content,
            mac,
            public_key_integrity: false,
        })
    }
}

impl<'a> MacData<'a> {
    /// `MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER
    /// DEFAULT 1 }`, `DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest
    /// OCTET STRING }`.
    fn read(node: Node<'a>) -> Result<MacData<'a>, SignError> {
        let bad = || err("the PKCS#12 MAC is malformed");
        if !node.is(UNIVERSAL, true, 16) {
            return Err(bad());
        }
        let fields = ber::children(node, 1).map_err(|_| bad())?;
        let digest_info = fields
            .first()
            .filter(|n| n.is(UNIVERSAL, true, 16))
            .ok_or_else(bad)?;
        let salt = fields
            .get(1)
            .filter(|n| n.is(UNIVERSAL, false, 4))
            .ok_or_else(bad)?
            .body;
        let iterations = match fields.get(2) {
            Some(n) if n.is(UNIVERSAL, false, 2) => positive_integer(n.body).ok_or_else(bad)?,
            Some(_) => return Err(bad()),
            None => 1,
        };
        if iterations > MAX_ITERATIONS {
            return Err(err("the PKCS#12 MAC has an implausible iteration count"));
        }
        let parts = ber::children(*digest_info, 2).map_err(|_| bad())?;
        let algorithm_id = parts
            .first()
            .filter(|n| n.is(UNIVERSAL, true, 16))
            .ok_or_else(bad)?;
        let digest = parts
            .get(1)
            .filter(|n| n.is(UNIVERSAL, false, 4))
            .ok_or_else(bad)?
            .body;
        let oid = ber::children(*algorithm_id, 3)
            .map_err(|_| bad())?
            .into_iter()
            .next()
            .filter(|n| n.is(UNIVERSAL, false, 6))
            .ok_or_else(bad)?;
        Ok(MacData {
            algorithm: hmac_for(oid.body),
            digest,
            salt,
            iterations,
        })
    }
}

/// The HMAC of the digest `oid` names.
fn hmac_for(oid: &[u8]) -> Option<hmac::Algorithm> {
    if oid == ID_SHA1 {
        return Some(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY);
    }
    match oid.strip_prefix(NIST_HASH_ARC)? {
        [1] => Some(hmac::HMAC_SHA256),
        [2] => Some(hmac::HMAC_SHA384),
        [3] => Some(hmac::HMAC_SHA512),
        [4] => Some(hmac::HMAC_SHA224),
        _ => None,
    }
}

/// A DER INTEGER that is positive and fits in a u64.
fn positive_integer(body: &[u8]) -> Option<u64> {
    let (&first, _) = body.split_first()?;
    if first & 0x80 != 0 {
        return None;
    }
    let digits = body.strip_prefix(&[0]).unwrap_or(body);
    if digits.len() > 8 {
        return None;
    }
    let value = digits.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
    (value > 0).then_some(value)
}

/// The passphrase as a BMPString with its terminating NUL pair.
fn bmp_string(units: impl Iterator<Item = u16>) -> Vec<u8> {
    units.chain([0]).flat_map(u16::to_be_bytes).collect()
}

/// The MAC key: the PKCS#12 KDF (RFC 7292 Appendix B.2) with ID 3 and as many bytes as the
/// digest's output, so one block `A = H^iterations(D || S || P)` is the whole key.
fn kdf_mac_key(
    algorithm: hmac::Algorithm,
    password: &[u8],
    salt: &[u8],
    iterations: u64,
) -> Vec<u8> {
    let hash = algorithm.digest_algorithm();
    let v = hash.block_len();
    // Each input repeated to a whole number of v-byte blocks (none when it is empty).
    let fill = |input: &[u8]| -> Vec<u8> {
        let len = input.len().div_ceil(v) * v;
        input.iter().copied().cycle().take(len).collect()
    };
    let mut ctx = digest::Context::new(hash);
    ctx.update(&[3u8; digest::MAX_BLOCK_LEN][..v]);
    ctx.update(&fill(salt));
    ctx.update(&zeroize::Zeroizing::new(fill(password)));
    let mut a = ctx.finish();
    for _ in 1..iterations {
        a = digest::digest(hash, a.as_ref());
    }
    a.as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bmp_string_is_utf16_big_endian_with_a_nul_pair() {
        assert_eq!(bmp_string("ab".encode_utf16()), [0, 0x61, 0, 0x62, 0, 0]);
        assert_eq!(bmp_string("".encode_utf16()), [0, 0]);
    }

    fn example() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/certs/smime.p12"
        );
        std::fs::read(path).expect("the example PKCS#12 file")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = pkcs12_passphrase_opens(&bytes, &Secret::new("x"));
        }

        #[test]
        fn mutated_files_never_panic_and_never_open(
            flips in proptest::collection::vec((proptest::num::usize::ANY, 1..=255u8), 1..4),
        ) {
            let mut der = example();
            for (at, x) in flips {
                let i = at % der.len();
                der[i] ^= x;
            }
            let got = pkcs12_passphrase_opens(&der, &Secret::new("example-only"));
            proptest::prop_assert_ne!(got, Ok(Pkcs12Check::Opens));
        }
    }

    #[test]
    fn iterations_must_be_positive_and_fit() {
        assert_eq!(positive_integer(&[0x08, 0x00]), Some(2048));
        assert_eq!(positive_integer(&[0x00, 0x80]), Some(128));
        assert_eq!(positive_integer(&[0x80]), None);
        assert_eq!(positive_integer(&[0]), None);
        assert_eq!(positive_integer(&[]), None);
        assert_eq!(positive_integer(&[1; 9]), None);
    }
}
