//! S/MIME signing and encryption.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// # S/MIME
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Smime {
    /// # S/MIME
    ///
    /// Sign and/or encrypt email in the native mail app (Intune `requireSmime`). The signing and
    /// encryption settings apply only when this is on.
    #[serde(default)]
    pub enabled: bool,

    /// # S/MIME signing
    ///
    /// Signing of sent mail. Only with S/MIME on.
    #[serde(default)]
    pub signing: SmimeSigning,

    /// # S/MIME encryption
    ///
    /// Encryption of sent mail. Only with S/MIME on.
    #[serde(default)]
    pub encryption: SmimeEncryption,
}

/// # S/MIME signing
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmimeSigning {
    /// # S/MIME signing enabled
    ///
    /// Intune `smimeSigningEnabled`.
    #[serde(default)]
    pub enabled: bool,

    /// # Allow user to change signing
    ///
    /// Intune `smimeSigningUserOverrideEnabled`.
    #[serde(default)]
    pub user_can_change: bool,

    /// # Signing certificate type
    ///
    /// Intune `signingCertificateType` (iOS/iPadOS 12+).
    #[serde(default)]
    pub certificate_type: CertificateType,

    /// # Signing certificate
    ///
    /// Name of the entry in `certificates`. Only with the certificate type Certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub certificate: Option<String>,

    /// # Allow user to change the signing certificate
    ///
    /// Intune `smimeSigningCertificateUserOverrideEnabled` (iOS/iPadOS 12+).
    #[serde(default)]
    pub certificate_user_can_change: bool,
}

/// # S/MIME encryption
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmimeEncryption {
    /// # Encrypt by default
    ///
    /// Intune `smimeEncryptByDefaultEnabled`.
    #[serde(default)]
    pub encrypt_by_default: bool,

    /// # Allow user to change encrypt by default
    ///
    /// Intune `smimeEncryptByDefaultUserOverrideEnabled` (iOS/iPadOS 12+).
    #[serde(default)]
    pub encrypt_by_default_user_can_change: bool,

    /// # Force per-message encryption
    ///
    /// Shows a per-message encryption switch when composing; with encrypt by default on it lets
    /// users opt out per message, otherwise opt in (Intune `smimeEnablePerMessageSwitch`).
    #[serde(default)]
    pub per_message_switch: bool,

    /// # Encryption certificate type
    ///
    /// Intune `encryptionCertificateType`.
    #[serde(default)]
    pub certificate_type: CertificateType,

    /// # Encryption certificate
    ///
    /// Name of the entry in `certificates`. Only with the certificate type Certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub certificate: Option<String>,

    /// # Allow user to change the encryption certificate
    ///
    /// Intune `smimeEncryptionCertificateUserOverrideEnabled` (iOS/iPadOS 12+).
    #[serde(default)]
    pub certificate_user_can_change: bool,
}

/// # Certificate type
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CertificateType {
    /// # Not configured
    #[default]
    NotConfigured,
    /// # None
    ///
    /// The user picks a certificate on the device.
    None,
    /// # Derived credential
    ///
    /// A certificate derived from the user's smart card.
    DerivedCredential,
    /// # Certificates
    ///
    /// An identity from `certificates` (an existing PKCS or SCEP certificate profile).
    Certificate,
}
