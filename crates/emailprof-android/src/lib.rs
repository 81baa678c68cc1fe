//! emailprof-android: Android Enterprise emitters. Each writes one app's managed configuration
//! as an Android Management API policy fragment
//! (`{"applications":[{"packageName":…,"managedConfiguration":{…}}]}`), typed as the app
//! declares its managed properties:
//!
//! - [`GmailEmitter`]: Gmail (`com.google.android.gm`),
//! - [`OutlookEmitter`]: Outlook (`com.microsoft.office.outlook`),
//! - [`SamsungEmitter`]: Samsung Email (`com.samsung.android.email.provider`).
//!
//! Outlook's keys are the same on iOS: [`IosOutlookEmitter`] (platform `ios-outlook`, family
//! iOS) writes them as a managed app configuration dictionary. It is not in [`emitters`] (the
//! Android ones); the registry adds it.
//!
//! Each declares the properties it writes ([`ManagedProperty`]: key, type, allowed values,
//! source); only keys confirmed from a source are written. Pure: the same resolved profile
//! gives the same bytes.

mod common;
mod gmail;
mod ios_outlook;
mod outlook;
mod properties;
mod samsung;

use emailprof_core::Emitter;

pub use gmail::GmailEmitter;
pub use ios_outlook::{IOS_BUNDLE_ID, IosOutlookEmitter};
pub use outlook::OutlookEmitter;
pub use properties::{ManagedProperty, PropertyType, check_configuration};
pub use samsung::SamsungEmitter;

/// The package names the emitters configure, by emitter id.
pub const PACKAGES: [(&str, &str); 3] = [
    ("android-gmail", gmail::PACKAGE),
    ("android-outlook", outlook::PACKAGE),
    ("android-samsung", samsung::PACKAGE),
];

/// Every emitter of this crate, for the CLI's registry.
pub fn emitters() -> Vec<Box<dyn Emitter>> {
    vec![
        Box::new(GmailEmitter),
        Box::new(OutlookEmitter),
        Box::new(SamsungEmitter),
    ]
}

/// The managed properties the emitter `id` declares, if `id` is one of this crate's.
pub fn managed_properties(id: &str) -> Option<&'static [ManagedProperty]> {
    match id {
        "android-gmail" => Some(GmailEmitter::managed_properties()),
        "android-outlook" => Some(OutlookEmitter::managed_properties()),
        "android-samsung" => Some(SamsungEmitter::managed_properties()),
        _ => None,
    }
}
