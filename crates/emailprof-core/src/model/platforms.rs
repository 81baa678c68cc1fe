//! Settings that only one platform has.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The syntax of a `PayloadUUID` (any case, hyphenated).
const UUID_PATTERN: &str =
    r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$";

/// The syntax of a reverse-DNS `PayloadIdentifier`, as the profile's own `identifier`.
const IDENTIFIER_PATTERN: &str = r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$";

/// # Platform-specific settings
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Platforms {
    /// # iOS/iPadOS
    ///
    /// Settings only iOS/iPadOS has.
    #[serde(default)]
    pub ios: IosSettings,
    /// # Windows 10/11
    ///
    /// Settings only Windows has.
    #[serde(default)]
    pub windows: WindowsSettings,
    /// # Android
    ///
    /// Settings only Android has.
    #[serde(default)]
    pub android: AndroidSettings,
}

/// # iOS/iPadOS
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IosSettings {
    /// # Minimum iOS/iPadOS version
    ///
    /// Oldest OS version the profile targets; keys introduced later are left out with a
    /// warning. 13.0 if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{1,2}(\.[0-9]{1,2}){0,2}$"), example = &"15.0")]
    pub minimum_os_version: Option<String>,

    /// # VPN for per-account VPN
    ///
    /// `PayloadUUID` of a per-app VPN payload the account's traffic uses (iOS 14+; Intune
    /// `perAppVPNProfileId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    ))]
    pub per_account_vpn_uuid: Option<String>,

    /// # Allow Mail Drop
    ///
    /// Allow Mail Drop for large attachments (iOS 9.2+).
    #[serde(default)]
    pub allow_mail_drop: bool,

    /// # Payload identity of an installed profile
    ///
    /// The `PayloadIdentifier`s and `PayloadUUID`s that a profile already on devices has, as
    /// `import mobileconfig` found them. A device replaces an installed payload only when the
    /// identifier is the same; a different one installs a second account. Leave this out for
    /// a new profile: emailprof then derives identifiers from `identifier` and UUIDs (v5) from
    /// them and the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payloads: Option<IosPayloads>,
}

/// # Payload identity of an installed profile
///
/// Kept identifiers and UUIDs, per payload. A kept UUID is written as is, for every user.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IosPayloads {
    /// # Profile PayloadUUID
    ///
    /// The top-level `PayloadUUID`; the profile's `PayloadIdentifier` is `identifier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = UUID_PATTERN), example = &"B8FD6FD7-A55E-4EB1-96AF-D9C4D8562E38")]
    pub profile_uuid: Option<String>,

    /// # Exchange account payload
    ///
    /// Identifier and UUID of the `com.apple.eas.account` payload (else `<identifier>.eas`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<PayloadIdentity>,

    /// # Certificate payloads
    ///
    /// Identifier and UUID of each certificate payload (`identifier`, `uuid`, as for the
    /// account payload), by the certificate's name under `certificates` (else
    /// `<identifier>.cert.<name>`). Only PKCS#12, SCEP and CA certificates have a payload.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" }))]
    pub certificates: BTreeMap<String, PayloadIdentity>,
}

/// # Payload identity
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayloadIdentity {
    /// # PayloadIdentifier
    ///
    /// Reverse-DNS identifier of the payload; devices replace the payload with this identifier.
    #[schemars(
        length(min = 3, max = 255),
        regex(pattern = IDENTIFIER_PATTERN),
        example = &"com.contoso.email.eas"
    )]
    pub identifier: String,

    /// # PayloadUUID
    ///
    /// UUID of the payload, written as given (case included).
    #[schemars(regex(pattern = UUID_PATTERN), example = &"DE789252-DCF2-42E7-91C8-0AB9F50AAFC5")]
    pub uuid: String,
}

/// # Windows 10/11
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WindowsSettings {
    /// # Sync schedule
    ///
    /// How often the device syncs (Intune `emailSyncSchedule`).
    #[serde(default)]
    pub sync_schedule: SyncSchedule,
}

/// # Sync schedule
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SyncSchedule {
    /// # Not configured
    #[default]
    NotConfigured,
    /// # As messages arrive
    AsMessagesArrive,
    /// # Manual
    Manual,
    /// # Every 15 minutes
    FifteenMinutes,
    /// # Every 30 minutes
    ThirtyMinutes,
    /// # Every 60 minutes
    SixtyMinutes,
    /// # Based on my usage
    BasedOnMyUsage,
}

/// # Android
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AndroidSettings {
    /// # Email app
    ///
    /// The app that receives the managed configuration when the platform is plain `android`.
    #[serde(default)]
    pub app: AndroidApp,
}

/// # Email app
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AndroidApp {
    /// # Gmail
    #[default]
    Gmail,
    /// # Outlook
    Outlook,
    /// # Samsung Email
    Samsung,
    /// # Nine Work
    NineWork,
}
