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
