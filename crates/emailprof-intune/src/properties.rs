//! The Graph property map: which profile setting each property of Intune's email profiles
//! carries, in one table that import and export both read (the property names are spelled
//! only here). The conversion of values stays with the reader and the writer; which type has
//! which property is `graph_type`'s.

use emailprof_core::Setting;

use crate::graph_type::GraphType;

/// One Graph property and the profile member it carries.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Property {
    /// The Graph property (or navigation property) name.
    pub(crate) graph: &'static str,
    /// Where the value lands in the imported profile; validation findings under it are
    /// reported at this property.
    pub(crate) pointer: &'static str,
    pub(crate) setting: Setting,
    /// Whether the row stands for `pointer` only in types that have the property (the next
    /// row with the same pointer stands for it in the others).
    pub(crate) where_present: bool,
}

const fn row(graph: &'static str, pointer: &'static str, setting: Setting) -> Property {
    Property {
        graph,
        pointer,
        setting,
        where_present: false,
    }
}

/// The account name, where the type has one.
pub(crate) const ACCOUNT_NAME: Property = Property {
    where_present: true,
    ..row("accountName", "/account/accountName", Setting::AccountName)
};
/// Where the type has no account name, import takes the display name for it.
pub(crate) const ACCOUNT_NAME_FROM_DISPLAY_NAME: Property =
    row("displayName", "/account/accountName", Setting::AccountName);
/// The user name source of iOS and Windows (`usernameSource` is their legacy field).
pub(crate) const USERNAME_AAD_SOURCE: Property = Property {
    where_present: true,
    ..row(
        "usernameAADSource",
        "/account/username",
        Setting::UsernameSource,
    )
};
/// The user name source of Android types (on the others, the legacy field).
pub(crate) const USERNAME_SOURCE: Property = row(
    "usernameSource",
    "/account/username",
    Setting::UsernameSource,
);
pub(crate) const DISPLAY_NAME: Property = row("displayName", "/displayName", Setting::DisplayName);
pub(crate) const DESCRIPTION: Property = row("description", "/description", Setting::Description);
pub(crate) const HOST_NAME: Property = row("hostName", "/account/server", Setting::Server);
pub(crate) const CUSTOM_DOMAIN_NAME: Property = row(
    "customDomainName",
    "/account/username/domain/name",
    Setting::CustomDomainName,
);
pub(crate) const USER_DOMAIN_NAME_SOURCE: Property = row(
    "userDomainNameSource",
    "/account/username/domain/attribute",
    Setting::DirectoryDomainAttribute,
);
pub(crate) const EMAIL_ADDRESS_SOURCE: Property = row(
    "emailAddressSource",
    "/account/emailAddressSource",
    Setting::EmailAddressSource,
);
pub(crate) const AUTHENTICATION_METHOD: Property = row(
    "authenticationMethod",
    "/account/authentication",
    Setting::AuthenticationMethod,
);
pub(crate) const DURATION_OF_EMAIL_TO_SYNC: Property = row(
    "durationOfEmailToSync",
    "/sync/emailSyncDuration",
    Setting::EmailSyncDuration,
);
/// A navigation property: import makes the bound certificate profile the certificate `identity`.
pub(crate) const IDENTITY_CERTIFICATE: Property = row(
    "identityCertificate",
    "/certificates/identity",
    Setting::IdentityCertificate,
);
pub(crate) const SMIME_SIGNING_CERTIFICATE: Property = row(
    "smimeSigningCertificate",
    "/certificates/smime-signing",
    Setting::SmimeSigningCertificate,
);
pub(crate) const SMIME_ENCRYPTION_CERTIFICATE: Property = row(
    "smimeEncryptionCertificate",
    "/certificates/smime-encryption",
    Setting::SmimeEncryptionCertificate,
);
pub(crate) const REQUIRE_SSL: Property = row("requireSsl", "/account/ssl", Setting::Ssl);
pub(crate) const USE_OAUTH: Property = row("useOAuth", "/account/oauth/enabled", Setting::OAuth);
pub(crate) const EAS_SERVICES: Property =
    row("easServices", "/sync/services", Setting::SyncServices);
pub(crate) const EAS_SERVICES_USER_OVERRIDE_ENABLED: Property = row(
    "easServicesUserOverrideEnabled",
    "/sync/userCanChange",
    Setting::SyncUserCanChange,
);
pub(crate) const SYNC_CALENDAR: Property =
    row("syncCalendar", "/sync/services", Setting::SyncServices);
pub(crate) const SYNC_CONTACTS: Property =
    row("syncContacts", "/sync/services", Setting::SyncServices);
pub(crate) const SYNC_TASKS: Property = row("syncTasks", "/sync/services", Setting::SyncServices);
pub(crate) const SYNC_NOTES: Property = row("syncNotes", "/sync/services", Setting::SyncServices);
pub(crate) const EMAIL_SYNC_SCHEDULE: Property = row(
    "emailSyncSchedule",
    "/platforms/windows/syncSchedule",
    Setting::WindowsSyncSchedule,
);
pub(crate) const REQUIRE_SMIME: Property = row("requireSmime", "/smime/enabled", Setting::Smime);
pub(crate) const SMIME_SIGNING_ENABLED: Property = row(
    "smimeSigningEnabled",
    "/smime/signing/enabled",
    Setting::SmimeSigning,
);
pub(crate) const SMIME_SIGNING_USER_OVERRIDE_ENABLED: Property = row(
    "smimeSigningUserOverrideEnabled",
    "/smime/signing/userCanChange",
    Setting::SmimeSigningUserCanChange,
);
pub(crate) const SIGNING_CERTIFICATE_TYPE: Property = row(
    "signingCertificateType",
    "/smime/signing/certificateType",
    Setting::SmimeSigningCertificateType,
);
pub(crate) const SMIME_SIGNING_CERTIFICATE_USER_OVERRIDE_ENABLED: Property = row(
    "smimeSigningCertificateUserOverrideEnabled",
    "/smime/signing/certificateUserCanChange",
    Setting::SmimeSigningCertificateUserCanChange,
);
pub(crate) const SMIME_ENCRYPT_BY_DEFAULT_ENABLED: Property = row(
    "smimeEncryptByDefaultEnabled",
    "/smime/encryption/encryptByDefault",
    Setting::SmimeEncryptByDefault,
);
pub(crate) const SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDE_ENABLED: Property = row(
    "smimeEncryptByDefaultUserOverrideEnabled",
    "/smime/encryption/encryptByDefaultUserCanChange",
    Setting::SmimeEncryptByDefaultUserCanChange,
);
pub(crate) const SMIME_ENABLE_PER_MESSAGE_SWITCH: Property = row(
    "smimeEnablePerMessageSwitch",
    "/smime/encryption/perMessageSwitch",
    Setting::SmimePerMessageSwitch,
);
pub(crate) const ENCRYPTION_CERTIFICATE_TYPE: Property = row(
    "encryptionCertificateType",
    "/smime/encryption/certificateType",
    Setting::SmimeEncryptionCertificateType,
);
pub(crate) const SMIME_ENCRYPTION_CERTIFICATE_USER_OVERRIDE_ENABLED: Property = row(
    "smimeEncryptionCertificateUserOverrideEnabled",
    "/smime/encryption/certificateUserCanChange",
    Setting::SmimeEncryptionCertificateUserCanChange,
);
/// Inverted, as the two `block…` below: "Allow …" is `block… = false` (intune-graph.md §7).
pub(crate) const BLOCK_MOVING_MESSAGES_TO_OTHER_EMAIL_ACCOUNTS: Property = row(
    "blockMovingMessagesToOtherEmailAccounts",
    "/mail/allowMove",
    Setting::AllowMove,
);
pub(crate) const BLOCK_SENDING_EMAIL_FROM_THIRD_PARTY_APPS: Property = row(
    "blockSendingEmailFromThirdPartyApps",
    "/mail/allowThirdPartySend",
    Setting::AllowThirdPartySend,
);
pub(crate) const BLOCK_SYNCING_RECENTLY_USED_EMAIL_ADDRESSES: Property = row(
    "blockSyncingRecentlyUsedEmailAddresses",
    "/mail/syncRecentAddresses",
    Setting::SyncRecentAddresses,
);
/// A Graph id of a VPN profile, not a PayloadUUID: import reports it, export never writes it.
pub(crate) const PER_APP_VPN_PROFILE_ID: Property = row(
    "perAppVPNProfileId",
    "/platforms/ios/perAccountVpnUuid",
    Setting::IosPerAccountVpn,
);

/// Every row, in the order in which a profile pointer is matched to its property: the more
/// specific rows of a pointer first.
pub(crate) const PROPERTIES: &[Property] = &[
    ACCOUNT_NAME,
    ACCOUNT_NAME_FROM_DISPLAY_NAME,
    USERNAME_AAD_SOURCE,
    USERNAME_SOURCE,
    DISPLAY_NAME,
    DESCRIPTION,
    HOST_NAME,
    CUSTOM_DOMAIN_NAME,
    USER_DOMAIN_NAME_SOURCE,
    EMAIL_ADDRESS_SOURCE,
    AUTHENTICATION_METHOD,
    DURATION_OF_EMAIL_TO_SYNC,
    IDENTITY_CERTIFICATE,
    SMIME_SIGNING_CERTIFICATE,
    SMIME_ENCRYPTION_CERTIFICATE,
    REQUIRE_SSL,
    USE_OAUTH,
    EAS_SERVICES,
    EAS_SERVICES_USER_OVERRIDE_ENABLED,
    SYNC_CALENDAR,
    SYNC_CONTACTS,
    SYNC_TASKS,
    SYNC_NOTES,
    EMAIL_SYNC_SCHEDULE,
    REQUIRE_SMIME,
    SMIME_SIGNING_ENABLED,
    SMIME_SIGNING_USER_OVERRIDE_ENABLED,
    SIGNING_CERTIFICATE_TYPE,
    SMIME_SIGNING_CERTIFICATE_USER_OVERRIDE_ENABLED,
    SMIME_ENCRYPT_BY_DEFAULT_ENABLED,
    SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDE_ENABLED,
    SMIME_ENABLE_PER_MESSAGE_SWITCH,
    ENCRYPTION_CERTIFICATE_TYPE,
    SMIME_ENCRYPTION_CERTIFICATE_USER_OVERRIDE_ENABLED,
    BLOCK_MOVING_MESSAGES_TO_OTHER_EMAIL_ACCOUNTS,
    BLOCK_SENDING_EMAIL_FROM_THIRD_PARTY_APPS,
    BLOCK_SYNCING_RECENTLY_USED_EMAIL_ADDRESSES,
    PER_APP_VPN_PROFILE_ID,
];

/// The Graph property a profile pointer comes from ("" for the object itself): the first row
/// whose pointer starts the given one.
pub(crate) fn graph_property(ty: GraphType, pointer: &str) -> &'static str {
    PROPERTIES
        .iter()
        .filter(|p| !p.where_present || ty.has(p.graph))
        .find(|p| pointer.starts_with(p.pointer))
        .map_or("", |p| p.graph)
}

/// The `sync*` switches the type has, with the service each one turns on.
pub(crate) fn sync_switches(
    ty: GraphType,
) -> &'static [(&'static str, emailprof_core::model::Service)] {
    use emailprof_core::model::Service;
    const THREE: &[(&str, Service)] = &[
        (SYNC_CALENDAR.graph, Service::Calendars),
        (SYNC_CONTACTS.graph, Service::Contacts),
        (SYNC_TASKS.graph, Service::Reminders),
    ];
    const FOUR: &[(&str, Service)] = &[
        (SYNC_CALENDAR.graph, Service::Calendars),
        (SYNC_CONTACTS.graph, Service::Contacts),
        (SYNC_TASKS.graph, Service::Reminders),
        (SYNC_NOTES.graph, Service::Notes),
    ];
    match ty {
        GraphType::AndroidKnox => FOUR,
        t if t.has(SYNC_CALENDAR.graph) => THREE,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_property_of_every_type_is_in_the_table() {
        for ty in GraphType::ALL {
            for name in ty
                .properties()
                .into_iter()
                .chain(ty.references().iter().copied())
            {
                // Read-only, and the tenant's settings object: neither carries a setting.
                if matches!(
                    name,
                    "applyOnlyToWindowsPhone81" | "derivedCredentialSettings"
                ) {
                    continue;
                }
                assert!(
                    PROPERTIES.iter().any(|p| p.graph == name),
                    "{name} of {ty:?} is not in the table"
                );
            }
        }
    }

    #[test]
    fn rows_point_at_their_setting() {
        for p in PROPERTIES {
            let at = p.setting.pointer();
            assert!(
                at.starts_with(p.pointer)
                    || p.pointer.starts_with(at)
                    || p.pointer.starts_with("/certificates/"),
                "{} carries {at}, not {}",
                p.graph,
                p.pointer
            );
            let exists = GraphType::ALL
                .into_iter()
                .any(|t| t.has(p.graph) || t.has_reference(p.graph));
            assert!(
                exists || matches!(p.graph, "displayName" | "description"),
                "{}",
                p.graph
            );
        }
    }

    #[test]
    fn findings_are_attributed_to_the_property_the_type_has() {
        use GraphType as T;
        let cases = [
            (T::Ios, "/account/accountName", "accountName"),
            (
                T::AndroidForWorkGmail,
                "/account/accountName",
                "displayName",
            ),
            (T::Ios, "/account/username/domain/name", "usernameAADSource"),
            (
                T::AndroidKnox,
                "/account/username/domain/name",
                "usernameSource",
            ),
            (
                T::Ios,
                "/account/authentication/identityCertificate",
                "authenticationMethod",
            ),
            (
                T::Ios,
                "/certificates/smime-signing/graphId",
                "smimeSigningCertificate",
            ),
            (T::Ios, "/account/server", "hostName"),
            (T::Ios, "/smime/signing", ""),
            (T::Ios, "/identifier", ""),
        ];
        for (ty, pointer, want) in cases {
            assert_eq!(graph_property(ty, pointer), want, "{ty:?} {pointer}");
        }
    }
}
