//! A Graph user's keys and values: keys classified without allocating, values read by typed
//! visitors.

use std::borrow::Cow;
use std::fmt;

use emailprof_attributes::DirectoryAttributes;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

#[cfg(doc)]
use crate::record::primary_smtp;
use crate::record::{RawRecord, clean, primary_address};

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

/// A string or null, trimmed (empty is missing); borrowed from the input when it has no
/// escapes, so a value is allocated once, when the user's attributes are built.
struct Text(Key);

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Option<Cow<'de, str>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Trimmed, or `None` when empty, keeping a borrowed value borrowed.
fn trimmed(v: Cow<'_, str>) -> Option<Cow<'_, str>> {
    match v {
        Cow::Borrowed(b) => {
            let t = b.trim();
            (!t.is_empty()).then_some(Cow::Borrowed(t))
        }
        Cow::Owned(o) => clean(&o).map(Cow::Owned),
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string or null for `{}`", self.0.name())
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(trimmed(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(clean(v).map(Cow::Owned))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// `proxyAddresses` (an array of strings, one string, or null), reduced as it is read to its
/// primary SMTP address: the rule of [`primary_smtp`], without keeping the other addresses.
struct ProxyAddresses;

/// The primary address so far, or the rule's error (two different primaries).
type Primary<'de> = Result<Option<Cow<'de, str>>, String>;

fn add_primary<'de>(primary: &mut Primary<'de>, value: Cow<'de, str>) {
    let Ok(current) = primary else { return };
    let address = match value {
        Cow::Borrowed(b) => match primary_address(b) {
            Some(a) => Cow::Borrowed(a),
            None => return,
        },
        Cow::Owned(o) => match primary_address(&o) {
            Some(a) => Cow::Owned(a.to_owned()),
            None => return,
        },
    };
    match current {
        Some(p) if !p.eq_ignore_ascii_case(&address) => {
            *primary = Err(format!(
                "proxyAddresses has two primary (upper-case SMTP:) addresses, `{p}` and `{address}`"
            ));
        }
        Some(_) => {}
        None => *current = Some(address),
    }
}

/// One element of `proxyAddresses`, borrowed when it can be.
struct Element;

impl<'de> DeserializeSeed<'de> for Element {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Element {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string in `proxyAddresses`")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

impl<'de> DeserializeSeed<'de> for ProxyAddresses {
    type Value = Primary<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ProxyAddresses {
    type Value = Primary<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings for `proxyAddresses`")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        let mut primary = Ok(None);
        add_primary(&mut primary, Cow::Borrowed(v));
        Ok(primary)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let mut primary = Ok(None);
        add_primary(&mut primary, Cow::Owned(v.to_owned()));
        Ok(primary)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut primary = Ok(None);
        while let Some(v) = seq.next_element_seed(Element)? {
            add_primary(&mut primary, v);
        }
        Ok(primary)
    }
}

/// A user's values, as read (borrowed from the input where they have no escapes).
#[derive(Default)]
pub(super) struct Fields<'de> {
    seen: u8,
    id: Option<Cow<'de, str>>,
    upn: Option<Cow<'de, str>>,
    mail: Option<Cow<'de, str>>,
    primary: Option<Cow<'de, str>>,
    sam: Option<Cow<'de, str>>,
    domain: Option<Cow<'de, str>>,
    on_premises_upn: Option<Cow<'de, str>>,
    error: Option<String>,
    /// Only the user id is wanted (see [`Fields::ids_only`]).
    ids_only: bool,
}

impl<'de> Fields<'de> {
    /// Fields that read only what the user id is made of (`userPrincipalName`,
    /// `onPremisesUserPrincipalName`, `id`) and skip the other values: a cheaper pass over a
    /// file whose ids are all that is wanted. It gives the same ids as a full read, and stops
    /// at no user a full read accepts.
    pub(super) fn ids_only(ids_only: bool) -> Self {
        Fields {
            ids_only,
            ..Fields::default()
        }
    }

    /// Read the value of `key`. A key given twice (they compare case-insensitively) is
    /// remembered as the user's error, so it is reported at the user's line.
    pub(super) fn take<A: MapAccess<'de>>(
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
        if self.ids_only && !matches!(key, Key::Id | Key::Upn | Key::OnPremisesUpn) {
            map.next_value::<IgnoredAny>()?;
            return Ok(());
        }
        let slot = match key {
            Key::ProxyAddresses => {
                match map.next_value_seed(ProxyAddresses)? {
                    Ok(primary) => self.primary = primary,
                    Err(e) => {
                        self.error.get_or_insert(e);
                    }
                }
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

    /// The user's attributes and object id (when it is not already the user id). Each value
    /// is allocated here, once.
    pub(super) fn finish(self) -> Result<(DirectoryAttributes, Option<String>), String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let upn = self.upn.or(self.on_premises_upn);
        let user_id = match (&upn, &self.id) {
            (Some(upn), _) => upn.as_ref(),
            (None, Some(id)) => id.as_ref(),
            (None, None) => {
                return Err("the user has neither `userPrincipalName` nor `id`".to_owned());
            }
        };
        let object_id = match &self.id {
            Some(id) if id.as_ref() != user_id => {
                if id.chars().any(char::is_control) {
                    return Err(format!("the object id {id:?} contains control characters"));
                }
                Some(id.to_string())
            }
            _ => None,
        };
        if self.ids_only {
            let attrs = DirectoryAttributes {
                user_id: user_id.to_owned(),
                ..DirectoryAttributes::default()
            };
            return Ok((attrs, object_id));
        }
        let owned = |v: Option<Cow<'_, str>>| v.map(Cow::into_owned);
        let raw = RawRecord {
            user_id: Some(user_id.to_owned()),
            user_principal_name: owned(upn),
            // The primary SMTP address comes first from `proxyAddresses`, then `mail`: the
            // rule of `RawRecord::finish`, applied here so that `mail` is not allocated for
            // nothing.
            primary_smtp_address: owned(self.primary.or(self.mail)),
            sam_account_name: owned(self.sam),
            domain_fqdn: owned(self.domain),
            ..RawRecord::default()
        };
        Ok((raw.finish(|_| None)?, object_id))
    }
}
