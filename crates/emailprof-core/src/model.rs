//! The platform-neutral email profile: every setting of `mission/settings.md`.
//!
//! The serde names are the profile file's keys (camelCase); doc comments become the JSON
//! Schema's `title` (first line) and `description` (the rest), which form generators show.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::secret::SecretRef;

/// # Email profile
///
/// One Exchange ActiveSync email account, as an endpoint administrator pushes it to managed
/// devices, described once for every platform.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("x-emailprof-version" = 1))]
pub struct EmailProfile {
    /// # Schema
    ///
    /// Optional reference to this JSON Schema, for editors. Ignored by emailprof.
    #[serde(default, rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,

    /// # Display name
    ///
    /// Name of the profile as users and administrators see it, e.g. in Settings on the device.
    #[schemars(length(min = 1, max = 256), example = &"Contoso Exchange")]
    pub display_name: String,

    /// # Identifier
    ///
    /// Reverse-DNS identifier of the profile, e.g. `com.contoso.email`. It decides whether an
    /// installed profile is replaced or a second one is added, so keep it stable.
    #[schemars(
        length(min = 3, max = 255),
        regex(pattern = r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"),
        example = &"com.contoso.email"
    )]
    pub identifier: String,

    /// # Organization
    ///
    /// Organization shown with the profile on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 256), example = &"Contoso Ltd")]
    pub organization: Option<String>,

    /// # Description
    ///
    /// What the profile does, shown on the device's profile detail screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 4096))]
    pub description: Option<String>,

    /// # Exchange ActiveSync account
    ///
    /// Server, user name and email address sources, authentication, SSL and OAuth.
    pub account: Account,

    /// # Exchange data to sync
    ///
    /// Which Exchange services the device syncs, whether users may change that, and how much
    /// email history is kept on the device.
    #[serde(default)]
    pub sync: Sync,

    /// # S/MIME
    ///
    /// Signing and encryption of email in the native mail app.
    #[serde(default)]
    pub smime: Smime,

    /// # Email behaviour
    ///
    /// Moving messages, third-party apps and recent addresses.
    #[serde(default)]
    pub mail: Mail,

    /// # Certificates
    ///
    /// Named identities and CA certificates the profile refers to (authentication, S/MIME).
    /// The key is the name used in `identityCertificate`, `smime.signing.certificate` and
    /// `smime.encryption.certificate`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" }))]
    pub certificates: BTreeMap<String, Certificate>,

    /// # Platform-specific settings
    ///
    /// Settings that only one platform has.
    #[serde(default)]
    pub platforms: Platforms,
}

/// # Exchange ActiveSync account
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// # Email server
    ///
    /// Host name of the Exchange ActiveSync server (Intune `hostName`), without a scheme.
    #[schemars(
        length(min = 1, max = 253),
        regex(pattern = r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$"),
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
    /// Where the domain in `domain\user` comes from. Only with the sAM account name.
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
    /// `domain\user1`; needs a domain source.
    SamAccountName,
}

/// # User domain name
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserDomain {
    /// # User domain name source
    ///
    /// The directory's own domain for each user, or one custom domain for everybody.
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
        regex(pattern = r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$"),
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
        regex(pattern = r"^https://[^\s]+$"),
        example = &"https://login.microsoftonline.com/common/oauth2/authorize"
    )]
    pub sign_in_url: Option<String>,

    /// # OAuth token request URL
    ///
    /// URL used to request tokens. Only with OAuth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(max = 2048),
        regex(pattern = r"^https://[^\s]+$"),
        example = &"https://login.microsoftonline.com/common/oauth2/token"
    )]
    pub token_request_url: Option<String>,
}

/// # Exchange data to sync
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sync {
    /// # Services to sync
    ///
    /// Exchange services the device syncs (Intune `easServices`). All data by default; at
    /// least one. Intune's presets: all five (All data), `email` (Email only), `calendars`
    /// (Calendar only), `calendars`+`contacts`, `contacts` (Contacts only).
    #[serde(default = "Service::all")]
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub services: Vec<Service>,

    /// # Allow users to change sync settings
    ///
    /// Applies to all services at once (Intune `easServicesUserOverrideEnabled`). When only
    /// some services sync, No is recommended.
    #[serde(default = "yes")]
    pub user_can_change: bool,

    /// # Number of days of email to sync
    ///
    /// Intune `durationOfEmailToSync`. Not configured leaves the device's default.
    #[serde(default)]
    pub email_sync_duration: EmailSyncDuration,
}

impl Default for Sync {
    fn default() -> Self {
        Self {
            services: Service::all(),
            user_can_change: true,
            email_sync_duration: EmailSyncDuration::default(),
        }
    }
}

/// # Service
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum Service {
    /// # Email
    Email,
    /// # Calendar
    Calendars,
    /// # Contacts
    Contacts,
    /// # Reminders
    ///
    /// Exchange tasks (Reminders on iOS, Tasks on Windows).
    Reminders,
    /// # Notes
    Notes,
}

impl Service {
    /// Every service, in the order Intune lists them.
    pub const ALL: [Service; 5] = [
        Service::Email,
        Service::Calendars,
        Service::Contacts,
        Service::Reminders,
        Service::Notes,
    ];

    pub fn all() -> Vec<Service> {
        Self::ALL.to_vec()
    }

    /// The Graph `easServices` flag name.
    pub fn graph_name(self) -> &'static str {
        match self {
            Service::Email => "email",
            Service::Calendars => "calendars",
            Service::Contacts => "contacts",
            Service::Reminders => "reminders",
            Service::Notes => "notes",
        }
    }
}

/// # Number of days of email to sync
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum EmailSyncDuration {
    /// # Not configured
    ///
    /// The device's own default.
    #[default]
    NotConfigured,
    /// # One day
    OneDay,
    /// # Three days
    ThreeDays,
    /// # One week
    OneWeek,
    /// # Two weeks
    TwoWeeks,
    /// # One month
    OneMonth,
    /// # Unlimited
    Unlimited,
}

impl EmailSyncDuration {
    /// Days of past email, `Some(0)` for unlimited, `None` when not configured.
    pub fn days(self) -> Option<u32> {
        match self {
            EmailSyncDuration::NotConfigured => None,
            EmailSyncDuration::OneDay => Some(1),
            EmailSyncDuration::ThreeDays => Some(3),
            EmailSyncDuration::OneWeek => Some(7),
            EmailSyncDuration::TwoWeeks => Some(14),
            EmailSyncDuration::OneMonth => Some(31),
            EmailSyncDuration::Unlimited => Some(0),
        }
    }
}

/// # S/MIME
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Smime {
    /// # S/MIME
    ///
    /// Sign and/or encrypt email in the native mail app (Intune `requireSmime`). The signing and
    /// encryption settings apply only when this is on.
    #[serde(default)]
    pub enabled: bool,

    /// # S/MIME signing
    ///
    /// Signing of sent mail. Only with S/MIME on.
    #[serde(default)]
    pub signing: SmimeSigning,

    /// # S/MIME encryption
    ///
    /// Encryption of sent mail. Only with S/MIME on.
    #[serde(default)]
    pub encryption: SmimeEncryption,
}

/// # S/MIME signing
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmimeSigning {
    /// # S/MIME signing enabled
    ///
    /// Intune `smimeSigningEnabled`.
    #[serde(default)]
    pub enabled: bool,

    /// # Allow user to change signing
    ///
    /// Intune `smimeSigningUserOverrideEnabled`.
    #[serde(default)]
    pub user_can_change: bool,

    /// # Signing certificate type
    ///
    /// Intune `signingCertificateType` (iOS/iPadOS 12+).
    #[serde(default)]
    pub certificate_type: CertificateType,

    /// # Signing certificate
    ///
    /// Name of the entry in `certificates`. Only with the certificate type Certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub certificate: Option<String>,

    /// # Allow user to change the signing certificate
    ///
    /// Intune `smimeSigningCertificateUserOverrideEnabled` (iOS/iPadOS 12+).
    #[serde(default)]
    pub certificate_user_can_change: bool,
}

/// # S/MIME encryption
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmimeEncryption {
    /// # Encrypt by default
    ///
    /// Intune `smimeEncryptByDefaultEnabled`.
    #[serde(default)]
    pub encrypt_by_default: bool,

    /// # Allow user to change encrypt by default
    ///
    /// Intune `smimeEncryptByDefaultUserOverrideEnabled` (iOS/iPadOS 12+).
    #[serde(default)]
    pub encrypt_by_default_user_can_change: bool,

    /// # Force per-message encryption
    ///
    /// Shows a per-message encryption switch when composing; with encrypt by default on it lets
    /// users opt out per message, otherwise opt in (Intune `smimeEnablePerMessageSwitch`).
    #[serde(default)]
    pub per_message_switch: bool,

    /// # Encryption certificate type
    ///
    /// Intune `encryptionCertificateType`.
    #[serde(default)]
    pub certificate_type: CertificateType,

    /// # Encryption certificate
    ///
    /// Name of the entry in `certificates`. Only with the certificate type Certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub certificate: Option<String>,

    /// # Allow user to change the encryption certificate
    ///
    /// Intune `smimeEncryptionCertificateUserOverrideEnabled` (iOS/iPadOS 12+).
    #[serde(default)]
    pub certificate_user_can_change: bool,
}

/// # Certificate type
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CertificateType {
    /// # Not configured
    #[default]
    NotConfigured,
    /// # None
    ///
    /// The user picks a certificate on the device.
    None,
    /// # Derived credential
    ///
    /// A certificate derived from the user's smart card.
    DerivedCredential,
    /// # Certificates
    ///
    /// An identity from `certificates` (an existing PKCS or SCEP certificate profile).
    Certificate,
}

/// # Email behaviour
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mail {
    /// # Allow messages to be moved to other email accounts
    ///
    /// Intune `blockMovingMessagesToOtherEmailAccounts` (inverted).
    #[serde(default = "yes")]
    pub allow_move: bool,

    /// # Allow email to be sent from third-party apps
    ///
    /// Lets third-party apps open mail in the native app, e.g. to attach files. Intune
    /// `blockSendingEmailFromThirdPartyApps` (inverted).
    #[serde(default = "yes")]
    pub allow_third_party_send: bool,

    /// # Synchronize recently used email addresses
    ///
    /// Intune `blockSyncingRecentlyUsedEmailAddresses` (inverted).
    #[serde(default = "yes")]
    pub sync_recent_addresses: bool,
}

impl Default for Mail {
    fn default() -> Self {
        Self {
            allow_move: true,
            allow_third_party_send: true,
            sync_recent_addresses: true,
        }
    }
}

/// # Certificate
///
/// A named identity or CA certificate. Exactly the section matching `kind` is filled in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Certificate {
    /// # Kind
    ///
    /// What the entry is; decides which of `pkcs12`, `scep`, `ca` or `external` is filled in.
    pub kind: CertificateKind,

    /// # Display name
    ///
    /// Name of the certificate payload as shown on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 256))]
    pub display_name: Option<String>,

    /// # Microsoft Graph id
    ///
    /// Id of the matching Intune certificate profile (`deviceConfigurations('<id>')`), used when
    /// exporting to Intune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub graph_id: Option<String>,

    /// # PKCS#12 identity
    ///
    /// A `.p12`/`.pfx` file embedded in the profile. Only with the kind PKCS#12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs12: Option<Pkcs12>,

    /// # SCEP request
    ///
    /// The SCEP server the device requests its identity from. Only with the kind SCEP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scep: Option<Scep>,

    /// # CA certificate
    ///
    /// A CA certificate file. Only with the kind CA certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<CaCertificate>,

    /// # Certificate from another profile
    ///
    /// How to refer to a certificate another profile delivers. Only with the kind "delivered by
    /// another profile".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalCertificate>,
}

/// # Certificate kind
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CertificateKind {
    /// # PKCS#12 file
    ///
    /// An identity (certificate and private key) embedded in the profile.
    Pkcs12,
    /// # SCEP request
    ///
    /// The device requests its identity from a SCEP server.
    Scep,
    /// # CA certificate
    ///
    /// A PEM or DER CA certificate the device should trust.
    Ca,
    /// # Delivered by another profile
    ///
    /// A certificate profile already deployed (e.g. an Intune PKCS or SCEP profile).
    External,
    /// # Derived credential
    ///
    /// A credential derived from the user's smart card, provisioned outside any profile.
    DerivedCredential,
}

impl CertificateKind {
    /// The section key that belongs to this kind, if it has one.
    pub fn section(self) -> Option<&'static str> {
        match self {
            CertificateKind::Pkcs12 => Some("pkcs12"),
            CertificateKind::Scep => Some("scep"),
            CertificateKind::Ca => Some("ca"),
            CertificateKind::External => Some("external"),
            CertificateKind::DerivedCredential => None,
        }
    }

    /// Whether the kind provides an identity (private key), as authentication and S/MIME need.
    pub fn is_identity(self) -> bool {
        !matches!(self, CertificateKind::Ca)
    }
}

/// # PKCS#12 identity
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pkcs12 {
    /// # File
    ///
    /// Path of the `.p12`/`.pfx` file, relative to the profile file.
    #[schemars(length(min = 1, max = 4096), example = &"certs/user1.p12")]
    pub file: String,

    /// # Passphrase
    ///
    /// Where the PKCS#12 passphrase comes from: an environment variable or a file. Inline
    /// values are refused unless explicitly allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase: Option<SecretRef>,
}

/// # SCEP request
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scep {
    /// # Server URL
    ///
    /// URL of the SCEP server.
    #[schemars(
        length(min = 1, max = 2048),
        regex(pattern = r"^https?://[^\s]+$"),
        example = &"https://scep.contoso.com/certsrv/mscep/mscep.dll"
    )]
    pub url: String,

    /// # CA name
    ///
    /// Name of the CA, as the SCEP server understands it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 256))]
    pub name: Option<String>,

    /// # Subject
    ///
    /// X.500 subject as `CN=...,O=...`. `{{username}}` and `{{emailAddress}}` are filled in per
    /// user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 1024), example = &"CN={{username}},O=Contoso")]
    pub subject: Option<String>,

    /// # Subject alternative name: email
    ///
    /// Put the user's email address in the certificate's RFC 822 name.
    #[serde(default)]
    pub subject_alt_name_email: bool,

    /// # Challenge
    ///
    /// Pre-shared secret for the SCEP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<SecretRef>,

    /// # Key size
    ///
    /// Size of the RSA key the device generates, in bits.
    #[serde(default)]
    pub key_size: KeySize,

    /// # Key usage
    ///
    /// What the requested key may be used for.
    #[serde(default)]
    pub key_usage: KeyUsage,

    /// # CA fingerprint
    ///
    /// Hex SHA-256 (or SHA-1) fingerprint of the CA certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$"))]
    pub ca_fingerprint: Option<String>,
}

/// # Key size
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum KeySize {
    /// # 1024 bits
    #[serde(rename = "1024")]
    Bits1024,
    /// # 2048 bits
    #[default]
    #[serde(rename = "2048")]
    Bits2048,
    /// # 4096 bits
    #[serde(rename = "4096")]
    Bits4096,
}

impl KeySize {
    pub fn bits(self) -> u32 {
        match self {
            KeySize::Bits1024 => 1024,
            KeySize::Bits2048 => 2048,
            KeySize::Bits4096 => 4096,
        }
    }
}

/// # Key usage
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum KeyUsage {
    /// # Signing and encryption
    #[default]
    SigningAndEncryption,
    /// # Signing
    Signing,
    /// # Encryption
    Encryption,
}

/// # CA certificate
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaCertificate {
    /// # File
    ///
    /// Path of a PEM or DER certificate, relative to the profile file.
    #[schemars(length(min = 1, max = 4096), example = &"certs/contoso-root.pem")]
    pub file: String,
}

/// # Certificate from another profile
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalCertificate {
    /// # Payload UUID
    ///
    /// `PayloadUUID` of the certificate payload in the profile that delivers it (iOS), so this
    /// profile can refer to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    ))]
    pub payload_uuid: Option<String>,

    /// # Keystore alias
    ///
    /// Alias of the key in the Android work-profile keystore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 256))]
    pub android_alias: Option<String>,

    /// # Note
    ///
    /// Which profile delivers the certificate, for administrators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub note: Option<String>,
}

/// # Platform-specific settings
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Platforms {
    /// # iOS/iPadOS
    ///
    /// Settings only iOS/iPadOS has.
    #[serde(default)]
    pub ios: IosSettings,
    /// # Windows 10/11
    ///
    /// Settings only Windows has.
    #[serde(default)]
    pub windows: WindowsSettings,
    /// # Android
    ///
    /// Settings only Android has.
    #[serde(default)]
    pub android: AndroidSettings,
}

/// # iOS/iPadOS
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IosSettings {
    /// # Minimum iOS/iPadOS version
    ///
    /// Oldest OS version the profile targets; keys introduced later are left out with a
    /// warning. 13.0 if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{1,2}(\.[0-9]{1,2}){0,2}$"), example = &"15.0")]
    pub minimum_os_version: Option<String>,

    /// # VPN for per-account VPN
    ///
    /// `PayloadUUID` of a per-app VPN payload the account's traffic uses (iOS 14+; Intune
    /// `perAppVPNProfileId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    ))]
    pub per_account_vpn_uuid: Option<String>,

    /// # Allow Mail Drop
    ///
    /// Allow Mail Drop for large attachments (iOS 9.2+).
    #[serde(default)]
    pub allow_mail_drop: bool,
}

/// # Windows 10/11
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WindowsSettings {
    /// # Sync schedule
    ///
    /// How often the device syncs (Intune `emailSyncSchedule`).
    #[serde(default)]
    pub sync_schedule: SyncSchedule,
}

/// # Sync schedule
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SyncSchedule {
    /// # Not configured
    #[default]
    NotConfigured,
    /// # As messages arrive
    AsMessagesArrive,
    /// # Manual
    Manual,
    /// # Every 15 minutes
    FifteenMinutes,
    /// # Every 30 minutes
    ThirtyMinutes,
    /// # Every 60 minutes
    SixtyMinutes,
    /// # Based on my usage
    BasedOnMyUsage,
}

/// # Android
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AndroidSettings {
    /// # Email app
    ///
    /// The app that receives the managed configuration when the platform is plain `android`.
    #[serde(default)]
    pub app: AndroidApp,
}

/// # Email app
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AndroidApp {
    /// # Gmail
    #[default]
    Gmail,
    /// # Outlook
    Outlook,
    /// # Samsung Email
    Samsung,
    /// # Nine Work
    NineWork,
}
