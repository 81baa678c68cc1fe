//! The `mobileconfig` and `plugin` fuzz targets' checks (`fuzz/src/mobileconfig.rs`,
//! `fuzz/src/xml_ios.rs`) as property tests, so stable CI runs them. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/mobileconfig.rs"]
mod mobileconfig;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/shared.rs"]
mod shared;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/xml_ios.rs"]
mod xml_ios;

use emailprof_core::{EmitOptions, Emitter, resolve_identity};
use emailprof_testkit::fuzz;
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
    fuzz::mutated(seeds, fuzz::tokens(&[TOKENS]), fuzz::Edits::TEXT)
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
    fn directory_values_never_inject_markup(
        attrs in fuzz::attributes("]]></string><key>PayloadType</key><string>x")
    ) {
        for profile in xml_ios::profiles() {
            if let Ok(user) = resolve_identity(&profile.account, &attrs) {
                xml_ios::check(&profile, &user);
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(64))]
    /// Issue 14's shapes: shared-reference expansion and deep nesting, binary and XML, are
    /// refused within the budgets (no stack overflow, no memory blow-up), whatever their size.
    #[test]
    fn expansion_bombs_and_deep_nesting_are_refused(params in proptest::collection::vec(proptest::prelude::any::<u8>(), 3)) {
        let input = mobileconfig::shaped(&params);
        let started = std::time::Instant::now();
        mobileconfig::check(&input);
        proptest::prop_assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

#[test]
fn the_issue_14_shapes_are_refused_with_a_clear_message() {
    let bomb = mobileconfig::shared_arrays(8, 16);
    assert!(bomb.len() < 3000);
    let e = emailprof_ios::import_mobileconfig(&bomb)
        .unwrap_err()
        .to_string();
    assert!(e.contains("expands to more than"), "{e}");
    let deep = mobileconfig::shared_arrays(200_000, 1);
    let e = emailprof_ios::import_mobileconfig(&deep)
        .unwrap_err()
        .to_string();
    assert!(e.contains("nests deeper than 64"), "{e}");
    let xml = format!(
        "<?xml version=\"1.0\"?><plist version=\"1.0\">{}{}</plist>",
        "<array>".repeat(150_000),
        "</array>".repeat(150_000)
    );
    let e = emailprof_ios::import_mobileconfig(xml.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("nests deeper than 64"), "{e}");
}

/// Inputs the fuzzers found, kept as regressions (see RELIABILITY.md).
#[test]
fn fuzz_regressions() {
    for bytes in MOBILECONFIG_REGRESSIONS {
        mobileconfig::check(bytes);
    }
}

const MOBILECONFIG_REGRESSIONS: &[&[u8]] = &[];
