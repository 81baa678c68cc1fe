//! A direct XML property-list writer: the bytes `plist::to_writer_xml` writes (tab indentation,
//! quick-xml's text escaping, base64 data in lines of 68 characters at the element's
//! indentation), without building a `plist::Value` and going through an XML event writer.
//!
//! Strings may be [`Slot`]s, values known only per user: the writer then records where each
//! goes, so that a [`Template`] can be filled user after user with one copy of the literal
//! bytes. The integration tests hold the output against `plist`'s own writer.

use std::borrow::Cow;

use emailprof_core::EmitError;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// A per-user value of a template, always the text of a `<string>` element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The `n`th per-user `PayloadUUID`.
    Uuid(usize),
    /// The user name.
    Username,
    /// The email address.
    EmailAddress,
    /// The `n`th SCEP subject value with placeholders.
    Subject(usize),
}

/// A property-list value, borrowing from the profile where it can.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    String(Cow<'a, str>),
    Boolean(bool),
    Integer(u64),
    Data(Cow<'a, [u8]>),
    Dictionary(Dict<'a>),
    Array(Vec<Node<'a>>),
    Slot(Slot),
}

/// Dictionary entries in insertion order. Keys are Apple's, hence static.
#[derive(Debug, Default)]
pub(crate) struct Dict<'a>(Vec<(&'static str, Node<'a>)>);

impl<'a> Dict<'a> {
    pub(crate) fn new() -> Self {
        Self(Vec::with_capacity(16))
    }

    pub(crate) fn insert(&mut self, key: &'static str, value: Node<'a>) {
        self.0.push((key, value));
    }

    /// Keys in byte order, as `plist::Dictionary::sort_keys` leaves them; a key inserted twice
    /// keeps its last value, as a map insert does.
    pub(crate) fn sort_keys(&mut self) {
        self.0.sort_by(|a, b| a.0.cmp(b.0));
        self.0.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                std::mem::swap(later, earlier);
                true
            } else {
                false
            }
        });
    }
}

/// Everything before the root element, without the line break that precedes it.
const PROLOGUE: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">";
/// `plist` closes with `\n</plist>`; emailprof ends files with a line break.
const EPILOGUE: &[u8] = b"\n</plist>\n";
/// Bytes per base64 line (68 characters).
const DATA_LINE_BYTES: usize = 51;

/// Append `text` with quick-xml's text escaping (`BytesText::new`): `<`, `>`, `&`, `'`, `"`
/// and carriage return become references; everything else is written as it is.
pub(crate) fn escape_into(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            b'\'' => b"&apos;",
            b'"' => b"&quot;",
            b'\r' => b"&#13;",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(entity);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// The whole document for `root`, and where each slot's text goes (byte offsets, ascending).
pub(crate) fn document(root: &Node<'_>) -> Template {
    let mut w = Writer {
        out: Vec::with_capacity(4096),
        depth: 0,
        slots: Vec::new(),
    };
    w.out.extend_from_slice(PROLOGUE);
    w.node(root);
    w.out.extend_from_slice(EPILOGUE);
    Template {
        literal: w.out,
        slots: w.slots,
    }
}

/// Literal bytes and the positions of the per-user values between them.
#[derive(Debug)]
pub(crate) struct Template {
    pub(crate) literal: Vec<u8>,
    pub(crate) slots: Vec<(usize, Slot)>,
}

struct Writer {
    out: Vec<u8>,
    depth: usize,
    slots: Vec<(usize, Slot)>,
}

impl Writer {
    fn line(&mut self) {
        self.out.push(b'\n');
        self.out.resize(self.out.len() + self.depth, b'\t');
    }

    fn element(&mut self, name: &[u8], text: &str) {
        self.line();
        self.out.push(b'<');
        self.out.extend_from_slice(name);
        self.out.push(b'>');
        escape_into(&mut self.out, text);
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name);
        self.out.push(b'>');
    }

    fn open(&mut self, tag: &[u8]) {
        self.line();
        self.out.extend_from_slice(tag);
        self.depth += 1;
    }

    fn close(&mut self, tag: &[u8]) {
        self.depth -= 1;
        self.line();
        self.out.extend_from_slice(tag);
    }

    fn node(&mut self, node: &Node<'_>) {
        match node {
            Node::String(s) => self.element(b"string", s),
            Node::Boolean(b) => {
                self.line();
                self.out
                    .extend_from_slice(if *b { b"<true/>" } else { b"<false/>" });
            }
            Node::Integer(i) => {
                self.line();
                self.out.extend_from_slice(b"<integer>");
                let mut digits = [0u8; 20];
                let mut at = digits.len();
                let mut rest = *i;
                loop {
                    at -= 1;
                    digits[at] = b'0' + (rest % 10) as u8;
                    rest /= 10;
                    if rest == 0 {
                        break;
                    }
                }
                self.out.extend_from_slice(&digits[at..]);
                self.out.extend_from_slice(b"</integer>");
            }
            Node::Data(bytes) => {
                // The base64 lines sit at the indentation of `<data>` itself.
                self.line();
                self.out.extend_from_slice(b"<data>");
                let mut buf = [0u8; 68];
                for chunk in bytes.chunks(DATA_LINE_BYTES) {
                    self.line();
                    let n = BASE64
                        .encode_slice(chunk, &mut buf)
                        .expect("51 bytes encode to 68 characters");
                    self.out.extend_from_slice(&buf[..n]);
                }
                self.line();
                self.out.extend_from_slice(b"</data>");
            }
            Node::Dictionary(d) if d.0.is_empty() => {
                self.line();
                self.out.extend_from_slice(b"<dict/>");
            }
            Node::Dictionary(d) => {
                self.open(b"<dict>");
                for (key, value) in &d.0 {
                    self.element(b"key", key);
                    self.node(value);
                }
                self.close(b"</dict>");
            }
            Node::Array(items) if items.is_empty() => {
                self.line();
                self.out.extend_from_slice(b"<array/>");
            }
            Node::Array(items) => {
                self.open(b"<array>");
                for item in items {
                    self.node(item);
                }
                self.close(b"</array>");
            }
            Node::Slot(slot) => {
                self.line();
                self.out.extend_from_slice(b"<string>");
                self.slots.push((self.out.len(), *slot));
                self.out.extend_from_slice(b"</string>");
            }
        }
    }
}

/// Characters an XML 1.0 document cannot carry (a plist is XML).
pub(crate) fn xml_safe(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    })
}

/// The error for a value a property list cannot hold.
pub(crate) fn not_xml_safe(pointer: &str) -> EmitError {
    EmitError::Unsupported {
        setting: pointer.to_owned(),
        message: "the value contains control characters, which a property list cannot hold".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `value` as a node; test keys are leaked to be `'static`, as Apple's are.
    fn node(value: &plist::Value) -> Node<'_> {
        match value {
            plist::Value::String(s) => Node::String(Cow::Borrowed(s)),
            plist::Value::Boolean(b) => Node::Boolean(*b),
            plist::Value::Integer(i) => Node::Integer(i.as_unsigned().unwrap()),
            plist::Value::Data(d) => Node::Data(Cow::Borrowed(d)),
            plist::Value::Array(items) => Node::Array(items.iter().map(node).collect()),
            plist::Value::Dictionary(d) => {
                let mut out = Dict::new();
                for (k, v) in d {
                    out.insert(Box::leak(k.clone().into_boxed_str()), node(v));
                }
                Node::Dictionary(out)
            }
            other => panic!("not generated: {other:?}"),
        }
    }

    fn any_value() -> impl Strategy<Value = plist::Value> {
        let leaf = prop_oneof![
            "[a-zA-Z0-9<>&;'\"\\]\r\n\t éü€😀]{0,16}".prop_map(plist::Value::String),
            any::<bool>().prop_map(plist::Value::Boolean),
            any::<u64>().prop_map(|i| plist::Value::Integer(i.into())),
            proptest::collection::vec(any::<u8>(), 0..160).prop_map(plist::Value::Data),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(plist::Value::Array),
                proptest::collection::vec(("[A-Za-z <&>]{1,8}", inner), 0..5)
                    .prop_map(|kv| { plist::Value::Dictionary(kv.into_iter().collect()) }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

        /// Escaping, indentation, empty collections and data lines, on any document: the
        /// bytes `plist::to_writer_xml` writes (plus the final line break emailprof adds).
        #[test]
        fn the_writer_writes_what_plist_writes(top in any_value()) {
            let mut want = Vec::new();
            plist::to_writer_xml(&mut want, &top).unwrap();
            want.push(b'\n');
            let got = document(&node(&top));
            prop_assert!(got.slots.is_empty());
            prop_assert_eq!(String::from_utf8_lossy(&got.literal), String::from_utf8_lossy(&want));
        }
    }

    #[test]
    fn escaping_follows_quick_xml_text_rules() {
        let mut out = Vec::new();
        escape_into(&mut out, "a<b>&'\"\r\n\t]]>é");
        assert_eq!(
            out,
            "a&lt;b&gt;&amp;&apos;&quot;&#13;\n\t]]&gt;é".as_bytes()
        );
    }

    #[test]
    fn sort_keys_keeps_the_last_value_of_a_repeated_key() {
        let mut d = Dict::new();
        d.insert("b", Node::Integer(1));
        d.insert("a", Node::Integer(2));
        d.insert("b", Node::Integer(3));
        d.sort_keys();
        let keys: Vec<_> = d.0.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["a", "b"]);
        assert!(matches!(d.0[1].1, Node::Integer(3)));
    }

    #[test]
    fn slots_are_recorded_inside_their_string_elements() {
        let mut d = Dict::new();
        d.insert("U", Node::Slot(Slot::Username));
        let t = document(&Node::Dictionary(d));
        assert_eq!(t.slots.len(), 1);
        let (at, slot) = t.slots[0];
        assert_eq!(slot, Slot::Username);
        assert!(t.literal[..at].ends_with(b"\t<string>"));
        assert!(t.literal[at..].starts_with(b"</string>\n</dict>\n</plist>\n"));
    }
}
