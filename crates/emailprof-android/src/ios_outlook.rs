//! Outlook for iOS (`com.microsoft.Outlook`) through iOS managed app configuration: the same
//! `com.microsoft.outlook.*` keys as on Android, written as the property-list dictionary MDMs
//! accept for an app configuration (Intune's "Enter XML data", Jamf's "App Configuration",
//! Workspace ONE's XML): a `<dict>` element, no XML declaration and no `<plist>` wrapper.
//!
//! Sources: Microsoft, "Deploying Outlook for iOS and Android app configuration settings"
//! (OfficeDocs-Exchange `Exchange/ExchangeOnline/clients-and-mobile-in-exchange-online/
//! outlook-for-ios-and-android/outlook-for-ios-and-android-configuration-with-microsoft-intune.md`):
//! "This capability leverages either the Managed App Configuration for iOS or the Android
//! managed configurations", with one key table for both platforms (account setup keys for
//! "Managed devices"); Microsoft, "Account setup in Outlook for iOS and Android using Basic
//! authentication" (`Exchange/ExchangeServer/clients/outlook-for-ios-and-android/account-setup.md`)
//! for the basic-authentication keys. The dictionary form: Apple, "ManagedAppConfiguration"
//! (the `com.apple.configuration.managed` dictionary an app reads), and Intune's
//! `iosMobileAppConfiguration.encodedSettingXml`, which carries the same `<dict>`.

use emailprof_core::{
    Emission, EmitError, EmitOptions, Emitter, Family, Operation, ResolvedProfile, Setting, Support,
};
use serde_json::Value;

use crate::common::unsupported_start;
use crate::outlook::{configure, support};

/// Outlook for iOS's bundle identifier, which the MDM's app configuration targets.
pub const IOS_BUNDLE_ID: &str = "com.microsoft.Outlook";

/// Outlook for iOS through managed app configuration.
#[derive(Clone, Copy, Debug, Default)]
pub struct IosOutlookEmitter;

impl Emitter for IosOutlookEmitter {
    fn id(&self) -> &'static str {
        "ios-outlook"
    }

    fn title(&self) -> &'static str {
        "iOS/iPadOS: Outlook (managed app configuration)"
    }

    fn family(&self) -> Family {
        Family::Ios
    }

    fn support(&self, setting: Setting) -> Support {
        support(setting, true)
    }

    fn emit(
        &self,
        profile: &ResolvedProfile,
        options: &EmitOptions,
    ) -> Result<Emission, EmitError> {
        if let Some(form) = &options.form {
            return Err(EmitError::InvalidOption(format!(
                "ios-outlook has one output form (a managed app configuration dictionary); `{form}` does not apply"
            )));
        }
        if options.operation == Operation::Remove {
            return Err(EmitError::InvalidOption(
                "ios-outlook cannot express removal: remove the app configuration in the MDM instead".into(),
            ));
        }
        let mut diagnostics = unsupported_start(self, &profile.profile);
        let c = configure(self.id(), profile, &mut diagnostics);
        let mut xml = String::from("<dict>\n");
        for (key, value) in c.entries() {
            xml.push_str(&format!("  <key>{}</key>\n", escape(key)));
            match value {
                Value::Bool(true) => xml.push_str("  <true/>\n"),
                Value::Bool(false) => xml.push_str("  <false/>\n"),
                Value::String(s) => xml.push_str(&format!("  <string>{}</string>\n", escape(s))),
                other => xml.push_str(&format!(
                    "  <string>{}</string>\n",
                    escape(&other.to_string())
                )),
            }
        }
        xml.push_str("</dict>\n");
        Ok(Emission {
            artifacts: vec![emailprof_core::Artifact {
                file_name: format!("{}.outlook-ios.plist", profile.profile.identifier),
                media_type: "application/xml".into(),
                bytes: xml.into_bytes(),
                signable: false,
            }],
            diagnostics,
        })
    }
}

/// XML character data: `&`, `<` and `>` escaped; characters XML 1.0 cannot hold dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
