//! `export intune`: a profile as the Graph object Intune takes for one device app.
//!
//! The platform is named with the same ids as `emit` (`-p` means the same device app
//! everywhere); where Graph has several object types for that app (work profile, "Android for
//! Work", a native email profile or a custom OMA-URI configuration), the Graph type name
//! chooses. A platform whose types include more than one email-profile type has no default.

use base64::Engine;
use emailprof_core::{Diagnostic, EmitOptions, Severity};
use emailprof_intune::GraphType;
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::material::MaterialReader;
use crate::profile::LoadedProfile;
use crate::users::{Mdm, UserSource};
use crate::{EmitRequest, emit_user};

/// Graph's custom configuration for Windows 10/11: OMA-URI settings (the ActiveSync CSP).
pub const WINDOWS_CUSTOM: &str = "windows10CustomConfiguration";
/// Graph's managed Google Play app configuration (Outlook's `com.microsoft.outlook.*` keys).
pub const ANDROID_APP_CONFIGURATION: &str = "androidManagedStoreAppConfiguration";
/// Graph's iOS managed app configuration (the same Outlook keys, as `settings`).
pub const IOS_APP_CONFIGURATION: &str = "iosMobileAppConfiguration";

/// What `export intune` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntuneTarget {
    /// One of the eight email-profile types.
    Email(GraphType),
    /// `windows10CustomConfiguration` holding ActiveSync CSP settings.
    WindowsCustom,
    /// `androidManagedStoreAppConfiguration` for Outlook.
    OutlookAndroid,
    /// `iosMobileAppConfiguration` for Outlook.
    OutlookIos,
}

impl IntuneTarget {
    /// The Graph type name, e.g. `androidWorkProfileGmailEasConfiguration`.
    pub fn name(self) -> &'static str {
        match self {
            IntuneTarget::Email(t) => t.name(),
            IntuneTarget::WindowsCustom => WINDOWS_CUSTOM,
            IntuneTarget::OutlookAndroid => ANDROID_APP_CONFIGURATION,
            IntuneTarget::OutlookIos => IOS_APP_CONFIGURATION,
        }
    }

    fn all() -> impl Iterator<Item = IntuneTarget> {
        GraphType::ALL.into_iter().map(IntuneTarget::Email).chain([
            IntuneTarget::WindowsCustom,
            IntuneTarget::OutlookAndroid,
            IntuneTarget::OutlookIos,
        ])
    }
}

/// Per platform id: the Graph types it can be exported as, and the one `-p` alone means
/// (`None`: several email-profile types, the caller must choose).
fn platform_targets(platform: &str) -> Option<(Vec<IntuneTarget>, Option<IntuneTarget>)> {
    use GraphType::*;
    use IntuneTarget::*;
    let one = |t| Some((vec![t], Some(t)));
    match platform {
        "ios" => one(Email(Ios)),
        "windows" => Some((
            vec![Email(Windows10), WindowsCustom],
            Some(Email(Windows10)),
        )),
        "android-knox" => one(Email(AndroidKnox)),
        "android-outlook" => one(OutlookAndroid),
        "ios-outlook" => one(OutlookIos),
        "android-gmail" => Some((
            vec![Email(AndroidWorkProfileGmail), Email(AndroidForWorkGmail)],
            None,
        )),
        // Nine Work has no `emit` platform; its two Graph types are chosen like Gmail's.
        "android-nine" => Some((
            vec![
                Email(AndroidWorkProfileNineWork),
                Email(AndroidForWorkNineWork),
            ],
            None,
        )),
        // Earlier ids that name exactly one type, kept.
        "windows-phone" => one(Email(WindowsPhone)),
        "android-forwork-gmail" => one(Email(AndroidForWorkGmail)),
        "android-forwork-nine" => one(Email(AndroidForWorkNineWork)),
        _ => None,
    }
}

/// The platform ids `export intune -p` accepts.
pub const EXPORT_PLATFORMS: [&str; 10] = [
    "ios",
    "ios-outlook",
    "windows",
    "windows-phone",
    "android-knox",
    "android-gmail",
    "android-nine",
    "android-outlook",
    "android-forwork-gmail",
    "android-forwork-nine",
];

fn names(targets: &[IntuneTarget]) -> String {
    let names: Vec<&str> = targets.iter().map(|t| t.name()).collect();
    names.join(", ")
}

/// The object `-p platform` and `--graph-type name` ask for.
pub fn intune_target(platform: Option<&str>, graph_type: Option<&str>) -> Result<IntuneTarget> {
    let by_name = match graph_type {
        Some(name) => {
            let name = name.trim();
            let name = name.strip_prefix("#microsoft.graph.").unwrap_or(name);
            let all: Vec<IntuneTarget> = IntuneTarget::all().collect();
            match all.iter().find(|t| t.name().eq_ignore_ascii_case(name)) {
                Some(t) => Some(*t),
                None => {
                    return Err(Error::invalid(format!(
                        "--graph-type `{name}` is not a Graph type export can write; expected one of: {}",
                        names(&all)
                    )));
                }
            }
        }
        None => None,
    };
    let Some(platform) = platform else {
        return by_name.ok_or_else(|| Error::invalid("give -p PLATFORM or --graph-type TYPE"));
    };
    let Some((targets, default)) = platform_targets(platform) else {
        return Err(Error::invalid(format!(
            "no Intune object for platform `{platform}`; expected one of: {}",
            EXPORT_PLATFORMS.join(", ")
        )));
    };
    match (by_name, default) {
        (Some(t), _) if targets.contains(&t) => Ok(t),
        (Some(t), _) => Err(Error::invalid(format!(
            "--graph-type {} is not a type for platform `{platform}`; its types: {}",
            t.name(),
            names(&targets)
        ))),
        (None, Some(t)) => Ok(t),
        (None, None) => Err(Error::invalid(format!(
            "platform `{platform}` has several Graph email-profile types; choose one with --graph-type: {}",
            names(&targets)
        ))),
    }
}

/// The Graph object and what it could not hold.
#[derive(Debug)]
pub struct IntuneExport {
    pub json: Value,
    pub diagnostics: Vec<Diagnostic>,
}

/// Write `loaded` as `target`. The app and custom configurations hold per-user values, which
/// are written as Intune's own tokens (`{{userprincipalname}}`, …) for Intune to fill in.
pub fn export_intune(
    loaded: &LoadedProfile,
    target: IntuneTarget,
    reader: &MaterialReader,
) -> Result<IntuneExport> {
    let (platform, form) = match target {
        IntuneTarget::Email(t) => {
            let e = emailprof_intune::export_graph(&loaded.profile, t)
                .map_err(|e| Error::invalid(e.to_string()))?;
            return Ok(IntuneExport {
                json: e.json,
                diagnostics: e.diagnostics,
            });
        }
        IntuneTarget::WindowsCustom => ("windows", Some("intune-custom".to_owned())),
        // The same keys and values on iOS (ios-outlook writes them as a plist dictionary).
        IntuneTarget::OutlookAndroid | IntuneTarget::OutlookIos => ("android-outlook", None),
    };
    let users = UserSource::Placeholders(Mdm::Intune);
    let request = EmitRequest {
        platform,
        users: &users,
        user: None,
        options: EmitOptions {
            form,
            ..EmitOptions::default()
        },
    };
    let emitted = emit_user(loaded, &request, reader)?;
    let mut diagnostics = emitted.emission.diagnostics;
    let bytes = emitted
        .emission
        .artifacts
        .first()
        .map(|a| a.bytes.as_slice())
        .unwrap_or_default();
    let doc: Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::invalid(format!("{platform} wrote no JSON: {e}")))?;
    let json = match target {
        IntuneTarget::OutlookIos => {
            let p = &loaded.profile;
            diagnostics.retain(|d| d.setting != "/displayName" && d.setting != "/description");
            for d in &mut diagnostics {
                if d.platform == "android-outlook" {
                    d.platform = "ios-outlook".into();
                }
            }
            ios_app_configuration(&doc, &p.display_name, p.description.as_deref())?
        }
        IntuneTarget::OutlookAndroid => {
            let p = &loaded.profile;
            // The Graph object has a name and a description, unlike the managed configuration.
            diagnostics.retain(|d| d.setting != "/displayName" && d.setting != "/description");
            diagnostics.push(Diagnostic::new(
                Severity::Info,
                emailprof_core::Setting::AndroidApp,
                ANDROID_APP_CONFIGURATION,
                "targetedMobileApps not written: it holds the tenant's own id of the Outlook app; choose the app when assigning the configuration",
            ));
            android_app_configuration(&doc, &p.display_name, p.description.as_deref())?
        }
        _ => doc,
    };
    Ok(IntuneExport { json, diagnostics })
}

/// An AMAPI policy fragment's first application as Intune's `androidManagedStoreAppConfiguration`:
/// `payloadJson` is the Play EMM `managedConfiguration` (`managedProperty` entries typed by
/// value), base64-encoded (android-windows.md §2.2).
fn android_app_configuration(
    fragment: &Value,
    display_name: &str,
    description: Option<&str>,
) -> Result<Value> {
    let app = fragment
        .pointer("/applications/0")
        .ok_or_else(|| Error::invalid("the app configuration names no application"))?;
    let package = app["packageName"].as_str().unwrap_or_default();
    let mut properties = Vec::new();
    if let Some(config) = app["managedConfiguration"].as_object() {
        for (key, value) in config {
            let mut p = Map::new();
            p.insert("key".into(), key.clone().into());
            let field = match value {
                Value::Bool(_) => "valueBool",
                Value::Number(_) => "valueInteger",
                Value::Array(_) => "valueStringArray",
                _ => "valueString",
            };
            p.insert(field.into(), value.clone());
            properties.push(Value::Object(p));
        }
    }
    let payload = json!({
        "kind": "androidenterprise#managedConfiguration",
        "productId": format!("app:{package}"),
        "managedProperty": properties,
    });
    let payload = serde_json::to_vec(&payload).map_err(|e| Error::invalid(e.to_string()))?;
    let mut out = Map::new();
    out.insert(
        "@odata.type".into(),
        format!("#microsoft.graph.{ANDROID_APP_CONFIGURATION}").into(),
    );
    out.insert("displayName".into(), display_name.into());
    if let Some(d) = description {
        out.insert("description".into(), d.into());
    }
    out.insert("packageId".into(), format!("app:{package}").into());
    out.insert(
        "payloadJson".into(),
        base64::engine::general_purpose::STANDARD
            .encode(payload)
            .into(),
    );
    out.insert("profileApplicability".into(), "default".into());
    out.insert("permissionActions".into(), Value::Array(Vec::new()));
    Ok(Value::Object(out))
}

/// An AMAPI policy fragment's first application as Intune's `iosMobileAppConfiguration`:
/// each key a `settings` entry typed `booleanType` or `stringType`.
fn ios_app_configuration(
    fragment: &Value,
    display_name: &str,
    description: Option<&str>,
) -> Result<Value> {
    let config = fragment
        .pointer("/applications/0/managedConfiguration")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::invalid("the app configuration has no managedConfiguration"))?;
    let settings: Vec<Value> = config
        .iter()
        .map(|(key, value)| {
            let (ty, text) = match value {
                Value::Bool(b) => ("booleanType", b.to_string()),
                Value::Number(n) => ("integerType", n.to_string()),
                Value::String(s) => ("stringType", s.clone()),
                other => ("stringType", other.to_string()),
            };
            json!({ "appConfigKey": key, "appConfigKeyType": ty, "appConfigKeyValue": text })
        })
        .collect();
    let mut out = Map::new();
    out.insert(
        "@odata.type".into(),
        format!("#microsoft.graph.{IOS_APP_CONFIGURATION}").into(),
    );
    out.insert("displayName".into(), display_name.into());
    if let Some(d) = description {
        out.insert("description".into(), d.into());
    }
    out.insert("settings".into(), Value::Array(settings));
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_ids_mean_the_device_app_and_graph_types_choose() {
        let t = |p: Option<&str>, g: Option<&str>| intune_target(p, g).map_err(|e| e.to_string());
        assert_eq!(
            t(Some("ios"), None),
            Ok(IntuneTarget::Email(GraphType::Ios))
        );
        assert_eq!(
            t(Some("windows"), None),
            Ok(IntuneTarget::Email(GraphType::Windows10))
        );
        assert_eq!(
            t(Some("windows"), Some("windows10CustomConfiguration")),
            Ok(IntuneTarget::WindowsCustom)
        );
        assert_eq!(
            t(Some("android-outlook"), None),
            Ok(IntuneTarget::OutlookAndroid)
        );
        assert_eq!(t(Some("ios-outlook"), None), Ok(IntuneTarget::OutlookIos));
        // android-gmail is Gmail, whichever Graph type: ambiguous alone.
        let e = t(Some("android-gmail"), None).unwrap_err();
        assert!(e.contains("--graph-type"), "{e}");
        assert!(e.contains("androidWorkProfileGmailEasConfiguration"), "{e}");
        assert!(e.contains("androidForWorkGmailEasConfiguration"), "{e}");
        assert_eq!(
            t(
                Some("android-gmail"),
                Some("androidWorkProfileGmailEasConfiguration")
            ),
            Ok(IntuneTarget::Email(GraphType::AndroidWorkProfileGmail))
        );
        assert_eq!(
            t(
                None,
                Some("#microsoft.graph.androidForWorkGmailEasConfiguration")
            ),
            Ok(IntuneTarget::Email(GraphType::AndroidForWorkGmail))
        );
        assert!(
            t(Some("android-nine"), None)
                .unwrap_err()
                .contains("--graph-type")
        );
        // A type of another platform, an unknown type, a platform without a Graph object.
        assert!(
            t(Some("ios"), Some("windows10EasEmailProfileConfiguration"))
                .unwrap_err()
                .contains("not a type for platform `ios`")
        );
        assert!(t(None, Some("iosGeneralDeviceConfiguration")).is_err());
        assert!(t(Some("android-samsung"), None).is_err());
        assert!(t(None, None).is_err());
        // Every `emit` platform but Samsung Email has a Graph object.
        for e in crate::registry::emitters() {
            if e.id() != "android-samsung" {
                assert!(EXPORT_PLATFORMS.contains(&e.id()), "{}", e.id());
            }
        }
        for p in EXPORT_PLATFORMS {
            assert!(platform_targets(p).is_some(), "{p}");
        }
    }
}
