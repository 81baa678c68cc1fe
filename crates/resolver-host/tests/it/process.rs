//! Out-of-process plugins over stdin/stdout.

use std::process::Command;
use std::time::{Duration, Instant};

use emailprof_attributes::{AttributeResolver, ResolveError};
use emailprof_directory::DirectoryFileResolver;
use resolver_host::{HostError, ProcessResolver};
use serde_json::json;

use crate::support::{artifacts, directory_config, example_directory};

const TIMEOUT: Duration = Duration::from_secs(10);

fn builtin() -> DirectoryFileResolver {
    DirectoryFileResolver::new(example_directory(), "examples/directory.csv")
}

fn all_ids() -> Vec<String> {
    let mut ids: Vec<String> = builtin()
        .directory()
        .users()
        .map(|u| u.user_id.clone())
        .collect();
    ids.push("nobody".to_owned());
    ids
}

#[test]
fn directory_plugin_executable_matches_the_builtin_resolver() {
    let cmd = Command::new(artifacts().bin("emailprof-resolver-directory"));
    let plugin = ProcessResolver::spawn(cmd, directory_config(), TIMEOUT).unwrap();
    assert_eq!(plugin.info().name, "directory-file");
    let ids = all_ids();
    assert_eq!(plugin.resolve_batch(&ids), builtin().resolve_batch(&ids));
    for id in &ids {
        assert_eq!(plugin.resolve(id), builtin().resolve(id), "{id}");
    }
}

#[test]
fn any_library_can_be_served_out_of_process() {
    let mut cmd = Command::new(artifacts().bin("serve_library"));
    cmd.arg(artifacts().lib("emailprof-resolver-directory"));
    let plugin = ProcessResolver::spawn(cmd, directory_config(), TIMEOUT).unwrap();
    let ids = all_ids();
    assert_eq!(plugin.resolve_batch(&ids), builtin().resolve_batch(&ids));

    // A library panic stays a per-user error there too.
    let mut cmd = Command::new(artifacts().bin("serve_library"));
    cmd.arg(artifacts().lib("resolver-fixture-panic"));
    let plugin = ProcessResolver::spawn(cmd, json!({}), TIMEOUT).unwrap();
    let r = plugin.resolve_batch(&["panic".to_owned(), "ok".to_owned()]);
    assert!(
        matches!(&r[0], Err(ResolveError::Failed(m)) if m.contains("panicked")),
        "{r:?}"
    );
    assert!(r[1].is_ok());

    // The ABI check and load errors surface as a failed start.
    let mut cmd = Command::new(artifacts().bin("serve_library"));
    cmd.arg(artifacts().lib("resolver-fixture-wrong-abi"));
    let e = ProcessResolver::spawn(cmd, json!({}), TIMEOUT).unwrap_err();
    assert!(matches!(e, HostError::Protocol { .. }), "{e:?}");
}

#[test]
fn survives_an_aborting_plugin() {
    let cmd = Command::new(artifacts().bin("resolver-fixture-abort"));
    let plugin = ProcessResolver::spawn(cmd, json!({}), TIMEOUT).unwrap();
    let Err(ResolveError::Failed(message)) = plugin.resolve("abort") else {
        panic!("abort should fail");
    };
    assert!(message.contains("restarted for the next user"), "{message}");
    assert!(
        message.contains("exited") || message.contains("closed"),
        "{message}"
    );
    assert_eq!(plugin.resolve("next").unwrap().user_id, "next");

    // In a batch, only the aborting user fails.
    let ids: Vec<String> = ["a", "abort", "b"].map(String::from).to_vec();
    let r = plugin.resolve_batch(&ids);
    assert_eq!(r[0].as_ref().unwrap().user_id, "a");
    assert!(r[1].is_err());
    assert_eq!(r[2].as_ref().unwrap().user_id, "b");
}

#[test]
fn survives_a_hanging_plugin() {
    let cmd = Command::new(artifacts().bin("resolver-fixture-abort"));
    let timeout = Duration::from_secs(2);
    let plugin = ProcessResolver::spawn(cmd, json!({}), timeout).unwrap();
    let started = Instant::now();
    let Err(ResolveError::Failed(message)) = plugin.resolve("hang") else {
        panic!("hang should fail");
    };
    let took = started.elapsed();
    assert!(message.contains("did not answer within 2.0s"), "{message}");
    assert!(took >= timeout && took < timeout * 4, "{took:?}");
    assert_eq!(plugin.resolve("next").unwrap().user_id, "next");
}

#[test]
fn start_failures_are_clear() {
    let e = ProcessResolver::spawn(Command::new("/nonexistent/plugin"), json!({}), TIMEOUT)
        .unwrap_err();
    assert!(matches!(e, HostError::Spawn { .. }), "{e:?}");

    // Not a plugin at all.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "echo hello there"]);
    let e = ProcessResolver::spawn(cmd, json!({}), TIMEOUT).unwrap_err();
    assert!(matches!(e, HostError::BadJson { .. }), "{e:?}");

    // A plugin for another ABI major.
    let hello = r#"{"hello":{"protocol":"emailprof-resolver","abi":"2.0","plugin":{"name":"future","version":"9","abi":"2.0"}}}"#;
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &format!("echo '{hello}'; sleep 30")]);
    let started = Instant::now();
    let e = ProcessResolver::spawn(cmd, json!({}), TIMEOUT).unwrap_err();
    assert!(
        matches!(
            e,
            HostError::WrongAbi {
                found: 0x0002_0000,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the child is killed, not awaited"
    );

    // Silence until the timeout.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "sleep 30"]);
    let e = ProcessResolver::spawn(cmd, json!({}), Duration::from_millis(300)).unwrap_err();
    assert!(matches!(e, HostError::Timeout { .. }), "{e:?}");

    // The plugin refuses its configuration; the secret is not echoed.
    let cmd = Command::new(artifacts().bin("emailprof-resolver-directory"));
    let e = ProcessResolver::spawn(
        cmd,
        json!({"path": "/nonexistent.csv", "secret": "hunter2"}),
        TIMEOUT,
    )
    .unwrap_err();
    assert!(matches!(e, HostError::Resolver { .. }), "{e:?}");
    assert!(!format!("{e} {e:?}").contains("hunter2"));
}
