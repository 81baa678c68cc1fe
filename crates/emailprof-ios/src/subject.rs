//! SCEP subjects: between the profile's `CN=...,O=...` text and Apple's array form.
//!
//! com.apple.security.scep.yaml `Subject`: "The representation of an X.500 name as an array of
//! OID and value. For example, '/C=US/O=Apple Inc./CN=foo/1.2.5.3=bar' translates to
//! [ [ ["C", "US"] ], [ ["O", "Apple Inc."] ], ..., [ ["1.2.5.3", "bar"] ] ]. OIDs can be
//! represented as dotted numbers, with shortcuts for country (C), locality (L), state (ST),
//! organization (O), organizational unit (OU), and common name (CN)."
//!
//! The text form follows RFC 4514: RDNs separated by `,`, multi-valued RDNs joined by `+`,
//! and `\` escaping the special characters.

/// One relative distinguished name: its (type, value) pairs.
pub(crate) type Rdn = Vec<(String, String)>;

/// The short names Apple understands as they are.
const APPLE_SHORTCUTS: [&str; 6] = ["C", "L", "ST", "O", "OU", "CN"];

/// Further common names, written as the OIDs they stand for.
const KNOWN_OIDS: [(&str, &str); 11] = [
    ("E", "1.2.840.113549.1.9.1"),
    ("EMAIL", "1.2.840.113549.1.9.1"),
    ("EMAILADDRESS", "1.2.840.113549.1.9.1"),
    ("DC", "0.9.2342.19200300.100.1.25"),
    ("UID", "0.9.2342.19200300.100.1.1"),
    ("SERIALNUMBER", "2.5.4.5"),
    ("STREET", "2.5.4.9"),
    ("T", "2.5.4.12"),
    ("TITLE", "2.5.4.12"),
    ("GN", "2.5.4.42"),
    ("SN", "2.5.4.4"),
];

/// Characters escaped with `\` in the text form (RFC 4514 §2.4).
const SPECIAL: [char; 8] = [',', '+', '"', '\\', '<', '>', ';', '='];

fn apple_type(name: &str) -> Result<String, String> {
    let upper = name.to_ascii_uppercase();
    if APPLE_SHORTCUTS.contains(&upper.as_str()) {
        return Ok(upper);
    }
    if let Some((_, oid)) = KNOWN_OIDS.iter().find(|(n, _)| *n == upper) {
        return Ok((*oid).to_owned());
    }
    let dotted = !name.is_empty()
        && name.split('.').count() >= 2
        && name
            .split('.')
            .all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()));
    if dotted {
        return Ok(name.to_owned());
    }
    Err(format!(
        "`{name}` is not an attribute type iOS understands; use C, L, ST, O, OU, CN, E, DC, UID, SERIALNUMBER, STREET, T, GN, SN or a dotted OID"
    ))
}

/// Split `text` on unescaped `sep`, keeping escapes in the parts.
fn split_unescaped(text: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in text.chars() {
        let last = parts.last_mut().expect("parts is never empty");
        if escaped {
            last.push('\\');
            last.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(String::new());
        } else {
            last.push(c);
        }
    }
    if escaped {
        // A trailing lone backslash stands for itself.
        parts.last_mut().expect("parts is never empty").push('\\');
    }
    parts
}

/// Remove escapes and unescaped surrounding whitespace.
fn unescape_trim(text: &str) -> String {
    let mut chars: Vec<(char, bool)> = Vec::new();
    let mut it = text.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some(n) => chars.push((n, true)),
                None => chars.push(('\\', true)),
            }
        } else {
            chars.push((c, false));
        }
    }
    let start = chars
        .iter()
        .position(|(c, esc)| *esc || !c.is_whitespace())
        .unwrap_or(chars.len());
    let end = chars
        .iter()
        .rposition(|(c, esc)| *esc || !c.is_whitespace())
        .map_or(start, |i| i + 1);
    chars[start..end.max(start)]
        .iter()
        .map(|(c, _)| c)
        .collect()
}

/// Parse `CN=...,O=...` into RDNs with Apple's attribute types. `value` gets each attribute's
/// name and unescaped value and gives what to keep, or the error to stop with (it fills in
/// placeholders and refuses empty values: substitution happens after splitting, so that a user
/// value with a comma cannot change the structure).
pub(crate) fn parse<V>(
    text: &str,
    mut value: impl FnMut(&str, String) -> Result<V, String>,
) -> Result<Vec<Vec<(String, V)>>, String> {
    let mut out = Vec::new();
    for rdn_text in split_unescaped(text, ',') {
        if rdn_text.trim().is_empty() {
            return Err("the subject has an empty component".into());
        }
        let mut rdn = Vec::new();
        for ava in split_unescaped(&rdn_text, '+') {
            let parts = split_unescaped(&ava, '=');
            if parts.len() < 2 {
                return Err(format!("`{}` is not of the form TYPE=value", ava.trim()));
            }
            let name = unescape_trim(&parts[0]);
            // The value is everything after the first unescaped `=`.
            let raw_value = ava.split_once('=').map_or("", |(_, v)| v);
            let value = value(&name, unescape_trim(raw_value))?;
            rdn.push((apple_type(&name)?, value));
        }
        out.push(rdn);
    }
    Ok(out)
}

fn escape(value: &str) -> String {
    let mut out = String::new();
    let n = value.chars().count();
    for (i, c) in value.chars().enumerate() {
        let edge_space = c == ' ' && (i == 0 || i + 1 == n);
        if SPECIAL.contains(&c) || edge_space || (i == 0 && c == '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The text form of RDNs (the inverse of [`parse`] for values without placeholders).
pub(crate) fn format(rdns: &[Rdn]) -> String {
    rdns.iter()
        .map(|rdn| {
            rdn.iter()
                .map(|(t, v)| format!("{t}={}", escape(v)))
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A SCEP subject value with the user's values in place of the placeholders.
pub(crate) fn fill_subject(value: &str, user: &emailprof_core::UserIdentity) -> String {
    value
        .replace("{{username}}", &user.username)
        .replace("{{emailAddress}}", &user.email_address)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values as they are, refusing empty ones (as the emitter does).
    fn fill(text: &str, f: impl Fn(String) -> String) -> Result<Vec<Rdn>, String> {
        parse(text, |name, v| {
            let v = f(v);
            if v.is_empty() {
                Err(format!("`{name}` has an empty value"))
            } else {
                Ok(v)
            }
        })
    }

    fn plain(text: &str) -> Result<Vec<Rdn>, String> {
        fill(text, |v| v)
    }

    fn pairs(rdns: &[Rdn]) -> Vec<Vec<(&str, &str)>> {
        rdns.iter()
            .map(|r| r.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect())
            .collect()
    }

    #[test]
    fn apple_example_parses_to_the_documented_arrays() {
        // The example of com.apple.security.scep.yaml, in RFC 4514 order of writing.
        let rdns = plain("C=US,O=Apple Inc.,CN=foo,1.2.5.3=bar").unwrap();
        assert_eq!(
            pairs(&rdns),
            [
                vec![("C", "US")],
                vec![("O", "Apple Inc.")],
                vec![("CN", "foo")],
                vec![("1.2.5.3", "bar")]
            ]
        );
    }

    #[test]
    fn escapes_multi_values_and_aliases() {
        let rdns = plain(r"cn = Doe\, John + E=jd@contoso.com , ou=A\+B,O=\ x\ ").unwrap();
        assert_eq!(
            pairs(&rdns),
            [
                vec![
                    ("CN", "Doe, John"),
                    ("1.2.840.113549.1.9.1", "jd@contoso.com")
                ],
                vec![("OU", "A+B")],
                vec![("O", " x ")]
            ]
        );
        assert_eq!(
            format(&rdns),
            r"CN=Doe\, John+1.2.840.113549.1.9.1=jd@contoso.com,OU=A\+B,O=\ x\ "
        );
        assert_eq!(plain(&format(&rdns)).unwrap(), rdns);
    }

    #[test]
    fn placeholders_are_filled_after_splitting() {
        let rdns = fill("CN={{username}},O=Contoso", |v| {
            v.replace("{{username}}", "Doe, John")
        })
        .unwrap();
        assert_eq!(
            pairs(&rdns),
            [vec![("CN", "Doe, John")], vec![("O", "Contoso")]]
        );
    }

    #[test]
    fn malformed_subjects_are_refused() {
        for bad in ["", "CN", "CN=", "CN=a,,O=b", "FOO=bar", "1.=x", "CN=a,"] {
            assert!(plain(bad).is_err(), "{bad}");
        }
    }
}
