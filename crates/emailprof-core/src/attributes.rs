//! Per-user values: from a user's directory attributes to the account's user name and email
//! address, exactly as the profile's sources say.

use serde::{Deserialize, Serialize};

pub use emailprof_attributes::{Attribute, AttributeResolver, DirectoryAttributes, ResolveError};

use crate::model::{Account, DomainAttribute, DomainSource, EmailAddressSource, UsernameSource};

/// A user's account identity, ready for an emitter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    /// The id the user was looked up by (stable; names output files and seeds UUIDs).
    pub user_id: String,
    /// The account user name as the device sends it, e.g. `CONTOSO\user1` or `user1@contoso.com`.
    pub username: String,
    /// The account's email address.
    pub email_address: String,
    /// With a sAM account name: the bare account name (`user1`).
    pub account: Option<String>,
    /// With a sAM account name: the domain part (`CONTOSO`, `contoso.com`).
    pub domain: Option<String>,
    /// The user principal name whenever the directory gave one, whatever the profile's user
    /// name source: apps that sign in through Entra ID (Outlook's `EmailUPN`) need it even
    /// when the account's user name is a sAM account name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
}

/// Why `text` is not an email address (`local@domain.tld`), if it is not: one `@`, a local
/// part without spaces or control characters, a domain of dot-separated DNS labels.
pub fn not_an_address(text: &str) -> Option<&'static str> {
    let Some((local, domain)) = text.split_once('@') else {
        return Some("has no `@`");
    };
    if local.is_empty() || domain.contains('@') {
        return Some("is not of the form name@domain");
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("contains spaces or control characters");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) || domain.len() > 253 {
        return Some("has no valid domain after the `@`");
    }
    None
}

impl UserIdentity {
    /// Refuse values a device could not use, before they are written: an email address that
    /// is not one, or a user principal name (or SMTP address) used as the user name that is
    /// not of the form `name@domain`. The message names the user and the value.
    pub fn check_values(&self, account: &Account) -> Result<(), String> {
        if let Some(why) = not_an_address(&self.email_address) {
            return Err(format!(
                "user `{}`: the email address `{}` {why}",
                self.user_id, self.email_address
            ));
        }
        let address_name = matches!(
            account.username.source,
            UsernameSource::UserPrincipalName | UsernameSource::PrimarySmtpAddress
        );
        if address_name && let Some(why) = not_an_address(&self.username) {
            return Err(format!(
                "user `{}`: the user name `{}` {why}",
                self.user_id, self.username
            ));
        }
        Ok(())
    }
}

/// Attributes the profile needs that the directory did not supply.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("user `{user_id}`: the directory has no {} for this user, which the profile needs ({})", .missing.iter().map(|a| a.name()).collect::<Vec<_>>().join(", "), .reasons.join("; "))]
pub struct MissingAttributes {
    pub user_id: String,
    pub missing: Vec<Attribute>,
    pub reasons: Vec<String>,
}

/// Which attributes `account` needs from a directory.
pub fn required_attributes(account: &Account) -> Vec<Attribute> {
    let mut out = Vec::new();
    match account.username.source {
        UsernameSource::UserPrincipalName => out.push(Attribute::UserPrincipalName),
        UsernameSource::PrimarySmtpAddress => out.push(Attribute::PrimarySmtpAddress),
        UsernameSource::SamAccountName => {
            out.push(Attribute::SamAccountName);
            let d = account.username.domain.clone().unwrap_or_default();
            if d.source == DomainSource::Directory {
                match d.attribute.unwrap_or_default() {
                    DomainAttribute::FullDomainName => out.push(Attribute::DomainFqdn),
                    DomainAttribute::NetBiosDomainName => out.push(Attribute::NetbiosName),
                }
            }
        }
    }
    match account.email_address_source {
        EmailAddressSource::UserPrincipalName => out.push(Attribute::UserPrincipalName),
        EmailAddressSource::PrimarySmtpAddress => out.push(Attribute::PrimarySmtpAddress),
    }
    out.sort();
    out.dedup();
    out
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Compute the user name and email address of `attrs`' user as `account` says.
///
/// A sAM account name becomes `DOMAIN\name`, with the domain from the directory (full or
/// NetBIOS form, as given there) or the profile's custom domain, or stays `name` alone with the
/// domain source `none`.
pub fn resolve_identity(
    account: &Account,
    attrs: &DirectoryAttributes,
) -> Result<UserIdentity, MissingAttributes> {
    let mut missing = Vec::new();
    let mut reasons = Vec::new();
    let mut need = |attr: Attribute, value: &Option<String>, why: &str| -> String {
        match present(value) {
            Some(v) => v.to_owned(),
            None => {
                if !missing.contains(&attr) {
                    missing.push(attr);
                }
                reasons.push(format!("{} comes from {}", why, attr.name()));
                String::new()
            }
        }
    };

    let (username, account_name, domain) = match account.username.source {
        UsernameSource::UserPrincipalName => (
            need(
                Attribute::UserPrincipalName,
                &attrs.user_principal_name,
                "the user name",
            ),
            None,
            None,
        ),
        UsernameSource::PrimarySmtpAddress => (
            need(
                Attribute::PrimarySmtpAddress,
                &attrs.primary_smtp_address,
                "the user name",
            ),
            None,
            None,
        ),
        UsernameSource::SamAccountName => {
            let sam = need(
                Attribute::SamAccountName,
                &attrs.sam_account_name,
                "the user name",
            );
            let d = account.username.domain.clone().unwrap_or_default();
            let domain = match d.source {
                DomainSource::None => None,
                DomainSource::Custom => Some(d.name.clone().unwrap_or_default()),
                DomainSource::Directory => Some(match d.attribute.unwrap_or_default() {
                    DomainAttribute::FullDomainName => {
                        need(Attribute::DomainFqdn, &attrs.domain_fqdn, "the user domain")
                    }
                    DomainAttribute::NetBiosDomainName => need(
                        Attribute::NetbiosName,
                        &attrs.netbios_name,
                        "the user domain",
                    ),
                }),
            };
            let username = match &domain {
                Some(domain) => format!("{domain}\\{sam}"),
                None => sam.clone(),
            };
            (username, Some(sam), domain)
        }
    };
    let email_address = match account.email_address_source {
        EmailAddressSource::UserPrincipalName => need(
            Attribute::UserPrincipalName,
            &attrs.user_principal_name,
            "the email address",
        ),
        EmailAddressSource::PrimarySmtpAddress => need(
            Attribute::PrimarySmtpAddress,
            &attrs.primary_smtp_address,
            "the email address",
        ),
    };
    if !missing.is_empty() {
        return Err(MissingAttributes {
            user_id: attrs.user_id.clone(),
            missing,
            reasons,
        });
    }
    Ok(UserIdentity {
        user_id: attrs.user_id.clone(),
        username,
        email_address,
        account: account_name,
        domain,
        user_principal_name: present(&attrs.user_principal_name).map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked() {
        for ok in [
            "a@contoso.com",
            "Adele.Vance@contoso.com",
            "x+y@mail.contoso.co.uk",
            "ü@bücher.de",
        ] {
            assert_eq!(not_an_address(ok), None, "{ok}");
        }
        for bad in [
            "not-an-email",
            "@contoso.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            "a@-b.com",
            "a@b.com\n",
            "CONTOSO\\user1",
        ] {
            assert!(not_an_address(bad).is_some(), "{bad}");
        }
    }
    use crate::model::{Account, UserDomain, Username};

    fn attrs() -> DirectoryAttributes {
        DirectoryAttributes {
            user_id: "user1".into(),
            user_principal_name: Some("user1@contoso.com".into()),
            primary_smtp_address: Some("first.last@contoso.com".into()),
            sam_account_name: Some("user1".into()),
            domain_fqdn: Some("contoso.com".into()),
            netbios_name: Some("CONTOSO".into()),
        }
    }

    fn account(
        source: UsernameSource,
        domain: Option<UserDomain>,
        email: EmailAddressSource,
    ) -> Account {
        Account {
            server: "mail.contoso.com".into(),
            account_name: "Mail".into(),
            username: Username { source, domain },
            email_address_source: email,
            authentication: Default::default(),
            ssl: true,
            oauth: Default::default(),
        }
    }

    fn domain(
        source: DomainSource,
        attribute: Option<DomainAttribute>,
        name: Option<&str>,
    ) -> Option<UserDomain> {
        Some(UserDomain {
            source,
            attribute,
            name: name.map(str::to_owned),
        })
    }

    /// sAM account name with the directory's NetBIOS domain, primary SMTP address as email.
    fn sam_netbios_account() -> Account {
        account(
            UsernameSource::SamAccountName,
            domain(
                DomainSource::Directory,
                Some(DomainAttribute::NetBiosDomainName),
                None,
            ),
            EmailAddressSource::PrimarySmtpAddress,
        )
    }

    fn username(acc: &Account) -> String {
        resolve_identity(acc, &attrs()).unwrap().username
    }

    #[test]
    fn every_username_source_and_domain_option() {
        use DomainAttribute::*;
        use EmailAddressSource as E;
        use UsernameSource::*;
        let cases = [
            (
                account(UserPrincipalName, None, E::UserPrincipalName),
                "user1@contoso.com",
            ),
            (
                account(PrimarySmtpAddress, None, E::UserPrincipalName),
                "first.last@contoso.com",
            ),
            (
                account(
                    SamAccountName,
                    domain(DomainSource::Directory, Some(FullDomainName), None),
                    E::UserPrincipalName,
                ),
                "contoso.com\\user1",
            ),
            (
                account(
                    SamAccountName,
                    domain(DomainSource::Directory, Some(NetBiosDomainName), None),
                    E::UserPrincipalName,
                ),
                "CONTOSO\\user1",
            ),
            (
                account(
                    SamAccountName,
                    domain(DomainSource::Custom, None, Some("contoso")),
                    E::UserPrincipalName,
                ),
                "contoso\\user1",
            ),
            (
                account(
                    SamAccountName,
                    domain(DomainSource::Custom, None, Some("corp.contoso.com")),
                    E::UserPrincipalName,
                ),
                "corp.contoso.com\\user1",
            ),
        ];
        for (acc, expected) in cases {
            assert_eq!(username(&acc), expected, "{:?}", acc.username);
        }
    }

    #[test]
    fn sam_identity_keeps_account_and_domain_apart() {
        let acc = sam_netbios_account();
        let id = resolve_identity(&acc, &attrs()).unwrap();
        assert_eq!(id.account.as_deref(), Some("user1"));
        assert_eq!(id.domain.as_deref(), Some("CONTOSO"));
        assert_eq!(id.email_address, "first.last@contoso.com");
    }

    #[test]
    fn email_address_sources() {
        let upn = account(
            UsernameSource::UserPrincipalName,
            None,
            EmailAddressSource::UserPrincipalName,
        );
        let smtp = account(
            UsernameSource::UserPrincipalName,
            None,
            EmailAddressSource::PrimarySmtpAddress,
        );
        assert_eq!(
            resolve_identity(&upn, &attrs()).unwrap().email_address,
            "user1@contoso.com"
        );
        assert_eq!(
            resolve_identity(&smtp, &attrs()).unwrap().email_address,
            "first.last@contoso.com"
        );
    }

    #[test]
    fn missing_attributes_are_named_all_at_once() {
        let acc = sam_netbios_account();
        let bare = DirectoryAttributes {
            user_id: "ghost".into(),
            user_principal_name: Some("ghost@contoso.com".into()),
            primary_smtp_address: Some("  ".into()),
            ..Default::default()
        };
        let err = resolve_identity(&acc, &bare).unwrap_err();
        assert_eq!(
            err.missing,
            vec![
                Attribute::SamAccountName,
                Attribute::NetbiosName,
                Attribute::PrimarySmtpAddress
            ]
        );
        let msg = err.to_string();
        assert!(
            msg.contains("user `ghost`")
                && msg.contains("sAMAccountName, netbiosName, primarySmtpAddress"),
            "{msg}"
        );
        // A custom domain needs no domain attribute from the directory.
        let custom = account(
            UsernameSource::SamAccountName,
            domain(DomainSource::Custom, None, Some("contoso")),
            EmailAddressSource::UserPrincipalName,
        );
        assert_eq!(
            required_attributes(&custom),
            vec![Attribute::UserPrincipalName, Attribute::SamAccountName]
        );
    }
}
