//! emailprof-ios: the iOS/iPadOS emitter and the `.mobileconfig` importer.
//!
//! [`IosEmitter`] turns a resolved email profile into a `Configuration` profile (XML plist)
//! with one `com.apple.eas.account` payload and the certificate payloads it refers to
//! (`com.apple.security.pkcs12`, `.scep`, `.root`), linked by `PayloadUUID`. The key names,
//! types, ranges and OS versions come from Apple's device-management schema (ADM 18.1, vendored
//! in `shared/reference/apple/`); the integration tests check every emitted key against it.
//!
//! [`import_mobileconfig`] reads such a profile back (XML or binary, signed or not) into an
//! emailprof profile document, reporting every key it cannot carry over.
//!
//! **Invariant:** emitting is pure and deterministic. `PayloadUUID`s are UUID v5 of the payload
//! identifier, type and user, so re-emitting replaces the installed profile instead of adding a
//! second one.

mod document;
mod emit;
mod import;
mod keys;
mod prepared;
mod subject;
mod xml;

use uuid::Uuid;

pub use document::document as profile_document;
pub use emit::{DEFAULT_MIN_OS, IosEmitter, MEDIA_TYPE};
pub use import::{ImportError, ImportFinding, Imported, import_mobileconfig};

/// The namespace of emailprof's payload UUIDs: UUID v5 of the DNS name `emailprof`.
pub fn uuid_namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_DNS, b"emailprof")
}

/// The `PayloadUUID` of a payload: UUID v5 of `<PayloadIdentifier>|<PayloadType>|<user_id>` in
/// [`uuid_namespace`], upper-case and hyphenated as Apple writes them.
pub fn payload_uuid(payload_identifier: &str, payload_type: &str, user_id: &str) -> String {
    let name = format!("{payload_identifier}|{payload_type}|{user_id}");
    format!(
        "{:X}",
        Uuid::new_v5(&uuid_namespace(), name.as_bytes()).hyphenated()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_uuids_are_v5_uppercase_and_depend_on_every_part() {
        let u = payload_uuid("com.contoso.email", "Configuration", "user1");
        assert_eq!(u.len(), 36);
        assert_eq!(u, u.to_ascii_uppercase());
        let parsed = Uuid::parse_str(&u).unwrap();
        assert_eq!(parsed.get_version_num(), 5);
        // The namespace is itself the v5 of "emailprof" under the DNS namespace (RFC 9562).
        assert_eq!(
            parsed,
            Uuid::new_v5(
                &Uuid::new_v5(&Uuid::NAMESPACE_DNS, b"emailprof"),
                b"com.contoso.email|Configuration|user1"
            )
        );
        assert_ne!(
            u,
            payload_uuid("com.contoso.email", "Configuration", "user2")
        );
        assert_ne!(
            u,
            payload_uuid("com.contoso.email.eas", "Configuration", "user1")
        );
        assert_ne!(
            u,
            payload_uuid("com.contoso.email", "com.apple.eas.account", "user1")
        );
    }
}
