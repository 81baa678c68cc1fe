//! Microsoft Entra ID user exports: Microsoft Graph `user` objects, as Graph, `az` and the
//! Microsoft Graph PowerShell module write them.
//!
//! Shapes, told apart by content (see [`is_graph`]): one Graph page
//! (`{"@odata.context": …, "value": [users]}`); several pages one after the other (JSON lines,
//! as a paging loop over `@odata.nextLink` writes them); a bare array of users (`az ad user
//! list`); and `Get-MgUser … | ConvertTo-Json` (PascalCase names; a single object for one user).
//!
//! Users are read one at a time with serde's streaming visitors, so a page or an array of any
//! size is never held whole: memory is one user (plus the reader's buffer). Keys are compared
//! case-insensitively; keys other than the ones below are skipped (a Graph user has dozens).
//!
//! | key | attribute |
//! |---|---|
//! | `userPrincipalName` | UPN, and the user id |
//! | `id` | the object id: a second id the user is found by (the user id when there is no UPN) |
//! | `mail`, `proxyAddresses` | primary SMTP address (upper-case `SMTP:` first, then `mail`) |
//! | `onPremisesSamAccountName` | sAMAccountName (absent for cloud-only users) |
//! | `onPremisesDomainName` | domain FQDN |
//! | `onPremisesUserPrincipalName` | UPN when `userPrincipalName` is missing |
//!
//! Graph has no NetBIOS domain name: the caller maps FQDNs to NetBIOS names
//! ([`crate::NetbiosMap`]).

use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, Read};
use std::rc::Rc;

use emailprof_attributes::DirectoryAttributes;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::record::{RawRecord, clean};
use crate::{ParseError, Parsed};

/// One Graph user: its attributes, its object id when that differs from the user id, and the
/// line its object starts on.
pub(crate) struct GraphUser {
    pub(crate) attrs: DirectoryAttributes,
    pub(crate) object_id: Option<String>,
    pub(crate) line: usize,
}

/// Whether a JSON directory file (its first bytes, or all of them) is a Graph export: `None`
/// when `prefix` ends before that is decided.
///
/// A top-level object is Graph when, before any `users` key (the generic wrapped form), it has
/// a page's `value` or `@odata.*` key, or a key of a Graph user (PowerShell's single user;
/// `{"users": …}` and other objects stay generic JSON, which needs `users`). A top-level
/// array is Graph when its first user has a key only Graph users have: `@odata.*`,
/// `onPremises*`, `businessPhones` or PowerShell's `AdditionalProperties`. An Active Directory
/// export (`sAMAccountName`, `distinguishedName`) has none of them.
pub(crate) fn is_graph(prefix: &[u8]) -> Option<bool> {
    let prefix = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let mut s = Scanner {
        bytes: prefix,
        pos: 0,
    };
    match s.next_token()? {
        b'{' => loop {
            match s.next_token()? {
                b'}' => return Some(false),
                b'"' => {}
                _ => return Some(false),
            }
            let key = s.string()?;
            if key == "users" {
                return Some(false);
            }
            if key == "value" || graph_only(&key) || Key::classify(&key).is_some() {
                return Some(true);
            }
            s.expect(b':')?;
            s.skip_value()?;
            if s.next_token()? != b',' {
                return Some(false);
            }
        },
        b'[' => {
            if s.next_token()? != b'{' {
                return Some(false);
            }
            loop {
                if s.next_token()? != b'"' {
                    return Some(false);
                }
                if graph_only(&s.string()?) {
                    return Some(true);
                }
                s.expect(b':')?;
                s.skip_value()?;
                if s.next_token()? != b',' {
                    return Some(false);
                }
            }
        }
        _ => Some(false),
    }
}

/// A key only Graph users (or pages) have.
fn graph_only(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("@odata.")
        || key.starts_with("onpremises")
        || key == "businessphones"
        || key == "additionalproperties"
}

/// Just enough of a JSON tokenizer to read keys; `None` at the end of the bytes.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    /// The next byte that is not white space, consumed.
    fn next_token(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            if !b.is_ascii_whitespace() {
                return Some(b);
            }
        }
        None
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next_token()? == byte).then_some(())
    }

    /// The rest of a string whose opening quote was consumed (escapes kept as written).
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        loop {
            match *self.bytes.get(self.pos)? {
                b'\\' => self.pos += 2,
                b'"' => {
                    let text = self.bytes.get(start..self.pos)?;
                    self.pos += 1;
                    return Some(String::from_utf8_lossy(text).into_owned());
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skip one value, counting brackets (strings skipped whole).
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.next_token()? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.checked_sub(1)?,
                _ => {}
            }
            if depth == 0 {
                // A scalar ends at a delimiter; leave the delimiter for the caller.
                while let Some(&b) = self.bytes.get(self.pos) {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        break;
                    }
                    self.pos += 1;
                }
                return Some(());
            }
        }
    }
}

/// Parse a whole Graph export (the `emit` path).
pub(crate) fn parse(bytes: &[u8]) -> Result<(Parsed, Vec<Option<String>>), ParseError> {
    let mut records = Vec::new();
    let mut object_ids = Vec::new();
    read(bytes, &mut |u| {
        records.push((u.attrs, u.line));
        object_ids.push(u.object_id);
        Ok(())
    })?;
    let parsed = Parsed {
        records,
        // Graph users carry dozens of properties by design; listing them would be noise.
        ignored_fields: Vec::new(),
    };
    Ok((parsed, object_ids))
}

/// Counts the lines of what serde_json reads (it reads byte by byte), so each user knows the
/// line its object starts on.
struct Counting<R> {
    inner: R,
    lines: Rc<Cell<usize>>,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let newlines = buf[..n].iter().filter(|&&b| b == b'\n').count();
        if newlines > 0 {
            self.lines.set(self.lines.get() + newlines);
        }
        Ok(n)
    }
}

/// The longest line read whole as one JSON lines page: a page of 999 users with every
/// property is a few MB. Longer lines (one compact page of a whole tenant) are streamed.
const LINE_LIMIT: usize = 64 << 20;

/// Read every user of a Graph export, in file order, handing each to `each`. `each` returning
/// an error stops the reading; the error is reported at the user's line.
///
/// When the first line holds one whole value, the file is JSON lines: each line is parsed from
/// memory (several times faster than serde_json's byte-at-a-time reader), one page at a time.
/// Otherwise the file is streamed through serde_json's reader, one user at a time.
pub(crate) fn read(
    reader: impl Read,
    each: &mut dyn FnMut(GraphUser) -> Result<(), String>,
) -> Result<(), ParseError> {
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, reader);
    let io_error = |e: std::io::Error| (1, e.to_string());
    if reader
        .fill_buf()
        .map_err(io_error)?
        .starts_with(b"\xEF\xBB\xBF")
    {
        reader.consume(3);
    }
    let mut first = Vec::new();
    let ended = read_line(&mut reader, &mut first).map_err(io_error)?;
    if ended && one_value(&first) {
        read_lines(first, reader, each)
    } else {
        read_stream(std::io::Cursor::new(first).chain(reader), each)
    }
}

/// Append the next line (with its newline) to `buf`, up to [`LINE_LIMIT`] bytes; whether the
/// line ended (a newline, or the end of the input) within the limit.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(true);
        }
        let room = LINE_LIMIT.saturating_sub(buf.len());
        if room == 0 {
            return Ok(false);
        }
        let take = available.len().min(room);
        if let Some(i) = available[..take].iter().position(|&b| b == b'\n') {
            buf.extend_from_slice(&available[..=i]);
            input.consume(i + 1);
            return Ok(true);
        }
        buf.extend_from_slice(&available[..take]);
        input.consume(take);
    }
}

/// Whether `line` is one whole object or array (brackets balanced outside strings) and white
/// space; serde_json checks the rest.
fn one_value(line: &[u8]) -> bool {
    let mut s = Scanner {
        bytes: line,
        pos: 0,
    };
    let Some(b'{' | b'[') = s.next_token() else {
        return false;
    };
    s.pos -= 1;
    s.skip_value().is_some() && s.next_token().is_none()
}

/// JSON lines: one value per line, each parsed from memory.
fn read_lines(
    first: Vec<u8>,
    mut reader: impl BufRead,
    each: &mut dyn FnMut(GraphUser) -> Result<(), String>,
) -> Result<(), ParseError> {
    let lines = Rc::new(Cell::new(1));
    let mut sink = Sink {
        each,
        lines: Rc::clone(&lines),
        failure: None,
    };
    let mut line = first;
    let mut values = 0usize;
    loop {
        let number = lines.get();
        if line.iter().any(|b| !b.is_ascii_whitespace()) {
            let mut de = serde_json::Deserializer::from_slice(&line);
            let result = Top {
                sink: &mut sink,
                first: values == 0,
            }
            .deserialize(&mut de)
            .and_then(|()| de.end());
            if result.as_ref().is_err_and(serde_json::Error::is_eof) {
                let message = "in a file of JSON lines, each line must hold one whole page";
                return Err((number, message.to_owned()));
            }
            if let Some(failure) = sink.failure.take() {
                return Err(failure);
            }
            result.map_err(|e| json_error(&e, number + e.line().saturating_sub(1)))?;
            values += 1;
        }
        line.clear();
        lines.set(number + 1);
        let ended = read_line(&mut reader, &mut line).map_err(|e| (number + 1, e.to_string()))?;
        if line.is_empty() {
            return Ok(());
        }
        if !ended {
            return Err((
                number + 1,
                format!("in a file of JSON lines, a line is longer than {LINE_LIMIT} bytes"),
            ));
        }
    }
}

/// Any other layout: streamed through serde_json's reader, one user at a time.
fn read_stream(
    reader: impl BufRead,
    each: &mut dyn FnMut(GraphUser) -> Result<(), String>,
) -> Result<(), ParseError> {
    let lines = Rc::new(Cell::new(1));
    let mut input = Counting {
        inner: reader,
        lines: Rc::clone(&lines),
    };
    let io_error = |e: std::io::Error, lines: &Rc<Cell<usize>>| (lines.get(), e.to_string());
    let mut sink = Sink {
        each,
        lines: Rc::clone(&lines),
        failure: None,
    };
    let mut values = 0usize;
    loop {
        // White space between pages (JSON lines), counted here since serde does not see it.
        loop {
            let buf = input.inner.fill_buf().map_err(|e| io_error(e, &lines))?;
            if buf.is_empty() {
                break;
            }
            let blank = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            lines.set(lines.get() + buf[..blank].iter().filter(|&&b| b == b'\n').count());
            let more = blank == buf.len();
            input.inner.consume(blank);
            if !more {
                break;
            }
        }
        if input
            .inner
            .fill_buf()
            .map_err(|e| io_error(e, &lines))?
            .is_empty()
        {
            break;
        }
        let mut de = serde_json::Deserializer::from_reader(&mut input);
        let result = Top {
            sink: &mut sink,
            first: values == 0,
        }
        .deserialize(&mut de);
        if let Some(failure) = sink.failure.take() {
            return Err(failure);
        }
        // The counting reader is where serde_json stopped: the line of the error.
        result.map_err(|e| json_error(&e, lines.get()))?;
        values += 1;
    }
    if values == 0 {
        return Err((1, "the file is empty".to_owned()));
    }
    Ok(())
}

/// Where users go, and the first error a user gave (reported at its own line, not where the
/// parser stopped).
struct Sink<'a> {
    each: &'a mut dyn FnMut(GraphUser) -> Result<(), String>,
    lines: Rc<Cell<usize>>,
    failure: Option<ParseError>,
}

impl Sink<'_> {
    fn user<E: de::Error>(&mut self, fields: Fields, line: usize) -> Result<(), E> {
        let result = fields
            .finish()
            .and_then(|(attrs, object_id)| {
                (self.each)(GraphUser {
                    attrs,
                    object_id,
                    line,
                })
            })
            .map_err(|m| (line, m));
        result.map_err(|failure| {
            self.failure = Some(failure);
            E::custom("stopped")
        })
    }
}

/// A top-level value: a page, an array of users, or one user (PowerShell with one result).
/// Values after the first (JSON lines) must be pages.
struct Top<'s, 'a> {
    sink: &'s mut Sink<'a>,
    first: bool,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Graph page (an object with a `value` array), an array of users, or a user")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        if !self.first {
            return Err(de::Error::custom(
                "after the first page, each JSON line must be a page (an object with `value`)",
            ));
        }
        Users(self.sink).visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let line = self.sink.lines.get();
        let mut page = false;
        let mut fields = Fields::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                KeyKind::Value => {
                    if page {
                        return Err(de::Error::custom("the page has two `value` keys"));
                    }
                    page = true;
                    map.next_value_seed(Users(&mut *self.sink))?;
                }
                KeyKind::Field(k) => fields.take(k, &mut map)?,
                KeyKind::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if page {
            return Ok(());
        }
        if !self.first {
            return Err(de::Error::custom(
                "after the first page, each JSON line must be a page (an object with `value`)",
            ));
        }
        self.sink.user(fields, line)
    }
}

/// An array of users, streamed.
struct Users<'s, 'a>(&'s mut Sink<'a>);

impl<'de> DeserializeSeed<'de> for Users<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Users<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of users")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(User(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

/// One user object, handed to the sink as soon as it is read.
struct User<'s, 'a>(&'s mut Sink<'a>);

impl<'de> DeserializeSeed<'de> for User<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for User<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("each user to be a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let line = self.0.lines.get();
        let mut fields = Fields::default();
        let read: Result<(), A::Error> = (|| {
            while let Some(key) = map.next_key_seed(KeySeed)? {
                match key {
                    KeyKind::Field(k) => fields.take(k, &mut map)?,
                    // `value` is only a page's key; in a user it is one more skipped property.
                    KeyKind::Value | KeyKind::Other => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(())
        })();
        if let Err(e) = read {
            // Reported at the user's line: serde_json's own position may be past it.
            self.0
                .failure
                .get_or_insert_with(|| (line, without_position(&e.to_string())));
            return Err(e);
        }
        self.0.user(fields, line)
    }
}

/// The keys of a user this crate reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Id,
    Upn,
    Mail,
    ProxyAddresses,
    Sam,
    Domain,
    OnPremisesUpn,
}

impl Key {
    const ALL: [Key; 7] = [
        Key::Id,
        Key::Upn,
        Key::Mail,
        Key::ProxyAddresses,
        Key::Sam,
        Key::Domain,
        Key::OnPremisesUpn,
    ];

    /// The name Graph gives it (PowerShell capitalizes the first letter).
    fn name(self) -> &'static str {
        match self {
            Key::Id => "id",
            Key::Upn => "userPrincipalName",
            Key::Mail => "mail",
            Key::ProxyAddresses => "proxyAddresses",
            Key::Sam => "onPremisesSamAccountName",
            Key::Domain => "onPremisesDomainName",
            Key::OnPremisesUpn => "onPremisesUserPrincipalName",
        }
    }

    fn classify(key: &str) -> Option<Key> {
        Key::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(key))
    }
}

/// A key as the readers need it, told without allocating it (a user has several and a file
/// millions).
enum KeyKind {
    Value,
    Field(Key),
    Other,
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = KeyKind;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<KeyKind, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = KeyKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<KeyKind, E> {
        Ok(if key == "value" {
            KeyKind::Value
        } else if let Some(k) = Key::classify(key) {
            KeyKind::Field(k)
        } else {
            KeyKind::Other
        })
    }
}

/// A string or null, trimmed (empty is missing).
struct Text(Key);

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Option<String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Text {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string or null for `{}`", self.0.name())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok(clean(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
}

/// An array of strings, one string, or null, as a list.
struct Texts;

impl<'de> DeserializeSeed<'de> for Texts {
    type Value = Vec<String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Texts {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings for `proxyAddresses`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
        Ok(clean(v).into_iter().collect())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Vec<String>, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<String>()? {
            out.push(v);
        }
        Ok(out)
    }
}

/// A user's values, as read.
#[derive(Default)]
struct Fields {
    seen: u8,
    id: Option<String>,
    upn: Option<String>,
    mail: Option<String>,
    proxy_addresses: Vec<String>,
    sam: Option<String>,
    domain: Option<String>,
    on_premises_upn: Option<String>,
    error: Option<String>,
}

impl Fields {
    /// Read the value of `key`. A key given twice (they compare case-insensitively) is
    /// remembered as the user's error, so it is reported at the user's line.
    fn take<'de, A: MapAccess<'de>>(&mut self, key: Key, map: &mut A) -> Result<(), A::Error> {
        let bit = 1u8 << (key as u8);
        if self.seen & bit != 0 {
            map.next_value::<IgnoredAny>()?;
            self.error.get_or_insert_with(|| {
                format!(
                    "the key `{}` appears twice (keys compare case-insensitively)",
                    key.name()
                )
            });
            return Ok(());
        }
        self.seen |= bit;
        let slot = match key {
            Key::ProxyAddresses => {
                self.proxy_addresses = map.next_value_seed(Texts)?;
                return Ok(());
            }
            Key::Id => &mut self.id,
            Key::Upn => &mut self.upn,
            Key::Mail => &mut self.mail,
            Key::Sam => &mut self.sam,
            Key::Domain => &mut self.domain,
            Key::OnPremisesUpn => &mut self.on_premises_upn,
        };
        *slot = map.next_value_seed(Text(key))?;
        Ok(())
    }

    /// The user's attributes and object id (when it is not already the user id).
    fn finish(self) -> Result<(DirectoryAttributes, Option<String>), String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let upn = self.upn.or(self.on_premises_upn);
        let user_id = match (&upn, &self.id) {
            (Some(upn), _) => upn.clone(),
            (None, Some(id)) => id.clone(),
            (None, None) => {
                return Err("the user has neither `userPrincipalName` nor `id`".to_owned());
            }
        };
        let object_id = self.id.filter(|id| *id != user_id);
        if let Some(id) = &object_id
            && id.chars().any(char::is_control)
        {
            return Err(format!("the object id {id:?} contains control characters"));
        }
        let raw = RawRecord {
            user_id: Some(user_id),
            user_principal_name: upn,
            mail: self.mail,
            proxy_addresses: self.proxy_addresses,
            sam_account_name: self.sam,
            domain_fqdn: self.domain,
            ..RawRecord::default()
        };
        Ok((raw.finish(|_| None)?, object_id))
    }
}

/// serde_json's message without its position (it counts from the value's start, not the
/// file's); `line` is where the reader stopped.
fn json_error(e: &serde_json::Error, line: usize) -> ParseError {
    (line.max(1), without_position(&e.to_string()))
}

fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
