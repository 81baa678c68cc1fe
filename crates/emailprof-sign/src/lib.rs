//! emailprof-sign: CMS SignedData for configuration profiles.
//!
//! Apple: "To sign a profile, place the XML plist in a DER-encoded CMS Signed Data data
//! structure" (Configuration Profile Reference, "Signing a Profile"). [`sign`] writes exactly
//! that: attached content (`id-data`), SHA-256, the signed attributes contentType,
//! messageDigest and signingTime, the signer certificate and its intermediates.
//! [`signed_content`] takes the plist back out of a signed profile, also from the BER
//! (indefinite-length) encodings that Apple's own tools write. [`pkcs12_passphrase_opens`]
//! checks a PKCS#12 passphrase by the file's MAC before it is embedded in a profile.
//!
//! **Invariant:** no I/O and no clock. The caller passes PEM bytes and the signing time.
//! RSA PKCS#1 v1.5 signatures are deterministic: the same input gives the same bytes. ECDSA
//! P-256 signatures use a random nonce (aws-lc-rs offers no RFC 6979), so P-256 output differs
//! from run to run in the signature value only; every other byte is the same, and each
//! signature verifies.
//!
//! Speed: keys are read with RustCrypto (every PEM and DER form, encrypted PKCS#8 included)
//! and signed with aws-lc-rs, at OpenSSL's speed per core; everything of the SignedData that
//! depends only on the signer is encoded once per [`SigningIdentity`], and each signature
//! writes its DER directly into one buffer.

mod ber;
mod cms;
mod identity;
mod pkcs12;

use std::time::SystemTime;

pub use identity::{SigningIdentity, key_is_encrypted};
pub use pkcs12::{Pkcs12Check, pkcs12_passphrase_opens};

/// Why signing or reading a signed profile failed.
///
/// Messages never contain key material, passphrases or the signed content.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The signing certificate could not be read.
    #[error("signing certificate: {0}")]
    Certificate(String),
    /// A certificate of the chain could not be read.
    #[error("certificate chain: {0}")]
    Chain(String),
    /// The private key could not be read.
    #[error("private key: {0}")]
    Key(String),
    /// The private key is encrypted and no passphrase was given.
    #[error("private key: the key is encrypted; a passphrase is needed")]
    PassphraseRequired,
    /// The passphrase did not decrypt the key.
    #[error(
        "private key: it could not be decrypted (wrong passphrase, or an encryption scheme other than PBES2 with AES)"
    )]
    Decrypt,
    /// The key is of a kind emailprof cannot sign with.
    #[error("unsupported key: {0}; use an RSA or a P-256 (prime256v1) key")]
    UnsupportedKey(String),
    /// Key and certificate do not belong together.
    #[error("the private key does not belong to the signing certificate")]
    KeyMismatch,
    /// Producing the signature or encoding the structure failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The input is not a CMS SignedData with attached content.
    #[error("not a signed profile: {0}")]
    NotSignedData(String),
    /// The input is not a PKCS#12 file whose passphrase can be checked.
    #[error("{0}")]
    Pkcs12(String),
}

/// Sign `content` (an XML or binary plist) as DER CMS SignedData with the content attached.
///
/// `signing_time` becomes the signingTime attribute; it is passed in so that emitting stays
/// free of clocks and tests are reproducible.
pub fn sign(
    content: &[u8],
    id: &SigningIdentity,
    signing_time: SystemTime,
) -> Result<Vec<u8>, SignError> {
    cms::sign(
        content,
        &id.parts,
        |data| id.signer.sign(data),
        signing_time,
    )
}

/// The content embedded in a CMS SignedData (`eContent`), without checking the signature.
///
/// Accepts DER and BER, including indefinite lengths and constructed (chunked) OCTET STRINGs.
pub fn signed_content(der: &[u8]) -> Result<Vec<u8>, SignError> {
    ber::signed_content(der)
}
