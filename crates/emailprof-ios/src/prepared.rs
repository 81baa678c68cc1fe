//! The prepared emitter: one profile's document written once, with slots for what differs per
//! user (user name, email address, SCEP subject values with placeholders, `PayloadUUID`s), and
//! the checks of those values in the order [`Emitter::emit`](emailprof_core::Emitter::emit)
//! meets them, so that a user's emission, error or not, is exactly what `emit` gives.

use emailprof_core::{Artifact, Diagnostic, Emission, EmitError, PreparedEmitter, UserIdentity};
use sha1::{Digest, Sha1};

use crate::keys::MEDIA_TYPE;
use crate::subject::fill_subject;
use crate::xml::{Slot, Template, escape_into};
use crate::xml::{not_xml_safe, xml_safe};

/// What a template needs per user, gathered while it is built.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    /// (`PayloadIdentifier`, `PayloadType`) of each per-user `PayloadUUID`, once each.
    pub(crate) uuids: Vec<(String, &'static str)>,
    /// SCEP subject values with placeholders (unescaped, not yet filled).
    pub(crate) subjects: Vec<String>,
    /// The checks of per-user values, in the order `emit` makes them.
    pub(crate) checks: Vec<Check>,
}

impl Slots {
    /// The slot of the `PayloadUUID` of (`identifier`, `payload_type`).
    pub(crate) fn uuid(&mut self, identifier: &str, payload_type: &'static str) -> usize {
        match self
            .uuids
            .iter()
            .position(|(i, t)| i == identifier && *t == payload_type)
        {
            Some(n) => n,
            None => {
                self.uuids.push((identifier.to_owned(), payload_type));
                self.uuids.len() - 1
            }
        }
    }
}

/// A check `emit` makes of a per-user value.
#[derive(Debug)]
pub(crate) enum Check {
    /// The user name or email address can be written in XML (else an error at `pointer`).
    Text { slot: Slot, pointer: &'static str },
    /// Subject value `n`, filled, is not empty.
    SubjectNonEmpty { n: usize, name: String, at: String },
    /// Subject value `n`, filled, can be written in XML.
    SubjectText { n: usize, at: String },
}

/// A profile prepared for many users.
pub(crate) struct Prepared {
    /// The written document, or the error `emit` meets after the per-user checks.
    outcome: Result<Template, EmitError>,
    /// SHA-1 of namespace and `<PayloadIdentifier>|<PayloadType>|`, per UUID slot: the user id
    /// completes the UUID v5 name.
    uuids: Vec<Sha1>,
    subjects: Vec<String>,
    checks: Vec<Check>,
    file_name: String,
    diagnostics: Vec<Diagnostic>,
}

impl Prepared {
    pub(crate) fn new(
        outcome: Result<Template, EmitError>,
        slots: Slots,
        file_name: String,
        diagnostics: Vec<Diagnostic>,
    ) -> Self {
        let uuids = slots
            .uuids
            .iter()
            .map(|(identifier, payload_type)| crate::uuid_name_prefix(identifier, payload_type))
            .collect();
        Self {
            outcome,
            uuids,
            subjects: slots.subjects,
            checks: slots.checks,
            file_name,
            diagnostics,
        }
    }

    /// `PayloadUUID` slot `n` for `user`: UUID v5, upper-case and hyphenated, as
    /// [`crate::payload_uuid`] writes it.
    fn uuid(&self, n: usize, user: &UserIdentity) -> [u8; 36] {
        let mut h = self.uuids[n].clone();
        h.update(user.user_id.as_bytes());
        crate::uuid_v5_upper(h)
    }
}

fn run(check: &Check, user: &UserIdentity, subjects: &[String]) -> Result<(), EmitError> {
    match check {
        Check::Text { slot, pointer } => {
            let value = match slot {
                Slot::EmailAddress => &user.email_address,
                _ => &user.username,
            };
            if xml_safe(value) {
                Ok(())
            } else {
                Err(not_xml_safe(pointer))
            }
        }
        Check::SubjectNonEmpty { n, name, at } => {
            if subjects[*n].is_empty() {
                Err(EmitError::Unsupported {
                    setting: at.clone(),
                    message: format!("`{name}` has an empty value"),
                })
            } else {
                Ok(())
            }
        }
        Check::SubjectText { n, at } => {
            if xml_safe(&subjects[*n]) {
                Ok(())
            } else {
                Err(not_xml_safe(at))
            }
        }
    }
}

impl PreparedEmitter for Prepared {
    fn emit_user(&self, user: &UserIdentity) -> Result<Emission, EmitError> {
        let subjects: Vec<String> = self
            .subjects
            .iter()
            .map(|s| fill_subject(s, user))
            .collect();
        for check in &self.checks {
            run(check, user, &subjects)?;
        }
        let template = self.outcome.as_ref().map_err(Clone::clone)?;
        let uuids: Vec<[u8; 36]> = (0..self.uuids.len()).map(|n| self.uuid(n, user)).collect();

        let mut bytes = Vec::with_capacity(
            template.literal.len()
                + 36 * template.slots.len()
                + 2 * (user.username.len() + user.email_address.len()),
        );
        let mut at = 0;
        for &(pos, slot) in &template.slots {
            bytes.extend_from_slice(&template.literal[at..pos]);
            at = pos;
            match slot {
                Slot::Uuid(n) => bytes.extend_from_slice(&uuids[n]),
                Slot::Username => escape_into(&mut bytes, &user.username),
                Slot::EmailAddress => escape_into(&mut bytes, &user.email_address),
                Slot::Subject(n) => escape_into(&mut bytes, &subjects[n]),
            }
        }
        bytes.extend_from_slice(&template.literal[at..]);
        Ok(Emission {
            artifacts: vec![Artifact {
                file_name: self.file_name.clone(),
                media_type: MEDIA_TYPE.to_owned(),
                signable: true,
                bytes,
            }],
            diagnostics: self.diagnostics.clone(),
        })
    }
}
