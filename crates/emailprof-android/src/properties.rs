//! Managed properties: the schema an app declares for its managed configuration, kept here as
//! data, and the check that a configuration fits it.
//!
//! AMAPI `ApplicationPolicy.managedConfiguration`: "Each field name in the managed
//! configuration must match the key field of the ManagedProperty. The field value must be
//! compatible with the type" (BOOL → boolean, STRING/CHOICE/HIDDEN → string, INTEGER → number,
//! MULTISELECT → array of strings).

use serde::Serialize;
use serde_json::Value;

/// AMAPI `ManagedPropertyType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PropertyType {
    Bool,
    String,
    Integer,
    Choice,
    Multiselect,
    Hidden,
    Bundle,
    BundleArray,
}

impl PropertyType {
    /// The AMAPI name, e.g. `BOOL`.
    pub fn amapi_name(self) -> &'static str {
        match self {
            PropertyType::Bool => "BOOL",
            PropertyType::String => "STRING",
            PropertyType::Integer => "INTEGER",
            PropertyType::Choice => "CHOICE",
            PropertyType::Multiselect => "MULTISELECT",
            PropertyType::Hidden => "HIDDEN",
            PropertyType::Bundle => "BUNDLE",
            PropertyType::BundleArray => "BUNDLE_ARRAY",
        }
    }
}

/// One managed property an app declares, and where its key was confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedProperty {
    /// The exact (case-sensitive) key.
    pub key: &'static str,
    #[serde(rename = "type")]
    pub property_type: PropertyType,
    /// What the vendor calls it.
    pub title: &'static str,
    /// The values accepted, when the vendor restricts them; empty means any value of the type.
    pub allowed_values: &'static [&'static str],
    /// The vendor document (or other evidence) the key and type come from.
    pub source: &'static str,
}

/// Check a `managedConfiguration` object against `properties`: every key declared, every value
/// of the declared type and among the allowed values. Returns one message per problem.
pub fn check_configuration(properties: &[ManagedProperty], configuration: &Value) -> Vec<String> {
    let Some(object) = configuration.as_object() else {
        return vec!["the managed configuration is not a JSON object".into()];
    };
    let mut problems = Vec::new();
    for (key, value) in object {
        let Some(property) = properties.iter().find(|p| p.key == key) else {
            problems.push(format!("`{key}` is not a declared managed property"));
            continue;
        };
        let ty = property.property_type;
        let fits = match ty {
            PropertyType::Bool => value.is_boolean(),
            PropertyType::String | PropertyType::Choice | PropertyType::Hidden => value.is_string(),
            PropertyType::Integer => value.is_i64(),
            PropertyType::Multiselect => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            PropertyType::Bundle => value.is_object(),
            PropertyType::BundleArray => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_object)),
        };
        if !fits {
            problems.push(format!(
                "`{key}` is declared {} but the value is {}",
                ty.amapi_name(),
                kind(value)
            ));
            continue;
        }
        if !property.allowed_values.is_empty() {
            let values: Vec<&str> = match value {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for v in values {
                if !property.allowed_values.contains(&v) {
                    problems.push(format!(
                        "`{key}` has the value `{v}`, not one of: {}",
                        property.allowed_values.join(", ")
                    ));
                }
            }
        }
    }
    problems
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PROPS: &[ManagedProperty] = &[
        ManagedProperty {
            key: "flag",
            property_type: PropertyType::Bool,
            title: "Flag",
            allowed_values: &[],
            source: "test",
        },
        ManagedProperty {
            key: "mode",
            property_type: PropertyType::String,
            title: "Mode",
            allowed_values: &["A", "B"],
            source: "test",
        },
        ManagedProperty {
            key: "count",
            property_type: PropertyType::Integer,
            title: "Count",
            allowed_values: &[],
            source: "test",
        },
    ];

    #[test]
    fn fitting_configuration_passes() {
        let c = json!({"flag": true, "mode": "B", "count": 3});
        assert_eq!(check_configuration(PROPS, &c), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_reported() {
        let c = json!({"flag": "true", "mode": "C", "count": 1.5, "other": 1});
        let problems = check_configuration(PROPS, &c);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`flag` is declared BOOL"))
        );
        assert!(problems.iter().any(|p| p.contains("`C`")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`count` is declared INTEGER"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`other` is not a declared"))
        );
        assert_eq!(check_configuration(PROPS, &json!([])).len(), 1);
    }
}
