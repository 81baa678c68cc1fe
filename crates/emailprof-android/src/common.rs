//! What the three app emitters share: options, the AMAPI policy fragment, diagnostics.

use emailprof_core::emit::unsupported_diagnostics_lowered;
use emailprof_core::input::escape_segment;
use emailprof_core::model::{CertificateKind, EmailProfile};
use emailprof_core::{
    Artifact, Diagnostic, Emission, EmitError, EmitOptions, Emitter, Operation, Setting, Severity,
    Support,
};
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value;

/// What an app emitter type has that differs between apps only by name, in its module (beside
/// its `PROPERTIES`): `managed_properties()`, and in `impl Emitter` the id, title and family
/// (`app_emitter!(impl "id", "title")`).
macro_rules! app_emitter {
    ($ty:ident) => {
        impl $ty {
            /// The managed properties the emitter writes, with their sources.
            pub fn managed_properties() -> &'static [$crate::properties::ManagedProperty] {
                PROPERTIES
            }
        }
    };
    (impl $id:literal, $title:literal) => {
        fn id(&self) -> &'static str {
            $id
        }

        fn title(&self) -> &'static str {
            $title
        }

        fn family(&self) -> emailprof_core::Family {
            emailprof_core::Family::Android
        }
    };
}
pub(crate) use app_emitter;

/// A managed configuration in the order the emitter writes it, so output bytes do not depend
/// on how `serde_json` orders maps.
#[derive(Default)]
pub(crate) struct Configuration {
    entries: Vec<(&'static str, Value)>,
}

impl Configuration {
    pub(crate) fn string(&mut self, key: &'static str, value: impl Into<String>) {
        self.entries.push((key, Value::String(value.into())));
    }

    pub(crate) fn bool(&mut self, key: &'static str, value: bool) {
        self.entries.push((key, Value::Bool(value)));
    }

    /// The keys and values in the order written.
    pub(crate) fn entries(&self) -> &[(&'static str, Value)] {
        &self.entries
    }
}

// Values are never shown: a configuration may carry user data.
impl std::fmt::Debug for Configuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(k, _)| k))
            .finish()
    }
}

impl Serialize for Configuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// AMAPI `Policy` with one `ApplicationPolicy`; the administrator merges it into the policy
/// (install type, permissions and the like are theirs to choose).
#[derive(Serialize)]
struct PolicyFragment<'a> {
    applications: [ApplicationPolicy<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationPolicy<'a> {
    package_name: &'a str,
    managed_configuration: &'a Configuration,
}

/// Android apps take no command stream and no output form: refuse what does not apply.
fn check_options(id: &str, options: &EmitOptions) -> Result<(), EmitError> {
    if let Some(form) = &options.form {
        return Err(EmitError::InvalidOption(format!(
            "{id} has one output form (an Android Management API policy fragment); `{form}` does not apply"
        )));
    }
    if options.operation == Operation::Remove {
        return Err(EmitError::InvalidOption(format!(
            "{id} cannot express removal: remove the application's managedConfiguration from the policy instead"
        )));
    }
    Ok(())
}

/// The start of every app's `emit`: the options checked, then a diagnostic for each configured
/// setting the app cannot express.
pub(crate) fn start(
    emitter: &dyn Emitter,
    profile: &EmailProfile,
    options: &EmitOptions,
) -> Result<Vec<Diagnostic>, EmitError> {
    check_options(emitter.id(), options)?;
    Ok(unsupported_start(emitter, profile))
}

/// The diagnostics for every configured setting `emitter` cannot express, profile texts as
/// information only.
pub(crate) fn unsupported_start(emitter: &dyn Emitter, profile: &EmailProfile) -> Vec<Diagnostic> {
    unsupported_diagnostics_lowered(emitter, profile, INFORMATIONAL)
}

/// The emission of one app: the policy fragment as a file `<identifier>.<app>.json`.
pub(crate) fn emission(
    identifier: &str,
    app: &str,
    package: &str,
    configuration: &Configuration,
    diagnostics: Vec<Diagnostic>,
) -> Emission {
    Emission {
        artifacts: vec![artifact(identifier, app, package, configuration)],
        diagnostics,
    }
}

fn artifact(identifier: &str, app: &str, package: &str, configuration: &Configuration) -> Artifact {
    let doc = PolicyFragment {
        applications: [ApplicationPolicy {
            package_name: package,
            managed_configuration: configuration,
        }],
    };
    // Strings and booleans serialise to JSON without fail.
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("a JSON value serialises");
    bytes.push(b'\n');
    Artifact {
        file_name: format!("{identifier}.{app}.json"),
        media_type: "application/json".into(),
        signable: false,
        bytes,
    }
}

/// Settings that only name or describe things: their diagnostics are information, since
/// leaving them out changes no behaviour on the device.
const INFORMATIONAL: &[Setting] = &[
    Setting::DisplayName,
    Setting::Organization,
    Setting::Description,
    Setting::AccountName,
];

/// What every app answers for the identifier: a managed configuration has no such key.
pub(crate) const IDENTIFIER_SUPPORT: Support = Support::Partial {
    since: None,
    note: "names the output file only",
};

/// What every app with confirmed keys answers for the profile's name and description.
pub(crate) const PROFILE_TEXT_SUPPORT: Support = Support::Unsupported {
    reason: "a managed configuration has no profile name or description; name the policy in the EMM",
};

/// What every app answers for the Android app choice.
pub(crate) const ANDROID_APP_SUPPORT: Support = Support::Partial {
    since: None,
    note: "chooses the app the plain `android` target means; not written",
};

/// A warning for each certificate of `profile` but `except` (one referenced otherwise): a
/// managed configuration delivers none.
pub(crate) fn undelivered_certificates(
    platform: &str,
    profile: &EmailProfile,
    except: Option<&str>,
) -> impl Iterator<Item = Diagnostic> {
    profile
        .certificates
        .keys()
        .filter(move |name| Some(name.as_str()) != except)
        .map(move |name| {
            certificate_diagnostic(
                Severity::Warning,
                platform,
                name,
                "not delivered: a managed configuration carries no certificates; install it with the EMM".into(),
            )
        })
}

/// A diagnostic about one entry of `certificates`, pointing at it.
pub(crate) fn certificate_diagnostic(
    severity: Severity,
    platform: &str,
    name: &str,
    message: String,
) -> Diagnostic {
    Diagnostic {
        severity,
        setting: format!(
            "{}/{}",
            Setting::Certificates.pointer(),
            escape_segment(name)
        ),
        platform: platform.to_owned(),
        message,
    }
}

/// The work-profile keystore alias of the identity certificate, when the profile uses
/// certificate authentication with a certificate delivered by another profile.
///
/// `Err` says why there is none, for a diagnostic.
pub(crate) fn identity_alias(profile: &EmailProfile) -> Result<(&str, &str), String> {
    let Some(name) = profile
        .account
        .authentication
        .identity_certificate
        .as_deref()
    else {
        return Err("no identity certificate is named".into());
    };
    let Some(cert) = profile.certificates.get(name) else {
        return Err(format!("certificate `{name}` is not defined"));
    };
    match (
        cert.kind,
        cert.external
            .as_ref()
            .and_then(|e| e.android_alias.as_deref()),
    ) {
        (CertificateKind::External, Some(alias)) => Ok((name, alias)),
        (CertificateKind::External, None) => Err(format!(
            "certificate `{name}` has no `external.androidAlias`; set the alias under which the EMM installs it in the work-profile keystore"
        )),
        _ => Err(format!(
            "certificate `{name}` would have to be delivered with the profile, which a managed configuration cannot do; install it with the EMM (e.g. an AMAPI certificate policy) and describe it as `kind: external` with its `androidAlias`"
        )),
    }
}
