//! JSON directory files: an array of user objects, or an object whose `users` member is one.
//!
//! Keys are the CSV column names (case-insensitive, same aliases) plus the names of an Active
//! Directory export (`mail`, `proxyAddresses` as an array, `distinguishedName`). Without a
//! `userId` key, the user id is `sAMAccountName`, else the UPN's local part (as in LDIF).
//! Values are strings or `null`; unknown keys are ignored and listed.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::record::{Field, RawRecord, clean};
use crate::{ParseError, Parsed};

#[derive(Deserialize)]
struct Wrapped<'a> {
    #[serde(borrow)]
    users: Vec<&'a RawValue>,
}

pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = line_at(bytes, e.valid_up_to());
        (line, "the file is not valid UTF-8".to_owned())
    })?;
    let items: Vec<&RawValue> = match text.trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str(text).map_err(|e| json_error(&e, 1))?,
        Some(b'{') => {
            serde_json::from_str::<Wrapped<'_>>(text)
                .map_err(|e| json_error(&e, 1))?
                .users
        }
        _ => {
            return Err((
                1,
                "expected an array of users, or an object with a `users` array".to_owned(),
            ));
        }
    };

    let mut records = Vec::with_capacity(items.len());
    let mut ignored = Vec::new();
    for item in items {
        let raw_text = item.get();
        // The raw value borrows from `text`, so its address gives its position in the file.
        let offset = (raw_text.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        let line = line_at(text.as_bytes(), offset);
        let object: serde_json::Map<String, Value> = serde_json::from_str(raw_text)
            .map_err(|_| (line, "each user must be a JSON object".to_owned()))?;
        let mut raw = RawRecord::default();
        let mut seen: Vec<(Field, &str)> = Vec::new();
        for (key, value) in &object {
            let Some(field) = Field::classify(key) else {
                ignored.push(key.clone());
                continue;
            };
            if let Some((_, other)) = seen.iter().find(|(f, _)| *f == field) {
                return Err((
                    line,
                    format!("keys `{other}` and `{key}` both give the same attribute"),
                ));
            }
            seen.push((field, key));
            if field == Field::ProxyAddresses {
                raw.proxy_addresses = strings(value)
                    .ok_or_else(|| (line, format!("`{key}` must be an array of strings")))?;
            } else if let Some(slot) = raw.slot(field) {
                *slot = match value {
                    Value::Null => None,
                    Value::String(s) => clean(s),
                    _ => return Err((line, format!("`{key}` must be a string or null"))),
                };
            }
        }
        let attrs = raw.finish(|_| None).map_err(|m| (line, m))?;
        records.push((attrs, line));
    }
    Ok(Parsed {
        records,
        ignored_fields: ignored,
    })
}

/// An array of strings (or one string, or null) as a list.
fn strings(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Null => Some(Vec::new()),
        Value::String(s) => Some(clean(s).into_iter().collect()),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

fn line_at(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

fn json_error(e: &serde_json::Error, first_line: usize) -> ParseError {
    let line = first_line + e.line().saturating_sub(1);
    // serde_json's message ends with " at line L column C"; we print the line ourselves.
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    (line.max(1), message)
}

#[cfg(test)]
mod tests {
    use crate::{Directory, DirectoryError, DirectoryFormat};

    fn parse(text: &str) -> Result<Directory, DirectoryError> {
        Directory::parse(text.as_bytes(), DirectoryFormat::Json)
    }

    #[test]
    fn array_and_wrapped_forms_agree() {
        let list = r#"[{"userId":"u1","upn":"u1@contoso.com","sAMAccountName":"u1"}]"#;
        let wrapped = r#"{"$schema":"x","users":[{"userId":"u1","upn":"u1@contoso.com","sAMAccountName":"u1"}]}"#;
        let a: Vec<_> = parse(list).unwrap().users().cloned().collect();
        let b: Vec<_> = parse(wrapped).unwrap().users().cloned().collect();
        assert_eq!(a, b);
        assert_eq!(a[0].user_principal_name.as_deref(), Some("u1@contoso.com"));
    }

    #[test]
    fn ad_export_names() {
        let d = parse(
            r#"[{
                "sAMAccountName": "avance",
                "userPrincipalName": "avance@contoso.com",
                "mail": "avance@contoso.com",
                "proxyAddresses": ["smtp:avance@contoso.com", "SMTP:Adele.Vance@contoso.com"],
                "distinguishedName": "CN=Adele Vance,OU=Staff,DC=contoso,DC=com",
                "displayName": "Adele Vance",
                "whenCreated": "2024-01-01"
            }]"#,
        )
        .unwrap();
        let u = d.get("avance").unwrap();
        assert_eq!(
            u.primary_smtp_address.as_deref(),
            Some("Adele.Vance@contoso.com")
        );
        assert_eq!(u.domain_fqdn.as_deref(), Some("contoso.com"));
        assert_eq!(u.netbios_name, None);
        assert_eq!(d.ignored_fields(), ["displayName", "whenCreated"]);
    }

    #[test]
    fn errors_name_lines() {
        let e = parse("[\n {\"userId\": \"a\"},\n {\"userId\": 5}\n]").unwrap_err();
        assert_eq!(
            e.to_string(),
            "JSON line 3: `userId` must be a string or null"
        );
        let e = parse("[\n {\"userId\": \"a\"},\n {\"userId\": \"b\"},\n {\"id\": \"a\"}\n]")
            .unwrap_err();
        assert_eq!(
            e,
            DirectoryError::DuplicateUser {
                user_id: "a".into(),
                first_line: 2,
                second_line: 4
            }
        );
        let e = parse("[\n {\"userId\": \"a\",\n").unwrap_err();
        assert!(matches!(e, DirectoryError::Syntax { line: 3, .. }), "{e}");
        let e = parse("[\n \"a\"\n]").unwrap_err();
        assert_eq!(
            e.to_string(),
            "JSON line 2: each user must be a JSON object"
        );
        let e = parse("[{\"upn\": \"a@x\", \"userPrincipalName\": \"a@x\"}]").unwrap_err();
        assert!(
            e.to_string().contains("both give the same attribute"),
            "{e}"
        );
        let e = parse("{\"people\": []}").unwrap_err();
        assert!(e.to_string().contains("users"), "{e}");
        let e = parse("[{\"proxyAddresses\": [1]}]").unwrap_err();
        assert!(e.to_string().contains("array of strings"), "{e}");
    }
}
