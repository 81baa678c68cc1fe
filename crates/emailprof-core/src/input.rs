//! Reading a profile document: YAML, JSON or TOML into one JSON value, with the line and column
//! of every node so that findings can point into the file.
//!
//! YAML is the one seam for the YAML parser (serde-saphyr, on granit-parser): switching parser
//! touches this file only.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

/// The largest profile document accepted. Real profiles are a few KiB.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// The syntax of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Yaml,
    Json,
    Toml,
}

impl Format {
    /// The format a file name's extension implies.
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Toml => "toml",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Ok(Format::Yaml),
            "json" => Ok(Format::Json),
            "toml" => Ok(Format::Toml),
            _ => Err(format!("unknown format `{s}`; expected yaml, json or toml")),
        }
    }
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where each node of a document starts, by JSON pointer.
#[derive(Clone, Debug, Default)]
pub struct Locations {
    values: HashMap<String, Position>,
    keys: HashMap<String, Position>,
}

impl Locations {
    /// The position of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn value(&self, pointer: &str) -> Option<Position> {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.values.get(p) {
                return Some(*pos);
            }
            if p.is_empty() {
                return None;
            }
            p = p.rsplit_once('/').map_or("", |(head, _)| head);
        }
    }

    /// The position of the key that names the member at `pointer`, else of its value.
    pub fn key(&self, pointer: &str) -> Option<Position> {
        self.keys
            .get(pointer)
            .copied()
            .or_else(|| self.value(pointer))
    }
}

/// A parsed document.
#[derive(Clone, Debug)]
pub struct Document {
    pub format: Format,
    pub value: Value,
    pub locations: Locations,
}

/// The document could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub position: Option<Position>,
    pub message: String,
}

/// Escape one JSON pointer segment (RFC 6901).
pub fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Parse `bytes` as `format`.
pub fn parse(bytes: &[u8], format: Format) -> Result<Document, ParseError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ParseError {
            position: None,
            // Callers may stop reading one byte past the limit, so the size is not given.
            message: format!(
                "the document is larger than 1 MiB; profiles are limited to {MAX_INPUT_BYTES} bytes"
            ),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(bytes, e.valid_up_to());
        ParseError {
            position: Some(Position { line, column }),
            message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(i) = text.find('\0') {
        let (line, column) = line_col(text.as_bytes(), i);
        return Err(ParseError {
            position: Some(Position { line, column }),
            message: "the document contains a NUL byte".into(),
        });
    }
    let (value, locations) = match format {
        Format::Yaml => (parse_yaml(text)?, yaml_locations(text)),
        Format::Json => (parse_json(text)?, yaml_locations(text)),
        Format::Toml => parse_toml(text)?,
    };
    Ok(Document {
        format,
        value,
        locations,
    })
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

fn parse_yaml(text: &str) -> Result<Value, ParseError> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 100_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_depth: 64,
            max_nodes: 100_000,
            max_total_scalar_bytes: MAX_INPUT_BYTES,
        },
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        with_snippet: false,
    };
    if text.trim().is_empty() {
        return Err(ParseError {
            position: Some(Position { line: 1, column: 1 }),
            message: "the document is empty".into(),
        });
    }
    serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|e| {
        let position = e.location().map(|l| Position {
            line: l.line() as usize,
            column: l.column() as usize,
        });
        let message = e.to_string();
        // The position is reported separately; keep the message to its first line.
        let message = message.lines().next().unwrap_or("invalid YAML").to_owned();
        // The parser names a breached budget by its Rust Debug form; say what it means.
        let message = if message.starts_with("budget breached") {
            "the document is too large once its anchors and aliases are expanded (limits: \
             100000 YAML events and nodes, 1000 anchors and aliases, 64 levels of nesting)"
                .to_owned()
        } else {
            message
        };
        ParseError {
            position,
            message: format!("invalid YAML: {message}"),
        }
    })
}

fn parse_json(text: &str) -> Result<Value, ParseError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde::Deserialize::deserialize(&mut de)
        .and_then(|v: Value| de.end().map(|()| v))
        .map_err(|e| {
            let msg = e.to_string();
            let msg = msg
                .rsplit_once(" at line ")
                .map_or(msg.as_str(), |(m, _)| m)
                .to_owned();
            ParseError {
                position: Some(Position {
                    line: e.line().max(1),
                    column: e.column().max(1),
                }),
                message: format!("invalid JSON: {msg}"),
            }
        })?;
    if depth(&value) > 64 {
        return Err(ParseError {
            position: None,
            message: "the document nests deeper than 64 levels".into(),
        });
    }
    // serde_json keeps the last of two equal keys; YAML and TOML input refuse them, and so
    // does JSON: a profile must not mean something other than what a reader sees first.
    if let Some((key, first, second)) = json_duplicate_key(text) {
        let (line, column) = line_col(text.as_bytes(), second);
        let (first_line, first_column) = line_col(text.as_bytes(), first);
        return Err(ParseError {
            position: Some(Position { line, column }),
            message: format!(
                "invalid JSON: duplicate key `{key}` (first at line {first_line}, column {first_column})"
            ),
        });
    }
    Ok(value)
}

/// The first key that appears twice in one object of `text` (valid JSON, nesting checked),
/// with the byte offsets of both occurrences.
fn json_duplicate_key(text: &str) -> Option<(String, usize, usize)> {
    let b = text.as_bytes();
    // One set of keys per open object; `None` for arrays.
    let mut stack: Vec<Option<std::collections::HashMap<String, usize>>> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => {
                stack.push(Some(std::collections::HashMap::new()));
                expect_key = true;
            }
            b'[' => {
                stack.push(None);
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => expect_key = matches!(stack.last(), Some(Some(_))),
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if expect_key && let Some(Some(keys)) = stack.last_mut() {
                    let key: String = serde_json::from_str(text.get(start..=i)?).ok()?;
                    if let Some(first) = keys.insert(key.clone(), start) {
                        return Some((key, first, start));
                    }
                }
                expect_key = false;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

enum Frame {
    Map {
        pointer: String,
        key: Option<String>,
    },
    Seq {
        pointer: String,
        index: usize,
    },
}

/// Positions of every node of a YAML (or JSON, its subset) document. Best effort: a document
/// the event parser rejects simply has fewer positions.
fn yaml_locations(text: &str) -> Locations {
    use granit_parser::{Event, Parser};

    let mut loc = Locations::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut events = 0usize;
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { break };
        events += 1;
        if events > 200_000 {
            break;
        }
        let pos = Position {
            line: span.start.line(),
            column: span.start.col() + 1,
        };
        let node = match &event {
            Event::Scalar(..)
            | Event::Alias(..)
            | Event::SequenceStart(..)
            | Event::MappingStart(..) => true,
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
                false
            }
            _ => false,
        };
        if !node {
            continue;
        }
        // Where does this node sit?
        let child = match stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { pointer, index }) => {
                let p = format!("{pointer}/{index}");
                *index += 1;
                Some(p)
            }
            Some(Frame::Map { pointer, key }) => match key.take() {
                None => {
                    // This node is a key.
                    let name = match &event {
                        Event::Scalar(s, ..) => s.to_string(),
                        _ => "?".to_owned(),
                    };
                    let p = format!("{pointer}/{}", escape_segment(&name));
                    loc.keys.entry(p).or_insert(pos);
                    *key = Some(name);
                    None
                }
                Some(name) => Some(format!("{pointer}/{}", escape_segment(&name))),
            },
        };
        match (&event, child) {
            (_, Some(p)) => {
                loc.values.entry(p.clone()).or_insert(pos);
                match event {
                    Event::SequenceStart(..) => stack.push(Frame::Seq {
                        pointer: p,
                        index: 0,
                    }),
                    Event::MappingStart(..) => stack.push(Frame::Map {
                        pointer: p,
                        key: None,
                    }),
                    _ => {}
                }
            }
            // A complex key: track its nesting so the stack stays balanced.
            (Event::SequenceStart(..), None) => stack.push(Frame::Seq {
                pointer: "/?".into(),
                index: 0,
            }),
            (Event::MappingStart(..), None) => stack.push(Frame::Map {
                pointer: "/?".into(),
                key: None,
            }),
            _ => {}
        }
    }
    loc
}

fn parse_toml(text: &str) -> Result<(Value, Locations), ParseError> {
    let to_err = |e: toml::de::Error| {
        let position = e.span().map(|s| {
            let (line, column) = line_col(text.as_bytes(), s.start);
            Position { line, column }
        });
        ParseError {
            position,
            message: format!("invalid TOML: {}", e.message()),
        }
    };
    let value: Value = toml::from_str(text).map_err(to_err)?;
    if depth(&value) > 64 {
        return Err(ParseError {
            position: None,
            message: "the document nests deeper than 64 levels".into(),
        });
    }
    let mut loc = Locations::default();
    if let Ok(table) = toml::de::DeTable::parse(text) {
        let pos = |offset: usize| {
            let (line, column) = line_col(text.as_bytes(), offset);
            Position { line, column }
        };
        loc.values.insert(String::new(), pos(table.span().start));
        walk_toml_table(table.get_ref(), "", &pos, &mut loc);
    }
    Ok((value, loc))
}

fn walk_toml_table(
    table: &toml::de::DeTable<'_>,
    pointer: &str,
    pos: &dyn Fn(usize) -> Position,
    loc: &mut Locations,
) {
    for (k, v) in table.iter() {
        let p = format!("{pointer}/{}", escape_segment(k.get_ref()));
        loc.keys.entry(p.clone()).or_insert(pos(k.span().start));
        walk_toml_value(v, p, pos, loc);
    }
}

fn walk_toml_value(
    v: &toml::Spanned<toml::de::DeValue<'_>>,
    p: String,
    pos: &dyn Fn(usize) -> Position,
    loc: &mut Locations,
) {
    loc.values.entry(p.clone()).or_insert(pos(v.span().start));
    match v.get_ref() {
        toml::de::DeValue::Table(t) => walk_toml_table(t, &p, pos, loc),
        toml::de::DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                walk_toml_value(item, format!("{p}/{i}"), pos, loc);
            }
        }
        _ => {}
    }
}

/// Write `value` in `format` (for `--format` conversions and round-trip tests).
pub fn render(value: &Value, format: Format) -> Result<String, String> {
    match format {
        Format::Json => serde_json::to_string_pretty(value)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        Format::Yaml => serde_saphyr::to_string(value).map_err(|e| e.to_string()),
        Format::Toml => toml::to_string_pretty(value).map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_refuses_duplicate_keys_with_both_positions() {
        let text = "{\n  \"account\": {\n    \"server\": \"a.example\",\n    \"server\": \"b.example\"\n  }\n}";
        let e = parse(text.as_bytes(), Format::Json).unwrap_err();
        assert_eq!(e.position, Some(Position { line: 4, column: 5 }));
        assert!(
            e.message
                .contains("duplicate key `server` (first at line 3, column 5)"),
            "{}",
            e.message
        );
        // The same name in different objects, in arrays, in values, or escaped differently
        // but equal, is judged by the decoded key.
        assert!(
            parse(
                br#"{"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}],"d":"k"}"#,
                Format::Json
            )
            .is_ok()
        );
        assert!(parse(br#"{"k":"\"k\"","x":["k","k"]}"#, Format::Json).is_ok());
        let escaped = parse(br#"{"k":1,"\u006b":2}"#, Format::Json).unwrap_err();
        assert!(
            escaped.message.contains("duplicate key `k`"),
            "{}",
            escaped.message
        );
    }

    #[test]
    fn yaml_positions_point_at_values_and_keys() {
        let text = "a: 1\nb:\n  c: [x, y]\n  'd/e': true\n";
        let doc = parse(text.as_bytes(), Format::Yaml).unwrap();
        let l = &doc.locations;
        assert_eq!(l.value("/a"), Some(Position { line: 1, column: 4 }));
        assert_eq!(l.key("/b/c"), Some(Position { line: 3, column: 3 }));
        assert_eq!(
            l.value("/b/c/1"),
            Some(Position {
                line: 3,
                column: 10
            })
        );
        assert_eq!(l.key("/b/d~1e"), Some(Position { line: 4, column: 3 }));
        // Unknown pointers fall back to the nearest ancestor.
        assert_eq!(l.value("/b/zzz"), l.value("/b"));
    }

    #[test]
    fn json_and_toml_positions() {
        let json = "{\n  \"a\": {\n    \"b\": 2\n  }\n}\n";
        let doc = parse(json.as_bytes(), Format::Json).unwrap();
        assert_eq!(
            doc.locations.value("/a/b"),
            Some(Position {
                line: 3,
                column: 10
            })
        );
        let toml = "x = 1\n[a]\nb = \"q\"\n";
        let doc = parse(toml.as_bytes(), Format::Toml).unwrap();
        assert_eq!(
            doc.locations.value("/a/b"),
            Some(Position { line: 3, column: 5 })
        );
        assert_eq!(
            doc.locations.key("/a/b"),
            Some(Position { line: 3, column: 1 })
        );
    }

    #[test]
    fn syntax_errors_carry_positions() {
        let e = parse(b"{\n \"a\": [1,,2]\n}", Format::Json).unwrap_err();
        assert_eq!(e.position.unwrap().line, 2);
        let e = parse(b"a: [1, 2\nb: 3\n", Format::Yaml).unwrap_err();
        assert!(e.position.is_some(), "{e:?}");
        let e = parse(b"a = \n", Format::Toml).unwrap_err();
        assert_eq!(e.position.unwrap().line, 1);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            for f in [Format::Yaml, Format::Json, Format::Toml] {
                if let Ok(doc) = parse(&bytes, f) {
                    let _ = crate::validate(&doc, Default::default());
                }
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "[ -~\\n\\t]{0,300}") {
            for f in [Format::Yaml, Format::Json, Format::Toml] {
                if let Ok(doc) = parse(text.as_bytes(), f) {
                    let _ = crate::validate(&doc, Default::default());
                }
            }
        }
    }

    #[test]
    fn hostile_input_is_refused_cleanly() {
        assert!(parse(&[b'a', b':', b' ', 0xff, 0xfe], Format::Yaml).is_err());
        assert!(parse(b"a: \"x\0y\"", Format::Yaml).is_err());
        let big = vec![b' '; MAX_INPUT_BYTES + 1];
        assert!(
            parse(&big, Format::Yaml)
                .unwrap_err()
                .message
                .contains("limited")
        );
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n";
        assert!(parse(bomb.as_bytes(), Format::Yaml).is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(deep.as_bytes(), Format::Json).is_err());
        assert!(parse(deep.as_bytes(), Format::Yaml).is_err());
    }
}
