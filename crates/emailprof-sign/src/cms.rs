//! Assembling the SignedData (RFC 5652) by hand from the `cms` crate's types, so that the
//! signing time is ours to choose and the key sits behind [`SignatureBackend`].

use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::rfc5911::{
    ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME,
};
use const_oid::db::rfc5912::ID_SHA_256;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode, Tag};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::time::Time;

use crate::SignError;
use crate::identity::SigningIdentity;

fn enc(e: der::Error) -> SignError {
    SignError::Signing(format!("encoding failed ({})", e.kind()))
}

fn attribute(
    oid: const_oid::ObjectIdentifier,
    value: AttributeValue,
) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(enc)?;
    Ok(Attribute { oid, values })
}

pub(crate) fn sign(
    content: &[u8],
    id: &SigningIdentity,
    signing_time: SystemTime,
) -> Result<Vec<u8>, SignError> {
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA_256,
        // RFC 5754 §2: implementations SHOULD omit the SHA-2 parameters.
        parameters: None,
    };
    let digest = Sha256::digest(content);

    // RFC 5652 §11.3: signingTime is UTCTime for 1950..=2049, GeneralizedTime otherwise;
    // x509-cert's `Time` makes that choice.
    let time = Time::try_from(signing_time)
        .map_err(|_| SignError::Signing("the signing time cannot be encoded".into()))?;
    let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(vec![
        attribute(ID_CONTENT_TYPE, AttributeValue::from(ID_DATA))?,
        attribute(ID_SIGNING_TIME, Any::encode_from(&time).map_err(enc)?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::new(Tag::OctetString, digest.as_slice()).map_err(enc)?,
        )?,
    ])
    .map_err(enc)?;
    // RFC 5652 §5.4: the signature covers the DER of the attributes as a SET OF (tag 0x31),
    // not of the [0] IMPLICIT form they take inside SignerInfo.
    let to_sign = signed_attrs.to_der().map_err(enc)?;
    let signature = id.signer.sign(&to_sign)?;

    let tbs = &id.certificate.tbs_certificate;
    let signer_info = SignerInfo {
        // RFC 5652 §5.3: version 1 with issuerAndSerialNumber.
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: id.signer.signature_algorithm(),
        signature: OctetString::new(signature).map_err(enc)?,
        unsigned_attrs: None,
    };

    let mut certificates = vec![CertificateChoices::Certificate(id.certificate.clone())];
    certificates.extend(
        id.chain
            .iter()
            .cloned()
            .map(CertificateChoices::Certificate),
    );

    let signed_data = SignedData {
        // RFC 5652 §5.1: version 1 when only X.509 certificates, id-data and version-1
        // SignerInfos are present.
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(enc)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            // One OCTET STRING holding the plist. Wrapping an already DER-encoded OCTET STRING
            // here would nest it twice (notes/rust.md §1.11) and put `04 <len>` before `<?xml`.
            econtent: Some(Any::new(Tag::OctetString, content).map_err(enc)?),
        },
        certificates: Some(CertificateSet::try_from(certificates).map_err(enc)?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info]).map_err(enc)?,
    };
    let info = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(enc)?,
    };
    info.to_der().map_err(enc)
}
