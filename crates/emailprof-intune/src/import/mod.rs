//! Graph JSON → emailprof profile documents.
//!
//! Every trap of intune-graph.md §0/§6 is handled here: explicit `null`s mean "not configured";
//! `easServices` is a comma-joined flags string; `usernameAADSource` wins over
//! `usernameSource`; the portal-only domain source is inferred from `customDomainName`; the
//! three `block*` flags are inverted; certificate references come in three shapes or not at
//! all; unknown properties are reported, never fatal.
//!
//! Windows custom configurations and Outlook app configurations are read by `configs`, which
//! uses `profile`'s identifiers and `types`.
//!
//! Layers, each using only those after it: `profile` (one object, its names, the final
//! validation), `sections` (host, user name, certificates, sync, S/MIME), `reader` (typed
//! property access, findings), `types` (what an import gives).

mod configs;
mod profile;
mod reader;
mod sections;
mod types;

use std::collections::BTreeSet;

use emailprof_core::Severity;
use serde_json::{Map, Value};

use crate::IntuneError;
use crate::graph_type::GraphType;

use self::configs::{ConfigKind, read_config};
use self::profile::read_profile;
pub use self::types::{
    GraphFinding, GraphImport, IDENTIFIER_PREFIX, ImportedGraphProfile, MAX_GRAPH_BYTES,
};

/// Read every email profile in a Graph export: one object, a `{"value": ...}` wrapper (object
/// or list), or a list of either. Windows custom configurations with ActiveSync CSP settings and
/// Outlook app configurations count as email profiles. Fails only when the input is not JSON of that shape or holds
/// no email profile.
pub fn import_graph(bytes: &[u8]) -> Result<Vec<ImportedGraphProfile>, IntuneError> {
    import_graph_report(bytes).map(|r| r.profiles)
}

/// [`import_graph`], with the findings about objects that were skipped.
pub fn import_graph_report(bytes: &[u8]) -> Result<GraphImport, IntuneError> {
    if bytes.len() > MAX_GRAPH_BYTES {
        return Err(IntuneError::TooLarge {
            size: bytes.len(),
            limit: MAX_GRAPH_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| IntuneError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    // The nesting limit of profile documents (serde_json's own stops at 128).
    if json_depth(&root) > 64 {
        return Err(IntuneError::Json {
            line: 1,
            column: 1,
            message: "the document nests deeper than 64 levels".into(),
        });
    }
    if !matches!(root, Value::Object(_) | Value::Array(_)) {
        return Err(IntuneError::Shape(
            "expected a Graph object, a `{\"value\": ...}` wrapper or a list of them".into(),
        ));
    }
    let mut objects = Vec::new();
    let mut out = GraphImport::default();
    let mut others = Vec::new();
    collect(
        &root,
        String::new(),
        0,
        &mut objects,
        &mut others,
        &mut out.findings,
    );
    let mut identifiers = BTreeSet::new();
    for (pointer, obj, odata, kind) in objects {
        let ty = match kind {
            Kind::Email(ty) => ty,
            Kind::Config(k) => {
                match read_config(obj, &pointer, k, &mut identifiers) {
                    Some(p) => out.profiles.push(p),
                    None => {
                        others.push(format!("`{odata}` without Exchange settings"));
                        out.findings.push(GraphFinding {
                            severity: Severity::Info,
                            pointer,
                            message: format!(
                                "skipped `{odata}`: it configures no Exchange ActiveSync account"
                            ),
                        });
                    }
                }
                continue;
            }
        };
        let mut p = read_profile(obj, &pointer, ty, &mut identifiers);
        let bare = odata.trim().trim_start_matches('#');
        if bare != ty.name() && bare != &ty.odata_type()[1..] {
            p.findings.insert(
                0,
                GraphFinding {
                    severity: Severity::Info,
                    pointer: format!("{pointer}/@odata.type"),
                    message: format!(
                        "`{odata}` read as `{}` (Graph type names are case-sensitive)",
                        ty.odata_type()
                    ),
                },
            );
        }
        out.profiles.push(p);
    }
    if out.profiles.is_empty() {
        return Err(IntuneError::NoEmailProfile {
            found: if others.is_empty() {
                "nothing".into()
            } else {
                others.join(", ")
            },
        });
    }
    Ok(out)
}

/// What an object with an `@odata.type` is read as.
#[derive(Clone, Copy)]
enum Kind {
    Email(GraphType),
    Config(ConfigKind),
}

/// Gather the objects that carry an `@odata.type`, with their pointers.
fn collect<'a>(
    value: &'a Value,
    pointer: String,
    depth: usize,
    out: &mut Vec<(String, &'a Map<String, Value>, &'a str, Kind)>,
    others: &mut Vec<String>,
    findings: &mut Vec<GraphFinding>,
) {
    if depth > 4 {
        findings.push(GraphFinding {
            severity: Severity::Warning,
            pointer,
            message: "nested too deeply for a Graph export; skipped".into(),
        });
        return;
    }
    match value {
        Value::Object(obj) => {
            if let Some(t) = obj.get("@odata.type") {
                let ty = t.as_str().and_then(|o| {
                    GraphType::from_odata_type(o)
                        .map(Kind::Email)
                        .or_else(|| ConfigKind::from_odata_type(o).map(Kind::Config))
                });
                match (t.as_str(), ty) {
                    (Some(odata), Some(ty)) => out.push((pointer, obj, odata, ty)),
                    (Some(odata), None) => {
                        others.push(format!("`{odata}`"));
                        findings.push(GraphFinding {
                            severity: Severity::Info,
                            pointer,
                            message: format!(
                                "skipped `{odata}`: not an Exchange ActiveSync email profile"
                            ),
                        });
                    }
                    (None, _) => {
                        others.push("an object with a non-string `@odata.type`".into());
                        findings.push(GraphFinding {
                            severity: Severity::Warning,
                            pointer: format!("{pointer}/@odata.type"),
                            message: "`@odata.type` is not a string; object skipped".into(),
                        });
                    }
                }
            } else if let Some(v) = obj.get("value") {
                if obj.contains_key("@odata.nextLink") {
                    findings.push(GraphFinding {
                        severity: Severity::Warning,
                        pointer: format!("{pointer}/@odata.nextLink"),
                        message: "the Graph list continues on another page, which this file does not hold; only this page was read".into(),
                    });
                }
                collect(
                    v,
                    format!("{pointer}/value"),
                    depth + 1,
                    out,
                    others,
                    findings,
                );
            } else {
                others.push("an object without `@odata.type`".into());
                findings.push(GraphFinding {
                    severity: Severity::Warning,
                    pointer,
                    message: "an object without `@odata.type` (Graph names every device configuration's type); skipped".into(),
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(
                    item,
                    format!("{pointer}/{i}"),
                    depth + 1,
                    out,
                    others,
                    findings,
                );
            }
        }
        _ => findings.push(GraphFinding {
            severity: Severity::Warning,
            pointer,
            message: "not a Graph object; skipped".into(),
        }),
    }
}

/// Levels of arrays and objects in `v` (bounded by the parser's recursion limit).
fn json_depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(json_depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(json_depth).max().unwrap_or(0),
        _ => 0,
    }
}
