//! The emitter: a `Configuration` profile with one `com.apple.eas.account` payload and the
//! certificate payloads it refers to.
//!
//! One builder serves both paths: [`Emitter::emit`] builds the document for one user, and
//! [`Emitter::prepare`] builds it once with the per-user values left as slots of a template
//! (see `prepared`), checking everything that does not depend on the user only once.

use std::borrow::Cow;

use emailprof_core::model::{
    AuthenticationMethod, CertificateKind, CertificateType, EmailProfile, KeyUsage,
};
use emailprof_core::{
    CertificateMaterial, Diagnostic, Emission, EmitError, EmitOptions, Emitter, Family, OsVersion,
    PreparedEmitter, ResolvedProfile, Setting, Severity, Support, UserIdentity,
};

use crate::keys::{self, Key};
use crate::prepared::{self, Check, Slots};
use crate::xml::{self, Dict, Node, Slot};
use crate::{payload_uuid, subject};

/// Media type of a configuration profile download.
pub const MEDIA_TYPE: &str = "application/x-apple-aspen-config";

/// The minimum iOS version when neither the options nor the profile name one.
pub const DEFAULT_MIN_OS: OsVersion = OsVersion(13, 0, 0);

const ID: &str = "ios";

/// The iOS/iPadOS emitter: `.mobileconfig` XML plists.
#[derive(Clone, Copy, Debug, Default)]
pub struct IosEmitter;

impl IosEmitter {
    /// The minimum OS version an emission targets: the option, else the profile's, else 13.0.
    ///
    /// Below iOS 4.0 there is no `com.apple.eas.account` payload (ADM: payload introduced 4.0),
    /// so such a minimum is refused.
    pub fn min_os(profile: &EmailProfile, options: &EmitOptions) -> Result<OsVersion, EmitError> {
        let min = match (
            options.min_os_version,
            &profile.platforms.ios.minimum_os_version,
        ) {
            (Some(v), _) => v,
            (None, Some(text)) => OsVersion::parse(text).ok_or_else(|| {
                EmitError::InvalidOption(format!(
                    "{}: `{text}` is not a version like 13.0",
                    Setting::IosMinimumOsVersion.pointer()
                ))
            })?,
            (None, None) => DEFAULT_MIN_OS,
        };
        if min < keys::EAS_SINCE {
            return Err(EmitError::InvalidOption(format!(
                "minimum iOS version {min}: Exchange ActiveSync profiles exist from iOS {} on",
                keys::EAS_SINCE
            )));
        }
        Ok(min)
    }
}

impl Emitter for IosEmitter {
    fn id(&self) -> &'static str {
        ID
    }

    fn title(&self) -> &'static str {
        "iOS/iPadOS (.mobileconfig)"
    }

    fn family(&self) -> Family {
        Family::Ios
    }

    fn support(&self, setting: Setting) -> Support {
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

    fn emit(&self, p: &ResolvedProfile, options: &EmitOptions) -> Result<Emission, EmitError> {
        let min = Self::min_os(&p.profile, options)?;
        let mut diagnostics = self.unsupported_diagnostics(&p.profile);
        let mut slots = Slots::default();
        let root = build(p, Some(&p.user), &mut slots, options, min, &mut diagnostics)?;
        let document = xml::document(&root);
        debug_assert!(document.slots.is_empty(), "a user's document has no slots");
        Ok(Emission {
            artifacts: vec![emailprof_core::Artifact {
                file_name: file_name(&p.profile),
                media_type: MEDIA_TYPE.to_owned(),
                bytes: document.literal,
            }],
            diagnostics,
        })
    }

    /// Everything but the user's name, email address, SCEP subject values and `PayloadUUID`s
    /// is built, checked and written once; `emit_user` fills those into the written bytes.
    ///
    /// Returns an error only when `emit` would fail with that same error for every user.
    fn prepare<'a>(
        &'a self,
        base: &ResolvedProfile,
        options: &EmitOptions,
    ) -> Result<Box<dyn PreparedEmitter + 'a>, EmitError> {
        let min = Self::min_os(&base.profile, options)?;
        let mut diagnostics = self.unsupported_diagnostics(&base.profile);
        let mut slots = Slots::default();
        let built = build(base, None, &mut slots, options, min, &mut diagnostics);
        let outcome = match built {
            Ok(root) => Ok(xml::document(&root)),
            // No per-user check comes first: every user gets this error.
            Err(e) if slots.checks.is_empty() => return Err(e),
            Err(e) => Err(e),
        };
        Ok(Box::new(prepared::Prepared::new(
            outcome,
            slots,
            file_name(&base.profile),
            diagnostics,
        )))
    }
}

fn file_name(profile: &EmailProfile) -> String {
    format!("{}.mobileconfig", profile.identifier)
}

/// The payloads of one profile, for one user or (`user: None`) as a template.
struct Build<'a, 'b> {
    p: &'a ResolvedProfile,
    user: Option<&'a UserIdentity>,
    /// The template's per-user values and their checks (empty for a user's document).
    slots: &'b mut Slots,
    options: &'a EmitOptions,
    min: OsVersion,
    diagnostics: &'b mut Vec<Diagnostic>,
    /// Settings left out for the minimum OS: the keys they needed, reported once per setting.
    left_out: Vec<(Setting, Vec<Key>)>,
}

fn diag(severity: Severity, pointer: String, message: String) -> Diagnostic {
    Diagnostic {
        severity,
        setting: pointer,
        platform: ID.to_owned(),
        message,
    }
}

/// Characters an XML 1.0 document cannot carry (a plist is XML).
pub(crate) fn xml_safe(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    })
}

/// The error for a value a property list cannot hold.
pub(crate) fn not_xml_safe(pointer: &str) -> EmitError {
    EmitError::Unsupported {
        setting: pointer.to_owned(),
        message: "the value contains control characters, which a property list cannot hold".into(),
    }
}

fn text<'a>(s: &'a str, pointer: &str) -> Result<Node<'a>, EmitError> {
    if xml_safe(s) {
        Ok(Node::String(Cow::Borrowed(s)))
    } else {
        Err(not_xml_safe(pointer))
    }
}

fn cert_pointer(name: &str) -> String {
    format!(
        "{}/{}",
        Setting::Certificates.pointer(),
        emailprof_core::input::escape_segment(name)
    )
}

/// The payload identifier of certificate `name`.
pub(crate) fn cert_identifier(profile_identifier: &str, name: &str) -> String {
    format!("{profile_identifier}.cert.{name}")
}

/// A SCEP subject value with the user's values in place of the placeholders.
pub(crate) fn fill_subject(value: &str, user: &UserIdentity) -> String {
    value
        .replace("{{username}}", &user.username)
        .replace("{{emailAddress}}", &user.email_address)
}

/// Whether [`fill_subject`] can change `value`.
fn has_placeholder(value: &str) -> bool {
    value.contains("{{username}}") || value.contains("{{emailAddress}}")
}

/// A SCEP subject value: known, or the `n`th template slot.
enum SubjectValue {
    Known(String),
    Slot(usize),
}

impl<'a> Build<'a, '_> {
    fn warn(&mut self, setting: Setting, message: String) {
        self.diagnostics
            .push(Diagnostic::new(Severity::Warning, setting, ID, message));
    }

    fn info(&mut self, setting: Setting, message: String) {
        self.diagnostics
            .push(Diagnostic::new(Severity::Info, setting, ID, message));
    }

    /// The `PayloadUUID` of a payload: the user's, or a template slot.
    fn uuid(&mut self, identifier: &str, payload_type: &'static str) -> Node<'a> {
        match self.user {
            Some(user) => Node::String(Cow::Owned(payload_uuid(
                identifier,
                payload_type,
                &user.user_id,
            ))),
            None => Node::Slot(Slot::Uuid(self.slots.uuid(identifier, payload_type))),
        }
    }

    /// The user name or email address (checked), or a template slot with its check.
    fn user_text(&mut self, slot: Slot, setting: Setting) -> Result<Node<'a>, EmitError> {
        let pointer = setting.pointer();
        match self.user {
            Some(user) => {
                let value = match slot {
                    Slot::EmailAddress => &user.email_address,
                    _ => &user.username,
                };
                text(value, pointer)
            }
            None => {
                self.slots.checks.push(Check::Text { slot, pointer });
                Ok(Node::Slot(slot))
            }
        }
    }

    fn common(&mut self, dict: &mut Dict<'a>, identifier: &'a str, payload_type: &'static str) {
        dict.insert("PayloadIdentifier", Node::String(Cow::Borrowed(identifier)));
        dict.insert("PayloadType", Node::String(Cow::Borrowed(payload_type)));
        let uuid = self.uuid(identifier, payload_type);
        dict.insert("PayloadUUID", uuid);
        dict.insert("PayloadVersion", Node::Integer(1));
    }

    /// [`Build::common`] for an identifier made here.
    fn common_owned(
        &mut self,
        dict: &mut Dict<'a>,
        identifier: String,
        payload_type: &'static str,
    ) {
        let uuid = self.uuid(&identifier, payload_type);
        dict.insert("PayloadIdentifier", Node::String(Cow::Owned(identifier)));
        dict.insert("PayloadType", Node::String(Cow::Borrowed(payload_type)));
        dict.insert("PayloadUUID", uuid);
        dict.insert("PayloadVersion", Node::Integer(1));
    }

    /// Write `key` when devices at the minimum version know it; otherwise leave it out, with a
    /// warning if the profile asks for something through it.
    fn put(&mut self, dict: &mut Dict<'a>, key: Key, value: Node<'a>, setting: Setting) {
        if key.since <= self.min {
            dict.insert(key.name, value);
        } else if setting.is_configured(&self.p.profile) {
            match self.left_out.iter_mut().find(|(s, _)| *s == setting) {
                Some((_, keys)) => keys.push(key),
                None => self.left_out.push((setting, vec![key])),
            }
        }
    }

    /// One warning per setting left out for the minimum OS.
    fn report_left_out(&mut self) {
        let min = self.min;
        for (setting, keys) in std::mem::take(&mut self.left_out) {
            let names: Vec<String> = keys.iter().map(|k| format!("`{}`", k.name)).collect();
            let since = keys.iter().map(|k| k.since).max().unwrap_or(min);
            let verb = if keys.len() == 1 { "needs" } else { "need" };
            self.warn(
                setting,
                format!(
                    "{} is left out: {} {verb} iOS {since} or later, but the minimum iOS version is {min}",
                    setting.title(),
                    names.join(", ")
                ),
            );
        }
    }

    /// Write the successor key from its version on, before that its deprecated predecessor.
    fn put_versioned(
        &mut self,
        dict: &mut Dict<'a>,
        predecessor: Key,
        successor: Key,
        value: Node<'a>,
        setting: Setting,
    ) {
        if successor.current_at(self.min) {
            dict.insert(successor.name, value);
        } else if predecessor.current_at(self.min) {
            if setting.is_configured(&self.p.profile) {
                let min = self.min;
                self.info(
                    setting,
                    format!(
                        "written as `{}` for the minimum iOS version {min}; `{}` replaces it from iOS {}",
                        predecessor.name, successor.name, successor.since
                    ),
                );
            }
            dict.insert(predecessor.name, value);
        } else {
            self.put(dict, predecessor, value, setting);
        }
    }

    /// The `PayloadUUID` an EAS key uses for certificate `name`, if it can name one.
    fn certificate_uuid(
        &mut self,
        name: &str,
        setting: Setting,
        key: Key,
    ) -> Result<Option<Node<'a>>, EmitError> {
        let profile = &self.p.profile;
        let Some(cert) = profile.certificates.get(name) else {
            return Err(EmitError::Material {
                name: name.to_owned(),
                message: format!(
                    "{} names it, but it is not defined under `certificates`",
                    setting.pointer()
                ),
            });
        };
        let uuid = match cert.kind {
            CertificateKind::Pkcs12 => Some(self.uuid(
                &cert_identifier(&profile.identifier, name),
                keys::PKCS12_PAYLOAD_TYPE,
            )),
            CertificateKind::Scep => Some(self.uuid(
                &cert_identifier(&profile.identifier, name),
                keys::SCEP_PAYLOAD_TYPE,
            )),
            CertificateKind::Ca => {
                return Err(EmitError::Material {
                    name: name.to_owned(),
                    message: format!(
                        "{} needs an identity, but this is a CA certificate",
                        setting.pointer()
                    ),
                });
            }
            CertificateKind::External => {
                let uuid = cert.external.as_ref().and_then(|e| e.payload_uuid.as_ref());
                if uuid.is_none() {
                    self.warn(
                        setting,
                        format!(
                            "certificate `{name}` comes from another profile but has no `external.payloadUuid`, so `{}` is left out and the device cannot find the identity",
                            key.name
                        ),
                    );
                }
                uuid.map(|u| Node::String(Cow::Owned(u.to_ascii_uppercase())))
            }
            CertificateKind::DerivedCredential => {
                self.warn(
                    setting,
                    format!(
                        "certificate `{name}` is a derived credential, which no iOS profile payload can carry; `{}` is left out and the credential must be provisioned by the MDM (e.g. Intune derived credentials)",
                        key.name
                    ),
                );
                None
            }
        };
        Ok(uuid)
    }

    fn eas(&mut self) -> Result<Dict<'a>, EmitError> {
        let p = self.p;
        let profile = &p.profile;
        let a = &profile.account;
        let mut d = Dict::new();
        self.common_owned(
            &mut d,
            format!("{}.eas", profile.identifier),
            keys::EAS_PAYLOAD_TYPE,
        );
        // intune-graph.md §8: the account name is the payload's visible name (the EAS payload
        // has no account-name key).
        d.insert(
            "PayloadDisplayName",
            text(&a.account_name, Setting::AccountName.pointer())?,
        );

        let host = text(&a.server, Setting::Server.pointer())?;
        self.put(&mut d, keys::HOST, host, Setting::Server);
        // com.apple.eas.account.yaml: SSL `default: false`, while Apple's older reference said
        // "Default YES": always explicit.
        self.put(&mut d, keys::SSL, Node::Boolean(a.ssl), Setting::Ssl);
        let username = self.user_text(Slot::Username, Setting::UsernameSource)?;
        self.put(&mut d, keys::USER_NAME, username, Setting::UsernameSource);
        let email = self.user_text(Slot::EmailAddress, Setting::EmailAddressSource)?;
        self.put(
            &mut d,
            keys::EMAIL_ADDRESS,
            email,
            Setting::EmailAddressSource,
        );

        // OAuth (iOS 12+), its URLs (iOS 13+, "Ignored unless 'OAuth' is 'true'").
        self.put(
            &mut d,
            keys::OAUTH,
            Node::Boolean(a.oauth.enabled),
            Setting::OAuth,
        );
        if a.oauth.enabled {
            if let Some(url) = &a.oauth.sign_in_url {
                let v = text(url, Setting::OAuthSignInUrl.pointer())?;
                self.put(&mut d, keys::OAUTH_SIGN_IN_URL, v, Setting::OAuthSignInUrl);
            }
            if let Some(url) = &a.oauth.token_request_url {
                let v = text(url, Setting::OAuthTokenRequestUrl.pointer())?;
                self.put(
                    &mut d,
                    keys::OAUTH_TOKEN_REQUEST_URL,
                    v,
                    Setting::OAuthTokenRequestUrl,
                );
            }
        }

        self.authentication(&mut d)?;
        self.password(&mut d)?;

        // Services (iOS 13+): all five and their override flags, explicitly.
        for (service, enable, overridable) in keys::SERVICES {
            let on = profile.sync.services.contains(&service);
            self.put(&mut d, enable, Node::Boolean(on), Setting::SyncServices);
            self.put(
                &mut d,
                overridable,
                Node::Boolean(profile.sync.user_can_change),
                Setting::SyncUserCanChange,
            );
        }
        // Rangelist 0, 1, 3, 7, 14, 31; absent leaves the device default (7).
        if let Some(days) = profile.sync.email_sync_duration.days() {
            self.put(
                &mut d,
                keys::MAIL_NUMBER_OF_PAST_DAYS_TO_SYNC,
                Node::Integer(days.into()),
                Setting::EmailSyncDuration,
            );
        }

        // The three Intune "allow" settings are Apple "prevent/disable" flags.
        let m = &profile.mail;
        self.put(
            &mut d,
            keys::PREVENT_MOVE,
            Node::Boolean(!m.allow_move),
            Setting::AllowMove,
        );
        self.put(
            &mut d,
            keys::PREVENT_APP_SHEET,
            Node::Boolean(!m.allow_third_party_send),
            Setting::AllowThirdPartySend,
        );
        self.put(
            &mut d,
            keys::DISABLE_MAIL_RECENTS_SYNCING,
            Node::Boolean(!m.sync_recent_addresses),
            Setting::SyncRecentAddresses,
        );

        let ios = &profile.platforms.ios;
        self.put(
            &mut d,
            keys::ALLOW_MAIL_DROP,
            Node::Boolean(ios.allow_mail_drop),
            Setting::IosAllowMailDrop,
        );
        if let Some(vpn) = &ios.per_account_vpn_uuid {
            self.put(
                &mut d,
                keys::VPN_UUID,
                Node::String(Cow::Owned(vpn.to_ascii_uppercase())),
                Setting::IosPerAccountVpn,
            );
        }

        self.smime(&mut d)?;
        d.sort_keys();
        Ok(d)
    }

    fn authentication(&mut self, d: &mut Dict<'a>) -> Result<(), EmitError> {
        let auth = &self.p.profile.account.authentication;
        match auth.method {
            AuthenticationMethod::UsernameAndPassword => {}
            AuthenticationMethod::Certificate => match &auth.identity_certificate {
                Some(name) => {
                    if let Some(uuid) = self.certificate_uuid(
                        name,
                        Setting::IdentityCertificate,
                        keys::PAYLOAD_CERTIFICATE_UUID,
                    )? {
                        self.put(
                            d,
                            keys::PAYLOAD_CERTIFICATE_UUID,
                            uuid,
                            Setting::IdentityCertificate,
                        );
                    }
                }
                None => self.warn(
                    Setting::AuthenticationMethod,
                    "certificate authentication without an identity certificate: the device asks the user to pick one".into(),
                ),
            },
            AuthenticationMethod::DerivedCredential => self.warn(
                Setting::AuthenticationMethod,
                "derived credentials cannot be expressed in an iOS profile (ADM 18.1 has no derived-credential payload); no identity is referenced, and the credential must be provisioned by the MDM (e.g. Intune derived credentials)".into(),
            ),
        }
        Ok(())
    }
    fn password(&mut self, d: &mut Dict<'a>) -> Result<(), EmitError> {
        let p = self.p;
        let named = p.profile.account.authentication.password.is_some();
        if !named && p.password.is_none() {
            return Ok(());
        }
        if p.profile.account.oauth.enabled {
            self.warn(
                Setting::Password,
                "the password is not written: OAuth is on (com.apple.eas.account.yaml: \"If enabled, don't specify a password\")".into(),
            );
            return Ok(());
        }
        if !self.options.include_password {
            self.info(
                Setting::Password,
                "the password is not written (the device asks the user); ask for it explicitly to include it".into(),
            );
            return Ok(());
        }
        match &p.password {
            Some(secret) => {
                let v = text(secret.expose(), Setting::Password.pointer())?;
                self.put(d, keys::PASSWORD, v, Setting::Password);
                self.warn(
                    Setting::Password,
                    "the password is written in plain text: an unencrypted profile is readable by anyone who has the file (com.apple.eas.account.yaml: \"Use only with encrypted profiles\")".into(),
                );
            }
            None => self.warn(
                Setting::Password,
                "the password was asked for, but none was supplied; it is not written".into(),
            ),
        }
        Ok(())
    }

    fn smime(&mut self, d: &mut Dict<'a>) -> Result<(), EmitError> {
        let profile = &self.p.profile;
        let on = profile.smime.enabled;
        let s = &profile.smime.signing;
        let e = &profile.smime.encryption;
        // Sub-settings only count with S/MIME on; every flag is written explicitly (older
        // Apple documentation gave SMIMESigningEnabled a default of true, ADM says false).
        if !keys::SMIME_ENABLED.current_at(self.min) {
            // iOS 10+ ignores SMIMEEnabled; S/MIME is the sum of the flags below.
        } else {
            d.insert(keys::SMIME_ENABLED.name, Node::Boolean(on));
        }
        self.put(
            d,
            keys::SMIME_SIGNING_ENABLED,
            Node::Boolean(on && s.enabled),
            Setting::SmimeSigning,
        );
        self.put(
            d,
            keys::SMIME_SIGNING_USER_OVERRIDEABLE,
            Node::Boolean(on && s.user_can_change),
            Setting::SmimeSigningUserCanChange,
        );
        self.put(
            d,
            keys::SMIME_SIGNING_CERTIFICATE_UUID_USER_OVERRIDEABLE,
            Node::Boolean(on && s.certificate_user_can_change),
            Setting::SmimeSigningCertificateUserCanChange,
        );
        self.put_versioned(
            d,
            keys::SMIME_ENCRYPTION_ENABLED,
            keys::SMIME_ENCRYPT_BY_DEFAULT,
            Node::Boolean(on && e.encrypt_by_default),
            Setting::SmimeEncryptByDefault,
        );
        self.put(
            d,
            keys::SMIME_ENCRYPT_BY_DEFAULT_USER_OVERRIDEABLE,
            Node::Boolean(on && e.encrypt_by_default_user_can_change),
            Setting::SmimeEncryptByDefaultUserCanChange,
        );
        self.put_versioned(
            d,
            keys::SMIME_ENABLE_PER_MESSAGE_SWITCH,
            keys::SMIME_ENABLE_ENCRYPTION_PER_MESSAGE_SWITCH,
            Node::Boolean(on && e.per_message_switch),
            Setting::SmimePerMessageSwitch,
        );
        self.put(
            d,
            keys::SMIME_ENCRYPTION_CERTIFICATE_UUID_USER_OVERRIDEABLE,
            Node::Boolean(on && e.certificate_user_can_change),
            Setting::SmimeEncryptionCertificateUserCanChange,
        );
        if !on {
            return Ok(());
        }
        let refs = [
            (
                s.certificate_type,
                &s.certificate,
                Setting::SmimeSigningCertificateType,
                Setting::SmimeSigningCertificate,
                keys::SMIME_SIGNING_CERTIFICATE_UUID,
            ),
            (
                e.certificate_type,
                &e.certificate,
                Setting::SmimeEncryptionCertificateType,
                Setting::SmimeEncryptionCertificate,
                keys::SMIME_ENCRYPTION_CERTIFICATE_UUID,
            ),
        ];
        for (kind, name, type_setting, cert_setting, key) in refs {
            match kind {
                CertificateType::NotConfigured | CertificateType::None => {}
                CertificateType::DerivedCredential => self.warn(
                    type_setting,
                    format!(
                        "a derived credential cannot be expressed in an iOS profile; `{}` is left out and the credential must be provisioned by the MDM",
                        key.name
                    ),
                ),
                CertificateType::Certificate => {
                    if let Some(name) = name
                        && let Some(uuid) = self.certificate_uuid(name, cert_setting, key)?
                    {
                        self.put(d, key, uuid, cert_setting);
                    }
                }
            }
        }
        Ok(())
    }

    /// One payload per certificate entry that iOS can carry, by name.
    fn certificates(&mut self) -> Result<Vec<Node<'a>>, EmitError> {
        let p = self.p;
        let mut out = Vec::new();
        for (name, cert) in &p.profile.certificates {
            let pointer = cert_pointer(name);
            let identifier = cert_identifier(&p.profile.identifier, name);
            let display = cert.display_name.as_deref().unwrap_or(name);
            let material = p.materials.get(name);
            let missing = || EmitError::Material {
                name: name.clone(),
                message: "its certificate data was not supplied".into(),
            };
            let wrong = |want: &str| EmitError::Material {
                name: name.clone(),
                message: format!("the supplied data is not {want}"),
            };
            let mut d = Dict::new();
            match cert.kind {
                CertificateKind::Pkcs12 => {
                    let Some(CertificateMaterial::Pkcs12 { data, passphrase }) = material else {
                        return Err(if material.is_some() {
                            wrong("a PKCS#12 file")
                        } else {
                            missing()
                        });
                    };
                    self.common_owned(&mut d, identifier, keys::PKCS12_PAYLOAD_TYPE);
                    if let Some(file) = cert.pkcs12.as_ref().map(|c| file_name_of(&c.file)) {
                        d.insert("PayloadCertificateFileName", text(file, &pointer)?);
                    }
                    d.insert("PayloadContent", Node::Data(Cow::Borrowed(data)));
                    if let Some(pass) = passphrase {
                        let at = format!("{pointer}/pkcs12/passphrase");
                        if self.options.include_password {
                            d.insert("Password", text(pass.expose(), &at)?);
                            self.diagnostics.push(diag(
                                Severity::Warning,
                                at,
                                format!("the passphrase of `{name}` is written in plain text: an unencrypted profile is readable by anyone who has the file, and with it the private key"),
                            ));
                        } else {
                            self.diagnostics.push(diag(
                                Severity::Warning,
                                at,
                                format!("the passphrase of `{name}` is not written: the device asks for it during an interactive installation, and an MDM installation fails without it; ask for it explicitly to include it"),
                            ));
                        }
                    }
                }
                CertificateKind::Ca => {
                    let Some(CertificateMaterial::Ca { der }) = material else {
                        return Err(if material.is_some() {
                            wrong("a CA certificate")
                        } else {
                            missing()
                        });
                    };
                    if der.first() != Some(&0x30) {
                        return Err(wrong("a DER-encoded certificate"));
                    }
                    self.common_owned(&mut d, identifier, keys::ROOT_PAYLOAD_TYPE);
                    if let Some(file) = cert.ca.as_ref().map(|c| file_name_of(&c.file)) {
                        d.insert("PayloadCertificateFileName", text(file, &pointer)?);
                    }
                    d.insert("PayloadContent", Node::Data(Cow::Borrowed(der)));
                }
                CertificateKind::Scep => {
                    let Some(scep) = &cert.scep else {
                        return Err(EmitError::Material {
                            name: name.clone(),
                            message: "kind `scep` needs a `scep` section".into(),
                        });
                    };
                    let challenge = match material {
                        Some(CertificateMaterial::Scep { challenge }) => challenge.as_ref(),
                        Some(_) => return Err(wrong("a SCEP challenge")),
                        None if scep.challenge.is_some() => return Err(missing()),
                        None => None,
                    };
                    self.common_owned(&mut d, identifier, keys::SCEP_PAYLOAD_TYPE);
                    let content = self.scep(name, scep, challenge)?;
                    d.insert("PayloadContent", Node::Dictionary(content));
                }
                CertificateKind::External => {
                    if cert
                        .external
                        .as_ref()
                        .and_then(|e| e.payload_uuid.as_ref())
                        .is_none()
                    {
                        self.diagnostics.push(diag(
                            Severity::Info,
                            pointer,
                            format!("certificate `{name}` comes from another profile and has no payload UUID; iOS payloads cannot refer to it"),
                        ));
                    }
                    continue;
                }
                CertificateKind::DerivedCredential => {
                    self.diagnostics.push(diag(
                        Severity::Warning,
                        pointer,
                        format!("certificate `{name}` is a derived credential, which no iOS profile payload can carry; it must be provisioned by the MDM"),
                    ));
                    continue;
                }
            }
            d.insert("PayloadDisplayName", text(display, &pointer)?);
            if cert.graph_id.is_some() {
                self.diagnostics.push(diag(
                    Severity::Info,
                    format!("{pointer}/graphId"),
                    "the Microsoft Graph id is for Intune exports; the iOS profile carries the certificate itself".into(),
                ));
            }
            d.sort_keys();
            out.push(Node::Dictionary(d));
        }
        Ok(out)
    }

    fn scep(
        &mut self,
        name: &str,
        scep: &'a emailprof_core::model::Scep,
        challenge: Option<&'a emailprof_core::Secret>,
    ) -> Result<Dict<'a>, EmitError> {
        let pointer = cert_pointer(name);
        let mut c = Dict::new();
        c.insert("URL", text(&scep.url, &format!("{pointer}/scep/url"))?);
        if let Some(n) = &scep.name {
            c.insert("Name", text(n, &format!("{pointer}/scep/name"))?);
        }
        if let Some(s) = &scep.subject {
            let at = format!("{pointer}/scep/subject");
            let rdns = self
                .subject(s, &at)
                .map_err(|message| EmitError::Unsupported {
                    setting: at.clone(),
                    message,
                })?;
            let mut arr = Vec::with_capacity(rdns.len());
            for rdn in rdns {
                let mut pairs = Vec::with_capacity(rdn.len());
                for (t, v) in rdn {
                    let value = match v {
                        SubjectValue::Known(v) if xml_safe(&v) => Node::String(Cow::Owned(v)),
                        SubjectValue::Known(_) => return Err(not_xml_safe(&at)),
                        SubjectValue::Slot(n) => {
                            self.slots
                                .checks
                                .push(Check::SubjectText { n, at: at.clone() });
                            Node::Slot(Slot::Subject(n))
                        }
                    };
                    pairs.push(Node::Array(vec![Node::String(Cow::Owned(t)), value]));
                }
                arr.push(Node::Array(pairs));
            }
            c.insert("Subject", Node::Array(arr));
        }
        if let Some(ch) = challenge {
            let at = format!("{pointer}/scep/challenge");
            c.insert("Challenge", text(ch.expose(), &at)?);
            self.diagnostics.push(diag(
                Severity::Info,
                at,
                format!("the SCEP challenge of `{name}` is written in plain text, as the device needs it to enrol; prefer one-time challenges"),
            ));
        }
        // ADM default 1024 differs from the profile's default 2048: always explicit.
        c.insert("Keysize", Node::Integer(scep.key_size.bits().into()));
        c.insert("Key Type", Node::String(Cow::Borrowed("RSA")));
        // com.apple.security.scep.yaml `Key Usage`: bitmask, 1 = signing, 4 = encryption.
        let usage: u64 = match scep.key_usage {
            KeyUsage::Signing => 1,
            KeyUsage::Encryption => 4,
            KeyUsage::SigningAndEncryption => 5,
        };
        c.insert("Key Usage", Node::Integer(usage));
        if let Some(fp) = &scep.ca_fingerprint {
            let bytes = hex(fp).ok_or_else(|| EmitError::Unsupported {
                setting: format!("{pointer}/scep/caFingerprint"),
                message: "not a hexadecimal fingerprint".into(),
            })?;
            c.insert("CAFingerprint", Node::Data(Cow::Owned(bytes)));
        }
        if scep.subject_alt_name_email {
            let mut san = Dict::new();
            san.insert(
                "rfc822Name",
                self.user_text(Slot::EmailAddress, Setting::EmailAddressSource)?,
            );
            c.insert("SubjectAltName", Node::Dictionary(san));
        }
        c.sort_keys();
        Ok(c)
    }

    /// The subject's RDNs with the user's values filled in, or (template) with the values that
    /// have placeholders as slots whose emptiness is checked per user, in the order `emit`
    /// checks them.
    fn subject(
        &mut self,
        text: &str,
        at: &str,
    ) -> Result<Vec<Vec<(String, SubjectValue)>>, String> {
        let empty = |name: &str| format!("`{name}` has an empty value");
        match self.user {
            Some(user) => subject::parse(text, |name, value| {
                let v = fill_subject(&value, user);
                if v.is_empty() {
                    Err(empty(name))
                } else {
                    Ok(SubjectValue::Known(v))
                }
            }),
            None => {
                let slots = &mut *self.slots;
                subject::parse(text, |name, value| {
                    if has_placeholder(&value) {
                        let n = slots.subjects.len();
                        slots.subjects.push(value);
                        slots.checks.push(Check::SubjectNonEmpty {
                            n,
                            name: name.to_owned(),
                            at: at.to_owned(),
                        });
                        Ok(SubjectValue::Slot(n))
                    } else if value.is_empty() {
                        Err(empty(name))
                    } else {
                        Ok(SubjectValue::Known(value))
                    }
                })
            }
        }
    }
}

fn file_name_of(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

/// The document of `p` for `user`, or (`user: None`) its template, whose per-user values and
/// their checks go to `slots`.
fn build<'a>(
    p: &'a ResolvedProfile,
    user: Option<&'a UserIdentity>,
    slots: &mut Slots,
    options: &'a EmitOptions,
    min: OsVersion,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Node<'a>, EmitError> {
    let profile = &p.profile;
    let mut b = Build {
        p,
        user,
        slots,
        options,
        min,
        diagnostics,
        left_out: Vec::new(),
    };
    // Certificates first, so that the account's references point backwards.
    let mut content = b.certificates()?;
    content.push(Node::Dictionary(b.eas()?));
    b.report_left_out();

    let mut top = Dict::new();
    b.common(&mut top, &profile.identifier, "Configuration");
    top.insert(
        "PayloadDisplayName",
        text(&profile.display_name, Setting::DisplayName.pointer())?,
    );
    if let Some(o) = &profile.organization {
        top.insert(
            "PayloadOrganization",
            text(o, Setting::Organization.pointer())?,
        );
    }
    if let Some(desc) = &profile.description {
        top.insert(
            "PayloadDescription",
            text(desc, Setting::Description.pointer())?,
        );
    }
    top.insert("PayloadContent", Node::Array(content));
    top.sort_keys();
    Ok(Node::Dictionary(top))
}
