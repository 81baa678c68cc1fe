//! The `cms` fuzz target's check (`fuzz/src/cms.rs`) as a property test, so stable CI runs it:
//! SignedData from emailprof's signer (DER) and from `openssl cms -stream` (indefinite-length
//! BER), truncated, with bytes overwritten, spans deleted or length octets spliced in. See
//! RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/cms.rs"]
mod target;

use std::time::{Duration, SystemTime};

use emailprof_sign::SigningIdentity;
use emailprof_testkit::fuzz;
use proptest::prelude::*;

use crate::pki::{Algo, Pki};

fn seeds() -> Vec<Vec<u8>> {
    let pki = Pki::new(Algo::P256);
    let content = b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>\n".repeat(40);
    let id = SigningIdentity::from_pem(&pki.read("leaf.pem"), &pki.read("leaf.key"), None, None)
        .expect("the test identity loads");
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_323_045);
    let der = emailprof_sign::sign(&content, &id, t).expect("signs");
    std::fs::write(pki.path("content.xml"), &content).unwrap();
    pki.openssl_sign("content.xml", "ber.p7m", &["-nodetach", "-stream"]);
    vec![der, pki.read("ber.p7m")]
}

/// Bytes that matter to a BER reader: tags, lengths (short, long, indefinite), end-of-contents.
const TOKENS: &[&[u8]] = &[
    &[0x30, 0x80],
    &[0x00, 0x00],
    &[0x24, 0x80],
    &[0x04, 0x01, 0x41],
    &[0x84, 0xff, 0xff, 0xff, 0xff],
    &[0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    &[0x81],
    &[0x82, 0x00],
    &[0xa0, 0x80],
    &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ],
    &[0x1f, 0xff, 0xff, 0x7f],
];

/// Up to 5 edits, deletions of up to 256 bytes, cuts.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let edits = fuzz::Edits {
        max: 6,
        delete_span: 256,
        truncate: true,
    };
    fuzz::mutated(seeds, fuzz::tokens(&[TOKENS]), edits)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn edited_signed_data_is_read_or_refused_cleanly(bytes in mutated(seeds())) {
        target::check(&bytes);
    }

    #[test]
    fn arbitrary_bytes_are_refused_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        target::check(&bytes);
    }
}

/// Every prefix of a signed profile (a truncated download) is refused with an error.
#[test]
fn truncated_signed_data_is_an_error() {
    for seed in seeds() {
        let full = emailprof_sign::signed_content(&seed).expect("the whole file reads");
        assert!(!full.is_empty());
        for cut in (0..seed.len()).step_by(7) {
            assert!(
                emailprof_sign::signed_content(&seed[..cut]).is_err(),
                "{cut} of {} bytes accepted",
                seed.len()
            );
        }
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
