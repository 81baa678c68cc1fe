//! Writing a profile back as a document: the one writer importers and the CLI share.
//!
//! It works on the serialized model, not field by field, so a setting added to the model is
//! written without anybody teaching the writer about it.

use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use crate::input::escape_segment;
use crate::model::EmailProfile;
use crate::schema;

/// The canonical document of `profile` (what `emailprof` writes when it writes a profile): the
/// serialized model without members whose condition is off.
pub fn to_document(profile: &EmailProfile) -> Value {
    // Serializing plain data structures with string keys cannot fail.
    let mut v = serde_json::to_value(profile).unwrap_or(Value::Null);
    schema::prune_inapplicable(&mut v);
    v
}

/// The smallest document that means `profile`: the canonical document ([`to_document`])
/// without the members equal to their default, so an imported profile reads as what it
/// configures. Members at `keep` (JSON pointers) are written even at their default, for an
/// importer whose source platform has a different default than emailprof's.
///
/// Reading the result back gives `profile` again; the tests hold every [`crate::Setting`] to
/// that.
pub fn minimal_document(profile: &EmailProfile, keep: &[&str]) -> Value {
    let mut doc = to_document(profile);
    drop_defaults(&mut doc, &DEFAULTS, "", keep);
    doc
}

/// The required members: the only ones a document must spell out. Everything else has a
/// default, which is what reading a document without it gives.
fn required() -> Value {
    json!({
        "displayName": "",
        "identifier": "",
        "account": { "server": "", "accountName": "" },
    })
}

/// The serialized defaults of every optional member, read from the model itself (its serde
/// defaults are the schema's defaults), without the required members, which have none.
static DEFAULTS: LazyLock<Value> = LazyLock::new(|| {
    let required = required();
    let Ok(skeleton) = serde_json::from_value::<EmailProfile>(required.clone()) else {
        // Only a model change makes the required members above incomplete; a test catches
        // it. Without defaults, nothing is dropped, so nothing is lost either.
        return Value::Null;
    };
    let mut defaults = serde_json::to_value(skeleton).unwrap_or(Value::Null);
    remove_members(&mut defaults, &required);
    defaults
});

/// Remove from `value` every leaf member that `members` has, at the same place.
fn remove_members(value: &mut Value, members: &Value) {
    let (Value::Object(map), Value::Object(members)) = (value, members) else {
        return;
    };
    for (key, m) in members {
        if m.is_object() {
            if let Some(v) = map.get_mut(key) {
                remove_members(v, m);
            }
        } else {
            map.remove(key);
        }
    }
}

fn drop_defaults(value: &mut Value, defaults: &Value, pointer: &str, keep: &[&str]) {
    let (Value::Object(map), Value::Object(defaults)) = (value, defaults) else {
        return;
    };
    let keys: Vec<String> = map.keys().cloned().collect();
    for key in keys {
        let child = format!("{pointer}/{}", escape_segment(&key));
        if keep.contains(&child.as_str()) {
            continue;
        }
        // Members without a default (required ones, entries of maps) are always written.
        let (Some(v), Some(d)) = (map.get_mut(&key), defaults.get(&key)) else {
            continue;
        };
        let holds_kept = keep.iter().any(|k| {
            k.strip_prefix(child.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        });
        if v == d && !holds_kept {
            map.remove(&key);
            continue;
        }
        drop_defaults(v, d, &child, keep);
        if v.as_object().is_some_and(Map::is_empty) {
            map.remove(&key);
        }
    }
}
