//! No input makes the parsers panic, and errors point at a line inside the file.

use emailprof_directory::{Directory, DirectoryError, DirectoryFormat};
use proptest::prelude::*;

const FORMATS: [DirectoryFormat; 3] = [
    DirectoryFormat::Csv,
    DirectoryFormat::Json,
    DirectoryFormat::Ldif,
];

fn check(bytes: &[u8]) {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    for format in FORMATS {
        match Directory::parse(bytes, format) {
            Ok(d) => {
                for u in d.users() {
                    assert!(!u.user_id.trim().is_empty());
                    assert!(d.get(&u.user_id).is_some());
                }
            }
            Err(DirectoryError::Syntax { line, .. }) => {
                assert!(
                    (1..=lines).contains(&line),
                    "{format} line {line} of {lines}"
                )
            }
            Err(DirectoryError::DuplicateUser {
                first_line,
                second_line,
                ..
            }) => assert!(first_line <= second_line && second_line <= lines),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }

    // Text built from the formats' own punctuation reaches deeper than random bytes.
    #[test]
    fn format_like_text_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("dn: "), Just("dn:: "), Just("sAMAccountName: "), Just("userPrincipalName:"),
                Just("proxyAddresses: SMTP:"), Just("objectClass: crossRef\n"), Just("nCName: DC=a,DC=b\n"),
                Just("nETBIOSName: X\n"), Just("\n"), Just("\n\n"), Just(" "), Just("#"), Just(":<"),
                Just("\""), Just(","), Just("{"), Just("}"), Just("["), Just("]"), Just("\"users\":"),
                Just("\"userId\":"), Just("null"), Just("\\"), Just("=="), Just("a@b"), Just("DC=x"),
                Just("id,upn,mail\n"), Just("\r\n"), Just("\u{FEFF}"),
                // Microsoft Entra ID exports (Graph pages, JSON lines, PowerShell).
                Just("\"value\":"), Just("\"@odata.context\":\"x\","), Just("\"onPremisesSamAccountName\":"),
                Just("\"businessPhones\":[],"), Just("\"UserPrincipalName\":"), Just("\"proxyAddresses\":[\"SMTP:a@b\"]"),
                Just("\"id\":"), Just("\"a\""),
            ],
            0..40,
        )
    ) {
        check(parts.concat().as_bytes());
    }
}
