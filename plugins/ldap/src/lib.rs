//! Attribute resolver for LDAP directories and Active Directory, as a plugin (cdylib, and the
//! `emailprof-resolver-ldap` executable for out-of-process use).
//!
//! Configuration (JSON, snake_case):
//!
//! ```json
//! {
//!   "url": "ldaps://dc01.contoso.com",          // ldap:// or ldaps://
//!   "starttls": false,                           // upgrade ldap:// with StartTLS
//!   "ca_file": "/etc/emailprof/contoso-ca.pem",  // trust only this CA (PEM); default: system roots
//!   "base_dn": "DC=contoso,DC=com",
//!   "filter_attribute": "sAMAccountName",        // the attribute user ids are matched against
//!   "user_filter": "(objectClass=user)",
//!   "attributes": { "user_principal_name": "userPrincipalName", "mail": "mail",
//!                   "proxy_addresses": "proxyAddresses", "sam_account_name": "sAMAccountName" },
//!   "netbios_name": null,                        // else from the crossRef (see below)
//!   "configuration_dn": null,                    // default CN=Configuration,<base_dn>
//!   "bind_dn": "CN=svc-emailprof,CN=Users,DC=contoso,DC=com",
//!   "bind_password_env": "EMAILPROF_LDAP_PASSWORD", // or "bind_password_file"; never inline
//!   "timeout_secs": 10, "retries": 2,
//!   "connections": 4,                            // parallel searches of a --users batch
//!   "users": {                                   // what `batch` without --users lists
//!     "base_dn": null,                           // default base_dn
//!     "filter": null,                            // default user_filter
//!     "member_of": "CN=Mobile,OU=Groups,DC=contoso,DC=com", // only (nested) members
//!     "page_size": 500, "skip_references": false
//!   }
//! }
//! ```
//!
//! A batch of user ids is resolved a chunk at a time: one search per chunk with an OR filter
//! of the escaped ids, chunks spread over `connections` connections ([`chunked`]). Listing is
//! one RFC 2696 paged search ([`listing`]); a listing the server cuts short (size limit,
//! lost connection, referral) fails instead of looking complete.
//!
//! `timeout_secs` bounds every operation (connect, bind, each search reply). A lost connection
//! is re-established with `retries` retries and backoff; if the server stays unreachable,
//! lookups fail at once for 2 s, then one attempt checks whether it is back, so a batch whose
//! server dies fails its remaining users quickly (`emailprof batch --resume` finishes later).
//!
//! Attributes follow AD: the primary SMTP address is the `proxyAddresses` value with the
//! upper-case `SMTP:` prefix, else `mail`; the domain FQDN is the entry DN's `DC=` components;
//! the NetBIOS name is the `nETBIOSName` of the `crossRef` under
//! `CN=Partitions,<configuration_dn>` whose `nCName` is the entry's domain DN.
//!
//! Safety rules: user ids are escaped per RFC 4515 (`ldap_escape`), so `*)(uid=*` matches
//! nothing; certificates are verified; the bind password is never sent in clear text unless
//! `allow_plaintext_bind` is set, never logged and never part of an error.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod chunked;
mod listing;

use emailprof_directory::dn;
use ldap3::{LdapConn, LdapConnSettings, Scope, SearchEntry, ldap_escape};
use resolver_sdk::{DirectoryAttributes, PluginInfo, ResolveError, Resolver};
use serde::Deserialize;
use zeroize::Zeroizing;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttributeNames {
    #[serde(default = "names::upn")]
    user_principal_name: String,
    #[serde(default = "names::mail")]
    mail: String,
    #[serde(default = "names::proxy")]
    proxy_addresses: String,
    #[serde(default = "names::sam")]
    sam_account_name: String,
}

impl Default for AttributeNames {
    fn default() -> Self {
        Self {
            user_principal_name: names::upn(),
            mail: names::mail(),
            proxy_addresses: names::proxy(),
            sam_account_name: names::sam(),
        }
    }
}

mod names {
    pub(crate) fn upn() -> String {
        "userPrincipalName".into()
    }
    pub(crate) fn mail() -> String {
        "mail".into()
    }
    pub(crate) fn proxy() -> String {
        "proxyAddresses".into()
    }
    pub(crate) fn sam() -> String {
        "sAMAccountName".into()
    }
    pub(crate) fn user_filter() -> String {
        "(objectClass=user)".into()
    }
    pub(crate) fn timeout() -> u64 {
        10
    }
    pub(crate) fn retries() -> u32 {
        2
    }
    pub(crate) fn yes() -> bool {
        true
    }
    pub(crate) fn connections() -> usize {
        4
    }
    pub(crate) fn page_size() -> u32 {
        500
    }
}

/// What `batch` without `--users` lists.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListConfig {
    /// Default: the resolver's `base_dn`.
    #[serde(default)]
    base_dn: Option<String>,
    /// An LDAP filter (configuration, not user input). Default: `user_filter`.
    #[serde(default)]
    filter: Option<String>,
    /// Only the members of this group, nested groups included.
    #[serde(default)]
    member_of: Option<String>,
    #[serde(default)]
    page_size: Option<u32>,
    /// Continue past search continuation references (subtrees on other servers, not
    /// listed) instead of failing.
    #[serde(default)]
    skip_references: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    url: String,
    #[serde(default)]
    starttls: bool,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    /// Off only for testing against a server with a throwaway certificate.
    #[serde(default = "names::yes")]
    tls_verify: bool,
    base_dn: String,
    #[serde(default = "names::sam")]
    filter_attribute: String,
    #[serde(default = "names::user_filter")]
    user_filter: String,
    #[serde(default)]
    attributes: AttributeNames,
    #[serde(default)]
    netbios_name: Option<String>,
    #[serde(default)]
    configuration_dn: Option<String>,
    #[serde(default)]
    bind_dn: Option<String>,
    #[serde(default)]
    bind_password_env: Option<String>,
    #[serde(default)]
    bind_password_file: Option<PathBuf>,
    #[serde(default)]
    allow_plaintext_bind: bool,
    #[serde(default = "names::timeout")]
    timeout_secs: u64,
    #[serde(default = "names::retries")]
    retries: u32,
    #[serde(default = "names::connections")]
    connections: usize,
    #[serde(default)]
    users: ListConfig,
}

/// A simple-bind identity. The password never leaves this struct except into the bind call.
struct Credentials {
    dn: String,
    password: Zeroizing<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, <redacted>)", self.dn)
    }
}

/// How long lookups fail at once after the server could not be reached with all retries,
/// before one new attempt: the cap of the retry backoff.
const OUTAGE_HOLD: Duration = Duration::from_secs(2);

/// The server could not be reached even after the retries. Until `until`, lookups fail at once
/// with `error`: otherwise every remaining user of a batch pays the whole retry backoff again
/// (0.3 s each with the default retries when the port refuses, over 30 s when connecting times
/// out), and a batch of thousands of users against a dead server takes hours.
struct Outage {
    until: Instant,
    error: String,
}

/// The LDAP resolver. Connections are pooled (a batch searches on several at once), reused
/// and re-established on failure; a listing holds the resolver and its own connection.
pub struct LdapResolver(Arc<Inner>);

impl std::fmt::Debug for LdapResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The resolver's configuration, connections and caches, shared with its listings.
pub(crate) struct Inner {
    config: Config,
    credentials: Option<Credentials>,
    tls: Option<Arc<rustls::ClientConfig>>,
    pool: Mutex<Vec<LdapConn>>,
    outage: Mutex<Option<Outage>>,
    netbios_cache: Mutex<HashMap<String, Option<String>>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LdapResolver")
            .field("url", &self.config.url)
            .field("base_dn", &self.config.base_dn)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

fn read_password(config: &Config) -> Result<Option<Zeroizing<String>>, String> {
    match (&config.bind_password_env, &config.bind_password_file) {
        (Some(_), Some(_)) => Err("give bind_password_env or bind_password_file, not both".into()),
        (Some(var), None) => std::env::var(var)
            .map(|p| Some(Zeroizing::new(p)))
            .map_err(|_| {
                format!(
                    "the environment variable {var} (bind_password_env) is not set or not UTF-8"
                )
            }),
        (None, Some(path)) => {
            let text = Zeroizing::new(
                std::fs::read_to_string(path)
                    .map_err(|e| format!("bind_password_file {}: {e}", path.display()))?,
            );
            let trimmed = text.strip_suffix('\n').unwrap_or(&text);
            let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
            Ok(Some(Zeroizing::new(trimmed.to_owned())))
        }
        (None, None) => Ok(None),
    }
}

fn tls_config(ca_file: &std::path::Path) -> Result<Arc<rustls::ClientConfig>, String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let pem = std::fs::read(ca_file).map_err(|e| format!("ca_file {}: {e}", ca_file.display()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("ca_file {}: {e}", ca_file.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("ca_file {}: {e}", ca_file.display()))?;
    }
    if roots.is_empty() {
        return Err(format!(
            "ca_file {}: no PEM certificate in it",
            ca_file.display()
        ));
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The first value of `name` (case-insensitive attribute name).
fn first<'a>(entry: &'a SearchEntry, name: &str) -> Option<&'a str> {
    values(entry, name).first().map(String::as_str)
}

fn values<'a>(entry: &'a SearchEntry, name: &str) -> &'a [String] {
    entry
        .attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map_or(&[], |(_, v)| v.as_slice())
}

fn present(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Whether a failure is worth reconnecting for.
fn is_connection_error(e: &ldap3::LdapError) -> bool {
    use ldap3::LdapError::*;
    matches!(
        e,
        Io { .. }
            | EndOfStream
            | Timeout { .. }
            | OpSend { .. }
            | ResultRecv { .. }
            | IdScrubSend { .. }
    )
}

impl Inner {
    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.timeout_secs.max(1))
    }

    /// Connect and bind, retrying connection failures with backoff (100 ms, 200 ms ...,
    /// at most 2 s, `retries` times). When that fails, lookups fail at once for
    /// [`OUTAGE_HOLD`]; then a single attempt decides whether the server is back.
    fn connect(&self) -> Result<LdapConn, String> {
        let mut outage = self.outage.lock().unwrap_or_else(|e| e.into_inner());
        let retries = match outage.as_ref() {
            Some(o) => {
                let now = Instant::now();
                if now < o.until {
                    return Err(format!(
                        "{}; not retrying for another {} ms",
                        o.error,
                        (o.until - now).as_millis()
                    ));
                }
                0
            }
            None => self.config.retries,
        };
        let result = self.connect_with_retries(retries);
        match &result {
            Err((e, true)) => {
                tracing::debug!(url = %self.config.url, "LDAP server unreachable; failing lookups for {OUTAGE_HOLD:?}: {e}");
                *outage = Some(Outage {
                    until: Instant::now() + OUTAGE_HOLD,
                    error: e.clone(),
                });
            }
            // The server answered (even if with a refusal): it is reachable.
            Ok(_) | Err((_, false)) => *outage = None,
        }
        result.map_err(|(e, _)| e)
    }

    /// [`Self::connect_once`], retrying connection failures `retries` times with backoff.
    /// The error says whether it was a connection failure.
    fn connect_with_retries(&self, retries: u32) -> Result<LdapConn, (String, bool)> {
        let mut attempt = 0;
        loop {
            match self.connect_once() {
                Ok(conn) => return Ok(conn),
                Err((e, retry)) if retry && attempt < retries => {
                    let delay =
                        Duration::from_millis(100u64 << attempt.min(4)).min(Duration::from_secs(2));
                    tracing::debug!(url = %self.config.url, attempt, "LDAP connection failed, retrying: {e}");
                    std::thread::sleep(delay);
                    attempt += 1;
                }
                Err((e, retry)) => {
                    let e = if attempt > 0 {
                        format!("{e} (after {} attempts)", attempt + 1)
                    } else {
                        e
                    };
                    return Err((e, retry));
                }
            }
        }
    }

    fn connect_once(&self) -> Result<LdapConn, (String, bool)> {
        let url = &self.config.url;
        let mut settings = LdapConnSettings::new()
            .set_conn_timeout(self.timeout())
            .set_starttls(self.config.starttls)
            .set_no_tls_verify(!self.config.tls_verify);
        if let Some(tls) = &self.tls {
            settings = settings.set_config(tls.clone());
        }
        let mut conn = LdapConn::with_settings(settings, url).map_err(|e| {
            let retry = is_connection_error(&e);
            (format!("cannot connect to {url}: {e}"), retry)
        })?;
        conn.with_timeout(self.timeout());
        if let Some(c) = &self.credentials {
            let result = conn.simple_bind(&c.dn, &c.password).map_err(|e| {
                (
                    format!("bind to {url} as {} failed: {e}", c.dn),
                    is_connection_error(&e),
                )
            })?;
            if result.rc != 0 {
                // rc 49 is invalidCredentials; the text is the server's, not our password.
                return Err((
                    format!(
                        "bind to {url} as {} failed: {} (LDAP result {})",
                        c.dn, result.text, result.rc
                    ),
                    false,
                ));
            }
        }
        Ok(conn)
    }

    /// Run `f` on a pooled connection (connecting if the pool is empty), once more on a new
    /// connection if it turned out to be broken. A working connection goes back to the pool.
    fn with_conn<R>(
        &self,
        mut f: impl FnMut(&mut LdapConn) -> Result<R, ldap3::LdapError>,
    ) -> Result<R, String> {
        let pooled = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut slot = pooled;
        let give_back = |conn: LdapConn| {
            self.pool
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
        };
        for round in 0..2 {
            if slot.is_none() {
                slot = Some(self.connect()?);
            }
            let Some(conn) = slot.as_mut() else { continue };
            // ldap3's timeout covers only the next operation: set it for every one, or a server
            // that stops answering (frozen, or a dropped network path) hangs the search forever.
            conn.with_timeout(self.timeout());
            match f(conn) {
                Ok(r) => {
                    if let Some(conn) = slot.take() {
                        give_back(conn);
                    }
                    return Ok(r);
                }
                Err(e) if round == 0 && is_connection_error(&e) => {
                    tracing::debug!(url = %self.config.url, "LDAP connection lost, reconnecting: {e}");
                    slot = None;
                }
                Err(e) => {
                    if !is_connection_error(&e)
                        && let Some(conn) = slot.take()
                    {
                        give_back(conn);
                    }
                    return Err(format!("LDAP search on {} failed: {e}", self.config.url));
                }
            }
        }
        Err(format!(
            "LDAP server {} keeps dropping the connection",
            self.config.url
        ))
    }

    fn attribute_list(&self) -> Vec<String> {
        let a = &self.config.attributes;
        vec![
            a.user_principal_name.clone(),
            a.mail.clone(),
            a.proxy_addresses.clone(),
            a.sam_account_name.clone(),
        ]
    }

    /// The NetBIOS name of the domain whose DN is `domain_dn`, from its crossRef.
    fn netbios_for(&self, domain_dn: &str) -> Result<Option<String>, String> {
        if let Some(name) = &self.config.netbios_name {
            return Ok(Some(name.clone()));
        }
        let key = dn::parse(domain_dn)
            .map(|d| dn::key(&d))
            .unwrap_or_else(|_| domain_dn.to_lowercase());
        if let Some(hit) = self
            .netbios_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(hit.clone());
        }
        let configuration = self
            .config
            .configuration_dn
            .clone()
            .unwrap_or_else(|| format!("CN=Configuration,{}", self.config.base_dn));
        let base = format!("CN=Partitions,{configuration}");
        let filter = format!(
            "(&(objectClass=crossRef)(nCName={}))",
            ldap_escape(domain_dn)
        );
        let found = self.with_conn(|conn| {
            let result = conn.search(&base, Scope::Subtree, &filter, vec!["nETBIOSName"])?;
            // noSuchObject (32): no configuration partition here; not an error for us.
            if result.1.rc == 32 {
                return Ok(Vec::new());
            }
            let (entries, _) = result.success()?;
            Ok(entries
                .into_iter()
                .filter(|e| !e.is_ref())
                .map(SearchEntry::construct)
                .collect::<Vec<_>>())
        })?;
        let name = found.iter().find_map(|e| present(first(e, "nETBIOSName")));
        self.netbios_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, name.clone());
        Ok(name)
    }

    fn attributes_of(
        &self,
        user_id: &str,
        entry: &SearchEntry,
    ) -> Result<DirectoryAttributes, ResolveError> {
        let a = &self.config.attributes;
        let proxies: Vec<String> = values(entry, &a.proxy_addresses).to_vec();
        let primary = emailprof_directory::primary_smtp(&proxies)
            .map_err(|m| ResolveError::Failed(format!("user `{user_id}` ({}): {m}", entry.dn)))?
            .or_else(|| present(first(entry, &a.mail)));
        let parsed = dn::parse(&entry.dn).ok();
        let domain_fqdn = parsed.as_ref().and_then(dn::dns_domain);
        let netbios_name = match parsed.as_ref().and_then(dn::domain_dn) {
            Some(domain_dn) => self.netbios_for(&domain_dn).map_err(ResolveError::Failed)?,
            None => self.config.netbios_name.clone(),
        };
        Ok(DirectoryAttributes {
            user_id: user_id.to_owned(),
            user_principal_name: present(first(entry, &a.user_principal_name)),
            primary_smtp_address: primary,
            sam_account_name: present(first(entry, &a.sam_account_name)),
            domain_fqdn,
            netbios_name,
        })
    }
}

impl Resolver for LdapResolver {
    fn init(value: serde_json::Value) -> Result<Self, String> {
        if value.get("bind_password").is_some() || value.get("password").is_some() {
            return Err(
                "inline passwords are not accepted; give bind_password_env (an environment variable name) or bind_password_file"
                    .to_owned(),
            );
        }
        let config: Config = serde_json::from_value(value)
            .map_err(|e| format!("LDAP resolver configuration: {e}"))?;
        let lower = config.url.to_ascii_lowercase();
        let tls = if lower.starts_with("ldaps://") {
            if config.starttls {
                return Err(
                    "starttls is for ldap:// URLs; ldaps:// is TLS from the start".to_owned(),
                );
            }
            true
        } else if lower.starts_with("ldap://") {
            config.starttls
        } else {
            return Err(format!(
                "url `{}` must start with ldap:// or ldaps://",
                config.url
            ));
        };
        if config.base_dn.trim().is_empty() {
            return Err("base_dn is empty".to_owned());
        }
        let password = read_password(&config)?;
        let credentials = match (&config.bind_dn, password) {
            (Some(dn), Some(password)) => Some(Credentials {
                dn: dn.clone(),
                password,
            }),
            (Some(_), None) => {
                return Err("bind_dn needs bind_password_env or bind_password_file".to_owned());
            }
            (None, Some(_)) => return Err("a bind password needs bind_dn".to_owned()),
            (None, None) => None,
        };
        if credentials.is_some() && !tls && !config.allow_plaintext_bind {
            return Err(format!(
                "refusing to send the bind password unencrypted to {}; use ldaps://, starttls, or set allow_plaintext_bind",
                config.url
            ));
        }
        let tls_config = match &config.ca_file {
            Some(path) => Some(tls_config(path)?),
            None => None,
        };
        if config.users.page_size == Some(0) {
            return Err("users.page_size must be at least 1".to_owned());
        }
        Ok(Self(Arc::new(Inner {
            config,
            credentials,
            tls: tls_config,
            pool: Mutex::new(Vec::new()),
            outage: Mutex::new(None),
            netbios_cache: Mutex::new(HashMap::new()),
        })))
    }

    fn info() -> PluginInfo {
        PluginInfo::new("ldap", env!("CARGO_PKG_VERSION"))
    }

    fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
        self.0.resolve_one(user_id)
    }

    fn resolve_batch(&self, user_ids: &[String]) -> Vec<Result<DirectoryAttributes, ResolveError>> {
        chunked::resolve_batch(&self.0, user_ids)
    }

    fn list_users(&self) -> Option<Result<resolver_sdk::UserBatches, String>> {
        Some(listing::open(Arc::clone(&self.0)))
    }
}

impl Inner {
    /// The base DN's absence, as the error every lookup gives.
    fn missing_base(&self, base: &str) -> String {
        format!(
            "base_dn `{base}` does not exist on {} or is not readable by {}",
            self.config.url,
            self.credentials
                .as_ref()
                .map_or("an anonymous bind", |c| c.dn.as_str())
        )
    }

    fn resolve_one(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
        if user_id.is_empty() {
            return Err(ResolveError::NotFound(user_id.to_owned()));
        }
        // RFC 4515: the id is a value, never filter syntax.
        let filter = format!(
            "(&{}({}={}))",
            self.config.user_filter,
            self.config.filter_attribute,
            ldap_escape(user_id)
        );
        let attrs = self.attribute_list();
        let entries = self
            .with_conn(|conn| {
                let result = conn.search(&self.config.base_dn, Scope::Subtree, &filter, &attrs)?;
                // noSuchObject (32): the base itself is missing or hidden from us.
                if result.1.rc == 32 {
                    return Ok(None);
                }
                let (entries, _) = result.success()?;
                Ok(Some(
                    entries
                        .into_iter()
                        .filter(|e| !e.is_ref())
                        .map(SearchEntry::construct)
                        .collect::<Vec<_>>(),
                ))
            })
            .map_err(ResolveError::Failed)?
            .ok_or_else(|| ResolveError::Failed(self.missing_base(&self.config.base_dn)))?;
        match entries.as_slice() {
            [] => Err(ResolveError::NotFound(user_id.to_owned())),
            [entry] => self.attributes_of(user_id, entry),
            several => Err(ResolveError::Ambiguous {
                user_id: user_id.to_owned(),
                count: several.len(),
            }),
        }
    }
}

resolver_sdk::declare_resolver!(LdapResolver);
