//! Conformance with Microsoft Graph's published metadata: every type `export_graph` writes, for
//! every example profile, holds to the extract in `tests/data/graph-metadata/` (property names
//! of the type and its base types, property types, enum members, no read-only property, an
//! `@odata.bind` only for the type's navigation properties). The extract's source and commit
//! are in that directory's README.

use std::collections::BTreeMap;
use std::path::Path;

use emailprof_core::EmailProfile;
use emailprof_intune::{GraphType, export_graph};
use serde::Deserialize;
use serde_json::Value;

use crate::{import, model};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    types: BTreeMap<String, EntityType>,
    enums: BTreeMap<String, EnumType>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntityType {
    base_type: Option<String>,
    #[serde(rename = "abstract")]
    is_abstract: bool,
    properties: BTreeMap<String, Property>,
    navigation_properties: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Property {
    #[serde(rename = "type")]
    ty: String,
    nullable: bool,
    read_only: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnumType {
    is_flags: bool,
    members: Vec<String>,
}

fn metadata() -> Metadata {
    serde_json::from_slice(&crate::data("graph-metadata/graph-metadata.json"))
        .expect("the extract parses")
}

impl Metadata {
    /// `name` and its base types, most derived first.
    fn chain(&self, name: &str) -> Vec<(&str, &EntityType)> {
        let mut out = Vec::new();
        let mut next = Some(name.to_owned());
        while let Some(n) = next {
            let (key, t) = self
                .types
                .get_key_value(&n)
                .unwrap_or_else(|| panic!("{n} is not in the extract"));
            out.push((key.as_str(), t));
            next = t.base_type.clone();
        }
        out
    }

    fn property(&self, ty: &str, name: &str) -> Option<&Property> {
        self.chain(ty)
            .into_iter()
            .find_map(|(_, t)| t.properties.get(name))
    }

    fn navigation(&self, ty: &str, name: &str) -> Option<(&str, &str)> {
        self.chain(ty).into_iter().find_map(|(owner, t)| {
            t.navigation_properties
                .get(name)
                .map(|target| (owner, target.as_str()))
        })
    }

    /// Why `value` is not a valid value of `p`, if it is not.
    fn check_value(&self, p: &Property, value: &Value) -> Option<String> {
        if value.is_null() {
            return (!p.nullable).then(|| "null for a non-nullable property".to_owned());
        }
        if let Some(inner) = p.ty.strip_prefix("Collection(") {
            let inner = inner.strip_suffix(')').unwrap_or(inner);
            let item = Property {
                ty: inner.to_owned(),
                nullable: false,
                read_only: false,
            };
            return match value.as_array() {
                Some(items) => items.iter().find_map(|v| self.check_value(&item, v)),
                None => Some(format!("{value} is not a collection")),
            };
        }
        let ok = match p.ty.as_str() {
            "Edm.String" => value.is_string(),
            "Edm.Boolean" => value.is_boolean(),
            "Edm.Int32" | "Edm.Int64" => value.is_i64(),
            "Edm.DateTimeOffset" => value.is_string(),
            enum_name => {
                let Some(e) = self.enums.get(enum_name) else {
                    return Some(format!("type {enum_name} is not in the extract"));
                };
                let Some(s) = value.as_str() else {
                    return Some(format!("{value} is not an enum member name"));
                };
                // OData ABNF: flag members are joined by `,` with no whitespace.
                let names: Vec<&str> = if e.is_flags {
                    s.split(',').collect()
                } else {
                    vec![s]
                };
                if let Some(bad) = names.iter().find(|n| !e.members.iter().any(|m| m == *n)) {
                    return Some(format!(
                        "`{bad}` (in `{s}`) is not a member of {enum_name} {:?}",
                        e.members
                    ));
                }
                true
            }
        };
        (!ok).then(|| format!("{value} is not a {}", p.ty))
    }
}

/// Every example profile and fixture, and every profile imported from the all-types export.
fn profiles() -> Vec<(String, EmailProfile)> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<(String, EmailProfile)> =
        emailprof_testkit::profile_files(&manifest.join("../emailprof-android/tests/data"))
            .into_iter()
            .map(|f| (f.display().to_string(), emailprof_testkit::load_file(&f)))
            .collect();
    for p in import("contoso-all-types.json") {
        out.push((
            format!("contoso-all-types.json {}", p.object_type),
            model(&p),
        ));
    }
    assert!(out.len() > 8, "{} profiles", out.len());
    out
}

#[test]
fn every_exported_type_conforms_to_the_graph_metadata() {
    let meta = metadata();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (name, profile) in profiles() {
        for ty in GraphType::ALL {
            let Ok(export) = export_graph(&profile, ty) else {
                continue;
            };
            checked += 1;
            let json = export.json.as_object().expect("an object");
            let mut fail = |m: String| problems.push(format!("{name} as {ty}: {m}"));
            let t = &meta.types[ty.name()];
            if t.is_abstract {
                fail("the type is abstract".into());
            }
            if json.get("@odata.type") != Some(&Value::from(ty.odata_type())) {
                fail(format!("@odata.type is {:?}", json.get("@odata.type")));
            }
            for (key, value) in json {
                if key == "@odata.type" {
                    continue;
                }
                if let Some(nav) = key.strip_suffix("@odata.bind") {
                    match meta.navigation(ty.name(), nav) {
                        None => fail(format!(
                            "`{key}`: {nav} is no navigation property of the type"
                        )),
                        // deviceConfiguration's own navigation properties are contained
                        // collections (assignments, statuses), never bound.
                        Some(("deviceConfiguration", _)) => {
                            fail(format!("`{key}`: {nav} is a contained relationship"))
                        }
                        Some(_) if !value.is_string() => fail(format!("`{key}` is not a URL")),
                        Some(_) => {}
                    }
                    continue;
                }
                if key.contains('@') {
                    fail(format!(
                        "`{key}`: an annotation the create body does not take"
                    ));
                    continue;
                }
                if key == "id" {
                    fail("the key `id` is sent".into());
                    continue;
                }
                match meta.property(ty.name(), key) {
                    None => fail(format!("`{key}` is no property of the type or its bases")),
                    Some(p) if p.read_only => fail(format!("`{key}` is read-only")),
                    Some(p) => {
                        if let Some(why) = meta.check_value(p, value) {
                            fail(format!("`{key}`: {why}"));
                        }
                    }
                }
            }
        }
    }
    assert!(checked >= 8 * 8, "only {checked} exports checked");
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The crate's property tables (`GraphType::properties`, `references`) are the metadata's:
/// every email property of the type and its bases below `deviceConfiguration`, and every
/// navigation property there.
#[test]
fn the_property_tables_are_the_metadata() {
    let meta = metadata();
    for ty in GraphType::ALL {
        let below_device_configuration: Vec<&EntityType> = meta
            .chain(ty.name())
            .into_iter()
            .take_while(|(n, _)| *n != "deviceConfiguration")
            .map(|(_, t)| t)
            .collect();
        let mut expected: Vec<&str> = below_device_configuration
            .iter()
            .flat_map(|t| t.properties.keys().map(String::as_str))
            .collect();
        expected.sort();
        let mut ours = ty.properties();
        ours.sort();
        assert_eq!(ours, expected, "{ty}");
        let mut expected: Vec<&str> = below_device_configuration
            .iter()
            .flat_map(|t| t.navigation_properties.keys().map(String::as_str))
            .collect();
        expected.sort();
        let mut ours = ty.references().to_vec();
        ours.sort();
        assert_eq!(ours, expected, "{ty} navigation");
        assert!(
            meta.chain(ty.name())
                .iter()
                .any(|(n, _)| *n == "deviceConfiguration"),
            "{ty}"
        );
    }
}

/// The checker itself rejects what it is there to catch.
#[test]
fn the_checker_rejects_spaced_flags_and_unknown_members() {
    let meta = metadata();
    let p = meta
        .property("iosEasEmailProfileConfiguration", "easServices")
        .expect("easServices");
    assert_eq!(
        meta.check_value(p, &Value::from("calendars,contacts,email")),
        None
    );
    assert!(
        meta.check_value(p, &Value::from("calendars, contacts"))
            .is_some()
    );
    assert!(meta.check_value(p, &Value::from("tasks")).is_some());
    let p = meta
        .property("windows10EasEmailProfileConfiguration", "emailSyncSchedule")
        .expect("emailSyncSchedule");
    assert!(
        meta.check_value(p, &Value::from("manual,thirtyMinutes"))
            .is_some()
    );
    assert!(
        meta.property("windows10EasEmailProfileConfiguration", "useOAuth")
            .is_none()
    );
    assert!(
        meta.property(
            "windowsPhoneEASEmailProfileConfiguration",
            "applyOnlyToWindowsPhone81"
        )
        .is_some_and(|p| p.read_only)
    );
}
