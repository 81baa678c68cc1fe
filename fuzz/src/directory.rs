//! Directory exports (CSV, JSON, LDIF).
//!
//! Oracles: errors name a line inside the file; every parsed user has a non-blank id and can be
//! looked up by it; and the streaming CSV reader `batch` uses yields exactly the users that
//! `Directory::parse` (the `emit` path) reads, so the two commands never disagree on a file;
//! the same for the Microsoft Entra ID stream on the exports it is for, whose ids-only first
//! pass gives the same ids as far as a full read goes.

use emailprof_directory::{
    CsvStream, Directory, DirectoryError, DirectoryFormat, EntraStream, is_entra_export,
};

pub fn check(data: &[u8]) {
    let lines = data.iter().filter(|b| **b == b'\n').count() + 1;
    if is_entra_export(data) {
        let streamed: Result<Vec<_>, _> =
            match EntraStream::new(std::io::Cursor::new(data.to_vec())) {
                Ok(s) => s.map(|r| r.map(|(u, _)| u)).collect(),
                Err(e) => panic!("no reader thread: {e}"),
            };
        match (Directory::parse(data, DirectoryFormat::Json), streamed) {
            (Ok(d), Ok(streamed)) => assert_eq!(
                streamed,
                d.users().cloned().collect::<Vec<_>>(),
                "batch and emit read different users from one Entra ID export"
            ),
            (Ok(_), Err(e)) => panic!("emit accepts an Entra ID export that batch rejects: {e}"),
            (Err(DirectoryError::Syntax { .. }), Ok(_)) => {
                panic!("batch accepts an Entra ID export that emit rejects")
            }
            (Err(_), _) => {}
        }
        // The ids-only first pass of `batch` over a large export: the ids a full stream
        // yields before it stops are a prefix of the ids it yields (the same ids, and it stops
        // at no user the full stream accepts), so the duplicate-id filter misses no id.
        let ids = |s: std::io::Result<EntraStream>| -> Vec<String> {
            match s {
                Ok(s) => s.map_while(Result::ok).map(|(u, _)| u.user_id).collect(),
                Err(e) => panic!("no reader thread: {e}"),
            }
        };
        let full = ids(EntraStream::new(std::io::Cursor::new(data.to_vec())));
        let quick = ids(EntraStream::ids(std::io::Cursor::new(data.to_vec())));
        assert!(
            quick.starts_with(&full),
            "the ids-only pass disagrees with a full read: {full:?} vs {quick:?}"
        );
    }
    for format in [
        DirectoryFormat::Csv,
        DirectoryFormat::Json,
        DirectoryFormat::Ldif,
    ] {
        match Directory::parse(data, format) {
            Ok(d) => {
                for u in d.users() {
                    assert!(!u.user_id.trim().is_empty(), "a user with a blank id");
                    assert!(
                        d.get(&u.user_id).is_some(),
                        "user `{}` not found by id",
                        u.user_id
                    );
                }
                if format == DirectoryFormat::Csv {
                    let streamed: Result<Vec<_>, _> = match CsvStream::new(data) {
                        Ok(s) => s.map(|r| r.map(|(u, _)| u)).collect(),
                        Err(e) => Err(e),
                    };
                    let parsed: Vec<_> = d.users().cloned().collect();
                    match streamed {
                        Ok(streamed) => assert_eq!(
                            streamed, parsed,
                            "batch and emit read different users from one CSV file"
                        ),
                        Err(e) => panic!("emit accepts a CSV file that batch rejects: {e}"),
                    }
                }
            }
            Err(DirectoryError::Syntax { line, .. }) => {
                assert!(
                    (1..=lines).contains(&line),
                    "{format} error at line {line} of {lines}"
                );
            }
            Err(DirectoryError::DuplicateUser {
                first_line,
                second_line,
                ..
            }) => assert!(first_line <= second_line && second_line <= lines),
        }
    }
}
