//! How far iOS expresses each setting of the profile: the support table.

use emailprof_core::{Setting, Support};

/// How far the iOS emitter expresses `setting`.
pub(super) fn support(setting: Setting) -> Support {
    // Versions: the `supportedOS.iOS.introduced` of the key(s) in com.apple.eas.account.yaml
    // (the payload's 4.0 where a key has none), see `keys`.
    match setting {
        Setting::DisplayName
        | Setting::Identifier
        | Setting::Organization
        | Setting::Description
        | Setting::Server
        | Setting::AccountName
        | Setting::UsernameSource
        | Setting::UserDomainSource
        | Setting::DirectoryDomainAttribute
        | Setting::CustomDomainName
        | Setting::EmailAddressSource
        | Setting::IdentityCertificate
        | Setting::Ssl
        | Setting::EmailSyncDuration
        | Setting::SyncRecentAddresses => Support::since("4.0"),
        Setting::AuthenticationMethod => Support::Partial {
            since: Some("4.0"),
            note: "certificate authentication refers to the identity payload by PayloadCertificateUUID; a derived credential has no Apple payload and is reported",
        },
        Setting::Password => Support::Partial {
            since: Some("4.0"),
            note: "written only when explicitly asked for (include password), since an unencrypted profile is readable; otherwise the device asks the user",
        },
        Setting::OAuth => Support::since("12.0"),
        Setting::OAuthSignInUrl | Setting::OAuthTokenRequestUrl => Support::since("13.0"),
        Setting::SyncServices | Setting::SyncUserCanChange => Support::since("13.0"),
        Setting::Smime => Support::since("5.0"),
        Setting::SmimeSigning => Support::since("10.3"),
        Setting::SmimeSigningUserCanChange
        | Setting::SmimeSigningCertificateUserCanChange
        | Setting::SmimeEncryptByDefaultUserCanChange
        | Setting::SmimeEncryptionCertificateUserCanChange => Support::since("12.0"),
        Setting::SmimeSigningCertificateType | Setting::SmimeEncryptionCertificateType => {
            Support::Partial {
                since: Some("5.0"),
                note: "\"certificate\" refers to the identity payload by UUID; \"none\" lets the user pick; a derived credential has no Apple payload and is reported",
            }
        }
        Setting::SmimeSigningCertificate | Setting::SmimeEncryptionCertificate => {
            Support::since("5.0")
        }
        // SMIMEEncryptionEnabled (10.3, deprecated 12.0), then SMIMEEncryptByDefault (12.0).
        Setting::SmimeEncryptByDefault => Support::since("10.3"),
        // SMIMEEnablePerMessageSwitch (8.0, deprecated 12.0), then
        // SMIMEEnableEncryptionPerMessageSwitch (12.0).
        Setting::SmimePerMessageSwitch => Support::since("8.0"),
        Setting::AllowMove | Setting::AllowThirdPartySend => Support::since("5.0"),
        Setting::Certificates => Support::Partial {
            since: Some("4.0"),
            note: "PKCS#12, SCEP and CA certificates become payloads of the profile and certificates of other profiles are referred to by UUID; derived credentials and Graph ids are not expressible",
        },
        // Not a key: it decides which keys are written.
        Setting::IosMinimumOsVersion => Support::NATIVE,
        Setting::IosPerAccountVpn => Support::since("14.0"),
        Setting::IosAllowMailDrop => Support::since("9.2"),
        Setting::WindowsSyncSchedule | Setting::AndroidApp => Support::OtherPlatform,
    }
}
