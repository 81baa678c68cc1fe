//! emailprof profile → the Graph JSON Intune accepts for one type.
//!
//! Only properties the type has are written, enum members by name; certificate references
//! become `<reference>@odata.bind` URLs when the profile names the certificate's `graphId`
//! (the form the Terraform provider and the Graph SDKs write; intune-graph.md §6.2). What the
//! type cannot hold becomes a diagnostic naming the setting and the platform.

use std::collections::BTreeSet;

use emailprof_core::input::escape_segment;
use emailprof_core::model::*;
use emailprof_core::{Diagnostic, EmailProfile, Setting, Severity, Support};
use serde_json::{Map, Value};

use crate::IntuneError;
use crate::graph_type::GraphType;
use crate::properties::*;
use crate::wire;

/// The Graph object for one type, and what it could not hold.
#[derive(Clone, Debug)]
pub struct GraphExport {
    /// The `deviceConfiguration` object to `POST` to `deviceManagement/deviceConfigurations`
    /// (or `PATCH` onto an existing one).
    pub json: Value,
    pub diagnostics: Vec<Diagnostic>,
}

/// Write `profile` as a Graph object of `graph_type`. Fails only when a certificate's
/// `graphId` cannot stand in a Graph URL.
pub fn export_graph(
    profile: &EmailProfile,
    graph_type: GraphType,
) -> Result<GraphExport, IntuneError> {
    let mut w = Writer {
        ty: graph_type,
        profile,
        map: Map::new(),
        diagnostics: Vec::new(),
        bound: BTreeSet::new(),
    };
    w.write()?;
    w.unsupported();
    w.unbound_certificates();
    Ok(GraphExport {
        json: Value::Object(w.map),
        diagnostics: w.diagnostics,
    })
}

struct Writer<'a> {
    ty: GraphType,
    profile: &'a EmailProfile,
    map: Map<String, Value>,
    diagnostics: Vec<Diagnostic>,
    /// Certificate names written as a reference.
    bound: BTreeSet<String>,
}

impl Writer<'_> {
    /// Set `key` if the type has it.
    fn put(&mut self, key: &str, value: impl Into<Value>) {
        if self.ty.has(key) {
            self.map.insert(key.to_owned(), value.into());
        }
    }

    fn diag(&mut self, severity: Severity, setting: Setting, message: String) {
        self.diagnostics.push(Diagnostic::new(
            severity,
            setting,
            self.ty.platform_id(),
            message,
        ));
    }

    fn write(&mut self) -> Result<(), IntuneError> {
        let p = self.profile;
        let ty = self.ty;
        let a = &p.account;
        self.map
            .insert("@odata.type".into(), ty.odata_type().into());
        self.map
            .insert(DISPLAY_NAME.graph.into(), p.display_name.clone().into());
        if let Some(d) = &p.description {
            self.map.insert(DESCRIPTION.graph.into(), d.clone().into());
        }
        self.put(HOST_NAME.graph, a.server.clone());
        self.put(ACCOUNT_NAME.graph, a.account_name.clone());
        self.write_username();
        self.put(
            EMAIL_ADDRESS_SOURCE.graph,
            wire::USER_EMAIL_SOURCE
                .name_of(a.email_address_source)
                .unwrap_or("userPrincipalName"),
        );

        let method = a.authentication.method;
        if ty.has(AUTHENTICATION_METHOD.graph) {
            self.put(
                AUTHENTICATION_METHOD.graph,
                wire::AUTHENTICATION_METHOD
                    .name_of(method)
                    .unwrap_or("usernameAndPassword"),
            );
            if method == AuthenticationMethod::DerivedCredential && ty != GraphType::Ios {
                self.diag(
                    Severity::Warning,
                    Setting::AuthenticationMethod,
                    format!(
                        "`derivedCredential` is in Graph's enum, but the Intune portal offers only certificate and username and password for {}",
                        ty.name()
                    ),
                );
            }
        }
        if method == AuthenticationMethod::DerivedCredential
            && ty.has_reference("derivedCredentialSettings")
        {
            // The portal binds the tenant's derived-credential settings as well
            // (`derivedCredentialSettings@odata.bind`, intune-graph.md §7); the profile has no
            // id for them.
            self.diag(
                Severity::Info,
                Setting::AuthenticationMethod,
                "Intune links derived credentials to the tenant's derived-credential settings (derivedCredentialSettings); check the link in Intune after import".into(),
            );
        }
        if method == AuthenticationMethod::Certificate {
            let name = a.authentication.identity_certificate.clone();
            self.bind(IDENTITY_CERTIFICATE, name.as_deref())?;
        }
        self.put(REQUIRE_SSL.graph, a.ssl);
        self.put(USE_OAUTH.graph, a.oauth.enabled);

        self.write_sync();
        self.put(
            DURATION_OF_EMAIL_TO_SYNC.graph,
            wire::SYNC_DURATION
                .name_of(p.sync.email_sync_duration)
                .unwrap_or("userDefined"),
        );
        if ty.family() == emailprof_core::Family::Windows {
            self.put(
                EMAIL_SYNC_SCHEDULE.graph,
                wire::SYNC_SCHEDULE
                    .name_of(p.platforms.windows.sync_schedule)
                    .unwrap_or("userDefined"),
            );
        }
        match ty {
            GraphType::Ios => self.write_ios_smime()?,
            GraphType::AndroidKnox => self.write_knox_smime()?,
            _ => {}
        }
        // Inverted: "Allow …" is `block… = false` (intune-graph.md §7).
        self.put(
            BLOCK_MOVING_MESSAGES_TO_OTHER_EMAIL_ACCOUNTS.graph,
            !p.mail.allow_move,
        );
        self.put(
            BLOCK_SENDING_EMAIL_FROM_THIRD_PARTY_APPS.graph,
            !p.mail.allow_third_party_send,
        );
        self.put(
            BLOCK_SYNCING_RECENTLY_USED_EMAIL_ADDRESSES.graph,
            !p.mail.sync_recent_addresses,
        );
        Ok(())
    }

    fn write_username(&mut self) {
        let u = &self.profile.account.username;
        if self.ty.android_username() {
            self.put(
                USERNAME_SOURCE.graph,
                wire::ANDROID_USERNAME_SOURCE
                    .name_of(Some(u.source))
                    .unwrap_or("userPrincipalName"),
            );
        } else {
            self.put(
                USERNAME_AAD_SOURCE.graph,
                wire::USERNAME_SOURCE
                    .name_of(u.source)
                    .unwrap_or("userPrincipalName"),
            );
            // `usernameSource` cannot say samAccountName; the portal writes
            // `userPrincipalName` there (intune-graph.md §0).
            let legacy = match u.source {
                UsernameSource::PrimarySmtpAddress => "primarySmtpAddress",
                _ => "userPrincipalName",
            };
            self.put(USERNAME_SOURCE.graph, legacy);
        }
        if u.source == UsernameSource::SamAccountName && self.ty.has(CUSTOM_DOMAIN_NAME.graph) {
            let d = u.domain.clone().unwrap_or_default();
            match (d.source, d.name) {
                // Types with domain settings always send `domain\user` with samAccountName;
                // only the Android Enterprise types (no domain settings) send the name alone.
                (DomainSource::None, _) => self.diag(
                    Severity::Warning,
                    Setting::UserDomainSource,
                    format!(
                        "`{}` cannot send the sAM account name without a domain: Intune adds the user's domain (written without domain settings, so Intune's default, the full domain name, applies)",
                        self.ty.name()
                    ),
                ),
                // The portal's "Custom" is nothing but a customDomainName (intune-graph.md §0).
                (DomainSource::Custom, Some(name)) => self.put(CUSTOM_DOMAIN_NAME.graph, name),
                _ => self.put(
                    USER_DOMAIN_NAME_SOURCE.graph,
                    wire::DOMAIN_NAME_SOURCE
                        .name_of(d.attribute.unwrap_or_default())
                        .unwrap_or("fullDomainName"),
                ),
            }
        }
    }

    fn write_sync(&mut self) {
        let sync = &self.profile.sync;
        let mut services: Vec<Service> = Service::ALL
            .into_iter()
            .filter(|s| sync.services.contains(s))
            .collect();
        if self.ty.has(EAS_SERVICES.graph) {
            if services.is_empty() {
                services = Service::all();
            }
            self.put(EAS_SERVICES.graph, wire::format_services(&services));
            self.put(
                EAS_SERVICES_USER_OVERRIDE_ENABLED.graph,
                sync.user_can_change,
            );
            return;
        }
        let switches = crate::properties::sync_switches(self.ty);
        if switches.is_empty() {
            return;
        }
        let all = services.len() == Service::ALL.len();
        for (key, service) in switches {
            self.put(key, all || services.contains(service));
        }
        if all {
            return;
        }
        if !services.contains(&Service::Email) {
            self.diag(
                Severity::Warning,
                Setting::SyncServices,
                format!("email always syncs with {}", self.ty.name()),
            );
        }
        let lost: Vec<&str> = services
            .iter()
            .filter(|s| **s != Service::Email && !switches.iter().any(|(_, sw)| sw == *s))
            .map(|s| s.graph_name())
            .collect();
        if !lost.is_empty() {
            self.diag(
                Severity::Warning,
                Setting::SyncServices,
                format!(
                    "{} cannot be chosen with {}; not synced",
                    lost.join(", "),
                    self.ty.name()
                ),
            );
        }
    }

    fn write_ios_smime(&mut self) -> Result<(), IntuneError> {
        let sm = &self.profile.smime;
        let on = sm.enabled;
        let s = &sm.signing;
        let e = &sm.encryption;
        let signing = on && s.enabled;
        self.put(REQUIRE_SMIME.graph, on);
        self.put(SMIME_SIGNING_ENABLED.graph, signing);
        self.put(
            SMIME_SIGNING_USER_OVERRIDE_ENABLED.graph,
            signing && s.user_can_change,
        );
        self.put(
            SMIME_SIGNING_CERTIFICATE_USER_OVERRIDE_ENABLED.graph,
            signing && s.certificate_user_can_change,
        );
        if signing && let Some(t) = wire::CERTIFICATE_TYPE.name_of(s.certificate_type) {
            self.put(SIGNING_CERTIFICATE_TYPE.graph, t);
        }
        self.put(
            SMIME_ENCRYPT_BY_DEFAULT_ENABLED.graph,
            on && e.encrypt_by_default,
        );
        self.put(
            SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDE_ENABLED.graph,
            on && e.encrypt_by_default && e.encrypt_by_default_user_can_change,
        );
        self.put(
            SMIME_ENABLE_PER_MESSAGE_SWITCH.graph,
            on && e.per_message_switch,
        );
        self.put(
            SMIME_ENCRYPTION_CERTIFICATE_USER_OVERRIDE_ENABLED.graph,
            on && e.certificate_user_can_change,
        );
        if on && let Some(t) = wire::CERTIFICATE_TYPE.name_of(e.certificate_type) {
            self.put(ENCRYPTION_CERTIFICATE_TYPE.graph, t);
        }
        if signing && s.certificate_type == CertificateType::Certificate {
            let name = s.certificate.clone();
            self.bind(SMIME_SIGNING_CERTIFICATE, name.as_deref())?;
        }
        if on && e.certificate_type == CertificateType::Certificate {
            let name = e.certificate.clone();
            self.bind(SMIME_ENCRYPTION_CERTIFICATE, name.as_deref())?;
        }
        Ok(())
    }

    /// Knox: one switch, and a signing certificate (intune email-settings-android.md).
    fn write_knox_smime(&mut self) -> Result<(), IntuneError> {
        let sm = &self.profile.smime;
        self.put(REQUIRE_SMIME.graph, sm.enabled);
        if !sm.enabled {
            return Ok(());
        }
        let s = &sm.signing;
        if !s.enabled {
            self.diag(
                Severity::Warning,
                Setting::Smime,
                "Knox signs with S/MIME whenever S/MIME is on; signing cannot be left off".into(),
            );
        }
        match s.certificate_type {
            CertificateType::Certificate => {
                let name = s.certificate.clone();
                self.bind(SMIME_SIGNING_CERTIFICATE, name.as_deref())?;
            }
            CertificateType::NotConfigured => {}
            other => {
                let t = wire::CERTIFICATE_TYPE.name_of(other).unwrap_or("?");
                self.diag(
                    Severity::Warning,
                    Setting::SmimeSigningCertificateType,
                    format!("Knox binds a certificate profile only; `{t}` is not expressible"),
                );
            }
        }
        Ok(())
    }

    /// `<nav>@odata.bind` for the certificate `name`, when it has a Graph id.
    fn bind(&mut self, nav: Property, name: Option<&str>) -> Result<(), IntuneError> {
        let (setting, nav) = (nav.setting, nav.graph);
        if !self.ty.has_reference(nav) {
            return Ok(());
        }
        let Some(name) = name else {
            self.diag(
                Severity::Warning,
                setting,
                format!("no certificate is named; `{nav}` is left out"),
            );
            return Ok(());
        };
        let Some(cert) = self.profile.certificates.get(name) else {
            self.diag(
                Severity::Warning,
                setting,
                format!(
                    "certificate `{name}` is not defined under `certificates`; `{nav}` is left out"
                ),
            );
            return Ok(());
        };
        match &cert.graph_id {
            Some(id) if wire::is_plain_graph_id(id) => {
                self.map
                    .insert(format!("{nav}@odata.bind"), wire::bind_url(id).into());
                self.bound.insert(name.to_owned());
                Ok(())
            }
            Some(id) => Err(IntuneError::GraphId {
                certificate: name.to_owned(),
                id: id.clone(),
            }),
            None => {
                self.diag(
                    Severity::Warning,
                    setting,
                    format!(
                        "certificate `{name}` has no graphId, so `{nav}` is left out: set certificates.{name}.graphId to the Intune certificate profile's id, or pick the certificate in Intune after import"
                    ),
                );
                Ok(())
            }
        }
    }

    /// A diagnostic for every configured setting the type cannot hold.
    fn unsupported(&mut self) {
        for s in Setting::ALL {
            if !s.is_configured(self.profile) {
                continue;
            }
            if let Support::Unsupported { reason } = self.ty.support(s) {
                // Identity and, where the type has none, the account name are always set and
                // always meaningless to Intune: worth knowing, not worth a warning.
                let severity = match s {
                    Setting::Identifier | Setting::AccountName => Severity::Info,
                    _ => Severity::Warning,
                };
                self.diag(
                    severity,
                    s,
                    format!(
                        "{} is not expressible in {}: {reason}",
                        s.title(),
                        self.ty.name()
                    ),
                );
            }
        }
    }

    /// Certificates the Graph object does not refer to: their material never goes into an
    /// email profile.
    fn unbound_certificates(&mut self) {
        if !self.ty.support(Setting::Certificates).is_expressed() {
            return;
        }
        let names: Vec<(String, bool)> = self
            .profile
            .certificates
            .iter()
            .map(|(n, c)| {
                (
                    n.clone(),
                    c.pkcs12.is_some() || c.scep.is_some() || c.ca.is_some(),
                )
            })
            .collect();
        for (name, has_material) in names {
            if self.bound.contains(&name) {
                continue;
            }
            let message = if has_material {
                format!(
                    "certificate `{name}` is not written: Graph email profiles refer to certificate profiles by id; upload it to Intune as a certificate profile and set its graphId"
                )
            } else {
                format!(
                    "certificate `{name}` is not referred to by {}",
                    self.ty.name()
                )
            };
            self.diagnostics.push(Diagnostic {
                severity: Severity::Info,
                setting: format!(
                    "{}/{}",
                    Setting::Certificates.pointer(),
                    escape_segment(&name)
                ),
                platform: self.ty.platform_id().to_owned(),
                message,
            });
        }
    }
}
