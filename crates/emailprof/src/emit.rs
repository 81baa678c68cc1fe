//! One user's artifacts: the path `emit`, `serve` and every library caller share.

use emailprof_core::{Emission, EmitOptions, ResolvedProfile};

use crate::error::{Error, Result};
use crate::material::MaterialReader;
use crate::profile::LoadedProfile;
use crate::registry;
use crate::users::UserSource;

/// One emission request: which platform, for which user, how.
pub struct EmitRequest<'a> {
    /// A platform id of [`registry::emitters`].
    pub platform: &'a str,
    /// Where the user's attributes come from.
    pub users: &'a UserSource,
    /// The user's id in the source (ignored for placeholders).
    pub user: Option<&'a str>,
    pub options: EmitOptions,
}

/// What one emission produced, and what the material reader noticed on the way.
#[derive(Debug)]
pub struct Emitted {
    pub emission: Emission,
    /// Notes for the user about the files read (e.g. loose permissions), in the order found.
    pub notices: Vec<String>,
}

/// Emit `loaded` for one platform and user, reading certificate material with `reader`.
pub fn emit_user(
    loaded: &LoadedProfile,
    request: &EmitRequest<'_>,
    reader: &MaterialReader,
) -> Result<Emitted> {
    let emitter = registry::emitter(request.platform)?;
    registry::check_request(emitter.as_ref(), &loaded.profile, &request.options)?;
    // Intune's custom form is Intune's own object: its tokens are the ones it would fill, and
    // the emission says that Intune documents them for other profile types (below).
    let intune_custom = request.options.form.as_deref() == Some("intune-custom")
        && matches!(
            request.users,
            UserSource::Placeholders(crate::users::Mdm::Intune)
        );
    if let UserSource::Placeholders(mdm) = request.users
        && !intune_custom
    {
        let fills = crate::users::placeholder_platforms(*mdm);
        if !fills.contains(&emitter.id()) {
            return Err(Error::invalid(format!(
                "{} fills its variables only in what it delivers to {}; {} artifacts would carry them unfilled: emit one of those platforms, or give --directory or --resolver for real values",
                mdm.product(),
                fills.join(", "),
                emitter.id()
            )));
        }
    }
    let user = request.users.identity(&loaded.profile, request.user)?;
    let materials = reader.materials(&loaded.profile, request.options.include_password)?;
    let resolved = ResolvedProfile {
        profile: loaded.profile.clone(),
        user,
        materials: materials.certificates,
        password: materials.password,
    };
    tracing::info!(platform = emitter.id(), user = %resolved.user.user_id, "emitting");
    let mut emission = emitter
        .emit(&resolved, &request.options)
        .map_err(|e| Error::invalid(format!("{}: {e}", emitter.id())))?;
    if intune_custom {
        emission.diagnostics.push(emailprof_core::Diagnostic {
            severity: emailprof_core::Severity::Warning,
            setting: "/account/username/source".into(),
            platform: emitter.id().into(),
            message: "Intune documents its {{…}} tokens for iOS custom profiles and app configuration, not for Windows custom OMA-URI values: check on one device that Intune fills in the user name and email address before assigning it widely".into(),
        });
    }
    Ok(Emitted {
        emission,
        notices: materials.notices,
    })
}
