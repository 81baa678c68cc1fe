//! Email behaviour: moving messages, third-party apps, recent addresses.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::account::yes;

/// # Email behaviour
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mail {
    /// # Allow messages to be moved to other email accounts
    ///
    /// Intune `blockMovingMessagesToOtherEmailAccounts` (inverted).
    #[serde(default = "yes")]
    pub allow_move: bool,

    /// # Allow email to be sent from third-party apps
    ///
    /// Lets third-party apps open mail in the native app, e.g. to attach files. Intune
    /// `blockSendingEmailFromThirdPartyApps` (inverted).
    #[serde(default = "yes")]
    pub allow_third_party_send: bool,

    /// # Synchronize recently used email addresses
    ///
    /// Intune `blockSyncingRecentlyUsedEmailAddresses` (inverted).
    #[serde(default = "yes")]
    pub sync_recent_addresses: bool,
}

impl Default for Mail {
    fn default() -> Self {
        Self {
            allow_move: true,
            allow_third_party_send: true,
            sync_recent_addresses: true,
        }
    }
}
