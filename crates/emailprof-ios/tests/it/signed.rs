//! Signed profiles: OpenSSL verifies them against the root, the embedded content is the unsigned
//! output byte for byte, and the importer reads them.

use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use der::{Decode, Tagged};
use emailprof_core::EmitOptions;
use emailprof_ios::import_mobileconfig;
use emailprof_sign::{sign, signed_content};

use crate::common::*;

#[path = "../../../emailprof-sign/tests/it/pki.rs"]
#[allow(dead_code)]
mod pki;

use pki::{Algo, OPENSSL, Pki};

#[test]
fn signed_mobileconfig_verifies_and_round_trips() {
    let (xml, _) = emit(&resolve(profile("full.yaml")), &EmitOptions::default());
    let unsigned = import_mobileconfig(xml.as_bytes()).unwrap();
    for algo in [Algo::Rsa, Algo::P256] {
        let pki = Pki::new(algo);
        let id = pki.identity();
        let der = sign(
            xml.as_bytes(),
            &id,
            UNIX_EPOCH + Duration::from_secs(1_767_323_045),
        )
        .unwrap();

        std::fs::write(pki.path("profile.mobileconfig"), &der).unwrap();
        let out = Command::new(OPENSSL)
            .args(["cms", "-verify", "-inform", "DER", "-in"])
            .arg(pki.path("profile.mobileconfig"))
            .arg("-CAfile")
            .arg(pki.path("ca.pem"))
            .arg("-out")
            .arg(pki.path("content.xml"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{algo:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            pki.read("content.xml"),
            xml.as_bytes(),
            "{algo:?}: OpenSSL's content"
        );

        // Independently of emailprof-sign: the eContent OCTET STRING holds the plist itself.
        let info = cms::content_info::ContentInfo::from_der(&der).unwrap();
        let sd: cms::signed_data::SignedData = info.content.decode_as().unwrap();
        let econtent = sd.encap_content_info.econtent.unwrap();
        assert_eq!(econtent.tag(), der::Tag::OctetString);
        assert_eq!(econtent.value(), xml.as_bytes());
        assert_eq!(signed_content(&der).unwrap(), xml.as_bytes());

        let imported = import_mobileconfig(&der).unwrap();
        assert_eq!(imported.profile, unsigned.profile);
        assert!(
            imported
                .findings
                .iter()
                .any(|f| f.message.contains("CMS-signed"))
        );
    }
}
