//! Per-user values: from a user's directory attributes to the account's user name and email
//! address, exactly as the profile's sources say.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Account, DomainAttribute, DomainSource, EmailAddressSource, UsernameSource};

/// # Directory attributes
///
/// What a resolver knows about one user. Any attribute may be missing; the profile decides
/// which ones it needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryAttributes {
    /// # User id
    ///
    /// The id the user was looked up by.
    pub user_id: String,
    /// # User principal name
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    /// # Primary SMTP address
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_smtp_address: Option<String>,
    /// # sAM account name
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sam_account_name: Option<String>,
    /// # Domain FQDN
    ///
    /// e.g. `contoso.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_fqdn: Option<String>,
    /// # NetBIOS name
    ///
    /// e.g. `CONTOSO`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netbios_name: Option<String>,
}

/// One directory attribute, as named in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attribute {
    UserPrincipalName,
    PrimarySmtpAddress,
    SamAccountName,
    DomainFqdn,
    NetbiosName,
}

impl Attribute {
    pub fn name(self) -> &'static str {
        match self {
            Attribute::UserPrincipalName => "userPrincipalName",
            Attribute::PrimarySmtpAddress => "primarySmtpAddress",
            Attribute::SamAccountName => "sAMAccountName",
            Attribute::DomainFqdn => "domainFqdn",
            Attribute::NetbiosName => "netbiosName",
        }
    }
}

impl std::fmt::Display for Attribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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
/// NetBIOS form, as given there) or the profile's custom domain.
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
                DomainSource::Custom => d.name.clone().unwrap_or_default(),
                DomainSource::Directory => match d.attribute.unwrap_or_default() {
                    DomainAttribute::FullDomainName => {
                        need(Attribute::DomainFqdn, &attrs.domain_fqdn, "the user domain")
                    }
                    DomainAttribute::NetBiosDomainName => need(
                        Attribute::NetbiosName,
                        &attrs.netbios_name,
                        "the user domain",
                    ),
                },
            };
            (format!("{domain}\\{sam}"), Some(sam), Some(domain))
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
    })
}

/// Why a resolver could not give a user's attributes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The directory has no such user.
    #[error("user `{0}` was not found in the directory")]
    NotFound(String),
    /// The id matches more than one directory entry.
    #[error("user id `{user_id}` matches {count} directory entries; it must match exactly one")]
    Ambiguous { user_id: String, count: usize },
    /// The resolver itself failed (connection, plugin crash, timeout, bad response ...).
    #[error("{0}")]
    Failed(String),
}

/// A source of per-user directory attributes: the built-in directory file, an in-process
/// plugin, an out-of-process plugin, or MDM placeholders.
pub trait AttributeResolver: Send + Sync {
    /// A short description for logs, e.g. `directory file examples/directory.csv`.
    fn describe(&self) -> String;

    fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError>;

    /// Resolve several users; resolvers that can batch (one LDAP query, one plugin call)
    /// override this.
    fn resolve_batch(&self, user_ids: &[String]) -> Vec<Result<DirectoryAttributes, ResolveError>> {
        user_ids.iter().map(|id| self.resolve(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let acc = account(
            UsernameSource::SamAccountName,
            domain(
                DomainSource::Directory,
                Some(DomainAttribute::NetBiosDomainName),
                None,
            ),
            EmailAddressSource::PrimarySmtpAddress,
        );
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
        let acc = account(
            UsernameSource::SamAccountName,
            domain(
                DomainSource::Directory,
                Some(DomainAttribute::NetBiosDomainName),
                None,
            ),
            EmailAddressSource::PrimarySmtpAddress,
        );
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
