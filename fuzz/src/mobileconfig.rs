//! `.mobileconfig` import: XML or binary property lists, plain or inside CMS SignedData.
//!
//! Oracles: an import that succeeds yields a document `emailprof_core::validate` accepts, with
//! no error finding, and certificate files whose names stay inside the profile's directory.

use emailprof_core::Severity;

use super::shared::validate_imported;

/// An input of one of the shapes that once took all memory or the stack (issue 14), from a few
/// parameter bytes: a binary plist whose arrays share their objects (levels x fan references,
/// no cycle), or arrays nested `depth` deep in binary or XML form. `check` must refuse each
/// within the import's budgets, quickly.
pub fn shaped(params: &[u8]) -> Vec<u8> {
    let p = |i: usize| usize::from(params.get(i).copied().unwrap_or(0));
    match p(0) % 3 {
        0 => shared_arrays(2 + p(1) % 10, 1 + p(2) % 32),
        1 => shared_arrays(1 + (p(1) << 8 | p(2)) * 4, 1),
        _ => {
            let depth = 1 + (p(1) << 8 | p(2)) * 3;
            format!(
                "<?xml version=\"1.0\"?><plist version=\"1.0\">{}{}</plist>",
                "<array>".repeat(depth),
                "</array>".repeat(depth)
            )
            .into_bytes()
        }
    }
}

/// A binary plist of `levels` arrays, each holding `fan` references to the next, the last
/// holding `fan` references to one string; references and offsets 4 bytes wide.
pub fn shared_arrays(levels: usize, fan: usize) -> Vec<u8> {
    let mut out = b"bplist00".to_vec();
    let mut offsets = Vec::with_capacity(levels + 1);
    for l in 0..levels {
        offsets.push(out.len() as u32);
        out.push(0xAF);
        out.push(0x12);
        out.extend_from_slice(&(fan as u32).to_be_bytes());
        for _ in 0..fan {
            out.extend_from_slice(&((l + 1) as u32).to_be_bytes());
        }
    }
    offsets.push(out.len() as u32);
    out.extend_from_slice(b"\x51x");
    let table = out.len() as u64;
    for o in &offsets {
        out.extend_from_slice(&o.to_be_bytes());
    }
    let mut trailer = [0u8; 32];
    trailer[6] = 4;
    trailer[7] = 4;
    trailer[8..16].copy_from_slice(&(offsets.len() as u64).to_be_bytes());
    trailer[24..32].copy_from_slice(&table.to_be_bytes());
    out.extend_from_slice(&trailer);
    out
}

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
