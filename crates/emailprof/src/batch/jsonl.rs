//! JSON lines records for `batch --jsonl`, written straight into the worker's chunk buffer.
//!
//! A record is `{"content":…,"encoding":…,"file":…,"platform":…,"user":…}` and a newline: the
//! keys in this (sorted) order, strings escaped exactly as `serde_json` escapes them (the tests
//! compare byte for byte), so a consumer sees the same lines `serde_json` would write. Building
//! the line by hand avoids a `serde_json::Value` holding a copy of every artifact and an escape
//! loop that goes through `io::Write` per run of plain bytes; the profile showed those two as
//! the largest costs of unsigned JSON lines output.

use base64::Engine;

/// What `serde_json` writes for a byte that needs escaping: 0 for none, `u` for `\u00XX`,
/// otherwise the letter after the backslash.
const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A mask of the bytes of `w` (little-endian) that are below 0x20, `"` or `\`: zero when there
/// are none, and its lowest set bit is the high bit of the first such byte (bits above it may
/// be spurious, from the borrow).
#[inline]
fn escape_mask(w: u64) -> u64 {
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = w ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (below_space | quote | backslash) & HIGHS
}

/// Append `s` as a JSON string (with its quotes). Plain bytes are skipped eight at a time and
/// copied in runs. (A branch-free variant that stores every word whole measured slower: the
/// per-byte bounds checks cost more than the copies they save.)
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + bytes.len() / 4 + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time: skip them, or go straight to the first that needs escaping.
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let mask = escape_mask(u64::from_le_bytes(word));
            if mask == 0 {
                i += 8;
                continue;
            }
            i += (mask.trailing_zeros() / 8) as usize;
        }
        let c = bytes[i];
        let e = ESCAPE[c as usize];
        if e != 0 {
            out.extend_from_slice(&bytes[start..i]);
            if e == b'u' {
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(c >> 4) as usize],
                    HEX[(c & 0xf) as usize],
                ]);
            } else {
                out.extend_from_slice(&[b'\\', e]);
            }
            start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Append one record and its newline. Text artifacts go in as UTF-8, binary ones (a signed
/// profile) as base64, which needs no escaping.
pub(crate) fn push_record(out: &mut Vec<u8>, user: &str, platform: &str, rel: &str, bytes: &[u8]) {
    out.extend_from_slice(b"{\"content\":");
    let encoding = match std::str::from_utf8(bytes) {
        Ok(text) => {
            push_str(out, text);
            "utf-8"
        }
        Err(_) => {
            let engine = &base64::engine::general_purpose::STANDARD;
            let start = out.len() + 1;
            let len = base64::encoded_len(bytes.len(), true).unwrap_or(0);
            out.push(b'"');
            out.resize(start + len, 0);
            let written = engine
                .encode_slice(bytes, &mut out[start..])
                .unwrap_or_default();
            out.truncate(start + written);
            out.push(b'"');
            "base64"
        }
    };
    out.extend_from_slice(b",\"encoding\":\"");
    out.extend_from_slice(encoding.as_bytes());
    out.extend_from_slice(b"\",\"file\":");
    push_str(out, rel);
    out.extend_from_slice(b",\"platform\":");
    push_str(out, platform);
    out.extend_from_slice(b",\"user\":");
    push_str(out, user);
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(user: &str, platform: &str, rel: &str, bytes: &[u8]) -> Vec<u8> {
        let (encoding, content) = match std::str::from_utf8(bytes) {
            Ok(t) => ("utf-8", t.to_owned()),
            Err(_) => (
                "base64",
                base64::engine::general_purpose::STANDARD.encode(bytes),
            ),
        };
        let mut line = serde_json::to_vec(&serde_json::json!({
            "user": user, "platform": platform, "file": rel, "encoding": encoding, "content": content,
        }))
        .unwrap();
        line.push(b'\n');
        line
    }

    fn record(user: &str, platform: &str, rel: &str, bytes: &[u8]) -> Vec<u8> {
        let mut out = b"previous".to_vec();
        push_record(&mut out, user, platform, rel, bytes);
        assert!(out.starts_with(b"previous"));
        out.split_off(8)
    }

    #[test]
    fn records_are_what_serde_json_writes() {
        let every_byte: String = (0u8..=0x7f).map(char::from).collect();
        let xml = "<?xml version=\"1.0\"?>\n<plist>\n\t<key>a\\b</key>\u{7f}é😀\r\u{c}\u{8}\u{1f}</plist>";
        for content in [
            every_byte.as_str(),
            xml,
            "",
            "\"",
            "12345678\"",
            "1234567\n",
        ] {
            assert_eq!(
                record("u\"1", "ios", "ios/u.mobileconfig", content.as_bytes()),
                reference("u\"1", "ios", "ios/u.mobileconfig", content.as_bytes()),
                "{content:?}"
            );
        }
        let binary = [0x30u8, 0x82, 0xff, 0x00, 0x80];
        let line = record("u", "ios", "ios/u.mobileconfig", &binary);
        assert_eq!(line, reference("u", "ios", "ios/u.mobileconfig", &binary));
        assert!(line.windows(8).any(|w| w == b"\"base64\""));
    }

    proptest! {
        #[test]
        fn any_text_is_escaped_like_serde_json(s in any::<String>(), user in any::<String>()) {
            prop_assert_eq!(record(&user, "p", "f", s.as_bytes()), reference(&user, "p", "f", s.as_bytes()));
        }

        #[test]
        fn any_bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let line = record("u", "p", "f", &bytes);
            prop_assert_eq!(&line, &reference("u", "p", "f", &bytes));
            let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
            let content = v["content"].as_str().unwrap();
            let back = if v["encoding"] == "base64" {
                base64::engine::general_purpose::STANDARD.decode(content).unwrap()
            } else {
                content.as_bytes().to_vec()
            };
            prop_assert_eq!(back, bytes);
        }
    }
}
