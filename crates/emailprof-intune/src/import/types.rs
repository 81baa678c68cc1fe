//! What an import gives: the profiles and the findings about the input.

use emailprof_core::Severity;
use serde_json::Value;

use crate::graph_type::GraphType;

/// The largest Graph export accepted; a whole tenant's `deviceConfigurations` fits easily.
pub const MAX_GRAPH_BYTES: usize = 32 * 1024 * 1024;

/// The namespace of imported profile identifiers: `com.microsoft.intune.<id or name>`.
pub const IDENTIFIER_PREFIX: &str = "com.microsoft.intune.";

/// Something the importer has to tell about the Graph input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphFinding {
    pub severity: Severity,
    /// JSON pointer in the Graph input, e.g. `/value/0/easServices`.
    pub pointer: String,
    pub message: String,
}

impl std::fmt::Display for GraphFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{}: {}: {}", self.severity, at, self.message)
    }
}

/// One Graph email profile, read into an emailprof profile document.
#[derive(Clone, Debug)]
pub struct ImportedGraphProfile {
    /// The email-profile type read; `None` for a Windows custom configuration or an Outlook
    /// app configuration (see `object_type`).
    pub graph_type: Option<GraphType>,
    /// The Graph type name of the object read, e.g. `iosEasEmailProfileConfiguration` or
    /// `windows10CustomConfiguration`.
    pub object_type: &'static str,
    /// The Graph object id, when the export has one.
    pub id: Option<String>,
    /// The emailprof profile document (settings at their defaults are left out). It is a
    /// valid profile whenever `findings` has no error. Its `identifier` is
    /// `com.microsoft.intune.<id>` (the Graph id, lower-cased), else
    /// `com.microsoft.intune.<display name as a lower-case slug>`, with `-2`, `-3` … added
    /// when one file yields the same identifier twice.
    pub profile: Value,
    pub findings: Vec<GraphFinding>,
}

impl ImportedGraphProfile {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Everything read from one Graph file: the email profiles, and what was skipped.
#[derive(Clone, Debug, Default)]
pub struct GraphImport {
    pub profiles: Vec<ImportedGraphProfile>,
    /// Findings about the file rather than one profile: objects that are not email profiles,
    /// paging left unread.
    pub findings: Vec<GraphFinding>,
}
