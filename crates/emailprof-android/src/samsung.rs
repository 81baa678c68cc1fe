//! Samsung Email (`com.samsung.android.email.provider`, managed configurations since 6.0).
//!
//! Samsung publishes the schema's titles (docs.samsungknox.com managed-configurations
//! email-schema.html: "Exchange ActiveSync accounts list", "Email address", "EAS domain",
//! "Use SSL", ...) but not the property keys, and no citable source gives them. A key that
//! cannot be confirmed is not written, so the configuration stays empty and every configured
//! setting is reported; the crate README lists the gap.

use emailprof_core::{
    Emission, EmitError, EmitOptions, Emitter, ResolvedProfile, Setting, Support,
};

use emailprof_core::platform_settings;

use crate::common::{
    ANDROID_APP_SUPPORT, Configuration, IDENTIFIER_SUPPORT, app_emitter, emission, start,
};
use crate::properties::ManagedProperty;

pub(crate) const PACKAGE: &str = "com.samsung.android.email.provider";

/// No Samsung Email key is confirmed yet.
pub(crate) const PROPERTIES: &[ManagedProperty] = &[];

const UNCONFIRMED: &str = "Samsung Email's managed-property keys could not be confirmed from a citable source (Samsung publishes only the titles); read them with AMAPI enterprises.applications.get and see the crate README";

/// Samsung Email through its managed configuration, as an Android Management API policy
/// fragment.
#[derive(Clone, Copy, Debug, Default)]
pub struct SamsungEmitter;

app_emitter!(SamsungEmitter);

impl Emitter for SamsungEmitter {
    app_emitter!(impl "android-samsung", "Android Enterprise: Samsung Email (managed configuration)");

    fn support(&self, setting: Setting) -> Support {
        use Setting::*;
        match setting {
            Identifier => IDENTIFIER_SUPPORT,
            AndroidApp => ANDROID_APP_SUPPORT,
            platform_settings!(ios) | platform_settings!(windows) => Support::OtherPlatform,
            _ => Support::Unsupported {
                reason: UNCONFIRMED,
            },
        }
    }

    fn emit(
        &self,
        profile: &ResolvedProfile,
        options: &EmitOptions,
    ) -> Result<Emission, EmitError> {
        let p = &profile.profile;
        let diagnostics = start(self, p, options)?;
        Ok(emission(
            &p.identifier,
            "samsung",
            PACKAGE,
            &Configuration::default(),
            diagnostics,
        ))
    }
}
