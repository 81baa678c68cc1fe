//! emailprof-windows: the Windows 10/11 emitter. It writes the ActiveSync CSP
//! (`./User/Vendor/MSFT/ActiveSync`) as a body-only OMA-DM SyncML document, or as an Intune
//! custom profile (Graph `windows10CustomConfiguration` with OMA-URI settings).
//!
//! Pure: the same resolved profile and options always give the same bytes.

mod csp;
mod intune;
mod syncml;

use emailprof_core::emit::unsupported_diagnostics_lowered;
use emailprof_core::{
    Artifact, Emission, EmitError, EmitOptions, Emitter, Family, Operation, ResolvedProfile,
    Setting, Support, platform_settings, smime_settings,
};

pub use csp::{ACTIVESYNC_ROOT, ContentType, account_guid};

/// The `form` values [`WindowsEmitter`] accepts.
pub const FORMS: [&str; 2] = ["syncml", "intune-custom"];

/// Windows 10/11 through the ActiveSync CSP.
#[derive(Clone, Copy, Debug, Default)]
pub struct WindowsEmitter;

/// Every emitter of this crate, for the CLI's registry.
pub fn emitters() -> Vec<Box<dyn Emitter>> {
    vec![Box::new(WindowsEmitter)]
}

const NO_SMIME: &str = "the ActiveSync CSP has no S/MIME node; users turn S/MIME on per account in the Mail app (Settings > Email security) with certificates installed separately";

impl Emitter for WindowsEmitter {
    fn id(&self) -> &'static str {
        "windows"
    }

    fn operations(&self) -> &'static [Operation] {
        &[Operation::Add, Operation::Replace, Operation::Remove]
    }

    fn forms(&self) -> &'static [&'static str] {
        &FORMS
    }

    fn title(&self) -> &'static str {
        "Windows 10/11 (ActiveSync CSP SyncML)"
    }

    fn family(&self) -> Family {
        Family::Windows
    }

    /// Node facts from `ActiveSync.ddf.xml`; what has no node is unsupported.
    fn support(&self, setting: Setting) -> Support {
        use Setting::*;
        match setting {
            DisplayName => Support::Partial {
                since: None,
                note: "only in the intune-custom form, as the profile's displayName; SyncML has no profile name",
            },
            Identifier => Support::Partial {
                since: None,
                note: "seeds the account GUID (stable per profile and user) and names the file",
            },
            Organization => Support::Unsupported {
                reason: "the ActiveSync CSP has no organization node",
            },
            Description => Support::Partial {
                since: None,
                note: "only in the intune-custom form, as the profile's description",
            },
            Server => Support::NATIVE,
            AccountName => Support::NATIVE,
            UsernameSource | UserDomainSource | DirectoryDomainAttribute | CustomDomainName => {
                Support::NATIVE
            }
            EmailAddressSource => Support::NATIVE,
            AuthenticationMethod => Support::Unsupported {
                reason: "the ActiveSync CSP has no certificate or derived-credential authentication; Windows signs in with user name and password",
            },
            IdentityCertificate => Support::Unsupported {
                reason: "the ActiveSync CSP has no certificate authentication node",
            },
            Password => Support::Partial {
                since: None,
                note: "the Password node is written only with --include-password; otherwise Windows asks the user",
            },
            Ssl => Support::NATIVE,
            OAuth | OAuthSignInUrl | OAuthTokenRequestUrl => Support::Unsupported {
                reason: "the ActiveSync CSP has no OAuth node",
            },
            SyncServices => Support::Partial {
                since: None,
                note: "Email, Contacts, Calendar and Reminders (as Tasks) through ContentTypes/{GUID}/Enabled; Notes has no content type",
            },
            SyncUserCanChange => Support::Unsupported {
                reason: "the ActiveSync CSP cannot lock the sync settings",
            },
            EmailSyncDuration => Support::NATIVE,
            smime_settings!() => Support::Unsupported { reason: NO_SMIME },
            AllowMove | AllowThirdPartySend | SyncRecentAddresses => Support::Unsupported {
                reason: "the ActiveSync CSP has no such node",
            },
            Certificates => Support::Unsupported {
                reason: "the ActiveSync CSP carries no certificates; deliver them with the ClientCertificateInstall or RootCATrustedCertificates CSP",
            },
            WindowsSyncSchedule => Support::Partial {
                since: None,
                note: "Options/Schedule: as messages arrive, manual, every 15, 30 or 60 minutes; \"based on my usage\" has no CSP value",
            },
            platform_settings!(ios) | platform_settings!(android) => Support::OtherPlatform,
        }
    }

    fn emit(
        &self,
        profile: &ResolvedProfile,
        options: &EmitOptions,
    ) -> Result<Emission, EmitError> {
        let form = match options.form.as_deref() {
            None | Some("syncml") => csp::Form::SyncMl,
            Some("intune-custom") => csp::Form::IntuneCustom,
            Some(other) => {
                return Err(EmitError::InvalidOption(format!(
                    "unknown form `{other}` for windows; expected one of: {}",
                    FORMS.join(", ")
                )));
            }
        };
        if form == csp::Form::IntuneCustom && options.operation == Operation::Remove {
            return Err(EmitError::InvalidOption(
                "the intune-custom form cannot express removal: a Graph custom configuration only sets values; unassign or delete the profile in Intune, or emit the syncml form with Remove".into(),
            ));
        }

        let p = &profile.profile;
        let plan = csp::plan(profile, options, form);
        // Settings that only name or describe things are information: leaving them out changes no
        // behaviour on the device.
        let informational = [
            Setting::DisplayName,
            Setting::Organization,
            Setting::Description,
        ];
        let mut diagnostics = unsupported_diagnostics_lowered(self, p, &informational);
        diagnostics.extend(plan.diagnostics);

        let artifact = match form {
            csp::Form::SyncMl => Artifact {
                file_name: format!("{}.syncml.xml", p.identifier),
                media_type: "application/vnd.syncml.dm+xml".into(),
                signable: false,
                bytes: syncml::document(plan.guid, options.operation, &plan.leaves)?.into_bytes(),
            },
            csp::Form::IntuneCustom => Artifact {
                file_name: format!("{}.intune-custom.json", p.identifier),
                media_type: "application/json".into(),
                signable: false,
                bytes: intune::document(
                    &p.display_name,
                    p.description.as_deref(),
                    &profile.user.user_id,
                    plan.guid,
                    &plan.leaves,
                ),
            },
        };
        Ok(Emission {
            artifacts: vec![artifact],
            diagnostics,
        })
    }
}
