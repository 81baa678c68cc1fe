//! The catalogue of settings: one entry per setting of `mission/settings.md` (and the profile's
//! identity, certificates and per-platform settings), with its place in the profile.
//!
//! Emitters declare their support per [`Setting`]; [`Setting::is_configured`] says whether a
//! profile asks something of a platform, which is what makes "never silently dropped" checkable.

use crate::model::*;

/// Every S/MIME setting, as a pattern: `match setting { smime_settings!() => .. }`. Platforms
/// without S/MIME answer them all alike; the match stays exhaustive, so a new S/MIME setting
/// joins every such answer.
#[macro_export]
macro_rules! smime_settings {
    () => {
        $crate::Setting::Smime
            | $crate::Setting::SmimeSigning
            | $crate::Setting::SmimeSigningUserCanChange
            | $crate::Setting::SmimeSigningCertificateType
            | $crate::Setting::SmimeSigningCertificate
            | $crate::Setting::SmimeSigningCertificateUserCanChange
            | $crate::Setting::SmimeEncryptByDefault
            | $crate::Setting::SmimeEncryptByDefaultUserCanChange
            | $crate::Setting::SmimePerMessageSwitch
            | $crate::Setting::SmimeEncryptionCertificateType
            | $crate::Setting::SmimeEncryptionCertificate
            | $crate::Setting::SmimeEncryptionCertificateUserCanChange
    };
}

/// The settings of one platform's section (`platforms.ios`, `.windows`, `.android`), as a
/// pattern: `platform_settings!(ios)`. Other platforms answer them with
/// [`Support::OtherPlatform`](crate::Support::OtherPlatform).
#[macro_export]
macro_rules! platform_settings {
    (ios) => {
        $crate::Setting::IosMinimumOsVersion
            | $crate::Setting::IosPerAccountVpn
            | $crate::Setting::IosAllowMailDrop
    };
    (windows) => {
        $crate::Setting::WindowsSyncSchedule
    };
    (android) => {
        $crate::Setting::AndroidApp
    };
}

/// One setting of the email profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Setting {
    DisplayName,
    Identifier,
    Organization,
    Description,
    Server,
    AccountName,
    UsernameSource,
    UserDomainSource,
    DirectoryDomainAttribute,
    CustomDomainName,
    EmailAddressSource,
    AuthenticationMethod,
    IdentityCertificate,
    Password,
    Ssl,
    OAuth,
    OAuthSignInUrl,
    OAuthTokenRequestUrl,
    SyncServices,
    SyncUserCanChange,
    EmailSyncDuration,
    Smime,
    SmimeSigning,
    SmimeSigningUserCanChange,
    SmimeSigningCertificateType,
    SmimeSigningCertificate,
    SmimeSigningCertificateUserCanChange,
    SmimeEncryptByDefault,
    SmimeEncryptByDefaultUserCanChange,
    SmimePerMessageSwitch,
    SmimeEncryptionCertificateType,
    SmimeEncryptionCertificate,
    SmimeEncryptionCertificateUserCanChange,
    AllowMove,
    AllowThirdPartySend,
    SyncRecentAddresses,
    Certificates,
    IosMinimumOsVersion,
    IosPerAccountVpn,
    IosAllowMailDrop,
    WindowsSyncSchedule,
    AndroidApp,
}

impl Setting {
    /// Every setting, in the order of the settings inventory.
    pub const ALL: [Setting; 42] = [
        Setting::DisplayName,
        Setting::Identifier,
        Setting::Organization,
        Setting::Description,
        Setting::Server,
        Setting::AccountName,
        Setting::UsernameSource,
        Setting::UserDomainSource,
        Setting::DirectoryDomainAttribute,
        Setting::CustomDomainName,
        Setting::EmailAddressSource,
        Setting::AuthenticationMethod,
        Setting::IdentityCertificate,
        Setting::Password,
        Setting::Ssl,
        Setting::OAuth,
        Setting::OAuthSignInUrl,
        Setting::OAuthTokenRequestUrl,
        Setting::SyncServices,
        Setting::SyncUserCanChange,
        Setting::EmailSyncDuration,
        Setting::Smime,
        Setting::SmimeSigning,
        Setting::SmimeSigningUserCanChange,
        Setting::SmimeSigningCertificateType,
        Setting::SmimeSigningCertificate,
        Setting::SmimeSigningCertificateUserCanChange,
        Setting::SmimeEncryptByDefault,
        Setting::SmimeEncryptByDefaultUserCanChange,
        Setting::SmimePerMessageSwitch,
        Setting::SmimeEncryptionCertificateType,
        Setting::SmimeEncryptionCertificate,
        Setting::SmimeEncryptionCertificateUserCanChange,
        Setting::AllowMove,
        Setting::AllowThirdPartySend,
        Setting::SyncRecentAddresses,
        Setting::Certificates,
        Setting::IosMinimumOsVersion,
        Setting::IosPerAccountVpn,
        Setting::IosAllowMailDrop,
        Setting::WindowsSyncSchedule,
        Setting::AndroidApp,
    ];

    /// JSON pointer of the setting in a profile document.
    pub fn pointer(self) -> &'static str {
        match self {
            Setting::DisplayName => "/displayName",
            Setting::Identifier => "/identifier",
            Setting::Organization => "/organization",
            Setting::Description => "/description",
            Setting::Server => "/account/server",
            Setting::AccountName => "/account/accountName",
            Setting::UsernameSource => "/account/username/source",
            Setting::UserDomainSource => "/account/username/domain/source",
            Setting::DirectoryDomainAttribute => "/account/username/domain/attribute",
            Setting::CustomDomainName => "/account/username/domain/name",
            Setting::EmailAddressSource => "/account/emailAddressSource",
            Setting::AuthenticationMethod => "/account/authentication/method",
            Setting::IdentityCertificate => "/account/authentication/identityCertificate",
            Setting::Password => "/account/authentication/password",
            Setting::Ssl => "/account/ssl",
            Setting::OAuth => "/account/oauth/enabled",
            Setting::OAuthSignInUrl => "/account/oauth/signInUrl",
            Setting::OAuthTokenRequestUrl => "/account/oauth/tokenRequestUrl",
            Setting::SyncServices => "/sync/services",
            Setting::SyncUserCanChange => "/sync/userCanChange",
            Setting::EmailSyncDuration => "/sync/emailSyncDuration",
            Setting::Smime => "/smime/enabled",
            Setting::SmimeSigning => "/smime/signing/enabled",
            Setting::SmimeSigningUserCanChange => "/smime/signing/userCanChange",
            Setting::SmimeSigningCertificateType => "/smime/signing/certificateType",
            Setting::SmimeSigningCertificate => "/smime/signing/certificate",
            Setting::SmimeSigningCertificateUserCanChange => {
                "/smime/signing/certificateUserCanChange"
            }
            Setting::SmimeEncryptByDefault => "/smime/encryption/encryptByDefault",
            Setting::SmimeEncryptByDefaultUserCanChange => {
                "/smime/encryption/encryptByDefaultUserCanChange"
            }
            Setting::SmimePerMessageSwitch => "/smime/encryption/perMessageSwitch",
            Setting::SmimeEncryptionCertificateType => "/smime/encryption/certificateType",
            Setting::SmimeEncryptionCertificate => "/smime/encryption/certificate",
            Setting::SmimeEncryptionCertificateUserCanChange => {
                "/smime/encryption/certificateUserCanChange"
            }
            Setting::AllowMove => "/mail/allowMove",
            Setting::AllowThirdPartySend => "/mail/allowThirdPartySend",
            Setting::SyncRecentAddresses => "/mail/syncRecentAddresses",
            Setting::Certificates => "/certificates",
            Setting::IosMinimumOsVersion => "/platforms/ios/minimumOsVersion",
            Setting::IosPerAccountVpn => "/platforms/ios/perAccountVpnUuid",
            Setting::IosAllowMailDrop => "/platforms/ios/allowMailDrop",
            Setting::WindowsSyncSchedule => "/platforms/windows/syncSchedule",
            Setting::AndroidApp => "/platforms/android/app",
        }
    }

    /// The English name of the setting, as in the settings inventory.
    pub fn title(self) -> &'static str {
        match self {
            Setting::DisplayName => "Display name",
            Setting::Identifier => "Identifier",
            Setting::Organization => "Organization",
            Setting::Description => "Description",
            Setting::Server => "Email server",
            Setting::AccountName => "Account name",
            Setting::UsernameSource => "Username attribute from the directory",
            Setting::UserDomainSource => "User domain name source",
            Setting::DirectoryDomainAttribute => "Directory domain attribute",
            Setting::CustomDomainName => "Custom domain name",
            Setting::EmailAddressSource => "Email address attribute",
            Setting::AuthenticationMethod => "Authentication method",
            Setting::IdentityCertificate => "Identity certificate",
            Setting::Password => "Password",
            Setting::Ssl => "SSL",
            Setting::OAuth => "OAuth",
            Setting::OAuthSignInUrl => "OAuth sign-in URL",
            Setting::OAuthTokenRequestUrl => "OAuth token request URL",
            Setting::SyncServices => "Exchange data to sync",
            Setting::SyncUserCanChange => "Allow users to change sync settings",
            Setting::EmailSyncDuration => "Number of days of email to sync",
            Setting::Smime => "S/MIME",
            Setting::SmimeSigning => "S/MIME signing enabled",
            Setting::SmimeSigningUserCanChange => "Allow user to change signing",
            Setting::SmimeSigningCertificateType => "Signing certificate type",
            Setting::SmimeSigningCertificate => "Signing certificate",
            Setting::SmimeSigningCertificateUserCanChange => {
                "Allow user to change the signing certificate"
            }
            Setting::SmimeEncryptByDefault => "Encrypt by default",
            Setting::SmimeEncryptByDefaultUserCanChange => {
                "Allow user to change encrypt by default"
            }
            Setting::SmimePerMessageSwitch => "Force per-message encryption",
            Setting::SmimeEncryptionCertificateType => "Encryption certificate type",
            Setting::SmimeEncryptionCertificate => "Encryption certificate",
            Setting::SmimeEncryptionCertificateUserCanChange => {
                "Allow user to change the encryption certificate"
            }
            Setting::AllowMove => "Allow messages to be moved to other email accounts",
            Setting::AllowThirdPartySend => "Allow email to be sent from third-party apps",
            Setting::SyncRecentAddresses => "Synchronize recently used email addresses",
            Setting::Certificates => "Certificates",
            Setting::IosMinimumOsVersion => "Minimum iOS/iPadOS version",
            Setting::IosPerAccountVpn => "VPN for per-account VPN",
            Setting::IosAllowMailDrop => "Allow Mail Drop",
            Setting::WindowsSyncSchedule => "Sync schedule",
            Setting::AndroidApp => "Email app",
        }
    }

    /// The setting whose pointer is `pointer`.
    pub fn from_pointer(pointer: &str) -> Option<Setting> {
        Self::ALL.into_iter().find(|s| s.pointer() == pointer)
    }

    /// Whether `profile` asks something of a platform through this setting: it holds a value
    /// other than the one that leaves the platform's behaviour alone, and the setting is in
    /// force (S/MIME sub-settings only count with S/MIME on, OAuth URLs only with OAuth).
    ///
    /// A platform that cannot express a configured setting must report it.
    pub fn is_configured(self, p: &EmailProfile) -> bool {
        let a = &p.account;
        let sam = a.username.source == UsernameSource::SamAccountName;
        let domain = a.username.domain.as_ref().filter(|_| sam);
        let smime = p.smime.enabled;
        let s = &p.smime.signing;
        let e = &p.smime.encryption;
        match self {
            Setting::DisplayName | Setting::Identifier | Setting::Server => true,
            Setting::AccountName => true,
            Setting::Organization => p.organization.is_some(),
            Setting::Description => p.description.is_some(),
            Setting::UsernameSource => true,
            Setting::UserDomainSource => domain.is_some(),
            Setting::DirectoryDomainAttribute => {
                domain.is_some_and(|d| d.source == DomainSource::Directory)
            }
            Setting::CustomDomainName => domain.is_some_and(|d| d.source == DomainSource::Custom),
            Setting::EmailAddressSource => true,
            Setting::AuthenticationMethod => {
                a.authentication.method != AuthenticationMethod::UsernameAndPassword
            }
            Setting::IdentityCertificate => {
                a.authentication.method == AuthenticationMethod::Certificate
                    && a.authentication.identity_certificate.is_some()
            }
            Setting::Password => a.authentication.password.is_some(),
            Setting::Ssl => true,
            Setting::OAuth => a.oauth.enabled,
            Setting::OAuthSignInUrl => a.oauth.enabled && a.oauth.sign_in_url.is_some(),
            Setting::OAuthTokenRequestUrl => a.oauth.enabled && a.oauth.token_request_url.is_some(),
            Setting::SyncServices => {
                let mut v = p.sync.services.clone();
                v.sort();
                v.dedup();
                v.len() != Service::ALL.len()
            }
            Setting::SyncUserCanChange => !p.sync.user_can_change,
            Setting::EmailSyncDuration => {
                p.sync.email_sync_duration != EmailSyncDuration::NotConfigured
            }
            Setting::Smime => smime,
            Setting::SmimeSigning => smime && s.enabled,
            Setting::SmimeSigningUserCanChange => smime && s.user_can_change,
            Setting::SmimeSigningCertificateType => {
                smime && s.certificate_type != CertificateType::NotConfigured
            }
            Setting::SmimeSigningCertificate => smime && s.certificate.is_some(),
            Setting::SmimeSigningCertificateUserCanChange => smime && s.certificate_user_can_change,
            Setting::SmimeEncryptByDefault => smime && e.encrypt_by_default,
            Setting::SmimeEncryptByDefaultUserCanChange => {
                smime && e.encrypt_by_default_user_can_change
            }
            Setting::SmimePerMessageSwitch => smime && e.per_message_switch,
            Setting::SmimeEncryptionCertificateType => {
                smime && e.certificate_type != CertificateType::NotConfigured
            }
            Setting::SmimeEncryptionCertificate => smime && e.certificate.is_some(),
            Setting::SmimeEncryptionCertificateUserCanChange => {
                smime && e.certificate_user_can_change
            }
            Setting::AllowMove => !p.mail.allow_move,
            Setting::AllowThirdPartySend => !p.mail.allow_third_party_send,
            Setting::SyncRecentAddresses => !p.mail.sync_recent_addresses,
            Setting::Certificates => !p.certificates.is_empty(),
            Setting::IosMinimumOsVersion => p.platforms.ios.minimum_os_version.is_some(),
            Setting::IosPerAccountVpn => p.platforms.ios.per_account_vpn_uuid.is_some(),
            Setting::IosAllowMailDrop => p.platforms.ios.allow_mail_drop,
            Setting::WindowsSyncSchedule => {
                p.platforms.windows.sync_schedule != SyncSchedule::NotConfigured
            }
            // The app choice only steers which Android target `android` means.
            Setting::AndroidApp => false,
        }
    }

    /// Whether this setting only concerns one platform (a `platforms.*` setting).
    pub fn platform_scope(self) -> Option<&'static str> {
        let p = self.pointer();
        ["ios", "windows", "android"]
            .into_iter()
            .find(|name| p.starts_with(&format!("/platforms/{name}/")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The pattern macros name exactly the settings of their section.
    #[test]
    fn pattern_macros_match_their_sections() {
        for s in Setting::ALL {
            let smime = matches!(s, smime_settings!());
            assert_eq!(smime, s.pointer().starts_with("/smime"), "{s:?}");
            for (name, in_section) in [
                ("ios", matches!(s, platform_settings!(ios))),
                ("windows", matches!(s, platform_settings!(windows))),
                ("android", matches!(s, platform_settings!(android))),
            ] {
                assert_eq!(in_section, s.platform_scope() == Some(name), "{s:?}");
            }
        }
    }

    #[test]
    fn every_setting_is_listed_once_with_a_unique_pointer() {
        let pointers: HashSet<_> = Setting::ALL.iter().map(|s| s.pointer()).collect();
        assert_eq!(pointers.len(), Setting::ALL.len());
        for s in Setting::ALL {
            assert_eq!(Setting::from_pointer(s.pointer()), Some(s));
        }
    }
}
