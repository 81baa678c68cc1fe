//! emailprof as a library: one email profile and a source of users in, each platform's
//! artifacts out, for one user or a whole directory.
//!
//! The pipeline: [`profile::load`] parses and validates a profile; a [`UserSource`] (a
//! directory file, a resolver plugin, or an MDM's placeholders) gives each user's attributes; a
//! [`MaterialReader`] reads the certificate files and secrets the profile names; [`emit_user`]
//! runs one platform's emitter (see [`registry`]) for one user; a [`Signer`] signs what the
//! emitter marked signable; [`batch::run`] does all of it for every user of a directory, in
//! parallel, into files, a tar archive or JSON lines.
//!
//! The library prints nothing and decides no exit codes: it returns data ([`Finding`]s,
//! [`Diagnostic`]s, a [`batch::BatchReport`]) and [`Error`]s whose [`ErrorKind`] says whether
//! the input was at fault. File reads happen only in the [`MaterialReader`] (and when loading
//! a directory file or a plugin); writes only in the batch sinks.
//!
//! ```
//! use emailprof::{EmitRequest, MaterialReader, UserSource, emit_user, profile};
//! use emailprof_core::{EmitOptions, Format, ValidationOptions};
//!
//! let yaml = b"displayName: Contoso Exchange
//! identifier: com.contoso.email
//! account:
//!   server: outlook.office365.com
//!   accountName: Contoso mail
//! ";
//! let (loaded, _findings) =
//!     profile::load(yaml, Format::Yaml, ValidationOptions::default(), ".".into())
//!         .expect("a valid profile");
//! let users = UserSource::directory(None)?; // the built-in example directory
//! let reader = MaterialReader::plain(&loaded.base_dir);
//! for platform in ["ios", "windows"] {
//!     let request = EmitRequest {
//!         platform,
//!         users: &users,
//!         user: Some("user1"),
//!         options: EmitOptions::default(),
//!     };
//!     let emitted = emit_user(&loaded, &request, &reader)?;
//!     let artifact = &emitted.emission.artifacts[0];
//!     assert!(!artifact.bytes.is_empty());
//!     println!("{platform}: {} ({} bytes)", artifact.file_name, artifact.bytes.len());
//! }
//! # Ok::<(), emailprof::Error>(())
//! ```

pub mod batch;
pub mod diff;
mod emit;
mod error;
mod intune;
pub mod material;
pub mod messages;
pub mod profile;
pub mod registry;
mod sign;
pub mod users;
pub mod web;

pub use emailprof_core::{Diagnostic, Finding};
pub use emit::{EmitRequest, Emitted, emit_user};
pub use error::{Context, Error, ErrorKind, Result};
pub use material::MaterialReader;
pub use profile::LoadedProfile;
pub use sign::{Signer, parse_rfc3339_utc};
pub use users::{PluginSpec, UserSource};

/// Reading other tools' profiles in, and writing Intune's out.
pub mod import {
    pub use emailprof_intune::{
        GraphType, MAX_GRAPH_BYTES, export_graph, import_graph, import_graph_report,
    };
    pub use emailprof_ios::{ImportOptions, import_mobileconfig, import_mobileconfig_with};

    pub use crate::intune::{
        ANDROID_APP_CONFIGURATION, EXPORT_PLATFORMS, IOS_APP_CONFIGURATION, IntuneExport,
        IntuneTarget, WINDOWS_CUSTOM, export_intune, intune_target,
    };
}
