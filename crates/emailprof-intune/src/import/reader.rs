//! The reader of one Graph object: typed access to its properties, and the findings.

use std::collections::{BTreeMap, BTreeSet};

use emailprof_core::Severity;
use emailprof_core::input::escape_segment;
use emailprof_core::model::*;
use serde_json::{Map, Value};

use crate::graph_type::GraphType;
use crate::wire::GraphEnum;

use super::types::GraphFinding;

/// The role names of certificate entries created from references.
pub(super) const IDENTITY: &str = "identity";
pub(super) const SIGNING: &str = "smime-signing";
pub(super) const ENCRYPTION: &str = "smime-encryption";

/// A certificate reference as found in the export.
#[derive(Default)]
pub(super) struct CertRef {
    pub(super) graph_id: Option<String>,
    pub(super) display_name: Option<String>,
    pub(super) odata_type: Option<String>,
}

pub(super) struct Reader<'a> {
    pub(super) obj: &'a Map<String, Value>,
    pub(super) base: &'a str,
    pub(super) ty: GraphType,
    pub(super) findings: Vec<GraphFinding>,
    /// Profile pointers already reported, so validation does not report them twice.
    pub(super) reported: BTreeSet<&'static str>,
    pub(super) certificates: BTreeMap<String, Certificate>,
}

impl<'a> Reader<'a> {
    pub(super) fn at(&self, key: &str) -> String {
        format!("{}/{}", self.base, escape_segment(key))
    }

    pub(super) fn push(&mut self, severity: Severity, key: &str, message: String) {
        let pointer = if key.is_empty() {
            self.base.to_owned()
        } else {
            self.at(key)
        };
        self.findings.push(GraphFinding {
            severity,
            pointer,
            message,
        });
    }

    /// The value of `key`, `None` when absent or `null` (Graph's "not configured").
    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    pub(super) fn wrong_type(&mut self, key: &str, expected: &str, found: &Value) {
        let found = match found {
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
            Value::Null => "null",
        };
        self.push(
            Severity::Warning,
            key,
            format!("expected {expected}, found {found}; ignored"),
        );
    }

    pub(super) fn bool(&mut self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(key, "true or false", other);
                None
            }
        }
    }

    /// A string setting; empty or blank counts as not configured.
    pub(super) fn string(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            other => {
                self.wrong_type(key, "a string", other);
                None
            }
        }
    }

    pub(super) fn member<T: Copy + PartialEq>(&mut self, key: &str, e: &GraphEnum<T>) -> Option<T> {
        let s = self.string(key)?;
        match e.parse(&s) {
            Some(v) => Some(v),
            None => {
                self.push(
                    Severity::Warning,
                    key,
                    format!(
                        "`{s}` is not a member of Graph's `{}` ({}); ignored",
                        e.name,
                        e.expected()
                    ),
                );
                None
            }
        }
    }
}
