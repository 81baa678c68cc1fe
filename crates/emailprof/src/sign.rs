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
                    "--signing-time `{t}` is not an RFC 3339 time like 2026-01-02T03:04:05Z"
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

/// Parse an RFC 3339 time such as `2026-01-02T03:04:05Z` (any offset; dates checked against
/// the calendar, so `2026-02-31` is refused). Times before 1970 are refused too.
pub fn parse_rfc3339_utc(s: &str) -> Option<SystemTime> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    let secs = u64::try_from(t.unix_timestamp()).ok()?;
    Some(SystemTime::UNIX_EPOCH + std::time::Duration::new(secs, t.nanosecond()))
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
        // The calendar: no 31 February, 29 February only in leap years.
        assert!(parse_rfc3339_utc("2026-02-31T00:00:00Z").is_none());
        assert!(parse_rfc3339_utc("2026-02-29T00:00:00Z").is_none());
        assert!(parse_rfc3339_utc("2028-02-29T00:00:00Z").is_some());
        assert!(parse_rfc3339_utc("2026-01-02T25:00:00Z").is_none());
        // Offsets are times too.
        assert_eq!(
            parse_rfc3339_utc("2026-01-02T05:04:05+02:00"),
            parse_rfc3339_utc("2026-01-02T03:04:05Z")
        );
        assert!(parse_rfc3339_utc("1969-12-31T23:59:59Z").is_none());
    }
}
