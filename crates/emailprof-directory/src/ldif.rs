//! LDIF directory files: the content-record subset of RFC 2849 that `ldifde` and
//! `ldapsearch -LLL` write.
//!
//! Supported: an optional `version: 1`, `#` comments, folded lines (a continuation line starts
//! with one space), `attr: value`, `attr:: base64`, attribute options (`attr;lang-en:`),
//! `changetype: add`. URL values (`attr:< file://...`) are refused for the attributes we read
//! and skipped for others; other change types are refused.
//!
//! Which records are users: records with a `sAMAccountName` or `userPrincipalName` whose
//! `objectClass` (when present) includes `user`, `person` or `inetOrgPerson` and not
//! `computer` (AD computers are users too). The user id is the `sAMAccountName`, else the
//! local part of the `userPrincipalName`.
//!
//! Attributes: `userPrincipalName`, `mail`, `proxyAddresses`, `sAMAccountName`; the domain
//! FQDN is the DN's trailing `DC=` components; the NetBIOS name is an explicit
//! `netbiosName`/`nETBIOSName` on the user, else the `nETBIOSName` of a `crossRef` record in
//! the same file whose `nCName` is the user's domain DN (how AD stores it under
//! `CN=Partitions,CN=Configuration,...`).

use std::collections::HashMap;

use base64::Engine as _;

use crate::dn;
use crate::record::{RawRecord, clean};
use crate::{ParseError, Parsed};

/// How a value was written.
enum Encoded<'a> {
    Plain(&'a str),
    Base64(&'a str),
    Url,
}

struct AttrLine<'a> {
    line: usize,
    /// Attribute type without options, as written.
    name: &'a str,
    value: Encoded<'a>,
}

impl AttrLine<'_> {
    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The value as text, trimmed; an error names the line.
    fn text(&self) -> Result<String, ParseError> {
        match &self.value {
            Encoded::Plain(v) => Ok(v.trim().to_owned()),
            Encoded::Base64(v) => {
                let compact: String = v.chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(compact.as_bytes())
                    .map_err(|_| (self.line, format!("`{}::` is not valid base64", self.name)))?;
                String::from_utf8(bytes)
                    .map(|s| s.trim().to_owned())
                    .map_err(|_| {
                        (
                            self.line,
                            format!("the base64 value of `{}` is not UTF-8", self.name),
                        )
                    })
            }
            Encoded::Url => Err((
                self.line,
                format!(
                    "URL values (`{}:<`) are not supported; export the value inline",
                    self.name
                ),
            )),
        }
    }
}

/// Logical lines (folded lines joined) grouped into records, comments dropped.
fn records(text: &str) -> Vec<Vec<(usize, String)>> {
    let mut out: Vec<Vec<(usize, String)>> = Vec::new();
    let mut current: Vec<(usize, String)> = Vec::new();
    // Whether the previous physical line was a comment, so its continuations are dropped too.
    let mut in_comment = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let number = i + 1;
        if let Some(rest) = line.strip_prefix(' ') {
            if in_comment {
                continue;
            }
            if let Some((_, last)) = current.last_mut() {
                last.push_str(rest);
                continue;
            }
            if rest.trim().is_empty() {
                // Whitespace-only line between records: a separator.
                continue;
            }
            // A continuation with nothing to continue: keep it so parsing reports it.
            current.push((number, line.to_owned()));
            continue;
        }
        if line.starts_with('#') {
            in_comment = true;
            continue;
        }
        in_comment = false;
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.push((number, line.to_owned()));
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn attr_line(line: usize, text: &str) -> Result<AttrLine<'_>, ParseError> {
    let Some(colon) = text.find(':') else {
        return Err((
            line,
            format!("expected `attribute: value`, found `{}`", shorten(text)),
        ));
    };
    let full_name = &text[..colon];
    let name = full_name.split(';').next().unwrap_or("").trim_end();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err((
            line,
            format!("`{}` is not an attribute name", shorten(full_name)),
        ));
    }
    let rest = &text[colon + 1..];
    let value = if let Some(b64) = rest.strip_prefix(':') {
        Encoded::Base64(b64.trim())
    } else if rest.starts_with('<') {
        Encoded::Url
    } else {
        Encoded::Plain(rest.trim_start_matches(' '))
    };
    Ok(AttrLine { line, name, value })
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        let head: String = s.chars().take(40).collect();
        format!("{head}...")
    } else {
        s.to_owned()
    }
}

struct UserRecord {
    line: usize,
    raw: RawRecord,
}

pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        (line, "the file is not valid UTF-8".to_owned())
    })?;

    let mut users = Vec::new();
    // crossRef nCName key → (NetBIOS name, line)
    let mut netbios_by_domain: HashMap<String, (String, usize)> = HashMap::new();

    for (index, record) in records(text).iter().enumerate() {
        let mut lines = Vec::with_capacity(record.len());
        for (n, l) in record {
            lines.push(attr_line(*n, l)?);
        }
        if index == 0 && lines.first().is_some_and(|l| l.is("version")) {
            lines.remove(0);
            if lines.is_empty() {
                continue;
            }
        }
        let Some(first) = lines.first() else { continue };
        if !first.is("dn") {
            return Err((
                first.line,
                format!("a record must start with `dn:`, found `{}:`", first.name),
            ));
        }
        let record_line = first.line;
        let dn_text = first.text()?;

        let mut raw = RawRecord {
            distinguished_name: clean(&dn_text),
            ..RawRecord::default()
        };
        let mut classes: Vec<String> = Vec::new();
        let mut nc_name: Option<String> = None;
        let mut netbios: Option<String> = None;
        for l in &lines[1..] {
            let lower = l.name.to_ascii_lowercase();
            match lower.as_str() {
                "changetype" => {
                    let kind = l.text()?;
                    if !kind.eq_ignore_ascii_case("add") {
                        return Err((
                            l.line,
                            format!(
                                "change records (`changetype: {kind}`) are not supported; export the entries as content records"
                            ),
                        ));
                    }
                }
                "objectclass" => classes.push(l.text()?.to_ascii_lowercase()),
                "proxyaddresses" => raw.proxy_addresses.extend(clean(&l.text()?)),
                "ncname" => single(&mut nc_name, l)?,
                "netbiosname" => single(&mut netbios, l)?,
                "userprincipalname" => single(&mut raw.user_principal_name, l)?,
                "mail" => single(&mut raw.mail, l)?,
                "samaccountname" => single(&mut raw.sam_account_name, l)?,
                _ => {}
            }
        }
        let is_cross_ref = classes.iter().any(|c| c == "crossref")
            || (classes.is_empty() && nc_name.is_some() && netbios.is_some());
        if is_cross_ref {
            if let (Some(nc), Some(name)) = (nc_name, netbios) {
                let parsed =
                    dn::parse(&nc).map_err(|e| (record_line, format!("bad nCName `{nc}`: {e}")))?;
                let key = dn::key(&parsed);
                if let Some((other, other_line)) = netbios_by_domain.get(&key)
                    && !other.eq_ignore_ascii_case(&name)
                {
                    return Err((
                        record_line,
                        format!(
                            "crossRef for `{nc}` says NetBIOS name `{name}`, but the one at line {other_line} says `{other}`"
                        ),
                    ));
                }
                netbios_by_domain.insert(key, (name, record_line));
            }
            continue;
        }
        let has_identity = raw.sam_account_name.is_some() || raw.user_principal_name.is_some();
        let user_class = classes.is_empty()
            || (classes
                .iter()
                .any(|c| c == "user" || c == "person" || c == "inetorgperson")
                && !classes.iter().any(|c| c == "computer"));
        if !has_identity || !user_class {
            continue;
        }
        raw.netbios_name = netbios;
        users.push(UserRecord {
            line: record_line,
            raw,
        });
    }

    let mut out = Vec::with_capacity(users.len());
    for user in users {
        let attrs = user
            .raw
            .finish(|key| netbios_by_domain.get(key).map(|(n, _)| n.clone()))
            .map_err(|m| (user.line, m))?;
        out.push((attrs, user.line));
    }
    Ok(Parsed {
        records: out,
        ignored_fields: Vec::new(),
    })
}

/// Store a single-valued attribute; a second, different value is an error.
fn single(slot: &mut Option<String>, l: &AttrLine<'_>) -> Result<(), ParseError> {
    let value = clean(&l.text()?);
    match (&*slot, value) {
        (Some(old), Some(new)) if *old != new => Err((
            l.line,
            format!(
                "`{}` has a second value (`{new}` after `{old}`); it must have one",
                l.name
            ),
        )),
        (_, Some(new)) => {
            *slot = Some(new);
            Ok(())
        }
        (_, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Directory, DirectoryError, DirectoryFormat};

    fn parse(text: &str) -> Result<Directory, DirectoryError> {
        Directory::parse(text.as_bytes(), DirectoryFormat::Ldif)
    }

    const FOREST: &str = "\
version: 1

# the domain's partition record
dn: CN=CONTOSO,CN=Partitions,CN=Configuration,DC=contoso,DC=com
objectClass: top
objectClass: crossRef
nCName: DC=contoso,DC=com
dnsRoot: contoso.com
nETBIOSName: CONTOSO

dn: CN=EMEA,CN=Partitions,CN=Configuration,DC=contoso,DC=com
objectClass: crossRef
nCName: DC=emea,DC=contoso,DC=com
nETBIOSName: CONTOSO-EMEA
";

    #[test]
    fn users_domains_and_crossref_netbios() {
        let text = format!(
            "{FOREST}
dn: CN=Adele Vance,OU=Staff,DC=contoso,DC=com
objectClass: user
sAMAccountName: avance
userPrincipalName: avance@contoso.com
mail: avance@contoso.com
proxyAddresses: smtp:avance@contoso.com
proxyAddresses: SMTP:Adele.Vance@contoso.com

dn:: Q049Sm9obiBEb2UsT1U9U3RhZmYsREM9ZW1lYSxEQz1jb250b3NvLERDPWNvbQ==
objectClass: top
objectClass: person
objectClass: organizationalPerson
objectClass: user
userPrincipalName: jdoe@contoso.com
sAMAccountName: jdoe
mail: john.doe@con
 toso.com

dn: CN=WS01,OU=Computers,DC=contoso,DC=com
objectClass: user
objectClass: computer
sAMAccountName: WS01$

dn: CN=Staff,OU=Groups,DC=contoso,DC=com
objectClass: group
sAMAccountName: staff
"
        );
        let d = parse(&text).unwrap();
        assert_eq!(d.len(), 2, "{:?}", d.users().collect::<Vec<_>>());
        let a = d.get("avance").unwrap();
        assert_eq!(
            a.primary_smtp_address.as_deref(),
            Some("Adele.Vance@contoso.com")
        );
        assert_eq!(a.domain_fqdn.as_deref(), Some("contoso.com"));
        assert_eq!(a.netbios_name.as_deref(), Some("CONTOSO"));
        // base64 DN "CN=John Doe,OU=Staff,DC=emea,DC=contoso,DC=com"; folded mail value.
        let j = d.get("jdoe").unwrap();
        assert_eq!(j.domain_fqdn.as_deref(), Some("emea.contoso.com"));
        assert_eq!(j.netbios_name.as_deref(), Some("CONTOSO-EMEA"));
        assert_eq!(
            j.primary_smtp_address.as_deref(),
            Some("john.doe@contoso.com")
        );
        assert_eq!(d.line_of("avance"), Some(16));
    }

    #[test]
    fn user_without_sam_is_keyed_by_upn_local_part() {
        let d = parse(
            "dn: CN=Megan,DC=contoso,DC=com\nuserPrincipalName: megan.bowen@contoso.com\nnETBIOSName: CONTOSO\n",
        )
        .unwrap();
        let m = d.get("megan.bowen").unwrap();
        assert_eq!(m.sam_account_name, None);
        assert_eq!(m.netbios_name.as_deref(), Some("CONTOSO"));
    }

    #[test]
    fn errors_name_lines() {
        let e = parse("dn: CN=a,DC=x\nsAMAccountName: a\nchangetype: modify\n").unwrap_err();
        assert!(
            e.to_string().starts_with("LDIF line 3: change records"),
            "{e}"
        );
        let e = parse("sAMAccountName: a\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("LDIF line 1: a record must start with `dn:`"),
            "{e}"
        );
        let e = parse("dn: CN=a,DC=x\nsAMAccountName:: !!!\n").unwrap_err();
        assert!(e.to_string().contains("base64"), "{e}");
        let e = parse("dn: CN=a,DC=x\nmail:< file:///etc/passwd\nsAMAccountName: a\n").unwrap_err();
        assert!(e.to_string().contains("URL values"), "{e}");
        let e = parse("dn: CN=a,DC=x\nsAMAccountName: a\nsAMAccountName: b\n").unwrap_err();
        assert!(e.to_string().starts_with("LDIF line 3:"), "{e}");
        let e = parse("dn: CN=a,DC=x\nno colon here\n").unwrap_err();
        assert!(e.to_string().starts_with("LDIF line 2:"), "{e}");
        let e = parse("dn: CN=a,DC=x\nsAMAccountName: a\n\ndn: CN=b,DC=x\nsAMAccountName: a\n")
            .unwrap_err();
        assert_eq!(
            e,
            DirectoryError::DuplicateUser {
                user_id: "a".into(),
                first_line: 1,
                second_line: 4
            }
        );
    }

    #[test]
    fn url_values_of_other_attributes_are_skipped_and_comments_fold() {
        let d = parse(
            "# a comment\n  that continues\ndn: CN=a,DC=x\njpegPhoto:< file:///photo.jpg\nsAMAccountName: a\n",
        )
        .unwrap();
        assert!(d.get("a").is_some());
    }
}
