//! In-process plugins through the C ABI.

use std::path::Path;

use emailprof_attributes::{AttributeResolver, ResolveError};
use emailprof_directory::DirectoryFileResolver;
use resolver_host::{HostError, LoadOptions, load_library, plugin_info};
use serde_json::json;

use crate::support::{artifacts, directory_config, example_csv, example_directory};

fn opts() -> LoadOptions {
    LoadOptions::default()
}

#[test]
fn directory_plugin_matches_the_builtin_resolver() {
    let path = artifacts().lib("emailprof-resolver-directory");
    let plugin = load_library(path, &directory_config(), &opts()).unwrap();
    let builtin = DirectoryFileResolver::new(example_directory(), "examples/directory.csv");
    assert_eq!(plugin.info().name, "directory-file");
    assert_eq!(plugin.info().abi, "1.1");
    assert!(
        plugin.describe().starts_with("plugin library "),
        "{}",
        plugin.describe()
    );

    let mut ids: Vec<String> = builtin
        .directory()
        .users()
        .map(|u| u.user_id.clone())
        .collect();
    assert_eq!(ids.len(), 6);
    for id in &ids {
        assert_eq!(plugin.resolve(id), builtin.resolve(id), "{id}");
    }
    ids.push("nobody".to_owned());
    ids.push("USER1".to_owned());
    let batch = plugin.resolve_batch(&ids);
    assert_eq!(batch, builtin.resolve_batch(&ids));
    assert_eq!(batch[6], Err(ResolveError::NotFound("nobody".to_owned())));
    assert_eq!(batch[7].as_ref().unwrap().user_id, "user1");
}

#[test]
fn plugin_info_without_configuring() {
    let info = plugin_info(artifacts().lib("emailprof-resolver-directory"), &opts()).unwrap();
    assert_eq!(info.name, "directory-file");
    // The plugin's package version, which is the workspace's, as is this crate's.
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn a_panicking_resolve_fails_only_that_user_and_the_host_survives() {
    let plugin = load_library(
        artifacts().lib("resolver-fixture-panic"),
        &json!({}),
        &opts(),
    )
    .unwrap();
    let ids: Vec<String> = ["alice", "panic", "bob"].map(String::from).to_vec();
    let results = plugin.resolve_batch(&ids);
    assert_eq!(results[0].as_ref().unwrap().user_id, "alice");
    assert_eq!(results[2].as_ref().unwrap().user_id, "bob");
    let Err(ResolveError::Failed(message)) = &results[1] else {
        panic!("{:?}", results[1]);
    };
    assert!(
        message.contains("panicked") && message.contains("asked to panic for `panic`"),
        "{message}"
    );
    // Still usable afterwards.
    assert_eq!(plugin.resolve("carol").unwrap().user_id, "carol");
}

#[test]
fn a_panicking_init_is_a_clear_error() {
    let e = load_library(
        artifacts().lib("resolver-fixture-panic"),
        &json!({"panicIn": "init"}),
        &opts(),
    )
    .unwrap_err();
    assert!(matches!(e, HostError::Panic { .. }), "{e:?}");
    assert!(e.to_string().contains("asked to panic in init"), "{e}");
}

#[test]
fn a_wrong_abi_major_is_refused_before_other_symbols() {
    // The fixture exports only the version symbol: any other lookup would fail differently.
    let e = load_library(
        artifacts().lib("resolver-fixture-wrong-abi"),
        &json!({}),
        &opts(),
    )
    .unwrap_err();
    let HostError::WrongAbi {
        found, expected, ..
    } = &e
    else {
        panic!("{e:?}");
    };
    assert_eq!(
        (*found, *expected),
        (0x0002_0000, resolver_abi::ABI_VERSION)
    );
    let text = e.to_string();
    assert!(
        text.contains("ABI 2.0") && text.contains("ABI 1.1"),
        "{text}"
    );
}

#[test]
fn init_errors_never_show_secrets() {
    let path = artifacts().lib("emailprof-resolver-directory");
    let config = json!({"path": example_csv(), "bindPassword": "hunter2-secret"});
    let e = load_library(path, &config, &opts()).unwrap_err();
    assert!(matches!(e, HostError::Resolver { .. }), "{e:?}");
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("unknown field `bindPassword`"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    let e = load_library(path, &json!({"path": "/nonexistent/users.csv"}), &opts()).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/users.csv"), "{e}");
}

#[test]
fn only_explicit_paths_to_real_libraries() {
    let e = load_library(
        Path::new("libemailprof_resolver_directory.so"),
        &json!({}),
        &opts(),
    )
    .unwrap_err();
    assert!(matches!(e, HostError::BareName(_)), "{e:?}");
    assert!(e.to_string().contains("not a bare library name"), "{e}");
    let e = load_library(Path::new("/nonexistent/plugin.so"), &json!({}), &opts()).unwrap_err();
    assert!(matches!(e, HostError::Io { .. }), "{e:?}");

    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.so");
    std::fs::write(&fake, b"not a shared library").unwrap();
    let e = load_library(&fake, &json!({}), &opts()).unwrap_err();
    assert!(matches!(e, HostError::Load { .. }), "{e:?}");
}

#[cfg(unix)]
#[test]
fn writable_plugins_are_refused_unless_allowed() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let copy = dir.path().join("libcopy.so");
    std::fs::copy(artifacts().lib("resolver-fixture-panic"), &copy).unwrap();

    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o666)).unwrap();
    let e = load_library(&copy, &json!({}), &opts()).unwrap_err();
    assert!(
        matches!(e, HostError::InsecurePermissions { what: "file", .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("writable by group and others"),
        "{e}"
    );

    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let e = load_library(&copy, &json!({}), &opts()).unwrap_err();
    assert!(
        matches!(
            e,
            HostError::InsecurePermissions {
                what: "directory",
                ..
            }
        ),
        "{e:?}"
    );

    let allowed = LoadOptions {
        allow_insecure: true,
    };
    let plugin = load_library(&copy, &json!({}), &allowed).unwrap();
    assert_eq!(plugin.resolve("x").unwrap().user_id, "x");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(load_library(&copy, &json!({}), &opts()).is_ok());
}

/// Issue 14: a plugin owned by another user, or below a world-writable ancestor (not only its
/// parent), is refused; sticky directories such as /tmp are not a way in.
#[cfg(unix)]
#[test]
fn plugins_owned_by_others_or_below_writable_ancestors_are_refused() {
    use std::os::unix::fs::PermissionsExt;

    let mode =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    let top = tempfile::tempdir().unwrap();
    mode(top.path(), 0o755);
    let open = top.path().join("open");
    let inner = open.join("inner");
    std::fs::create_dir_all(&inner).unwrap();
    let copy = inner.join("libcopy.so");
    std::fs::copy(artifacts().lib("resolver-fixture-panic"), &copy).unwrap();
    mode(&copy, 0o755);
    mode(&inner, 0o755);
    mode(&open, 0o777);
    let e = load_library(&copy, &json!({}), &opts()).unwrap_err();
    assert!(
        matches!(&e, HostError::InsecurePermissions { what: "directory", offending, .. } if offending.ends_with("open")),
        "a world-writable grandparent: {e:?}"
    );
    mode(&open, 0o755);
    assert!(load_library(&copy, &json!({}), &opts()).is_ok());

    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIPPED: the ownership check needs root to give the file away");
        return;
    }
    let nobody = 65534;
    std::os::unix::fs::chown(&copy, Some(nobody), Some(nobody)).unwrap();
    let e = load_library(&copy, &json!({}), &opts()).unwrap_err();
    assert!(
        matches!(
            &e,
            HostError::UntrustedOwner {
                what: "file",
                uid: 65534,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("owned by uid 65534"), "{e}");
    std::os::unix::fs::chown(&copy, Some(0), Some(0)).unwrap();
    std::os::unix::fs::chown(&inner, Some(nobody), Some(nobody)).unwrap();
    let e = load_library(&copy, &json!({}), &opts()).unwrap_err();
    assert!(
        matches!(
            &e,
            HostError::UntrustedOwner {
                what: "directory",
                ..
            }
        ),
        "{e:?}"
    );
    // Explicitly allowed, it loads.
    let allowed = LoadOptions {
        allow_insecure: true,
    };
    assert!(load_library(&copy, &json!({}), &allowed).is_ok());
}

/// A plugin in C, built from `include/emailprof_resolver.h` with the system C compiler.
#[test]
fn a_c_plugin_works_through_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir
        .path()
        .join(format!("libcfixture{}", std::env::consts::DLL_SUFFIX));
    let include = format!("{}/include", crate::support::WORKSPACE);
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/c_plugin.c");
    let built = std::process::Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args([
            "-std=c99", "-Wall", "-Werror", "-shared", "-fPIC", "-I", &include, "-o",
        ])
        .arg(&lib)
        .arg(source)
        .output();
    match built {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "the C plugin does not compile:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            eprintln!("\n*** SKIPPING C PLUGIN TEST: no C compiler ({e}) ***\n");
            return;
        }
    }
    let plugin = load_library(&lib, &json!({}), &opts()).unwrap();
    assert_eq!(plugin.info().name, "c-fixture");
    let ids: Vec<String> = ["alice", "missing", "bob"].map(String::from).to_vec();
    let r = plugin.resolve_batch(&ids);
    assert_eq!(
        r[0].as_ref().unwrap().user_principal_name.as_deref(),
        Some("alice@contoso.com")
    );
    assert_eq!(r[1], Err(ResolveError::NotFound("missing".into())));
    assert_eq!(r[2].as_ref().unwrap().user_id, "bob");
    let e = load_library(&lib, &json!({"fail": true}), &opts()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "plugin `c-fixture ({})`: c-fixture: told to fail",
            std::fs::canonicalize(&lib).unwrap().display()
        )
    );
}

/// ABI 1.1: a plugin whose resolver has no listing (the directory reference plugin) loads and
/// resolves, and a listing is refused as `CannotList`, in process and out of process.
#[test]
fn a_plugin_without_listing_cannot_list() {
    let path = artifacts().lib("emailprof-resolver-directory");
    let plugin = load_library(path, &directory_config(), &opts()).unwrap();
    assert!(plugin.resolve("avance").is_ok());
    let Err(e) = plugin.list_users() else {
        panic!("the directory plugin listed users")
    };
    assert!(
        matches!(e, resolver_host::HostError::CannotList { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("cannot list its users"), "{e}");
}
