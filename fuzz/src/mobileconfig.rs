//! `.mobileconfig` import: XML or binary property lists, plain or inside CMS SignedData.
//!
//! Oracles: an import that succeeds yields a document `emailprof_core::validate` accepts, with
//! no error finding, and certificate files whose names stay inside the profile's directory.

use emailprof_core::Severity;

use super::shared::validate_imported;

pub fn check(data: &[u8]) {
    let Ok(imported) = emailprof_ios::import_mobileconfig(data) else {
        return;
    };
    let report = validate_imported(&imported.profile);
    assert!(
        !report.has_errors(),
        "the imported profile is not valid: {:?}",
        report.findings
    );
    let _ = imported
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    for name in imported.files.keys() {
        let path = std::path::Path::new(name);
        assert!(
            !name.is_empty()
                && !name.contains('\0')
                && !path.is_absolute()
                && path
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_))),
            "certificate file name `{name}` leaves the profile's directory"
        );
    }
}
