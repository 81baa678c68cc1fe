//! What the shipped programs link: one crypto library (aws-lc-rs), and none of the pure-Rust
//! RSA/ECDSA implementations (RustCrypto `rsa` carries a timing advisory, RUSTSEC-2023-0071;
//! `rsa` and `p256` may only verify signatures in tests).

use std::process::Command;

use crate::codegen::workspace_root;

/// The normal (not dev, not build) dependency tree of `package`, one `name vX.Y.Z` per line.
fn normal_dependencies(package: &str) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["--target", "all", "-p", package])
        .current_dir(workspace_root())
        .output()
        .expect("cannot run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn shipped_programs_link_one_crypto_library() {
    for package in ["emailprof-cli", "emailprof-resolver-ldap"] {
        let tree = normal_dependencies(package);
        assert!(
            tree.contains("aws-lc-rs v"),
            "{package}: no aws-lc-rs?\n{tree}"
        );
        for banned in [
            "rsa v",
            "p256 v",
            "ecdsa v",
            "ring v",
            "openssl v",
            "openssl-sys v",
        ] {
            assert!(
                !tree.lines().any(|l| l.starts_with(banned)),
                "{package} links `{}`",
                banned.trim_end_matches(" v")
            );
        }
    }
}
