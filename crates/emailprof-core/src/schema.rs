//! The profile's JSON Schema (draft 2020-12), generated from the Rust types.
//!
//! Generation adds what form generators need and derive macros cannot say: conditional fields
//! (moved under `allOf`/`if`/`then`, with `unevaluatedProperties: false` so that a field whose
//! condition is off is refused), human labels for every enum member (`oneOf` of `const` +
//! `title`), and the `x-emailprof-platforms` annotation taken from the registered emitters.

use serde_json::{Map, Value, json};

use crate::emit::{Emitter, Support};
use crate::model::EmailProfile;
use crate::settings::Setting;

/// Annotation key carrying per-platform support of a setting.
pub const PLATFORMS_KEY: &str = "x-emailprof-platforms";

/// The profile schema's `$id`: a stable name for the 2020-12 schema that consumers can key
/// caches and catalogues on. It names the schema; tools must not need to fetch it (every `$ref`
/// is inside the document).
pub const SCHEMA_ID: &str = "https://emailprof.dev/schemas/email-profile.schema.json";

/// The `$id` of the draft-07 form of the profile schema (see [`to_draft07`]).
pub const DRAFT07_SCHEMA_ID: &str =
    "https://emailprof.dev/schemas/email-profile.draft-07.schema.json";

/// A field of a `$defs` entry that only applies under a condition.
pub(crate) struct Conditional {
    /// `$defs` entry.
    pub def: &'static str,
    /// Fields that apply only when the condition holds.
    pub fields: &'static [&'static str],
    /// Fields (of `fields`) that are required when the condition holds.
    pub required: &'static [&'static str],
    /// `(property, value)` pairs that must all hold.
    pub when: &'static [(&'static str, Cond)],
}

#[derive(Clone, Copy)]
pub(crate) enum Cond {
    Is(&'static str),
    /// Absent (the default) or none of these values.
    NoneOf(&'static [&'static str]),
    True,
}

impl Cond {
    fn describe(self, prop: &str) -> String {
        match self {
            Cond::Is(v) => format!("`{prop}` is `{v}`"),
            Cond::NoneOf(vs) => format!(
                "`{prop}` is not {}",
                vs.iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Cond::True => format!("`{prop}` is true"),
        }
    }
}

/// The conditional fields of the profile, as in the settings inventory's nesting.
pub(crate) const CONDITIONALS: &[Conditional] = &[
    Conditional {
        def: "Username",
        fields: &["domain"],
        required: &["domain"],
        when: &[("source", Cond::Is("samAccountName"))],
    },
    Conditional {
        def: "UserDomain",
        fields: &["attribute"],
        required: &["attribute"],
        when: &[("source", Cond::NoneOf(&["custom", "none"]))],
    },
    Conditional {
        def: "UserDomain",
        fields: &["name"],
        required: &["name"],
        when: &[("source", Cond::Is("custom"))],
    },
    Conditional {
        def: "Authentication",
        fields: &["identityCertificate"],
        required: &["identityCertificate"],
        when: &[("method", Cond::Is("certificate"))],
    },
    Conditional {
        def: "OAuth",
        fields: &["signInUrl", "tokenRequestUrl"],
        required: &[],
        when: &[("enabled", Cond::True)],
    },
    Conditional {
        def: "Smime",
        fields: &["signing", "encryption"],
        required: &[],
        when: &[("enabled", Cond::True)],
    },
    Conditional {
        def: "SmimeSigning",
        fields: &[
            "userCanChange",
            "certificateType",
            "certificateUserCanChange",
        ],
        required: &[],
        when: &[("enabled", Cond::True)],
    },
    Conditional {
        def: "SmimeSigning",
        fields: &["certificate"],
        required: &["certificate"],
        when: &[
            ("enabled", Cond::True),
            ("certificateType", Cond::Is("certificate")),
        ],
    },
    Conditional {
        def: "SmimeEncryption",
        fields: &["encryptByDefaultUserCanChange"],
        required: &[],
        when: &[("encryptByDefault", Cond::True)],
    },
    Conditional {
        def: "SmimeEncryption",
        fields: &["certificate"],
        required: &["certificate"],
        when: &[("certificateType", Cond::Is("certificate"))],
    },
    Conditional {
        def: "Certificate",
        fields: &["pkcs12"],
        required: &["pkcs12"],
        when: &[("kind", Cond::Is("pkcs12"))],
    },
    Conditional {
        def: "Certificate",
        fields: &["scep"],
        required: &["scep"],
        when: &[("kind", Cond::Is("scep"))],
    },
    Conditional {
        def: "Certificate",
        fields: &["ca"],
        required: &["ca"],
        when: &[("kind", Cond::Is("ca"))],
    },
    Conditional {
        def: "Certificate",
        fields: &["external"],
        required: &[],
        when: &[("kind", Cond::Is("external"))],
    },
];

/// Whether the condition under which `field` of `def` applies holds for the object `instance`.
pub(crate) fn condition_holds(def: &str, field: &str, instance: &Value) -> bool {
    CONDITIONALS
        .iter()
        .filter(|c| c.def == def && c.fields.contains(&field))
        .any(|c| {
            c.when.iter().all(|(p, cond)| {
                let v = instance.get(*p);
                match cond {
                    Cond::Is(x) => v.and_then(Value::as_str) == Some(*x),
                    Cond::NoneOf(xs) => v.and_then(Value::as_str).is_none_or(|v| !xs.contains(&v)),
                    Cond::True => v == Some(&Value::Bool(true)),
                }
            })
        })
}

/// Remove from a profile document the members whose condition is off (e.g. S/MIME signing
/// settings while S/MIME is off), which serializing the model writes as defaults. The result is
/// the canonical document of a profile: valid, and read back as the same profile.
pub fn prune_inapplicable(value: &mut Value) {
    let root = base_schema();
    prune(&root, &root, value);
}

fn prune(root: &Value, schema: &Value, value: &mut Value) {
    let here = deref(root, schema);
    match value {
        Value::Object(obj) => {
            if let Some(def) = def_name(schema) {
                let instance = Value::Object(obj.clone());
                for rule in CONDITIONALS.iter().filter(|c| c.def == def) {
                    for f in rule.fields {
                        if !condition_holds(def, f, &instance) {
                            obj.remove(*f);
                        }
                    }
                }
            }
            for (k, v) in obj.iter_mut() {
                if let Some(child) = member(here, k) {
                    prune(root, child, v);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = here.get("items") {
                for v in items {
                    prune(root, item_schema, v);
                }
            }
        }
        _ => {}
    }
}

/// Why `field` of `def` may not appear, if it is conditional: e.g. "applies only when
/// `source` is `samAccountName`".
pub(crate) fn condition_of(def: &str, field: &str) -> Option<String> {
    CONDITIONALS
        .iter()
        .find(|c| c.def == def && c.fields.contains(&field))
        .map(|c| {
            let conds: Vec<String> = c.when.iter().map(|(p, k)| k.describe(p)).collect();
            format!("applies only when {}", conds.join(" and "))
        })
}

/// The schema of [`EmailProfile`] without platform annotations (what validation uses).
pub fn base_schema() -> Value {
    profile_schema(&[])
}

/// The schema of [`EmailProfile`], annotated with what each of `emitters` supports.
pub fn profile_schema(emitters: &[&dyn Emitter]) -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<EmailProfile>();
    let mut root = schema.to_value();
    // An absent optional setting is written by leaving it out, never as `null`.
    strip_null(&mut root);
    if let Some(defs) = root.get_mut("$defs").and_then(Value::as_object_mut) {
        for (name, def) in defs.iter_mut() {
            label_enum_members(def);
            apply_conditionals(name, def);
        }
    }
    label_enum_members(&mut root);
    // The root's own metadata.
    if let Some(obj) = root.as_object_mut() {
        obj.insert(
            "$comment".into(),
            json!("Generated by `cargo xtask schemas` from crates/emailprof-core; do not edit."),
        );
        obj.insert("$id".into(), json!(SCHEMA_ID));
    }
    for setting in Setting::ALL {
        let annotation = platforms_annotation(setting, emitters);
        if let Some(prop) = property_schema_mut(&mut root, setting.pointer())
            && let Some(obj) = prop.as_object_mut()
        {
            obj.insert(PLATFORMS_KEY.into(), annotation);
        }
    }
    root
}

/// The profile schema in draft-07 form, for editors whose YAML language server does not read
/// 2020-12: such a server ignores `unevaluatedProperties`, so a typo'd key would pass unseen.
///
/// Accepts exactly the documents `schema` accepts. Draft-07 has no `unevaluatedProperties`, so
/// an object with conditional fields lists all of them in its own `properties` under
/// `additionalProperties: false` (a typo is still refused), and each condition's `else` refuses
/// the fields it governs (`"field": false`, which editors report at the key as "Property … is
/// not allowed", like a typo). `$defs` become `definitions`. Annotations beside a `$ref` (titles,
/// descriptions, defaults) stay where they are: draft-07 validators ignore them, editors show
/// them.
pub fn to_draft07(schema: &Value) -> Value {
    let mut out = schema.clone();
    rename_defs_refs(&mut out);
    if let Some(obj) = out.as_object_mut() {
        if let Some(defs) = obj.remove("$defs") {
            obj.insert("definitions".into(), defs);
        }
        obj.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        obj.insert("$id".into(), json!(DRAFT07_SCHEMA_ID));
        if let Some(Value::Object(defs)) = obj.get_mut("definitions") {
            for def in defs.values_mut() {
                close_conditionals(def);
            }
        }
    }
    out
}

/// Point every `#/$defs/…` reference at `#/definitions/…`.
fn rename_defs_refs(schema: &mut Value) {
    match schema {
        Value::Object(obj) => {
            if let Some(Value::String(r)) = obj.get_mut("$ref")
                && let Some(rest) = r.strip_prefix("#/$defs/")
            {
                *r = format!("#/definitions/{rest}");
            }
            obj.values_mut().for_each(rename_defs_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rename_defs_refs),
        _ => {}
    }
}

/// Rewrite one object schema whose conditional fields rely on `unevaluatedProperties` (see
/// [`apply_conditionals`]) into the draft-07 form described at [`to_draft07`].
fn close_conditionals(def: &mut Value) {
    let Some(obj) = def.as_object_mut() else {
        return;
    };
    if obj.remove("unevaluatedProperties").is_none() {
        return;
    }
    let mut moved = Map::new();
    if let Some(Value::Array(branches)) = obj.get_mut("allOf") {
        for branch in branches.iter_mut() {
            let Some(b) = branch.as_object_mut() else {
                continue;
            };
            let fields = b
                .get_mut("then")
                .and_then(|t| t.as_object_mut())
                .and_then(|t| t.remove("properties"));
            let Some(Value::Object(fields)) = fields else {
                continue;
            };
            let refused: Map<String, Value> =
                fields.keys().map(|k| (k.clone(), json!(false))).collect();
            b.insert("else".into(), json!({ "properties": refused }));
            moved.extend(fields);
        }
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.extend(moved);
    } else {
        obj.insert("properties".into(), Value::Object(moved));
    }
    obj.insert("additionalProperties".into(), json!(false));
}

fn platforms_annotation(setting: Setting, emitters: &[&dyn Emitter]) -> Value {
    let mut out = Map::new();
    for e in emitters {
        let entry = match e.capability(setting) {
            Support::Native { since } => json!({ "support": "native", "since": since }),
            Support::Partial { since, note } => {
                json!({ "support": "partial", "since": since, "note": note })
            }
            Support::Unsupported { reason } => json!({ "support": "unsupported", "note": reason }),
            Support::OtherPlatform => continue,
        };
        let mut entry = entry;
        if let Some(o) = entry.as_object_mut() {
            o.retain(|_, v| !v.is_null());
        }
        out.insert(e.id().to_owned(), entry);
    }
    Value::Object(out)
}

fn strip_null(schema: &mut Value) {
    match schema {
        Value::Object(obj) => {
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let t = types.remove(0);
                    obj.insert("type".into(), t);
                }
            }
            if let Some(Value::Array(any)) = obj.get("anyOf") {
                let rest: Vec<Value> = any
                    .iter()
                    .filter(|s| s.get("type") != Some(&json!("null")))
                    .cloned()
                    .collect();
                if rest.len() == 1 && rest.len() < any.len() {
                    obj.remove("anyOf");
                    if let Value::Object(inner) = &rest[0] {
                        for (k, v) in inner {
                            obj.entry(k.clone()).or_insert(v.clone());
                        }
                    }
                }
            }
            // Object defaults repeat the members' own defaults and would put members whose
            // condition is off into generated forms; leaf defaults say it all.
            if matches!(obj.get("default"), Some(Value::Null | Value::Object(_))) {
                obj.remove("default");
            }
            for v in obj.values_mut() {
                strip_null(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// Give every `const` member of a `oneOf` a `title`; turn a bare `enum` into such a `oneOf`.
fn label_enum_members(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(values)) = obj.get("enum").cloned() {
        obj.remove("enum");
        let members: Vec<Value> = values
            .into_iter()
            .map(|v| {
                let title = v.as_str().map(humanize).unwrap_or_else(|| v.to_string());
                json!({ "const": v, "title": title })
            })
            .collect();
        obj.insert("oneOf".into(), Value::Array(members));
    }
    if let Some(Value::Array(members)) = obj.get_mut("oneOf") {
        for m in members.iter_mut() {
            let Some(mo) = m.as_object_mut() else {
                continue;
            };
            let Some(c) = mo.get("const").cloned() else {
                continue;
            };
            if !mo.contains_key("title") {
                let title = c.as_str().map(humanize).unwrap_or_else(|| c.to_string());
                mo.insert("title".into(), json!(title));
            }
        }
        // Members are plain strings; say so once for generators that need a type.
        if members
            .iter()
            .all(|m| m.get("const").is_some_and(Value::is_string))
        {
            obj.entry("type").or_insert(json!("string"));
        }
    }
}

/// `netBiosDomainName` → "Net bios domain name" (fallback label only; members normally carry
/// their doc-comment title).
fn humanize(s: &str) -> String {
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(ch.to_lowercase());
        } else if i == 0 {
            out.extend(ch.to_uppercase());
        } else {
            out.push(ch);
        }
    }
    out
}

fn condition_schema(when: &[(&str, Cond)]) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for (p, c) in when {
        match c {
            Cond::Is(v) => {
                props.insert((*p).into(), json!({ "const": v }));
                required.push(json!(p));
            }
            Cond::True => {
                props.insert((*p).into(), json!({ "const": true }));
                required.push(json!(p));
            }
            // Absent means the default, which is never the excluded value here.
            Cond::NoneOf(vs) => {
                props.insert((*p).into(), json!({ "not": { "enum": vs } }));
            }
        }
    }
    json!({ "properties": props, "required": required })
}

fn apply_conditionals(name: &str, def: &mut Value) {
    let rules: Vec<&Conditional> = CONDITIONALS.iter().filter(|c| c.def == name).collect();
    if rules.is_empty() {
        return;
    }
    let Some(obj) = def.as_object_mut() else {
        return;
    };
    let mut all_of = Vec::new();
    for rule in rules {
        let mut then_props = Map::new();
        for f in rule.fields {
            if let Some(p) = obj
                .get_mut("properties")
                .and_then(Value::as_object_mut)
                .and_then(|props| props.remove(*f))
            {
                then_props.insert((*f).into(), p);
            }
        }
        all_of.push(json!({
            "if": condition_schema(rule.when),
            "then": { "properties": then_props, "required": rule.required },
        }));
    }
    obj.insert("allOf".into(), Value::Array(all_of));
    if obj.remove("additionalProperties").is_some() {
        obj.insert("unevaluatedProperties".into(), json!(false));
    }
    if let Some(Value::Array(req)) = obj.get_mut("required") {
        req.retain(|r| {
            !CONDITIONALS
                .iter()
                .any(|c| c.def == name && c.fields.iter().any(|f| r == f))
        });
    }
}

/// Follow `$ref` into `$defs`.
pub(crate) fn deref<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..8 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/$defs/") => match root.pointer(&r[1..]) {
                Some(t) => s = t,
                None => return s,
            },
            _ => return s,
        }
    }
    s
}

/// The name of the `$defs` entry `schema` refers to, if any.
pub(crate) fn def_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
}

/// The property schema of member `name` of object schema `obj`, looking into conditional
/// branches too.
pub(crate) fn member<'a>(obj: &'a Value, name: &str) -> Option<&'a Value> {
    if let Some(p) = obj.get("properties").and_then(|p| p.get(name)) {
        return Some(p);
    }
    if let Some(s) = obj.get("additionalProperties").filter(|a| a.is_object()) {
        return Some(s);
    }
    obj.get("allOf")?
        .as_array()?
        .iter()
        .find_map(|branch| branch.get("then")?.get("properties")?.get(name))
}

/// The schema that describes the instance at `pointer`, and the `$defs` name of the object
/// that contains it.
pub(crate) fn schema_at<'a>(
    root: &'a Value,
    pointer: &str,
) -> Option<(&'a Value, Option<&'a str>)> {
    let mut current = root;
    let mut parent_def = None;
    if pointer.is_empty() {
        return Some((root, None));
    }
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        let def = def_name(current).or(parent_def);
        let here = deref(root, current);
        let next = if let Some(items) = here.get("items") {
            Some(items)
        } else {
            member(here, &seg)
        }?;
        parent_def = def_name(current).or(if current == root { None } else { def });
        current = next;
    }
    Some((current, parent_def))
}

fn property_schema_mut<'a>(root: &'a mut Value, pointer: &str) -> Option<&'a mut Value> {
    // Resolve the path immutably to a concrete JSON pointer into the schema, then borrow it.
    let mut path = String::new();
    let snapshot = root.clone();
    let mut current = &snapshot;
    for seg in pointer.split('/').skip(1) {
        // Step into the referenced definition.
        if let Some(r) = current.get("$ref").and_then(Value::as_str) {
            path = r[1..].to_owned();
            current = snapshot.pointer(&path)?;
        }
        if current.get("properties").and_then(|p| p.get(seg)).is_some() {
            path = format!("{path}/properties/{seg}");
        } else {
            let branches = current.get("allOf")?.as_array()?;
            let i = branches.iter().position(|b| {
                b.get("then")
                    .and_then(|t| t.get("properties"))
                    .and_then(|p| p.get(seg))
                    .is_some()
            })?;
            path = format!("{path}/allOf/{i}/then/properties/{seg}");
        }
        current = snapshot.pointer(&path)?;
    }
    root.pointer_mut(&path)
}

/// A short English description of what `schema` accepts ("one of `a`, `b`", "a string of 1 to
/// 64 characters", ...).
pub(crate) fn describe(root: &Value, schema: &Value) -> String {
    let s = deref(root, schema);
    if let Some(Value::Array(members)) = s.get("oneOf") {
        let consts: Vec<String> = members
            .iter()
            .filter_map(|m| m.get("const"))
            .map(|c| match c {
                Value::String(v) => format!("`{v}`"),
                other => other.to_string(),
            })
            .collect();
        if consts.len() == members.len() && !consts.is_empty() {
            return format!("one of {}", consts.join(", "));
        }
    }
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "boolean" => "`true` or `false`".into(),
        "integer" | "number" => {
            let min = s.get("minimum").map(|v| v.to_string());
            let max = s.get("maximum").map(|v| v.to_string());
            match (min, max) {
                (Some(a), Some(b)) => format!("an integer from {a} to {b}"),
                (Some(a), None) => format!("an integer of at least {a}"),
                _ => "a number".into(),
            }
        }
        "string" => {
            let mut d = String::from("a string");
            let min = s.get("minLength").and_then(Value::as_u64);
            let max = s.get("maxLength").and_then(Value::as_u64);
            match (min, max) {
                (Some(a), Some(b)) => d += &format!(" of {a} to {b} characters"),
                (Some(a), None) => d += &format!(" of at least {a} characters"),
                (None, Some(b)) => d += &format!(" of at most {b} characters"),
                _ => {}
            }
            if let Some(p) = s.get("pattern").and_then(Value::as_str) {
                d += &format!(" matching `{p}`");
            }
            if let Some(Value::Array(ex)) = s.get("examples")
                && let Some(Value::String(e)) = ex.first()
            {
                d += &format!(", e.g. `{e}`");
            }
            d
        }
        "array" => {
            let item = s.get("items").map(|i| describe(root, i));
            match item {
                Some(i) => format!("a list of distinct items, each {i}"),
                None => "a list".into(),
            }
        }
        "object" => {
            let mut names: Vec<String> = Vec::new();
            if let Some(Value::Object(p)) = s.get("properties") {
                names.extend(p.keys().map(|k| format!("`{k}`")));
            }
            if let Some(Value::Array(branches)) = s.get("allOf") {
                for b in branches {
                    if let Some(Value::Object(p)) = b.get("then").and_then(|t| t.get("properties"))
                    {
                        names.extend(p.keys().map(|k| format!("`{k}`")));
                    }
                }
            }
            names.sort();
            names.dedup();
            if names.is_empty() {
                "an object".into()
            } else {
                format!("an object with the keys {}", names.join(", "))
            }
        }
        _ => "a value as the schema describes".into(),
    }
}
