//! What the resolver host reads from a plugin: the JSON lines of an out-of-process plugin
//! (`PluginMessage`), and the replies of a library plugin (`ResolveResponse`, `ListBatch`,
//! `ErrorResponse`).
//!
//! Oracles: no panic; every error converts to a `ResolveError` with a message; every user
//! result is handed to `on_attributes` (the fuzz target then emits it, see `crate::plugin`).

use resolver_abi::emailprof_attributes::{DirectoryAttributes, ResolveError};
use resolver_abi::{ErrorResponse, PluginMessage, ResolveResponse, UserResult};

fn results(results: Vec<UserResult>, on_attributes: &mut dyn FnMut(&DirectoryAttributes)) {
    for r in results {
        match r.into_result() {
            Ok(a) => on_attributes(&a),
            Err(e) => error(e),
        }
    }
}

fn error(e: ResolveError) {
    // Whatever the plugin sent, the error has something to show (the user id at least).
    let shown = e.to_string();
    match &e {
        ResolveError::Failed(_) => {}
        _ => assert!(!shown.is_empty()),
    }
}

pub fn check_with(data: &[u8], on_attributes: &mut dyn FnMut(&DirectoryAttributes)) {
    if let Ok(m) = serde_json::from_slice::<PluginMessage>(data) {
        match m {
            PluginMessage::Results(r) => results(r, on_attributes),
            PluginMessage::Batch(b) => results(b.users, on_attributes),
            PluginMessage::Error(e) => error(e.into_resolve_error()),
            PluginMessage::Hello(h) => {
                let _ = resolver_abi::parse_abi_major(&h.abi);
            }
            PluginMessage::Ready {} => {}
        }
    }
    if let Ok(r) = serde_json::from_slice::<ResolveResponse>(data) {
        results(r.results, on_attributes);
    }
    if let Ok(b) = serde_json::from_slice::<resolver_abi::ListBatch>(data) {
        results(b.users, on_attributes);
    }
    if let Ok(e) = serde_json::from_slice::<ErrorResponse>(data) {
        error(e.error.into_resolve_error());
    }
}
