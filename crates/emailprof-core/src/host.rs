//! Host names, ports, IP literals and the URLs that carry them, checked the way a device's
//! resolver would read them, so a profile never ships a server no device can reach.
//!
//! The schema's patterns say the shape (for editors and forms); these checks say precisely what
//! is wrong (`mail..example.com`, port 99999, `10.0.0.999`, a URL where a host name belongs).

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::Value;

/// What a host field accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostField {
    /// A host name or IP literal, optionally with `:port` (the Exchange server).
    HostAndPort,
    /// A DNS name only (a custom user domain such as `contoso.com` or `contoso`).
    DomainName,
    /// An `https://` URL (OAuth sign-in and token URLs).
    HttpsUrl,
    /// An `http://` or `https://` URL (SCEP servers commonly answer plain HTTP: the protocol
    /// encrypts its own messages).
    HttpOrHttpsUrl,
}

/// One host problem: where, what is wrong, and what would be valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostProblem {
    pub pointer: String,
    pub message: String,
    pub expected: String,
}

/// The host fields of a profile document, checked on the raw document so they are reported
/// even when other parts of it are invalid.
pub fn check_document(doc: &Value) -> Vec<HostProblem> {
    let mut out = Vec::new();
    let mut check = |pointer: String, field: HostField| {
        if let Some(Value::String(text)) = doc.pointer(&pointer)
            && let Err(message) = check(text, field)
        {
            out.push(HostProblem {
                pointer,
                message,
                expected: expected(field).to_owned(),
            });
        }
    };
    check("/account/server".into(), HostField::HostAndPort);
    check(
        "/account/username/domain/name".into(),
        HostField::DomainName,
    );
    check("/account/oauth/signInUrl".into(), HostField::HttpsUrl);
    check("/account/oauth/tokenRequestUrl".into(), HostField::HttpsUrl);
    if let Some(Value::Object(certs)) = doc.pointer("/certificates") {
        for name in certs.keys() {
            let name = crate::input::escape_segment(name);
            check(
                format!("/certificates/{name}/scep/url"),
                HostField::HttpOrHttpsUrl,
            );
        }
    }
    out
}

/// What a field of this kind accepts, for the `expected` line.
pub fn expected(field: HostField) -> &'static str {
    match field {
        HostField::HostAndPort => {
            "a host name such as `mail.contoso.com` (labels of 1 to 63 letters, digits or `-`, not starting or ending with `-`; at most 253 characters), an IPv4 address or an IPv6 address in brackets, optionally followed by `:port` (1 to 65535)"
        }
        HostField::DomainName => {
            "a domain name such as `contoso.com` or `contoso` (labels of 1 to 63 letters, digits or `-`, not starting or ending with `-`)"
        }
        HostField::HttpsUrl => "an `https://` URL with a valid host name",
        HostField::HttpOrHttpsUrl => "an `https://` or `http://` URL with a valid host name",
    }
}

/// Check one value; the error is the message for the administrator.
pub fn check(text: &str, field: HostField) -> Result<(), String> {
    match field {
        HostField::HostAndPort | HostField::DomainName => {
            if let Some((_, rest)) = text.split_once("://") {
                let authority = authority(rest);
                let host = if field == HostField::DomainName {
                    split_port(authority).0
                } else {
                    authority
                };
                return Err(format!("give the host name only: `{host}`"));
            }
            if field == HostField::DomainName {
                dns_name(text)
            } else {
                host_and_port(text)
            }
        }
        HostField::HttpsUrl | HostField::HttpOrHttpsUrl => {
            let rest = match text.split_once("://") {
                Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
                Some((scheme, rest))
                    if field == HostField::HttpOrHttpsUrl
                        && scheme.eq_ignore_ascii_case("http") =>
                {
                    rest
                }
                _ if field == HostField::HttpsUrl => {
                    return Err("is not an `https://` URL".into());
                }
                _ => return Err("is not an `https://` or `http://` URL".into()),
            };
            let authority = authority(rest);
            if authority.is_empty() {
                return Err("the URL has no host name".into());
            }
            host_and_port(authority).map_err(|e| format!("URL host: {e}"))
        }
    }
}

/// The `host[:port]` part of what follows `scheme://` (without user information).
fn authority(rest: &str) -> &str {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

/// `host` and the text after its port colon, if any (brackets keep an IPv6 literal whole).
fn split_port(text: &str) -> (&str, Option<&str>) {
    if text.starts_with('[') {
        return match text.find(']') {
            Some(end) => {
                let (host, rest) = text.split_at(end + 1);
                (host, rest.strip_prefix(':'))
            }
            None => (text, None),
        };
    }
    if text.matches(':').count() > 1 {
        // A bare IPv6 address; reported as such by `host`.
        return (text, None);
    }
    match text.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (text, None),
    }
}

fn host_and_port(text: &str) -> Result<(), String> {
    let (host, port) = split_port(text);
    if let Some(port) = port {
        match port.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) && !port.starts_with('+') => {}
            _ => return Err(format!("port `{port}` is not a number from 1 to 65535")),
        }
    }
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or_else(|| format!("`{host}` has no closing `]`"))?;
        return inner
            .parse::<Ipv6Addr>()
            .map(drop)
            .map_err(|_| format!("`{inner}` is not an IPv6 address"));
    }
    if host.contains(':') {
        return match host.parse::<Ipv6Addr>() {
            Ok(_) => Err(format!("an IPv6 address goes in brackets: `[{host}]`")),
            Err(_) => Err(format!("`{host}` is not a host name")),
        };
    }
    let last = host.rsplit('.').next().unwrap_or("");
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return ipv4(host);
    }
    dns_name(host)
}

fn ipv4(host: &str) -> Result<(), String> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() != 4 {
        return Err(format!(
            "`{host}` is not an IPv4 address (four numbers from 0 to 255) nor a host name (its last label is a number)"
        ));
    }
    for part in &parts {
        match part.parse::<u16>() {
            Ok(n) if n <= 255 && !part.is_empty() => {}
            _ => {
                return Err(format!(
                    "`{host}` is not an IPv4 address: `{part}` is not a number from 0 to 255"
                ));
            }
        }
    }
    host.parse::<Ipv4Addr>()
        .map(drop)
        .map_err(|_| format!("`{host}` is not an IPv4 address (no leading zeros)"))
}

fn dns_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the host name is empty".into());
    }
    if name.len() > 253 {
        return Err(format!(
            "the host name is {} characters long; at most 253 are allowed",
            name.len()
        ));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(format!(
                "`{name}` has an empty label (two dots in a row, or a dot at the start or end)"
            ));
        }
        if label.len() > 63 {
            return Err(format!(
                "label `{label}` is {} characters long; at most 63 are allowed",
                label.len()
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!(
                "label `{label}` has `{c}`; labels hold only letters, digits and `-`"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("label `{label}` starts or ends with `-`"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let ok = |s| check(s, HostField::HostAndPort);
        for good in [
            "mail.contoso.com",
            "mail.contoso.com:443",
            "localhost",
            "10.0.0.1",
            "[2001:db8::1]",
            "[::1]:8443",
            "xn--bcher-kva.example",
        ] {
            assert_eq!(ok(good), Ok(()), "{good}");
        }
        for (bad, says) in [
            ("mail..example.com", "empty label"),
            ("mail.contoso.com:99999", "port `99999`"),
            ("mail.contoso.com:0", "port `0`"),
            ("mail.contoso.com:", "port ``"),
            ("10.0.0.999", "`999` is not a number from 0 to 255"),
            ("10.0.0", "not an IPv4 address"),
            ("-mail.contoso.com", "starts or ends with `-`"),
            ("mail_1.contoso.com", "has `_`"),
            ("2001:db8::1", "goes in brackets: `[2001:db8::1]`"),
            ("[2001:db8::zz]", "not an IPv6 address"),
            (
                "https://mail.contoso.com/Microsoft-Server-ActiveSync",
                "give the host name only: `mail.contoso.com`",
            ),
        ] {
            let e = ok(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let long = format!("{}.com", "a".repeat(64));
        assert!(ok(&long).unwrap_err().contains("at most 63"));
        let longer = ["abcdefghij"; 26].join(".");
        assert!(ok(&longer).unwrap_err().contains("at most 253"));
    }

    #[test]
    fn urls_and_domains() {
        assert_eq!(
            check("https://login.example.com/x?y", HostField::HttpsUrl),
            Ok(())
        );
        assert!(check("http://login.example.com/", HostField::HttpsUrl).is_err());
        assert_eq!(
            check("http://scep.example.com/", HostField::HttpOrHttpsUrl),
            Ok(())
        );
        assert!(
            check("https://scep..example.com/", HostField::HttpOrHttpsUrl)
                .unwrap_err()
                .contains("empty label")
        );
        assert!(check("contoso.com:443", HostField::DomainName).is_err());
        assert_eq!(check("contoso", HostField::DomainName), Ok(()));
    }
}
