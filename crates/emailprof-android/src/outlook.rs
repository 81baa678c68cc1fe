//! Outlook for Android (`com.microsoft.office.outlook`): account setup and S/MIME through the
//! app configuration keys Microsoft documents (case-sensitive).

use emailprof_core::model::UsernameSource;
use emailprof_core::{
    Diagnostic, Emission, EmitError, EmitOptions, Emitter, ResolvedProfile, Setting, Severity,
    Support,
};

use emailprof_core::platform_settings;

use crate::common::{
    ANDROID_APP_SUPPORT, Configuration, IDENTIFIER_SUPPORT, PROFILE_TEXT_SUPPORT, app_emitter,
    emission, start, undelivered_certificates,
};
use crate::properties::{ManagedProperty, PropertyType};

pub(crate) const PACKAGE: &str = "com.microsoft.office.outlook";

const MODERN_DOC: &str = "Microsoft, \"Deploying Outlook for iOS and Android app configuration settings\", OfficeDocs-Exchange Exchange/ExchangeOnline/clients-and-mobile-in-exchange-online/outlook-for-ios-and-android/outlook-for-ios-and-android-configuration-with-microsoft-intune.md, section Configuration keys";
const BASIC_DOC: &str = "Microsoft, \"Account setup in Outlook for iOS and Android using Basic authentication\", OfficeDocs-Exchange Exchange/ExchangeServer/clients/outlook-for-ios-and-android/account-setup.md, section Key value pairs";

const EMAIL_ADDRESS: &str = "com.microsoft.outlook.EmailProfile.EmailAddress";
const EMAIL_UPN: &str = "com.microsoft.outlook.EmailProfile.EmailUPN";
const ACCOUNT_TYPE: &str = "com.microsoft.outlook.EmailProfile.AccountType";
const SERVER_HOST_NAME: &str = "com.microsoft.outlook.EmailProfile.ServerHostName";
const ACCOUNT_DOMAIN: &str = "com.microsoft.outlook.EmailProfile.AccountDomain";
const EMAIL_ACCOUNT_NAME: &str = "com.microsoft.outlook.EmailProfile.EmailAccountName";
const SMIME: &str = "com.microsoft.outlook.Mail.SMIMEEnabled";
const SIGN_ALL: &str = "com.microsoft.outlook.Mail.SMIMEEnabled.SignAllMail";
const SIGN_ALL_CHANGE: &str =
    "com.microsoft.outlook.Mail.SMIMEEnabled.SignAllMail.UserChangeAllowed";
const ENCRYPT_ALL: &str = "com.microsoft.outlook.Mail.SMIMEEnabled.EncryptAllMail";
const ENCRYPT_ALL_CHANGE: &str =
    "com.microsoft.outlook.Mail.SMIMEEnabled.EncryptAllMail.UserChangeAllowed";

/// Outlook's account-setup and S/MIME keys, as the Microsoft documents give them.
pub(crate) const PROPERTIES: &[ManagedProperty] = &[
    ManagedProperty {
        key: EMAIL_ADDRESS,
        property_type: PropertyType::String,
        title: "Email address for sending and receiving mail",
        allowed_values: &[],
        source: MODERN_DOC,
    },
    ManagedProperty {
        key: EMAIL_UPN,
        property_type: PropertyType::String,
        title: "User principal name (modern authentication); user name (basic authentication)",
        allowed_values: &[],
        source: MODERN_DOC,
    },
    ManagedProperty {
        key: ACCOUNT_TYPE,
        property_type: PropertyType::String,
        title: "Authentication model",
        allowed_values: &["ModernAuth", "BasicAuth"],
        source: "ModernAuth: Microsoft, outlook-for-ios-and-android-configuration-with-microsoft-intune.md (OfficeDocs-Exchange), Configuration keys; BasicAuth: Microsoft, account-setup.md (OfficeDocs-Exchange), Key value pairs",
    },
    ManagedProperty {
        key: SERVER_HOST_NAME,
        property_type: PropertyType::String,
        title: "Exchange ActiveSync host name (basic authentication)",
        allowed_values: &[],
        source: BASIC_DOC,
    },
    ManagedProperty {
        key: ACCOUNT_DOMAIN,
        property_type: PropertyType::String,
        title: "Account domain (basic authentication, with a sAM account name)",
        allowed_values: &[],
        source: BASIC_DOC,
    },
    ManagedProperty {
        key: EMAIL_ACCOUNT_NAME,
        property_type: PropertyType::String,
        title: "Display name of the account (basic authentication)",
        allowed_values: &[],
        source: BASIC_DOC,
    },
    ManagedProperty {
        key: "com.microsoft.outlook.EmailProfile.ServerAuthentication",
        property_type: PropertyType::String,
        title: "Authentication method (basic authentication)",
        allowed_values: &["Username and Password"],
        source: BASIC_DOC,
    },
    ManagedProperty {
        key: SMIME,
        property_type: PropertyType::Bool,
        title: "S/MIME enabled",
        allowed_values: &[],
        source: MODERN_DOC,
    },
    ManagedProperty {
        key: "com.microsoft.outlook.Mail.SMIMEEnabled.UserChangeAllowed",
        property_type: PropertyType::Bool,
        title: "User may change the S/MIME setting",
        allowed_values: &[],
        source: MODERN_DOC,
    },
    ManagedProperty {
        key: ENCRYPT_ALL,
        property_type: PropertyType::Bool,
        title: "S/MIME encryption required to send",
        allowed_values: &[],
        source: MODERN_DOC,
    },
    ManagedProperty {
        key: ENCRYPT_ALL_CHANGE,
        property_type: PropertyType::Bool,
        title: "User may change the encryption setting",
        allowed_values: &[],
        source: MODERN_DOC,
    },
    ManagedProperty {
        key: SIGN_ALL,
        property_type: PropertyType::Bool,
        title: "S/MIME signing required to send",
        allowed_values: &[],
        source: MODERN_DOC,
    },
    ManagedProperty {
        key: SIGN_ALL_CHANGE,
        property_type: PropertyType::Bool,
        title: "User may change the signing setting",
        allowed_values: &[],
        source: MODERN_DOC,
    },
];

const NO_CERT_KEY: &str = "Outlook takes S/MIME certificates from the device or Intune's automated delivery; no key selects one";

/// Outlook for Android through its managed app configuration, as an Android Management API
/// policy fragment.
#[derive(Clone, Copy, Debug, Default)]
pub struct OutlookEmitter;

app_emitter!(OutlookEmitter);

impl Emitter for OutlookEmitter {
    app_emitter!(impl "android-outlook", "Android Enterprise: Outlook (managed configuration)");

    fn support(&self, setting: Setting) -> Support {
        support(setting, false)
    }

    fn emit(
        &self,
        profile: &ResolvedProfile,
        options: &EmitOptions,
    ) -> Result<Emission, EmitError> {
        let mut diagnostics = start(self, &profile.profile, options)?;
        let c = configure(self.id(), profile, &mut diagnostics);
        let p = &profile.profile;
        Ok(emission(&p.identifier, "outlook", PACKAGE, &c, diagnostics))
    }
}

/// What Outlook's keys express, on Android (`ios` false) or iOS: the keys are the same
/// (MODERN_DOC: "Managed App Configuration for iOS or the Android managed configurations").
pub(crate) fn support(setting: Setting, ios: bool) -> Support {
    use Setting::*;
    match setting {
        Identifier => IDENTIFIER_SUPPORT,
        DisplayName | Organization | Description => PROFILE_TEXT_SUPPORT,
        Server => Support::Partial {
            since: None,
            note: "ServerHostName, with basic authentication; with OAuth Outlook finds the server itself",
        },
        AccountName => Support::Partial {
            since: None,
            note: "EmailAccountName, with basic authentication only",
        },
        UsernameSource => Support::Partial {
            since: None,
            note: "with basic authentication; with OAuth EmailUPN is always the user principal name",
        },
        UserDomainSource | DirectoryDomainAttribute | CustomDomainName => Support::Partial {
            since: None,
            note: "AccountDomain with basic authentication; with OAuth EmailUPN is the user principal name and no domain is written",
        },
        EmailAddressSource => Support::NATIVE,
        AuthenticationMethod | IdentityCertificate => Support::Unsupported {
            reason: "ServerAuthentication accepts only 'Username and Password' (account-setup.md)",
        },
        Password => Support::Unsupported {
            reason: "Outlook has no password key; it asks the user",
        },
        Ssl => Support::Partial {
            since: None,
            note: "Outlook always connects with TLS; SSL off is not expressible",
        },
        OAuth => Support::NATIVE,
        OAuthSignInUrl | OAuthTokenRequestUrl => Support::Unsupported {
            reason: "Outlook finds the OAuth endpoints itself; it has no key for them",
        },
        SyncServices => Support::Unsupported {
            reason: "Outlook always syncs mail, calendar and contacts in the app; its LocalSyncEnabled/NativeSyncEnabled keys copy data to the device's own apps, which is another setting",
        },
        SyncUserCanChange | EmailSyncDuration => Support::Unsupported {
            reason: "Outlook has no key for it",
        },
        Smime => Support::NATIVE,
        SmimeSigning => Support::Partial {
            since: None,
            note: "SMIMEEnabled.SignAllMail: Outlook then signs every message",
        },
        SmimeSigningUserCanChange => Support::NATIVE,
        SmimeEncryptByDefault => Support::Partial {
            since: None,
            note: "SMIMEEnabled.EncryptAllMail: Outlook then requires encryption to send",
        },
        SmimeEncryptByDefaultUserCanChange => Support::NATIVE,
        SmimePerMessageSwitch => Support::Unsupported {
            reason: "Outlook has no key for a per-message encryption switch",
        },
        SmimeSigningCertificateType
        | SmimeSigningCertificate
        | SmimeSigningCertificateUserCanChange
        | SmimeEncryptionCertificateType
        | SmimeEncryptionCertificate
        | SmimeEncryptionCertificateUserCanChange => Support::Unsupported {
            reason: NO_CERT_KEY,
        },
        AllowMove | AllowThirdPartySend | SyncRecentAddresses => Support::Unsupported {
            reason: "Outlook has no key for it",
        },
        Certificates => Support::Unsupported {
            reason: "a managed configuration carries no certificates; install them with the EMM",
        },
        AndroidApp if !ios => ANDROID_APP_SUPPORT,
        platform_settings!(ios) if ios => Support::Unsupported {
            reason: "Outlook has no key for it",
        },
        platform_settings!(ios) | platform_settings!(windows) | platform_settings!(android) => {
            Support::OtherPlatform
        }
    }
}

/// Outlook's account and S/MIME keys for `profile`, the same on Android and iOS; what cannot be
/// written goes to `diagnostics` under the platform `id`.
pub(crate) fn configure(
    id: &str,
    profile: &ResolvedProfile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Configuration {
    let p = &profile.profile;
    let u = &profile.user;
    let mut note = |severity, setting, message: &str| {
        diagnostics.push(Diagnostic::new(severity, setting, id, message));
    };
    let mut c = Configuration::default();
    let basic = !p.account.oauth.enabled;
    let sam = p.account.username.source == UsernameSource::SamAccountName;

    c.string(ACCOUNT_TYPE, if basic { "BasicAuth" } else { "ModernAuth" });
    c.string(EMAIL_ADDRESS, &u.email_address);
    if basic {
        match (sam, &u.account) {
            // account-setup.md: with sAMAccountName, the bare name goes in EmailUPN and the
            // domain in AccountDomain.
            (true, Some(account)) => {
                c.string(EMAIL_UPN, account);
                if let Some(domain) = &u.domain {
                    c.string(ACCOUNT_DOMAIN, domain);
                }
            }
            _ => c.string(EMAIL_UPN, &u.username),
        }
        c.string(SERVER_HOST_NAME, &p.account.server);
        c.string(EMAIL_ACCOUNT_NAME, &p.account.account_name);
        if is_exchange_online(&p.account.server) {
            note(
                Severity::Warning,
                Setting::OAuth,
                &format!(
                    "{ACCOUNT_TYPE}=BasicAuth for Exchange Online (`{}`), where Microsoft has retired basic authentication: Outlook will not sign in; turn on account.oauth.enabled (ModernAuth)",
                    p.account.server
                ),
            );
        }
    } else {
        note(
            Severity::Info,
            Setting::Server,
            "not written: with OAuth Outlook finds the server itself (ServerHostName is a basic-authentication key)",
        );
        note(
            Severity::Info,
            Setting::AccountName,
            "not written: EmailAccountName is a basic-authentication key",
        );
        // Modern authentication signs in through Entra ID, whose token for this key is the
        // user principal name ({{userprincipalname}} in MODERN_DOC), whatever name the
        // account sends to Exchange.
        let upn = u
            .user_principal_name
            .as_deref()
            .or(
                (p.account.username.source == UsernameSource::UserPrincipalName)
                    .then_some(u.username.as_str()),
            );
        match upn {
            Some(upn) => {
                c.string(EMAIL_UPN, upn);
                if p.account.username.source != UsernameSource::UserPrincipalName {
                    note(
                        Severity::Info,
                        Setting::UsernameSource,
                        "EmailUPN is the user principal name: Outlook signs in through Entra ID with it; the profile's user name goes only to basic-authentication keys",
                    );
                }
            }
            None => note(
                Severity::Warning,
                Setting::UsernameSource,
                "EmailUPN not written: Outlook signs in through Entra ID with the user principal name, and the directory gave none for this user",
            ),
        }
    }
    if !p.account.ssl {
        note(
            Severity::Warning,
            Setting::Ssl,
            "SSL is off, but Outlook always connects with TLS",
        );
    }

    let smime = &p.smime;
    if smime.enabled {
        c.bool(SMIME, true);
        c.bool(SIGN_ALL, smime.signing.enabled);
        c.bool(SIGN_ALL_CHANGE, smime.signing.user_can_change);
        c.bool(ENCRYPT_ALL, smime.encryption.encrypt_by_default);
        c.bool(
            ENCRYPT_ALL_CHANGE,
            smime.encryption.encrypt_by_default_user_can_change,
        );
    }

    diagnostics.extend(undelivered_certificates(id, p, None));
    c
}

/// Whether `server` is Exchange Online, where basic authentication is retired: the
/// `*.office365.com` hosts (`outlook.office365.com`) and `outlook.office.com`.
fn is_exchange_online(server: &str) -> bool {
    let host = server.trim().trim_end_matches('.');
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let host = host.to_ascii_lowercase();
    host == "outlook.office.com" || host == "office365.com" || host.ends_with(".office365.com")
}

#[cfg(test)]
mod tests {
    use super::is_exchange_online;

    #[test]
    fn exchange_online_hosts_are_recognised() {
        for h in [
            "outlook.office365.com",
            "OUTLOOK.OFFICE365.COM",
            "outlook.office365.com:443",
            "partner.outlook.office365.com",
            "outlook.office.com",
        ] {
            assert!(is_exchange_online(h), "{h}");
        }
        for h in [
            "mail.contoso.com",
            "office365.com.contoso.com",
            "outlook.office.com.evil",
        ] {
            assert!(!is_exchange_online(h), "{h}");
        }
    }
}
