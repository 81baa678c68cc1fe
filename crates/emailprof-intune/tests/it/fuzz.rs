//! No input makes the importer, the exporter or the Knox emitter panic.

use emailprof_intune::{GraphType, export_graph, import_graph};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z ,:/'()|.@#-]{0,40}".prop_map(Value::String),
        Just(Value::String("calendars, contacts".into())),
        Just(Value::String("samAccountName".into())),
        Just(Value::String("certificate".into())),
        Just(Value::String(
            "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('x')".into()
        )),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Real property names (all types), their annotations, and noise.
fn key() -> impl Strategy<Value = String> {
    let mut names: Vec<String> = GraphType::ALL
        .into_iter()
        .flat_map(|t| {
            let mut v: Vec<String> = t.properties().iter().map(|s| s.to_string()).collect();
            for r in t.references() {
                v.push(r.to_string());
                v.push(format!("{r}@odata.bind"));
                v.push(format!("#CustomRef_{r}"));
            }
            v
        })
        .collect();
    names.extend(
        [
            "displayName",
            "description",
            "id",
            "domainNameSourceType",
            "value",
        ]
        .map(String::from),
    );
    prop_oneof![prop::sample::select(names), "[a-z@#]{1,8}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn import_and_export_never_panic(
        ty in prop::sample::select(GraphType::ALL.to_vec()),
        props in prop::collection::btree_map(key(), value(), 0..24),
    ) {
        let mut obj: Map<String, Value> = props.into_iter().collect();
        obj.insert("@odata.type".into(), ty.odata_type().into());
        let input = Value::Array(vec![Value::Object(obj)]);
        let Ok(all) = import_graph(input.to_string().as_bytes()) else {
            return Ok(());
        };
        for p in all {
            if p.has_errors() {
                continue;
            }
            // Without errors the document is a valid profile, and exports to every type.
            let m = crate::model(&p);
            for t in GraphType::ALL {
                let _ = export_graph(&m, t);
            }
        }
    }
}
