//! The `directory` fuzz target's checks (`fuzz/src/directory.rs`) as property tests, so stable
//! CI runs them: the example directories with random edits, and the CSV stream `batch` reads
//! held against `Directory::parse`. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/directory.rs"]
mod target;

use proptest::prelude::*;

const SEEDS: [&[u8]; 3] = [
    include_bytes!("../../../../examples/directory.csv"),
    include_bytes!("../../../../examples/directory.json"),
    include_bytes!("../../../../examples/directory.ldif"),
];

const TOKENS: &[&str] = &[
    "\n",
    "\r\n",
    "\n\n",
    ",",
    "\"",
    "\"\"",
    " ",
    "#",
    ":",
    "::",
    ":<",
    "dn: ",
    "dn:: ",
    "-\n",
    "userId",
    "userPrincipalName",
    "sAMAccountName",
    "proxyAddresses: SMTP:",
    "objectClass: crossRef\n",
    "nCName: DC=a,DC=b\n",
    "nETBIOSName: X\n",
    "{",
    "}",
    "[",
    "]",
    "null",
    "\"users\":",
    "\\u0000",
    "\u{FEFF}",
    "=",
    "==",
    "\u{0}",
    "\u{ff}",
    "<&>]]>",
];

fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let edit = (
        0u8..3,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<u8>(),
    );
    (0..SEEDS.len(), prop::collection::vec(edit, 0..8)).prop_map(|(i, edits)| {
        let mut b = SEEDS[i].to_vec();
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
    fn edited_directories_parse_or_fail_cleanly(bytes in mutated()) {
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
