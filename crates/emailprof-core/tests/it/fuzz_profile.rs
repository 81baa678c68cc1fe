//! The `profile` fuzz target's checks (`fuzz/src/profile.rs`) as property tests, so stable CI
//! runs them: the repository's example and invalid profiles with random edits (tokens of the
//! three syntaxes and of the model spliced in, spans deleted, bytes overwritten), in YAML, JSON
//! and TOML. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/profile.rs"]
mod target;

use emailprof_core::Format;
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

/// A seed with up to 10 random edits.
fn mutated() -> impl Strategy<Value = (Vec<u8>, Format)> {
    let edit = (
        0u8..3,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<u8>(),
    );
    (0..SEEDS.len(), prop::collection::vec(edit, 0..10)).prop_map(|(i, edits)| {
        let (seed, format) = SEEDS[i];
        let mut b = seed.to_vec();
        for (kind, at, token, byte) in edits {
            let pos = at.index(b.len() + 1);
            match kind {
                0 => {
                    let t = TOKENS[token.index(TOKENS.len())];
                    b.splice(pos..pos, t.bytes());
                }
                1 => {
                    let end = (pos + 1 + usize::from(byte % 16)).min(b.len());
                    b.drain(pos.min(end)..end);
                }
                _ => match b.get_mut(pos) {
                    Some(x) => *x = byte,
                    None => b.push(byte),
                },
            }
        }
        (b, format)
    })
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
