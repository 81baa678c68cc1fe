//! Windows custom configurations (ActiveSync CSP OMA-URI settings) and Outlook app
//! configurations read into profiles: what maps back, and what is reported.

use emailprof_core::Severity;
use emailprof_core::model::{DomainSource, EmailAddressSource, Service, UsernameSource};
use emailprof_intune::import_graph_report;

use crate::{data, model};

fn warned(p: &emailprof_intune::ImportedGraphProfile, needle: &str) -> bool {
    p.findings
        .iter()
        .any(|f| f.severity == Severity::Warning && f.message.contains(needle))
}

#[test]
fn a_windows_custom_configuration_with_activesync_settings_is_a_profile() {
    let report = import_graph_report(&data("windows-custom-activesync.json")).unwrap();
    // The second object has no ActiveSync setting: skipped, said so.
    assert_eq!(report.profiles.len(), 1);
    assert!(
        report.findings.iter().any(
            |f| f.pointer == "/value/1" && f.message.contains("no Exchange ActiveSync account")
        ),
        "{:#?}",
        report.findings
    );
    let p = &report.profiles[0];
    assert_eq!(p.graph_type, None);
    assert_eq!(p.object_type, "windows10CustomConfiguration");
    let m = model(p);
    assert_eq!(m.display_name, "Contoso Windows mail (custom)");
    assert_eq!(m.account.server, "mail.contoso.com");
    assert_eq!(m.account.account_name, "Contoso mail");
    assert_eq!(m.account.username.source, UsernameSource::UserPrincipalName);
    assert_eq!(
        m.account.email_address_source,
        EmailAddressSource::PrimarySmtpAddress
    );
    assert!(m.account.ssl);
    assert_eq!(
        m.sync.services,
        [Service::Email, Service::Contacts, Service::Reminders]
    );
    assert_eq!(
        m.sync.email_sync_duration,
        emailprof_core::model::EmailSyncDuration::OneWeek
    );
    assert_eq!(
        m.platforms.windows.sync_schedule,
        emailprof_core::model::SyncSchedule::ThirtyMinutes
    );
    // What does not map is named.
    assert!(warned(p, "options/logging"), "{:#?}", p.findings);
    assert!(warned(p, "AllowCamera"), "{:#?}", p.findings);
}

#[test]
fn outlook_app_configurations_are_profiles() {
    let report = import_graph_report(&data("outlook-android-appconfig.json")).unwrap();
    let p = &report.profiles[0];
    assert_eq!(p.object_type, "androidManagedStoreAppConfiguration");
    let m = model(p);
    assert!(m.account.oauth.enabled);
    assert_eq!(m.account.username.source, UsernameSource::UserPrincipalName);
    assert_eq!(
        m.account.email_address_source,
        EmailAddressSource::PrimarySmtpAddress
    );
    // Modern authentication names no server: Exchange Online, with a warning.
    assert_eq!(m.account.server, "outlook.office365.com");
    assert!(warned(p, "ServerHostName"), "{:#?}", p.findings);
    assert!(m.smime.enabled);
    assert!(m.smime.signing.enabled);
    assert_eq!(
        m.platforms.android.app,
        emailprof_core::model::AndroidApp::Outlook
    );
    assert!(
        p.findings
            .iter()
            .any(|f| f.severity == Severity::Info && f.message.contains("FocusedInbox")),
        "{:#?}",
        p.findings
    );

    let report = import_graph_report(&data("outlook-ios-appconfig.json")).unwrap();
    let p = &report.profiles[0];
    assert_eq!(p.object_type, "iosMobileAppConfiguration");
    let m = model(p);
    assert!(!m.account.oauth.enabled);
    assert_eq!(m.account.server, "mail.contoso.com");
    assert_eq!(m.account.account_name, "Contoso on-premises");
    assert_eq!(m.account.username.source, UsernameSource::SamAccountName);
    let domain = m.account.username.domain.clone().expect("a domain");
    assert_eq!(domain.source, DomainSource::Custom);
    assert_eq!(domain.name.as_deref(), Some("CONTOSO"));
    // `user1` is one user's name; the profile cannot hold it.
    assert!(warned(p, "one user's name"), "{:#?}", p.findings);
}
