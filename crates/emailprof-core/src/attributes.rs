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
                    DomainAttribute::NetBiosDomainName => {
                        need(Attribute::NetbiosName, &attrs.netbios_name, "the user domain")
                    }
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
