//! The `intune` fuzz target's checks (`fuzz/src/intune.rs`) as property tests, so stable CI
//! runs them: the Graph fixtures of `tests/data` with random edits. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/shared.rs"]
mod shared;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/intune.rs"]
mod target;

use emailprof_testkit::fuzz;
use proptest::prelude::*;

fn seeds() -> Vec<Vec<u8>> {
    fuzz::seed_files(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")),
        "json",
    )
}

/// Graph's members and types, after the JSON syntax.
const GRAPH_TOKENS: &[&str] = &[
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
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn edited_graph_files_import_or_fail_cleanly(
        bytes in fuzz::mutated(seeds(), fuzz::tokens(&[fuzz::JSON_TOKENS, GRAPH_TOKENS]), fuzz::Edits::TEXT)
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
