//! The Samsung Knox (Android device administrator) target.
//!
//! Knox's own Exchange API (`ExchangeAccountPolicy`) is an on-device Java API, deprecated since
//! Knox API level 27, and nothing file-shaped exists on the device side (android-windows.md
//! §5.1). What an administrator can hand to an MDM is Intune's Graph object for Knox,
//! `androidEasEmailProfileConfiguration`, so that is this emitter's artifact.

use emailprof_core::{
    Artifact, Emission, EmitError, EmitOptions, Emitter, Family, Operation, ResolvedProfile,
    Setting, Support,
};

use crate::IntuneError;
use crate::export::export_graph;
use crate::graph_type::GraphType;

/// Emits `<identifier>.knox.graph.json`: the Graph `androidEasEmailProfileConfiguration`.
///
/// The object is the same for every user: Intune fills in each user's name and address from
/// the directory when it delivers the profile.
#[derive(Clone, Copy, Debug, Default)]
pub struct KnoxEmitter;

impl KnoxEmitter {
    /// The `--form` values accepted (none, or `graph`).
    pub const FORMS: [&'static str; 1] = ["graph"];
}

impl Emitter for KnoxEmitter {
    fn id(&self) -> &'static str {
        GraphType::AndroidKnox.platform_id()
    }

    fn title(&self) -> &'static str {
        "Samsung Knox, Android device administrator (Intune Graph JSON)"
    }

    fn family(&self) -> Family {
        Family::Android
    }

    fn support(&self, setting: Setting) -> Support {
        GraphType::AndroidKnox.support(setting)
    }

    fn emit(
        &self,
        profile: &ResolvedProfile,
        options: &EmitOptions,
    ) -> Result<Emission, EmitError> {
        if let Some(form) = options.form.as_deref()
            && !Self::FORMS.contains(&form)
        {
            return Err(EmitError::InvalidOption(format!(
                "android-knox has no form `{form}`; it writes the Graph object (`graph`)"
            )));
        }
        if options.operation == Operation::Remove {
            return Err(EmitError::InvalidOption(
                "android-knox writes the Graph object to create or update; remove the profile in Intune".into(),
            ));
        }
        let export = export_graph(&profile.profile, GraphType::AndroidKnox).map_err(|e| match e {
            IntuneError::GraphId { certificate, .. } => EmitError::Material {
                name: certificate,
                message: "its graphId cannot stand in a Graph URL (letters, digits, `-`, `_` and `.` only)".into(),
            },
            other => EmitError::InvalidOption(other.to_string()),
        })?;
        let mut bytes = serde_json::to_vec_pretty(&export.json)
            .map_err(|e| EmitError::InvalidOption(e.to_string()))?;
        bytes.push(b'\n');
        Ok(Emission {
            artifacts: vec![Artifact {
                file_name: format!("{}.knox.graph.json", profile.profile.identifier),
                media_type: "application/json".into(),
                signable: false,
                bytes,
            }],
            diagnostics: export.diagnostics,
        })
    }
}
