//! The `profile` fuzz target's checks (`fuzz/src/profile.rs`) as property tests, so stable CI
//! runs them: the repository's example and invalid profiles with random edits (tokens of the
//! three syntaxes and of the model spliced in, spans deleted, bytes overwritten), in YAML, JSON
//! and TOML. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/profile.rs"]
mod target;

use emailprof_core::Format;
use emailprof_testkit::fuzz::{Edits, mutated_tagged, tokens};
use proptest::prelude::*;

const SEEDS: [(&[u8], Format); 8] = [
    (
        include_bytes!("../../../../examples/contoso.yaml"),
        Format::Yaml,
    ),
    (
        include_bytes!("../../../../examples/minimal.yaml"),
        Format::Yaml,
    ),
    (
        include_bytes!("../../../../examples/basic-auth.yaml"),
        Format::Yaml,
    ),
    (
        include_bytes!("../../../../tests/invalid/36-many-errors-at-once.yaml"),
        Format::Yaml,
    ),
    (
        include_bytes!("../../../../tests/invalid/32-inline-secret-refused.yaml"),
        Format::Yaml,
    ),
    (
        include_bytes!("../../../../tests/invalid/31-secret-two-sources.yaml"),
        Format::Yaml,
    ),
    (
        include_bytes!("../../../../tests/invalid/39-json-errors.json"),
        Format::Json,
    ),
    (
        include_bytes!("../../../../tests/invalid/40-toml-errors.toml"),
        Format::Toml,
    ),
];

const TOKENS: &[&str] = &[
    "\n",
    "\n  ",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "<<: *a\n",
    "? ",
    "---\n",
    "...\n",
    "!!binary ",
    "!!str ",
    "~",
    "null",
    "true",
    "1e999",
    "-0",
    "0x10",
    "\u{feff}",
    "\t",
    "\\u0000",
    "=",
    "[[certificates]]\n",
    "password:\n  inline: Hunter2-secret\n",
    "inline: ",
    "env: ",
    "file: ",
    "passphrase: ",
    "challenge: ",
    "identityCertificate: ",
    "method: certificate\n",
    "smime:\n  enabled: true\n",
    "certificates:\n  c:\n    kind: pkcs12\n",
    "\u{1F980}",
    "é",
    "<&>]]>",
];

/// A seed with up to 9 random edits, deletions of up to 16 bytes.
fn mutated() -> impl Strategy<Value = (Vec<u8>, Format)> {
    let seeds = SEEDS.iter().map(|&(b, f)| (b.to_vec(), f)).collect();
    let edits = Edits {
        max: 10,
        delete_span: 16,
        truncate: false,
    };
    mutated_tagged(seeds, tokens(&[TOKENS]), edits)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn edited_profiles_keep_the_promises((bytes, format) in mutated()) {
        target::check_format(&bytes, format);
    }

    #[test]
    fn arbitrary_bytes_keep_the_promises(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        target::check(&bytes);
    }
}

/// Inputs the fuzzer found, kept as regressions (see RELIABILITY.md).
#[test]
fn fuzz_regressions() {
    for (bytes, format) in REGRESSIONS {
        target::check_format(bytes, *format);
    }
}

/// What the fuzzer found: each broke an early version of an oracle, not emailprof (a lone CR
/// is a YAML line break; a secret may happen to equal text of the schema or of a message).
const REGRESSIONS: &[(&[u8], Format)] = &[
    (
        include_bytes!("../../../../tests/hostile/fuzz/profile-lone-cr-lines.yaml"),
        Format::Yaml,
    ),
    (
        include_bytes!("../../../../tests/hostile/fuzz/profile-secret-matches-schema-text.yaml"),
        Format::Yaml,
    ),
    (
        include_bytes!("../../../../tests/hostile/fuzz/profile-secret-holds-message-text.yaml"),
        Format::Yaml,
    ),
];
