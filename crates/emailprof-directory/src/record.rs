//! The record every format is reduced to, and the rules that turn it into attributes.

use emailprof_attributes::DirectoryAttributes;

use crate::dn;

/// A field a CSV column or JSON key can give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    UserId,
    UserPrincipalName,
    PrimarySmtpAddress,
    Mail,
    ProxyAddresses,
    SamAccountName,
    DomainFqdn,
    NetbiosName,
    DistinguishedName,
}

impl Field {
    /// The field a column or key name stands for, case-insensitively, with aliases.
    pub(crate) fn classify(name: &str) -> Option<Field> {
        let lower = name.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "userid" | "id" | "user" => Field::UserId,
            "userprincipalname" | "upn" => Field::UserPrincipalName,
            "primarysmtpaddress" | "email" => Field::PrimarySmtpAddress,
            // `mail` is the AD attribute; it yields to an SMTP: proxy address (see the crate docs).
            "mail" => Field::Mail,
            "proxyaddresses" => Field::ProxyAddresses,
            "samaccountname" | "sam" => Field::SamAccountName,
            "domainfqdn" | "domain" | "dnsdomain" => Field::DomainFqdn,
            "netbiosname" | "netbios" | "netbiosdomain" => Field::NetbiosName,
            "distinguishedname" | "dn" => Field::DistinguishedName,
            _ => return None,
        })
    }
}

/// One user's fields as found in the file, before the rules apply.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawRecord {
    pub(crate) user_id: Option<String>,
    pub(crate) user_principal_name: Option<String>,
    pub(crate) primary_smtp_address: Option<String>,
    pub(crate) mail: Option<String>,
    pub(crate) proxy_addresses: Vec<String>,
    pub(crate) sam_account_name: Option<String>,
    pub(crate) domain_fqdn: Option<String>,
    pub(crate) netbios_name: Option<String>,
    pub(crate) distinguished_name: Option<String>,
}

/// Trimmed, or `None` when empty.
pub(crate) fn clean(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

impl RawRecord {
    /// The single-valued slot for `field`; `None` for `ProxyAddresses`.
    pub(crate) fn slot(&mut self, field: Field) -> Option<&mut Option<String>> {
        Some(match field {
            Field::UserId => &mut self.user_id,
            Field::UserPrincipalName => &mut self.user_principal_name,
            Field::PrimarySmtpAddress => &mut self.primary_smtp_address,
            Field::Mail => &mut self.mail,
            Field::SamAccountName => &mut self.sam_account_name,
            Field::DomainFqdn => &mut self.domain_fqdn,
            Field::NetbiosName => &mut self.netbios_name,
            Field::DistinguishedName => &mut self.distinguished_name,
            Field::ProxyAddresses => return None,
        })
    }

    /// Apply the shared rules. `netbios_for_domain` looks a NetBIOS name up by the DN of the
    /// entry's domain (LDIF crossRef records); errors are messages for the record's line.
    pub(crate) fn finish(
        self,
        netbios_for_domain: impl Fn(&str) -> Option<String>,
    ) -> Result<DirectoryAttributes, String> {
        let primary_from_proxy = primary_smtp(&self.proxy_addresses)?;
        let primary_smtp_address = self
            .primary_smtp_address
            .or(primary_from_proxy)
            .or(self.mail);
        let parsed_dn = match &self.distinguished_name {
            Some(text) => Some(dn::parse(text).map_err(|e| format!("bad DN `{text}`: {e}"))?),
            None => None,
        };
        let domain_fqdn = self
            .domain_fqdn
            .or_else(|| parsed_dn.as_ref().and_then(dn::dns_domain));
        let netbios_name = self.netbios_name.or_else(|| {
            parsed_dn
                .as_ref()
                .and_then(dn::domain_key)
                .and_then(|key| netbios_for_domain(&key))
        });
        let user_id = match self.user_id {
            Some(id) => id,
            None => match (&self.sam_account_name, &self.user_principal_name) {
                (Some(sam), _) => sam.clone(),
                (None, Some(upn)) => upn_local_part(upn).ok_or_else(|| {
                    format!(
                        "the user principal name `{upn}` has no local part to use as the user id"
                    )
                })?,
                (None, None) => {
                    return Err(
                        "the record has no user id (and no sAMAccountName or userPrincipalName to take it from)"
                            .to_owned(),
                    );
                }
            },
        };
        if user_id.chars().any(char::is_control) {
            return Err(format!(
                "the user id {user_id:?} contains control characters"
            ));
        }
        Ok(DirectoryAttributes {
            user_id,
            user_principal_name: self.user_principal_name,
            primary_smtp_address,
            sam_account_name: self.sam_account_name,
            domain_fqdn,
            netbios_name,
        })
    }
}

/// The part of a UPN before the last `@`.
pub(crate) fn upn_local_part(upn: &str) -> Option<String> {
    let local = upn.rsplit_once('@').map_or(upn, |(l, _)| l);
    clean(local)
}

/// The address of one `proxyAddresses` value when it is the primary one (`SMTP:`, upper
/// case), trimmed; `None` for any other value or an empty address.
pub(crate) fn primary_address(value: &str) -> Option<&str> {
    let address = value.trim().strip_prefix("SMTP:")?.trim();
    (!address.is_empty()).then_some(address)
}

/// The primary SMTP address among `proxyAddresses`: the one value with the upper-case
/// `SMTP:` prefix. Exchange writes the primary address as `SMTP:` and secondary ones as
/// `smtp:` (Microsoft Learn, "proxyAddresses attribute"; Exchange email address policies).
pub fn primary_smtp(proxy_addresses: &[String]) -> Result<Option<String>, String> {
    let mut primary: Option<String> = None;
    for value in proxy_addresses {
        let Some(address) = primary_address(value).map(str::to_owned) else {
            continue;
        };
        match &primary {
            Some(p) if !p.eq_ignore_ascii_case(&address) => {
                return Err(format!(
                    "proxyAddresses has two primary (upper-case SMTP:) addresses, `{p}` and `{address}`"
                ));
            }
            _ => primary = Some(address),
        }
    }
    Ok(primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_smtp_takes_only_upper_case_prefix() {
        let proxies = vec![
            "smtp:alias@contoso.com".to_owned(),
            "SIP:adele@contoso.com".to_owned(),
            "SMTP:Adele.Vance@contoso.com".to_owned(),
            "X500:/o=Contoso/ou=Exchange".to_owned(),
        ];
        assert_eq!(
            primary_smtp(&proxies).unwrap().as_deref(),
            Some("Adele.Vance@contoso.com")
        );
        assert_eq!(
            primary_smtp(&["smtp:only.secondary@contoso.com".to_owned()]).unwrap(),
            None
        );
        let two = vec![
            "SMTP:a@contoso.com".to_owned(),
            "SMTP:b@contoso.com".to_owned(),
        ];
        assert!(primary_smtp(&two).unwrap_err().contains("two primary"));
    }

    #[test]
    fn primary_precedence_explicit_then_proxy_then_mail() {
        let base = RawRecord {
            user_id: Some("u".into()),
            mail: Some("mail@contoso.com".into()),
            proxy_addresses: vec!["SMTP:proxy@contoso.com".into()],
            ..Default::default()
        };
        let a = base.clone().finish(|_| None).unwrap();
        assert_eq!(a.primary_smtp_address.as_deref(), Some("proxy@contoso.com"));
        let mut explicit = base.clone();
        explicit.primary_smtp_address = Some("explicit@contoso.com".into());
        let a = explicit.finish(|_| None).unwrap();
        assert_eq!(
            a.primary_smtp_address.as_deref(),
            Some("explicit@contoso.com")
        );
        let mut no_proxy = base;
        no_proxy.proxy_addresses.clear();
        let a = no_proxy.finish(|_| None).unwrap();
        assert_eq!(a.primary_smtp_address.as_deref(), Some("mail@contoso.com"));
    }

    #[test]
    fn user_id_falls_back_to_sam_then_upn_local_part() {
        let r = RawRecord {
            sam_account_name: Some("jdoe".into()),
            user_principal_name: Some("john.doe@contoso.com".into()),
            ..Default::default()
        };
        assert_eq!(r.clone().finish(|_| None).unwrap().user_id, "jdoe");
        let r = RawRecord {
            user_principal_name: Some("john.doe@contoso.com".into()),
            ..Default::default()
        };
        assert_eq!(r.finish(|_| None).unwrap().user_id, "john.doe");
        assert!(RawRecord::default().finish(|_| None).is_err());
    }
}
