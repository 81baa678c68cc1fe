//! Microsoft Graph (Intune) email profile import.
//!
//! Oracles: a profile imported without error findings is a document `emailprof_core::validate`
//! accepts (the crate's promise), and that profile exports to every Graph type without panic.

use emailprof_intune::{GraphType, export_graph, import_graph_report};

use super::shared::validate_imported;

pub fn check(data: &[u8]) {
    let Ok(import) = import_graph_report(data) else {
        return;
    };
    for p in &import.profiles {
        if p.has_errors() {
            continue;
        }
        let report = validate_imported(&p.profile);
        assert!(
            !report.has_errors(),
            "an import without errors is not a valid profile: {:?}\n{}",
            report.findings,
            p.profile
        );
        if let Some(profile) = &report.profile {
            for t in GraphType::ALL {
                let _ = export_graph(profile, t);
            }
        }
    }
}
