//! profile → mobileconfig → import → the same profile, for what iOS expresses, over generated
//! profiles. Every generated emission is also held against ADM.

use std::collections::BTreeMap;

use emailprof_core::input::{Document, Format, Locations};
use emailprof_core::model::*;
use emailprof_core::{
    CertificateMaterial, EmailProfile, EmitOptions, OsVersion, ResolvedProfile, Secret, SecretRef,
    UserIdentity, ValidationOptions,
};
use emailprof_ios::{import_mobileconfig, profile_document};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::adm::check_profile;
use crate::common::{attributes, dict, emit};

fn text() -> impl Strategy<Value = String> {
    // Markup, quotes and non-ASCII on purpose: the XML writer must escape them.
    "[A-Za-z0-9<>&\"' éü]{0,10}[A-Za-z0-9]"
}

fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,7}"
}

fn hex(len: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..16, len)
        .prop_map(|v| v.iter().map(|d| format!("{d:X}")).collect())
}

fn uuid() -> impl Strategy<Value = String> {
    (hex(8), hex(4), hex(4), hex(4), hex(12))
        .prop_map(|(a, b, c, d, e)| format!("{a}-{b}-{c}-{d}-{e}"))
}

fn subject() -> impl Strategy<Value = Option<String>> {
    let value = prop_oneof![
        Just("{{username}}".to_owned()),
        Just("{{emailAddress}}".to_owned()),
        "[A-Za-z0-9]{1,6}",
        "[A-Za-z0-9]{1,4} [A-Za-z0-9]{1,4}",
    ];
    let rdn = (
        prop::sample::select(vec!["C", "L", "ST", "O", "OU", "CN"]),
        value,
    )
        .prop_map(|(t, v)| format!("{t}={v}"));
    proptest::option::of(proptest::collection::vec(rdn, 1..4).prop_map(|v| v.join(",")))
}

fn certificate(name: String) -> impl Strategy<Value = (String, Certificate)> {
    let display = proptest::option::of(prop_oneof![text(), Just(name.clone())]);
    let graph = proptest::option::of(word());
    let kind = prop_oneof![
        Just(CertificateKind::Pkcs12),
        Just(CertificateKind::Ca),
        Just(CertificateKind::Scep),
        Just(CertificateKind::External),
        Just(CertificateKind::DerivedCredential),
    ];
    let scep = (
        word(),
        proptest::option::of(word()),
        subject(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![
            Just(KeySize::Bits1024),
            Just(KeySize::Bits2048),
            Just(KeySize::Bits4096)
        ],
        prop_oneof![
            Just(KeyUsage::Signing),
            Just(KeyUsage::Encryption),
            Just(KeyUsage::SigningAndEncryption)
        ],
        proptest::option::of(prop_oneof![hex(40), hex(64).prop_map(|h| h.to_lowercase())]),
    )
        .prop_map(
            |(host, ca_name, subject, san, challenge, key_size, key_usage, fp)| Scep {
                url: format!("https://{host}.contoso.com/scep"),
                name: ca_name,
                subject,
                subject_alt_name_email: san,
                challenge: challenge.then(|| SecretRef::env("SCEP_CHALLENGE")),
                key_size,
                key_usage,
                ca_fingerprint: fp,
            },
        );
    (
        kind,
        display,
        graph,
        word(),
        any::<bool>(),
        scep,
        proptest::option::of(uuid()),
    )
        .prop_map(
            move |(kind, display_name, graph_id, file, pass, scep, uuid)| {
                let mut c = Certificate {
                    kind,
                    display_name,
                    graph_id,
                    pkcs12: None,
                    scep: None,
                    ca: None,
                    external: None,
                };
                match kind {
                    CertificateKind::Pkcs12 => {
                        c.pkcs12 = Some(Pkcs12 {
                            file: format!("certs/{file}.p12"),
                            passphrase: pass.then(|| SecretRef::env("P12_PASSPHRASE")),
                        })
                    }
                    CertificateKind::Ca => {
                        c.ca = Some(CaCertificate {
                            file: format!("ca/{file}.der"),
                        })
                    }
                    CertificateKind::Scep => c.scep = Some(scep),
                    CertificateKind::External => {
                        c.external = Some(ExternalCertificate {
                            payload_uuid: uuid,
                            android_alias: None,
                            note: Some("from another profile".into()),
                        })
                    }
                    CertificateKind::DerivedCredential => {}
                }
                (name.clone(), c)
            },
        )
}

fn certificates() -> impl Strategy<Value = BTreeMap<String, Certificate>> {
    proptest::collection::vec(word(), 0..5).prop_flat_map(|names| {
        let names: Vec<String> = names
            .into_iter()
            .enumerate()
            .map(|(i, n)| format!("{n}{i}"))
            .collect();
        names
            .into_iter()
            .map(certificate)
            .collect::<Vec<_>>()
            .prop_map(|v| v.into_iter().collect())
    })
}

fn pick_identity(certs: &BTreeMap<String, Certificate>, at: Index) -> Option<String> {
    let ids: Vec<&String> = certs
        .iter()
        .filter(|(_, c)| c.kind.is_identity())
        .map(|(n, _)| n)
        .collect();
    (!ids.is_empty()).then(|| ids[at.index(ids.len())].clone())
}

fn cert_type(
    certs: &BTreeMap<String, Certificate>,
    choice: u8,
    at: Index,
) -> (CertificateType, Option<String>) {
    match choice % 4 {
        0 => (CertificateType::NotConfigured, None),
        1 => (CertificateType::None, None),
        2 => (CertificateType::DerivedCredential, None),
        _ => match pick_identity(certs, at) {
            Some(n) => (CertificateType::Certificate, Some(n)),
            None => (CertificateType::NotConfigured, None),
        },
    }
}

prop_compose! {
    /// A valid profile, with only applicable settings set (what a valid document gives).
    pub(crate) fn profile()(
        (identifier, display_name, organization, description) in (
            (word(), word()).prop_map(|(a, b)| format!("com.{a}.{b}")),
            text(),
            proptest::option::of(text()),
            proptest::option::of("[A-Za-z0-9 .,]{0,30}"),
        ),
        (server, account_name, username_choice, email_primary, method_choice, password) in (
            (word(), word()).prop_map(|(a, b)| format!("{a}.{b}.com")),
            text(),
            0u8..5,
            any::<bool>(),
            0u8..3,
            any::<bool>(),
        ),
        (ssl, oauth, sign_in, token) in (any::<bool>(), any::<bool>(), proptest::option::of(word()), proptest::option::of(word())),
        (services, user_can_change, duration) in (
            proptest::sample::subsequence(Service::ALL.to_vec(), 1..=5).prop_shuffle(),
            any::<bool>(),
            prop::sample::select(vec![
                EmailSyncDuration::NotConfigured, EmailSyncDuration::OneDay, EmailSyncDuration::ThreeDays,
                EmailSyncDuration::OneWeek, EmailSyncDuration::TwoWeeks, EmailSyncDuration::OneMonth,
                EmailSyncDuration::Unlimited,
            ]),
        ),
        smime_flags in proptest::collection::vec(any::<bool>(), 10),
        (sign_type, enc_type) in (any::<u8>(), any::<u8>()),
        mail in (any::<bool>(), any::<bool>(), any::<bool>()),
        certificates in certificates(),
        picks in proptest::collection::vec(any::<Index>(), 3),
        (min, vpn, mail_drop) in (
            prop::sample::select(vec![None, Some("13.0"), Some("14.0"), Some("17.2")]),
            proptest::option::of(uuid()),
            any::<bool>(),
        ),
        kept in proptest::option::of((word(), uuid(), uuid(), any::<bool>())),
    ) -> EmailProfile {
        // Identities an imported profile kept: another account identifier, any UUID text.
        let payloads = kept.map(|(w, top, account, lower)| {
            let case = |u: String| if lower { u.to_lowercase() } else { u };
            IosPayloads {
                profile_uuid: Some(case(top)),
                account: Some(PayloadIdentity { identifier: format!("com.kept.{w}"), uuid: case(account) }),
                certificates: certificates
                    .iter()
                    .filter(|(_, c)| matches!(c.kind, CertificateKind::Pkcs12 | CertificateKind::Scep | CertificateKind::Ca))
                    .map(|(name, _)| {
                        // Certificate names live only in identifiers of this form.
                        let identifier = format!("{identifier}.cert.{name}");
                        let uuid = case(emailprof_ios::payload_uuid(&identifier, "kept", ""));
                        (name.clone(), PayloadIdentity { identifier, uuid })
                    })
                    .collect(),
            }
        });
        let username = match username_choice {
            0 => Username::default(),
            1 => Username { source: UsernameSource::PrimarySmtpAddress, domain: None },
            2 => Username { source: UsernameSource::SamAccountName, domain: Some(UserDomain { source: DomainSource::Custom, attribute: None, name: Some("CONTOSO".into()) }) },
            3 => Username { source: UsernameSource::SamAccountName, domain: Some(UserDomain { source: DomainSource::Directory, attribute: Some(DomainAttribute::FullDomainName), name: None }) },
            _ => Username { source: UsernameSource::SamAccountName, domain: Some(UserDomain { source: DomainSource::Directory, attribute: Some(DomainAttribute::NetBiosDomainName), name: None }) },
        };
        let identity = pick_identity(&certificates, picks[0]);
        let (method, identity_certificate) = match (method_choice, identity) {
            (1, Some(n)) => (AuthenticationMethod::Certificate, Some(n)),
            (2, _) => (AuthenticationMethod::DerivedCredential, None),
            _ => (AuthenticationMethod::UsernameAndPassword, None),
        };
        let f = &smime_flags;
        let smime = if f[0] {
            let (st, sc) = cert_type(&certificates, sign_type, picks[1]);
            let signing = if f[1] {
                SmimeSigning { enabled: true, user_can_change: f[2], certificate_type: st, certificate: sc, certificate_user_can_change: f[3] }
            } else {
                SmimeSigning::default()
            };
            let (et, ec) = cert_type(&certificates, enc_type, picks[2]);
            Smime {
                enabled: true,
                signing,
                encryption: SmimeEncryption {
                    encrypt_by_default: f[4],
                    encrypt_by_default_user_can_change: f[4] && f[5],
                    per_message_switch: f[6],
                    certificate_type: et,
                    certificate: ec,
                    certificate_user_can_change: f[7],
                },
            }
        } else {
            Smime::default()
        };
        EmailProfile {
            schema: None,
            display_name,
            identifier,
            organization,
            description,
            account: Account {
                server,
                account_name,
                username,
                email_address_source: if email_primary { EmailAddressSource::PrimarySmtpAddress } else { EmailAddressSource::UserPrincipalName },
                authentication: Authentication {
                    method,
                    identity_certificate,
                    password: password.then(|| SecretRef::env("ACCOUNT_PASSWORD")),
                },
                ssl,
                oauth: OAuth {
                    enabled: oauth,
                    sign_in_url: sign_in.filter(|_| oauth).map(|w| format!("https://login.contoso.com/{w}")),
                    token_request_url: token.filter(|_| oauth).map(|w| format!("https://login.contoso.com/{w}/token")),
                },
            },
            // All five is the default, whatever the order.
            sync: Sync { services: if services.len() == 5 { Service::all() } else { services }, user_can_change, email_sync_duration: duration },
            smime,
            mail: Mail { allow_move: mail.0, allow_third_party_send: mail.1, sync_recent_addresses: mail.2 },
            certificates,
            platforms: Platforms {
                ios: IosSettings { minimum_os_version: min.map(str::to_owned), per_account_vpn_uuid: vpn, allow_mail_drop: mail_drop, payloads },
                ..Platforms::default()
            },
        }
    }
}

pub(crate) fn resolved(p: &EmailProfile, data: &[u8]) -> ResolvedProfile {
    let user = emailprof_core::resolve_identity(&p.account, &attributes()).expect("resolves");
    let mut materials = BTreeMap::new();
    for (name, c) in &p.certificates {
        let m = match c.kind {
            CertificateKind::Pkcs12 => CertificateMaterial::Pkcs12 {
                data: data.to_vec(),
                passphrase: c
                    .pkcs12
                    .as_ref()
                    .and_then(|p| p.passphrase.as_ref())
                    .map(|_| Secret::new("pass")),
            },
            CertificateKind::Ca => CertificateMaterial::Ca {
                der: [&[0x30u8][..], data].concat(),
            },
            CertificateKind::Scep => CertificateMaterial::Scep {
                challenge: c
                    .scep
                    .as_ref()
                    .and_then(|s| s.challenge.as_ref())
                    .map(|_| Secret::new("challenge")),
            },
            _ => continue,
        };
        materials.insert(name.clone(), m);
    }
    ResolvedProfile {
        profile: p.clone(),
        user,
        materials,
        password: None,
    }
}

/// What the importer can give back of `p`: the iOS expression of it, with the sources a
/// resolved profile no longer names taken as the importer documents (UPN, custom domain).
fn expected(p: &EmailProfile, user: &UserIdentity, min: OsVersion) -> EmailProfile {
    let mut e = p.clone();
    e.account.username = if user.username.contains('\\') {
        Username {
            source: UsernameSource::SamAccountName,
            domain: Some(UserDomain {
                source: DomainSource::Custom,
                attribute: None,
                name: user.domain.clone(),
            }),
        }
    } else {
        Username::default()
    };
    e.account.email_address_source = EmailAddressSource::UserPrincipalName;
    e.account.authentication.password = None;

    // Certificates: what each reference becomes.
    let target = |name: &str| -> Option<String> {
        let c = p.certificates.get(name)?;
        match c.kind {
            CertificateKind::Pkcs12 | CertificateKind::Scep => Some(name.to_owned()),
            CertificateKind::External => c
                .external
                .as_ref()
                .and_then(|x| x.payload_uuid.as_ref())
                .map(|u| format!("external-{}", u[..8].to_lowercase())),
            _ => None,
        }
    };
    let auth = &mut e.account.authentication;
    let identity = auth.identity_certificate.as_deref().and_then(target);
    if auth.method == AuthenticationMethod::Certificate && identity.is_some() {
        auth.identity_certificate = identity;
    } else {
        auth.method = AuthenticationMethod::UsernameAndPassword;
        auth.identity_certificate = None;
    }
    let mut externals = BTreeMap::new();
    let refer = |ty: &mut CertificateType, cert: &mut Option<String>| {
        let t = if *ty == CertificateType::Certificate {
            cert.as_deref().and_then(target)
        } else {
            None
        };
        match t {
            Some(n) => {
                *ty = CertificateType::Certificate;
                *cert = Some(n);
            }
            None => {
                *ty = CertificateType::NotConfigured;
                *cert = None;
            }
        }
    };
    let s = &mut e.smime;
    if s.enabled {
        if s.signing.enabled {
            refer(&mut s.signing.certificate_type, &mut s.signing.certificate);
        }
        refer(
            &mut s.encryption.certificate_type,
            &mut s.encryption.certificate,
        );
        let on = s.signing.enabled
            || s.encryption.encrypt_by_default
            || s.encryption.per_message_switch
            || s.encryption.certificate.is_some()
            || s.encryption.certificate_user_can_change;
        if !on {
            *s = Smime::default();
        }
    }
    for name in [
        e.account.authentication.identity_certificate.clone(),
        e.smime.signing.certificate.clone(),
        e.smime.encryption.certificate.clone(),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(uuid) = name.strip_prefix("external-").and_then(|_| {
            p.certificates
                .values()
                .filter_map(|c| c.external.as_ref()?.payload_uuid.clone())
                .find(|u| name == format!("external-{}", u[..8].to_lowercase()))
        }) {
            externals.insert(
                name.clone(),
                Certificate::external(ExternalCertificate {
                    payload_uuid: Some(uuid.to_uppercase()),
                    android_alias: None,
                    note: None,
                }),
            );
        }
    }
    let basename = |f: &str| format!("certs/{}", f.rsplit('/').next().unwrap_or(f));
    e.certificates = p
        .certificates
        .iter()
        .filter_map(|(name, c)| {
            let mut c = c.clone();
            c.graph_id = None;
            if c.display_name.as_deref() == Some(name.as_str()) {
                c.display_name = None;
            }
            match c.kind {
                CertificateKind::Pkcs12 => {
                    let p12 = c.pkcs12.as_mut()?;
                    p12.file = basename(&p12.file);
                    p12.passphrase = None;
                }
                CertificateKind::Ca => {
                    let ca = c.ca.as_mut()?;
                    ca.file = basename(&ca.file);
                }
                CertificateKind::Scep => {
                    let s = c.scep.as_mut()?;
                    s.challenge = None;
                    s.ca_fingerprint = s.ca_fingerprint.as_ref().map(|f| f.to_uppercase());
                    // When user name and email address are the same text, the importer cannot
                    // tell the placeholders apart and takes the email address.
                    if user.username == user.email_address {
                        s.subject = s
                            .subject
                            .as_ref()
                            .map(|t| t.replace("{{username}}", "{{emailAddress}}"));
                    }
                }
                _ => return None,
            }
            Some((name.clone(), c))
        })
        .chain(externals)
        .collect();

    let mut services = e.sync.services.clone();
    services.sort();
    e.sync.services = services;
    // Every payload's identity comes back: the kept one, else the one emailprof generated.
    let id = &p.identifier;
    let generated = |identifier: String, payload_type: &str| PayloadIdentity {
        uuid: emailprof_ios::payload_uuid(&identifier, payload_type, &user.user_id),
        identifier,
    };
    let payloads = p
        .platforms
        .ios
        .payloads
        .clone()
        .unwrap_or_else(|| IosPayloads {
            profile_uuid: Some(emailprof_ios::payload_uuid(
                id,
                "Configuration",
                &user.user_id,
            )),
            account: Some(generated(format!("{id}.eas"), "com.apple.eas.account")),
            certificates: e
                .certificates
                .iter()
                .filter_map(|(name, c)| {
                    let ty = match c.kind {
                        CertificateKind::Pkcs12 => "com.apple.security.pkcs12",
                        CertificateKind::Scep => "com.apple.security.scep",
                        CertificateKind::Ca => "com.apple.security.root",
                        _ => return None,
                    };
                    Some((name.clone(), generated(format!("{id}.cert.{name}"), ty)))
                })
                .collect(),
        });
    let ios = &mut e.platforms.ios;
    ios.payloads = Some(payloads);
    ios.minimum_os_version = None;
    ios.per_account_vpn_uuid = ios
        .per_account_vpn_uuid
        .take()
        .filter(|_| min >= OsVersion(14, 0, 0))
        .map(|u| u.to_uppercase());
    // A kept VPNUUID keeps the OS version that writes it.
    if ios.per_account_vpn_uuid.is_some() {
        ios.minimum_os_version = Some("14.0".into());
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn emit_then_import_gives_the_profile_back(
        p in profile(),
        data in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        // The generated profile is valid and is what its document means.
        let doc = profile_document(&p);
        let report = emailprof_core::validate(
            &Document { format: Format::Json, value: doc.clone(), locations: Locations::default() },
            ValidationOptions::default(),
        );
        prop_assert!(!report.has_errors(), "{:#?}\n{doc:#}", report.findings);
        prop_assert_eq!(serde_json::from_value::<EmailProfile>(doc).unwrap(), p.clone());

        let rp = resolved(&p, &data);
        let (xml, _) = emit(&rp, &EmitOptions::default());
        let min = p.platforms.ios.minimum_os_version.as_deref().map_or(OsVersion(13, 0, 0), |v| OsVersion::parse(v).unwrap());
        let errors = check_profile(&dict(&xml), min);
        prop_assert!(errors.is_empty(), "{}", errors.join("\n"));

        let imported = import_mobileconfig(xml.as_bytes()).expect("imports");
        let back: EmailProfile = serde_json::from_value(imported.profile.clone()).unwrap();
        let want = expected(&p, &rp.user, min);
        prop_assert_eq!(back, want, "\n{}", xml);
        // Re-emitting the import for the same user gives the same bytes, UUIDs included: all
        // that iOS expresses came back, and the profile would replace itself on the device.
        let mut again = rp.clone();
        again.profile = serde_json::from_value(imported.profile).unwrap();
        again.profile.platforms.ios.minimum_os_version = p.platforms.ios.minimum_os_version.clone();
        let (xml2, _) = emit(&again, &EmitOptions::default());
        prop_assert_eq!(xml2, xml);
    }
}
