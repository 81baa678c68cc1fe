//! The profile: its top-level keys, the Exchange account payload and its S/MIME keys.

use std::collections::BTreeMap;

use emailprof_core::model::*;
use emailprof_core::{EmailProfile, Severity};
use plist::{Dictionary, Value};

use crate::keys;

use super::reader::*;
use super::types::*;

impl Reader {
    pub(super) fn profile(&mut self, top: &Dictionary) -> Result<EmailProfile, ImportError> {
        let mut t = Payload::new(top, String::new());
        if self.bool(&mut t, "IsEncrypted") == Some(true)
            || top.contains_key("EncryptedPayloadContent")
        {
            return Err(ImportError::Encrypted);
        }
        t.seen.insert("EncryptedPayloadContent");
        match self.string(&mut t, "PayloadType") {
            Some("Configuration") => {}
            Some(other) => {
                return Err(ImportError::Invalid {
                    key_path: "PayloadType".into(),
                    message: format!(
                        "`{other}` is not a profile's PayloadType; the only valid value is `Configuration`"
                    ),
                });
            }
            None => self.push(
                Severity::Warning,
                "PayloadType".into(),
                "missing; a profile's PayloadType is `Configuration`",
            ),
        }
        self.payload_version(&mut t);
        let top_id = matches!(t.dict.get("PayloadIdentifier"), Some(Value::String(_)))
            .then(|| self.identity(&mut t, "Configuration", String::new));
        t.seen.insert("PayloadIdentifier");
        let display = self.string(&mut t, "PayloadDisplayName").map(str::to_owned);
        let organization = self
            .string(&mut t, "PayloadOrganization")
            .map(str::to_owned);
        let description = self.string(&mut t, "PayloadDescription").map(str::to_owned);
        let content = self
            .typed(&mut t, "PayloadContent", "an array", Value::as_array)
            .ok_or_else(|| ImportError::Invalid {
                key_path: "PayloadContent".into(),
                message: "the profile has no payload array".into(),
            })?;
        self.rest(&t, &keys::TOP_LEVEL_UNMODELLED, "the top level");
        let Some(top_id) = top_id else {
            return Err(ImportError::Invalid {
                key_path: "PayloadIdentifier".into(),
                message: "missing or not a string; a profile needs a reverse-DNS PayloadIdentifier such as `com.contoso.email`".into(),
            });
        };
        self.kept.profile_uuid = Some(top_id.uuid);
        let identifier = top_id.identifier;
        self.top_identifier.clone_from(&identifier);

        // Certificates first, so that the account's references can be resolved.
        let mut certs = Certs::default();
        let mut eas = None;
        for (i, item) in content.iter().enumerate() {
            let path = format!("PayloadContent[{i}]");
            let Value::Dictionary(d) = item else {
                self.push(
                    Severity::Error,
                    path,
                    format!("expected a dictionary, found {}", type_name(item)),
                );
                continue;
            };
            match d.get("PayloadType").and_then(Value::as_string) {
                Some(keys::EAS_PAYLOAD_TYPE) => {
                    if eas.is_none() {
                        eas = Some((path, d));
                    } else {
                        self.push(
                            Severity::Warning,
                            path,
                            "a second Exchange ActiveSync payload; only the first is imported",
                        );
                    }
                }
                Some(
                    ty @ (keys::PKCS12_PAYLOAD_TYPE
                    | keys::ROOT_PAYLOAD_TYPE
                    | keys::PKCS1_PAYLOAD_TYPE
                    | keys::PEM_PAYLOAD_TYPE
                    | keys::SCEP_PAYLOAD_TYPE),
                ) => self.certificate(d, path, ty, &identifier, &mut certs),
                Some(other) => self.push(
                    Severity::Warning,
                    join(&path, "PayloadType"),
                    format!("`{other}` payloads are not part of an email profile; not imported"),
                ),
                None => self.push(
                    Severity::Error,
                    join(&path, "PayloadType"),
                    "missing; the payload is ignored",
                ),
            }
        }
        let (path, eas) = eas.ok_or(ImportError::NoExchangeAccount)?;
        let display_name = match display {
            Some(d) if !d.is_empty() => clip(&d, 256),
            _ => {
                self.push(
                    Severity::Warning,
                    "PayloadDisplayName".into(),
                    "missing; the identifier is used as display name",
                );
                clip(&identifier, 256)
            }
        };
        let mut profile = self.eas(eas, path, &display_name, &mut certs)?;
        self.finish_subjects(&mut certs);
        profile.display_name = display_name;
        profile.identifier = identifier;
        profile.organization = organization
            .filter(|o| !o.is_empty())
            .map(|o| clip(&o, 256));
        profile.description = description.map(|d| clip(&d, 4096));
        profile.certificates = certs.entries;
        profile.platforms.ios.payloads = Some(std::mem::take(&mut self.kept));
        Ok(profile)
    }

    pub(super) fn eas(
        &mut self,
        d: &Dictionary,
        path: String,
        top_display: &str,
        certs: &mut Certs,
    ) -> Result<EmailProfile, ImportError> {
        let mut p = Payload::new(d, path);
        for k in keys::COMMON_KEYS {
            p.seen.insert(k);
        }
        let top_id = self.top_identifier.clone();
        let account = self.identity(&mut p, keys::EAS_PAYLOAD_TYPE, || format!("{top_id}.eas"));
        self.kept.account = Some(account);
        let account_name = match self.string(&mut p, "PayloadDisplayName") {
            Some(n) if !n.is_empty() => clip(n, 256),
            _ => {
                let at = p.at("PayloadDisplayName");
                self.push(
                    Severity::Info,
                    at,
                    "missing; the profile's display name is used as account name",
                );
                clip(top_display, 256)
            }
        };
        let host = self.string(&mut p, keys::HOST.name).map(str::to_owned);
        let server = match host {
            Some(h) if valid_host(&h) => h,
            Some(h) => {
                return Err(ImportError::Invalid {
                    key_path: p.at("Host"),
                    message: format!(
                        "`{h}` is not a host name (emailprof needs a host name, optionally with a port)"
                    ),
                });
            }
            None => {
                return Err(ImportError::Invalid {
                    key_path: p.at("Host"),
                    message: "missing; emailprof needs the Exchange server's host name".into(),
                });
            }
        };
        let ssl = match self.key_bool(&mut p, keys::SSL) {
            Some(v) => v,
            None => {
                let at = p.at("SSL");
                self.push(Severity::Warning, at, "absent: SSL is off (Apple's default for SSL is false); check that this is meant");
                false
            }
        };

        let user_name = self.string(&mut p, keys::USER_NAME.name).map(str::to_owned);
        let email = self
            .string(&mut p, keys::EMAIL_ADDRESS.name)
            .map(str::to_owned);
        self.user = (user_name.clone(), email.clone());
        let username = self.username(user_name.as_deref(), &p.at("UserName"));
        let email_at = p.at("EmailAddress");
        match &email {
            Some(e) => self.push(Severity::Info, email_at, format!("`{e}` is a per-user value; the email address source is taken as the user principal name (it may be the primary SMTP address)")),
            None => self.push(Severity::Info, email_at, "absent (the device asks for it); the email address source is taken as the user principal name"),
        }

        // OAuth.
        let oauth_on = self.key_bool(&mut p, keys::OAUTH).unwrap_or(false);
        let mut oauth = OAuth {
            enabled: oauth_on,
            ..OAuth::default()
        };
        for (key, slot) in [
            (keys::OAUTH_SIGN_IN_URL, &mut oauth.sign_in_url),
            (keys::OAUTH_TOKEN_REQUEST_URL, &mut oauth.token_request_url),
        ] {
            if let Some(url) = self.string(&mut p, key.name) {
                let at = p.at(key.name);
                if !oauth_on {
                    self.push(
                        Severity::Warning,
                        at,
                        "ignored by iOS unless OAuth is true; not imported",
                    );
                } else if https_url(url) {
                    *slot = Some(url.to_owned());
                } else {
                    self.push(Severity::Error, at, "not an https URL; not imported");
                }
            }
        }

        // Authentication.
        let mut authentication = Authentication::default();
        if let Some(uuid) = self.string(&mut p, keys::PAYLOAD_CERTIFICATE_UUID.name) {
            let at = p.at(keys::PAYLOAD_CERTIFICATE_UUID.name);
            if let Some(name) = self.reference(uuid, &at, certs) {
                authentication.method = AuthenticationMethod::Certificate;
                authentication.identity_certificate = Some(name);
            }
        }
        let inline = self.data(&mut p, keys::CERTIFICATE.name);
        let inline_name = self.string(&mut p, keys::CERTIFICATE_NAME.name);
        if let Some(data) = inline {
            let at = p.at(keys::CERTIFICATE.name);
            if authentication.method == AuthenticationMethod::Certificate {
                self.push(
                    Severity::Warning,
                    at,
                    "ignored: PayloadCertificateUUID is present, and iOS then uses the certificate payload it names",
                );
            } else {
                let name = certs.unique_name(inline_name.unwrap_or("identity"));
                let file = self.add_file(&format!("{name}.p12"), &name, data);
                certs.entries.insert(
                    name.clone(),
                    Certificate {
                        kind: CertificateKind::Pkcs12,
                        display_name: inline_name
                            .filter(|n| *n != name && !n.is_empty())
                            .map(|n| clip(n, 256)),
                        graph_id: None,
                        pkcs12: Some(Pkcs12 {
                            file,
                            passphrase: None,
                        }),
                        scep: None,
                        ca: None,
                        external: None,
                    },
                );
                let identifier = crate::emit::cert_identifier(&self.top_identifier, &name);
                let uuid = crate::payload_uuid(&identifier, keys::PKCS12_PAYLOAD_TYPE, "");
                self.push(Severity::Info, at, format!("the embedded identity became certificate `{name}`, a separate PKCS#12 payload `{identifier}` when emitted"));
                self.kept
                    .certificates
                    .insert(name.clone(), PayloadIdentity { identifier, uuid });
                authentication.method = AuthenticationMethod::Certificate;
                authentication.identity_certificate = Some(name);
            }
        }
        for secret in [keys::PASSWORD, keys::CERTIFICATE_PASSWORD] {
            if p.dict.contains_key(secret.name) {
                p.seen.insert(secret.name);
                let at = p.at(secret.name);
                self.push(Severity::Warning, at, "secrets are not imported into profile files; set `account.authentication.password` (or the certificate's passphrase) to an `env` or `file` source");
            }
        }

        // Services (iOS 13+).
        let mut services = Vec::new();
        let mut overrides = Vec::new();
        for (service, enable, overridable) in keys::SERVICES {
            if self.key_bool(&mut p, enable).unwrap_or(true) {
                services.push(service);
            }
            overrides.push((
                overridable.name,
                self.key_bool(&mut p, overridable).unwrap_or(true),
            ));
        }
        if services.is_empty() {
            let at = p.at("EnableMail");
            self.push(Severity::Error, at, "every service is off, but at least one of EnableMail, EnableContacts, EnableCalendars, EnableReminders and EnableNotes must be true; all are imported as on");
            services = Service::all();
        }
        let user_can_change = overrides.iter().all(|(_, v)| *v);
        if !user_can_change && overrides.iter().any(|(_, v)| *v) {
            let allowed: Vec<&str> = overrides
                .iter()
                .filter(|(_, v)| *v)
                .map(|(k, _)| *k)
                .collect();
            let at = p.path.clone();
            self.push(Severity::Warning, at, format!("the per-service override flags differ ({} allow changes); emailprof has one setting for all services, imported as No", allowed.join(", ")));
        }
        let email_sync_duration = match self
            .int(&mut p, keys::MAIL_NUMBER_OF_PAST_DAYS_TO_SYNC.name)
        {
            None => EmailSyncDuration::NotConfigured,
            Some(0) => EmailSyncDuration::Unlimited,
            Some(1) => EmailSyncDuration::OneDay,
            Some(3) => EmailSyncDuration::ThreeDays,
            Some(7) => EmailSyncDuration::OneWeek,
            Some(14) => EmailSyncDuration::TwoWeeks,
            Some(31) => EmailSyncDuration::OneMonth,
            Some(other) => {
                let at = p.at(keys::MAIL_NUMBER_OF_PAST_DAYS_TO_SYNC.name);
                let valid: Vec<String> = keys::PAST_DAYS_RANGE.iter().map(i64::to_string).collect();
                self.push(Severity::Error, at, format!("MailNumberOfPastDaysToSync is {other}; its valid values are {} (0: no limit); not imported", valid.join(", ")));
                EmailSyncDuration::NotConfigured
            }
        };
        let mail = Mail {
            allow_move: !self.key_bool(&mut p, keys::PREVENT_MOVE).unwrap_or(false),
            allow_third_party_send: !self
                .key_bool(&mut p, keys::PREVENT_APP_SHEET)
                .unwrap_or(false),
            sync_recent_addresses: !self
                .key_bool(&mut p, keys::DISABLE_MAIL_RECENTS_SYNCING)
                .unwrap_or(false),
        };
        let mut ios = IosSettings {
            allow_mail_drop: self
                .key_bool(&mut p, keys::ALLOW_MAIL_DROP)
                .unwrap_or(false),
            ..IosSettings::default()
        };
        if let Some(vpn) = self.string(&mut p, keys::VPN_UUID.name) {
            if is_uuid(vpn) {
                // Upper-case, as the emitter writes it.
                ios.per_account_vpn_uuid = Some(vpn.to_ascii_uppercase());
                // Emitted for an older minimum, the key would be left out: keep it written.
                let since = keys::VPN_UUID.since;
                ios.minimum_os_version = Some(since.to_string());
                let at = p.at(keys::VPN_UUID.name);
                self.push(Severity::Info, at, format!("VPNUUID needs iOS {since} or later: the minimum iOS version is set to {since}, so that it is written again"));
            } else {
                let at = p.at(keys::VPN_UUID.name);
                self.push(Severity::Error, at, "not a UUID; not imported");
            }
        }
        let smime = self.smime(&mut p, certs);

        // What is left are ADM keys without an emailprof setting (HeaderMagic,
        // CommunicationServiceRules, OverridePreviousPassword, ...) and unknown keys.
        let known: Vec<&str> = keys::EAS_KEYS.iter().map(|k| k.name).collect();
        self.rest(&p, &known, keys::EAS_PAYLOAD_TYPE);

        Ok(EmailProfile {
            schema: None,
            display_name: String::new(),
            identifier: String::new(),
            organization: None,
            description: None,
            account: Account {
                server,
                account_name,
                username,
                email_address_source: EmailAddressSource::UserPrincipalName,
                authentication,
                ssl,
                oauth,
            },
            sync: Sync {
                services,
                user_can_change,
                email_sync_duration,
            },
            smime,
            mail,
            certificates: BTreeMap::new(),
            platforms: Platforms {
                ios,
                ..Platforms::default()
            },
        })
    }

    /// The user name source a resolved `UserName` suggests.
    pub(super) fn username(&mut self, value: Option<&str>, at: &str) -> Username {
        let Some(v) = value else {
            self.push(Severity::Info, at.to_owned(), "absent (the device asks for it); the user name source is taken as the user principal name");
            return Username::default();
        };
        if let Some((domain, account)) = v.split_once('\\')
            && valid_domain(domain)
            && !account.is_empty()
        {
            self.push(Severity::Info, at.to_owned(), format!("`{v}` has the form DOMAIN\\user: imported as the sAM account name with the custom domain `{domain}` (use `domain.source: directory` if the domain comes from the directory)"));
            return Username {
                source: UsernameSource::SamAccountName,
                domain: Some(UserDomain {
                    source: DomainSource::Custom,
                    attribute: None,
                    name: Some(domain.to_owned()),
                }),
            };
        }
        self.push(Severity::Info, at.to_owned(), format!("`{v}` is a per-user value; the user name source is taken as the user principal name (it may be the primary SMTP address)"));
        Username::default()
    }

    pub(super) fn smime(&mut self, p: &mut Payload<'_>, certs: &mut Certs) -> Smime {
        let legacy = self.key_bool(p, keys::SMIME_ENABLED).unwrap_or(false);
        let signing_on = self
            .key_bool(p, keys::SMIME_SIGNING_ENABLED)
            .unwrap_or(false);
        let signing_override = self
            .key_bool(p, keys::SMIME_SIGNING_USER_OVERRIDEABLE)
            .unwrap_or(false);
        let signing_cert_override = self
            .key_bool(p, keys::SMIME_SIGNING_CERTIFICATE_UUID_USER_OVERRIDEABLE)
            .unwrap_or(false);
        // The successor wins over its deprecated predecessor when both are present.
        let enc_new = self.key_bool(p, keys::SMIME_ENCRYPT_BY_DEFAULT);
        let enc_old = self.key_bool(p, keys::SMIME_ENCRYPTION_ENABLED);
        let encrypt_by_default = enc_new.or(enc_old).unwrap_or(false);
        let enc_override = self
            .key_bool(p, keys::SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDEABLE)
            .unwrap_or(false);
        let switch_new = self.key_bool(p, keys::SMIME_ENABLE_ENCRYPTION_PER_MESSAGE_SWITCH);
        let switch_old = self.key_bool(p, keys::SMIME_ENABLE_PER_MESSAGE_SWITCH);
        let per_message_switch = switch_new.or(switch_old).unwrap_or(false);
        let enc_cert_override = self
            .key_bool(p, keys::SMIME_ENCRYPTION_CERTIFICATE_UUID_USER_OVERRIDEABLE)
            .unwrap_or(false);
        let mut refs = [None, None];
        for (slot, key) in refs.iter_mut().zip([
            keys::SMIME_SIGNING_CERTIFICATE_UUID,
            keys::SMIME_ENCRYPTION_CERTIFICATE_UUID,
        ]) {
            if let Some(uuid) = self.string(p, key.name) {
                let at = p.at(key.name);
                *slot = self.reference(uuid, &at, certs);
            }
        }
        let [signing_cert, encryption_cert] = refs;
        let enabled = legacy
            || signing_on
            || encrypt_by_default
            || per_message_switch
            || signing_cert.is_some()
            || encryption_cert.is_some()
            || signing_override
            || signing_cert_override
            || enc_override
            || enc_cert_override;
        if !enabled {
            return Smime::default();
        }
        let signing = if signing_on {
            SmimeSigning {
                enabled: true,
                user_can_change: signing_override,
                certificate_type: if signing_cert.is_some() {
                    CertificateType::Certificate
                } else {
                    CertificateType::NotConfigured
                },
                certificate: signing_cert,
                certificate_user_can_change: signing_cert_override,
            }
        } else {
            if signing_cert.is_some() || signing_override || signing_cert_override {
                let at = p.at(keys::SMIME_SIGNING_ENABLED.name);
                self.push(Severity::Warning, at, "signing is off, so its certificate and override flags are not imported (emailprof applies them only with signing on)");
            }
            SmimeSigning::default()
        };
        let encryption = SmimeEncryption {
            encrypt_by_default,
            encrypt_by_default_user_can_change: encrypt_by_default && enc_override,
            per_message_switch,
            certificate_type: if encryption_cert.is_some() {
                CertificateType::Certificate
            } else {
                CertificateType::NotConfigured
            },
            certificate: encryption_cert,
            certificate_user_can_change: enc_cert_override,
        };
        if enc_override && !encrypt_by_default {
            let at = p.at(keys::SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDEABLE.name);
            self.push(
                Severity::Warning,
                at,
                "encryption by default is off, so this flag is not imported",
            );
        }
        Smime {
            enabled: true,
            signing,
            encryption,
        }
    }
}
