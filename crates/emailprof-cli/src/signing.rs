//! `--sign-*` flags shared by `emit` and `batch`: signed `.mobileconfig` files.

use std::path::Path;
use std::time::SystemTime;

use emailprof::Signer;
use emailprof_core::Secret;

use crate::cli::SigningArgs;
use crate::invalid;

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        anyhow::Error::new(crate::Invalid(format!(
            "{what} {}: cannot read: {e}",
            path.display()
        )))
    })
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
        if let Some(w) = emailprof::material::loose_permissions(
            key,
            "--sign-key",
            emailprof_sign::key_is_encrypted(&key_pem),
        ) {
            crate::report::warning(&w);
        }
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
        let signer = Signer::from_pem(
            &cert_pem,
            &key_pem,
            chain.as_deref(),
            passphrase.as_ref(),
            SystemTime::now(),
        )?;
        let time = match &self.signing_time {
            Some(t) => match emailprof::parse_rfc3339_utc(t) {
                Some(t) => t,
                None => invalid!(
                    "--signing-time `{t}` is not an RFC 3339 UTC time like 2026-01-02T03:04:05Z"
                ),
            },
            None => SystemTime::now(),
        };
        Ok(Some(signer.at(time)))
    }
}
