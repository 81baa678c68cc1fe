//! `.mobileconfig` → emailprof profile.
//!
//! A configuration profile holds resolved per-user values, not the directory sources behind
//! them, and no secret should travel out of it; so the importer infers sources where it can,
//! leaves secrets out, and says so in findings. Every key it meets is either carried over or
//! reported, with its path (`PayloadContent[0].MailNumberOfPastDaysToSync`).
//!
//! Layers, each using only those after it: `profile` (top-level keys, the EAS payload),
//! `certificates` (certificate payloads and references), `reader` (typed key access,
//! findings), `types` (what an import gives).

mod budget;
mod certificates;
mod profile;
mod reader;
mod types;

use std::collections::BTreeMap;
use std::io::Cursor;

use emailprof_core::input::{Document, Format, Locations};
use emailprof_core::{EmailProfile, Severity, ValidationOptions};
use plist::Value;

use self::reader::Reader;
use self::types::MAX_INPUT_BYTES;
pub use self::types::{ImportError, ImportFinding, Imported};

/// Members the importer writes even at emailprof's default. `ssl`: Apple's default differs
/// (com.apple.eas.account.yaml SSL `default: false`), so the document says what was meant.
/// The S/MIME switches: with S/MIME on, the document says whether signing and encryption by
/// default are on.
const ALWAYS_WRITTEN: &[&str] = &[
    "/account/ssl",
    "/smime/signing/enabled",
    "/smime/encryption/encryptByDefault",
];

/// The smallest profile document (JSON) that means `p`, as [`import_mobileconfig`] writes it:
/// [`emailprof_core::minimal_document`], with SSL and the S/MIME switches always written.
pub fn profile_document(p: &EmailProfile) -> serde_json::Value {
    emailprof_core::minimal_document(p, ALWAYS_WRITTEN)
}

/// The property list of a `.mobileconfig` (XML or binary, or either inside CMS SignedData),
/// checked against the parser's budget before parsing; whether it was signed.
pub fn read_property_list(bytes: &[u8]) -> Result<(Value, bool), ImportError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let trimmed = &bytes[start..];
    let is_plist = trimmed.starts_with(b"<?xml")
        || trimmed.starts_with(b"<plist")
        || trimmed.starts_with(b"<!DOCTYPE")
        || trimmed.starts_with(b"bplist")
        || trimmed.starts_with(b"\xef\xbb\xbf<");
    let content;
    let plist_bytes = if is_plist {
        bytes
    } else {
        content = emailprof_sign::signed_content(bytes)?;
        &content
    };
    // The parser expands shared objects and recurses: check what it would build first.
    budget::check(plist_bytes).map_err(|b| ImportError::NotAProfile(b.to_string()))?;
    let value = Value::from_reader(Cursor::new(plist_bytes))
        .map_err(|e| ImportError::NotAProfile(e.to_string()))?;
    Ok((value, !is_plist))
}

/// How an import treats values it cannot carry over.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Leave each value that is out of range or of the wrong type out of the profile with a
    /// warning naming it, instead of an error that stops the import. Off by default: a profile
    /// written without a value the administrator set may behave differently on devices.
    pub lenient: bool,
}

/// Read a `.mobileconfig`: XML or binary plist, or either inside CMS SignedData (DER or BER).
/// Strict: values that cannot be carried over are error findings.
pub fn import_mobileconfig(bytes: &[u8]) -> Result<Imported, ImportError> {
    import_mobileconfig_with(bytes, ImportOptions::default())
}

/// [`import_mobileconfig`] with options.
pub fn import_mobileconfig_with(
    bytes: &[u8],
    options: ImportOptions,
) -> Result<Imported, ImportError> {
    let mut findings = Vec::new();
    let (value, signed) = read_property_list(bytes)?;
    if signed {
        findings.push(ImportFinding {
            severity: Severity::Info,
            key_path: String::new(),
            message:
                "the profile is CMS-signed; its content was read, the signature was not verified"
                    .into(),
        });
    }
    let Value::Dictionary(top) = value else {
        return Err(ImportError::NotAProfile(
            "the top-level object is not a dictionary".into(),
        ));
    };
    let mut r = Reader {
        findings,
        files: BTreeMap::new(),
        user: (None, None),
        kept: Default::default(),
        top_identifier: String::new(),
        uuids: Vec::new(),
    };
    let profile = r.profile(&top)?;
    let doc = profile_document(&profile);
    let report = emailprof_core::validate(
        &Document {
            format: Format::Json,
            value: doc.clone(),
            locations: Locations::default(),
        },
        ValidationOptions::default(),
    );
    if report.has_errors() {
        return Err(ImportError::InvalidProfile(
            report
                .errors()
                .map(|f| format!("{}: {}", f.pointer, f.message))
                .collect(),
        ));
    }
    let mut findings = r.findings;
    if options.lenient {
        // Error findings are values the profile was already written without (or, for the
        // services, written as all on): each stays reported, as a warning.
        for f in findings
            .iter_mut()
            .filter(|f| f.severity == Severity::Error)
        {
            f.severity = Severity::Warning;
            let dropped = f.message.contains("not imported") || f.message.contains("ignored");
            f.message.push_str(if dropped {
                " (lenient import: left out of the profile)"
            } else {
                " (lenient import)"
            });
        }
    }
    Ok(Imported {
        profile: doc,
        findings,
        files: r.files,
    })
}
