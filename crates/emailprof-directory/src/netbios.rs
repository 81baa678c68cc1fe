//! NetBIOS domain names the administrator gives, for directories that do not carry them
//! (Microsoft Graph has no NetBIOS name; CSV exports often leave it out).

use emailprof_attributes::DirectoryAttributes;

/// Domain FQDN → NetBIOS name, e.g. `contoso.com` → `CONTOSO`. FQDNs compare
/// case-insensitively, ignoring a trailing dot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetbiosMap(Vec<(String, String)>);

fn fqdn_key(fqdn: &str) -> String {
    fqdn.trim().trim_end_matches('.').to_ascii_lowercase()
}

impl NetbiosMap {
    /// Add `FQDN=NAME` (the `--netbios` flag's form); a domain given twice must map to the same
    /// name.
    pub fn add(&mut self, entry: &str) -> Result<(), String> {
        let Some((fqdn, name)) = entry.split_once('=') else {
            return Err(format!(
                "`{entry}`: give the domain and its NetBIOS name as FQDN=NAME, e.g. contoso.com=CONTOSO"
            ));
        };
        self.insert(fqdn, name)
            .map_err(|e| format!("`{entry}`: {e}"))
    }

    /// Map the domain `fqdn` to the NetBIOS name `name` (the `netbios` key of a directory
    /// plugin's configuration); a domain given twice must map to the same name.
    pub fn insert(&mut self, fqdn: &str, name: &str) -> Result<(), String> {
        let (key, name) = (fqdn_key(fqdn), name.trim());
        if key.is_empty() || name.is_empty() {
            return Err(
                "both the domain and the NetBIOS name must be non-empty (FQDN=NAME)".to_owned(),
            );
        }
        if key.contains('=') || key.chars().any(char::is_control) {
            return Err(format!("`{}` is not a domain name", key.escape_debug()));
        }
        if name.chars().any(|c| c.is_control() || c == '\\') {
            return Err("a NetBIOS name has no control characters or backslashes".to_owned());
        }
        match self.0.iter().find(|(k, _)| *k == key) {
            Some((_, old)) if old != name => Err(format!(
                "the domain {key} is mapped twice, to {old} and to {name}"
            )),
            Some(_) => Ok(()),
            None => {
                self.0.push((key, name.to_owned()));
                Ok(())
            }
        }
    }

    /// A map of `FQDN=NAME` entries (see [`NetbiosMap::add`]).
    pub fn from_entries(entries: &[impl AsRef<str>]) -> Result<Self, String> {
        let mut map = Self::default();
        for entry in entries {
            map.add(entry.as_ref())?;
        }
        Ok(map)
    }

    /// The NetBIOS name of the domain `fqdn`.
    pub fn get(&self, fqdn: &str) -> Option<&str> {
        let key = fqdn_key(fqdn);
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Give `attrs` the NetBIOS name of its domain when the directory gave none. A NetBIOS name
    /// the directory has is kept: the map only fills gaps.
    pub fn apply(&self, attrs: &mut DirectoryAttributes) {
        if attrs.netbios_name.is_some() {
            return;
        }
        if let Some(name) = attrs.domain_fqdn.as_deref().and_then(|d| self.get(d)) {
            attrs.netbios_name = Some(name.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_only_missing_names_by_case_insensitive_domain() {
        let mut map = NetbiosMap::default();
        map.add("Contoso.COM.=CONTOSO").unwrap();
        map.add("contoso.com=CONTOSO").unwrap();
        assert!(map.add("contoso.com=OTHER").unwrap_err().contains("twice"));
        assert!(map.add("contoso.com").unwrap_err().contains("FQDN=NAME"));
        assert!(map.add("=X").is_err());
        assert!(map.add("a.com=A\\B").is_err());
        let mut a = DirectoryAttributes {
            user_id: "u".into(),
            domain_fqdn: Some("contoso.com".into()),
            ..Default::default()
        };
        map.apply(&mut a);
        assert_eq!(a.netbios_name.as_deref(), Some("CONTOSO"));
        a.netbios_name = Some("KEPT".into());
        map.apply(&mut a);
        assert_eq!(a.netbios_name.as_deref(), Some("KEPT"));
        let mut b = DirectoryAttributes {
            user_id: "v".into(),
            domain_fqdn: Some("fabrikam.com".into()),
            ..Default::default()
        };
        map.apply(&mut b);
        assert_eq!(b.netbios_name, None);
    }
}
