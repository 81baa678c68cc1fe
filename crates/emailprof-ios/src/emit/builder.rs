//! The builder of one profile's payloads, and what every payload writer shares.

use std::borrow::Cow;

use emailprof_core::model::PayloadIdentity;
use emailprof_core::{
    Diagnostic, EmitError, EmitOptions, OsVersion, ResolvedProfile, Setting, Severity, UserIdentity,
};

use crate::keys::Key;
use crate::payload_uuid;
use crate::prepared::{Check, Slots};
use crate::xml::{Dict, Node, Slot, not_xml_safe, xml_safe};

pub(super) const ID: &str = "ios";

/// The payloads of one profile, for one user or (`user: None`) as a template.
pub(super) struct Build<'a, 'b> {
    pub(super) p: &'a ResolvedProfile,
    pub(super) user: Option<&'a UserIdentity>,
    /// The template's per-user values and their checks (empty for a user's document).
    pub(super) slots: &'b mut Slots,
    pub(super) options: &'a EmitOptions,
    pub(super) min: OsVersion,
    pub(super) diagnostics: &'b mut Vec<Diagnostic>,
    /// Settings left out for the minimum OS: the keys they needed, reported once per setting.
    pub(super) left_out: Vec<(Setting, Vec<Key>)>,
}

pub(super) fn diag(severity: Severity, pointer: String, message: String) -> Diagnostic {
    Diagnostic {
        severity,
        setting: pointer,
        platform: ID.to_owned(),
        message,
    }
}

pub(super) fn text<'a>(s: &'a str, pointer: &str) -> Result<Node<'a>, EmitError> {
    if xml_safe(s) {
        Ok(Node::String(Cow::Borrowed(s)))
    } else {
        Err(not_xml_safe(pointer))
    }
}

pub(super) fn cert_pointer(name: &str) -> String {
    format!(
        "{}/{}",
        Setting::Certificates.pointer(),
        emailprof_core::input::escape_segment(name)
    )
}

/// The payload identifier of certificate `name`.
pub(crate) fn cert_identifier(profile_identifier: &str, name: &str) -> String {
    format!("{profile_identifier}.cert.{name}")
}

/// Whether [`fill_subject`] can change `value`.
pub(super) fn has_placeholder(value: &str) -> bool {
    value.contains("{{username}}") || value.contains("{{emailAddress}}")
}

/// A SCEP subject value: known, or the `n`th template slot.
pub(super) enum SubjectValue {
    Known(String),
    Slot(usize),
}

impl<'a> Build<'a, '_> {
    pub(super) fn warn(&mut self, setting: Setting, message: String) {
        self.diagnostics
            .push(Diagnostic::new(Severity::Warning, setting, ID, message));
    }

    pub(super) fn info(&mut self, setting: Setting, message: String) {
        self.diagnostics
            .push(Diagnostic::new(Severity::Info, setting, ID, message));
    }

    /// The `PayloadUUID` of a payload: the user's, or a template slot.
    pub(super) fn uuid(&mut self, identifier: &str, payload_type: &'static str) -> Node<'a> {
        match self.user {
            Some(user) => Node::String(Cow::Owned(payload_uuid(
                identifier,
                payload_type,
                &user.user_id,
            ))),
            None => Node::Slot(Slot::Uuid(self.slots.uuid(identifier, payload_type))),
        }
    }

    /// The user name or email address (checked), or a template slot with its check.
    pub(super) fn user_text(
        &mut self,
        slot: Slot,
        setting: Setting,
    ) -> Result<Node<'a>, EmitError> {
        let pointer = setting.pointer();
        match self.user {
            Some(user) => {
                let value = match slot {
                    Slot::EmailAddress => &user.email_address,
                    _ => &user.username,
                };
                text(value, pointer)
            }
            None => {
                self.slots.checks.push(Check::Text { slot, pointer });
                Ok(Node::Slot(slot))
            }
        }
    }

    /// The kept payload identity of the account (`None`) or of certificate `name`.
    pub(super) fn kept(&self, certificate: Option<&str>) -> Option<&'a PayloadIdentity> {
        let kept = self.p.profile.platforms.ios.payloads.as_ref()?;
        match certificate {
            None => kept.account.as_ref(),
            Some(name) => kept.certificates.get(name),
        }
    }

    /// The profile's own keys: `identifier`, and its kept `PayloadUUID` or a generated one.
    pub(super) fn common(&mut self, dict: &mut Dict<'a>, payload_type: &'static str) {
        let profile = &self.p.profile;
        let kept = profile
            .platforms
            .ios
            .payloads
            .as_ref()
            .and_then(|k| k.profile_uuid.as_deref());
        let identifier = profile.identifier.as_str();
        let uuid = match kept {
            Some(uuid) => Node::String(Cow::Borrowed(uuid)),
            None => self.uuid(identifier, payload_type),
        };
        self.put_common(dict, Cow::Borrowed(identifier), uuid, payload_type);
    }

    /// A payload's keys: its kept identifier and UUID, else `generated` and a UUID made from it.
    pub(super) fn common_payload(
        &mut self,
        dict: &mut Dict<'a>,
        kept: Option<&'a PayloadIdentity>,
        generated: String,
        payload_type: &'static str,
    ) {
        let (identifier, uuid) = match kept {
            Some(k) => (
                Cow::Borrowed(k.identifier.as_str()),
                Node::String(Cow::Borrowed(k.uuid.as_str())),
            ),
            None => {
                let uuid = self.uuid(&generated, payload_type);
                (Cow::Owned(generated), uuid)
            }
        };
        self.put_common(dict, identifier, uuid, payload_type);
    }

    fn put_common(
        &mut self,
        dict: &mut Dict<'a>,
        identifier: Cow<'a, str>,
        uuid: Node<'a>,
        payload_type: &'static str,
    ) {
        dict.insert("PayloadIdentifier", Node::String(identifier));
        dict.insert("PayloadType", Node::String(Cow::Borrowed(payload_type)));
        dict.insert("PayloadUUID", uuid);
        dict.insert("PayloadVersion", Node::Integer(1));
    }

    /// Write `key` when devices at the minimum version know it; otherwise leave it out, with a
    /// warning if the profile asks for something through it.
    pub(super) fn put(&mut self, dict: &mut Dict<'a>, key: Key, value: Node<'a>, setting: Setting) {
        if key.since <= self.min {
            dict.insert(key.name, value);
        } else if setting.is_configured(&self.p.profile) {
            match self.left_out.iter_mut().find(|(s, _)| *s == setting) {
                Some((_, keys)) => keys.push(key),
                None => self.left_out.push((setting, vec![key])),
            }
        }
    }

    /// One warning per setting left out for the minimum OS.
    pub(super) fn report_left_out(&mut self) {
        let min = self.min;
        for (setting, keys) in std::mem::take(&mut self.left_out) {
            let names: Vec<String> = keys.iter().map(|k| format!("`{}`", k.name)).collect();
            let since = keys.iter().map(|k| k.since).max().unwrap_or(min);
            let verb = if keys.len() == 1 { "needs" } else { "need" };
            self.warn(
                setting,
                format!(
                    "{} is left out: {} {verb} iOS {since} or later, but the minimum iOS version is {min}",
                    setting.title(),
                    names.join(", ")
                ),
            );
        }
    }

    /// Write the successor key from its version on, before that its deprecated predecessor.
    pub(super) fn put_versioned(
        &mut self,
        dict: &mut Dict<'a>,
        predecessor: Key,
        successor: Key,
        value: Node<'a>,
        setting: Setting,
    ) {
        if successor.current_at(self.min) {
            dict.insert(successor.name, value);
        } else if predecessor.current_at(self.min) {
            if setting.is_configured(&self.p.profile) {
                let min = self.min;
                self.info(
                    setting,
                    format!(
                        "written as `{}` for the minimum iOS version {min}; `{}` replaces it from iOS {}",
                        predecessor.name, successor.name, successor.since
                    ),
                );
            }
            dict.insert(predecessor.name, value);
        } else {
            self.put(dict, predecessor, value, setting);
        }
    }
}
