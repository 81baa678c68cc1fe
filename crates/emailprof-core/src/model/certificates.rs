//! Named certificates: PKCS#12 files, SCEP requests, CA certificates, certificates
//! delivered by other profiles.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::secret::SecretRef;

/// # Certificate
///
/// A named identity or CA certificate. Exactly the section matching `kind` is filled in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Certificate {
    /// # Kind
    ///
    /// What the entry is; decides which of `pkcs12`, `scep`, `ca` or `external` is filled in.
    pub kind: CertificateKind,

    /// # Display name
    ///
    /// Name of the certificate payload as shown on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 256))]
    pub display_name: Option<String>,

    /// # Microsoft Graph id
    ///
    /// Id of the matching Intune certificate profile (`deviceConfigurations('<id>')`), used when
    /// exporting to Intune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub graph_id: Option<String>,

    /// # PKCS#12 identity
    ///
    /// A `.p12`/`.pfx` file embedded in the profile. Only with the kind PKCS#12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs12: Option<Pkcs12>,

    /// # SCEP request
    ///
    /// The SCEP server the device requests its identity from. Only with the kind SCEP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scep: Option<Scep>,

    /// # CA certificate
    ///
    /// A CA certificate file. Only with the kind CA certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<CaCertificate>,

    /// # Certificate from another profile
    ///
    /// How to refer to a certificate another profile delivers. Only with the kind "delivered by
    /// another profile".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalCertificate>,
}

impl Certificate {
    /// A certificate that another profile delivers, known by `external`: what importers
    /// make of a reference to a certificate they do not have.
    pub fn external(external: ExternalCertificate) -> Self {
        Certificate {
            kind: CertificateKind::External,
            display_name: None,
            graph_id: None,
            pkcs12: None,
            scep: None,
            ca: None,
            external: Some(external),
        }
    }
}

/// # Certificate kind
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CertificateKind {
    /// # PKCS#12 file
    ///
    /// An identity (certificate and private key) embedded in the profile.
    Pkcs12,
    /// # SCEP request
    ///
    /// The device requests its identity from a SCEP server.
    Scep,
    /// # CA certificate
    ///
    /// A PEM or DER CA certificate the device should trust.
    Ca,
    /// # Delivered by another profile
    ///
    /// A certificate profile already deployed (e.g. an Intune PKCS or SCEP profile).
    External,
    /// # Derived credential
    ///
    /// A credential derived from the user's smart card, provisioned outside any profile.
    DerivedCredential,
}

impl CertificateKind {
    /// The section key that belongs to this kind, if it has one.
    pub fn section(self) -> Option<&'static str> {
        match self {
            CertificateKind::Pkcs12 => Some("pkcs12"),
            CertificateKind::Scep => Some("scep"),
            CertificateKind::Ca => Some("ca"),
            CertificateKind::External => Some("external"),
            CertificateKind::DerivedCredential => None,
        }
    }

    /// Whether the kind provides an identity (private key), as authentication and S/MIME need.
    pub fn is_identity(self) -> bool {
        !matches!(self, CertificateKind::Ca)
    }
}

/// # PKCS#12 identity
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pkcs12 {
    /// # File
    ///
    /// Path of the `.p12`/`.pfx` file, relative to the profile file.
    #[schemars(length(min = 1, max = 4096), example = &"certs/user1.p12")]
    pub file: String,

    /// # Passphrase
    ///
    /// Where the PKCS#12 passphrase comes from: an environment variable or a file. Inline
    /// values are refused unless explicitly allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase: Option<SecretRef>,
}

/// # SCEP request
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scep {
    /// # Server URL
    ///
    /// URL of the SCEP server.
    #[schemars(
        length(min = 1, max = 2048),
        regex(pattern = r"^https?://[^\s/?#]+([/?#][^\s]*)?$"),
        example = &"https://scep.contoso.com/certsrv/mscep/mscep.dll"
    )]
    pub url: String,

    /// # CA name
    ///
    /// Name of the CA, as the SCEP server understands it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 256))]
    pub name: Option<String>,

    /// # Subject
    ///
    /// X.500 subject as `CN=...,O=...`. `{{username}}` and `{{emailAddress}}` are filled in per
    /// user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 1024), example = &"CN={{username}},O=Contoso")]
    pub subject: Option<String>,

    /// # Subject alternative name: email
    ///
    /// Put the user's email address in the certificate's RFC 822 name.
    #[serde(default)]
    pub subject_alt_name_email: bool,

    /// # Challenge
    ///
    /// Pre-shared secret for the SCEP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<SecretRef>,

    /// # Key size
    ///
    /// Size of the RSA key the device generates, in bits.
    #[serde(default)]
    pub key_size: KeySize,

    /// # Key usage
    ///
    /// What the requested key may be used for.
    #[serde(default)]
    pub key_usage: KeyUsage,

    /// # CA fingerprint
    ///
    /// Hex SHA-256 (or SHA-1) fingerprint of the CA certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$"))]
    pub ca_fingerprint: Option<String>,
}

/// # Key size
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum KeySize {
    /// # 1024 bits
    #[serde(rename = "1024")]
    Bits1024,
    /// # 2048 bits
    #[default]
    #[serde(rename = "2048")]
    Bits2048,
    /// # 4096 bits
    #[serde(rename = "4096")]
    Bits4096,
}

impl KeySize {
    pub fn bits(self) -> u32 {
        match self {
            KeySize::Bits1024 => 1024,
            KeySize::Bits2048 => 2048,
            KeySize::Bits4096 => 4096,
        }
    }
}

/// # Key usage
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum KeyUsage {
    /// # Signing and encryption
    #[default]
    SigningAndEncryption,
    /// # Signing
    Signing,
    /// # Encryption
    Encryption,
}

/// # CA certificate
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaCertificate {
    /// # File
    ///
    /// Path of a PEM or DER certificate, relative to the profile file.
    #[schemars(length(min = 1, max = 4096), example = &"certs/contoso-root.pem")]
    pub file: String,
}

/// # Certificate from another profile
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalCertificate {
    /// # Payload UUID
    ///
    /// `PayloadUUID` of the certificate payload in the profile that delivers it (iOS), so this
    /// profile can refer to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    ))]
    pub payload_uuid: Option<String>,

    /// # Keystore alias
    ///
    /// Alias of the key in the Android work-profile keystore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 256))]
    pub android_alias: Option<String>,

    /// # Note
    ///
    /// Which profile delivers the certificate, for administrators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub note: Option<String>,
}
