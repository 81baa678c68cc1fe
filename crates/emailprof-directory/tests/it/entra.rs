//! Microsoft Entra ID exports: every shape Graph, `az` and the Graph PowerShell module write
//! (fixtures in `tests/data/entra`, shapes cited in its SOURCES.md), read whole and streamed.

use emailprof_directory::{
    Directory, DirectoryError, DirectoryFormat, EntraStream, is_entra_export,
};

// Microsoft Graph "List users" with $select:
// https://learn.microsoft.com/en-us/graph/api/user-list?view=graph-rest-1.0
const PAGE: &[u8] = include_bytes!("../data/entra/graph-page.json");
// Pages written one per line by a loop over @odata.nextLink:
// https://learn.microsoft.com/en-us/graph/paging
const PAGES: &[u8] = include_bytes!("../data/entra/graph-pages.jsonl");
// `az ad user list`: https://learn.microsoft.com/cli/azure/ad/user#az-ad-user-list
const AZ: &[u8] = include_bytes!("../data/entra/az-user-list.json");
// `Get-MgUser | ConvertTo-Json`:
// https://learn.microsoft.com/en-us/powershell/module/microsoft.graph.users/get-mguser
const MGUSER: &[u8] = include_bytes!("../data/entra/get-mguser.json");
const MGUSER_SINGLE: &[u8] = include_bytes!("../data/entra/get-mguser-single.json");

fn parse(bytes: &[u8]) -> Result<Directory, DirectoryError> {
    Directory::parse(bytes, DirectoryFormat::Json)
}

fn streamed(bytes: &'static [u8]) -> Result<Vec<(String, usize)>, DirectoryError> {
    EntraStream::new(bytes)
        .unwrap()
        .map(|r| r.map(|(u, line)| (u.user_id, line)))
        .collect()
}

#[test]
fn every_shape_is_detected_by_content() {
    for bytes in [PAGE, PAGES, AZ, MGUSER, MGUSER_SINGLE] {
        assert!(is_entra_export(bytes));
    }
    for generic in [
        &include_bytes!("../../../../examples/directory.json")[..],
        br#"{"users": [{"userId": "u"}]}"#,
        br#"[{"id": "u1", "userPrincipalName": "u1@contoso.com"}]"#,
        br#"[{"SamAccountName": "u1", "DistinguishedName": "CN=u1,DC=contoso,DC=com", "GivenName": "U"}]"#,
    ] {
        assert!(!is_entra_export(generic));
    }
    // A generic export still reads as before: `id` is its user id.
    let d = parse(br#"[{"id": "u1", "userPrincipalName": "u1@contoso.com"}]"#).unwrap();
    assert!(d.get("u1").is_some() && d.get("u1@contoso.com").is_none());
}

#[test]
fn graph_page_attributes_and_both_ids() {
    let d = parse(PAGE).unwrap();
    assert_eq!(d.len(), 3);
    let adele = d.get("AdeleV@contoso.com").unwrap();
    assert_eq!(adele.user_id, "AdeleV@contoso.com");
    assert_eq!(
        adele.user_principal_name.as_deref(),
        Some("AdeleV@contoso.com")
    );
    // The upper-case SMTP: proxy address wins over `mail`.
    assert_eq!(
        adele.primary_smtp_address.as_deref(),
        Some("Adele.Vance@contoso.com")
    );
    assert_eq!(adele.sam_account_name.as_deref(), Some("AdeleV"));
    assert_eq!(adele.domain_fqdn.as_deref(), Some("contoso.com"));
    assert_eq!(adele.netbios_name, None, "Graph has no NetBIOS name");
    // Found by object id too, and case-insensitively.
    assert_eq!(d.get("87d349ed-44d7-43e1-9a83-5f2406dee5bd"), Some(adele));
    assert_eq!(d.get("87D349ED-44D7-43E1-9A83-5F2406DEE5BD"), Some(adele));
    assert_eq!(d.get("adelev@contoso.com"), Some(adele));
    assert_eq!(d.line_of("AdeleV@contoso.com"), Some(4));
    assert_eq!(d.line_of("87d349ed-44d7-43e1-9a83-5f2406dee5bd"), Some(4));
    let cloud = d.get("Adams@contoso.com").unwrap();
    assert_eq!(cloud.sam_account_name, None);
    assert_eq!(cloud.domain_fqdn, None);
    assert!(d.ignored_fields().is_empty());
}

#[test]
fn all_shapes_give_the_same_users() {
    let page: Vec<_> = parse(PAGE).unwrap().users().cloned().collect();
    let pages: Vec<_> = parse(PAGES).unwrap().users().cloned().collect();
    assert_eq!(page, pages);
    let mguser: Vec<_> = parse(MGUSER).unwrap().users().cloned().collect();
    assert_eq!(mguser, [page[0].clone(), page[2].clone()]);
    let single: Vec<_> = parse(MGUSER_SINGLE).unwrap().users().cloned().collect();
    assert_eq!(single, [page[0].clone()]);
    // `az ad user list` has the default properties only: UPN, mail, id.
    let az = parse(AZ).unwrap();
    let adele = az.get("87d349ed-44d7-43e1-9a83-5f2406dee5bd").unwrap();
    assert_eq!(
        adele.primary_smtp_address.as_deref(),
        Some("AdeleV@contoso.com")
    );
    assert_eq!(adele.sam_account_name, None);
    assert_eq!(az.len(), 2);
}

#[test]
fn the_stream_reads_what_parse_reads_with_lines() {
    for bytes in [PAGE, PAGES, AZ, MGUSER, MGUSER_SINGLE] {
        let d = parse(bytes).unwrap();
        let expected: Vec<_> = d
            .users()
            .map(|u| (u.user_id.clone(), d.line_of(&u.user_id).unwrap()))
            .collect();
        assert_eq!(streamed(bytes).unwrap(), expected);
    }
    // JSON lines: each user is on its page's line.
    let lines: Vec<usize> = streamed(PAGES)
        .unwrap()
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    assert_eq!(lines, [1, 1, 2]);
}

#[test]
fn a_large_page_streams_in_batches() {
    let mut text = String::from("{\"@odata.context\":\"x\",\"value\":[\n");
    for i in 0..2000 {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!(
            "{{\"id\":\"{i:08}\",\"userPrincipalName\":\"u{i}@contoso.com\",\"businessPhones\":[]}}"
        ));
    }
    text.push_str("]}\n");
    let bytes: &'static [u8] = Box::leak(text.into_bytes().into_boxed_slice());
    let users = streamed(bytes).unwrap();
    assert_eq!(users.len(), 2000);
    assert_eq!(users[1999], ("u1999@contoso.com".to_owned(), 2001));
    // Dropping the stream early stops the reader thread (no hang, no panic).
    let mut s = EntraStream::new(bytes).unwrap();
    assert!(s.next().is_some());
    drop(s);
}

#[test]
fn errors_name_the_line_and_stop_the_stream() {
    let cases: [(&[u8], &str); 8] = [
        (
            b"{\"value\": [\n {\"id\": \"a\"},\n {\"id\": 5}\n]}",
            "JSON line 3: invalid type: integer `5`, expected a string or null for `id`",
        ),
        (
            b"{\"value\": [\n {\"userPrincipalName\": \"a@x\"},\n {\"mail\": \"b@x\"}\n]}",
            "JSON line 3: the user has neither `userPrincipalName` nor `id`",
        ),
        (
            b"{\"value\": [\n {\"id\": \"a\", \"proxyAddresses\": [\"SMTP:a@x\", \"SMTP:b@x\"]}\n]}",
            "JSON line 2: proxyAddresses has two primary (upper-case SMTP:) addresses, `a@x` and `b@x`",
        ),
        (
            b"{\"value\": [\n {\"id\": \"a\", \"Id\": \"b\"}\n]}",
            "JSON line 2: the key `id` appears twice (keys compare case-insensitively)",
        ),
        (
            b"{\"value\": [{\"id\": \"a\"}]}\n[{\"id\": \"b\"}]\n",
            "JSON line 2: after the first page, each JSON line must be a page (an object with `value`)",
        ),
        (
            b"{\"value\": [{\"id\": \"a\"}]}\n{\"value\": [\"b\"]}\n",
            "JSON line 2: invalid type: string \"b\", expected each user to be a JSON object",
        ),
        (
            b"{\"value\": [{\"id\": \"a\"}]}\n{\"value\": [{\"id\": \"b\"\n",
            "JSON line 2: in a file of JSON lines, each line must hold one whole page",
        ),
        (
            b"{\"value\": [\n{\"id\": \"a\"}]}\n{\"value\": [{\"id\": \"b\"",
            "JSON line 3: EOF while parsing an object",
        ),
    ];
    for (bytes, message) in cases {
        assert_eq!(parse(bytes).unwrap_err().to_string(), message);
        let bytes: &'static [u8] = Box::leak(bytes.to_vec().into_boxed_slice());
        let items: Vec<_> = EntraStream::new(bytes).unwrap().collect();
        let last = items.last().unwrap();
        assert_eq!(last.as_ref().unwrap_err().to_string(), message);
        assert!(items[..items.len() - 1].iter().all(Result::is_ok));
    }
    let e = parse(b"{\"value\": [{\"id\": \"a\"}, {\"id\": \"A\"}, {\"id\": \"a\"}]}").unwrap_err();
    assert!(matches!(e, DirectoryError::DuplicateUser { .. }), "{e}");
    // A UPN that is another user's object id is a duplicate too.
    let e = parse(b"{\"value\": [\n{\"id\": \"g1\", \"userPrincipalName\": \"a@x\"},\n{\"userPrincipalName\": \"g1\"}]}")
        .unwrap_err();
    assert_eq!(
        e,
        DirectoryError::DuplicateUser {
            user_id: "g1".into(),
            first_line: 2,
            second_line: 3
        }
    );
}

#[test]
fn deep_nesting_is_skipped_or_refused_never_a_stack_overflow() {
    let open = "[".repeat(100_000);
    let close = "]".repeat(100_000);
    // Properties this crate does not read are skipped without recursion.
    let skipped = format!("[{{\"businessPhones\": [], \"x\": {open}{close}, \"id\": \"a\"}}]");
    assert_eq!(parse(skipped.as_bytes()).unwrap().len(), 1);
    // The ones it reads must be strings: refused at the first bracket.
    let read = format!("[{{\"businessPhones\": [], \"mail\": {open}{close}}}]");
    let e = parse(read.as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "JSON line 1: invalid type: sequence, expected a string or null for `mail`"
    );
}

#[test]
fn strings_with_brackets_quotes_and_escapes_across_buffer_boundaries() {
    // A multi-line array (cut user by user, not JSON lines) whose strings hold brackets,
    // escaped quotes and backslashes, one of them longer than the 64 KiB read buffer.
    let long = format!("{}\\\"}}]{}", "x".repeat(70_000), "{[\\\\");
    let text = format!(
        "[\n {{\"businessPhones\": [\"}}]\"], \"id\": \"a\", \"displayName\": \"{long}\"}},\n {{\"id\": \"b\\\"]}}\", \"mail\": \"b@x\"}}\n]\n"
    );
    let d = parse(text.as_bytes()).unwrap();
    let ids: Vec<_> = d.users().map(|u| u.user_id.clone()).collect();
    assert_eq!(ids, ["a", "b\"]}"]);
    assert_eq!(d.line_of("b\"]}"), Some(3));
    // A trailing comma is refused, as serde_json refuses it.
    assert!(parse(b"[\n{\"id\": \"a\", \"businessPhones\": []},\n]").is_err());
}

/// The ids-only pass (`EntraStream::ids`, the first of `batch`'s two passes over a large
/// export) gives exactly the ids of a full read, in order, for every shape and for users whose
/// ids are escaped, padded, cased or taken from `onPremisesUserPrincipalName` or `id`; where
/// it stops, a full read has stopped at or before that user.
#[test]
fn the_ids_pass_gives_the_ids_of_a_full_read() {
    fn ids(stream: EntraStream) -> (Vec<(String, usize)>, Option<usize>) {
        let mut out = Vec::new();
        for item in stream {
            match item {
                Ok((u, line)) => out.push((u.user_id, line)),
                Err(_) => return (out.clone(), Some(out.len())),
            }
        }
        (out, None)
    }
    let mut generated = String::from("{\"@odata.context\":\"x\",\"value\":[\n");
    for i in 0..600 {
        if i > 0 {
            generated.push_str(",\n");
        }
        let user = match i % 6 {
            0 => format!(
                "{{\"id\":\"g{i}\",\"userPrincipalName\":\"  u{i}@contoso.com \",\"mail\":\"m{i}@x\"}}"
            ),
            1 => format!(
                "{{\"Id\":\"g{i}\",\"UserPrincipalName\":\"u\\u0041{i}\\\"q@contoso.com\",\"ProxyAddresses\":[\"SMTP:p{i}@x\"]}}"
            ),
            2 => format!(
                "{{\"id\":\"g{i}\",\"userPrincipalName\":null,\"onPremisesUserPrincipalName\":\"op{i}@corp.local\"}}"
            ),
            3 => format!(
                "{{\"id\":\" g{i} \",\"userPrincipalName\":\"\",\"extra\":{{\"userPrincipalName\":\"not-this\"}}}}"
            ),
            4 => format!(
                "{{\"businessPhones\":[\"{{\\\"id\\\": 1}}\"],\"userPrincipalName\":\"u{i}@contoso.com\",\"onPremisesSamAccountName\":\"s{i}\",\"onPremisesDomainName\":\"contoso.com\"}}"
            ),
            _ => format!(
                "{{\"userPrincipalName\":\"u{i}@contoso.com\",\"id\":\"g{i}\",\"proxyAddresses\":\"smtp:a{i}@x\"}}"
            ),
        };
        generated.push_str(&user);
    }
    generated.push_str("\n]}\n");
    let generated: &'static [u8] = Box::leak(generated.into_bytes().into_boxed_slice());
    for bytes in [PAGE, PAGES, AZ, MGUSER, MGUSER_SINGLE, generated] {
        let full = ids(EntraStream::new(bytes).unwrap());
        let fast = ids(EntraStream::ids(bytes).unwrap());
        assert_eq!(full, fast);
        assert!(full.1.is_none() && !full.0.is_empty());
    }
    // The generated users' ids, spot-checked against what a full read gives.
    let (all, _) = ids(EntraStream::ids(generated).unwrap());
    assert_eq!(all[0].0, "u0@contoso.com");
    assert_eq!(all[1].0, "uA1\"q@contoso.com");
    assert_eq!(all[2].0, "op2@corp.local");
    assert_eq!(all[3].0, "g3");
    // A user a full read refuses (a value of the wrong type the id pass skips) may pass the
    // id pass; a user the id pass refuses, a full read refuses too.
    let bad_mail: &'static [u8] =
        b"{\"value\": [\n{\"id\": \"a\"},\n{\"id\": \"b\", \"mail\": 5},\n{\"id\": \"c\"}\n]}";
    assert_eq!(ids(EntraStream::new(bad_mail).unwrap()).1, Some(1));
    assert_eq!(ids(EntraStream::ids(bad_mail).unwrap()).1, None);
    let bad_id: &'static [u8] =
        b"{\"value\": [\n{\"id\": \"a\"},\n{\"id\": 5},\n{\"id\": \"c\"}\n]}";
    assert_eq!(ids(EntraStream::new(bad_id).unwrap()).1, Some(1));
    assert_eq!(ids(EntraStream::ids(bad_id).unwrap()).1, Some(1));
}

/// A user object (or a page's other keys) longer than the budget is refused at its line,
/// without holding it: a hostile file cannot grow one value without end.
#[test]
fn a_user_past_the_budget_is_refused() {
    let long = "x".repeat(17 << 20);
    let text =
        format!("[\n{{\"id\": \"a\"}},\n{{\"id\": \"b\", \"displayName\": \"{long}\"}}\n]\n");
    let bytes: &'static [u8] = Box::leak(text.into_bytes().into_boxed_slice());
    let items: Vec<_> = EntraStream::new(bytes).unwrap().collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().0.user_id, "a");
    let e = items[1].as_ref().unwrap_err().to_string();
    assert!(
        e.contains("line 3") && e.contains("longer than 16777216 bytes"),
        "{e}"
    );
}
