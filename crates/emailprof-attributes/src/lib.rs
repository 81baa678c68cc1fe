//! What a directory knows about one user, and the trait of everything that looks users up.
//!
//! Its own crate so that the resolver plugin contract (`resolver-abi`) and the core share these
//! types without the ABI depending on the whole profile model.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
    /// Every attribute, in order.
    pub const ALL: [Attribute; 5] = [
        Attribute::UserPrincipalName,
        Attribute::PrimarySmtpAddress,
        Attribute::SamAccountName,
        Attribute::DomainFqdn,
        Attribute::NetbiosName,
    ];

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
