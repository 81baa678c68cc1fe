//! The emitter: a `Configuration` profile with one `com.apple.eas.account` payload and the
//! certificate payloads it refers to.
//!
//! One builder serves both paths: [`Emitter::emit`] builds the document for one user, and
//! [`Emitter::prepare`] builds it once with the per-user values left as slots of a template
//! (see `prepared`), checking everything that does not depend on the user only once.
//!
//! Layers, each using only those after it: this module (the emitter and the profile's top
//! level), `eas` (the account payload), `certificates` (the certificate payloads and the
//! UUIDs that refer to them), `builder` (what every payload writer shares); `support` is the
//! support table.

mod builder;
mod certificates;
mod eas;
mod support;

use emailprof_core::model::EmailProfile;
use emailprof_core::{
    Diagnostic, Emission, EmitError, EmitOptions, Emitter, Family, OsVersion, PreparedEmitter,
    ResolvedProfile, Setting, Support, UserIdentity,
};

use crate::keys;
use crate::prepared::{self, Slots};
use crate::xml::{self, Dict, Node};

pub(crate) use self::builder::cert_identifier;
use self::builder::{Build, ID, text};
pub use crate::keys::MEDIA_TYPE;

/// The minimum iOS version when neither the options nor the profile name one.
pub const DEFAULT_MIN_OS: OsVersion = OsVersion(13, 0, 0);

/// The iOS/iPadOS emitter: `.mobileconfig` XML plists.
#[derive(Clone, Copy, Debug, Default)]
pub struct IosEmitter;

impl IosEmitter {
    /// The minimum OS version an emission targets: the option, else the profile's, else 13.0.
    ///
    /// Below iOS 4.0 there is no `com.apple.eas.account` payload (ADM: payload introduced 4.0),
    /// and above the newest major the reference describes key availability is unknown, so such
    /// a minimum is refused.
    pub fn min_os(profile: &EmailProfile, options: &EmitOptions) -> Result<OsVersion, EmitError> {
        let min = match (
            options.min_os_version,
            &profile.platforms.ios.minimum_os_version,
        ) {
            (Some(v), _) => v,
            (None, Some(text)) => OsVersion::parse(text).ok_or_else(|| {
                EmitError::InvalidOption(format!(
                    "{}: `{text}` is not a version like 13.0",
                    Setting::IosMinimumOsVersion.pointer()
                ))
            })?,
            (None, None) => DEFAULT_MIN_OS,
        };
        if min < keys::EAS_SINCE {
            return Err(EmitError::InvalidOption(format!(
                "minimum iOS version {min}: Exchange ActiveSync profiles exist from iOS {} on",
                keys::EAS_SINCE
            )));
        }
        if min.0 > keys::NEWEST_KNOWN_MAJOR {
            return Err(EmitError::InvalidOption(format!(
                "minimum iOS version {min} is newer than the versions the Apple reference describes: give one from iOS {} to {}.x",
                keys::EAS_SINCE,
                keys::NEWEST_KNOWN_MAJOR
            )));
        }
        Ok(min)
    }
}

impl Emitter for IosEmitter {
    fn id(&self) -> &'static str {
        ID
    }

    fn title(&self) -> &'static str {
        "iOS/iPadOS (.mobileconfig)"
    }

    fn family(&self) -> Family {
        Family::Ios
    }

    fn support(&self, setting: Setting) -> Support {
        support::support(setting)
    }

    fn emit(&self, p: &ResolvedProfile, options: &EmitOptions) -> Result<Emission, EmitError> {
        let min = Self::min_os(&p.profile, options)?;
        let mut diagnostics = self.unsupported_diagnostics(&p.profile);
        let mut slots = Slots::default();
        let root = build(p, Some(&p.user), &mut slots, options, min, &mut diagnostics)?;
        let document = xml::document(&root);
        debug_assert!(document.slots.is_empty(), "a user's document has no slots");
        Ok(Emission {
            artifacts: vec![emailprof_core::Artifact {
                file_name: file_name(&p.profile),
                media_type: MEDIA_TYPE.to_owned(),
                // Apple configuration profiles may be CMS-signed (Configuration Profile Reference).
                signable: true,
                bytes: document.literal,
            }],
            diagnostics,
        })
    }

    /// Everything but the user's name, email address, SCEP subject values and `PayloadUUID`s
    /// is built, checked and written once; `emit_user` fills those into the written bytes.
    ///
    /// Returns an error only when `emit` would fail with that same error for every user.
    fn prepare<'a>(
        &'a self,
        base: &ResolvedProfile,
        options: &EmitOptions,
    ) -> Result<Box<dyn PreparedEmitter + 'a>, EmitError> {
        let min = Self::min_os(&base.profile, options)?;
        let mut diagnostics = self.unsupported_diagnostics(&base.profile);
        let mut slots = Slots::default();
        let built = build(base, None, &mut slots, options, min, &mut diagnostics);
        let outcome = match built {
            Ok(root) => Ok(xml::document(&root)),
            // No per-user check comes first: every user gets this error.
            Err(e) if slots.checks.is_empty() => return Err(e),
            Err(e) => Err(e),
        };
        Ok(Box::new(prepared::Prepared::new(
            outcome,
            slots,
            file_name(&base.profile),
            diagnostics,
        )))
    }
}

fn file_name(profile: &EmailProfile) -> String {
    format!("{}.mobileconfig", profile.identifier)
}

/// The document of `p` for `user`, or (`user: None`) its template, whose per-user values and
/// their checks go to `slots`.
fn build<'a>(
    p: &'a ResolvedProfile,
    user: Option<&'a UserIdentity>,
    slots: &mut Slots,
    options: &'a EmitOptions,
    min: OsVersion,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Node<'a>, EmitError> {
    let profile = &p.profile;
    let mut b = Build {
        p,
        user,
        slots,
        options,
        min,
        diagnostics,
        left_out: Vec::new(),
    };
    // Certificates first, so that the account's references point backwards.
    let mut content = b.certificates()?;
    content.push(Node::Dictionary(b.eas()?));
    b.report_left_out();

    let mut top = Dict::new();
    b.common(&mut top, "Configuration");
    top.insert(
        "PayloadDisplayName",
        text(&profile.display_name, Setting::DisplayName.pointer())?,
    );
    if let Some(o) = &profile.organization {
        top.insert(
            "PayloadOrganization",
            text(o, Setting::Organization.pointer())?,
        );
    }
    if let Some(desc) = &profile.description {
        top.insert(
            "PayloadDescription",
            text(desc, Setting::Description.pointer())?,
        );
    }
    top.insert("PayloadContent", Node::Array(content));
    top.sort_keys();
    Ok(Node::Dictionary(top))
}
