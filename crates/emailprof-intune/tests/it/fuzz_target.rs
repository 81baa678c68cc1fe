//! The `intune` fuzz target's checks (`fuzz/src/intune.rs`) as property tests, so stable CI
//! runs them: the Graph fixtures of `tests/data` with random edits. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/intune.rs"]
mod target;

use proptest::prelude::*;

fn seeds() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/data")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("readable"))
        .collect()
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e999",
    "\"\"",
    "\"@odata.type\":",
    "\"#microsoft.graph.iosEasEmailProfileConfiguration\"",
    "\"#microsoft.graph.windows10EasEmailProfileConfiguration\"",
    "\"#microsoft.graph.androidEasEmailProfileConfiguration\"",
    "\"value\":",
    "\"hostName\":",
    "\"usernameSource\":",
    "\"userDomainNameSource\":",
    "\"customDomainName\":",
    "\"requireSsl\":",
    "\"emailSyncDuration\":",
    "\"durationOfEmailToSync\":",
    "\"identityCertificate\":",
    "\"identityCertificate@odata.bind\":",
    "\"@odata.nextLink\":",
    "\"id\":",
    "\\u0000",
    "\\ud800",
    "<&>]]>",
];

fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let edit = (
        0u8..3,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<u8>(),
    );
    (0..seeds.len(), prop::collection::vec(edit, 0..8)).prop_map(move |(i, edits)| {
        let mut b = seeds[i].clone();
        for (kind, at, token, byte) in edits {
            let pos = at.index(b.len() + 1);
            match kind {
                0 => {
                    let t = TOKENS[token.index(TOKENS.len())];
                    b.splice(pos..pos, t.bytes());
                }
                1 => {
                    let end = (pos + 1 + usize::from(byte % 32)).min(b.len());
                    b.drain(pos.min(end)..end);
                }
                _ => match b.get_mut(pos) {
                    Some(x) => *x = byte,
                    None => b.push(byte),
                },
            }
        }
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn edited_graph_files_import_or_fail_cleanly(bytes in mutated(seeds())) {
        target::check(&bytes);
    }
}

/// Inputs the fuzzer found, kept as regressions (see RELIABILITY.md).
#[test]
fn fuzz_regressions() {
    for bytes in REGRESSIONS {
        target::check(bytes);
    }
}

const REGRESSIONS: &[&[u8]] = &[];
