//! Samsung Email (`com.samsung.android.email.provider`, managed configurations since 6.0).
//!
//! Samsung publishes the schema's titles (docs.samsungknox.com managed-configurations
//! email-schema.html: "Exchange ActiveSync accounts list", "Email address", "EAS domain",
//! "Use SSL", ...) but not the property keys, and no citable source gives them. A key that
//! cannot be confirmed is not written, so the configuration stays empty and every configured
//! setting is reported; the crate README lists the gap.

use emailprof_core::{
    Emission, EmitError, EmitOptions, Emitter, Family, ResolvedProfile, Setting, Support,
};

use emailprof_core::platform_settings;

use crate::common::{
    ANDROID_APP_SUPPORT, Configuration, IDENTIFIER_SUPPORT, artifact, check_options,
    settings_diagnostics,
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

impl SamsungEmitter {
    /// The managed properties the emitter writes (none are confirmed, see the module docs).
    pub fn managed_properties() -> &'static [ManagedProperty] {
        PROPERTIES
    }
}

impl Emitter for SamsungEmitter {
    fn id(&self) -> &'static str {
        "android-samsung"
    }

    fn title(&self) -> &'static str {
        "Android Enterprise: Samsung Email (managed configuration)"
    }

    fn family(&self) -> Family {
        Family::Android
    }

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
        check_options(self.id(), options)?;
        let p = &profile.profile;
        Ok(Emission {
            artifacts: vec![artifact(
                &p.identifier,
                "samsung",
                PACKAGE,
                &Configuration::default(),
            )],
            diagnostics: settings_diagnostics(self, p),
        })
    }
}
