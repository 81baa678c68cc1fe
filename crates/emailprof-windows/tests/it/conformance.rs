//! Conformance with `ActiveSync.ddf.xml`: every emitted LocURI names a DDF node, with the
//! node's format, an access type the node allows, and a value among its allowed values.

use emailprof_core::model::EmailSyncDuration;
use emailprof_core::{EmitOptions, Emitter, Operation};
use emailprof_windows::{ACTIVESYNC_ROOT, ContentType, WindowsEmitter, account_guid};
use regex::Regex;

use crate::fixture;
use crate::xml::{self, Element};

/// A node of the DDF, as far as conformance needs it.
#[derive(Debug)]
struct DdfNode {
    /// Empty for a dynamic node (the account GUID, the content-type GUID).
    name: String,
    format: String,
    access: Vec<String>,
    allowed: Allowed,
    /// `MSFT:DynamicNodeNaming/MSFT:UniqueName`: the names a dynamic node may take.
    unique_names: Vec<String>,
    /// `MSFT:AtomicRequired`.
    atomic_required: bool,
    /// Enum value → its `ValueDescription`.
    descriptions: Vec<(String, String)>,
    children: Vec<DdfNode>,
}

#[derive(Debug)]
enum Allowed {
    Any,
    Enum(Vec<String>),
    Range(i64, i64),
    Regex(Regex),
}

impl DdfNode {
    fn from_element(e: &Element) -> DdfNode {
        let props = e.child("DFProperties").expect("DFProperties");
        let format = props
            .child("DFFormat")
            .and_then(|f| f.children.first())
            .map(|f| f.name.clone())
            .expect("DFFormat");
        let access = props
            .child("AccessType")
            .map(|a| a.children.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        let mut descriptions = Vec::new();
        let allowed = match props.child("MSFT:AllowedValues") {
            None => Allowed::Any,
            Some(a) => match a.attribute("ValueType") {
                Some("ENUM") => {
                    let values = a
                        .children_named("MSFT:Enum")
                        .map(|en| {
                            let v = en.text_at(&["MSFT:Value"]).expect("a value").to_owned();
                            let d = en.text_at(&["MSFT:ValueDescription"]).unwrap_or("");
                            descriptions.push((v.clone(), d.to_owned()));
                            v
                        })
                        .collect();
                    Allowed::Enum(values)
                }
                Some("Range") => {
                    let text = a.text_at(&["MSFT:Value"]).expect("a range");
                    // `[(-1)-4294967295]`: bounds, the negative one parenthesised.
                    let re = Regex::new(r"^\[\(?(-?\d+)\)?-\(?(-?\d+)\)?\]$").expect("regex");
                    let c = re.captures(text).unwrap_or_else(|| panic!("range {text}"));
                    Allowed::Range(
                        c[1].parse().expect("a number"),
                        c[2].parse().expect("a number"),
                    )
                }
                Some("RegEx") => {
                    let text = a.text_at(&["MSFT:Value"]).expect("a pattern");
                    Allowed::Regex(Regex::new(&format!("^(?:{text})$")).expect("the DDF regex"))
                }
                Some("None") | None => Allowed::Any,
                Some(other) => panic!("ValueType {other} is not handled"),
            },
        };
        let unique_names = props
            .child("MSFT:DynamicNodeNaming")
            .and_then(|d| d.child("MSFT:UniqueName"))
            .map(|u| {
                Regex::new(r"\{[0-9A-Fa-f-]{36}\}")
                    .expect("regex")
                    .find_iter(&u.text)
                    .map(|m| m.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        DdfNode {
            name: e.text_at(&["NodeName"]).unwrap_or("").to_owned(),
            format,
            access,
            allowed,
            unique_names,
            atomic_required: props.child("MSFT:AtomicRequired").is_some(),
            descriptions,
            children: e
                .children_named("Node")
                .map(DdfNode::from_element)
                .collect(),
        }
    }

    /// The child that `segment` (unescaped) names.
    fn child(&self, segment: &str) -> Result<&DdfNode, String> {
        if let Some(c) = self.children.iter().find(|c| c.name == segment) {
            return Ok(c);
        }
        let dynamic = self
            .children
            .iter()
            .find(|c| c.name.is_empty())
            .ok_or_else(|| format!("`{}` has no child `{segment}`", self.name))?;
        let named = dynamic.unique_names.iter().any(|n| n == segment);
        let matches = match &dynamic.allowed {
            Allowed::Regex(re) => re.is_match(segment),
            _ => false,
        };
        if named || matches {
            Ok(dynamic)
        } else {
            Err(format!(
                "`{segment}` is neither a child of `{}` nor a name its dynamic node allows",
                self.name
            ))
        }
    }

    fn description(&self, value: &str) -> Option<&str> {
        self.descriptions
            .iter()
            .find(|(v, _)| v == value)
            .map(|(_, d)| d.as_str())
    }
}

/// The DDF's `ActiveSync` node.
fn ddf() -> DdfNode {
    let text = std::fs::read_to_string(fixture::ddf_path()).expect("the ActiveSync DDF");
    let tree = xml::parse(&text);
    assert_eq!(tree.name, "MgmtTree");
    let root = tree.child("Node").expect("the root node");
    assert_eq!(
        format!(
            "{}/{}",
            root.text_at(&["Path"]).expect("Path"),
            root.text_at(&["NodeName"]).expect("NodeName")
        ),
        ACTIVESYNC_ROOT
    );
    DdfNode::from_element(root)
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("a percent escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

/// The DDF node a LocURI names, and the node names on the way (unescaped).
fn lookup<'a>(root: &'a DdfNode, uri: &str) -> Result<(&'a DdfNode, Vec<String>), String> {
    let rest = uri
        .strip_prefix(ACTIVESYNC_ROOT)
        .and_then(|r| r.strip_prefix('/'))
        .ok_or_else(|| format!("{uri} is not under {ACTIVESYNC_ROOT}"))?;
    // Only unreserved characters may appear unescaped in a segment.
    let unescaped = Regex::new(r"^(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})+$").expect("regex");
    let mut node = root;
    let mut names = Vec::new();
    for raw in rest.split('/') {
        if !unescaped.is_match(raw) {
            return Err(format!("segment `{raw}` of {uri} is not URL-escaped"));
        }
        let segment = percent_decode(raw);
        node = node.child(&segment)?;
        names.push(segment);
    }
    Ok((node, names))
}

/// One command of an emitted document, checked against the DDF.
struct Checked {
    verb: String,
    names: Vec<String>,
    data: Option<String>,
}

/// Check a SyncML document's shape and every command in it against the DDF.
fn check_syncml(ddf: &DdfNode, text: &str) -> Vec<Checked> {
    let doc = xml::parse(text);
    assert_eq!(doc.name, "SyncML");
    assert_eq!(doc.attribute("xmlns"), Some("SYNCML:SYNCML1.2"));
    let names: Vec<_> = doc.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["SyncBody"], "a body-only document");
    let body = &doc.children[0];
    let names: Vec<_> = body.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Atomic", "Final"], "all commands in one Atomic");
    let atomic = &body.children[0];

    let mut ids = vec![atomic.text_at(&["CmdID"]).expect("the Atomic's CmdID")];
    let mut out = Vec::new();
    for command in atomic.children.iter().filter(|c| c.name != "CmdID") {
        let verb = command.name.clone();
        assert!(
            ["Add", "Replace", "Delete"].contains(&verb.as_str()),
            "unexpected command {verb} (Get and nested Atomic are not allowed in an Atomic)"
        );
        ids.push(command.text_at(&["CmdID"]).expect("a CmdID"));
        let items: Vec<_> = command.children_named("Item").collect();
        assert_eq!(items.len(), 1, "one item per command");
        let item = items[0];
        let uri = item
            .text_at(&["Target", "LocURI"])
            .expect("a target LocURI");
        let (node, names) = lookup(ddf, uri).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            node.access.contains(&verb),
            "{uri}: {verb} is not among the DDF access types {:?}",
            node.access
        );
        assert_ne!(
            names.last().map(String::as_str),
            Some("Name"),
            "{uri}: ContentTypes/{{GUID}}/Name must never be written"
        );
        let format = item.child("Meta").and_then(|m| m.child("Format"));
        let data = item.child("Data").map(|d| d.text.clone());
        if verb == "Delete" {
            assert!(
                format.is_none() && data.is_none(),
                "{uri}: a Delete carries no value"
            );
        } else {
            let format = format.unwrap_or_else(|| panic!("{uri}: no Meta/Format"));
            assert_eq!(format.attribute("xmlns"), Some("syncml:metinf"), "{uri}");
            assert_eq!(
                format.text, node.format,
                "{uri}: format differs from the DDF"
            );
            match (node.format.as_str(), &data) {
                ("node", None) => {}
                ("chr", Some(value)) => check_value(uri, node, value),
                (f, d) => panic!("{uri}: format {f} with data {d:?}"),
            }
        }
        out.push(Checked { verb, names, data });
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "CmdIDs are unique: {ids:?}");
    assert!(ids.iter().all(|id| id.parse::<u32>().is_ok()), "{ids:?}");

    // The account node is AtomicRequired, and every command targets one account.
    let accounts: Vec<_> = out.iter().map(|c| c.names[1].clone()).collect();
    assert!(accounts.windows(2).all(|w| w[0] == w[1]), "{accounts:?}");
    let account = ddf
        .child("Accounts")
        .and_then(|a| a.child(&accounts[0]))
        .expect("the account node");
    assert!(account.atomic_required);
    out
}

fn check_value(uri: &str, node: &DdfNode, value: &str) {
    match &node.allowed {
        Allowed::Any => {}
        Allowed::Enum(values) => assert!(
            values.iter().any(|v| v == value),
            "{uri}: `{value}` is not one of {values:?}"
        ),
        Allowed::Range(min, max) => {
            let n: i64 = value
                .parse()
                .unwrap_or_else(|_| panic!("{uri}: `{value}` is not a number"));
            assert!(
                (*min..=*max).contains(&n),
                "{uri}: {n} outside {min}..={max}"
            );
        }
        Allowed::Regex(re) => assert!(re.is_match(value), "{uri}: `{value}` fails {re}"),
    }
}

fn emit_syncml(file: &std::path::Path, operation: Operation) -> String {
    let rp = fixture::resolve_as(fixture::load_file(file), "adele");
    let options = EmitOptions {
        operation,
        include_password: true,
        ..EmitOptions::default()
    };
    let emission = WindowsEmitter
        .emit(&rp, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    String::from_utf8(emission.artifacts[0].bytes.clone()).expect("UTF-8")
}

#[test]
fn every_command_of_every_fixture_conforms_to_the_ddf() {
    let ddf = ddf();
    let files = fixture::FIXTURES.files();
    assert!(files.len() >= 4, "{files:?}");
    for file in &files {
        for operation in [Operation::Add, Operation::Replace, Operation::Remove] {
            let commands = check_syncml(&ddf, &emit_syncml(file, operation));
            let verbs: Vec<_> = commands.iter().map(|c| c.verb.as_str()).collect();
            match operation {
                Operation::Add => assert!(verbs.iter().all(|v| *v == "Add")),
                Operation::Replace => assert!(verbs.iter().all(|v| *v == "Replace")),
                Operation::Remove => {
                    assert_eq!(verbs, ["Delete"]);
                    assert_eq!(commands[0].names.len(), 2, "the account node itself");
                }
            }
        }
    }
}

#[test]
fn add_writes_the_required_nodes_and_every_content_type_once() {
    let ddf = ddf();
    let file = fixture::FIXTURES.dir().join("minimal.yaml");
    let commands = check_syncml(&ddf, &emit_syncml(&file, Operation::Add));
    let leaf = |path: &str| {
        commands
            .iter()
            .find(|c| c.names[2..].join("/") == path)
            .and_then(|c| c.data.clone())
    };
    // The first command creates the account node itself.
    assert_eq!(commands[0].names.len(), 2);
    assert_eq!(leaf("AccountType").as_deref(), Some("Exchange"));
    assert_eq!(leaf("EmailAddress").as_deref(), Some("adele@contoso.com"));
    assert_eq!(leaf("ServerName").as_deref(), Some("mail.contoso.com"));
    assert_eq!(leaf("UserName").as_deref(), Some("adele@contoso.com"));
    assert_eq!(leaf("AccountName").as_deref(), Some("Contoso mail"));
    // SSL on by default: the DDF describes the value written as "SSL is used."
    let use_ssl = leaf("Options/UseSSL").expect("UseSSL");
    let (node, _) = lookup(
        &ddf,
        &format!(
            "{ACTIVESYNC_ROOT}/Accounts/%7B{:X}%7D/Options/UseSSL",
            account_guid("com.contoso.minimal", "adele")
        ),
    )
    .expect("UseSSL node");
    assert_eq!(node.description(&use_ssl), Some("SSL is used."));
    for ct in ContentType::ALL {
        let matching: Vec<_> = commands
            .iter()
            .filter(|c| c.names.get(4).map(String::as_str) == Some(ct.guid()))
            .collect();
        assert_eq!(matching.len(), 1, "{ct:?}");
        assert_eq!(matching[0].names[5], "Enabled");
        assert_eq!(
            matching[0].data.as_deref(),
            Some("1"),
            "all services sync by default"
        );
    }
    assert_eq!(
        leaf("Options/MailAgeFilter"),
        None,
        "not configured, not written"
    );
    assert_eq!(
        leaf("Options/Schedule"),
        None,
        "not configured, not written"
    );
}

#[test]
fn mail_age_filter_values_mean_what_the_ddf_says() {
    let ddf = ddf();
    let accounts = ddf.child("Accounts").expect("Accounts");
    let account = accounts
        .children
        .iter()
        .find(|c| c.name.is_empty())
        .expect("account");
    let filter = account
        .child("Options")
        .and_then(|o| o.child("MailAgeFilter"))
        .expect("MailAgeFilter");
    // The phrase the DDF uses for each duration, read off the model's day counts.
    let phrase = |d: EmailSyncDuration| match d.days() {
        Some(0) => "all email items",
        Some(1) => "one day",
        Some(3) => "three days",
        Some(7) => "a week",
        Some(14) => "two weeks",
        Some(31) => "a month",
        other => panic!("{other:?}"),
    };
    for file in fixture::FIXTURES.files() {
        let profile = fixture::load_file(&file);
        let duration = profile.sync.email_sync_duration;
        let commands = check_syncml(&ddf, &emit_syncml(&file, Operation::Add));
        let value = commands
            .iter()
            .find(|c| c.names.last().map(String::as_str) == Some("MailAgeFilter"))
            .and_then(|c| c.data.clone());
        match (duration, value) {
            (EmailSyncDuration::NotConfigured, None) => {}
            (d, Some(v)) => {
                let description = filter.description(&v).expect("an enum value");
                assert!(
                    description.contains(phrase(d)),
                    "{}: {d:?} written as {v} = {description}",
                    file.display()
                );
            }
            (d, None) => panic!("{}: {d:?} not written", file.display()),
        }
    }
}

#[test]
fn intune_custom_settings_conform_to_the_ddf() {
    let ddf = ddf();
    for file in fixture::FIXTURES.files() {
        let rp = fixture::resolve_as(fixture::load_file(&file), "adele");
        let options = EmitOptions {
            form: Some("intune-custom".into()),
            include_password: true,
            ..EmitOptions::default()
        };
        let emission = WindowsEmitter.emit(&rp, &options).expect("emits");
        let json: serde_json::Value =
            serde_json::from_slice(&emission.artifacts[0].bytes).expect("JSON");
        assert_eq!(
            json["@odata.type"],
            "#microsoft.graph.windows10CustomConfiguration"
        );
        let settings = json["omaSettings"].as_array().expect("omaSettings");
        assert!(!settings.is_empty() && settings.len() <= 1000);
        let guid = format!("%7B{:X}%7D", account_guid(&rp.profile.identifier, "adele"));
        for s in settings {
            assert_eq!(s["@odata.type"], "#microsoft.graph.omaSettingString");
            let uri = s["omaUri"].as_str().expect("omaUri");
            assert!(uri.contains(&guid), "{uri}");
            let (node, _) = lookup(&ddf, uri).unwrap_or_else(|e| panic!("{e}"));
            // Intune adds or replaces as it sees fit: the node must allow both.
            assert!(node.access.iter().any(|a| a == "Add"), "{uri}");
            assert!(node.access.iter().any(|a| a == "Replace"), "{uri}");
            assert_eq!(node.format, "chr", "{uri}");
            assert_ne!(node.name, "Name", "{uri}");
            check_value(uri, node, s["value"].as_str().expect("a string value"));
        }
    }
}
