//! Test PKI made with the OpenSSL CLI in a temporary directory: a root CA, an intermediate and a
//! leaf, for RSA-2048 and for P-256.

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) const OPENSSL: &str = "/usr/bin/openssl";

pub(crate) fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new(OPENSSL)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the openssl CLI runs");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Algo {
    Rsa,
    P256,
}

pub(crate) struct Pki {
    pub dir: tempfile::TempDir,
}

impl Pki {
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("test file exists")
    }

    /// The leaf's signing identity, with the intermediate as its chain.
    pub(crate) fn identity(&self) -> emailprof_sign::SigningIdentity {
        emailprof_sign::SigningIdentity::from_pem(
            &self.read("leaf.pem"),
            &self.read("leaf.key"),
            Some(&self.read("int.pem")),
            None,
        )
        .expect("the test identity loads")
    }

    /// `openssl cms -sign -binary` of the file `input` with the leaf key, as DER into the file
    /// `output`, plus `extra` options (`-nodetach -stream`: attached, indefinite-length BER).
    pub(crate) fn openssl_sign(&self, input: &str, output: &str, extra: &[&str]) {
        let mut args = vec![
            "cms", "-sign", "-binary", "-in", input, "-signer", "leaf.pem", "-inkey", "leaf.key",
            "-outform", "DER", "-out", output,
        ];
        args.extend_from_slice(extra);
        openssl(self.dir.path(), &args);
    }

    /// `ca.pem`, `int.pem`, `leaf.pem` with PKCS#8 keys `ca.key`, `int.key`, `leaf.key`.
    pub(crate) fn new(algo: Algo) -> Pki {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let newkey: &[&str] = match algo {
            Algo::Rsa => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            Algo::P256 => &[
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ],
        };
        for name in ["ca", "int", "leaf"] {
            let out = format!("{name}.key");
            let mut args = vec!["genpkey"];
            args.extend_from_slice(newkey);
            args.extend_from_slice(&["-out", &out]);
            openssl(d, &args);
        }
        std::fs::write(
            d.join("int.ext"),
            "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .unwrap();
        std::fs::write(
            d.join("leaf.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection,codeSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .unwrap();
        // `req -x509` takes its extensions from a config section.
        std::fs::write(
            d.join("ca.cnf"),
            "[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n",
        )
        .unwrap();
        openssl(
            d,
            &[
                "req",
                "-new",
                "-x509",
                "-key",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "3650",
                "-subj",
                "/CN=emailprof Test Root CA/O=emailprof tests",
                "-sha256",
                "-config",
                "ca.cnf",
                "-extensions",
                "v3",
                "-set_serial",
                "1",
            ],
        );
        for (name, issuer, serial, cn) in [
            ("int", "ca", "2", "emailprof Test Intermediate"),
            ("leaf", "int", "3", "emailprof Test Profile Signer"),
        ] {
            let subj = format!("/CN={cn}/O=emailprof tests");
            openssl(
                d,
                &[
                    "req",
                    "-new",
                    "-key",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.csr"),
                    "-subj",
                    &subj,
                    "-config",
                    "ca.cnf",
                ],
            );
            openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{name}.csr"),
                    "-CA",
                    &format!("{issuer}.pem"),
                    "-CAkey",
                    &format!("{issuer}.key"),
                    "-set_serial",
                    serial,
                    "-days",
                    "3650",
                    "-sha256",
                    "-extfile",
                    &format!("{name}.ext"),
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
        }
        Pki { dir }
    }
}
