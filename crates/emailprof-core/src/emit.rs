//! The emitter trait: what a platform crate implements, and the data that crosses it.
//!
//! **Architecture invariant:** an [`Emitter`] is a pure function from a [`ResolvedProfile`]
//! and [`EmitOptions`] to bytes. It reads no file, clock, environment or network; the CLI
//! loads certificates and secrets into the [`ResolvedProfile`] and passes the signing time in.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::attributes::UserIdentity;
use crate::model::EmailProfile;
use crate::secret::Secret;
use crate::settings::Setting;

/// A profile with everything per-user and everything from outside filled in.
#[derive(Clone, Debug)]
pub struct ResolvedProfile {
    pub profile: EmailProfile,
    pub user: UserIdentity,
    /// Certificate material by certificate name (files read by the CLI).
    pub materials: BTreeMap<String, CertificateMaterial>,
    /// The account password, when the profile names a source and the CLI read it.
    pub password: Option<Secret>,
}

/// The bytes behind a certificate entry of the profile.
#[derive(Clone, Debug, PartialEq)]
pub enum CertificateMaterial {
    /// A PKCS#12 file and its passphrase.
    Pkcs12 {
        data: Vec<u8>,
        passphrase: Option<Secret>,
    },
    /// A CA certificate, DER-encoded (PEM input is converted by the reader).
    Ca { der: Vec<u8> },
    /// The SCEP challenge, when the profile names one.
    Scep { challenge: Option<Secret> },
}

/// What kind of change a Windows-style command stream expresses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    /// Provision the account.
    #[default]
    Add,
    /// Update an account provisioned earlier with the same profile and user.
    Replace,
    /// Remove the account.
    Remove,
}

/// Options of one emission, set by the CLI.
#[derive(Clone, Debug, Default)]
pub struct EmitOptions {
    /// Oldest OS version to target; `None` uses the profile's or the emitter's default.
    pub min_os_version: Option<OsVersion>,
    /// Write the account password into the artifact (when the profile has one).
    pub include_password: bool,
    /// Add, replace or remove (platforms whose format has commands).
    pub operation: Operation,
    /// An emitter-specific output form, e.g. `intune-custom` for Windows.
    pub form: Option<String>,
}

/// One output file.
#[derive(Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Suggested file name, without directories.
    pub file_name: String,
    /// IANA media type, e.g. `application/x-apple-aspen-config`.
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// Whether a signer may wrap the artifact in CMS SignedData (Apple configuration
    /// profiles); the emitter decides, the pipeline signs what is marked.
    pub signable: bool,
}

impl fmt::Debug for Artifact {
    // Artifacts may carry a password or key material when asked to; never dump them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Artifact")
            .field("file_name", &self.file_name)
            .field("media_type", &self.media_type)
            .field("len", &self.bytes.len())
            .field("signable", &self.signable)
            .finish()
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Something an emitter has to tell the administrator about one setting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// JSON pointer of the setting in the profile.
    pub setting: String,
    /// The platform (emitter id) the diagnostic is about.
    pub platform: String,
    pub message: String,
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        setting: Setting,
        platform: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            setting: setting.pointer().to_owned(),
            platform: platform.to_owned(),
            message: message.into(),
        }
    }

    /// The catalogue entry the diagnostic names, if it names one.
    pub fn setting(&self) -> Option<Setting> {
        Setting::from_pointer(&self.setting)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({}): {}",
            self.severity, self.setting, self.platform, self.message
        )
    }
}

/// What an emission produced.
#[derive(Clone, Debug, Default)]
pub struct Emission {
    pub artifacts: Vec<Artifact>,
    pub diagnostics: Vec<Diagnostic>,
}

/// How far a platform can express one setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "support")]
pub enum Support {
    /// Written to the artifact, from OS version `since` when given.
    Native {
        #[serde(skip_serializing_if = "Option::is_none")]
        since: Option<&'static str>,
    },
    /// Written, but not exactly as asked; `note` says how.
    Partial {
        #[serde(skip_serializing_if = "Option::is_none")]
        since: Option<&'static str>,
        note: &'static str,
    },
    /// Not expressible; reported as a diagnostic whenever configured.
    Unsupported { reason: &'static str },
    /// A setting of another platform's section; it asks nothing of this one.
    OtherPlatform,
}

impl Support {
    pub const NATIVE: Support = Support::Native { since: None };

    pub fn since(version: &'static str) -> Support {
        Support::Native {
            since: Some(version),
        }
    }

    pub fn is_expressed(self) -> bool {
        matches!(self, Support::Native { .. } | Support::Partial { .. })
    }
}

/// The platform family an emitter belongs to; decides which `platforms.*` section is its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Ios,
    Windows,
    Android,
}

impl Family {
    pub fn section(self) -> &'static str {
        match self {
            Family::Ios => "ios",
            Family::Windows => "windows",
            Family::Android => "android",
        }
    }
}

/// An emitter could not produce its artifact.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// An option does not apply, e.g. an unknown `form`.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// The profile asks for something this platform cannot do at all.
    #[error("{setting}: {message}")]
    Unsupported { setting: String, message: String },
    /// Certificate material is missing or malformed.
    #[error("certificate `{name}`: {message}")]
    Material { name: String, message: String },
}

/// An emitter prepared for one profile and options, emitting user after user: what `batch`
/// uses, so a platform can do the per-profile work once. It must give exactly the bytes
/// [`Emitter::emit`] gives for the same profile and user.
pub trait PreparedEmitter: Send + Sync {
    fn emit_user(&self, user: &UserIdentity) -> Result<Emission, EmitError>;
}

/// The default preparation: keep the profile and call [`Emitter::emit`] per user.
struct Unprepared<'a, E: ?Sized> {
    emitter: &'a E,
    base: ResolvedProfile,
    options: EmitOptions,
}

impl<E: Emitter + ?Sized> PreparedEmitter for Unprepared<'_, E> {
    fn emit_user(&self, user: &UserIdentity) -> Result<Emission, EmitError> {
        let mut p = self.base.clone();
        p.user = user.clone();
        self.emitter.emit(&p, &self.options)
    }
}

/// A platform emitter: one crate per platform implements it, and the CLI registers it.
pub trait Emitter: Send + Sync {
    /// Stable id used on the command line (`--platform ios`).
    fn id(&self) -> &'static str;

    /// Human name, e.g. "iOS/iPadOS (.mobileconfig)".
    fn title(&self) -> &'static str;

    fn family(&self) -> Family;

    /// How far this platform expresses `setting`. Implementations list the settings they
    /// know; [`Emitter::capability`] adds the rule for other platforms' sections.
    fn support(&self, setting: Setting) -> Support;

    /// Produce the artifacts for one resolved profile.
    fn emit(&self, profile: &ResolvedProfile, options: &EmitOptions)
    -> Result<Emission, EmitError>;

    /// Prepare to emit `base.profile` for many users (`base.user` is ignored). Platforms whose
    /// per-user work is small override this to do the rest once; the default calls
    /// [`Emitter::emit`] per user.
    fn prepare<'a>(
        &'a self,
        base: &ResolvedProfile,
        options: &EmitOptions,
    ) -> Result<Box<dyn PreparedEmitter + 'a>, EmitError> {
        Ok(Box::new(Unprepared {
            emitter: self,
            base: base.clone(),
            options: options.clone(),
        }))
    }

    /// [`Emitter::support`], with other platforms' sections answered as such.
    /// The operations this platform's artifacts can carry; `Add` (provision) by default.
    /// Windows' command stream also replaces and removes an account.
    fn operations(&self) -> &'static [Operation] {
        &[Operation::Add]
    }

    /// The output forms this platform can write (`EmitOptions::form`); none besides its one
    /// default form unless it lists them.
    fn forms(&self) -> &'static [&'static str] {
        &[]
    }

    fn capability(&self, setting: Setting) -> Support {
        match setting.platform_scope() {
            Some(section) if section != self.family().section() => Support::OtherPlatform,
            _ => self.support(setting),
        }
    }

    /// A warning for every setting `profile` configures that this platform cannot express.
    /// Emitters call this from `emit`, so nothing is dropped silently.
    fn unsupported_diagnostics(&self, profile: &EmailProfile) -> Vec<Diagnostic> {
        Setting::ALL
            .into_iter()
            .filter(|s| s.is_configured(profile))
            .filter_map(|s| match self.capability(s) {
                Support::Unsupported { reason } => Some(Diagnostic::new(
                    Severity::Warning,
                    s,
                    self.id(),
                    format!("{} is not expressible here: {reason}", s.title()),
                )),
                _ => None,
            })
            .collect()
    }
}

/// Settings `profile` configures that `emission` neither expresses (per the emitter's own
/// capabilities) nor reports. Empty means nothing was dropped silently.
pub fn silently_dropped(
    emitter: &dyn Emitter,
    profile: &EmailProfile,
    emission: &Emission,
) -> Vec<Setting> {
    Setting::ALL
        .into_iter()
        .filter(|s| s.is_configured(profile))
        .filter(|s| {
            let cap = emitter.capability(*s);
            let reported = emission.diagnostics.iter().any(|d| {
                d.setting == s.pointer() || d.setting.starts_with(&format!("{}/", s.pointer()))
            });
            !(cap == Support::OtherPlatform || cap.is_expressed() || reported)
        })
        .collect()
}

/// `emitter`'s [`Emitter::unsupported_diagnostics`] for `profile`, with those about the
/// `informational` settings (ones that only name or describe things) lowered to information:
/// leaving them out changes no behaviour on the device.
pub fn unsupported_diagnostics_lowered(
    emitter: &dyn Emitter,
    profile: &EmailProfile,
    informational: &[Setting],
) -> Vec<Diagnostic> {
    let mut out = emitter.unsupported_diagnostics(profile);
    for d in &mut out {
        if d.setting().is_some_and(|s| informational.contains(&s)) {
            d.severity = Severity::Info;
        }
    }
    out
}

/// A dotted OS version such as `13.0` or `10.3.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OsVersion(pub u16, pub u16, pub u16);

impl OsVersion {
    pub fn parse(s: &str) -> Option<OsVersion> {
        let mut parts = s.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        if parts.next().is_some() {
            return None;
        }
        Some(OsVersion(major, minor, patch))
    }
}

impl fmt::Display for OsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.2 == 0 {
            write!(f, "{}.{}", self.0, self.1)
        } else {
            write!(f, "{}.{}.{}", self.0, self.1, self.2)
        }
    }
}

impl std::str::FromStr for OsVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        OsVersion::parse(s).ok_or_else(|| format!("`{s}` is not a version like 13.0 or 15.4.1"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::UserIdentity;

    /// A toy platform that writes the server and the account name and nothing else.
    struct Toy;

    impl Emitter for Toy {
        fn id(&self) -> &'static str {
            "toy"
        }
        fn title(&self) -> &'static str {
            "Toy"
        }
        fn family(&self) -> Family {
            Family::Windows
        }
        fn support(&self, setting: Setting) -> Support {
            match setting {
                Setting::Server | Setting::AccountName => Support::NATIVE,
                Setting::Ssl => Support::Partial {
                    since: Some("2.0"),
                    note: "always on",
                },
                _ => Support::Unsupported {
                    reason: "the toy format has no such field",
                },
            }
        }
        fn emit(&self, p: &ResolvedProfile, _: &EmitOptions) -> Result<Emission, EmitError> {
            let a = &p.profile.account;
            Ok(Emission {
                artifacts: vec![Artifact {
                    file_name: "toy.txt".into(),
                    media_type: "text/plain".into(),
                    signable: false,
                    bytes: format!("{}\n{}\n{}\n", a.server, a.account_name, p.user.username)
                        .into_bytes(),
                }],
                diagnostics: self.unsupported_diagnostics(&p.profile),
            })
        }
    }

    fn resolved(yaml: &str) -> ResolvedProfile {
        let doc = crate::input::parse(yaml.as_bytes(), crate::Format::Yaml).unwrap();
        let profile = crate::validate(&doc, Default::default()).profile.unwrap();
        ResolvedProfile {
            profile,
            user: UserIdentity {
                user_id: "u1".into(),
                username: "u1@contoso.com".into(),
                email_address: "u1@contoso.com".into(),
                account: None,
                domain: None,
                user_principal_name: None,
            },
            materials: Default::default(),
            password: None,
        }
    }

    #[test]
    fn the_trait_reports_every_configured_setting_it_cannot_express() {
        let p = resolved(
            "displayName: D\nidentifier: com.contoso.x\naccount:\n  server: m.contoso.com\n  accountName: M\n  oauth:\n    enabled: true\nmail:\n  allowMove: false\nplatforms:\n  ios:\n    allowMailDrop: true\n  windows:\n    syncSchedule: manual\n",
        );
        let e = Toy.emit(&p, &EmitOptions::default()).unwrap();
        assert_eq!(e.artifacts[0].bytes, b"m.contoso.com\nM\nu1@contoso.com\n");
        let reported: Vec<&str> = e.diagnostics.iter().map(|d| d.setting.as_str()).collect();
        // OAuth and the move switch are configured and inexpressible; the iOS section is another
        // platform's business; the Windows section is this family's own and unsupported.
        assert_eq!(
            reported,
            [
                "/displayName",
                "/identifier",
                "/account/username/source",
                "/account/emailAddressSource",
                "/account/oauth/enabled",
                "/mail/allowMove",
                "/platforms/windows/syncSchedule",
            ]
        );
        assert!(
            e.diagnostics
                .iter()
                .all(|d| d.platform == "toy" && d.severity == Severity::Warning)
        );
        assert!(silently_dropped(&Toy, &p.profile, &e).is_empty());
        // An emitter that forgets to report is caught.
        let quiet = Emission {
            artifacts: e.artifacts.clone(),
            diagnostics: vec![],
        };
        let dropped = silently_dropped(&Toy, &p.profile, &quiet);
        assert!(dropped.contains(&Setting::OAuth) && dropped.contains(&Setting::AllowMove));
        assert!(!dropped.contains(&Setting::IosAllowMailDrop));
    }

    #[test]
    fn os_versions_compare_numerically() {
        assert!(OsVersion::parse("10.3").unwrap() > OsVersion::parse("9.3.3").unwrap());
        assert!(OsVersion::parse("12").unwrap() < OsVersion::parse("12.0.1").unwrap());
        assert_eq!(OsVersion::parse("13.0").unwrap().to_string(), "13.0");
        assert_eq!(OsVersion::parse("1.2.3.4"), None);
        assert_eq!(OsVersion::parse("x"), None);
    }
}
