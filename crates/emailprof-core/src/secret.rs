//! Secrets: where a password or passphrase comes from, and a holder that never prints it.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// # Secret source
///
/// Where a secret comes from: exactly one of an environment variable, a file, or (only when
/// explicitly allowed) an inline value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("minProperties" = 1, "maxProperties" = 1))]
pub struct SecretRef {
    /// # Environment variable
    ///
    /// Name of the environment variable that holds the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"), example = &"CONTOSO_P12_PASSPHRASE")]
    pub env: Option<String>,

    /// # File
    ///
    /// Path of a file whose content (without a trailing newline) is the secret, relative to the
    /// profile file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 4096))]
    pub file: Option<String>,

    /// # Inline value
    ///
    /// The secret itself. Refused unless inline secrets are explicitly allowed
    /// (`--allow-inline-secrets`), since profile files are often committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("writeOnly" = true))]
    pub inline: Option<Secret>,
}

impl SecretRef {
    pub fn env(name: impl Into<String>) -> Self {
        Self {
            env: Some(name.into()),
            file: None,
            inline: None,
        }
    }
}

/// A secret value: zeroed on drop, never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret's text. Call sites are the only places a secret leaves this type.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

impl JsonSchema for Secret {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Secret".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "minLength": 1, "maxLength": 4096 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let r = SecretRef {
            env: None,
            file: None,
            inline: Some(Secret::new("hunter2-very-secret")),
        };
        let shown = format!("{r:?} {:#?}", r);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
