//! The body-only SyncML document: `<SyncML><SyncBody><Atomic>…</Atomic><Final/></SyncBody></SyncML>`.
//!
//! The header (`SyncHdr`) is session-specific and written by the MDM server
//! (structure-of-oma-dm-provisioning-files.md), so the document carries the body only, as
//! Microsoft's own CSP examples do.

use emailprof_core::{EmitError, Operation};
use uuid::Uuid;

use crate::csp::{Leaf, account_uri};

/// Escape `text` for XML character data. `>` is escaped too, so `]]>` cannot occur, and CR is
/// written as a reference so parsers do not normalise it away. `Err` carries the first
/// character XML 1.0 cannot represent at all.
pub(crate) fn xml_text(text: &str) -> Result<String, char> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            // XML 1.0 `Char`: no other C0 controls, no U+FFFE/U+FFFF.
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => return Err(c),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Commands are numbered in document order; the `Atomic` takes 1.
struct Writer {
    out: String,
    next_id: u32,
}

impl Writer {
    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn cmd_id(&mut self, depth: usize) {
        let id = self.next_id;
        self.next_id += 1;
        self.line(depth, &format!("<CmdID>{id}</CmdID>"));
    }

    /// One command with one item; `format`/`data` are omitted for a `Delete`.
    fn command(&mut self, verb: &str, uri: &str, format: Option<&str>, data: Option<&str>) {
        self.line(3, &format!("<{verb}>"));
        self.cmd_id(4);
        self.line(4, "<Item>");
        self.line(5, "<Target>");
        // LocURIs are already percent-encoded; only `&` could still need escaping.
        self.line(
            6,
            &format!("<LocURI>{}</LocURI>", uri.replace('&', "&amp;")),
        );
        self.line(5, "</Target>");
        if let Some(format) = format {
            self.line(5, "<Meta>");
            self.line(
                6,
                &format!("<Format xmlns=\"syncml:metinf\">{format}</Format>"),
            );
            self.line(5, "</Meta>");
        }
        if let Some(data) = data {
            self.line(5, &format!("<Data>{data}</Data>"));
        }
        self.line(4, "</Item>");
        self.line(3, &format!("</{verb}>"));
    }
}

/// Write the document for `operation` on the account `guid`.
///
/// Every command sits in one `Atomic`: the account node is `MSFT:AtomicRequired` in the DDF.
/// `Add` creates the account node explicitly, then its leaves (an `Add` and a `Replace` of the
/// same node may not share an `Atomic`, oma-dm-protocol-support.md, so each emission uses one
/// verb); `Replace` rewrites the leaves; `Remove` deletes the account node and its subtree.
pub(crate) fn document(
    guid: Uuid,
    operation: Operation,
    leaves: &[Leaf],
) -> Result<String, EmitError> {
    let mut w = Writer {
        out: String::new(),
        next_id: 1,
    };
    w.line(0, "<SyncML xmlns=\"SYNCML:SYNCML1.2\">");
    w.line(1, "<SyncBody>");
    w.line(2, "<Atomic>");
    w.cmd_id(3);
    match operation {
        Operation::Remove => w.command("Delete", &account_uri(guid, &[]), None, None),
        Operation::Add | Operation::Replace => {
            let verb = if operation == Operation::Add {
                w.command("Add", &account_uri(guid, &[]), Some("node"), None);
                "Add"
            } else {
                "Replace"
            };
            for leaf in leaves {
                let data = xml_text(&leaf.value).map_err(|c| EmitError::Unsupported {
                    setting: leaf.setting.pointer().to_owned(),
                    // The value itself is never shown: it may be the password.
                    message: format!(
                        "the value for {} contains the character U+{:04X}, which XML cannot carry",
                        leaf.name(),
                        c as u32
                    ),
                })?;
                // ActiveSync.ddf.xml: every leaf is DFFormat chr, numbers and flags included.
                w.command(
                    verb,
                    &account_uri(guid, &leaf.path),
                    Some("chr"),
                    Some(&data),
                );
            }
        }
    }
    w.line(2, "</Atomic>");
    w.line(2, "<Final/>");
    w.line(1, "</SyncBody>");
    w.line(0, "</SyncML>");
    Ok(w.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            xml_text("a<b & c]]>d\"'").as_deref(),
            Ok("a&lt;b &amp; c]]&gt;d&quot;&apos;")
        );
        assert_eq!(xml_text("x\r\ny").as_deref(), Ok("x&#13;\ny"));
        assert_eq!(xml_text("bell\u{7}"), Err('\u{7}'));
        assert_eq!(xml_text("\u{FFFF}"), Err('\u{FFFF}'));
        assert_eq!(xml_text("Zoë 🦀").as_deref(), Ok("Zoë 🦀"));
    }
}
