//! What an import gives, and why it can fail.

use std::collections::BTreeMap;

use emailprof_core::Severity;

/// The largest profile accepted; real ones are a few KiB plus certificates.
pub(super) const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// One thing the importer has to say about a key of the profile.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportFinding {
    pub severity: Severity,
    /// Where in the `.mobileconfig`, e.g. `PayloadContent[0].MailNumberOfPastDaysToSync`.
    pub key_path: String,
    pub message: String,
}

/// The result of an import.
#[derive(Clone, Debug)]
pub struct Imported {
    /// A valid emailprof profile document (JSON).
    pub profile: serde_json::Value,
    /// Everything that was inferred, left out or wrong, in document order.
    pub findings: Vec<ImportFinding>,
    /// Certificate files the profile refers to (`certificates.*.pkcs12.file`, `.ca.file`),
    /// relative to the profile file, with the bytes taken from the `.mobileconfig`. The caller
    /// writes them beside the profile.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Why a `.mobileconfig` could not be imported at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the input is larger than {MAX_INPUT_BYTES} bytes")]
    TooLarge,
    #[error("not a property list or a signed profile: {0}")]
    NotAProfile(String),
    #[error("the signed profile could not be read: {0}")]
    Signature(#[from] emailprof_sign::SignError),
    #[error("the profile is encrypted (IsEncrypted / EncryptedPayloadContent); decrypt it first")]
    Encrypted,
    #[error("{key_path}: {message}")]
    Invalid { key_path: String, message: String },
    #[error("the profile has no com.apple.eas.account (Exchange ActiveSync) payload")]
    NoExchangeAccount,
    /// The profile read is not a valid emailprof profile (a defect of the importer).
    #[error("the imported profile is not valid: {}", .0.join("; "))]
    InvalidProfile(Vec<String>),
}
