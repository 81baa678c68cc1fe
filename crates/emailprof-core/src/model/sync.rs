//! What the device syncs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::account::yes;

/// # Exchange data to sync
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sync {
    /// # Services to sync
    ///
    /// Exchange services the device syncs (Intune `easServices`). All data by default; at
    /// least one. Intune's presets: all five (All data), `email` (Email only), `calendars`
    /// (Calendar only), `calendars`+`contacts`, `contacts` (Contacts only).
    #[serde(default = "Service::all")]
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub services: Vec<Service>,

    /// # Allow users to change sync settings
    ///
    /// Applies to all services at once (Intune `easServicesUserOverrideEnabled`). When only
    /// some services sync, No is recommended.
    #[serde(default = "yes")]
    pub user_can_change: bool,

    /// # Number of days of email to sync
    ///
    /// Intune `durationOfEmailToSync`. Not configured leaves the device's default.
    #[serde(default)]
    pub email_sync_duration: EmailSyncDuration,
}

impl Default for Sync {
    fn default() -> Self {
        Self {
            services: Service::all(),
            user_can_change: true,
            email_sync_duration: EmailSyncDuration::default(),
        }
    }
}

/// # Service
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum Service {
    /// # Email
    Email,
    /// # Calendar
    Calendars,
    /// # Contacts
    Contacts,
    /// # Reminders
    ///
    /// Exchange tasks (Reminders on iOS, Tasks on Windows).
    Reminders,
    /// # Notes
    Notes,
}

impl Service {
    /// Every service, in the order Intune lists them.
    pub const ALL: [Service; 5] = [
        Service::Email,
        Service::Calendars,
        Service::Contacts,
        Service::Reminders,
        Service::Notes,
    ];

    pub fn all() -> Vec<Service> {
        Self::ALL.to_vec()
    }

    /// The Graph `easServices` flag name.
    pub fn graph_name(self) -> &'static str {
        match self {
            Service::Email => "email",
            Service::Calendars => "calendars",
            Service::Contacts => "contacts",
            Service::Reminders => "reminders",
            Service::Notes => "notes",
        }
    }
}

/// # Number of days of email to sync
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum EmailSyncDuration {
    /// # Not configured
    ///
    /// The device's own default.
    #[default]
    NotConfigured,
    /// # One day
    OneDay,
    /// # Three days
    ThreeDays,
    /// # One week
    OneWeek,
    /// # Two weeks
    TwoWeeks,
    /// # One month
    OneMonth,
    /// # Unlimited
    Unlimited,
}

impl EmailSyncDuration {
    /// Days of past email, `Some(0)` for unlimited, `None` when not configured.
    pub fn days(self) -> Option<u32> {
        match self {
            EmailSyncDuration::NotConfigured => None,
            EmailSyncDuration::OneDay => Some(1),
            EmailSyncDuration::ThreeDays => Some(3),
            EmailSyncDuration::OneWeek => Some(7),
            EmailSyncDuration::TwoWeeks => Some(14),
            EmailSyncDuration::OneMonth => Some(31),
            EmailSyncDuration::Unlimited => Some(0),
        }
    }
}
