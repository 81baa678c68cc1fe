//! The Exchange ActiveSync account: server, user name and email address sources,
//! authentication, SSL and OAuth.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::secret::SecretRef;

/// # Exchange ActiveSync account
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// # Email server
    ///
    /// Host name of the Exchange ActiveSync server (Intune `hostName`), without a scheme: a DNS
    /// name, an IPv4 address or an IPv6 address in brackets, optionally with `:port`.
    #[schemars(
        length(min = 1, max = 253),
        regex(pattern = r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$"),
        example = &"outlook.office365.com"
    )]
    pub server: String,

    /// # Account name
    ///
    /// Display name of the account on the device (Intune `accountName`).
    #[schemars(length(min = 1, max = 256), example = &"Contoso mail")]
    pub account_name: String,

    /// # User name
    ///
    /// Which directory attribute becomes the account's user name, resolved per user.
    #[serde(default)]
    pub username: Username,

    /// # Email address attribute
    ///
    /// Which directory attribute becomes the account's email address, resolved per user
    /// (Intune `emailAddressSource`).
    #[serde(default)]
    pub email_address_source: EmailAddressSource,

    /// # Authentication
    ///
    /// How the device authenticates to the Exchange server.
    #[serde(default)]
    pub authentication: Authentication,

    /// # SSL
    ///
    /// Use SSL for sending, receiving and talking to the Exchange server (Intune `requireSsl`).
    #[serde(default = "yes")]
    pub ssl: bool,

    /// # OAuth
    ///
    /// Modern authentication (with MFA) instead of basic authentication.
    #[serde(default)]
    pub oauth: OAuth,
}

pub(crate) fn yes() -> bool {
    true
}

/// # User name
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Username {
    /// # Username attribute from the directory
    ///
    /// Intune `usernameAADSource`.
    #[serde(default)]
    pub source: UsernameSource,

    /// # User domain name
    ///
    /// Where the domain in `domain\user` comes from, or `none` for the sAM account name
    /// alone. Only with the sAM account name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<UserDomain>,
}

/// # Username attribute
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum UsernameSource {
    /// # User principal name
    ///
    /// `user1` or `user1@contoso.com`, as the directory holds it.
    #[default]
    UserPrincipalName,
    /// # Primary SMTP address
    ///
    /// `user1@contoso.com`.
    PrimarySmtpAddress,
    /// # sAM account name
    ///
    /// `domain\user1`, or `user1` alone with the domain source `none`; needs a domain source.
    SamAccountName,
}

/// # User domain name
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserDomain {
    /// # User domain name source
    ///
    /// The directory's own domain for each user, one custom domain for everybody, or none (the
    /// sAM account name alone, as Intune's Android profiles can send it).
    #[serde(default)]
    pub source: DomainSource,

    /// # Directory domain attribute
    ///
    /// Which form of the user's domain the directory supplies (Intune `userDomainNameSource`).
    /// Only when the source is the directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<DomainAttribute>,

    /// # Custom domain name
    ///
    /// The domain to use for every user, e.g. `contoso.com` or `contoso` (Intune
    /// `customDomainName`). Only when the source is custom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 253),
        regex(pattern = r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"),
        example = &"contoso.com"
    )]
    pub name: Option<String>,
}

/// # User domain name source
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum DomainSource {
    /// # Directory
    ///
    /// The user's domain as the directory (Entra ID / Active Directory) holds it.
    #[default]
    Directory,
    /// # Custom
    ///
    /// One fixed domain name for every user.
    Custom,
    /// # None
    ///
    /// No domain: the user name is the sAM account name alone (`user1`).
    None,
}

/// # Directory domain attribute
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum DomainAttribute {
    /// # Full domain name
    ///
    /// e.g. `contoso.com`.
    #[default]
    FullDomainName,
    /// # NetBIOS name
    ///
    /// e.g. `contoso`.
    NetBiosDomainName,
}

/// # Email address attribute
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum EmailAddressSource {
    /// # User principal name
    #[default]
    UserPrincipalName,
    /// # Primary SMTP address
    PrimarySmtpAddress,
}

/// # Authentication
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Authentication {
    /// # Authentication method
    ///
    /// Intune `authenticationMethod`.
    #[serde(default)]
    pub method: AuthenticationMethod,

    /// # Identity certificate
    ///
    /// Name of the entry in `certificates` used to authenticate. Only with the certificate
    /// method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub identity_certificate: Option<String>,

    /// # Password
    ///
    /// Where to read the account password from, for the rare profile that carries it. It is
    /// only written to an artifact when explicitly asked for (`--include-password`); otherwise
    /// the device asks the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretRef>,
}

/// # Authentication method
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AuthenticationMethod {
    /// # Username and password
    ///
    /// The user enters the password on the device. Azure MFA is not supported for basic
    /// authentication.
    #[default]
    UsernameAndPassword,
    /// # Certificate
    ///
    /// An identity certificate (PKCS#12 or SCEP) delivered with or before the profile. Most
    /// secure and smoothest.
    Certificate,
    /// # Derived credential
    ///
    /// A certificate derived from the user's smart card, delivered outside this profile.
    DerivedCredential,
}

/// # OAuth
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuth {
    /// # OAuth
    ///
    /// Use OAuth (Intune `useOAuth`). The mail system must support it (Exchange Online does;
    /// on-premises Exchange only with hybrid modern authentication). Turning it on or off makes
    /// devices receive a new profile and asks users for their credentials again.
    #[serde(default)]
    pub enabled: bool,

    /// # OAuth sign-in URL
    ///
    /// Sign-in URL; when set, auto-discovery is not used. Only with OAuth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(max = 2048),
        regex(pattern = r"^https://[^\s/?#]+([/?#][^\s]*)?$"),
        example = &"https://login.microsoftonline.com/common/oauth2/authorize"
    )]
    pub sign_in_url: Option<String>,

    /// # OAuth token request URL
    ///
    /// URL used to request tokens. Only with OAuth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(max = 2048),
        regex(pattern = r"^https://[^\s/?#]+([/?#][^\s]*)?$"),
        example = &"https://login.microsoftonline.com/common/oauth2/token"
    )]
    pub token_request_url: Option<String>,
}
