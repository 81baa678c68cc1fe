//! The registered platform emitters. A new platform is one crate implementing
//! `emailprof_core::Emitter` plus one line here.

use emailprof_core::Emitter;

/// Every emitter, in the order `emailprof platforms` lists them.
pub fn emitters() -> Vec<Box<dyn Emitter>> {
    let mut all: Vec<Box<dyn Emitter>> = Vec::new();
    all.push(Box::new(emailprof_ios::IosEmitter));
    all.extend(emailprof_windows::emitters());
    all.extend(emailprof_android::emitters());
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
