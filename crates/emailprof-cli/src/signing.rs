//! `--sign-*` flags shared by `emit` and `batch`: signed `.mobileconfig` files.

use std::time::SystemTime;

use emailprof::Signer;
use emailprof_core::Secret;

use crate::cli::SigningArgs;
use crate::invalid;

impl SigningArgs {
    /// The signer, when signing was asked for.
    pub(crate) fn signer(&self) -> anyhow::Result<Option<Signer>> {
        let (Some(cert), Some(key)) = (&self.sign_cert, &self.sign_key) else {
            return Ok(None);
        };
        let files = emailprof::material::read_signing_files(
            cert,
            key,
            self.sign_chain.as_deref(),
            ["--sign-cert", "--sign-key", "--sign-chain"],
        )?;
        for w in &files.notices {
            crate::report::warning(w);
        }
        let passphrase = match &self.sign_key_passphrase_env {
            Some(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Some(Secret::new(v)),
                _ => invalid!("--sign-key-passphrase-env: environment variable {var} is not set"),
            },
            None => None,
        };
        let signer = Signer::from_pem(
            &files.cert_pem,
            &files.key_pem,
            files.chain_pem.as_deref(),
            passphrase.as_ref(),
            SystemTime::now(),
        )?;
        Ok(Some(signer.at_rfc3339(self.signing_time.as_deref())?))
    }
}
