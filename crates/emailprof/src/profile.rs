//! Profiles from bytes: parse, validate, and keep where relative paths are resolved from.

use std::path::{Path, PathBuf};

use emailprof_core::input::{self, Format};
use emailprof_core::{Document, EmailProfile, Finding, Severity, ValidationOptions};

use crate::MaterialReader;

/// A profile that passed validation.
#[derive(Clone, Debug)]
pub struct LoadedProfile {
    /// Where relative paths in the profile (certificate files, secret files) are resolved from.
    pub base_dir: PathBuf,
    pub profile: EmailProfile,
    /// How many findings were warnings.
    pub warnings: usize,
}

/// Every finding of one profile, and the profile when it has no error.
pub struct Checked {
    pub findings: Vec<Finding>,
    pub profile: Option<LoadedProfile>,
    /// The parsed document (`None` when it did not parse): the certificate files it names and
    /// their positions, for [`Checked::with_files`].
    pub document: Option<Document>,
    /// Where relative paths are resolved from.
    pub base_dir: PathBuf,
}

impl Checked {
    /// Add a finding for each certificate file the document names that is missing,
    /// unreadable, or not what its entry says (a PKCS#12 file, an X.509 certificate), read
    /// relative to the base directory; a profile with such a finding is not valid. For
    /// callers that read the administrator's files (`validate`, `emit`, `batch`); the
    /// server's validation of posted profiles reads no file and does not call this.
    pub fn with_files(mut self) -> Checked {
        let Some(doc) = &self.document else {
            return self;
        };
        let found = MaterialReader::plain(&self.base_dir).file_findings(doc);
        if !found.is_empty() {
            self.profile = None;
            self.findings.extend(found);
        }
        self
    }
}

/// The finding for a document that does not parse as `format`.
fn syntax_finding(e: input::ParseError, format: Format) -> Finding {
    Finding {
        severity: Severity::Error,
        pointer: String::new(),
        position: e.position,
        message: e.message,
        expected: Some(format!("a {} document", format.name().to_uppercase())),
        rule: "syntax".into(),
    }
}

/// Parse and validate `bytes`; relative paths in the profile will be read below `base_dir`.
pub fn check(
    bytes: &[u8],
    format: Format,
    options: ValidationOptions,
    base_dir: PathBuf,
) -> Checked {
    let doc = match input::parse(bytes, format) {
        Ok(doc) => doc,
        Err(e) => {
            return Checked {
                findings: vec![syntax_finding(e, format)],
                profile: None,
                document: None,
                base_dir,
            };
        }
    };
    let report = emailprof_core::validate(&doc, options);
    let warnings = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    Checked {
        profile: report.profile.map(|profile| LoadedProfile {
            base_dir: base_dir.clone(),
            profile,
            warnings,
        }),
        findings: report.findings,
        document: Some(doc),
        base_dir,
    }
}

/// [`check`], as a result: the profile and its findings, or every finding when it has errors.
pub fn load(
    bytes: &[u8],
    format: Format,
    options: ValidationOptions,
    base_dir: PathBuf,
) -> Result<(LoadedProfile, Vec<Finding>), Vec<Finding>> {
    let checked = check(bytes, format, options, base_dir);
    match checked.profile {
        Some(p) => Ok((p, checked.findings)),
        None => Err(checked.findings),
    }
}

/// The format of the profile `spec` names: `given`, else YAML for stdin (`-`), else from the
/// file name's extension.
pub fn format_of(spec: &str, given: Option<Format>) -> crate::Result<Format> {
    match given.or((spec == "-").then_some(Format::Yaml)) {
        Some(f) => Ok(f),
        None => Format::from_path(spec).ok_or_else(|| {
            crate::Error::invalid(format!(
                "{spec}: cannot tell the format from the file name; use a .yaml, .yml, .json or .toml extension or --format"
            ))
        }),
    }
}

/// The directory relative paths of the profile file `spec` resolve from (`-`: stdin, `.`).
pub fn base_dir_of(spec: &str) -> PathBuf {
    if spec == "-" {
        return PathBuf::from(".");
    }
    Path::new(spec)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
