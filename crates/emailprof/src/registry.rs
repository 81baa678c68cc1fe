//! The registered platform emitters. A new platform is one crate implementing
//! `emailprof_core::Emitter` plus one line in `emitters` below.

use emailprof_core::Emitter;

/// Every emitter, in the order `emailprof platforms` lists them.
pub fn emitters() -> Vec<Box<dyn Emitter>> {
    let mut all: Vec<Box<dyn Emitter>> = Vec::new();
    all.push(Box::new(emailprof_ios::IosEmitter));
    all.extend(emailprof_windows::emitters());
    all.extend(emailprof_android::emitters());
    // Outlook for iOS: Outlook's keys (emailprof-android) in iOS managed app configuration.
    all.push(Box::new(emailprof_android::IosOutlookEmitter));
    all.extend(emailprof_intune::emitters());
    all
}

/// The emitter whose id is `id`.
pub fn find(id: &str) -> Option<Box<dyn Emitter>> {
    emitters().into_iter().find(|e| e.id() == id)
}

/// The profile schema annotated with every registered emitter's support.
pub fn annotated_schema() -> serde_json::Value {
    let all = emitters();
    let refs: Vec<&dyn Emitter> = all.iter().map(|e| e.as_ref()).collect();
    emailprof_core::schema::profile_schema(&refs)
}

fn support_cell(s: emailprof_core::Support) -> String {
    use emailprof_core::Support;
    match s {
        Support::Native { since: None } => "yes".into(),
        Support::Native { since: Some(v) } => format!("{v}+"),
        Support::Partial { since, .. } => format!(
            "partial{}",
            since.map(|v| format!(" {v}+")).unwrap_or_default()
        ),
        Support::Unsupported { .. } => "no".into(),
        Support::OtherPlatform => "-".into(),
    }
}

/// The capability matrix as Markdown: one row per setting, one column per platform.
pub fn capability_matrix(emitters: &[Box<dyn Emitter>]) -> String {
    let mut out = String::from("| setting | pointer |");
    for e in emitters {
        out.push_str(&format!(" {} |", e.id()));
    }
    out.push_str("\n|---|---|");
    for _ in emitters {
        out.push_str("---|");
    }
    out.push('\n');
    for s in emailprof_core::Setting::ALL {
        out.push_str(&format!("| {} | `{}` |", s.title(), s.pointer()));
        for e in emitters {
            out.push_str(&format!(" {} |", support_cell(e.capability(s))));
        }
        out.push('\n');
    }
    out
}

/// The emitter whose id is `id`, or an error listing the known ones.
pub fn emitter(id: &str) -> crate::Result<Box<dyn Emitter>> {
    match find(id) {
        Some(e) => Ok(e),
        None => Err(crate::Error::invalid(format!(
            "unknown platform `{id}`; expected one of: {}",
            emitters()
                .iter()
                .map(|e| e.id())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// What using platform `id`'s artifact needs, as `emailprof platforms` lists it.
pub fn needs(id: &str) -> &'static str {
    match id {
        "ios" => {
            "an MDM that installs .mobileconfig profiles (--sign-cert to sign); removal is the MDM's RemoveProfile command"
        }
        "windows" => {
            "an MDM that wraps the SyncML body in its own OMA-DM message, or Intune (--form intune-custom)"
        }
        "android-gmail" => {
            "Gmail approved in managed Google Play; the fragment goes into an Android Management API policy"
        }
        "android-outlook" => {
            "Outlook approved in managed Google Play; the fragment goes into an Android Management API policy"
        }
        "android-samsung" => {
            "nothing usable yet: Samsung Email's managed-property keys are unpublished; use android-knox or another app"
        }
        "android-knox" => "Microsoft Intune: the JSON is a Graph deviceConfiguration to POST",
        "ios-outlook" => {
            "Outlook for iOS through the MDM's managed app configuration (the dictionary is its AppConfig)"
        }
        _ => "see the platform's documentation",
    }
}

/// Refuse what `emitter` cannot honour for `profile` with `options`, before anything is
/// emitted: an operation or output form it does not have, or a profile of which it can express
/// no setting at all (its artifact would configure nothing, yet look like success).
pub fn check_request(
    emitter: &dyn Emitter,
    profile: &emailprof_core::EmailProfile,
    options: &emailprof_core::EmitOptions,
) -> crate::Result<()> {
    use emailprof_core::{Family, Operation, Setting, Support};
    let id = emitter.id();
    if !emitter.operations().contains(&options.operation) {
        let (flag, meaning) = match options.operation {
            Operation::Remove => ("--remove", "removal"),
            Operation::Replace => ("--replace", "replacing an account"),
            Operation::Add => ("", "provisioning"),
        };
        let how = match emitter.family() {
            Family::Ios => format!(
                "on iOS, removal and replacement are the MDM's job: send the RemoveProfile command with the profile identifier `{}`, and install the new profile with the same identifier to replace it",
                profile.identifier
            ),
            _ => format!(
                "{id} artifacts only provision; remove or replace the configuration through the MDM that delivered it (Android: change or clear the app's managed configuration in the policy)"
            ),
        };
        return Err(crate::Error::invalid(format!(
            "{flag}: {id} cannot express {meaning}: {how}"
        )));
    }
    if let Some(form) = &options.form
        && !emitter.forms().contains(&form.as_str())
    {
        let known = emitter.forms();
        return Err(crate::Error::invalid(if known.is_empty() {
            format!("--form {form}: {id} writes one form only; leave --form out")
        } else {
            format!(
                "--form {form}: unknown form for {id}; expected one of: {}",
                known.join(", ")
            )
        }));
    }
    // What the artifact configures: the account's settings, not the file's identifier or the
    // choice of app, which a platform "expresses" even when it can write nothing else.
    let configured: Vec<Setting> = Setting::ALL
        .into_iter()
        .filter(|s| s.is_configured(profile))
        .filter(|s| s.pointer() != "/identifier" && !s.pointer().starts_with("/platforms/"))
        .collect();
    let mut reasons: Vec<&str> = Vec::new();
    let mut expressed = 0;
    for s in &configured {
        match emitter.capability(*s) {
            Support::Native { .. } | Support::Partial { .. } => expressed += 1,
            Support::Unsupported { reason } => {
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            Support::OtherPlatform => {}
        }
    }
    // An account without its server configures nothing either.
    let server = matches!(
        emitter.capability(Setting::Server),
        Support::Native { .. } | Support::Partial { .. }
    );
    if (expressed == 0 || !server) && !configured.is_empty() {
        return Err(crate::Error::invalid(format!(
            "{id} can express none of this profile's {} configured settings, so its artifact would configure nothing: {}. Instead: {}",
            configured.len(),
            reasons.join("; "),
            needs(id)
        )));
    }
    Ok(())
}
