//! emailprof-intune: Microsoft Intune's own email profiles, the Microsoft Graph (beta)
//! `deviceManagement/deviceConfigurations` objects that Intune backups hold.
//!
//! - [`import_graph`] reads any of the eight concrete types into emailprof profile documents,
//!   reporting what does not carry over as [`GraphFinding`]s.
//! - [`export_graph`] writes a profile as the Graph JSON Intune accepts for one [`GraphType`].
//! - [`KnoxEmitter`] is the Samsung Knox target: Intune's `androidEasEmailProfileConfiguration`.
//!
//! Pure: no file, network, clock or environment access. The facts behind every mapping are in
//! `shared/reference/notes/intune-graph.md`, cited by section.

mod export;
mod graph_type;
mod import;
mod knox;
mod properties;
mod support;
mod wire;

pub use export::{GraphExport, export_graph};
pub use graph_type::GraphType;
pub use import::{
    GraphFinding, GraphImport, IDENTIFIER_PREFIX, ImportedGraphProfile, MAX_GRAPH_BYTES,
    import_graph, import_graph_report,
};
pub use knox::KnoxEmitter;

/// Why a Graph file could not be read, or a profile not written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntuneError {
    #[error("the file is {size} bytes; Graph exports are limited to {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// `message` is serde_json's, which names the line and column too.
    #[error("not JSON: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Shape(String),
    #[error("no Exchange ActiveSync email profile in the file (found {found})")]
    NoEmailProfile { found: String },
    #[error(
        "certificate `{certificate}`: graphId `{id}` cannot stand in a Graph URL (letters, digits, `-`, `_` and `.` only)"
    )]
    GraphId { certificate: String, id: String },
}

/// The emitters of this crate, for the CLI's registry.
pub fn emitters() -> Vec<Box<dyn emailprof_core::Emitter>> {
    vec![Box::new(KnoxEmitter)]
}
