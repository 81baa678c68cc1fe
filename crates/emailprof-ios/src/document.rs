//! A profile as the smallest document that means it: settings at their defaults and settings
//! whose condition is off are left out, as the profile schema requires of the latter.

use emailprof_core::EmailProfile;
use emailprof_core::model::{
    AuthenticationMethod, CertificateType, DomainSource, EmailAddressSource, EmailSyncDuration,
    Service, SmimeEncryption, SmimeSigning, UsernameSource,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

fn to_value(v: impl Serialize) -> Value {
    // Serializing the model's plain enums and structs cannot fail.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn put(map: &mut Map<String, Value>, key: &str, value: impl Serialize) {
    map.insert(key.to_owned(), to_value(value));
}

fn put_some(map: &mut Map<String, Value>, key: &str, value: Option<&String>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), Value::String(v.clone()));
    }
}

fn signing(s: &SmimeSigning) -> Value {
    let mut m = Map::new();
    put(&mut m, "enabled", s.enabled);
    if s.enabled {
        if s.user_can_change {
            put(&mut m, "userCanChange", true);
        }
        if s.certificate_type != CertificateType::NotConfigured {
            put(&mut m, "certificateType", s.certificate_type);
        }
        if s.certificate_type == CertificateType::Certificate {
            put_some(&mut m, "certificate", s.certificate.as_ref());
        }
        if s.certificate_user_can_change {
            put(&mut m, "certificateUserCanChange", true);
        }
    }
    Value::Object(m)
}

fn encryption(e: &SmimeEncryption) -> Value {
    let mut m = Map::new();
    put(&mut m, "encryptByDefault", e.encrypt_by_default);
    if e.encrypt_by_default && e.encrypt_by_default_user_can_change {
        put(&mut m, "encryptByDefaultUserCanChange", true);
    }
    if e.per_message_switch {
        put(&mut m, "perMessageSwitch", true);
    }
    if e.certificate_type != CertificateType::NotConfigured {
        put(&mut m, "certificateType", e.certificate_type);
    }
    if e.certificate_type == CertificateType::Certificate {
        put_some(&mut m, "certificate", e.certificate.as_ref());
    }
    if e.certificate_user_can_change {
        put(&mut m, "certificateUserCanChange", true);
    }
    Value::Object(m)
}

/// The smallest profile document (JSON) that means `p`: defaults and settings whose condition
/// is off are left out, so the document validates. Import writes its result with it.
pub fn document(p: &EmailProfile) -> Value {
    let mut doc = Map::new();
    put(&mut doc, "displayName", &p.display_name);
    put(&mut doc, "identifier", &p.identifier);
    put_some(&mut doc, "organization", p.organization.as_ref());
    put_some(&mut doc, "description", p.description.as_ref());

    let a = &p.account;
    let mut account = Map::new();
    put(&mut account, "server", &a.server);
    put(&mut account, "accountName", &a.account_name);
    if a.username.source != UsernameSource::UserPrincipalName {
        let mut username = Map::new();
        put(&mut username, "source", a.username.source);
        if a.username.source == UsernameSource::SamAccountName {
            let d = a.username.domain.clone().unwrap_or_default();
            let mut domain = Map::new();
            put(&mut domain, "source", d.source);
            match d.source {
                DomainSource::Directory => {
                    put(&mut domain, "attribute", d.attribute.unwrap_or_default())
                }
                DomainSource::Custom => put_some(&mut domain, "name", d.name.as_ref()),
            }
            username.insert("domain".into(), Value::Object(domain));
        }
        account.insert("username".into(), Value::Object(username));
    }
    if a.email_address_source != EmailAddressSource::UserPrincipalName {
        put(&mut account, "emailAddressSource", a.email_address_source);
    }
    let auth = &a.authentication;
    let mut authentication = Map::new();
    if auth.method != AuthenticationMethod::UsernameAndPassword {
        put(&mut authentication, "method", auth.method);
    }
    if auth.method == AuthenticationMethod::Certificate {
        put_some(
            &mut authentication,
            "identityCertificate",
            auth.identity_certificate.as_ref(),
        );
    }
    if let Some(pw) = &auth.password {
        put(&mut authentication, "password", pw);
    }
    if !authentication.is_empty() {
        account.insert("authentication".into(), Value::Object(authentication));
    }
    // Written even at its default: Apple's default differs (com.apple.eas.account.yaml SSL
    // `default: false`), so the document says what was meant.
    put(&mut account, "ssl", a.ssl);
    if a.oauth.enabled {
        let mut oauth = Map::new();
        put(&mut oauth, "enabled", true);
        put_some(&mut oauth, "signInUrl", a.oauth.sign_in_url.as_ref());
        put_some(
            &mut oauth,
            "tokenRequestUrl",
            a.oauth.token_request_url.as_ref(),
        );
        account.insert("oauth".into(), Value::Object(oauth));
    }
    doc.insert("account".into(), Value::Object(account));

    let mut sync = Map::new();
    let mut services = p.sync.services.clone();
    services.sort();
    services.dedup();
    if services.len() != Service::ALL.len() {
        put(&mut sync, "services", &p.sync.services);
    }
    if !p.sync.user_can_change {
        put(&mut sync, "userCanChange", false);
    }
    if p.sync.email_sync_duration != EmailSyncDuration::NotConfigured {
        put(&mut sync, "emailSyncDuration", p.sync.email_sync_duration);
    }
    if !sync.is_empty() {
        doc.insert("sync".into(), Value::Object(sync));
    }

    if p.smime.enabled {
        doc.insert(
            "smime".into(),
            json!({
                "enabled": true,
                "signing": signing(&p.smime.signing),
                "encryption": encryption(&p.smime.encryption),
            }),
        );
    }

    let mut mail = Map::new();
    for (key, allowed) in [
        ("allowMove", p.mail.allow_move),
        ("allowThirdPartySend", p.mail.allow_third_party_send),
        ("syncRecentAddresses", p.mail.sync_recent_addresses),
    ] {
        if !allowed {
            put(&mut mail, key, false);
        }
    }
    if !mail.is_empty() {
        doc.insert("mail".into(), Value::Object(mail));
    }

    if !p.certificates.is_empty() {
        put(&mut doc, "certificates", &p.certificates);
    }

    let ios = &p.platforms.ios;
    let mut ios_map = Map::new();
    put_some(
        &mut ios_map,
        "minimumOsVersion",
        ios.minimum_os_version.as_ref(),
    );
    put_some(
        &mut ios_map,
        "perAccountVpnUuid",
        ios.per_account_vpn_uuid.as_ref(),
    );
    if ios.allow_mail_drop {
        put(&mut ios_map, "allowMailDrop", true);
    }
    if !ios_map.is_empty() {
        doc.insert("platforms".into(), json!({ "ios": ios_map }));
    }
    Value::Object(doc)
}
