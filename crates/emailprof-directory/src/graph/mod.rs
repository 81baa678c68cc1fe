//! Microsoft Entra ID user exports: Microsoft Graph `user` objects, as Graph, `az` and the
//! Microsoft Graph PowerShell module write them.
//!
//! Shapes, told apart by content (see [`is_graph`]): one Graph page
//! (`{"@odata.context": …, "value": [users]}`); several pages one after the other (JSON lines,
//! as a paging loop over `@odata.nextLink` writes them); a bare array of users (`az ad user
//! list`); and `Get-MgUser … | ConvertTo-Json` (PascalCase names; a single object for one user).
//!
//! Users are read one at a time (a JSON lines page parsed from memory, or each user cut out of
//! the stream and parsed from memory, see `frame`), so a page or an array of any size is never
//! held whole: memory is one page of JSON lines or one user. Keys are compared
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

mod fields;
mod frame;
mod quick;
mod scan;

use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, Read};
use std::rc::Rc;

use emailprof_attributes::DirectoryAttributes;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use self::fields::{Fields, KeyKind, KeySeed};
pub(crate) use self::scan::is_graph;
use self::scan::one_value;
use crate::{ParseError, Parsed};

/// One Graph user: its attributes, its object id when that differs from the user id, and the
/// line its object starts on.
pub(crate) struct GraphUser {
    pub(crate) attrs: DirectoryAttributes,
    pub(crate) object_id: Option<String>,
    pub(crate) line: usize,
}

/// Parse a whole Graph export (the `emit` path).
pub(crate) fn parse(bytes: &[u8]) -> Result<(Parsed, Vec<Option<String>>), ParseError> {
    let mut records = Vec::new();
    let mut object_ids = Vec::new();
    read(bytes, false, &mut |u| {
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

/// The longest line read whole as one JSON lines page: a page of 999 users with every
/// property is a few MB. Longer lines (one compact page of a whole tenant) are streamed.
const LINE_LIMIT: usize = 64 << 20;

/// Read every user of a Graph export, in file order, handing each to `each`. `each` returning
/// an error stops the reading; the error is reported at the user's line.
///
/// When the first line holds one whole value, the file is JSON lines: each line is parsed from
/// memory (several times faster than serde_json's byte-at-a-time reader), one page at a time.
/// Otherwise the file is streamed through serde_json's reader, one user at a time.
/// With `ids_only`, each user's attributes hold only its user id (a cheaper pass).
pub(crate) fn read(
    reader: impl Read,
    ids_only: bool,
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
    // The ids-only pass cuts every user out (see `quick`), JSON lines too.
    if ended && one_value(&first) && !ids_only {
        read_lines(first, reader, each)
    } else {
        read_stream(std::io::Cursor::new(first).chain(reader), ids_only, each)
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
        if let Some(i) = memchr::memchr(b'\n', &available[..take]) {
            buf.extend_from_slice(&available[..=i]);
            input.consume(i + 1);
            return Ok(true);
        }
        buf.extend_from_slice(&available[..take]);
        input.consume(take);
    }
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
        ids_only: false,
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

/// Any other layout: each user cut out of the stream and parsed from memory (see `frame`).
fn read_stream(
    reader: impl BufRead,
    ids_only: bool,
    each: &mut dyn FnMut(GraphUser) -> Result<(), String>,
) -> Result<(), ParseError> {
    let mut sink = Sink {
        each,
        lines: Rc::new(Cell::new(1)),
        failure: None,
        ids_only,
    };
    frame::read(reader, &mut sink)
}

/// Where users go, and the first error a user gave (reported at its own line, not where the
/// parser stopped).
struct Sink<'a> {
    each: &'a mut dyn FnMut(GraphUser) -> Result<(), String>,
    lines: Rc<Cell<usize>>,
    failure: Option<ParseError>,
    /// Read only the user ids (see `Fields::ids_only`).
    ids_only: bool,
}

impl Sink<'_> {
    fn user<E: de::Error>(&mut self, fields: Fields<'_>, line: usize) -> Result<(), E> {
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
        let mut fields = Fields::ids_only(self.sink.ids_only);
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
        let mut fields = Fields::ids_only(self.0.ids_only);
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
