//! Files that are not JSON lines (a pretty-printed page, `az ad user list`, `Get-MgUser |
//! ConvertTo-Json`, concatenated pages): each user's object is cut out of the byte stream and
//! parsed from memory, so memory is one user and the speed that of parsing from a slice
//! (serde_json's own reader goes a byte at a time).
//!
//! The cutting only tracks strings and brackets; serde_json parses every byte: each user, and
//! the page around the users with its `value` array emptied.

use std::io::BufRead;

use serde::de::DeserializeSeed;

use super::{Sink, Top, User, json_error};
use crate::ParseError;

/// The most bytes one user's object (or a page without its users) may take: a Graph user
/// with every property is a few KB; this stops a hostile file from growing one value without
/// end.
pub(super) const VALUE_LIMIT: usize = 16 << 20;

struct Framer<R> {
    input: R,
    line: usize,
}

impl<R: BufRead> Framer<R> {
    fn io(&self, e: std::io::Error) -> ParseError {
        (self.line, e.to_string())
    }

    fn peek(&mut self) -> Result<Option<u8>, ParseError> {
        match self.input.fill_buf() {
            Ok(buf) => Ok(buf.first().copied()),
            Err(e) => Err(self.io(e)),
        }
    }

    fn bump(&mut self) {
        if let Ok(buf) = self.input.fill_buf()
            && let Some(&b) = buf.first()
        {
            self.line += usize::from(b == b'\n');
            self.input.consume(1);
        }
    }

    /// Skip white space; the next byte, not consumed.
    fn skip_ws(&mut self) -> Result<Option<u8>, ParseError> {
        loop {
            match self.peek()? {
                Some(b) if b.is_ascii_whitespace() => self.bump(),
                other => return Ok(other),
            }
        }
    }

    /// Append the bytes of one value to `out`: a string, an object or array (strings and
    /// brackets tracked), or a scalar up to the next delimiter.
    fn take_value(&mut self, out: &mut Vec<u8>) -> Result<(), ParseError> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        let mut started = false;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) => return Err(self.io(e)),
            };
            if buf.is_empty() {
                return Ok(());
            }
            let mut end = None;
            let mut i = 0;
            while i < buf.len() {
                let b = buf[i];
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    } else {
                        // The rest of the string up to its next quote or backslash at once.
                        i = memchr::memchr2(b'"', b'\\', &buf[i..]).map_or(buf.len(), |j| i + j);
                        continue;
                    }
                    i += 1;
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    b',' | b'}' | b']' if depth == 0 => {
                        end = Some(i);
                        break;
                    }
                    _ if depth == 0 && started && b.is_ascii_whitespace() => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
                started = true;
                i += 1;
            }
            let n = end.unwrap_or(buf.len());
            if out.len() + n > VALUE_LIMIT {
                return Err((
                    self.line,
                    format!(
                        "a user (or a page without its users) is longer than {VALUE_LIMIT} bytes"
                    ),
                ));
            }
            out.extend_from_slice(&buf[..n]);
            self.line += memchr::memchr_iter(b'\n', &buf[..n]).count();
            self.input.consume(n);
            if end.is_some() {
                return Ok(());
            }
        }
    }
}

/// Read the users of `input`, a sequence of top-level values.
pub(super) fn read(input: impl BufRead, sink: &mut Sink<'_>) -> Result<(), ParseError> {
    let mut f = Framer { input, line: 1 };
    let mut values = 0usize;
    let (mut shell, mut user) = (Vec::new(), Vec::new());
    while let Some(first) = f.skip_ws()? {
        let start = f.line;
        shell.clear();
        if first == b'[' && values > 0 {
            let message =
                "after the first page, each JSON line must be a page (an object with `value`)";
            return Err((start, message.to_owned()));
        } else if first == b'[' {
            f.bump();
            shell.extend_from_slice(b"[]");
            users(&mut f, sink, &mut user)?;
        } else if first == b'{' {
            f.bump();
            shell.push(b'{');
            page(&mut f, sink, &mut shell, &mut user)?;
        } else {
            // Anything else: serde_json says what is wrong with it.
            f.take_value(&mut shell)?;
        }
        sink.lines.set(start);
        let mut de = serde_json::Deserializer::from_slice(&shell);
        let result = Top {
            sink: &mut *sink,
            first: values == 0,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if let Some(failure) = sink.failure.take() {
            return Err(failure);
        }
        result.map_err(|e| json_error(&e, start + e.line().saturating_sub(1)))?;
        values += 1;
    }
    if values == 0 {
        return Err((1, "the file is empty".to_owned()));
    }
    Ok(())
}

/// The rest of an object after its `{`, into `shell`, except a `value` array, whose users go
/// to the sink.
fn page<R: BufRead>(
    f: &mut Framer<R>,
    sink: &mut Sink<'_>,
    shell: &mut Vec<u8>,
    user: &mut Vec<u8>,
) -> Result<(), ParseError> {
    loop {
        match f.skip_ws()? {
            Some(b'}') => {
                f.bump();
                shell.push(b'}');
                return Ok(());
            }
            Some(b'"') => {}
            // Not a key: leave it to serde_json to report.
            _ => return Ok(()),
        }
        let key_start = shell.len();
        f.take_value(shell)?;
        let is_value = &shell[key_start..] == b"\"value\"";
        if f.skip_ws()? != Some(b':') {
            return Ok(());
        }
        f.bump();
        shell.push(b':');
        if is_value && f.skip_ws()? == Some(b'[') {
            f.bump();
            shell.extend_from_slice(b"[]");
            users(f, sink, user)?;
        } else {
            f.skip_ws()?;
            f.take_value(shell)?;
        }
        match f.skip_ws()? {
            Some(b',') => {
                f.bump();
                shell.push(b',');
            }
            Some(b'}') => {
                f.bump();
                shell.push(b'}');
                return Ok(());
            }
            _ => return Ok(()),
        }
    }
}

/// The users of an array whose `[` was read, each parsed from memory; through its `]`.
fn users<R: BufRead>(
    f: &mut Framer<R>,
    sink: &mut Sink<'_>,
    user: &mut Vec<u8>,
) -> Result<(), ParseError> {
    if f.skip_ws()? == Some(b']') {
        f.bump();
        return Ok(());
    }
    loop {
        f.skip_ws()?;
        let line = f.line;
        user.clear();
        f.take_value(user)?;
        if sink.ids_only
            && let Some(user_id) = super::quick::user_id(user)
        {
            let attrs = emailprof_attributes::DirectoryAttributes {
                user_id,
                ..Default::default()
            };
            let user = super::GraphUser {
                attrs,
                object_id: None,
                line,
            };
            (sink.each)(user).map_err(|m| (line, m))?;
        } else {
            sink.lines.set(line);
            let mut de = serde_json::Deserializer::from_slice(user);
            let result = User(&mut *sink)
                .deserialize(&mut de)
                .and_then(|()| de.end());
            if let Some(failure) = sink.failure.take() {
                return Err(failure);
            }
            result.map_err(|e| json_error(&e, line + e.line().saturating_sub(1)))?;
        }
        match f.skip_ws()? {
            Some(b',') => f.bump(),
            Some(b']') => {
                f.bump();
                return Ok(());
            }
            Some(_) => return Err((f.line, "expected `,` or `]` after a user".to_owned())),
            None => return Err((f.line, "EOF while parsing a list".to_owned())),
        }
    }
}
