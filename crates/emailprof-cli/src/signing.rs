//! `--sign-*` flags shared by `emit` and `batch`: signed `.mobileconfig` files.

use std::path::PathBuf;
use std::time::SystemTime;

use clap::Args;
use emailprof_core::{Artifact, Secret};
use emailprof_sign::SigningIdentity;

use crate::invalid;

/// The media type of Apple configuration profiles: the artifacts that get signed.
const APPLE_PROFILE: &str = "application/x-apple-aspen-config";

#[derive(Debug, Args)]
pub struct SigningArgs {
    /// Sign iOS profiles with this certificate (PEM; further certificates in it count as chain).
    #[arg(long, value_name = "PEM", requires = "sign_key")]
    pub sign_cert: Option<PathBuf>,

    /// The signing certificate's private key (PEM: PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PEM", requires = "sign_cert")]
    pub sign_key: Option<PathBuf>,

    /// Intermediate certificates to include (PEM).
    #[arg(long, value_name = "PEM", requires = "sign_cert")]
    pub sign_chain: Option<PathBuf>,

    /// Environment variable holding the passphrase of an encrypted signing key.
    #[arg(long, value_name = "VAR", requires = "sign_key")]
    pub sign_key_passphrase_env: Option<String>,

    /// Signing time, RFC 3339 (default: now). Fixed, RSA signatures are reproducible (P-256
    /// signatures are randomized).
    #[arg(long, value_name = "TIME", requires = "sign_cert")]
    pub signing_time: Option<String>,
}

/// A loaded signing identity and the signing time.
pub(crate) struct Signer {
    identity: SigningIdentity,
    time: SystemTime,
}

fn read(path: &PathBuf, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        anyhow::Error::new(crate::Invalid(format!(
            "{what} {}: cannot read: {e}",
            path.display()
        )))
    })
}

/// Parse an RFC 3339 UTC time such as `2026-01-02T03:04:05Z`.
fn parse_time(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let s = s.strip_suffix('Z').or_else(|| s.strip_suffix("+00:00"))?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time
        .split(':')
        .map(|p| p.split('.').next().and_then(|x| x.parse::<i64>().ok()));
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    if !(1970..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || hh > 23
        || mm > 59
        || ss > 60
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(secs).ok()?))
}

impl SigningArgs {
    /// The signer, when signing was asked for.
    pub(crate) fn signer(&self) -> anyhow::Result<Option<Signer>> {
        let (Some(cert), Some(key)) = (&self.sign_cert, &self.sign_key) else {
            return Ok(None);
        };
        let cert_pem = read(cert, "--sign-cert")?;
        // The key stays in a zeroizing buffer while it is parsed.
        let key_pem = zeroize::Zeroizing::new(read(key, "--sign-key")?);
        crate::resolve::warn_if_loose(
            key,
            "--sign-key",
            emailprof_sign::key_is_encrypted(&key_pem),
        );
        let chain = match &self.sign_chain {
            Some(p) => Some(read(p, "--sign-chain")?),
            None => None,
        };
        let passphrase = match &self.sign_key_passphrase_env {
            Some(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Some(Secret::new(v)),
                _ => invalid!("--sign-key-passphrase-env: environment variable {var} is not set"),
            },
            None => None,
        };
        let identity =
            SigningIdentity::from_pem(&cert_pem, &key_pem, chain.as_deref(), passphrase.as_ref())
                .map_err(|e| anyhow::Error::new(crate::Invalid(e.to_string())))?;
        let time = match &self.signing_time {
            Some(t) => match parse_time(t) {
                Some(t) => t,
                None => invalid!(
                    "--signing-time `{t}` is not an RFC 3339 UTC time like 2026-01-02T03:04:05Z"
                ),
            },
            None => SystemTime::now(),
        };
        tracing::debug!(algorithm = identity.algorithm(), subject = %identity.subject(), "signing identity loaded");
        Ok(Some(Signer { identity, time }))
    }
}

impl Signer {
    pub(crate) fn applies_to(&self, artifact: &Artifact) -> bool {
        self.applies_to_media(&artifact.media_type)
    }

    pub(crate) fn applies_to_media(&self, media_type: &str) -> bool {
        media_type == APPLE_PROFILE
    }

    pub(crate) fn sign(&self, bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
        Ok(emailprof_sign::sign(bytes, &self.identity, self.time)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        let t = parse_time("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(
            t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(),
            1_767_323_045
        );
        assert_eq!(
            parse_time("1970-01-01T00:00:00Z"),
            Some(SystemTime::UNIX_EPOCH)
        );
        assert!(parse_time("2026-13-01T00:00:00Z").is_none());
        assert!(parse_time("yesterday").is_none());
    }
}
