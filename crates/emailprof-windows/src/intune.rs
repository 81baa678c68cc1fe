//! The Intune custom profile: a Graph `windows10CustomConfiguration` whose `omaSettings` are
//! the account's leaves as `omaSettingString`s (intune-deviceconfig-windows10customconfiguration).
//!
//! Intune writes the SyncML commands itself, so this form carries no `Atomic` and no explicit
//! `Add` of the account node (interior nodes are created by their leaves' `Add`s,
//! oma-dm-protocol-support.md).

use serde::Serialize;
use uuid::Uuid;

use crate::csp::{Leaf, account_uri};

#[derive(Serialize)]
struct CustomConfiguration<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    #[serde(rename = "displayName")]
    display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(rename = "omaSettings")]
    oma_settings: Vec<OmaSetting>,
}

#[derive(Serialize)]
struct OmaSetting {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    #[serde(rename = "displayName")]
    display_name: String,
    #[serde(rename = "omaUri")]
    oma_uri: String,
    value: String,
}

/// Graph caps `omaSettings` at 1000 entries; an account needs at most a dozen.
pub(crate) fn document(
    display_name: &str,
    description: Option<&str>,
    user_id: &str,
    guid: Uuid,
    leaves: &[Leaf],
) -> Vec<u8> {
    let doc = CustomConfiguration {
        odata_type: "#microsoft.graph.windows10CustomConfiguration",
        // One profile per user, since the values are the user's: name it so.
        display_name: format!("{display_name} ({user_id})"),
        description,
        oma_settings: leaves
            .iter()
            .map(|leaf| OmaSetting {
                odata_type: "#microsoft.graph.omaSettingString",
                display_name: leaf.name(),
                oma_uri: account_uri(guid, &leaf.path),
                value: leaf.value.clone(),
            })
            .collect(),
    };
    // Serialising plain strings into a Vec cannot fail.
    let mut bytes =
        serde_json::to_vec_pretty(&doc).expect("a struct of strings serialises to JSON");
    bytes.push(b'\n');
    bytes
}
