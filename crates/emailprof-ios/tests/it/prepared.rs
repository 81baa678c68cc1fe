//! `prepare(..).emit_user(user)` gives exactly what `emit` gives for that user: the same bytes,
//! the same diagnostics, or the same error, over generated profiles, options and users (with
//! markup, quotes, `]]>`, non-ASCII, control characters and placeholders in their values), and
//! over the example profiles. Also: the direct XML writer agrees with `plist`'s own.

use emailprof_core::{
    EmailProfile, Emission, EmitError, EmitOptions, Emitter, ResolvedProfile, Secret, UserIdentity,
};
use emailprof_ios::IosEmitter;
use proptest::prelude::*;

use crate::common::{profile, resolve};
use crate::roundtrip;

/// What an emission is made of, comparable.
type Outcome = Result<(Vec<(String, String, Vec<u8>)>, Vec<String>), EmitError>;

fn outcome(r: Result<Emission, EmitError>) -> Outcome {
    r.map(|e| {
        (
            e.artifacts
                .into_iter()
                .map(|a| (a.file_name, a.media_type, a.bytes))
                .collect(),
            e.diagnostics.iter().map(|d| format!("{d:?}")).collect(),
        )
    })
}

/// Every user through one prepared emitter, each compared with `emit` for that user.
fn same_for_all(base: &ResolvedProfile, options: &EmitOptions, users: &[UserIdentity]) {
    let prepared = IosEmitter.prepare(base, options);
    for user in users {
        let mut p = base.clone();
        p.user = user.clone();
        let direct = outcome(IosEmitter.emit(&p, options));
        match &prepared {
            Ok(prepared) => {
                let fast = outcome(prepared.emit_user(user));
                if let (Ok((a, _)), Ok((b, _))) = (&direct, &fast) {
                    // Say where, not just that, the bytes differ.
                    assert_eq!(
                        String::from_utf8_lossy(&a[0].2),
                        String::from_utf8_lossy(&b[0].2),
                        "{user:?}"
                    );
                }
                assert_eq!(direct, fast, "{user:?}");
            }
            // A preparation fails only when emit fails the same way for every user.
            Err(e) => assert_eq!(direct, Err(e.clone()), "{user:?}"),
        }
    }
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9.]{1,12}",
        // Markup, entities, CDATA ends, quotes, CR, non-ASCII.
        4 => "[a-zA-Z0-9<>&;'\"\\]\r\n\t éü€😀]{0,12}",
        1 => Just("]]>".to_owned()),
        1 => Just("a{{emailAddress}}b".to_owned()),
        1 => Just("{{username}}".to_owned()),
        // Empty, and characters a property list cannot hold.
        1 => Just(String::new()),
        1 => "[a-z]{0,3}[\u{1}\u{8}\u{1f}\u{fffe}][a-z]{0,3}",
    ]
}

fn user() -> impl Strategy<Value = UserIdentity> {
    ("[a-z0-9]{1,8}", value(), value()).prop_map(|(id, username, email)| UserIdentity {
        user_id: id,
        username,
        email_address: email,
        account: None,
        domain: None,
        user_principal_name: None,
    })
}

fn options() -> impl Strategy<Value = EmitOptions> {
    (
        prop::sample::select(vec![
            None,
            Some("3.1"),
            Some("4.0"),
            Some("5.0"),
            Some("8.0"),
            Some("10.3"),
            Some("11.0"),
            Some("12.0"),
            Some("13.0"),
            Some("14.0"),
            Some("18.1"),
        ]),
        any::<bool>(),
    )
        .prop_map(|(min, include_password)| EmitOptions {
            min_os_version: min.map(|v| v.parse().unwrap()),
            include_password,
            ..EmitOptions::default()
        })
}

/// Ways to make a profile fail: per user (after the per-user checks) or for everyone.
fn breakage(p: &mut EmailProfile, how: u8) {
    let scep = p
        .certificates
        .values_mut()
        .find_map(|c| c.scep.as_mut().filter(|s| s.subject.is_some()));
    match (how, scep) {
        // A subject that parses up to a bad attribute type after the user's values.
        (1, Some(s)) => s.subject = s.subject.take().map(|t| format!("{t},FOO=x")),
        // An empty value that needs no user to be empty.
        (2, Some(s)) => s.subject = s.subject.take().map(|t| format!("{t},O=")),
        (3, Some(s)) => s.subject = Some("CN={{username}}+OU=a\u{1}".to_owned()),
        (4, _) => p.display_name.push('\u{2}'),
        (5, _) => p.account.account_name.push('\u{3}'),
        (6, _) => p.identifier.push_str("<&>\"'"),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn prepared_emission_is_emit_byte_for_byte(
        mut p in roundtrip::profile(),
        data in proptest::collection::vec(any::<u8>(), 1..120),
        options in options(),
        users in proptest::collection::vec(user(), 1..4),
        how in 0u8..10,
        password in any::<bool>(),
    ) {
        breakage(&mut p, how);
        let mut base = roundtrip::resolved(&p, &data);
        if password {
            base.password = Some(Secret::new("pa<ss>&\"word"));
        }
        same_for_all(&base, &options, &users);
    }
}

fn example(name: &str) -> EmailProfile {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/");
    let bytes = std::fs::read(format!("{path}{name}")).expect("example exists");
    let report = emailprof_core::load(
        &bytes,
        emailprof_core::Format::Yaml,
        emailprof_core::ValidationOptions::default(),
    )
    .expect("example parses");
    report.profile.expect("valid example")
}

fn tricky_users() -> Vec<UserIdentity> {
    let user = |id: &str, name: &str, email: &str| UserIdentity {
        user_id: id.into(),
        username: name.into(),
        email_address: email.into(),
        account: None,
        domain: None,
        user_principal_name: None,
    };
    vec![
        user("user1", "CONTOSO\\user1", "user.one@contoso.com"),
        user("u2", "O'Brien & <Sons> \"Ltd\"", "ob]]>@contoso.com"),
        user("u3", "Jürgen Müller 😀", "jürgen@例え.jp"),
        user("u4", "{{emailAddress}}", "a{{username}}b@contoso.com"),
        user("u5", "", "e@contoso.com"),
        user("u6", "bell\u{7}", "e@contoso.com"),
        user("u7", "ok", "cr\rlf\n@contoso.com"),
    ]
}

#[test]
fn examples_and_fixtures_prepare_to_the_same_bytes() {
    let profiles = [
        profile("full.yaml"),
        profile("minimal.yaml"),
        example("contoso.yaml"),
        example("minimal.yaml"),
        example("basic-auth.yaml"),
    ];
    for p in profiles {
        let base = resolve(p);
        for min in [None, Some("5.0"), Some("11.0"), Some("14.0"), Some("18.1")] {
            for include_password in [false, true] {
                let options = EmitOptions {
                    min_os_version: min.map(|v| v.parse().unwrap()),
                    include_password,
                    ..EmitOptions::default()
                };
                same_for_all(&base, &options, &tricky_users());
            }
        }
    }
}

#[test]
fn a_failing_preparation_is_the_error_of_every_user() {
    // The account name is checked before anything of the user's.
    let mut p = profile("minimal.yaml");
    p.account.account_name.push('\u{1}');
    let base = resolve(p.clone());
    let e = IosEmitter
        .prepare(&base, &EmitOptions::default())
        .err()
        .expect("no user can fix the account name");
    assert!(e.to_string().starts_with("/account/accountName:"), "{e}");
    same_for_all(&base, &EmitOptions::default(), &tricky_users());
    // The display name is checked after the user's name: a user with an unwritable name gets
    // that error instead, so the preparation cannot fail up front.
    p.account.account_name.pop();
    p.display_name.push('\u{1}');
    let base = resolve(p);
    let prepared = IosEmitter
        .prepare(&base, &EmitOptions::default())
        .expect("depends on the user");
    let users = tricky_users();
    let err = |u: &UserIdentity| prepared.emit_user(u).err().unwrap().to_string();
    assert!(
        err(&users[0]).starts_with("/displayName:"),
        "{}",
        err(&users[0])
    );
    assert!(
        err(&users[5]).starts_with("/account/username/source:"),
        "{}",
        err(&users[5])
    );
    same_for_all(&base, &EmitOptions::default(), &users);
}

#[test]
fn per_user_errors_come_before_a_later_profile_error() {
    // emit checks the user's subject values before the attribute type after them: a user whose
    // value is empty gets that error, the others the type error.
    let mut p = profile("full.yaml");
    let scep = p.certificates.get_mut("smime-signing").unwrap();
    scep.scep.as_mut().unwrap().subject = Some("CN={{username}},FOO=bar".into());
    let base = resolve(p);
    let prepared = IosEmitter
        .prepare(&base, &EmitOptions::default())
        .expect("some user could get another error");
    let users = tricky_users();
    let err = |u: &UserIdentity| prepared.emit_user(u).err().unwrap().to_string();
    assert!(
        err(&users[0]).contains("`FOO` is not an attribute type"),
        "{}",
        err(&users[0])
    );
    assert!(
        err(&users[4]).contains("`CN` has an empty value"),
        "{}",
        err(&users[4])
    );
    same_for_all(&base, &EmitOptions::default(), &users);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Emitted documents re-serialize through `plist` to the same bytes: what `plist` parses
    /// from them, it writes exactly as emailprof wrote it.
    #[test]
    fn emitted_documents_are_what_plist_writes(
        p in roundtrip::profile(),
        data in proptest::collection::vec(any::<u8>(), 1..200),
        user in user(),
    ) {
        let mut base = roundtrip::resolved(&p, &data);
        base.user = user;
        if let Ok(e) = IosEmitter.emit(&base, &EmitOptions::default()) {
            let bytes = &e.artifacts[0].bytes;
            let value = plist::Value::from_reader_xml(&bytes[..]).expect("parses");
            let mut again = Vec::new();
            plist::to_writer_xml(&mut again, &value).unwrap();
            again.push(b'\n');
            prop_assert_eq!(String::from_utf8_lossy(&again), String::from_utf8_lossy(bytes));
        }
    }
}
