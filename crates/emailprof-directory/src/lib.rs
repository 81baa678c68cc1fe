//! Directory files as attribute resolvers: CSV, JSON and LDIF exports of a directory, parsed
//! from bytes (the caller reads the file), plus MDM placeholder mode.
//!
//! A JSON file that holds Microsoft Entra ID users (Microsoft Graph pages, `az ad user list`,
//! `Get-MgUser | ConvertTo-Json`) is told apart by content and read by the `graph` module; its
//! users are found by user principal name or by object id.
//!
//! Every format is reduced to the same record: user id, UPN, primary SMTP address,
//! sAMAccountName, domain FQDN and NetBIOS name (see [`DirectoryAttributes`]). Fields this
//! crate does not know are ignored and listed by [`Directory::ignored_fields`], so the caller
//! can warn about a misspelt column instead of silently missing it.
//!
//! Rules shared by all formats:
//! - Values are trimmed; an empty value is a missing attribute.
//! - Primary SMTP address: an explicit `primarySmtpAddress`/`email` wins, else the
//!   `proxyAddresses` value with the upper-case `SMTP:` prefix (Exchange marks the primary
//!   address that way; lower-case `smtp:` are secondary), else `mail`.
//! - Domain FQDN: an explicit `domainFqdn`, else the `DC=` components of the entry's DN.
//! - Lookup by user id is exact, then case-insensitive when that matches exactly one user.

use std::collections::HashMap;
use std::fmt;

use emailprof_attributes::{AttributeResolver, DirectoryAttributes, ResolveError};

mod csv_format;
pub mod dn;
mod graph;
mod json_format;
mod ldif;
mod netbios;
pub mod placeholders;
mod record;

pub use netbios::NetbiosMap;
pub use record::primary_smtp;

/// Whether the first bytes of a `.json` directory file (or all of them) are a Microsoft Entra
/// ID export, which [`EntraStream`] reads one user at a time; `false` also when the bytes end
/// before that is decided.
pub fn is_entra_export(prefix: &[u8]) -> bool {
    graph::is_graph(prefix) == Some(true)
}

/// The users of a Microsoft Entra ID export (see [`is_entra_export`]), read on a thread of
/// their own and handed over in small batches: memory stays flat however many users or pages
/// the file has. Like [`CsvStream`], it does not look for duplicate user ids.
pub struct EntraStream {
    batches: std::sync::mpsc::Receiver<Vec<Result<(DirectoryAttributes, usize), DirectoryError>>>,
    current: std::vec::IntoIter<Result<(DirectoryAttributes, usize), DirectoryError>>,
}

impl EntraStream {
    /// Users handed over at a time: enough to make the hand-over cost nothing, few enough to
    /// keep memory small.
    const BATCH: usize = 256;

    /// Start reading `reader`; fails only when no thread can be started.
    pub fn new<R: std::io::Read + Send + 'static>(reader: R) -> std::io::Result<Self> {
        Self::start(reader, false)
    }

    /// Like [`EntraStream::new`], but each user's attributes hold only its user id: a pass
    /// that skips the other values (for a first pass over the ids). It gives the same ids as
    /// a full read and stops at no user a full read accepts.
    pub fn ids<R: std::io::Read + Send + 'static>(reader: R) -> std::io::Result<Self> {
        Self::start(reader, true)
    }

    fn start<R: std::io::Read + Send + 'static>(
        reader: R,
        ids_only: bool,
    ) -> std::io::Result<Self> {
        let (tx, batches) = std::sync::mpsc::sync_channel(4);
        std::thread::Builder::new()
            .name("entra-export".into())
            .spawn(move || {
                let mut batch = Vec::with_capacity(Self::BATCH);
                let result = graph::read(reader, ids_only, &mut |u| {
                    batch.push(Ok((u.attrs, u.line)));
                    if batch.len() == Self::BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(Self::BATCH));
                        // The reader went away: stop reading.
                        tx.send(full).map_err(|_| "stopped".to_owned())?;
                    }
                    Ok(())
                });
                if let Err((line, message)) = result {
                    batch.push(Err(DirectoryError::Syntax {
                        format: DirectoryFormat::Json,
                        line,
                        message,
                    }));
                }
                let _ = tx.send(batch);
            })?;
        Ok(Self {
            batches,
            current: Vec::new().into_iter(),
        })
    }
}

impl Iterator for EntraStream {
    /// A user and the line its object starts on; after an error, nothing.
    type Item = Result<(DirectoryAttributes, usize), DirectoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(item);
            }
            self.current = self.batches.recv().ok()?.into_iter();
        }
    }
}

/// The users of a CSV directory file, one row at a time, in constant memory: what `batch`
/// reads a directory of any size with. Unlike [`Directory::parse`] it does not look for
/// duplicate user ids; the caller does, if it needs to.
pub struct CsvStream<R: std::io::Read>(csv_format::CsvUsers<R>);

impl<R: std::io::Read> CsvStream<R> {
    /// Read the header row.
    pub fn new(reader: R) -> Result<Self, DirectoryError> {
        csv_format::CsvUsers::open(reader)
            .map(Self)
            .map_err(|(line, message)| DirectoryError::Syntax {
                format: DirectoryFormat::Csv,
                line,
                message,
            })
    }
}

impl<R: std::io::Read> Iterator for CsvStream<R> {
    /// A user and the line it is on.
    type Item = Result<(DirectoryAttributes, usize), DirectoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|r| {
            r.map_err(|(line, message)| DirectoryError::Syntax {
                format: DirectoryFormat::Csv,
                line,
                message,
            })
        })
    }
}

/// The syntax of a directory file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DirectoryFormat {
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// An array of user objects, or `{"users": [...]}`; or a Microsoft Entra ID export
    /// (Microsoft Graph users), told apart by content.
    Json,
    /// LDAP Data Interchange Format (RFC 2849 content records), e.g. from `ldifde` or
    /// `ldapsearch -LLL`.
    Ldif,
}

impl DirectoryFormat {
    /// The format a file name's extension says: `.csv`, `.json` (or `.jsonl`, `.ndjson`: Graph
    /// pages one per line), `.ldif` or `.ldf` (the
    /// extension `ldifde` uses), case-insensitive.
    pub fn from_path(path: &str) -> Option<Self> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let (_, ext) = name.rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            // JSON lines: Microsoft Graph pages written one per line by a paging loop.
            "json" | "jsonl" | "ndjson" => Some(Self::Json),
            "ldif" | "ldf" => Some(Self::Ldif),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Json => "JSON",
            Self::Ldif => "LDIF",
        }
    }
}

impl fmt::Display for DirectoryFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a directory file could not be read. Lines are 1-based lines of the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// The file is not well-formed, or a record breaks a rule.
    #[error("{format} line {line}: {message}")]
    Syntax {
        format: DirectoryFormat,
        line: usize,
        message: String,
    },
    /// Two records have the same user id (compared exactly).
    #[error(
        "user id `{user_id}` appears twice, at line {first_line} and line {second_line}; user ids must be unique"
    )]
    DuplicateUser {
        user_id: String,
        first_line: usize,
        second_line: usize,
    },
}

#[derive(Clone, Debug)]
struct Entry {
    attrs: DirectoryAttributes,
    line: usize,
}

/// A parsed directory file: users in file order, indexed by user id.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    entries: Vec<Entry>,
    exact: HashMap<String, usize>,
    folded: HashMap<String, Vec<usize>>,
    ignored_fields: Vec<String>,
}

impl Directory {
    /// Parse a directory file's bytes.
    pub fn parse(bytes: &[u8], format: DirectoryFormat) -> Result<Directory, DirectoryError> {
        let syntax = |(line, message)| DirectoryError::Syntax {
            format,
            line,
            message,
        };
        let (parsed, object_ids) = match format {
            DirectoryFormat::Csv => (csv_format::parse(bytes).map_err(syntax)?, Vec::new()),
            DirectoryFormat::Json if graph::is_graph(bytes) == Some(true) => {
                graph::parse(bytes).map_err(syntax)?
            }
            DirectoryFormat::Json => (json_format::parse(bytes).map_err(syntax)?, Vec::new()),
            DirectoryFormat::Ldif => (ldif::parse(bytes).map_err(syntax)?, Vec::new()),
        };
        Self::from_records(parsed.records, parsed.ignored_fields, object_ids)
    }

    /// `object_ids[i]`, when given, is a second id record `i` is found by (Graph object ids);
    /// it must not be any other user's id either.
    fn from_records(
        records: Vec<(DirectoryAttributes, usize)>,
        mut ignored_fields: Vec<String>,
        object_ids: Vec<Option<String>>,
    ) -> Result<Directory, DirectoryError> {
        let mut dir = Directory::default();
        let mut object_ids = object_ids.into_iter();
        for (attrs, line) in records {
            let index = dir.entries.len();
            let object_id = object_ids.next().flatten();
            for id in std::iter::once(&attrs.user_id).chain(object_id.as_ref()) {
                if let Some(&first) = dir.exact.get(id) {
                    return Err(DirectoryError::DuplicateUser {
                        user_id: id.clone(),
                        first_line: dir.entries[first].line,
                        second_line: line,
                    });
                }
                dir.exact.insert(id.clone(), index);
                let folded = dir.folded.entry(id.to_lowercase()).or_default();
                if folded.last() != Some(&index) {
                    folded.push(index);
                }
            }
            dir.entries.push(Entry { attrs, line });
        }
        ignored_fields.sort_by_key(|f| f.to_lowercase());
        ignored_fields.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        dir.ignored_fields = ignored_fields;
        Ok(dir)
    }

    /// The user with this id: exact match first, then a case-insensitive match if exactly one
    /// user matches that way.
    pub fn get(&self, user_id: &str) -> Option<&DirectoryAttributes> {
        self.lookup(user_id).ok()
    }

    /// Like [`Directory::get`], saying why nothing was found: no such user, or several users
    /// whose ids differ only in case.
    pub fn lookup(&self, user_id: &str) -> Result<&DirectoryAttributes, ResolveError> {
        if let Some(&i) = self.exact.get(user_id) {
            return Ok(&self.entries[i].attrs);
        }
        match self.folded.get(&user_id.to_lowercase()).map(Vec::as_slice) {
            Some([i]) => Ok(&self.entries[*i].attrs),
            Some(several) if several.len() > 1 => Err(ResolveError::Ambiguous {
                user_id: user_id.to_owned(),
                count: several.len(),
            }),
            _ => Err(ResolveError::NotFound(user_id.to_owned())),
        }
    }

    /// The line of the file where the record of `user_id` (exact id, or object id) starts.
    pub fn line_of(&self, user_id: &str) -> Option<usize> {
        self.exact.get(user_id).map(|&i| self.entries[i].line)
    }

    /// All users, in file order.
    pub fn users(&self) -> impl Iterator<Item = &DirectoryAttributes> {
        self.entries.iter().map(|e| &e.attrs)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Column or field names the file has that this crate does not use (sorted,
    /// case-insensitively distinct). LDIF attributes are not listed: LDIF exports carry many
    /// attributes by design.
    pub fn ignored_fields(&self) -> &[String] {
        &self.ignored_fields
    }
}

/// The built-in resolver: users from a parsed directory file.
#[derive(Clone, Debug)]
pub struct DirectoryFileResolver {
    directory: Directory,
    source: String,
    netbios: NetbiosMap,
}

impl DirectoryFileResolver {
    /// `source` names the file in [`AttributeResolver::describe`], e.g. its path.
    pub fn new(directory: Directory, source: impl Into<String>) -> Self {
        Self {
            directory,
            source: source.into(),
            netbios: NetbiosMap::default(),
        }
    }

    /// Fill the NetBIOS names the file does not give from `netbios` (by the user's domain).
    pub fn with_netbios(mut self, netbios: NetbiosMap) -> Self {
        self.netbios = netbios;
        self
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }
}

impl AttributeResolver for DirectoryFileResolver {
    fn describe(&self) -> String {
        format!("directory file {}", self.source)
    }

    fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
        let mut attrs = self.directory.lookup(user_id).cloned()?;
        self.netbios.apply(&mut attrs);
        Ok(attrs)
    }
}

/// What a format parser hands back: records with the line they start at.
pub(crate) struct Parsed {
    pub(crate) records: Vec<(DirectoryAttributes, usize)>,
    pub(crate) ignored_fields: Vec<String>,
}

/// A format parser's error: line and message.
pub(crate) type ParseError = (usize, String);
