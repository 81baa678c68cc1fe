//! Settings that only one platform has.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
