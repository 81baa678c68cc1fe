//! How far each Graph type expresses each setting of the profile (intune-graph.md §4, §7).

use emailprof_core::{Setting, Support};

use crate::graph_type::GraphType;

const fn unsupported(reason: &'static str) -> Support {
    Support::Unsupported { reason }
}

const fn partial(note: &'static str) -> Support {
    Support::Partial { since: None, note }
}

const NO_IDENTIFIER: Support = unsupported(
    "Intune identifies a profile by its own object id and names the delivered payloads itself",
);
const NO_ORGANIZATION: Support = unsupported("a Graph email profile has no organization");
const NO_PASSWORD: Support =
    unsupported("Intune never carries the account password; the device asks the user for it");
const NO_DOMAIN: Support = unsupported("this Graph type has no user domain properties");
const NO_OAUTH_URLS: Support =
    unsupported("Graph email profiles have no OAuth URLs; devices use auto-discovery");
const IOS_ONLY: Support = unsupported("only Intune's iOS/iPadOS email profile has this setting");
const BOUND: Support = partial(
    "written as `<reference>@odata.bind` to the certificate's `graphId`; without a graphId the reference is left out",
);
const CERTIFICATES: Support = partial(
    "certificates are referenced by `graphId`; their material belongs in separate Intune certificate profiles",
);
const ANDROID_DERIVED: Support = partial(
    "`derivedCredential` is in Graph's enum, but the Intune portal offers only certificate and username and password for this type",
);
const SWITCHES: Support = partial(
    "email always syncs; calendars, contacts and reminders (tasks) are switches; notes cannot be chosen",
);

impl GraphType {
    /// How far this type expresses `setting`. Settings of another platform's `platforms.*`
    /// section answer [`Support::OtherPlatform`].
    pub fn support(self, setting: Setting) -> Support {
        use GraphType as T;
        use Setting as S;
        if setting
            .platform_scope()
            .is_some_and(|section| section != self.family().section())
        {
            return Support::OtherPlatform;
        }
        let ios = self == T::Ios;
        let windows = matches!(self, T::Windows10 | T::WindowsPhone);
        let knox = self == T::AndroidKnox;
        let work = !(ios || windows || knox);
        match setting {
            S::DisplayName | S::Description | S::Server | S::EmailAddressSource | S::Ssl => {
                Support::NATIVE
            }
            S::EmailSyncDuration | S::UsernameSource => Support::NATIVE,
            S::Identifier => NO_IDENTIFIER,
            S::Organization => NO_ORGANIZATION,
            S::Password => NO_PASSWORD,
            S::OAuthSignInUrl | S::OAuthTokenRequestUrl => NO_OAUTH_URLS,
            S::AccountName if work => {
                unsupported("this Graph type has no account name; the app shows the email address")
            }
            S::AccountName => Support::NATIVE,
            S::UserDomainSource | S::DirectoryDomainAttribute | S::CustomDomainName if work => {
                NO_DOMAIN
            }
            S::UserDomainSource | S::DirectoryDomainAttribute | S::CustomDomainName => {
                Support::NATIVE
            }
            S::AuthenticationMethod | S::IdentityCertificate if windows => unsupported(
                "Intune's Windows email profiles have no authentication method: always username and password",
            ),
            S::AuthenticationMethod if ios => Support::NATIVE,
            S::AuthenticationMethod => ANDROID_DERIVED,
            S::IdentityCertificate => BOUND,
            S::Certificates if windows => {
                unsupported("Intune's Windows email profiles refer to no certificates")
            }
            S::Certificates => CERTIFICATES,
            S::OAuth | S::SyncUserCanChange if !ios => IOS_ONLY,
            S::OAuth | S::SyncUserCanChange => Support::NATIVE,
            S::SyncServices => match self {
                T::Ios => Support::NATIVE,
                T::AndroidKnox => partial(
                    "email always syncs; calendars, contacts, reminders (tasks) and notes are switches",
                ),
                T::AndroidForWorkGmail | T::AndroidWorkProfileGmail => {
                    unsupported("this Graph type has no sync switches")
                }
                _ => SWITCHES,
            },
            S::Smime if knox => partial(
                "Knox has one S/MIME switch (`requireSmime`), which signs with the bound signing certificate",
            ),
            S::SmimeSigning if knox => partial("on Knox, signing is on whenever S/MIME is"),
            S::SmimeSigningCertificateType if knox => {
                partial("Knox binds a certificate profile only")
            }
            S::SmimeSigningCertificate if knox || ios => BOUND,
            S::SmimeEncryptionCertificate if ios => BOUND,
            S::Smime
            | S::SmimeSigning
            | S::SmimeSigningUserCanChange
            | S::SmimeSigningCertificateType
            | S::SmimeSigningCertificateUserCanChange
            | S::SmimeEncryptByDefault
            | S::SmimeEncryptByDefaultUserCanChange
            | S::SmimePerMessageSwitch
            | S::SmimeEncryptionCertificateType
            | S::SmimeEncryptionCertificateUserCanChange
            | S::AllowMove
            | S::AllowThirdPartySend
            | S::SyncRecentAddresses
                if ios =>
            {
                Support::NATIVE
            }
            S::Smime
            | S::SmimeSigning
            | S::SmimeSigningUserCanChange
            | S::SmimeSigningCertificateType
            | S::SmimeSigningCertificate
            | S::SmimeSigningCertificateUserCanChange
            | S::SmimeEncryptByDefault
            | S::SmimeEncryptByDefaultUserCanChange
            | S::SmimePerMessageSwitch
            | S::SmimeEncryptionCertificateType
            | S::SmimeEncryptionCertificate
            | S::SmimeEncryptionCertificateUserCanChange
            | S::AllowMove
            | S::AllowThirdPartySend
            | S::SyncRecentAddresses => IOS_ONLY,
            S::IosMinimumOsVersion => {
                unsupported("Intune decides per device which payload keys apply")
            }
            S::IosPerAccountVpn => unsupported(
                "Intune's `perAppVPNProfileId` names a VPN profile by its Graph id, not a payload by its PayloadUUID",
            ),
            S::IosAllowMailDrop => {
                unsupported("Intune's iOS email profile has no Mail Drop setting")
            }
            S::WindowsSyncSchedule => Support::NATIVE,
            S::AndroidApp => partial(
                "the Graph type itself names the app: Samsung's built-in app for Knox, Gmail or Nine Work for the others",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_sections_of_other_families_are_other_platforms() {
        assert_eq!(
            GraphType::AndroidKnox.support(Setting::WindowsSyncSchedule),
            Support::OtherPlatform
        );
        assert_eq!(
            GraphType::Windows10.support(Setting::IosAllowMailDrop),
            Support::OtherPlatform
        );
        assert_eq!(
            GraphType::Windows10.support(Setting::WindowsSyncSchedule),
            Support::NATIVE
        );
    }
}
