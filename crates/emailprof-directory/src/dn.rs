//! Just enough of RFC 4514 distinguished names to find an entry's domain: split into RDNs,
//! unescape values, read the `DC=` components. Public for the LDAP resolver plugin.

/// `(attribute type, value)` pairs in DN order (leaf first); multi-valued RDNs are flattened.
pub type Dn = Vec<(String, String)>;

/// Parse a string DN. Handles `\,`-style and `\2C`-style escapes and `+` multi-valued RDNs.
pub fn parse(text: &str) -> Result<Dn, String> {
    let mut out = Vec::new();
    if text.trim().is_empty() {
        return Ok(out);
    }
    let mut chars = text.chars().peekable();
    loop {
        // attribute type
        let mut attr = String::new();
        for c in chars.by_ref() {
            if c == '=' {
                break;
            }
            attr.push(c);
        }
        let attr = attr.trim().to_owned();
        if attr.is_empty() || attr.contains([',', '+']) {
            return Err("an RDN has no attribute type".to_owned());
        }
        // value, with escapes, up to an unescaped `,`, `;` or `+`
        let mut bytes: Vec<u8> = Vec::new();
        let mut end = false;
        loop {
            let Some(c) = chars.next() else {
                end = true;
                break;
            };
            match c {
                ',' | ';' | '+' => break,
                '\\' => {
                    let Some(n) = chars.next() else {
                        return Err("the DN ends with a lone backslash".to_owned());
                    };
                    if n.is_ascii_hexdigit() {
                        let m = chars
                            .next()
                            .filter(char::is_ascii_hexdigit)
                            .ok_or("a `\\` hex escape needs two hex digits")?;
                        let hex: String = [n, m].iter().collect();
                        let byte = u8::from_str_radix(&hex, 16)
                            .map_err(|_| "a `\\` hex escape needs two hex digits".to_owned())?;
                        bytes.push(byte);
                    } else {
                        let mut buf = [0; 4];
                        bytes.extend_from_slice(n.encode_utf8(&mut buf).as_bytes());
                    }
                }
                _ => {
                    let mut buf = [0; 4];
                    bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        let value = String::from_utf8(bytes)
            .map_err(|_| "an escaped DN value is not UTF-8".to_owned())?
            .trim()
            .to_owned();
        out.push((attr, value));
        if end {
            return Ok(out);
        }
    }
}

/// The trailing run of `DC=` components, e.g. `emea.contoso.com`.
fn trailing_dcs(dn: &Dn) -> &[(String, String)] {
    let start = dn
        .iter()
        .rposition(|(a, _)| !a.eq_ignore_ascii_case("dc"))
        .map_or(0, |i| i + 1);
    &dn[start..]
}

/// The DNS domain of an entry: its trailing `DC=` components joined with dots.
pub fn dns_domain(dn: &Dn) -> Option<String> {
    let dcs = trailing_dcs(dn);
    if dcs.is_empty() || dcs.iter().any(|(_, v)| v.is_empty()) {
        return None;
    }
    Some(
        dcs.iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// A comparison key for the DN of an entry's domain (`dc=emea,dc=contoso,dc=com`), to match a
/// crossRef's `nCName`.
pub fn domain_key(dn: &Dn) -> Option<String> {
    let dcs = trailing_dcs(dn);
    if dcs.is_empty() {
        return None;
    }
    Some(key(dcs))
}

/// The DN of an entry's domain as text (`DC=emea,DC=contoso,DC=com`): its trailing `DC=`
/// components, values escaped per RFC 4514.
pub fn domain_dn(dn: &Dn) -> Option<String> {
    let dcs = trailing_dcs(dn);
    if dcs.is_empty() {
        return None;
    }
    Some(
        dcs.iter()
            .map(|(a, v)| format!("{a}={}", escape_value(v)))
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// Escape an attribute value for a string DN (RFC 4514 section 2.4).
pub fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\')
            || (i == 0 && matches!(c, ' ' | '#'))
            || (i == last && c == ' ');
        if c == '\0' {
            out.push_str("\\00");
        } else {
            if special {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A comparison key for a whole DN: lower-case, unescaped, no spaces around separators.
pub fn key(dn: &[(String, String)]) -> String {
    dn.iter()
        .map(|(a, v)| format!("{}={}", a.to_lowercase(), v.to_lowercase()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_from_trailing_dc_components() {
        let dn = parse(r"CN=Holloway\, Lidia,OU=Staff,DC=emea, DC=Contoso,DC=com").unwrap();
        assert_eq!(dn[0], ("CN".to_owned(), "Holloway, Lidia".to_owned()));
        assert_eq!(dns_domain(&dn).as_deref(), Some("emea.Contoso.com"));
        assert_eq!(
            domain_key(&dn).as_deref(),
            Some("dc=emea,dc=contoso,dc=com")
        );
    }

    #[test]
    fn domain_dn_round_trips() {
        let dn = parse(r"CN=Doe\, John,OU=Staff,DC=emea,dc=contoso,DC=com").unwrap();
        assert_eq!(domain_dn(&dn).as_deref(), Some("DC=emea,dc=contoso,DC=com"));
        assert_eq!(escape_value(" a,b#"), r"\ a\,b#");
        let back = parse(&format!("CN={}", escape_value(r#"x"+,;<>\ "#))).unwrap();
        assert_eq!(back[0].1, r#"x"+,;<>\"#);
    }

    #[test]
    fn hex_escapes_and_no_dc() {
        let dn = parse(r"CN=a\2Cb,O=Example").unwrap();
        assert_eq!(dn[0].1, "a,b");
        assert_eq!(dns_domain(&dn), None);
        assert!(parse(r"CN=a\").is_err());
        assert!(parse(r"CN=a\2").is_err());
        assert!(parse("=x").is_err());
    }
}
