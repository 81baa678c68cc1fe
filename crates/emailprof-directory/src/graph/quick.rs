//! The user id of one Graph user's bytes without serde, for the ids-only first pass of a large
//! export: the common user (an object with no backslash in it) is read in one scan; anything
//! else (escapes, a wrong type, a repeated id key, bytes that are not JSON) gives `None`, and
//! the caller parses the user with serde instead. So the id is always the one a full read
//! takes, and this pass never refuses a user.

use super::fields::Key;

/// The user id of `user` (`userPrincipalName`, else `onPremisesUserPrincipalName`, else
/// `id`, each trimmed, empty as missing), or `None` when serde must decide.
pub(super) fn user_id(user: &[u8]) -> Option<String> {
    if memchr::memchr(b'\\', user).is_some() {
        return None;
    }
    let mut s = Scan { b: user, i: 0 };
    s.ws();
    s.eat(b'{')?;
    // userPrincipalName, onPremisesUserPrincipalName, id: `Some(None)` once seen as null.
    let mut ids: [Option<Option<&str>>; 3] = [None, None, None];
    s.ws();
    if s.peek() == Some(b'}') {
        return None;
    }
    loop {
        s.ws();
        let key = s.string()?;
        s.ws();
        s.eat(b':')?;
        s.ws();
        let slot = match std::str::from_utf8(key).ok().and_then(Key::classify) {
            Some(Key::Upn) => Some(0),
            Some(Key::OnPremisesUpn) => Some(1),
            Some(Key::Id) => Some(2),
            _ => None,
        };
        match slot {
            Some(k) => {
                if ids[k].is_some() {
                    return None;
                }
                ids[k] = Some(match s.peek()? {
                    b'"' => {
                        let v = std::str::from_utf8(s.string()?).ok()?.trim();
                        (!v.is_empty()).then_some(v)
                    }
                    b'n' => {
                        s.word(b"null")?;
                        None
                    }
                    _ => return None,
                });
            }
            None => s.skip_value()?,
        }
        s.ws();
        match s.next()? {
            b',' => continue,
            b'}' => break,
            _ => return None,
        }
    }
    s.ws();
    if s.i != user.len() {
        return None;
    }
    ids.into_iter().find_map(|v| v.flatten()).map(str::to_owned)
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn word(&mut self, w: &[u8]) -> Option<()> {
        let end = self.i.checked_add(w.len())?;
        (self.b.get(self.i..end)? == w).then(|| self.i = end)
    }

    /// A string without escapes (the caller checked there is no backslash): its bytes.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        let len = memchr::memchr(b'"', &self.b[start..])?;
        self.i = start + len + 1;
        Some(&self.b[start..start + len])
    }

    /// Skip a value of a key this pass does not read: a string, an object or array (strings
    /// and brackets tracked), or a scalar up to its delimiter. Not a validation: serde reads
    /// the user again in the full pass.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let rest = &self.b[self.i..];
                let len = rest
                    .iter()
                    .position(|c| matches!(c, b',' | b'}' | b' ' | b'\t' | b'\n' | b'\r'))?;
                (len > 0).then(|| self.i += len)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::user_id;

    #[test]
    fn simple_users_are_read_and_the_rest_left_to_serde() {
        let id = |s: &str| user_id(s.as_bytes());
        assert_eq!(
            id(r#"{"id":"g","userPrincipalName":" a@x ","proxyAddresses":["SMTP:b@x"],"n":1.5e3,"t":true,"o":{"userPrincipalName":"no","a":[{}]}}"#).as_deref(),
            Some("a@x")
        );
        assert_eq!(
            id(r#" { "ID" : "g" , "UserPrincipalName" : null } "#).as_deref(),
            Some("g")
        );
        assert_eq!(
            id(r#"{"userPrincipalName":"","onPremisesUserPrincipalName":"op@corp","id":"g"}"#)
                .as_deref(),
            Some("op@corp")
        );
        for serde_decides in [
            r#"{"id":"a\"b"}"#,
            r#"{"id":5}"#,
            r#"{"id":"a","Id":"b"}"#,
            r#"{"mail":"m@x"}"#,
            r#"{}"#,
            r#"{"id":"a"} x"#,
            r#"{"id":"a",}"#,
            r#"{"id":"a""#,
            r#"{"x":[1,2}"#,
            r#"["id","a"]"#,
            r#"{"id":nul}"#,
        ] {
            assert_eq!(id(serde_decides), None, "{serde_decides}");
        }
        assert_eq!(user_id(b"{\"id\":\"\xff\"}"), None);
        assert_eq!(
            id("{\"id\":\"\u{e9}t\u{e9}\"}").as_deref(),
            Some("\u{e9}t\u{e9}")
        );
    }
}
