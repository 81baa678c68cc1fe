//! The `directory` fuzz target's checks (`fuzz/src/directory.rs`) as property tests, so stable
//! CI runs them: the example directories with random edits, and the CSV stream `batch` reads
//! held against `Directory::parse`. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/directory.rs"]
mod target;

use emailprof_testkit::fuzz;
use proptest::prelude::*;

const SEEDS: [&[u8]; 7] = [
    include_bytes!("../../../../examples/directory.csv"),
    include_bytes!("../../../../examples/directory.json"),
    include_bytes!("../../../../examples/directory.ldif"),
    include_bytes!("../data/entra/graph-page.json"),
    include_bytes!("../data/entra/graph-pages.jsonl"),
    include_bytes!("../data/entra/az-user-list.json"),
    include_bytes!("../data/entra/get-mguser-single.json"),
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
    "\"value\":",
    "\"@odata.nextLink\":",
    "onPremisesSamAccountName",
    "\"AdditionalProperties\":{},",
    "\\u0000",
    "\u{FEFF}",
    "=",
    "==",
    "\u{0}",
    "\u{ff}",
    "<&>]]>",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn edited_directories_parse_or_fail_cleanly(
        bytes in fuzz::mutated(SEEDS.map(<[u8]>::to_vec).to_vec(), fuzz::tokens(&[TOKENS]), fuzz::Edits::TEXT)
    ) {
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
