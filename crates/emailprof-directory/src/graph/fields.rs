//! A Graph user's keys and values: keys classified without allocating, values read by typed
//! visitors.

use std::fmt;

use emailprof_attributes::DirectoryAttributes;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::record::{RawRecord, clean};

/// The keys of a user this crate reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Id,
    Upn,
    Mail,
    ProxyAddresses,
    Sam,
    Domain,
    OnPremisesUpn,
}

impl Key {
    const ALL: [Key; 7] = [
        Key::Id,
        Key::Upn,
        Key::Mail,
        Key::ProxyAddresses,
        Key::Sam,
        Key::Domain,
        Key::OnPremisesUpn,
    ];

    /// The name Graph gives it (PowerShell capitalizes the first letter).
    fn name(self) -> &'static str {
        match self {
            Key::Id => "id",
            Key::Upn => "userPrincipalName",
            Key::Mail => "mail",
            Key::ProxyAddresses => "proxyAddresses",
            Key::Sam => "onPremisesSamAccountName",
            Key::Domain => "onPremisesDomainName",
            Key::OnPremisesUpn => "onPremisesUserPrincipalName",
        }
    }

    pub(super) fn classify(key: &str) -> Option<Key> {
        Key::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(key))
    }
}

/// A key as the readers need it, told without allocating it (a user has several and a file
/// millions).
pub(super) enum KeyKind {
    Value,
    Field(Key),
    Other,
}

pub(super) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = KeyKind;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<KeyKind, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = KeyKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<KeyKind, E> {
        Ok(if key == "value" {
            KeyKind::Value
        } else if let Some(k) = Key::classify(key) {
            KeyKind::Field(k)
        } else {
            KeyKind::Other
        })
    }
}

/// A string or null, trimmed (empty is missing).
struct Text(Key);

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Option<String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Text {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string or null for `{}`", self.0.name())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok(clean(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
}

/// An array of strings, one string, or null, as a list.
struct Texts;

impl<'de> DeserializeSeed<'de> for Texts {
    type Value = Vec<String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Texts {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings for `proxyAddresses`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
        Ok(clean(v).into_iter().collect())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Vec<String>, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<String>()? {
            out.push(v);
        }
        Ok(out)
    }
}

/// A user's values, as read.
#[derive(Default)]
pub(super) struct Fields {
    seen: u8,
    id: Option<String>,
    upn: Option<String>,
    mail: Option<String>,
    proxy_addresses: Vec<String>,
    sam: Option<String>,
    domain: Option<String>,
    on_premises_upn: Option<String>,
    error: Option<String>,
}

impl Fields {
    /// Read the value of `key`. A key given twice (they compare case-insensitively) is
    /// remembered as the user's error, so it is reported at the user's line.
    pub(super) fn take<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let bit = 1u8 << (key as u8);
        if self.seen & bit != 0 {
            map.next_value::<IgnoredAny>()?;
            self.error.get_or_insert_with(|| {
                format!(
                    "the key `{}` appears twice (keys compare case-insensitively)",
                    key.name()
                )
            });
            return Ok(());
        }
        self.seen |= bit;
        let slot = match key {
            Key::ProxyAddresses => {
                self.proxy_addresses = map.next_value_seed(Texts)?;
                return Ok(());
            }
            Key::Id => &mut self.id,
            Key::Upn => &mut self.upn,
            Key::Mail => &mut self.mail,
            Key::Sam => &mut self.sam,
            Key::Domain => &mut self.domain,
            Key::OnPremisesUpn => &mut self.on_premises_upn,
        };
        *slot = map.next_value_seed(Text(key))?;
        Ok(())
    }

    /// The user's attributes and object id (when it is not already the user id).
    pub(super) fn finish(self) -> Result<(DirectoryAttributes, Option<String>), String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let upn = self.upn.or(self.on_premises_upn);
        let user_id = match (&upn, &self.id) {
            (Some(upn), _) => upn.clone(),
            (None, Some(id)) => id.clone(),
            (None, None) => {
                return Err("the user has neither `userPrincipalName` nor `id`".to_owned());
            }
        };
        let object_id = self.id.filter(|id| *id != user_id);
        if let Some(id) = &object_id
            && id.chars().any(char::is_control)
        {
            return Err(format!("the object id {id:?} contains control characters"));
        }
        let raw = RawRecord {
            user_id: Some(user_id),
            user_principal_name: upn,
            mail: self.mail,
            proxy_addresses: self.proxy_addresses,
            sam_account_name: self.sam,
            domain_fqdn: self.domain,
            ..RawRecord::default()
        };
        Ok((raw.finish(|_| None)?, object_id))
    }
}
