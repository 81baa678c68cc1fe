//! Signing artifacts: a loaded identity and the signing time, applied to what an emitter
//! marked signable.

use std::time::SystemTime;

use emailprof_core::{Artifact, Secret};
use emailprof_sign::SigningIdentity;

use crate::error::{Error, Result};

/// A loaded signing identity and the signing time.
pub struct Signer {
    identity: SigningIdentity,
    time: SystemTime,
}

impl Signer {
    /// From PEM certificate (further certificates in it count as chain), key, optional chain
    /// and key passphrase.
    pub fn from_pem(
        cert_pem: &[u8],
        key_pem: &[u8],
        chain_pem: Option<&[u8]>,
        passphrase: Option<&Secret>,
        time: SystemTime,
    ) -> Result<Signer> {
        let identity = SigningIdentity::from_pem(cert_pem, key_pem, chain_pem, passphrase)
            .map_err(|e| Error::invalid(e.to_string()))?;
        tracing::debug!(algorithm = identity.algorithm(), subject = %identity.subject(), "signing identity loaded");
        Ok(Signer { identity, time })
    }

    /// The same identity signing at `time` (RFC 3339 UTC, e.g. `2026-01-02T03:04:05Z`), or now.
    pub fn at_rfc3339(self, time: Option<&str>) -> Result<Signer> {
        let time = match time {
            Some(t) => parse_rfc3339_utc(t).ok_or_else(|| {
                Error::invalid(format!(
                    "--signing-time `{t}` is not an RFC 3339 UTC time like 2026-01-02T03:04:05Z"
                ))
            })?,
            None => SystemTime::now(),
        };
        Ok(self.at(time))
    }

    /// The same identity signing at `time`.
    pub fn at(self, time: SystemTime) -> Signer {
        Signer { time, ..self }
    }

    /// Whether `artifact` is one this signer signs: what its emitter marked signable.
    pub fn applies_to(&self, artifact: &Artifact) -> bool {
        artifact.signable
    }

    /// The signed form of `bytes`.
    pub fn sign(&self, bytes: &[u8]) -> Result<Vec<u8>> {
        emailprof_sign::sign(bytes, &self.identity, self.time).map_err(Error::from_source)
    }

    /// Sign every artifact of `artifacts` this signer applies to, in place.
    pub fn sign_all(&self, artifacts: &mut [Artifact]) -> Result<()> {
        for a in artifacts.iter_mut().filter(|a| self.applies_to(a)) {
            a.bytes = self.sign(&a.bytes)?;
        }
        Ok(())
    }
}

/// Parse an RFC 3339 UTC time such as `2026-01-02T03:04:05Z`.
pub fn parse_rfc3339_utc(s: &str) -> Option<SystemTime> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        let t = parse_rfc3339_utc("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(
            t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(),
            1_767_323_045
        );
        assert_eq!(
            parse_rfc3339_utc("1970-01-01T00:00:00Z"),
            Some(SystemTime::UNIX_EPOCH)
        );
        assert!(parse_rfc3339_utc("2026-13-01T00:00:00Z").is_none());
        assert!(parse_rfc3339_utc("yesterday").is_none());
    }
}
