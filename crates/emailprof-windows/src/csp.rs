//! The ActiveSync CSP: node paths, the account GUID, and the mapping from an email profile to
//! the account's leaf values.
//!
//! Every node name, format and allowed value here is taken from `ActiveSync.ddf.xml` (DDF v2,
//! `pl4nty/windows-ddf` @ be7b21a); `tests/it/conformance.rs` checks the output against it.

use std::fmt::Write as _;

use emailprof_core::model::{EmailSyncDuration, Service, SyncSchedule, UsernameSource};
use emailprof_core::{Diagnostic, EmitOptions, Operation, ResolvedProfile, Setting, Severity};
use uuid::Uuid;

use crate::WindowsEmitter;

/// Root of the CSP in the user scope; `./Vendor/MSFT/ActiveSync` is deprecated (activesync-csp.md).
pub const ACTIVESYNC_ROOT: &str = "./User/Vendor/MSFT/ActiveSync";

/// The account GUID for one (profile, user): UUID v5 in the namespace v5(DNS, "emailprof") of
/// `<identifier>|windows-account|<user_id>`.
///
/// Stable so that re-emitting addresses the same account: activesync-csp.md warns that adding
/// an account under an existing GUID deletes the old account without creating the new one, so
/// updates must use `Replace` and removal `Delete` on this very node.
pub fn account_guid(identifier: &str, user_id: &str) -> Uuid {
    let namespace = Uuid::new_v5(&Uuid::NAMESPACE_DNS, b"emailprof");
    Uuid::new_v5(
        &namespace,
        format!("{identifier}|windows-account|{user_id}").as_bytes(),
    )
}

/// The content types an account syncs, each a fixed GUID node under `Options/ContentTypes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContentType {
    Email,
    Contacts,
    Calendar,
    Tasks,
}

impl ContentType {
    /// In the order the DDF lists them.
    pub const ALL: [ContentType; 4] = [
        ContentType::Email,
        ContentType::Contacts,
        ContentType::Calendar,
        ContentType::Tasks,
    ];

    /// The node name, braces included, lower case as in the DDF's `UniqueName` list.
    pub fn guid(self) -> &'static str {
        match self {
            ContentType::Email => "{c6d47067-6e92-480e-b0fc-4ba82182fac7}",
            ContentType::Contacts => "{0dd8685c-e272-4fcb-9ecf-2ead7ea2497b}",
            ContentType::Calendar => "{4a5d9fe0-f139-4a63-a5a4-4f31ceea02ad}",
            ContentType::Tasks => "{783ae4f6-4c12-4423-8270-66361260d4f1}",
        }
    }

    /// The profile service it syncs. Exchange tasks are what iOS calls Reminders.
    pub fn service(self) -> Service {
        match self {
            ContentType::Email => Service::Email,
            ContentType::Contacts => Service::Contacts,
            ContentType::Calendar => Service::Calendars,
            ContentType::Tasks => Service::Reminders,
        }
    }
}

/// Percent-encode one LocURI segment: OMA-DM LocURIs carry non-alphanumerics URL-escaped
/// (oma-dm-protocol-support.md), so `{GUID}` travels as `%7BGUID%7D` (activesync-csp.md).
pub(crate) fn escape_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The LocURI of a node under the account `guid`; `segments` are unescaped node names.
pub(crate) fn account_uri(guid: Uuid, segments: &[&str]) -> String {
    let mut uri = format!(
        "{ACTIVESYNC_ROOT}/Accounts/{}",
        escape_segment(&format!("{{{guid:X}}}"))
    );
    for s in segments {
        uri.push('/');
        uri.push_str(&escape_segment(s));
    }
    uri
}

/// One leaf of the account subtree and the value to write there.
pub(crate) struct Leaf {
    /// Node names under `Accounts/{GUID}`, unescaped.
    pub(crate) path: Vec<&'static str>,
    pub(crate) value: String,
    /// The setting the value comes from, for errors about the value.
    pub(crate) setting: Setting,
}

impl Leaf {
    fn new(path: &[&'static str], value: impl Into<String>, setting: Setting) -> Self {
        Self {
            path: path.to_vec(),
            value: value.into(),
            setting,
        }
    }

    /// The node's path relative to the account, e.g. `Options/UseSSL`.
    pub(crate) fn name(&self) -> String {
        self.path.join("/")
    }
}

// Values are never shown: a leaf may hold the password.
impl std::fmt::Debug for Leaf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leaf").field("path", &self.path).finish()
    }
}

/// The output form the leaves are written for; decides what the diagnostics say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    SyncMl,
    IntuneCustom,
}

/// What one emission writes: the account GUID, its leaves, and what to tell the administrator.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) guid: Uuid,
    pub(crate) leaves: Vec<Leaf>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// `ActiveSync.ddf.xml` MailAgeFilter ENUM: 0 all, 1 one day, 2 three days, 3 one week,
/// 4 two weeks, 5 one month (6 three months has no profile value).
pub(crate) fn mail_age_filter(d: EmailSyncDuration) -> Option<&'static str> {
    match d {
        EmailSyncDuration::NotConfigured => None,
        EmailSyncDuration::Unlimited => Some("0"),
        EmailSyncDuration::OneDay => Some("1"),
        EmailSyncDuration::ThreeDays => Some("2"),
        EmailSyncDuration::OneWeek => Some("3"),
        EmailSyncDuration::TwoWeeks => Some("4"),
        EmailSyncDuration::OneMonth => Some("5"),
    }
}

/// `ActiveSync.ddf.xml` Schedule: minutes to the next sync, -1 as items arrive, 0 manual
/// (range `[(-1)-4294967295]`). `Err` for a schedule the CSP has no value for.
pub(crate) fn schedule(s: SyncSchedule) -> Result<Option<&'static str>, ()> {
    match s {
        SyncSchedule::NotConfigured => Ok(None),
        SyncSchedule::AsMessagesArrive => Ok(Some("-1")),
        SyncSchedule::Manual => Ok(Some("0")),
        SyncSchedule::FifteenMinutes => Ok(Some("15")),
        SyncSchedule::ThirtyMinutes => Ok(Some("30")),
        SyncSchedule::SixtyMinutes => Ok(Some("60")),
        SyncSchedule::BasedOnMyUsage => Err(()),
    }
}

fn flag(on: bool) -> &'static str {
    if on { "1" } else { "0" }
}

/// Map a resolved profile to the account's leaves for `options.operation`.
///
/// `Remove` needs no leaves (the account node is deleted); `Replace` leaves out the nodes
/// Windows does not let change after the first sync.
pub(crate) fn plan(rp: &ResolvedProfile, options: &EmitOptions, form: Form) -> Plan {
    let p = &rp.profile;
    let u = &rp.user;
    let id = <WindowsEmitter as emailprof_core::Emitter>::id(&WindowsEmitter);
    let guid = account_guid(&p.identifier, &u.user_id);
    let mut leaves = Vec::new();
    let mut diagnostics = Vec::new();
    let mut note = |severity, setting, message: String| {
        diagnostics.push(Diagnostic::new(severity, setting, id, message));
    };
    let replace = options.operation == Operation::Replace;

    if form == Form::SyncMl {
        // SyncML has no profile-level name or description; the Intune form carries both.
        note(
            Severity::Info,
            Setting::DisplayName,
            "not written: SyncML has no profile name (the intune-custom form uses it as the profile's displayName)".into(),
        );
        if p.description.is_some() {
            note(
                Severity::Info,
                Setting::Description,
                "not written: SyncML has no profile description (the intune-custom form carries it)".into(),
            );
        }
    }

    if options.operation == Operation::Remove {
        return Plan {
            guid,
            leaves,
            diagnostics,
        };
    }

    // activesync-csp.md: EmailAddress is required, fully qualified.
    leaves.push(Leaf::new(
        &["EmailAddress"],
        &u.email_address,
        Setting::EmailAddressSource,
    ));
    // "Exchange" marks an Exchange account; it is set at setup and cannot be modified.
    if !replace {
        leaves.push(Leaf::new(
            &["AccountType"],
            "Exchange",
            Setting::AccountName,
        ));
    }
    leaves.push(Leaf::new(
        &["AccountName"],
        &p.account.account_name,
        Setting::AccountName,
    ));
    leaves.push(Leaf::new(
        &["ServerName"],
        &p.account.server,
        Setting::Server,
    ));

    // With a sAM account name, UserName is the bare name and Domain the user's domain
    // (email-settings-windows-10.md); otherwise UserName is the UPN or SMTP address.
    let sam = p.account.username.source == UsernameSource::SamAccountName;
    let user_name = match (&u.account, sam) {
        (Some(account), true) => account.clone(),
        _ => u.username.clone(),
    };
    if replace {
        note(
            Severity::Info,
            Setting::UsernameSource,
            "UserName is not rewritten by Replace: Windows cannot change it after the first successful sync (activesync-csp.md); to change the user name, remove the account and add it again".into(),
        );
    } else {
        leaves.push(Leaf::new(&["UserName"], user_name, Setting::UsernameSource));
    }
    if let (true, Some(domain)) = (sam, &u.domain) {
        leaves.push(Leaf::new(&["Domain"], domain, Setting::UserDomainSource));
    }

    // The password is written only on request; Windows otherwise asks the user.
    if p.account.authentication.password.is_some() || options.include_password {
        match (&rp.password, options.include_password) {
            (Some(secret), true) => {
                leaves.push(Leaf::new(&["Password"], secret.expose(), Setting::Password));
                note(
                    Severity::Warning,
                    Setting::Password,
                    match form {
                        Form::SyncMl => "the account password is written in clear text into the SyncML document; protect the file".into(),
                        Form::IntuneCustom => "the account password is written in clear text into the Intune JSON (Intune masks it once uploaded); protect the file".into(),
                    },
                );
            }
            (None, true) if p.account.authentication.password.is_some() => note(
                Severity::Warning,
                Setting::Password,
                "a password was asked for, but none was read; Windows will ask the user".into(),
            ),
            (None, true) => {}
            (_, false) => note(
                Severity::Info,
                Setting::Password,
                "not written without --include-password; Windows asks the user for it".into(),
            ),
        }
    }

    // ActiveSync.ddf.xml UseSSL ENUM 0/1, default 1.
    leaves.push(Leaf::new(
        &["Options", "UseSSL"],
        flag(p.account.ssl),
        Setting::Ssl,
    ));

    if let Some(v) = mail_age_filter(p.sync.email_sync_duration) {
        leaves.push(Leaf::new(
            &["Options", "MailAgeFilter"],
            v,
            Setting::EmailSyncDuration,
        ));
        if p.sync.email_sync_duration == EmailSyncDuration::OneDay {
            note(
                Severity::Info,
                Setting::EmailSyncDuration,
                "MailAgeFilter 1 (one day) is in the current DDF, but the 2017 CSP documentation lists only 0, 2, 3, 4 and 5; early Windows 10 builds may reject it".into(),
            );
        }
    }

    match schedule(p.platforms.windows.sync_schedule) {
        Ok(Some(v)) => leaves.push(Leaf::new(
            &["Options", "Schedule"],
            v,
            Setting::WindowsSyncSchedule,
        )),
        Ok(None) => {}
        Err(()) => note(
            Severity::Warning,
            Setting::WindowsSyncSchedule,
            "\"based on my usage\" has no Options/Schedule value (the CSP takes minutes, -1 or 0); Windows keeps its own schedule".into(),
        ),
    }

    // Every content type is written, on or off, so the account syncs exactly what the profile
    // says. ContentTypes/{GUID}/Name is never written: activesync-csp.md (2017) says it does
    // not work and makes provisioning inside an Atomic fail.
    let services = &p.sync.services;
    for ct in ContentType::ALL {
        leaves.push(Leaf::new(
            &["Options", "ContentTypes", ct.guid(), "Enabled"],
            flag(services.contains(&ct.service())),
            Setting::SyncServices,
        ));
    }
    if services.contains(&Service::Notes) {
        let severity = if Setting::SyncServices.is_configured(p) {
            Severity::Warning
        } else {
            Severity::Info
        };
        note(
            severity,
            Setting::SyncServices,
            "Notes is not synced: the ActiveSync CSP has content types for Email, Contacts, Calendar and Tasks only".into(),
        );
    }

    Plan {
        guid,
        leaves,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_is_the_documented_uuid_v5() {
        // Recomputed independently: v5(v5(DNS, "emailprof"), "<id>|windows-account|<user>").
        let ns = Uuid::new_v5(&Uuid::NAMESPACE_DNS, "emailprof".as_bytes());
        let expected = Uuid::new_v5(&ns, "com.contoso.mail|windows-account|user1".as_bytes());
        assert_eq!(account_guid("com.contoso.mail", "user1"), expected);
        assert_eq!(expected.get_version_num(), 5);
        assert_ne!(
            account_guid("com.contoso.mail", "user1"),
            account_guid("com.contoso.mail", "user2")
        );
        assert_ne!(
            account_guid("com.contoso.mail", "user1"),
            account_guid("com.contoso.other", "user1")
        );
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(escape_segment("{AB-cd}"), "%7BAB-cd%7D");
        assert_eq!(escape_segment("Options"), "Options");
        assert_eq!(escape_segment("a b/ü"), "a%20b%2F%C3%BC");
        let guid = account_guid("com.contoso.mail", "user1");
        let uri = account_uri(guid, &["Options", "UseSSL"]);
        assert_eq!(
            uri,
            format!("./User/Vendor/MSFT/ActiveSync/Accounts/%7B{guid:X}%7D/Options/UseSSL")
        );
    }

    #[test]
    fn every_duration_and_schedule_has_a_value_or_a_reason() {
        use EmailSyncDuration as D;
        let days: Vec<_> = [
            D::Unlimited,
            D::OneDay,
            D::ThreeDays,
            D::OneWeek,
            D::TwoWeeks,
            D::OneMonth,
        ]
        .into_iter()
        .map(|d| (d.days(), mail_age_filter(d)))
        .collect();
        // Day counts from the model, filter values from the DDF's ENUM descriptions.
        assert_eq!(
            days,
            [
                (Some(0), Some("0")),
                (Some(1), Some("1")),
                (Some(3), Some("2")),
                (Some(7), Some("3")),
                (Some(14), Some("4")),
                (Some(31), Some("5")),
            ]
        );
        assert_eq!(mail_age_filter(D::NotConfigured), None);
        assert_eq!(schedule(SyncSchedule::BasedOnMyUsage), Err(()));
        assert_eq!(schedule(SyncSchedule::ThirtyMinutes), Ok(Some("30")));
    }
}
