//! Gmail (`com.google.android.gm`): Exchange accounts through Gmail's managed configuration
//! (Gmail 6.4 and later).

use emailprof_core::model::AuthenticationMethod;
use emailprof_core::{
    Diagnostic, Emission, EmitError, EmitOptions, Emitter, ResolvedProfile, Setting, Severity,
    Support,
};

use emailprof_core::{platform_settings, smime_settings};

use crate::common::{
    ANDROID_APP_SUPPORT, Configuration, IDENTIFIER_SUPPORT, PROFILE_TEXT_SUPPORT, app_emitter,
    emission, identity_alias, start, undelivered_certificates,
};
use crate::properties::{ManagedProperty, PropertyType};

pub(crate) const PACKAGE: &str = "com.google.android.gm";

const GOOGLE_DOC: &str = "Google, \"Configure Gmail with managed configurations\", support.google.com/work/android/answer/7065453";
const GMAIL_CODE: &str = "Gmail's AutoActivationEasService reads `exchange_username` from its app restrictions and needs it with exchange_host to set up the account (decompiled Gmail in the public code index, no repository attributed); the field is documented by EMMs as \"Username\" (Ivanti Neurons for MDM, Managed_Configurations_for_Android.md; Kaspersky, support.kaspersky.com/KESMob/AndroidTR48_iOSTR2/ja-JP/242220.htm)";

/// Gmail's managed properties this crate knows by their exact key. Keys the public sources do
/// not name exactly (sync window, sender name, authentication type) are absent on purpose.
pub(crate) const PROPERTIES: &[ManagedProperty] = &[
    ManagedProperty {
        key: "email_address",
        property_type: PropertyType::String,
        title: "Email address",
        allowed_values: &[],
        source: GOOGLE_DOC,
    },
    ManagedProperty {
        key: "exchange_host",
        property_type: PropertyType::String,
        title: "Host (EAS server, `host` or `host:port`, no scheme; port 443 if absent)",
        allowed_values: &[],
        source: GOOGLE_DOC,
    },
    ManagedProperty {
        key: "exchange_username",
        property_type: PropertyType::String,
        title: "Username",
        allowed_values: &[],
        source: GMAIL_CODE,
    },
    ManagedProperty {
        key: "exchange_ssl_required",
        property_type: PropertyType::Bool,
        title: "SSL required (ignored when the host names port 443)",
        allowed_values: &[],
        source: GOOGLE_DOC,
    },
    ManagedProperty {
        key: "exchange_login_certificate_alias",
        property_type: PropertyType::String,
        title: "Login certificate alias (a key in the work-profile keystore)",
        allowed_values: &[],
        source: GOOGLE_DOC,
    },
    ManagedProperty {
        key: "default_signature",
        property_type: PropertyType::String,
        title: "Default email signature",
        allowed_values: &[],
        source: GOOGLE_DOC,
    },
    ManagedProperty {
        key: "exchange_device_id",
        property_type: PropertyType::String,
        title: "Device identifier for EMM gateways",
        allowed_values: &[],
        source: GOOGLE_DOC,
    },
];

const NOT_IN_GMAIL: &str = "Gmail's managed configuration has no such key";

/// Gmail through its managed configuration, as an Android Management API policy fragment.
#[derive(Clone, Copy, Debug, Default)]
pub struct GmailEmitter;

app_emitter!(GmailEmitter);

impl Emitter for GmailEmitter {
    app_emitter!(impl "android-gmail", "Android Enterprise: Gmail (managed configuration)");

    fn support(&self, setting: Setting) -> Support {
        use Setting::*;
        match setting {
            Identifier => IDENTIFIER_SUPPORT,
            DisplayName | Organization | Description => PROFILE_TEXT_SUPPORT,
            Server => Support::Native { since: None },
            AccountName => Support::Unsupported {
                reason: "Gmail has no account-name key; the account shows its email address",
            },
            UsernameSource | UserDomainSource | DirectoryDomainAttribute | CustomDomainName => {
                Support::NATIVE
            }
            EmailAddressSource => Support::NATIVE,
            AuthenticationMethod => Support::Partial {
                since: None,
                note: "certificate authentication as exchange_login_certificate_alias, for a key the EMM installed in the work-profile keystore; derived credentials are not expressible",
            },
            IdentityCertificate => Support::Partial {
                since: None,
                note: "only an external certificate's work-profile keystore alias (external.androidAlias)",
            },
            Password => Support::Unsupported {
                reason: "Gmail documents no password key; it asks the user",
            },
            Ssl => Support::Partial {
                since: None,
                note: "exchange_ssl_required; Gmail ignores it when the host names port 443",
            },
            OAuth | OAuthSignInUrl | OAuthTokenRequestUrl => Support::Unsupported {
                reason: "the key of Gmail's authentication-type setting could not be confirmed from a citable source (see the crate README)",
            },
            SyncServices | SyncUserCanChange => Support::Unsupported {
                reason: "Gmail's managed configuration has no per-service sync keys",
            },
            EmailSyncDuration => Support::Unsupported {
                reason: "the key of Gmail's sync-window setting could not be confirmed from a citable source (see the crate README)",
            },
            smime_settings!() => Support::Unsupported {
                reason: "Gmail's managed configuration has no S/MIME keys",
            },
            AllowMove | AllowThirdPartySend | SyncRecentAddresses => Support::Unsupported {
                reason: NOT_IN_GMAIL,
            },
            Certificates => Support::Partial {
                since: None,
                note: "no certificate is delivered; an external certificate used for authentication is referenced by its keystore alias",
            },
            AndroidApp => ANDROID_APP_SUPPORT,
            platform_settings!(ios) | platform_settings!(windows) => Support::OtherPlatform,
        }
    }

    fn emit(
        &self,
        profile: &ResolvedProfile,
        options: &EmitOptions,
    ) -> Result<Emission, EmitError> {
        let id = self.id();
        let p = &profile.profile;
        let u = &profile.user;
        let mut diagnostics = start(self, p, options)?;
        let mut c = Configuration::default();

        c.string("email_address", &u.email_address);
        c.string("exchange_host", &p.account.server);
        // The account's user name as Exchange expects it: `DOMAIN\user` with a sAM name.
        c.string("exchange_username", &u.username);
        c.bool("exchange_ssl_required", p.account.ssl);
        if !p.account.ssl && p.account.server.ends_with(":443") {
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Setting::Ssl,
                id,
                "SSL is off, but the server names port 443, where Gmail ignores exchange_ssl_required and uses SSL",
            ));
        }

        let mut alias_cert = None;
        match p.account.authentication.method {
            AuthenticationMethod::UsernameAndPassword => {}
            AuthenticationMethod::Certificate => match identity_alias(p) {
                Ok((name, alias)) => {
                    c.string("exchange_login_certificate_alias", alias);
                    alias_cert = Some(name);
                }
                Err(why) => diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    if p.account.authentication.identity_certificate.is_some() {
                        Setting::IdentityCertificate
                    } else {
                        Setting::AuthenticationMethod
                    },
                    id,
                    format!("certificate authentication is not written: {why}"),
                )),
            },
            AuthenticationMethod::DerivedCredential => diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Setting::AuthenticationMethod,
                id,
                "derived credentials are not expressible for Gmail; it will ask for a password",
            )),
        }

        diagnostics.extend(undelivered_certificates(id, p, alias_cert));

        Ok(emission(&p.identifier, "gmail", PACKAGE, &c, diagnostics))
    }
}
