//! emailprof-core: the email profile model, its validation, the per-user attribute logic and
//! the emitter trait. Pure: no file, network, clock or environment access.

pub mod attributes;
pub mod diff;
pub mod document;
pub mod emit;
pub mod host;
pub mod input;
pub mod model;
pub mod schema;
pub mod secret;
pub mod settings;
pub mod validate;

pub use attributes::{
    AttributeResolver, DirectoryAttributes, MissingAttributes, ResolveError, UserIdentity,
    resolve_identity,
};
pub use document::{minimal_document, to_document};
pub use emit::{
    Artifact, CertificateMaterial, Diagnostic, Emission, EmitError, EmitOptions, Emitter, Family,
    Operation, OsVersion, PreparedEmitter, ResolvedProfile, Severity, Support,
};
pub use input::{Document, Format, Position};
pub use model::EmailProfile;
pub use secret::{Secret, SecretRef};
pub use settings::Setting;
pub use validate::{Finding, Report, ValidationOptions, validate};

/// Parse and validate a profile document in one step.
pub fn load(
    bytes: &[u8],
    format: Format,
    options: ValidationOptions,
) -> Result<Report, input::ParseError> {
    let doc = input::parse(bytes, format)?;
    Ok(validate(&doc, options))
}
