//! Telling a Graph export from a generic JSON export by its first keys, and a JSON lines
//! page from the start of a multi-line value, without parsing.

use super::fields::Key;

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

/// Whether `line` is one whole object or array (brackets balanced outside strings) and white
/// space; serde_json checks the rest.
pub(super) fn one_value(line: &[u8]) -> bool {
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
