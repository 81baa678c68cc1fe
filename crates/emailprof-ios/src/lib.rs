//! emailprof-ios: the iOS/iPadOS emitter and the `.mobileconfig` importer.
//!
//! [`IosEmitter`] turns a resolved email profile into a `Configuration` profile (XML plist)
//! with one `com.apple.eas.account` payload and the certificate payloads it refers to
//! (`com.apple.security.pkcs12`, `.scep`, `.root`), linked by `PayloadUUID`. The key names,
//! types, ranges and OS versions come from Apple's device-management schema (ADM 18.1, vendored
//! in `shared/reference/apple/`); the integration tests check every emitted key against it.
//!
//! For many users, [`IosEmitter`]'s `prepare` builds and writes the document once, with slots
//! for the user's name, email address, SCEP subject values and `PayloadUUID`s; each
//! `emit_user` then copies the written bytes and fills the slots (XML-escaped), giving exactly
//! the bytes `emit` gives. The XML is written directly, byte for byte as `plist` writes it.
//!
//! [`import_mobileconfig`] reads such a profile back (XML or binary, signed or not) into an
//! emailprof profile document, reporting every key it cannot carry over.
//!
//! **Invariant:** emitting is pure and deterministic. `PayloadUUID`s are UUID v5 of the payload
//! identifier, type and user, so re-emitting replaces the installed profile instead of adding a
//! second one; a profile imported from a `.mobileconfig` keeps that file's identifiers and
//! UUIDs (`platforms.ios.payloads`), which are written as they are.

mod emit;
mod import;
mod keys;
mod prepared;
mod subject;
mod xml;

use uuid::Uuid;

pub use emit::{DEFAULT_MIN_OS, IosEmitter, MEDIA_TYPE};
pub use import::{
    ImportError, ImportFinding, ImportOptions, Imported, import_mobileconfig,
    import_mobileconfig_with, profile_document, read_property_list,
};

/// The namespace of emailprof's payload UUIDs: UUID v5 of the DNS name `emailprof`.
pub fn uuid_namespace() -> Uuid {
    static NAMESPACE: std::sync::LazyLock<Uuid> =
        std::sync::LazyLock::new(|| Uuid::new_v5(&Uuid::NAMESPACE_DNS, b"emailprof"));
    *NAMESPACE
}

/// The `PayloadUUID` of a payload: UUID v5 of `<PayloadIdentifier>|<PayloadType>|<user_id>` in
/// [`uuid_namespace`], upper-case and hyphenated as Apple writes them.
pub fn payload_uuid(payload_identifier: &str, payload_type: &str, user_id: &str) -> String {
    let mut name = uuid_name_prefix(payload_identifier, payload_type);
    sha1::Digest::update(&mut name, user_id.as_bytes());
    let text = uuid_v5_upper(name);
    std::str::from_utf8(&text)
        .expect("a hyphenated UUID is ASCII")
        .to_owned()
}

/// SHA-1 over the namespace and `<PayloadIdentifier>|<PayloadType>|`: what every user's
/// `PayloadUUID` of that payload starts from (RFC 9562 §5.5 hashes namespace, then name).
pub(crate) fn uuid_name_prefix(payload_identifier: &str, payload_type: &str) -> sha1::Sha1 {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(uuid_namespace().as_bytes());
    h.update(payload_identifier.as_bytes());
    h.update(b"|");
    h.update(payload_type.as_bytes());
    h.update(b"|");
    h
}

/// The UUID v5 of a finished name hash, upper-case and hyphenated (36 ASCII bytes).
pub(crate) fn uuid_v5_upper(name: sha1::Sha1) -> [u8; 36] {
    let digest = sha1::Digest::finalize(name);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let uuid = uuid::Builder::from_sha1_bytes(bytes).into_uuid();
    let mut out = [0u8; 36];
    uuid.hyphenated().encode_upper(&mut out);
    out
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
        // The hashing emailprof does itself is the uuid crate's v5, for any text.
        for (a, b, c) in [("", "", ""), ("x|y", "é", "😀 user"), ("a", "b", "c")] {
            let want = Uuid::new_v5(&uuid_namespace(), format!("{a}|{b}|{c}").as_bytes());
            assert_eq!(payload_uuid(a, b, c), format!("{:X}", want.hyphenated()));
        }
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
