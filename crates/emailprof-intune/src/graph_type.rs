//! The eight concrete Graph email-profile types and the properties each one has.
//!
//! Property tables: microsoftgraph/microsoft-graph-docs-contrib
//! `api-reference/beta/resources/intune-deviceconfig-*easemailprofile*.md` and
//! `…-android*easconfiguration.md` (2024-08 revisions); see intune-graph.md §4.

use emailprof_core::Family;

/// A concrete Microsoft Graph (beta) email-profile type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GraphType {
    /// `iosEasEmailProfileConfiguration`: the native Mail app on iOS/iPadOS.
    Ios,
    /// `windows10EasEmailProfileConfiguration`: the Mail app on Windows 10/11.
    Windows10,
    /// `windowsPhoneEASEmailProfileConfiguration` (note `EAS` in capitals).
    WindowsPhone,
    /// `androidEasEmailProfileConfiguration`: Samsung Knox (Android device administrator).
    AndroidKnox,
    /// `androidForWorkGmailEasConfiguration`.
    AndroidForWorkGmail,
    /// `androidForWorkNineWorkEasConfiguration`.
    AndroidForWorkNineWork,
    /// `androidWorkProfileGmailEasConfiguration`: Gmail in a personally-owned work profile.
    AndroidWorkProfileGmail,
    /// `androidWorkProfileNineWorkEasConfiguration`: Nine Work in a work profile.
    AndroidWorkProfileNineWork,
}

/// Properties every `deviceConfiguration` has (intune-graph.md §3); read-only or not about email.
pub(crate) const DEVICE_CONFIGURATION: &[&str] = &[
    "id",
    "lastModifiedDateTime",
    "roleScopeTagIds",
    "supportsScopeTags",
    "deviceManagementApplicabilityRuleOsEdition",
    "deviceManagementApplicabilityRuleOsVersion",
    "deviceManagementApplicabilityRuleDeviceMode",
    "createdDateTime",
    "description",
    "displayName",
    "version",
];

/// Relationships every `deviceConfiguration` has; never part of an email profile.
pub(crate) const DEVICE_CONFIGURATION_RELATIONS: &[&str] = &[
    "groupAssignments",
    "assignments",
    "deviceStatuses",
    "userStatuses",
    "deviceStatusOverview",
    "userStatusOverview",
    "deviceSettingStateSummaries",
];

// intune-deviceconfig-easemailprofileconfigurationbase.md
const EAS_BASE: &[&str] = &[
    "usernameSource",
    "usernameAADSource",
    "userDomainNameSource",
    "customDomainName",
];

// intune-deviceconfig-ioseasemailprofileconfiguration.md
const IOS: &[&str] = &[
    "accountName",
    "authenticationMethod",
    "blockMovingMessagesToOtherEmailAccounts",
    "blockSendingEmailFromThirdPartyApps",
    "blockSyncingRecentlyUsedEmailAddresses",
    "durationOfEmailToSync",
    "emailAddressSource",
    "easServices",
    "easServicesUserOverrideEnabled",
    "hostName",
    "requireSmime",
    "smimeEnablePerMessageSwitch",
    "smimeEncryptByDefaultEnabled",
    "smimeSigningEnabled",
    "smimeSigningUserOverrideEnabled",
    "smimeEncryptByDefaultUserOverrideEnabled",
    "smimeSigningCertificateUserOverrideEnabled",
    "smimeEncryptionCertificateUserOverrideEnabled",
    "requireSsl",
    "useOAuth",
    "signingCertificateType",
    "encryptionCertificateType",
    "perAppVPNProfileId",
];

// intune-deviceconfig-windows10easemailprofileconfiguration.md
const WINDOWS10: &[&str] = &[
    "accountName",
    "syncCalendar",
    "syncContacts",
    "syncTasks",
    "durationOfEmailToSync",
    "emailAddressSource",
    "emailSyncSchedule",
    "hostName",
    "requireSsl",
];

// intune-deviceconfig-windowsphoneeasemailprofileconfiguration.md: Windows 10's plus a
// read-only flag.
const WINDOWS_PHONE_EXTRA: &[&str] = &["applyOnlyToWindowsPhone81"];

// intune-deviceconfig-androideasemailprofileconfiguration.md
const KNOX: &[&str] = &[
    "accountName",
    "authenticationMethod",
    "syncCalendar",
    "syncContacts",
    "syncTasks",
    "syncNotes",
    "durationOfEmailToSync",
    "emailAddressSource",
    "emailSyncSchedule",
    "hostName",
    "requireSmime",
    "requireSsl",
    "usernameSource",
    "userDomainNameSource",
    "customDomainName",
];

// intune-deviceconfig-androidforworkeasemailprofilebase.md and
// …-androidworkprofileeasemailprofilebase.md (identical property sets).
const ANDROID_WORK: &[&str] = &[
    "authenticationMethod",
    "durationOfEmailToSync",
    "emailAddressSource",
    "hostName",
    "requireSsl",
    "usernameSource",
];

// …-androidforworknineworkeasconfiguration.md, …-androidworkprofilenineworkeasconfiguration.md
const NINE_WORK_EXTRA: &[&str] = &["syncCalendar", "syncContacts", "syncTasks"];

const IOS_NAVIGATION: &[&str] = &[
    "identityCertificate",
    "smimeSigningCertificate",
    "smimeEncryptionCertificate",
    "derivedCredentialSettings",
];
const KNOX_NAVIGATION: &[&str] = &["identityCertificate", "smimeSigningCertificate"];
const ANDROID_WORK_NAVIGATION: &[&str] = &["identityCertificate"];

impl GraphType {
    /// Every concrete type.
    pub const ALL: [GraphType; 8] = [
        GraphType::Ios,
        GraphType::Windows10,
        GraphType::WindowsPhone,
        GraphType::AndroidKnox,
        GraphType::AndroidForWorkGmail,
        GraphType::AndroidForWorkNineWork,
        GraphType::AndroidWorkProfileGmail,
        GraphType::AndroidWorkProfileNineWork,
    ];

    /// The type's name in the `microsoft.graph` namespace, e.g. `iosEasEmailProfileConfiguration`.
    pub fn name(self) -> &'static str {
        match self {
            GraphType::Ios => "iosEasEmailProfileConfiguration",
            GraphType::Windows10 => "windows10EasEmailProfileConfiguration",
            GraphType::WindowsPhone => "windowsPhoneEASEmailProfileConfiguration",
            GraphType::AndroidKnox => "androidEasEmailProfileConfiguration",
            GraphType::AndroidForWorkGmail => "androidForWorkGmailEasConfiguration",
            GraphType::AndroidForWorkNineWork => "androidForWorkNineWorkEasConfiguration",
            GraphType::AndroidWorkProfileGmail => "androidWorkProfileGmailEasConfiguration",
            GraphType::AndroidWorkProfileNineWork => "androidWorkProfileNineWorkEasConfiguration",
        }
    }

    /// The `@odata.type` value, e.g. `#microsoft.graph.iosEasEmailProfileConfiguration`.
    pub fn odata_type(self) -> &'static str {
        match self {
            GraphType::Ios => "#microsoft.graph.iosEasEmailProfileConfiguration",
            GraphType::Windows10 => "#microsoft.graph.windows10EasEmailProfileConfiguration",
            GraphType::WindowsPhone => "#microsoft.graph.windowsPhoneEASEmailProfileConfiguration",
            GraphType::AndroidKnox => "#microsoft.graph.androidEasEmailProfileConfiguration",
            GraphType::AndroidForWorkGmail => {
                "#microsoft.graph.androidForWorkGmailEasConfiguration"
            }
            GraphType::AndroidForWorkNineWork => {
                "#microsoft.graph.androidForWorkNineWorkEasConfiguration"
            }
            GraphType::AndroidWorkProfileGmail => {
                "#microsoft.graph.androidWorkProfileGmailEasConfiguration"
            }
            GraphType::AndroidWorkProfileNineWork => {
                "#microsoft.graph.androidWorkProfileNineWorkEasConfiguration"
            }
        }
    }

    /// The type an `@odata.type` value names. The `#` and the `microsoft.graph.` namespace are
    /// optional, and case is ignored: exports differ in both (`windowsPhoneEAS…` is often
    /// written `windowsPhoneEas…`).
    pub fn from_odata_type(odata_type: &str) -> Option<GraphType> {
        let s = odata_type.trim();
        let s = s.strip_prefix('#').unwrap_or(s);
        let s = match s.get(..16) {
            Some(ns) if ns.eq_ignore_ascii_case("microsoft.graph.") => &s[16..],
            _ => s,
        };
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
    }

    /// The type a CLI platform id names (`--platform`).
    pub fn for_platform(platform: &str) -> Option<GraphType> {
        Self::ALL.into_iter().find(|t| t.platform_id() == platform)
    }

    /// The CLI platform id of the type: `ios`, `windows`, `windows-phone`, `android-knox`,
    /// `android-gmail`, `android-nine`, `android-forwork-gmail`, `android-forwork-nine`.
    pub fn platform_id(self) -> &'static str {
        match self {
            GraphType::Ios => "ios",
            GraphType::Windows10 => "windows",
            GraphType::WindowsPhone => "windows-phone",
            GraphType::AndroidKnox => "android-knox",
            GraphType::AndroidWorkProfileGmail => "android-gmail",
            GraphType::AndroidWorkProfileNineWork => "android-nine",
            GraphType::AndroidForWorkGmail => "android-forwork-gmail",
            GraphType::AndroidForWorkNineWork => "android-forwork-nine",
        }
    }

    /// Human name, as the Intune portal groups it.
    pub fn title(self) -> &'static str {
        match self {
            GraphType::Ios => "iOS/iPadOS",
            GraphType::Windows10 => "Windows 10 and later",
            GraphType::WindowsPhone => "Windows Phone 8.1",
            GraphType::AndroidKnox => "Android device administrator (Samsung Knox)",
            GraphType::AndroidForWorkGmail => "Android for Work, Gmail",
            GraphType::AndroidForWorkNineWork => "Android for Work, Nine Work",
            GraphType::AndroidWorkProfileGmail => "Android Enterprise work profile, Gmail",
            GraphType::AndroidWorkProfileNineWork => "Android Enterprise work profile, Nine Work",
        }
    }

    /// The platform family whose `platforms.*` section belongs to this type.
    pub fn family(self) -> Family {
        match self {
            GraphType::Ios => Family::Ios,
            GraphType::Windows10 | GraphType::WindowsPhone => Family::Windows,
            _ => Family::Android,
        }
    }

    /// The email settings the type has on the wire (not the `deviceConfiguration` ones, not
    /// navigation properties), in the order of the Graph documentation.
    pub fn properties(self) -> Vec<&'static str> {
        let parts: &[&[&'static str]] = match self {
            GraphType::Ios => &[EAS_BASE, IOS],
            GraphType::Windows10 => &[EAS_BASE, WINDOWS10],
            GraphType::WindowsPhone => &[EAS_BASE, WINDOWS10, WINDOWS_PHONE_EXTRA],
            GraphType::AndroidKnox => &[KNOX],
            GraphType::AndroidForWorkGmail | GraphType::AndroidWorkProfileGmail => &[ANDROID_WORK],
            GraphType::AndroidForWorkNineWork | GraphType::AndroidWorkProfileNineWork => {
                &[ANDROID_WORK, NINE_WORK_EXTRA]
            }
        };
        parts.iter().flat_map(|p| p.iter().copied()).collect()
    }

    /// The type's navigation properties that point at other Intune objects (certificate
    /// profiles, derived-credential settings).
    pub fn references(self) -> &'static [&'static str] {
        match self {
            GraphType::Ios => IOS_NAVIGATION,
            GraphType::Windows10 | GraphType::WindowsPhone => &[],
            GraphType::AndroidKnox => KNOX_NAVIGATION,
            _ => ANDROID_WORK_NAVIGATION,
        }
    }

    /// Whether the type has the email property `name`.
    pub fn has(self, name: &str) -> bool {
        self.properties().contains(&name)
    }

    /// Whether the type has the navigation property `name`.
    pub fn has_reference(self, name: &str) -> bool {
        self.references().contains(&name)
    }

    /// Whether `usernameSource` is Graph's `androidUsernameSource` (which has `username` and
    /// `samAccountName`) rather than `userEmailSource` plus `usernameAADSource`.
    pub(crate) fn android_username(self) -> bool {
        self.family() == Family::Android
    }
}

impl std::fmt::Display for GraphType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_types_and_platform_ids_round_trip() {
        for t in GraphType::ALL {
            assert_eq!(GraphType::from_odata_type(t.odata_type()), Some(t));
            assert_eq!(GraphType::from_odata_type(t.name()), Some(t));
            assert_eq!(GraphType::for_platform(t.platform_id()), Some(t));
            assert_eq!(t.odata_type(), format!("#microsoft.graph.{}", t.name()));
        }
        assert_eq!(
            GraphType::from_odata_type("#microsoft.graph.windowsPhoneEasEmailProfileConfiguration"),
            Some(GraphType::WindowsPhone)
        );
        assert_eq!(
            GraphType::from_odata_type("#microsoft.graph.iosGeneralDeviceConfiguration"),
            None
        );
        assert_eq!(
            GraphType::from_odata_type("#microsoft.graph.easEmailProfileConfigurationBase"),
            None
        );
        assert_eq!(GraphType::for_platform("android"), None);
    }

    #[test]
    fn only_nine_work_and_knox_have_sync_switches_besides_windows() {
        let with: Vec<_> = GraphType::ALL
            .into_iter()
            .filter(|t| !crate::properties::sync_switches(*t).is_empty())
            .collect();
        assert_eq!(
            with,
            [
                GraphType::Windows10,
                GraphType::WindowsPhone,
                GraphType::AndroidKnox,
                GraphType::AndroidForWorkNineWork,
                GraphType::AndroidWorkProfileNineWork
            ]
        );
    }
}
