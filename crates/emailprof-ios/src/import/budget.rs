//! Limits checked on a property list before it is parsed: the plist parser builds the whole
//! value tree recursively, so a binary plist whose arrays share objects (no cycle, but 16
//! references to 16 references ... expand to 16^8 nodes from 2.4 KB) would take all memory, and
//! a deeply nested one (XML or binary) would overflow the stack. Profiles get the limits
//! profile documents have: 64 levels of nesting and a node budget proportional to the input.

/// Deepest nesting of arrays and dictionaries.
pub(crate) const MAX_DEPTH: usize = 64;

/// Nodes a property list of `len` bytes may expand to: far more than any real profile holds
/// (each node takes at least one byte in either format, and a binary object is shared at most a
/// few times), far less than an expansion bomb.
pub(crate) fn node_budget(len: usize) -> u64 {
    10_000 + 4 * len as u64
}

/// Why a property list is refused before parsing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Breach {
    Depth,
    Nodes(u64),
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Breach::Depth => write!(
                f,
                "the property list nests deeper than {MAX_DEPTH} levels of arrays and dictionaries"
            ),
            Breach::Nodes(budget) => write!(
                f,
                "the property list expands to more than {budget} values (its objects are shared many times over)"
            ),
        }
    }
}

/// Check `bytes` (a binary or XML property list) against the limits.
pub(crate) fn check(bytes: &[u8]) -> Result<(), Breach> {
    if bytes.starts_with(b"bplist") {
        check_binary(bytes)
    } else {
        check_xml(bytes)
    }
}

/// XML: nesting depth from the `<array>` / `<dict>` tags (comments, CDATA and processing
/// instructions skipped). XML has no shared objects, so its size bounds its expansion.
fn check_xml(bytes: &[u8]) -> Result<(), Breach> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|b| *b == b'<') {
        i += off;
        let rest = &bytes[i..];
        let skip_to = |end: &[u8]| {
            rest.windows(end.len())
                .position(|w| w == end)
                .map_or(bytes.len(), |p| i + p + end.len())
        };
        if rest.starts_with(b"<!--") {
            i = skip_to(b"-->");
            continue;
        }
        if rest.starts_with(b"<![CDATA[") {
            i = skip_to(b"]]>");
            continue;
        }
        let end = rest
            .iter()
            .position(|b| *b == b'>')
            .map_or(rest.len(), |p| p + 1);
        let tag = &rest[..end];
        let closing = tag.starts_with(b"</");
        let name_start = if closing { 2 } else { 1 };
        let name: Vec<u8> = tag[name_start.min(tag.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .copied()
            .collect();
        if name == b"array" || name == b"dict" {
            if closing {
                depth = depth.saturating_sub(1);
            } else if !tag.ends_with(b"/>") {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Breach::Depth);
                }
            }
        }
        i += end.max(1);
    }
    Ok(())
}

/// Binary: walk the object graph from the top object once, with memoized expanded sizes and
/// depths, and without recursion. Malformed structure is left to the parser to report.
fn check_binary(bytes: &[u8]) -> Result<(), Breach> {
    let Some(g) = Graph::read(bytes) else {
        return Ok(());
    };
    let budget = node_budget(bytes.len());
    let n = g.offsets.len();
    // Per object: expanded node count and depth, once known.
    let mut size: Vec<Option<(u64, usize)>> = vec![None; n];
    let mut on_path = vec![false; n];
    let mut stack: Vec<(usize, bool)> = vec![(g.top, false)];
    while let Some((obj, children_done)) = stack.pop() {
        if obj >= n || size[obj].is_some() {
            continue;
        }
        let Some(children) = g.children(obj) else {
            size[obj] = Some((1, 0));
            continue;
        };
        if children_done {
            on_path[obj] = false;
            let mut total = 1u64;
            let mut deepest = 0usize;
            for c in &children {
                // A child still unknown is a cycle back up the path: the parser refuses it.
                let (s, d) = size.get(*c).copied().flatten().unwrap_or((1, 0));
                total = total.saturating_add(s);
                deepest = deepest.max(d);
            }
            if total > budget {
                return Err(Breach::Nodes(budget));
            }
            if deepest + 1 > MAX_DEPTH {
                return Err(Breach::Depth);
            }
            size[obj] = Some((total, deepest + 1));
            continue;
        }
        if on_path[obj] {
            continue;
        }
        on_path[obj] = true;
        stack.push((obj, true));
        // Each object is expanded once; its distinct children are pushed once each, so the
        // walk is bounded by the references in the file.
        let mut distinct = children;
        distinct.sort_unstable();
        distinct.dedup();
        for c in distinct {
            if c < n && size[c].is_none() && !on_path[c] {
                stack.push((c, false));
            }
        }
    }
    Ok(())
}

/// The object table of a binary plist.
struct Graph<'a> {
    bytes: &'a [u8],
    offsets: Vec<usize>,
    ref_size: usize,
    top: usize,
}

fn be(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
}

impl<'a> Graph<'a> {
    fn read(bytes: &'a [u8]) -> Option<Graph<'a>> {
        let trailer = bytes.get(bytes.len().checked_sub(32)?..)?;
        let offset_size = usize::from(trailer[6]);
        let ref_size = usize::from(trailer[7]);
        let count = be(&trailer[8..16]);
        let top = be(&trailer[16..24]);
        let table = be(&trailer[24..32]);
        if !(1..=8).contains(&offset_size) || !(1..=8).contains(&ref_size) {
            return None;
        }
        let table_len = count.checked_mul(offset_size)?;
        let raw = bytes.get(table..table.checked_add(table_len)?)?;
        let offsets = raw.chunks(offset_size).map(be).collect();
        Some(Graph {
            bytes,
            offsets,
            ref_size,
            top,
        })
    }

    /// The objects an array, set or dictionary refers to (keys included); `None` for others.
    fn children(&self, obj: usize) -> Option<Vec<usize>> {
        let at = *self.offsets.get(obj)?;
        let marker = *self.bytes.get(at)?;
        let per_entry = match marker >> 4 {
            0xA | 0xC => 1,
            0xD => 2,
            _ => return None,
        };
        let (count, mut pos) = match marker & 0x0F {
            0x0F => {
                let int_marker = *self.bytes.get(at + 1)?;
                if int_marker >> 4 != 0x1 {
                    return Some(Vec::new());
                }
                let width = 1usize << (int_marker & 0x0F).min(3);
                (be(self.bytes.get(at + 2..at + 2 + width)?), at + 2 + width)
            }
            c => (usize::from(c), at + 1),
        };
        let refs = count.checked_mul(per_entry)?;
        let end = pos.checked_add(refs.checked_mul(self.ref_size)?)?;
        if end > self.bytes.len() {
            return Some(Vec::new());
        }
        let mut out = Vec::with_capacity(refs);
        for _ in 0..refs {
            out.push(be(&self.bytes[pos..pos + self.ref_size]));
            pos += self.ref_size;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary plist: `levels` arrays, each holding `fan` references to the next one, the
    /// last holding `fan` references to one string.
    pub(crate) fn shared_arrays(levels: usize, fan: usize) -> Vec<u8> {
        let mut out = b"bplist00".to_vec();
        let mut offsets = Vec::new();
        for l in 0..levels {
            offsets.push(out.len());
            out.push(0xA0 | 0x0F);
            out.push(0x10);
            out.push(fan as u8);
            for _ in 0..fan {
                out.push((l + 1) as u8);
            }
        }
        offsets.push(out.len());
        out.extend_from_slice(b"\x51x");
        let table = out.len();
        for o in &offsets {
            out.extend_from_slice(&(*o as u16).to_be_bytes());
        }
        let mut trailer = [0u8; 32];
        trailer[6] = 2;
        trailer[7] = 1;
        trailer[8..16].copy_from_slice(&(offsets.len() as u64).to_be_bytes());
        trailer[24..32].copy_from_slice(&(table as u64).to_be_bytes());
        out.extend_from_slice(&trailer);
        out
    }

    #[test]
    fn shared_references_are_counted_as_expanded() {
        let bomb = shared_arrays(8, 16);
        assert!(bomb.len() < 3000);
        assert!(matches!(check(&bomb), Err(Breach::Nodes(_))));
        // The same shape, small: fine, and the plist parser agrees it is a plist.
        let small = shared_arrays(2, 3);
        assert_eq!(check(&small), Ok(()));
        assert!(plist::Value::from_reader(std::io::Cursor::new(&small)).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_in_both_forms() {
        let deep_binary = shared_arrays(200, 1);
        assert_eq!(check(&deep_binary), Err(Breach::Depth));
        let xml = |n: usize| {
            format!(
                "<?xml version=\"1.0\"?><plist version=\"1.0\">{}{}</plist>",
                "<array>".repeat(n),
                "</array>".repeat(n)
            )
        };
        assert_eq!(check(xml(64).as_bytes()), Ok(()));
        assert_eq!(check(xml(65).as_bytes()), Err(Breach::Depth));
        assert_eq!(check(xml(150_000).as_bytes()), Err(Breach::Depth));
        // Tags in comments and CDATA are text; empty elements do not nest.
        let quoted = format!(
            "<plist><!-- {} --><dict/><array/></plist>",
            "<array>".repeat(100)
        );
        assert_eq!(check(quoted.as_bytes()), Ok(()));
    }

    #[test]
    fn garbage_is_left_to_the_parser() {
        for junk in [&b"bplist00"[..], b"bplist00\xff\xff", b"", b"<"] {
            assert_eq!(check(junk), Ok(()));
        }
    }
}
