//! The Apple payload keys emailprof writes or reads, with the iOS versions that know them.
//!
//! Source: apple/device-management (ADM) `mdm/profiles/*.yaml` at release iOS 18.1; a key
//! without its own `supportedOS` inherits the payload's (`com.apple.eas.account`: iOS 4.0).
//! The conformance test checks this table against the vendored YAML.

use emailprof_core::OsVersion;

/// Media type of a configuration profile download.
pub const MEDIA_TYPE: &str = "application/x-apple-aspen-config";

/// One payload key and its iOS availability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pub name: &'static str,
    pub since: OsVersion,
    /// From this version on the key is deprecated in favour of a successor.
    pub deprecated: Option<OsVersion>,
}

const fn v(major: u16, minor: u16) -> OsVersion {
    OsVersion(major, minor, 0)
}

const fn key(name: &'static str, since: OsVersion) -> Key {
    Key {
        name,
        since,
        deprecated: None,
    }
}

const fn old(name: &'static str, since: OsVersion, deprecated: OsVersion) -> Key {
    Key {
        name,
        since,
        deprecated: Some(deprecated),
    }
}

impl Key {
    /// Whether a device at `min` knows this key and it is not yet deprecated there.
    pub(crate) fn current_at(self, min: OsVersion) -> bool {
        self.since <= min && self.deprecated.is_none_or(|d| min < d)
    }
}

pub(crate) const EAS_PAYLOAD_TYPE: &str = "com.apple.eas.account";
pub(crate) const PKCS12_PAYLOAD_TYPE: &str = "com.apple.security.pkcs12";
pub(crate) const ROOT_PAYLOAD_TYPE: &str = "com.apple.security.root";
pub(crate) const SCEP_PAYLOAD_TYPE: &str = "com.apple.security.scep";
/// `com.apple.security.pkcs1` and `.pem` carry CA certificates too; read on import.
pub(crate) const PKCS1_PAYLOAD_TYPE: &str = "com.apple.security.pkcs1";
pub(crate) const PEM_PAYLOAD_TYPE: &str = "com.apple.security.pem";

/// The oldest iOS with `com.apple.eas.account` (ADM: payload `introduced: '4.0'`).
pub(crate) const EAS_SINCE: OsVersion = v(4, 0);

/// The newest iOS major version the vendored ADM release (iOS 18.1) describes. A minimum above
/// it is refused: which keys such a device knows or has deprecated is not known.
pub(crate) const NEWEST_KNOWN_MAJOR: u16 = 18;

// com.apple.eas.account.yaml, in file order.
pub(crate) const EMAIL_ADDRESS: Key = key("EmailAddress", v(4, 0));
pub(crate) const HOST: Key = key("Host", v(4, 0));
pub(crate) const SSL: Key = key("SSL", v(4, 0));
pub(crate) const OAUTH: Key = key("OAuth", v(12, 0));
pub(crate) const USER_NAME: Key = key("UserName", v(4, 0));
pub(crate) const PASSWORD: Key = key("Password", v(4, 0));
pub(crate) const CERTIFICATE: Key = key("Certificate", v(7, 0));
pub(crate) const CERTIFICATE_NAME: Key = key("CertificateName", v(7, 0));
pub(crate) const CERTIFICATE_PASSWORD: Key = key("CertificatePassword", v(4, 0));
pub(crate) const PREVENT_MOVE: Key = key("PreventMove", v(5, 0));
pub(crate) const PREVENT_APP_SHEET: Key = key("PreventAppSheet", v(5, 0));
pub(crate) const PAYLOAD_CERTIFICATE_UUID: Key = key("PayloadCertificateUUID", v(4, 0));
pub(crate) const SMIME_ENABLED: Key = old("SMIMEEnabled", v(5, 0), v(10, 0));
pub(crate) const SMIME_SIGNING_ENABLED: Key = key("SMIMESigningEnabled", v(10, 3));
pub(crate) const SMIME_SIGNING_CERTIFICATE_UUID: Key = key("SMIMESigningCertificateUUID", v(5, 0));
pub(crate) const SMIME_ENCRYPTION_ENABLED: Key = old("SMIMEEncryptionEnabled", v(10, 3), v(12, 0));
pub(crate) const SMIME_ENCRYPTION_CERTIFICATE_UUID: Key =
    key("SMIMEEncryptionCertificateUUID", v(5, 0));
pub(crate) const SMIME_ENABLE_PER_MESSAGE_SWITCH: Key =
    old("SMIMEEnablePerMessageSwitch", v(8, 0), v(12, 0));
pub(crate) const DISABLE_MAIL_RECENTS_SYNCING: Key = key("disableMailRecentsSyncing", v(4, 0));
pub(crate) const MAIL_NUMBER_OF_PAST_DAYS_TO_SYNC: Key = key("MailNumberOfPastDaysToSync", v(4, 0));
pub(crate) const HEADER_MAGIC: Key = old("HeaderMagic", v(4, 0), v(7, 0));
pub(crate) const COMMUNICATION_SERVICE_RULES: Key = key("CommunicationServiceRules", v(10, 0));
pub(crate) const ALLOW_MAIL_DROP: Key = key("allowMailDrop", v(9, 2));
pub(crate) const SMIME_SIGNING_USER_OVERRIDEABLE: Key =
    key("SMIMESigningUserOverrideable", v(12, 0));
pub(crate) const SMIME_SIGNING_CERTIFICATE_UUID_USER_OVERRIDEABLE: Key =
    key("SMIMESigningCertificateUUIDUserOverrideable", v(12, 0));
pub(crate) const SMIME_ENCRYPT_BY_DEFAULT: Key = key("SMIMEEncryptByDefault", v(12, 0));
pub(crate) const SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDEABLE: Key =
    key("SMIMEEncryptByDefaultUserOverrideable", v(12, 0));
pub(crate) const SMIME_ENCRYPTION_CERTIFICATE_UUID_USER_OVERRIDEABLE: Key =
    key("SMIMEEncryptionCertificateUUIDUserOverrideable", v(12, 0));
pub(crate) const SMIME_ENABLE_ENCRYPTION_PER_MESSAGE_SWITCH: Key =
    key("SMIMEEnableEncryptionPerMessageSwitch", v(12, 0));
pub(crate) const ENABLE_MAIL: Key = key("EnableMail", v(13, 0));
pub(crate) const ENABLE_CONTACTS: Key = key("EnableContacts", v(13, 0));
pub(crate) const ENABLE_CALENDARS: Key = key("EnableCalendars", v(13, 0));
pub(crate) const ENABLE_REMINDERS: Key = key("EnableReminders", v(13, 0));
pub(crate) const ENABLE_NOTES: Key = key("EnableNotes", v(13, 0));
// The service flags end in `UserOverridable` (no "e"), unlike the S/MIME ones; both are
// verbatim ADM.
pub(crate) const ENABLE_MAIL_USER_OVERRIDABLE: Key = key("EnableMailUserOverridable", v(13, 0));
pub(crate) const ENABLE_CONTACTS_USER_OVERRIDABLE: Key =
    key("EnableContactsUserOverridable", v(13, 0));
pub(crate) const ENABLE_CALENDARS_USER_OVERRIDABLE: Key =
    key("EnableCalendarsUserOverridable", v(13, 0));
pub(crate) const ENABLE_REMINDERS_USER_OVERRIDABLE: Key =
    key("EnableRemindersUserOverridable", v(13, 0));
pub(crate) const ENABLE_NOTES_USER_OVERRIDABLE: Key = key("EnableNotesUserOverridable", v(13, 0));
pub(crate) const OAUTH_SIGN_IN_URL: Key = key("OAuthSignInURL", v(13, 0));
pub(crate) const OAUTH_TOKEN_REQUEST_URL: Key = key("OAuthTokenRequestURL", v(13, 0));
pub(crate) const OVERRIDE_PREVIOUS_PASSWORD: Key = key("OverridePreviousPassword", v(14, 0));
pub(crate) const VPN_UUID: Key = key("VPNUUID", v(14, 0));

/// Every key of `com.apple.eas.account` (43, as in ADM).
pub(crate) const EAS_KEYS: [Key; 43] = [
    EMAIL_ADDRESS,
    HOST,
    SSL,
    OAUTH,
    USER_NAME,
    PASSWORD,
    CERTIFICATE,
    CERTIFICATE_NAME,
    CERTIFICATE_PASSWORD,
    PREVENT_MOVE,
    PREVENT_APP_SHEET,
    PAYLOAD_CERTIFICATE_UUID,
    SMIME_ENABLED,
    SMIME_SIGNING_ENABLED,
    SMIME_SIGNING_CERTIFICATE_UUID,
    SMIME_ENCRYPTION_ENABLED,
    SMIME_ENCRYPTION_CERTIFICATE_UUID,
    SMIME_ENABLE_PER_MESSAGE_SWITCH,
    DISABLE_MAIL_RECENTS_SYNCING,
    MAIL_NUMBER_OF_PAST_DAYS_TO_SYNC,
    HEADER_MAGIC,
    COMMUNICATION_SERVICE_RULES,
    ALLOW_MAIL_DROP,
    SMIME_SIGNING_USER_OVERRIDEABLE,
    SMIME_SIGNING_CERTIFICATE_UUID_USER_OVERRIDEABLE,
    SMIME_ENCRYPT_BY_DEFAULT,
    SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDEABLE,
    SMIME_ENCRYPTION_CERTIFICATE_UUID_USER_OVERRIDEABLE,
    SMIME_ENABLE_ENCRYPTION_PER_MESSAGE_SWITCH,
    ENABLE_MAIL,
    ENABLE_CONTACTS,
    ENABLE_CALENDARS,
    ENABLE_REMINDERS,
    ENABLE_NOTES,
    ENABLE_MAIL_USER_OVERRIDABLE,
    ENABLE_CONTACTS_USER_OVERRIDABLE,
    ENABLE_CALENDARS_USER_OVERRIDABLE,
    ENABLE_REMINDERS_USER_OVERRIDABLE,
    ENABLE_NOTES_USER_OVERRIDABLE,
    OAUTH_SIGN_IN_URL,
    OAUTH_TOKEN_REQUEST_URL,
    OVERRIDE_PREVIOUS_PASSWORD,
    VPN_UUID,
];

/// Keys every payload dictionary has (CommonPayloadKeys.yaml).
pub(crate) const COMMON_KEYS: [&str; 7] = [
    "PayloadIdentifier",
    "PayloadUUID",
    "PayloadType",
    "PayloadVersion",
    "PayloadDescription",
    "PayloadDisplayName",
    "PayloadOrganization",
];

/// Top-level keys (TopLevel.yaml) that emailprof does not model.
pub(crate) const TOP_LEVEL_UNMODELLED: [&str; 8] = [
    "HasRemovalPasscode",
    "PayloadRemovalDisallowed",
    "PayloadScope",
    "RemovalDate",
    "DurationUntilRemoval",
    "PayloadExpirationDate",
    "TargetDeviceType",
    "ConsentText",
];

/// The five service switches with their override flags, in `Service::ALL` order.
pub(crate) const SERVICES: [(emailprof_core::model::Service, Key, Key); 5] = {
    use emailprof_core::model::Service;
    [
        (Service::Email, ENABLE_MAIL, ENABLE_MAIL_USER_OVERRIDABLE),
        (
            Service::Calendars,
            ENABLE_CALENDARS,
            ENABLE_CALENDARS_USER_OVERRIDABLE,
        ),
        (
            Service::Contacts,
            ENABLE_CONTACTS,
            ENABLE_CONTACTS_USER_OVERRIDABLE,
        ),
        (
            Service::Reminders,
            ENABLE_REMINDERS,
            ENABLE_REMINDERS_USER_OVERRIDABLE,
        ),
        (Service::Notes, ENABLE_NOTES, ENABLE_NOTES_USER_OVERRIDABLE),
    ]
};

/// `MailNumberOfPastDaysToSync` rangelist (0 = no limit).
pub(crate) const PAST_DAYS_RANGE: [i64; 6] = [0, 1, 3, 7, 14, 31];

/// SCEP `Keysize` rangelist.
pub(crate) const SCEP_KEY_SIZES: [i64; 3] = [1024, 2048, 4096];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// This table agrees with the vendored com.apple.eas.account.yaml, key for key.
    #[test]
    fn eas_keys_match_adm() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/reference/apple/com.apple.eas.account.yaml"
        );
        let text = std::fs::read_to_string(path).expect("ADM copy present");
        let y: Value = serde_saphyr::from_str(&text).expect("ADM YAML parses");
        let payload_ios = &y["payload"]["supportedOS"]["iOS"];
        let adm: Vec<&Value> = y["payloadkeys"].as_array().expect("keys").iter().collect();
        assert_eq!(adm.len(), EAS_KEYS.len());
        for k in adm {
            let name = k["key"].as_str().expect("name");
            let ours = EAS_KEYS
                .iter()
                .find(|e| e.name == name)
                .unwrap_or_else(|| panic!("{name} missing from EAS_KEYS"));
            let ios = &k["supportedOS"]["iOS"];
            let intro = ios["introduced"]
                .as_str()
                .or(payload_ios["introduced"].as_str())
                .expect("introduced");
            assert_eq!(Some(ours.since), OsVersion::parse(intro), "{name}");
            let deprecated = ios["deprecated"].as_str().and_then(OsVersion::parse);
            assert_eq!(ours.deprecated, deprecated, "{name}");
        }
        assert_eq!(
            EAS_SINCE,
            OsVersion::parse(payload_ios["introduced"].as_str().unwrap()).unwrap()
        );
    }

    #[test]
    fn current_at_honours_deprecation() {
        assert!(SMIME_ENABLE_PER_MESSAGE_SWITCH.current_at(OsVersion(11, 4, 0)));
        assert!(!SMIME_ENABLE_PER_MESSAGE_SWITCH.current_at(OsVersion(12, 0, 0)));
        assert!(!SMIME_ENABLE_PER_MESSAGE_SWITCH.current_at(OsVersion(7, 1, 0)));
        assert!(SMIME_ENABLE_ENCRYPTION_PER_MESSAGE_SWITCH.current_at(OsVersion(12, 0, 0)));
    }
}
