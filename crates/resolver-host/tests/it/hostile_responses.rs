//! Out-of-process plugins that answer `resolve` with something hostile: malformed JSON,
//! invalid UTF-8, a line longer than the 64 MiB limit, the wrong number of results, attributes
//! of another user, unknown fields. Each is a clean `ResolveError` for that request (never a
//! panic or a hang), and the values the host does accept arrive unchanged, however large or
//! full of markup. Plus the `plugin` fuzz target's parsing checks (`fuzz/src/plugin.rs`) on
//! seeded random edits of the protocol's messages. See RELIABILITY.md.

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../fuzz/src/plugin.rs"]
mod target;

use std::process::Command;
use std::time::{Duration, Instant};

use emailprof_attributes::{AttributeResolver, ResolveError};
use emailprof_testkit::fuzz::{self, Edit};
use resolver_abi::{Hello, PluginInfo};
use resolver_host::ProcessResolver;
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(10);

/// A plugin in `sh`: a correct handshake, then `answer` (shell code) for every request.
fn plugin(answer: &str) -> ProcessResolver {
    let hello =
        serde_json::to_string(&json!({"hello": Hello::new(PluginInfo::new("hostile", "1"))}))
            .unwrap();
    let script = format!(
        "printf '%s\\n' \"$HELLO\"; read -r init; printf '%s\\n' '{{\"ready\":{{}}}}'; while read -r req; do {answer}; done"
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script]).env("HELLO", hello);
    ProcessResolver::spawn(cmd, json!({}), TIMEOUT).expect("the handshake succeeds")
}

fn failure(p: &ProcessResolver, what: &str) -> String {
    let started = Instant::now();
    let r = p.resolve("u1");
    assert!(
        started.elapsed() < TIMEOUT,
        "{what}: waited for the timeout"
    );
    match r {
        Err(ResolveError::Failed(m)) => m,
        other => panic!("{what}: expected a failure, got {other:?}"),
    }
}

fn results(attrs: serde_json::Value) -> String {
    json!({"results": [{"attributes": attrs}]}).to_string()
}

#[test]
fn malformed_answers_fail_the_request_cleanly() {
    for (answer, needle) in [
        ("printf '%s\\n' '{\"results\": ['", "not a plugin message"),
        ("printf '%s\\n' 'hello there'", "not a plugin message"),
        (
            "printf '%s\\n' '{\"results\": [{\"attributes\": {\"userId\": 5}}]}'",
            "not a plugin message",
        ),
        ("printf '%s\\n' '{\"ready\": {}}'", "out of turn"),
        (
            "printf '\\377\\376{}\\n'",
            "could not read the plugin's output",
        ),
        // Unknown attribute names are refused, not ignored.
        (
            "printf '%s\\n' '{\"results\": [{\"attributes\": {\"userId\": \"u1\", \"isAdmin\": true}}]}'",
            "not a plugin message",
        ),
        (
            "printf '%s\\n' '{\"results\": [{\"attributes\": {\"userId\": \"u1\"}}, {\"attributes\": {\"userId\": \"u2\"}}]}'",
            "2 results for 1 user ids",
        ),
    ] {
        let p = plugin(answer);
        let m = failure(&p, answer);
        assert!(m.contains(needle), "{answer}: {m}");
        // The plugin is restarted for the next request, which fails the same way.
        let m = failure(&p, answer);
        assert!(m.contains(needle), "{answer} (again): {m}");
    }
}

#[test]
fn a_line_past_the_limit_fails_without_exhausting_memory() {
    let p = plugin("head -c 70000000 /dev/zero | tr '\\0' a; echo");
    let m = failure(&p, "70 MB line");
    assert!(m.contains("64 MiB"), "{m}");
}

#[test]
fn large_and_markup_values_arrive_unchanged() {
    let upn = format!("{}@contoso.com", "a".repeat(1024 * 1024));
    let markup = "</Data><Exec>&amp;]]>\"'\u{0}\u{1F980}@contoso.com";
    for value in [upn.as_str(), markup] {
        let line = results(json!({"userId": "u1", "userPrincipalName": value}));
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("answer.json");
        std::fs::write(&file, format!("{line}\n")).unwrap();
        let p = plugin(&format!("cat '{}'", file.display()));
        let a = p.resolve("u1").expect("accepted");
        assert_eq!(a.user_principal_name.as_deref(), Some(value));
    }
}

/// A plugin that answers with another user's attributes (a bug, or a directory that maps
/// many ids to one entry) would make `batch` write every user's output to that one user's
/// file, each overwriting the last: the answer must be for the user asked about.
#[test]
fn attributes_of_another_user_are_refused() {
    let p = plugin(&format!(
        "printf '%s\\n' '{}'",
        results(json!({"userId": "admin", "userPrincipalName": "admin@contoso.com"}))
    ));
    match p.resolve("u1") {
        Err(ResolveError::Failed(m)) => assert!(m.contains("admin"), "{m}"),
        other => panic!("attributes of `admin` accepted for `u1`: {other:?}"),
    }
}

/// A small deterministic generator (xorshift), since this crate has no proptest.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn edited_protocol_messages_parse_or_fail_cleanly() {
    let seeds = [
        r#"{"hello":{"protocol":"emailprof-resolver","abi":"1.0","plugin":{"name":"p","version":"1","abi":"1.0"}}}"#,
        r#"{"ready":{}}"#,
        r#"{"results":[{"attributes":{"userId":"u1","userPrincipalName":"u1@contoso.com","primarySmtpAddress":"a.b@contoso.com","sAMAccountName":"u1","domainFqdn":"contoso.com","netbiosName":"CONTOSO"}},{"error":{"code":"notFound","message":"no","userId":"x"}}]}"#,
        r#"{"error":{"code":"ambiguous","message":"two","userId":"x","count":2}}"#,
        r#"{"results":[{"attributes":{"userId":"u1","userPrincipalName":"u1@contoso.com"}}]}"#,
    ];
    let tokens = fuzz::tokens(&[
        fuzz::JSON_TOKENS,
        &[
            "\"results\":",
            "\"error\":",
            "\"code\":",
            "\"panic\"",
            "\"count\":",
            "18446744073709551616",
            "\"attributes\":",
        ],
    ]);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let mut b = seeds[rng.below(seeds.len())].as_bytes().to_vec();
        for _ in 0..rng.below(6) {
            let pos = rng.below(b.len() + 1);
            let edit = match rng.below(3) {
                0 => Edit::Insert(pos, &tokens[rng.below(tokens.len())]),
                1 => Edit::Delete(pos, 1 + rng.below(16)),
                _ => Edit::Overwrite(pos, rng.next() as u8),
            };
            fuzz::apply(&mut b, edit);
        }
        target::check_with(&b, &mut |a| {
            accepted += 1;
            assert!(serde_json::to_string(a).is_ok());
        });
    }
    assert!(
        accepted > 100,
        "the edits left too few valid answers: {accepted}"
    );
}

/// ABI 1.1 listings out of process: a plugin that dies mid-listing ends it with an error (never
/// a short listing that looks complete), one that lists out of turn likewise, and a 1.0 plugin
/// is not asked at all.
#[test]
fn a_listing_that_breaks_is_an_error_not_a_short_listing() {
    let first = r#"{"batch":{"users":[{"attributes":{"userId":"u1"}}],"done":false}}"#;
    for (then, needle) in [
        ("exit 0", "closed its output"),
        ("printf '%s\\n' '{\"ready\":{}}'", "out of turn"),
        (
            "printf '%s\\n' '{\"error\":{\"code\":\"failed\",\"message\":\"size limit\"}}'",
            "size limit",
        ),
    ] {
        let p = plugin(&format!(
            "case \"$req\" in *listNext*) {then};; *) printf '%s\\n' '{first}';; esac"
        ));
        let mut batches = p.list_users().expect("the listing opens");
        let users = batches
            .next()
            .expect("a first batch")
            .expect("a good batch");
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].0, "u1");
        match batches.next() {
            Some(Err(e)) => assert!(e.to_string().contains(needle), "{then}: {e}"),
            other => panic!("{then}: expected an error, got {other:?}"),
        }
        assert!(batches.next().is_none(), "{then}");
    }

    let hello = json!({"hello": {"protocol": "emailprof-resolver", "abi": "1.0",
        "plugin": {"name": "old", "version": "1", "abi": "1.0"}}})
    .to_string();
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "printf '%s\\n' \"$HELLO\"; read -r init; printf '%s\\n' '{\"ready\":{}}'; while read -r req; do exit 3; done",
    ])
    .env("HELLO", hello);
    let old = ProcessResolver::spawn(cmd, json!({}), TIMEOUT).expect("a 1.0 plugin still loads");
    match old.list_users() {
        Err(resolver_host::HostError::CannotList { .. }) => {}
        Err(e) => panic!("expected CannotList, got {e}"),
        Ok(_) => panic!("a 1.0 plugin was asked to list"),
    }
}
