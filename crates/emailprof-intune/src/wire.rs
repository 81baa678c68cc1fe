//! Graph enum members (by name, as on the wire) and their model counterparts.
//!
//! Members: microsoft-graph-docs-contrib `api-reference/beta/resources/intune-deviceconfig-
//! {easauthenticationmethod,easservices,emailsyncduration,emailsyncschedule,useremailsource,
//! usernamesource,domainnamesource,emailcertificatetype,androidusernamesource}.md`
//! (intune-graph.md §5). Graph compares member names exactly; reading ignores case because
//! hand-edited exports do not always keep it.

use emailprof_core::model::{
    AuthenticationMethod, CertificateType, DomainAttribute, EmailAddressSource, EmailSyncDuration,
    Service, SyncSchedule, UsernameSource,
};

/// One enum: its members by wire name.
pub(crate) struct GraphEnum<T: 'static> {
    pub(crate) name: &'static str,
    pub(crate) members: &'static [(&'static str, T)],
}

impl<T: Copy + PartialEq> GraphEnum<T> {
    pub(crate) fn parse(&self, s: &str) -> Option<T> {
        let s = s.trim();
        self.members
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, v)| *v)
    }

    /// The wire name of `value`; every enum here lists each value it can hold.
    pub(crate) fn name_of(&self, value: T) -> Option<&'static str> {
        self.members
            .iter()
            .find(|(_, v)| *v == value)
            .map(|(n, _)| *n)
    }

    pub(crate) fn expected(&self) -> String {
        let names: Vec<String> = self.members.iter().map(|(n, _)| format!("`{n}`")).collect();
        names.join(",")
    }
}

pub(crate) const AUTHENTICATION_METHOD: GraphEnum<AuthenticationMethod> = GraphEnum {
    name: "easAuthenticationMethod",
    members: &[
        (
            "usernameAndPassword",
            AuthenticationMethod::UsernameAndPassword,
        ),
        ("certificate", AuthenticationMethod::Certificate),
        ("derivedCredential", AuthenticationMethod::DerivedCredential),
    ],
};

/// `emailSyncDuration`: `userDefined` is "default value, no intent", i.e. not configured.
pub(crate) const SYNC_DURATION: GraphEnum<EmailSyncDuration> = GraphEnum {
    name: "emailSyncDuration",
    members: &[
        ("userDefined", EmailSyncDuration::NotConfigured),
        ("oneDay", EmailSyncDuration::OneDay),
        ("threeDays", EmailSyncDuration::ThreeDays),
        ("oneWeek", EmailSyncDuration::OneWeek),
        ("twoWeeks", EmailSyncDuration::TwoWeeks),
        ("oneMonth", EmailSyncDuration::OneMonth),
        ("unlimited", EmailSyncDuration::Unlimited),
    ],
};

/// `emailSyncSchedule`: `userDefined` is the portal's "Not configured".
pub(crate) const SYNC_SCHEDULE: GraphEnum<SyncSchedule> = GraphEnum {
    name: "emailSyncSchedule",
    members: &[
        ("userDefined", SyncSchedule::NotConfigured),
        ("asMessagesArrive", SyncSchedule::AsMessagesArrive),
        ("manual", SyncSchedule::Manual),
        ("fifteenMinutes", SyncSchedule::FifteenMinutes),
        ("thirtyMinutes", SyncSchedule::ThirtyMinutes),
        ("sixtyMinutes", SyncSchedule::SixtyMinutes),
        ("basedOnMyUsage", SyncSchedule::BasedOnMyUsage),
    ],
};

pub(crate) const USER_EMAIL_SOURCE: GraphEnum<EmailAddressSource> = GraphEnum {
    name: "userEmailSource",
    members: &[
        ("userPrincipalName", EmailAddressSource::UserPrincipalName),
        ("primarySmtpAddress", EmailAddressSource::PrimarySmtpAddress),
    ],
};

/// `usernameSource`, the enum of `usernameAADSource` (the only one with `samAccountName` on
/// the iOS/Windows types).
pub(crate) const USERNAME_SOURCE: GraphEnum<UsernameSource> = GraphEnum {
    name: "usernameSource",
    members: &[
        ("userPrincipalName", UsernameSource::UserPrincipalName),
        ("primarySmtpAddress", UsernameSource::PrimarySmtpAddress),
        ("samAccountName", UsernameSource::SamAccountName),
    ],
};

/// `androidUsernameSource`: `username` is the bare user name (`user1`), which the model has
/// no attribute for (intune email-settings-android.md: "Gets only the name, such as user1").
pub(crate) const ANDROID_USERNAME_SOURCE: GraphEnum<Option<UsernameSource>> = GraphEnum {
    name: "androidUsernameSource",
    members: &[
        ("username", None),
        ("userPrincipalName", Some(UsernameSource::UserPrincipalName)),
        ("samAccountName", Some(UsernameSource::SamAccountName)),
        (
            "primarySmtpAddress",
            Some(UsernameSource::PrimarySmtpAddress),
        ),
    ],
};

pub(crate) const DOMAIN_NAME_SOURCE: GraphEnum<DomainAttribute> = GraphEnum {
    name: "domainNameSource",
    members: &[
        ("fullDomainName", DomainAttribute::FullDomainName),
        ("netBiosDomainName", DomainAttribute::NetBiosDomainName),
    ],
};

/// `emailCertificateType`. The portal's "Not configured" is `null`, not a member.
pub(crate) const CERTIFICATE_TYPE: GraphEnum<CertificateType> = GraphEnum {
    name: "emailCertificateType",
    members: &[
        ("none", CertificateType::None),
        ("certificate", CertificateType::Certificate),
        ("derivedCredential", CertificateType::DerivedCredential),
    ],
};

/// The portal-only "User domain name source" switch (`domainNameSourceType`), which some
/// exports carry although it is not a Graph property (intune-graph.md §0).
pub(crate) const DOMAIN_NAME_SOURCE_TYPE: GraphEnum<bool> = GraphEnum {
    name: "domainNameSourceType",
    members: &[("AAD", false), ("CustomDomainName", true)],
};

/// The `easServices` flags, in the order of their values (calendars 1, contacts 2, email 4,
/// notes 8, reminders 16), which is also the order the Intune portal writes them in.
pub(crate) const EAS_SERVICES: [(&str, Service); 5] = [
    ("calendars", Service::Calendars),
    ("contacts", Service::Contacts),
    ("email", Service::Email),
    ("notes", Service::Notes),
    ("reminders", Service::Reminders),
];

/// The `easServices` value for `services`: member names joined with `,` and no whitespace, as
/// OData's grammar for flag-enum literals has it (OData ABNF `enumValue = singleEnumValue
/// *( COMMA singleEnumValue )`). The portal's exports put a space after each comma, which
/// import accepts, but Microsoft's Go SDK splits on `,` without trimming and rejects
/// ` contacts` as an unknown `EasServices` value (issue 16).
pub(crate) fn format_services(services: &[Service]) -> String {
    let names: Vec<&str> = EAS_SERVICES
        .iter()
        .filter(|(_, s)| services.contains(s))
        .map(|(n, _)| *n)
        .collect();
    names.join(",")
}

/// Pull the id out of an `@odata.bind` URL such as
/// `https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('<id>')` or
/// `…/deviceConfigurations/<id>`.
pub(crate) fn bind_id(url: &str) -> Option<String> {
    let url = url.trim();
    let (_, rest) = url.rsplit_once("deviceConfigurations")?;
    let id = if let Some(key) = rest.strip_prefix('(') {
        let key = key.strip_suffix(')')?;
        let key = key.strip_prefix("id=").unwrap_or(key);
        key.strip_prefix('\'')
            .and_then(|k| k.strip_suffix('\''))
            .unwrap_or(key)
            .replace("''", "'")
    } else {
        rest.strip_prefix('/')?.trim_end_matches('/').to_owned()
    };
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// The `@odata.bind` URL of the device configuration `id`, as the Terraform provider and the
/// Graph SDKs write it (intune-graph.md §6.2).
pub(crate) fn bind_url(id: &str) -> String {
    format!(
        "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('{}')",
        id.replace('\'', "''")
    )
}

/// Whether `id` can stand in a Graph key without escaping beyond quote doubling.
pub(crate) fn is_plain_graph_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_ids_come_out_of_every_url_form() {
        let id = "5a1c1b38-5d3b-4b7e-8a6b-111111111111";
        assert_eq!(bind_id(&bind_url(id)).as_deref(), Some(id));
        assert_eq!(
            bind_id(&format!(
                "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations/{id}"
            ))
            .as_deref(),
            Some(id)
        );
        assert_eq!(
            bind_id(&format!("deviceManagement/deviceConfigurations({id})")).as_deref(),
            Some(id)
        );
        assert_eq!(
            bind_id("https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations"),
            None
        );
        assert_eq!(bind_id("https://graph.microsoft.com/beta/users('x')"), None);
        assert_eq!(bind_id("deviceConfigurations('')"), None);
    }

    #[test]
    fn services_are_written_in_flag_order() {
        assert_eq!(
            format_services(&Service::all()),
            "calendars,contacts,email,notes,reminders"
        );
        assert_eq!(
            format_services(&[Service::Contacts, Service::Calendars]),
            "calendars,contacts"
        );
    }

    #[test]
    fn every_model_value_has_a_wire_name() {
        use emailprof_core::model::*;
        for m in [
            AuthenticationMethod::UsernameAndPassword,
            AuthenticationMethod::Certificate,
            AuthenticationMethod::DerivedCredential,
        ] {
            assert!(AUTHENTICATION_METHOD.name_of(m).is_some());
        }
        for d in [
            EmailSyncDuration::NotConfigured,
            EmailSyncDuration::OneDay,
            EmailSyncDuration::ThreeDays,
            EmailSyncDuration::OneWeek,
            EmailSyncDuration::TwoWeeks,
            EmailSyncDuration::OneMonth,
            EmailSyncDuration::Unlimited,
        ] {
            let n = SYNC_DURATION.name_of(d).unwrap();
            assert_eq!(SYNC_DURATION.parse(n), Some(d));
        }
        assert_eq!(
            USERNAME_SOURCE.parse("SAMACCOUNTNAME"),
            Some(UsernameSource::SamAccountName)
        );
        assert_eq!(ANDROID_USERNAME_SOURCE.parse("username"), Some(None));
        assert_eq!(
            CERTIFICATE_TYPE.name_of(CertificateType::NotConfigured),
            None
        );
    }
}
