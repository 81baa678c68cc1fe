//! The draft-07 form of the profile schema (`schema::to_draft07`, for editors whose YAML
//! language server reads only draft-07) accepts exactly what the 2020-12 schema accepts: on the
//! repository's profiles and on random structural edits of them (keys dropped, added from the
//! schema's own names or misspelt, condition switches flipped, enum values swapped).

use emailprof_core::Format;
use emailprof_core::schema::{base_schema, to_draft07};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn validators() -> (jsonschema::Validator, jsonschema::Validator) {
    let schema = base_schema();
    let new = jsonschema::draft202012::new(&schema).unwrap();
    let old = jsonschema::draft7::new(&to_draft07(&schema)).unwrap();
    (new, old)
}

fn parse(bytes: &[u8]) -> Value {
    emailprof_core::input::parse(bytes, Format::Yaml)
        .unwrap()
        .value
}

const PROFILES: [&[u8]; 3] = [
    include_bytes!("../../../../examples/contoso.yaml"),
    include_bytes!("../../../../examples/minimal.yaml"),
    include_bytes!("../../../../examples/basic-auth.yaml"),
];

#[test]
fn the_draft07_form_is_draft07() {
    let old = to_draft07(&base_schema());
    assert_eq!(old["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(
        old["$id"],
        "https://emailprof.dev/schemas/email-profile.draft-07.schema.json"
    );
    let text = old.to_string();
    for keyword in [
        "$defs",
        "unevaluatedProperties",
        "dependentRequired",
        "prefixItems",
    ] {
        assert!(!text.contains(keyword), "draft-07 form uses `{keyword}`");
    }
    // The draft-07 meta-schema (chosen by `$schema`) accepts it.
    if let Err(e) = jsonschema::meta::validate(&old) {
        panic!("not a draft-07 schema: {e}");
    }
}

/// The translation moves each conditional field into its object's `properties` and refuses it
/// when its condition is off; that is exact only while every field has one condition.
#[test]
fn every_conditional_field_has_one_condition() {
    let schema = base_schema();
    for (name, def) in schema["$defs"].as_object().unwrap() {
        let mut seen = std::collections::BTreeSet::new();
        for branch in def["allOf"].as_array().into_iter().flatten() {
            for field in branch["then"]["properties"].as_object().unwrap().keys() {
                assert!(
                    seen.insert(field.clone()),
                    "{name}.{field} has two conditions"
                );
            }
        }
    }
}

#[test]
fn both_forms_agree_on_the_repository_profiles() {
    let (new, old) = validators();
    let mut seen = 0;
    let mut invalid = 0;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/invalid");
    let mut docs: Vec<(String, Value)> = PROFILES
        .iter()
        .enumerate()
        .map(|(i, b)| (format!("example {i}"), parse(b)))
        .collect();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(format) = Format::from_path(&path.display().to_string()) else {
            continue;
        };
        if let Ok(doc) = emailprof_core::input::parse(&std::fs::read(&path).unwrap(), format) {
            docs.push((path.display().to_string(), doc.value));
        }
    }
    for (name, doc) in &docs {
        seen += 1;
        let verdict = new.is_valid(doc);
        invalid += usize::from(!verdict);
        assert_eq!(verdict, old.is_valid(doc), "{name}: the two forms disagree");
    }
    assert!(
        seen > 30 && invalid > 20,
        "{seen} documents, {invalid} invalid"
    );
}

/// Every key name the schema knows, plus misspellings of a few.
fn key_names(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(obj) => {
            if let Some(Value::Object(props)) = obj.get("properties") {
                out.extend(props.keys().cloned());
            }
            for (k, v) in obj {
                if k != "x-emailprof-platforms" {
                    key_names(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| key_names(v, out)),
        _ => {}
    }
}

/// Values worth trying anywhere: every enum member of the schema, both booleans, a few others.
fn values(schema: &Value, out: &mut Vec<Value>) {
    match schema {
        Value::Object(obj) => {
            if let Some(c) = obj.get("const") {
                out.push(c.clone());
            }
            for (k, v) in obj {
                if k != "x-emailprof-platforms" {
                    values(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| values(v, out)),
        _ => {}
    }
}

/// The objects of `doc`, by JSON pointer.
fn objects(doc: &Value, pointer: String, out: &mut Vec<String>) {
    match doc {
        Value::Object(obj) => {
            out.push(pointer.clone());
            for (k, v) in obj {
                objects(
                    v,
                    format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                objects(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Edit {
    /// Remove a key of an object.
    Drop(prop::sample::Index, prop::sample::Index),
    /// Set a key (a schema name or a misspelling) of an object to a value.
    Set(
        prop::sample::Index,
        prop::sample::Index,
        prop::sample::Index,
    ),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Edit::Drop(a, b)),
        (
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>()
        )
            .prop_map(|(a, b, c)| Edit::Set(a, b, c)),
    ]
}

fn apply(doc: &mut Value, edit: &Edit, names: &[String], pool: &[Value]) {
    let mut at = Vec::new();
    objects(doc, String::new(), &mut at);
    let (Edit::Drop(o, _) | Edit::Set(o, _, _)) = edit;
    let pointer = at[o.index(at.len())].clone();
    let Some(Value::Object(obj)) = doc.pointer_mut(&pointer) else {
        return;
    };
    match edit {
        Edit::Drop(_, k) => {
            let keys: Vec<String> = obj.keys().cloned().collect();
            if !keys.is_empty() {
                obj.remove(&keys[k.index(keys.len())]);
            }
        }
        Edit::Set(_, k, v) => {
            let name = names[k.index(names.len())].clone();
            obj.insert(name, pool[v.index(pool.len())].clone());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn both_forms_agree_on_edited_profiles(
        seed in 0..PROFILES.len(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        thread_local! {
            static FIXTURE: (jsonschema::Validator, jsonschema::Validator, Vec<String>, Vec<Value>) = {
                let schema = base_schema();
                let mut names = Vec::new();
                key_names(&schema, &mut names);
                names.sort();
                names.dedup();
                let typos: Vec<String> = names.iter().take(8).map(|n| format!("{n}x")).collect();
                names.extend(typos);
                let mut pool = vec![json!(true), json!(false), json!("x"), json!(3), json!({})];
                values(&schema, &mut pool);
                // Objects and strings of the examples, so that whole sections move around.
                for p in PROFILES {
                    let doc = parse(p);
                    let mut at = Vec::new();
                    objects(&doc, String::new(), &mut at);
                    pool.extend(at.iter().skip(1).filter_map(|q| doc.pointer(q)).cloned());
                }
                let (new, old) = validators();
                (new, old, names, pool)
            };
        }
        FIXTURE.with(|(new, old, names, pool)| {
            let mut doc = parse(PROFILES[seed]);
            for e in &edits {
                apply(&mut doc, e, names, pool);
            }
            prop_assert_eq!(new.is_valid(&doc), old.is_valid(&doc), "{}", doc);
            Ok(())
        })?;
    }
}

/// Both forms flag a condition's field when the condition is off, and a typo, and accept the
/// field when the condition holds.
#[test]
fn conditional_fields_and_typos() {
    let (new, old) = validators();
    let base = parse(PROFILES[1]);
    let with = |patch: Value| {
        let mut d = base.clone();
        let account = d["account"].as_object_mut().unwrap();
        let patch: Map<String, Value> = serde_json::from_value(patch).unwrap();
        account.extend(patch);
        d
    };
    let ok = with(
        json!({"username": {"source": "samAccountName", "domain": {"source": "custom", "name": "CONTOSO"}}}),
    );
    let off = with(
        json!({"username": {"source": "userPrincipalName", "domain": {"source": "custom", "name": "CONTOSO"}}}),
    );
    let typo = with(json!({"usernme": {"source": "userPrincipalName"}}));
    let bad_enum = with(json!({"username": {"source": "nickname"}}));
    for (v, label) in [(&new, "2020-12"), (&old, "draft-07")] {
        assert!(v.is_valid(&ok), "{label}");
        assert!(!v.is_valid(&off), "{label}");
        assert!(!v.is_valid(&typo), "{label}");
        assert!(!v.is_valid(&bad_enum), "{label}");
    }
}
