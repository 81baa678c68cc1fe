//! The `com.apple.eas.account` payload: account, authentication, password and S/MIME keys.

use std::borrow::Cow;

use emailprof_core::model::{AuthenticationMethod, CertificateType};
use emailprof_core::{EmitError, Setting};

use crate::keys;
use crate::xml::{Dict, Node, Slot};

use super::builder::*;

impl<'a> Build<'a, '_> {
    pub(super) fn eas(&mut self) -> Result<Dict<'a>, EmitError> {
        let p = self.p;
        let profile = &p.profile;
        let a = &profile.account;
        let mut d = Dict::new();
        let kept = self.kept(None);
        self.common_payload(
            &mut d,
            kept,
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

    pub(super) fn authentication(&mut self, d: &mut Dict<'a>) -> Result<(), EmitError> {
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
    pub(super) fn password(&mut self, d: &mut Dict<'a>) -> Result<(), EmitError> {
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

    pub(super) fn smime(&mut self, d: &mut Dict<'a>) -> Result<(), EmitError> {
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
}
