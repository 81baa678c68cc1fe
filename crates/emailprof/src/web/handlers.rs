//! The API: validate a posted profile, emit one artifact for it.

use emailprof_core::input::Format;
use emailprof_core::{EmitOptions, Finding, Operation, OsVersion, Severity, ValidationOptions};
use serde_json::{Value, json};

use super::{Reply, State};
use crate::emit::{EmitRequest, emit_user};
use crate::profile;
use crate::users::{Mdm, UserSource};

/// The diagnostics header stays well below common header size limits.
const MAX_DIAGNOSTICS_HEADER: usize = 6 * 1024;

fn finding_json(f: &Finding) -> Value {
    serde_json::to_value(f).unwrap_or(Value::Null)
}

pub(super) fn validate(bytes: &[u8]) -> Reply {
    let findings = profile::check(
        bytes,
        Format::Json,
        ValidationOptions::default(),
        ".".into(),
    )
    .findings;
    let valid = !findings.iter().any(|f| f.severity == Severity::Error);
    Reply::json(
        200,
        &json!({ "valid": valid, "findings": findings.iter().map(finding_json).collect::<Vec<_>>() }),
    )
}

/// Decode `%XX` and `+` of a query component; `None` when it is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The query parameters; `Err` names one that is given twice or is not UTF-8.
fn query_params(query: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (percent_decode(k), percent_decode(v)) else {
            return Err("a query parameter is not UTF-8".into());
        };
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(format!("query parameter `{k}` given twice"));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// JSON with every non-ASCII character escaped, so it fits an HTTP header.
fn ascii_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// `value` of a Content-Disposition file name: only characters that need no quoting rules.
fn disposition_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "artifact".into()
    } else {
        cleaned.to_owned()
    }
}

pub(super) fn emit(state: &State, query: &str, bytes: &[u8]) -> Reply {
    let params = match query_params(query) {
        Ok(p) => p,
        Err(e) => return Reply::error(400, e),
    };
    let Some(platform) = param(&params, "platform") else {
        return Reply::error(400, "give the platform: /api/emit?platform=ID");
    };
    let placeholders = match param(&params, "placeholders") {
        None => None,
        Some(p) => match Mdm::ALL
            .into_iter()
            .find(|m| m.key().eq_ignore_ascii_case(p))
        {
            Some(m) => Some(m),
            None => return Reply::error(400, format!("unknown MDM `{p}` for placeholders")),
        },
    };
    let user = param(&params, "user");
    if user.is_some() == placeholders.is_some() {
        return Reply::error(
            400,
            "give exactly one of `user` (a user id of the directory) and `placeholders` (an MDM)",
        );
    }
    let min_os_version = match param(&params, "minOs") {
        None => None,
        Some(v) => match OsVersion::parse(v) {
            Some(v) => Some(v),
            None => {
                return Reply::error(
                    400,
                    format!("minOs `{v}` is not a version like 13.0 or 15.4.1"),
                );
            }
        },
    };
    let loaded = match profile::load(
        bytes,
        Format::Json,
        ValidationOptions::default(),
        state.reader.base_dir().to_path_buf(),
    ) {
        Ok((l, _)) => l,
        Err(findings) => {
            return Reply::json(
                400,
                &json!({
                    "error": "the profile is not valid",
                    "findings": findings.iter().map(finding_json).collect::<Vec<_>>(),
                }),
            );
        }
    };
    if let Err(e) = state.reader.check_profile(&loaded.profile) {
        return Reply::error(400, e);
    }
    // An unknown platform is told before the directory is read.
    if let Err(e) = crate::registry::emitter(platform) {
        return Reply::error(400, e.chain_text());
    }
    let users = match placeholders {
        Some(m) => Ok(UserSource::Placeholders(m)),
        None => {
            UserSource::directory_with_netbios(state.directory.as_deref(), state.netbios.clone())
        }
    };
    let options = EmitOptions {
        min_os_version,
        include_password: false,
        operation: Operation::Add,
        form: param(&params, "form").map(str::to_owned),
    };
    let emitted = users.and_then(|users| {
        let request = EmitRequest {
            platform,
            users: &users,
            user,
            options,
        };
        emit_user(&loaded, &request, &state.reader)
    });
    let emission = match emitted {
        Ok(e) => e.emission,
        Err(err) => {
            let message = err.chain_text();
            let status = if err.is_invalid() { 400 } else { 500 };
            tracing::warn!(platform, status, "emit failed: {message}");
            return Reply::error(status, message);
        }
    };
    let artifact = match emission.artifacts.as_slice() {
        [one] => one,
        [] => return Reply::error(400, format!("{platform}: the emitter produced no artifact")),
        _ => {
            return Reply::error(
                400,
                format!("{platform} writes several files; use `emailprof emit --out DIRECTORY`"),
            );
        }
    };
    let mut diagnostics: Vec<Value> = Vec::new();
    if placeholders.is_none() && state.directory.is_none() {
        // The server's default; an emitted artifact must say whose values it carries.
        diagnostics.push(json!({
            "severity": "warning",
            "setting": "",
            "platform": platform,
            "message": format!(
                "the user's values come from the {}; start `emailprof serve --directory FILE` for your directory",
                crate::users::BUILTIN_DIRECTORY_NAME
            ),
        }));
    }
    diagnostics.extend(
        emission
            .diagnostics
            .iter()
            .map(|d| serde_json::to_value(d).unwrap_or(Value::Null)),
    );
    let mut header = ascii_json(&Value::Array(diagnostics.clone()));
    while header.len() > MAX_DIAGNOSTICS_HEADER && !diagnostics.is_empty() {
        diagnostics.pop();
        header = ascii_json(&Value::Array(diagnostics.clone()));
    }
    Reply::new(200, &artifact.media_type, artifact.bytes.clone())
        .header(
            "Content-Disposition",
            format!(
                "attachment; filename=\"{}\"",
                disposition_name(&artifact.file_name)
            ),
        )
        .header("X-Emailprof-Diagnostics", header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        assert_eq!(percent_decode("a%40b.c+d").as_deref(), Some("a@b.c d"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%zz%4").as_deref(), Some("%zz%4"));
        assert_eq!(percent_decode("%ff"), None);
        assert!(query_params("user=a&user=b").is_err());
        let p = query_params("platform=ios&user=user%401&&x").unwrap();
        assert_eq!(param(&p, "user"), Some("user@1"));
        assert_eq!(param(&p, "x"), None);
    }

    #[test]
    fn header_values_stay_ascii() {
        let v = json!([{ "message": "é — 😀" }]);
        let h = ascii_json(&v);
        assert!(h.is_ascii());
        assert_eq!(serde_json::from_str::<Value>(&h).unwrap(), v);
        assert_eq!(
            disposition_name("a b\"/c.mobileconfig"),
            "a_b__c.mobileconfig"
        );
        assert_eq!(disposition_name("..."), "artifact");
    }
}
