//! A minimal BER reader, just enough to take the content out of a SignedData.
//!
//! Apple's `security cms` and macOS devices write indefinite lengths and chunked (constructed)
//! OCTET STRINGs, which strict DER decoders refuse; this walker accepts both forms and DER.

use crate::SignError;

/// Nesting limit; real SignedData is about 6 levels deep down to the content.
const MAX_DEPTH: usize = 64;

/// `1.2.840.113549.1.7.2` (id-signedData), content octets of the OID.
const ID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// `1.2.840.113549.1.7.1` (id-data).
const ID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];

pub(crate) const UNIVERSAL: u8 = 0;
pub(crate) const CONTEXT: u8 = 2;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Node<'a> {
    class: u8,
    constructed: bool,
    tag: u32,
    /// Content octets (for indefinite lengths, without the end-of-contents marker).
    pub(crate) body: &'a [u8],
}

impl Node<'_> {
    pub(crate) fn is(&self, class: u8, constructed: bool, tag: u32) -> bool {
        self.class == class && self.constructed == constructed && self.tag == tag
    }
}

fn err(msg: &str) -> SignError {
    SignError::NotSignedData(msg.to_owned())
}

/// One TLV at the start of `input`: the node and what follows it.
pub(crate) fn read(input: &[u8], depth: usize) -> Result<(Node<'_>, &[u8]), SignError> {
    if depth > MAX_DEPTH {
        return Err(err("nested too deeply"));
    }
    let (&first, mut rest) = input.split_first().ok_or_else(|| err("truncated"))?;
    let class = first >> 6;
    let constructed = first & 0x20 != 0;
    let mut tag = u32::from(first & 0x1f);
    if tag == 0x1f {
        tag = 0;
        loop {
            let (&b, r) = rest.split_first().ok_or_else(|| err("truncated tag"))?;
            rest = r;
            if tag > (u32::MAX >> 7) {
                return Err(err("tag number too large"));
            }
            tag = (tag << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let (&len0, r) = rest.split_first().ok_or_else(|| err("truncated length"))?;
    rest = r;
    if len0 == 0x80 {
        if !constructed {
            return Err(err("indefinite length on a primitive value"));
        }
        // Children until the end-of-contents marker 00 00.
        let start = rest;
        let mut cursor = rest;
        loop {
            if cursor.len() >= 2 && cursor[0] == 0 && cursor[1] == 0 {
                let used = start.len() - cursor.len();
                let node = Node {
                    class,
                    constructed,
                    tag,
                    body: &start[..used],
                };
                return Ok((node, &cursor[2..]));
            }
            let (_, after) = read(cursor, depth + 1)?;
            cursor = after;
        }
    }
    let len = if len0 & 0x80 == 0 {
        usize::from(len0)
    } else {
        let n = usize::from(len0 & 0x7f);
        if n > std::mem::size_of::<usize>() || n > rest.len() {
            return Err(err("bad length"));
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[n..];
        len
    };
    if len > rest.len() {
        return Err(err("truncated value"));
    }
    let node = Node {
        class,
        constructed,
        tag,
        body: &rest[..len],
    };
    Ok((node, &rest[len..]))
}

/// The children of a constructed node.
pub(crate) fn children(node: Node<'_>, depth: usize) -> Result<Vec<Node<'_>>, SignError> {
    let mut out = Vec::new();
    let mut rest = node.body;
    while !rest.is_empty() {
        let (child, after) = read(rest, depth + 1)?;
        out.push(child);
        rest = after;
    }
    Ok(out)
}

/// The octets of an OCTET STRING, primitive or constructed from chunks.
pub(crate) fn octets(node: Node<'_>, depth: usize, out: &mut Vec<u8>) -> Result<(), SignError> {
    if node.is(UNIVERSAL, false, 4) {
        out.extend_from_slice(node.body);
        Ok(())
    } else if node.is(UNIVERSAL, true, 4) {
        for child in children(node, depth)? {
            octets(child, depth + 1, out)?;
        }
        Ok(())
    } else {
        Err(err("the content is not an OCTET STRING"))
    }
}

pub(crate) fn signed_content(input: &[u8]) -> Result<Vec<u8>, SignError> {
    let (root, _trailing) = read(input, 0)?;
    if !root.is(UNIVERSAL, true, 16) {
        return Err(err("it does not start with a CMS ContentInfo SEQUENCE"));
    }
    let info = children(root, 0)?;
    match info.first() {
        Some(oid) if oid.is(UNIVERSAL, false, 6) && oid.body == ID_SIGNED_DATA => {}
        _ => return Err(err("the CMS content type is not signedData")),
    }
    let explicit = info
        .get(1)
        .filter(|n| n.is(CONTEXT, true, 0))
        .ok_or_else(|| err("the SignedData is missing"))?;
    let signed = children(*explicit, 1)?;
    let signed_data = signed
        .first()
        .filter(|n| n.is(UNIVERSAL, true, 16))
        .ok_or_else(|| err("the SignedData is not a SEQUENCE"))?;
    let fields = children(*signed_data, 2)?;
    // version INTEGER, digestAlgorithms SET, encapContentInfo SEQUENCE, ...
    let encap = fields
        .get(2)
        .filter(|n| n.is(UNIVERSAL, true, 16))
        .ok_or_else(|| err("the EncapsulatedContentInfo is missing"))?;
    let encap = children(*encap, 3)?;
    match encap.first() {
        Some(oid) if oid.is(UNIVERSAL, false, 6) && oid.body == ID_DATA => {}
        Some(oid) if oid.is(UNIVERSAL, false, 6) => {
            return Err(err("the signed content type is not id-data"));
        }
        _ => return Err(err("the signed content type is missing")),
    }
    let econtent = encap
        .get(1)
        .filter(|n| n.is(CONTEXT, true, 0))
        .ok_or_else(|| err("the content is detached (not embedded in the signature)"))?;
    let inner = children(*econtent, 4)?;
    let value = inner
        .first()
        .ok_or_else(|| err("the embedded content is empty"))?;
    let mut out = Vec::new();
    octets(*value, 5, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wrap `body` in a TLV with a definite length.
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = body.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(body);
        out
    }

    fn indefinite(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag, 0x80];
        out.extend_from_slice(body);
        out.extend_from_slice(&[0, 0]);
        out
    }

    fn signed_data(econtent: &[u8], wrap: fn(u8, &[u8]) -> Vec<u8>) -> Vec<u8> {
        let encap = wrap(0x30, &[tlv(0x06, ID_DATA), wrap(0xa0, econtent)].concat());
        let sd = wrap(
            0x30,
            &[tlv(0x02, &[1]), wrap(0x31, &[]), encap, wrap(0x31, &[])].concat(),
        );
        wrap(0x30, &[tlv(0x06, ID_SIGNED_DATA), wrap(0xa0, &sd)].concat())
    }

    #[test]
    fn definite_and_indefinite_forms_give_the_same_content() {
        let content = b"<?xml version=\"1.0\"?><plist/>".repeat(10);
        let der = signed_data(&tlv(0x04, &content), tlv);
        assert_eq!(signed_content(&der).unwrap(), content);
        let ber = signed_data(&tlv(0x04, &content), indefinite);
        assert_eq!(signed_content(&ber).unwrap(), content);
        // Chunked OCTET STRING, as Apple's tools write it.
        let chunks = [tlv(0x04, &content[..7]), tlv(0x04, &content[7..])].concat();
        let ber = signed_data(&indefinite(0x24, &chunks), indefinite);
        assert_eq!(signed_content(&ber).unwrap(), content);
    }

    #[test]
    fn detached_and_foreign_structures_are_refused() {
        let encap = tlv(0x30, &tlv(0x06, ID_DATA));
        let sd = tlv(0x30, &[tlv(0x02, &[1]), tlv(0x31, &[]), encap].concat());
        let detached = tlv(0x30, &[tlv(0x06, ID_SIGNED_DATA), tlv(0xa0, &sd)].concat());
        let e = signed_content(&detached).unwrap_err();
        assert!(e.to_string().contains("detached"), "{e}");
        let enveloped = tlv(
            0x30,
            &tlv(
                0x06,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03],
            ),
        );
        assert!(signed_content(&enveloped).is_err());
        assert!(signed_content(b"<?xml").is_err());
        assert!(signed_content(&[]).is_err());
    }

    #[test]
    fn hostile_nesting_and_lengths_do_not_panic() {
        let deep = [0x30u8, 0x80].repeat(10_000);
        assert!(signed_content(&deep).is_err());
        assert!(signed_content(&[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).is_err());
        assert!(signed_content(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(signed_content(&[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00]).is_err());
        assert!(signed_content(&[0x04, 0x80, 0x00, 0x00]).is_err());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = signed_content(&bytes);
        }

        #[test]
        fn mutated_signed_data_never_panics(
            content in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            flips in proptest::collection::vec((proptest::num::usize::ANY, proptest::num::u8::ANY), 1..6),
        ) {
            let mut der = signed_data(&tlv(0x04, &content), indefinite);
            for (at, v) in flips {
                let i = at % der.len();
                der[i] = v;
            }
            let _ = signed_content(&der);
        }
    }
}
