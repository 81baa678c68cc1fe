//! MDM placeholder mode: instead of one artifact per user with real values, one artifact
//! whose per-user fields hold the MDM's own substitution variables, which the MDM expands
//! for each user when it delivers the profile.
//!
//! Only variables whose meaning the MDM documents are used. Where an MDM has no documented
//! variable for an attribute the profile needs, [`placeholder_attributes`] fails naming the
//! MDM and the attribute rather than guessing. Sources are cited next to each mapping and in
//! `PLACEHOLDERS.md`.

use std::fmt;
use std::str::FromStr;

use emailprof_attributes::Attribute;
use emailprof_attributes::DirectoryAttributes;

/// An MDM whose variable syntax emailprof can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mdm {
    Intune,
    Jamf,
    WorkspaceOne,
    Kandji,
    Google,
}

impl Mdm {
    pub const ALL: [Mdm; 5] = [
        Mdm::Intune,
        Mdm::Jamf,
        Mdm::WorkspaceOne,
        Mdm::Kandji,
        Mdm::Google,
    ];

    /// The command-line name: `intune`, `jamf`, `workspace-one`, `kandji`, `google`.
    pub fn key(self) -> &'static str {
        match self {
            Mdm::Intune => "intune",
            Mdm::Jamf => "jamf",
            Mdm::WorkspaceOne => "workspace-one",
            Mdm::Kandji => "kandji",
            Mdm::Google => "google",
        }
    }

    /// The product name for messages.
    pub fn product(self) -> &'static str {
        match self {
            Mdm::Intune => "Microsoft Intune",
            Mdm::Jamf => "Jamf Pro",
            Mdm::WorkspaceOne => "Workspace ONE UEM",
            Mdm::Kandji => "Kandji",
            Mdm::Google => "Google Android Management API",
        }
    }

    /// The variable this MDM substitutes with `attribute`'s value, if it documents one.
    pub fn variable(self, attribute: Attribute) -> Option<&'static str> {
        use Attribute::*;
        match (self, attribute) {
            // Intune custom profiles accept the app-configuration tokens
            // (learn.microsoft.com/mem/intune/configuration/custom-settings-ios, "device tokens";
            // list: learn.microsoft.com/mem/intune/apps/app-configuration-policies-use-ios#tokens-used-in-the-property-list).
            // Lower-case as listed there; Intune's variables are case-sensitive.
            (Mdm::Intune, UserPrincipalName) => Some("{{userprincipalname}}"),
            (Mdm::Intune, PrimarySmtpAddress) => Some("{{mail}}"),
            // Jamf Pro payload variables: $EMAIL is the inventory's Email Address
            // (learn.jamf.com/bundle/jamf-pro-documentation-current/page/Computer_Configuration_Profiles.html
            // and Mobile_Device_Configuration_Profiles.html, "payload variables").
            (Mdm::Jamf, PrimarySmtpAddress) => Some("$EMAIL"),
            // Workspace ONE UEM lookup value {EmailAddress}, "User Email Address"
            // (Workspace ONE UEM lookup values; list quoted in gist.github.com/synic/fc7a219f229ef1df7748b8564a2fbcf1).
            (Mdm::WorkspaceOne, PrimarySmtpAddress) => Some("{EmailAddress}"),
            // Kandji global variables: EMAIL (support.kandji.io/kb/global-variables;
            // github.com/kandji-inc/support "Global Variables/GlobalVariablesExample.sh").
            (Mdm::Kandji, PrimarySmtpAddress) => Some("$EMAIL"),
            // Android Management API / Play EMM managed configuration variables: placeholders
            // start with `$` and are alphanumeric; their per-user values are supplied in
            // `managedConfigurationTemplate.configurationVariables`
            // (developers.google.com/android/work/play/emm-api/v1/managedconfigurationsforuser,
            // VariableSet; developers.google.com/android/management/reference/rest/v1/enterprises.policies#managedconfigurationtemplate).
            // Google defines no names, so these are ours, one per attribute.
            (Mdm::Google, UserPrincipalName) => Some("$USERPRINCIPALNAME"),
            (Mdm::Google, PrimarySmtpAddress) => Some("$PRIMARYSMTPADDRESS"),
            (Mdm::Google, SamAccountName) => Some("$SAMACCOUNTNAME"),
            (Mdm::Google, DomainFqdn) => Some("$DOMAINFQDN"),
            (Mdm::Google, NetbiosName) => Some("$NETBIOSNAME"),
            _ => None,
        }
    }

    /// Why this MDM has no variable for `attribute`: what it has instead, for the error.
    fn gap(self, attribute: Attribute) -> &'static str {
        use Attribute::*;
        match (self, attribute) {
            (Mdm::Intune, SamAccountName) => {
                "Intune documents {{onPremisesSamAccountName}} only for certificate subjects and macOS account setup, not for custom profiles; use Intune's own email profile (it has a sAMAccountName user name option) or a directory file"
            }
            (Mdm::Intune, DomainFqdn | NetbiosName) => {
                "Intune's {{domain}} is not documented for custom profiles nor as either domain form"
            }
            (Mdm::Jamf, UserPrincipalName | SamAccountName) => {
                "Jamf Pro's $USERNAME holds whichever directory attribute its LDAP or cloud identity provider mapping puts in the inventory's Username field, so which one cannot be known here"
            }
            (Mdm::WorkspaceOne, UserPrincipalName | SamAccountName) => {
                "no Workspace ONE lookup value for it is documented in the sources this tool relies on"
            }
            (Mdm::Kandji, UserPrincipalName | SamAccountName) => {
                "Kandji's global variables are EMAIL, EMAIL_PREFIX, FULL_NAME, DEPARTMENT and device values only"
            }
            _ => "it has no per-user variable for it",
        }
    }
}

impl fmt::Display for Mdm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// An MDM name that is not one of [`Mdm::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown MDM `{0}`; expected one of intune, jamf, workspace-one, kandji, google")]
pub struct UnknownMdm(pub String);

impl FromStr for Mdm {
    type Err = UnknownMdm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mdm::ALL
            .into_iter()
            .find(|m| m.key().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownMdm(s.to_owned()))
    }
}

/// The profile needs attributes the MDM has no variable for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} has no placeholder for {}: {}",
    .mdm.product(),
    .missing.iter().map(|a| a.name()).collect::<Vec<_>>().join(", "),
    .missing.iter().map(|a| .mdm.gap(*a)).collect::<Vec<_>>().join("; ")
)]
pub struct PlaceholderError {
    pub mdm: Mdm,
    pub missing: Vec<Attribute>,
}

/// Attributes whose values are `mdm`'s variables, for one artifact that serves every user.
///
/// The user id is the MDM's key (`intune`, ...), which names the artifact. Every attribute the
/// MDM has a variable for is filled; an error lists the `needed` ones it has none for.
pub fn placeholder_attributes(
    mdm: Mdm,
    needed: &[Attribute],
) -> Result<DirectoryAttributes, PlaceholderError> {
    let mut missing: Vec<Attribute> = needed
        .iter()
        .copied()
        .filter(|a| mdm.variable(*a).is_none())
        .collect();
    missing.sort();
    missing.dedup();
    if !missing.is_empty() {
        return Err(PlaceholderError { mdm, missing });
    }
    let var = |a| mdm.variable(a).map(str::to_owned);
    Ok(DirectoryAttributes {
        user_id: mdm.key().to_owned(),
        user_principal_name: var(Attribute::UserPrincipalName),
        primary_smtp_address: var(Attribute::PrimarySmtpAddress),
        sam_account_name: var(Attribute::SamAccountName),
        domain_fqdn: var(Attribute::DomainFqdn),
        netbios_name: var(Attribute::NetbiosName),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Attribute::*;

    #[test]
    fn names_round_trip() {
        for mdm in Mdm::ALL {
            assert_eq!(mdm.key().parse::<Mdm>(), Ok(mdm));
        }
        assert_eq!("Workspace-One".parse::<Mdm>(), Ok(Mdm::WorkspaceOne));
        assert!("airwatch".parse::<Mdm>().is_err());
    }

    #[test]
    fn intune_upn_and_mail() {
        let a =
            placeholder_attributes(Mdm::Intune, &[UserPrincipalName, PrimarySmtpAddress]).unwrap();
        assert_eq!(
            a.user_principal_name.as_deref(),
            Some("{{userprincipalname}}")
        );
        assert_eq!(a.primary_smtp_address.as_deref(), Some("{{mail}}"));
        assert_eq!(a.netbios_name, None);
        assert_eq!(a.user_id, "intune");
    }

    #[test]
    fn missing_variables_are_errors_naming_mdm_and_attribute() {
        let e = placeholder_attributes(
            Mdm::Intune,
            &[SamAccountName, NetbiosName, PrimarySmtpAddress],
        )
        .unwrap_err();
        assert_eq!(e.missing, vec![SamAccountName, NetbiosName]);
        let text = e.to_string();
        assert!(
            text.starts_with("Microsoft Intune has no placeholder for sAMAccountName, netbiosName"),
            "{text}"
        );
        let e = placeholder_attributes(Mdm::Jamf, &[UserPrincipalName]).unwrap_err();
        assert!(e.to_string().contains("Jamf Pro"), "{e}");
        for mdm in [Mdm::Jamf, Mdm::WorkspaceOne, Mdm::Kandji] {
            assert!(placeholder_attributes(mdm, &[PrimarySmtpAddress]).is_ok());
            assert!(placeholder_attributes(mdm, &[DomainFqdn]).is_err());
        }
    }

    #[test]
    fn google_placeholders_follow_the_emm_api_syntax() {
        let all = Attribute::ALL;
        let a = placeholder_attributes(Mdm::Google, &all).unwrap();
        for v in [
            a.user_principal_name,
            a.primary_smtp_address,
            a.sam_account_name,
            a.domain_fqdn,
            a.netbios_name,
        ] {
            let v = v.unwrap();
            // "Placeholders should start with a '$' sign and should be alphanumeric only."
            assert!(
                v.starts_with('$') && v[1..].chars().all(|c| c.is_ascii_alphanumeric()),
                "{v}"
            );
        }
    }

    #[test]
    fn variables_match_each_mdm_syntax() {
        let all = Attribute::ALL;
        for mdm in Mdm::ALL {
            for a in all {
                let Some(v) = mdm.variable(a) else { continue };
                let ok = match mdm {
                    Mdm::Intune => v.starts_with("{{") && v.ends_with("}}"),
                    Mdm::WorkspaceOne => {
                        v.starts_with('{') && v.ends_with('}') && !v.starts_with("{{")
                    }
                    Mdm::Jamf | Mdm::Kandji | Mdm::Google => {
                        v.starts_with('$')
                            && v[1..].chars().all(|c| c.is_ascii_uppercase() || c == '_')
                    }
                };
                assert!(ok, "{mdm} {a}: {v}");
            }
        }
    }
}
