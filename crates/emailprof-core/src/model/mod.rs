//! The platform-neutral email profile: every setting of `mission/settings.md`.
//!
//! The serde names are the profile file's keys (camelCase); doc comments become the JSON
//! Schema's `title` (first line) and `description` (the rest), which form generators show.

mod account;
mod certificates;
mod mail;
mod platforms;
mod smime;
mod sync;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use self::account::*;
pub use self::certificates::*;
pub use self::mail::*;
pub use self::platforms::*;
pub use self::smime::*;
pub use self::sync::*;

/// # Email profile
///
/// One Exchange ActiveSync email account, as an endpoint administrator pushes it to managed
/// devices, described once for every platform.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("x-emailprof-version" = 1))]
pub struct EmailProfile {
    /// # Schema
    ///
    /// Optional reference to this JSON Schema, for editors. Ignored by emailprof.
    #[serde(default, rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,

    /// # Display name
    ///
    /// Name of the profile as users and administrators see it, e.g. in Settings on the device.
    #[schemars(length(min = 1, max = 256), example = &"Contoso Exchange")]
    pub display_name: String,

    /// # Identifier
    ///
    /// Reverse-DNS identifier of the profile, e.g. `com.contoso.email`. It decides whether an
    /// installed profile is replaced or a second one is added, so keep it stable.
    #[schemars(
        length(min = 3, max = 255),
        regex(pattern = r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"),
        example = &"com.contoso.email"
    )]
    pub identifier: String,

    /// # Organization
    ///
    /// Organization shown with the profile on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 256), example = &"Contoso Ltd")]
    pub organization: Option<String>,

    /// # Description
    ///
    /// What the profile does, shown on the device's profile detail screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 4096))]
    pub description: Option<String>,

    /// # Exchange ActiveSync account
    ///
    /// Server, user name and email address sources, authentication, SSL and OAuth.
    pub account: Account,

    /// # Exchange data to sync
    ///
    /// Which Exchange services the device syncs, whether users may change that, and how much
    /// email history is kept on the device.
    #[serde(default)]
    pub sync: Sync,

    /// # S/MIME
    ///
    /// Signing and encryption of email in the native mail app.
    #[serde(default)]
    pub smime: Smime,

    /// # Email behaviour
    ///
    /// Moving messages, third-party apps and recent addresses.
    #[serde(default)]
    pub mail: Mail,

    /// # Certificates
    ///
    /// Named identities and CA certificates the profile refers to (authentication, S/MIME).
    /// The key is the name used in `identityCertificate`, `smime.signing.certificate` and
    /// `smime.encryption.certificate`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" }))]
    pub certificates: BTreeMap<String, Certificate>,

    /// # Platform-specific settings
    ///
    /// Settings that only one platform has.
    #[serde(default)]
    pub platforms: Platforms,
}
