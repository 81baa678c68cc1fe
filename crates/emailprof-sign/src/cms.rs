//! The SignedData (RFC 5652), written directly as DER: everything that depends only on the
//! signer (its identifier, certificates, algorithms) is encoded once per identity with the `cms`
//! crate's types, and each signature adds only the content, its digest, the signing time and
//! the signature around them. The unit tests hold the output against the same structure
//! encoded whole by the `cms` crate.

use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::CertificateSet;
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{
    ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME,
};
use const_oid::db::rfc5912::ID_SHA_256;
use der::Encode;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::time::Time;

use crate::SignError;

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
/// `[0]`, constructed: EXPLICIT content, and the IMPLICIT certificates and signed attributes.
const CONTEXT_0: u8 = 0xa0;
/// `version CMSVersion` 1 (RFC 5652 §5.1, §5.3: X.509 certificates, id-data,
/// issuerAndSerialNumber).
const VERSION_1: [u8; 3] = [INTEGER, 1, 1];

fn enc(e: der::Error) -> SignError {
    SignError::Signing(format!("encoding failed ({})", e.kind()))
}

/// Length of a DER header (tag and length) for `len` content bytes.
fn header_len(len: usize) -> usize {
    match len {
        0..=0x7f => 2,
        0x80..=0xff => 3,
        0x100..=0xffff => 4,
        0x1_0000..=0xff_ffff => 5,
        _ => 6,
    }
}

/// Length of a whole TLV with `len` content bytes.
fn tlv_len(len: usize) -> usize {
    header_len(len) + len
}

fn header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn oid(out: &mut Vec<u8>, oid: &ObjectIdentifier) {
    header(out, OID, oid.as_bytes().len());
    out.extend_from_slice(oid.as_bytes());
}

/// What the signer contributes to every SignedData, DER-encoded once.
pub(crate) struct SignerParts {
    /// `SET OF DigestAlgorithmIdentifier` with SHA-256.
    digest_algorithms: Vec<u8>,
    /// `AlgorithmIdentifier` of SHA-256 (`SignerInfo.digestAlgorithm`).
    digest_algorithm: Vec<u8>,
    /// `[0] IMPLICIT CertificateSet`: the signer and its intermediates, in DER SET OF order.
    certificates: Vec<u8>,
    /// `IssuerAndSerialNumber` of the signer.
    sid: Vec<u8>,
    /// `SignerInfo.signatureAlgorithm`.
    signature_algorithm: Vec<u8>,
}

impl SignerParts {
    pub(crate) fn new(
        certificate: &Certificate,
        chain: &[Certificate],
        signature_algorithm: &AlgorithmIdentifierOwned,
    ) -> Result<Self, SignError> {
        let sha256 = sha256();
        let digest_algorithms = der::asn1::SetOfVec::try_from(vec![sha256.clone()])
            .and_then(|s| s.to_der())
            .map_err(enc)?;
        let mut certs = vec![CertificateChoices::Certificate(certificate.clone())];
        certs.extend(chain.iter().cloned().map(CertificateChoices::Certificate));
        // The SET OF encoding with the IMPLICIT [0] tag in place of SET's.
        let mut certificates = CertificateSet::try_from(certs)
            .and_then(|s| s.to_der())
            .map_err(enc)?;
        certificates[0] = CONTEXT_0;
        let tbs = &certificate.tbs_certificate;
        let sid = IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        }
        .to_der()
        .map_err(enc)?;
        Ok(Self {
            digest_algorithms,
            digest_algorithm: sha256.to_der().map_err(enc)?,
            certificates,
            sid,
            signature_algorithm: signature_algorithm.to_der().map_err(enc)?,
        })
    }
}

fn sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA_256,
        // RFC 5754 §2: implementations SHOULD omit the SHA-2 parameters.
        parameters: None,
    }
}

/// The content octets of the signed attributes (contentType, signingTime, messageDigest), in
/// DER SET OF order.
fn signed_attributes(digest: &[u8], time: &[u8]) -> Vec<u8> {
    let attribute = |oid_: &ObjectIdentifier, value: &[u8]| {
        let inner = tlv_len(oid_.as_bytes().len()) + tlv_len(value.len());
        let mut a = Vec::with_capacity(tlv_len(inner));
        header(&mut a, SEQUENCE, inner);
        oid(&mut a, oid_);
        header(&mut a, SET, value.len());
        a.extend_from_slice(value);
        a
    };
    let mut content_type = Vec::with_capacity(16);
    oid(&mut content_type, &ID_DATA);
    let mut message_digest = Vec::with_capacity(34);
    header(&mut message_digest, OCTET_STRING, digest.len());
    message_digest.extend_from_slice(digest);
    let mut attrs = [
        attribute(&ID_CONTENT_TYPE, &content_type),
        attribute(&ID_SIGNING_TIME, time),
        attribute(&ID_MESSAGE_DIGEST, &message_digest),
    ];
    // X.690 §11.6: a SET OF is ordered by the encodings of its elements.
    attrs.sort();
    attrs.concat()
}

/// SignedData of `content` by the signer whose parts are `parts`; `signature_of` signs the
/// DER of the signed attributes with the signer's key.
pub(crate) fn sign(
    content: &[u8],
    parts: &SignerParts,
    signature_of: impl FnOnce(&[u8]) -> Result<Vec<u8>, SignError>,
    signing_time: SystemTime,
) -> Result<Vec<u8>, SignError> {
    let digest = Sha256::digest(content);
    // RFC 5652 §11.3: signingTime is UTCTime for 1950..=2049, GeneralizedTime otherwise;
    // x509-cert's `Time` makes that choice.
    let time = Time::try_from(signing_time)
        .map_err(|_| SignError::Signing("the signing time cannot be encoded".into()))?
        .to_der()
        .map_err(enc)?;
    let attrs = signed_attributes(&digest, &time);
    // RFC 5652 §5.4: the signature covers the DER of the attributes as a SET OF (tag 0x31),
    // not of the [0] IMPLICIT form they take inside SignerInfo.
    let mut to_sign = Vec::with_capacity(tlv_len(attrs.len()));
    header(&mut to_sign, SET, attrs.len());
    to_sign.extend_from_slice(&attrs);
    let signature = signature_of(&to_sign)?;
    Ok(assemble(content, parts, &attrs, &signature))
}

/// The DER ContentInfo around everything.
fn assemble(content: &[u8], parts: &SignerParts, attrs: &[u8], signature: &[u8]) -> Vec<u8> {
    let signer_info = VERSION_1.len()
        + parts.sid.len()
        + parts.digest_algorithm.len()
        + tlv_len(attrs.len())
        + parts.signature_algorithm.len()
        + tlv_len(signature.len());
    let econtent = tlv_len(content.len());
    let encap = tlv_len(ID_DATA.as_bytes().len()) + tlv_len(econtent);
    let signed_data = VERSION_1.len()
        + parts.digest_algorithms.len()
        + tlv_len(encap)
        + parts.certificates.len()
        + tlv_len(tlv_len(signer_info));
    let info = tlv_len(ID_SIGNED_DATA.as_bytes().len()) + tlv_len(tlv_len(signed_data));

    let mut out = Vec::with_capacity(tlv_len(info));
    // ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }
    header(&mut out, SEQUENCE, info);
    oid(&mut out, &ID_SIGNED_DATA);
    header(&mut out, CONTEXT_0, tlv_len(signed_data));
    // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, [0] certificates,
    // signerInfos }
    header(&mut out, SEQUENCE, signed_data);
    out.extend_from_slice(&VERSION_1);
    out.extend_from_slice(&parts.digest_algorithms);
    // EncapsulatedContentInfo: id-data and one OCTET STRING holding the plist. Wrapping an
    // already DER-encoded OCTET STRING here would nest it twice (notes/rust.md §1.11) and put
    // `04 <len>` before `<?xml`.
    header(&mut out, SEQUENCE, encap);
    oid(&mut out, &ID_DATA);
    header(&mut out, CONTEXT_0, econtent);
    header(&mut out, OCTET_STRING, content.len());
    out.extend_from_slice(content);
    out.extend_from_slice(&parts.certificates);
    // signerInfos: SET OF one SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm,
    // [0] IMPLICIT signedAttrs, signatureAlgorithm, signature }
    header(&mut out, SET, tlv_len(signer_info));
    header(&mut out, SEQUENCE, signer_info);
    out.extend_from_slice(&VERSION_1);
    out.extend_from_slice(&parts.sid);
    out.extend_from_slice(&parts.digest_algorithm);
    header(&mut out, CONTEXT_0, attrs.len());
    out.extend_from_slice(attrs);
    out.extend_from_slice(&parts.signature_algorithm);
    header(&mut out, OCTET_STRING, signature.len());
    out.extend_from_slice(signature);
    debug_assert_eq!(out.len(), tlv_len(info));
    out
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use cms::content_info::{CmsVersion, ContentInfo};
    use cms::signed_data::{
        EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
    };
    use der::asn1::{OctetString, SetOfVec};
    use der::{Any, Decode, Tag};
    use x509_cert::attr::{Attribute, AttributeValue};

    use super::*;

    /// Two self-signed P-256 test certificates (made with `openssl req -x509`); the second
    /// encodes longer, so DER SET OF order puts it last whatever the order given.
    const CERTS: &str = "-----BEGIN CERTIFICATE-----
MIIBnDCCAUOgAwIBAgIUV3KD4LHC1C79HkqjRGhjM1ppbT0wCgYIKoZIzj0EAwIw
JDEiMCAGA1UEAwwZZW1haWxwcm9mIGNtcyB0ZXN0IHNpZ25lcjAeFw0yNjExMjcw
NDMzMTBaFw0zNjExMjQwNDMzMTBaMCQxIjAgBgNVBAMMGWVtYWlscHJvZiBjbXMg
dGVzdCBzaWduZXIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQZ+KIZuDuTdoHz
XgRqmR3Zh0DQCLOZ5H5+bAa8ual/C75qEs6I6WCA26JciOcTNDx5VXfCTSZdTxB5
l1SJcpFGo1MwUTAdBgNVHQ4EFgQUxB2giMj/cwYYiTnHNvJtAainWFMwHwYDVR0j
BBgwFoAUxB2giMj/cwYYiTnHNvJtAainWFMwDwYDVR0TAQH/BAUwAwEB/zAKBggq
hkjOPQQDAgNHADBEAiBFodj3tNNi88bDcekDRtGS0aMboivJq9Z4Y9nsNl2gsgIg
a6KtEYJjbjHFSlC5dw8C7wfDlxB7SDohtpxZy4wSb74=
-----END CERTIFICATE-----
-----BEGIN CERTIFICATE-----
MIIBxjCCAW2gAwIBAgIUaSRF9mgrELpXPoUKJbUnKGklq78wCgYIKoZIzj0EAwIw
OTEoMCYGA1UEAwwfZW1haWxwcm9mIGNtcyB0ZXN0IGludGVybWVkaWF0ZTENMAsG
A1UECgwEVGVzdDAeFw0yNjExMjcwNDMzMTBaFw0zNjExMjQwNDMzMTBaMDkxKDAm
BgNVBAMMH2VtYWlscHJvZiBjbXMgdGVzdCBpbnRlcm1lZGlhdGUxDTALBgNVBAoM
BFRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATptXe/MoBu03iu9PF7dpuj
WCL5Nr9+nN0/AhX3Twu94xi+77WBJWX4Z207zjxtNftcJbhm7Klvp27TFSUpC9Fr
o1MwUTAdBgNVHQ4EFgQU4Y9Mu0VsiQIBUD5XU8oAJ/eSPvIwHwYDVR0jBBgwFoAU
4Y9Mu0VsiQIBUD5XU8oAJ/eSPvIwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD
AgNHADBEAiB3zikV9Zi3tnGJMo1SRZHvbFN0ExyYo+eZ6H2FJ9g+IwIgBfXq3Qjg
c+bzvdfD6xaq6HAERHhrlq35/+4efndN/lo=
-----END CERTIFICATE-----
";

    fn certs() -> Vec<Certificate> {
        Certificate::load_pem_chain(CERTS.as_bytes()).expect("test certificates")
    }

    /// The same SignedData encoded whole with the `cms` crate, as emailprof did before.
    fn reference(
        content: &[u8],
        certificate: &Certificate,
        chain: &[Certificate],
        alg: &AlgorithmIdentifierOwned,
        digest: &[u8],
        time: SystemTime,
        signature: &[u8],
    ) -> (Vec<u8>, Vec<u8>) {
        let attribute = |oid, value: AttributeValue| {
            let mut values = SetOfVec::new();
            values.insert(value).unwrap();
            Attribute { oid, values }
        };
        let time = Time::try_from(time).unwrap();
        let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(vec![
            attribute(ID_CONTENT_TYPE, AttributeValue::from(ID_DATA)),
            attribute(ID_SIGNING_TIME, Any::encode_from(&time).unwrap()),
            attribute(
                ID_MESSAGE_DIGEST,
                Any::new(Tag::OctetString, digest).unwrap(),
            ),
        ])
        .unwrap();
        let to_sign = signed_attrs.to_der().unwrap();
        let tbs = &certificate.tbs_certificate;
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer.clone(),
                serial_number: tbs.serial_number.clone(),
            }),
            digest_alg: sha256(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: alg.clone(),
            signature: OctetString::new(signature).unwrap(),
            unsigned_attrs: None,
        };
        let mut certificates = vec![CertificateChoices::Certificate(certificate.clone())];
        certificates.extend(chain.iter().cloned().map(CertificateChoices::Certificate));
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![sha256()]).unwrap(),
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_DATA,
                econtent: Some(Any::new(Tag::OctetString, content).unwrap()),
            },
            certificates: Some(CertificateSet::try_from(certificates).unwrap()),
            crls: None,
            signer_infos: SignerInfos::try_from(vec![signer_info]).unwrap(),
        };
        let info = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data).unwrap(),
        };
        (info.to_der().unwrap(), to_sign)
    }

    #[test]
    fn direct_der_is_what_the_cms_crate_encodes() {
        let certs = certs();
        let ecdsa = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
            parameters: None,
        };
        let rsa = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            parameters: Some(der::asn1::Null.into()),
        };
        // Lengths across every DER length form; times in UTCTime and GeneralizedTime.
        let contents: Vec<Vec<u8>> = [
            0usize, 1, 100, 127, 128, 255, 256, 1000, 65_535, 65_536, 70_000,
        ]
        .iter()
        .map(|&n| (0..n).map(|i| (i % 251) as u8).collect())
        .collect();
        let times = [
            UNIX_EPOCH + Duration::from_secs(1_767_323_045),
            UNIX_EPOCH + Duration::from_secs(2_600_000_000),
        ];
        for (alg, sig_len) in [(&ecdsa, 70usize), (&ecdsa, 72), (&rsa, 256), (&rsa, 512)] {
            // Signer and intermediate in SET OF order, against it, and the signer alone.
            for (cert, chain) in [
                (&certs[0], &certs[1..]),
                (&certs[1], &certs[..1]),
                (&certs[0], &[][..]),
            ] {
                let parts = SignerParts::new(cert, chain, alg).unwrap();
                for content in &contents {
                    for time in times {
                        let digest = Sha256::digest(content);
                        let signature: Vec<u8> = (0..sig_len).map(|i| i as u8).collect();
                        let t = Time::try_from(time).unwrap().to_der().unwrap();
                        let attrs = signed_attributes(&digest, &t);
                        let ours = assemble(content, &parts, &attrs, &signature);
                        let (want, to_sign) =
                            reference(content, cert, chain, alg, &digest, time, &signature);
                        assert_eq!(ours, want, "content {} bytes", content.len());
                        let mut ours_to_sign = vec![];
                        header(&mut ours_to_sign, SET, attrs.len());
                        ours_to_sign.extend_from_slice(&attrs);
                        assert_eq!(ours_to_sign, to_sign);
                        // And it decodes as DER.
                        ContentInfo::from_der(&ours).unwrap();
                    }
                }
            }
        }
    }

    #[test]
    fn headers_use_the_shortest_length_form() {
        for (len, want) in [
            (0usize, &[0x04u8, 0x00][..]),
            (127, &[0x04, 0x7f]),
            (128, &[0x04, 0x81, 0x80]),
            (256, &[0x04, 0x82, 0x01, 0x00]),
            (65_536, &[0x04, 0x83, 0x01, 0x00, 0x00]),
            (16_777_216, &[0x04, 0x84, 0x01, 0x00, 0x00, 0x00]),
        ] {
            let mut out = vec![];
            header(&mut out, OCTET_STRING, len);
            assert_eq!(out, want);
            assert_eq!(header_len(len), want.len());
        }
    }
}
