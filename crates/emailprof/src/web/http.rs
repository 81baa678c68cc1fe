//! HTTP/1.1 framing for the form server, without the socket: the request head parsed with a
//! size cap, and a reply written as a whole response. The transport (the CLI's `serve`) reads
//! and writes the bytes, with deadlines.

use super::{Incoming, Reply};

/// The largest request head (request line and headers) accepted; more gets 431.
pub const MAX_HEAD: usize = 16 * 1024;

/// A parsed request head.
#[derive(Debug, Default)]
pub struct Head {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub content_length: Option<usize>,
}

impl Head {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The head as the router sees it.
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming {
            method: &self.method,
            url: &self.target,
            host: self.header("Host"),
            origin: self.header("Origin"),
            content_type: self.header("Content-Type"),
            content_length: self.content_length,
            cookie: self.header("Cookie"),
            authorization: self.header("Authorization"),
        }
    }
}

/// Where the head ends in `buf` (the index after the blank line), if it does.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Read a request head from `reader`, at most [`MAX_HEAD`] bytes: the head and the bytes read
/// past it (the start of the body); `Ok(None)` when the client sent nothing or went away
/// before finishing its head; `Err` the reply to send before closing (431, 408, 400).
pub fn read_head(reader: &mut dyn std::io::Read) -> Result<Option<(Head, Vec<u8>)>, Reply> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(end) = head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(Reply::error(431, "request header fields too large"));
        }
        match reader.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) if buf.is_empty() => return Ok(None),
            Err(_) => return Err(Reply::error(408, "the request head did not arrive in time")),
        }
    };
    let head = parse_head(&buf[..end])?;
    Ok(Some((head, buf.split_off(end))))
}

/// Parse a complete head (through its blank line). `Err` is the reply to send before closing.
pub fn parse_head(bytes: &[u8]) -> Result<Head, Reply> {
    let bad = |why: &str| Reply::error(400, format!("bad request: {why}"));
    if bytes.len() > MAX_HEAD {
        return Err(Reply::error(431, "request header fields too large"));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| bad("the head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !target.starts_with('/') {
        return Err(bad("malformed request line"));
    }
    let mut head = Head {
        method: method.to_owned(),
        target: target.to_owned(),
        ..Head::default()
    };
    for line in lines.take_while(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("malformed header line"));
        };
        if name.is_empty() || name.contains(|c: char| c.is_whitespace()) {
            return Err(bad("malformed header name"));
        }
        head.headers
            .push((name.to_owned(), value.trim().to_owned()));
    }
    if head.header("Transfer-Encoding").is_some() {
        return Err(Reply::error(
            411,
            "send the body with a Content-Length (no Transfer-Encoding)",
        ));
    }
    let lengths: Vec<&str> = head
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        .map(|(_, v)| v.as_str())
        .collect();
    head.content_length = match lengths.as_slice() {
        [] => None,
        [one] => Some(one.parse().map_err(|_| bad("invalid Content-Length"))?),
        _ => return Err(bad("more than one Content-Length")),
    };
    Ok(head)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// The whole response for `reply` (the body left out for `HEAD`); the connection closes after
/// it.
pub fn response_bytes(reply: &Reply, head_only: bool) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\n",
        reply.status,
        reason(reply.status),
        reply.media_type,
        reply.body.len()
    )
    .into_bytes();
    for (name, value) in &reply.headers {
        // A value with a line break would split the response: left out.
        if value.contains(['\r', '\n']) {
            tracing::warn!(header = name, "header value not sendable; left out");
            continue;
        }
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        out.extend_from_slice(&reply.body);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse_with_their_limits() {
        let h = parse_head(b"POST /api/emit?x=1 HTTP/1.1\r\nHost: a:1\r\ncontent-length: 12\r\nCookie: c=1\r\n\r\n").unwrap();
        assert_eq!(
            (h.method.as_str(), h.target.as_str()),
            ("POST", "/api/emit?x=1")
        );
        assert_eq!(h.content_length, Some(12));
        assert_eq!(h.incoming().host, Some("a:1"));
        assert_eq!(h.incoming().cookie, Some("c=1"));
        let status = |bytes: &[u8]| parse_head(bytes).map(|_| 200).unwrap_or_else(|r| r.status);
        assert_eq!(status(b"GET / HTTP/1.1\r\n\r\n"), 200);
        assert_eq!(status(b"GET /\r\n\r\n"), 400);
        assert_eq!(status(b"GET http://x/ HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(status(b"GET / HTTP/1.1\r\nbad line\r\n\r\n"), 400);
        assert_eq!(status(b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"), 400);
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            400
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            411
        );
        let mut big = b"GET / HTTP/1.1\r\nX: ".to_vec();
        big.resize(MAX_HEAD + 10, b'a');
        big.extend_from_slice(b"\r\n\r\n");
        assert_eq!(status(&big), 431);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nbody"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n"), None);
    }

    #[test]
    fn heads_are_read_up_to_the_cap_and_keep_the_body_start() {
        let mut input: &[u8] = b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody";
        let (head, rest) = read_head(&mut input).unwrap().unwrap();
        assert_eq!(
            (head.content_length, rest.as_slice()),
            (Some(4), &b"body"[..])
        );
        let endless = std::io::repeat(b'a');
        let mut capped = std::io::Read::chain(&b"GET / HTTP/1.1\r\nX: "[..], endless);
        assert_eq!(read_head(&mut capped).unwrap_err().status, 431);
        assert!(read_head(&mut &b""[..]).unwrap().is_none());
    }

    #[test]
    fn responses_close_and_never_split() {
        let r = Reply::error(404, "not found").header("X-Evil", "a\r\nSet-Cookie: x=1");
        let text = String::from_utf8(response_bytes(&r, false)).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(text.contains("Connection: close\r\n"));
        assert!(!text.contains("Set-Cookie"));
        assert!(text.ends_with("\"not found\"}\n"));
        let head = String::from_utf8(response_bytes(&r, true)).unwrap();
        assert!(head.ends_with("\r\n\r\n"));
    }
}
