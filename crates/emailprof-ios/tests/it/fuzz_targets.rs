//! The `mobileconfig` and `plugin` fuzz targets' checks (`fuzz/src/mobileconfig.rs`,
//! `fuzz/src/xml_ios.rs`) as property tests, so stable CI runs them. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/mobileconfig.rs"]
mod mobileconfig;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/xml_ios.rs"]
mod xml_ios;

use emailprof_core::{DirectoryAttributes, EmitOptions, Emitter, resolve_identity};
use proptest::prelude::*;

/// The emitted fixture profiles as XML and binary property lists.
fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for name in ["minimal.yaml", "full.yaml"] {
        let resolved = crate::common::resolve(crate::common::profile(name));
        let emission = emailprof_ios::IosEmitter
            .emit(&resolved, &EmitOptions::default())
            .expect("the fixture emits");
        let xml = emission.artifacts[0].bytes.clone();
        let value = plist::Value::from_reader_xml(xml.as_slice()).expect("a plist");
        let mut binary = Vec::new();
        plist::to_writer_binary(&mut binary, &value).expect("binary plist");
        out.push(xml);
        out.push(binary);
    }
    out
}

const TOKENS: &[&str] = &[
    "<string>",
    "</string>",
    "<key>",
    "</key>",
    "<dict>",
    "</dict>",
    "<array>",
    "</array>",
    "<integer>-1</integer>",
    "<true/>",
    "<data>AAEC</data>",
    "<real>1e400</real>",
    "&amp;",
    "&#0;",
    "&#xFFFF;",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE x [<!ENTITY a \"b\">]>",
    "&a;",
    "PayloadContent",
    "PayloadType",
    "com.apple.eas.account",
    "com.apple.security.pkcs12",
    "com.apple.security.scep",
    "PayloadCertificateUUID",
    "UserName",
    "Host",
    "SSL",
    "MailNumberOfPastDaysToSync",
    "SMIMESigningCertificateUUID",
    "Password",
    "\u{0}",
    "\u{FEFF}",
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

/// Directory values with markup, quotes, controls and non-ASCII.
fn value() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.9,
        prop_oneof![
            "[a-z0-9.@]{1,12}",
            "[a-z<>&;\\]\\[!\"'/ \t\r\n\u{0}\u{7}\u{1f}\u{7f}\u{85}\u{fffe}\u{ffff}é\u{1F980}-]{1,16}",
            Just("]]></string><key>PayloadType</key><string>x".to_owned()),
        ],
    )
}

fn attributes() -> impl Strategy<Value = DirectoryAttributes> {
    ("[a-z0-9]{1,8}", value(), value(), value(), value(), value()).prop_map(
        |(user_id, upn, smtp, sam, fqdn, netbios)| DirectoryAttributes {
            user_id,
            user_principal_name: upn,
            primary_smtp_address: smtp,
            sam_account_name: sam,
            domain_fqdn: fqdn,
            netbios_name: netbios,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn edited_profiles_import_or_fail_cleanly(bytes in mutated(seeds())) {
        mobileconfig::check(&bytes);
    }

    #[test]
    fn arbitrary_bytes_import_or_fail_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        mobileconfig::check(&bytes);
    }

    #[test]
    fn directory_values_never_inject_markup(attrs in attributes()) {
        for profile in xml_ios::profiles() {
            if let Ok(user) = resolve_identity(&profile.account, &attrs) {
                xml_ios::check(&profile, &user);
            }
        }
    }
}

/// Inputs the fuzzers found, kept as regressions (see RELIABILITY.md).
#[test]
fn fuzz_regressions() {
    for bytes in MOBILECONFIG_REGRESSIONS {
        mobileconfig::check(bytes);
    }
}

const MOBILECONFIG_REGRESSIONS: &[&[u8]] = &[];
