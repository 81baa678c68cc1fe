//! The users of a batch, streamed: a CSV directory row by row and a Microsoft Entra ID export
//! user by user (flat memory), other JSON and LDIF exports whole, user ids for a resolver
//! plugin one per line, or the users a resolver plugin lists batch by batch; sharded, and
//! refused when an id repeats.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use emailprof_core::attributes::DirectoryAttributes;

use super::dedup::{Bloom, Duplicates, EXACT_UP_TO};
use super::naming::Shard;
use crate::error::Result;
use crate::material::open_input;
use crate::users::{BUILTIN_DIRECTORY, NetbiosMap, PluginSpec, directory_resolver};

/// Which users a batch emits for.
#[derive(Clone, Debug)]
pub enum Users {
    /// Every user of a directory export (`None`: the built-in example directory).
    Directory(Option<PathBuf>),
    /// Like `Directory`, with the NetBIOS domain names the export does not give (`--netbios`;
    /// Microsoft Entra ID exports never give them).
    DirectoryWithNetbios {
        directory: Option<PathBuf>,
        netbios: NetbiosMap,
    },
    /// The ids listed in a file (`-`: stdin), one per line, resolved by a plugin.
    Plugin {
        plugin: PluginSpec,
        ids: Option<PathBuf>,
    },
}

/// A user to process: attributes from a directory file or a plugin's listing, an id for the
/// resolver plugin, or a listed user the plugin could not read.
pub(crate) enum Item {
    Attrs(DirectoryAttributes),
    Id(String),
    Failed { id: String, reason: String },
}

pub(crate) type UserIter = Box<dyn Iterator<Item = Result<Item, String>> + Send>;

/// The id on one line of a `--users` file, if the line holds one for this shard.
fn listed_id(line: &str, shard: Option<Shard>) -> Option<&str> {
    let id = line.trim();
    (!id.is_empty() && !id.starts_with('#') && shard.is_none_or(|s| s.contains(id))).then_some(id)
}

/// Lines in a file: one fast pass, for the progress total and the duplicate filter's size.
fn count_lines(path: &Path) -> Result<u64> {
    let mut lines = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    let mut f = open_input(path)?;
    loop {
        let n = std::io::Read::read(&mut f, &mut buf)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
    Ok(lines)
}

/// User ids for a resolver plugin, one per line, blank lines and `#` comments skipped; an id
/// listed twice stops the run. Also returns the number of ids when the list is a file.
fn user_ids(path: &Path, shard: Option<Shard>) -> Result<(UserIter, Option<u64>)> {
    let stdin = path == Path::new("-");
    let lines = if stdin {
        None
    } else {
        Some(count_lines(path)?)
    };
    let (reader, mut duplicates, total): (Box<dyn std::io::BufRead + Send>, _, _) = match lines {
        None => (
            Box::new(std::io::BufReader::new(std::io::stdin())),
            Duplicates::exact(),
            None,
        ),
        Some(lines) if lines <= EXACT_UP_TO => (
            Box::new(std::io::BufReader::new(open_input(path)?)),
            Duplicates::exact(),
            None,
        ),
        Some(lines) => {
            // A first pass over the file: how many ids, and which may repeat.
            let (duplicates, total) = Duplicates::from_first_pass(
                std::io::BufReader::new(open_input(path)?)
                    .lines()
                    .map_while(Result::ok)
                    .filter_map(|l| listed_id(&l, shard).map(str::to_owned)),
                Bloom::for_users(lines),
            );
            (
                Box::new(std::io::BufReader::new(open_input(path)?)),
                duplicates,
                Some(total),
            )
        }
    };
    let shown = path.display().to_string();
    let iter = reader.lines().enumerate().filter_map(move |(i, line)| {
        let line = match line {
            Ok(l) => l,
            Err(e) => return Some(Err(format!("{shown}: line {}: {e}", i + 1))),
        };
        let id = listed_id(&line, shard)?;
        if !duplicates.first_time(id) {
            return Some(Err(format!(
                "{shown}: line {}: user id `{id}` appears more than once",
                i + 1
            )));
        }
        Some(Ok(Item::Id(id.to_owned())))
    });
    Ok((Box::new(iter), total))
}

/// Every user a plugin lists, one batch of the plugin's in memory at a time; sharded, and
/// refused when an id repeats. A listing that breaks stops the run (a short listing must
/// never look complete). The total is not known in advance.
///
/// Repeats are found with the exact set of id hashes (`HashSlab`, about 10 bytes a user): a
/// live listing cannot be read twice for the fixed-memory filter of `dedup` (users added
/// between the passes would escape it).
fn listed(plugin: &PluginSpec, shard: Option<Shard>) -> Result<(UserIter, Option<u64>)> {
    let batches = crate::users::plugin_listing(plugin)?;
    let mut duplicates = Duplicates::exact();
    let iter = batches
        .flat_map(
            |batch| -> Box<dyn Iterator<Item = Result<_, String>> + Send> {
                match batch {
                    Ok(users) => Box::new(users.into_iter().map(Ok)),
                    Err(e) => Box::new(std::iter::once(Err(format!(
                        "the listing of users is incomplete: {e}"
                    )))),
                }
            },
        )
        .filter_map(move |user| {
            let (id, result) = match user {
                Ok(u) => u,
                Err(e) => return Some(Err(e)),
            };
            if !shard.is_none_or(|s| s.contains(&id)) {
                return None;
            }
            if !duplicates.first_time(&id) {
                return Some(Err(format!(
                    "the plugin listed user id `{id}` more than once"
                )));
            }
            Some(Ok(match result {
                Ok(attrs) => Item::Attrs(attrs),
                Err(e) => Item::Failed {
                    id,
                    reason: e.to_string(),
                },
            }))
        });
    Ok((Box::new(iter), None))
}

/// Users to process, optionally sharded. A CSV directory (and the built-in one) is streamed
/// row by row, so memory stays flat however many users it has; JSON and LDIF exports are
/// parsed whole. Also returns the number of users when it is known cheaply.
pub(crate) fn stream(users: &Users, shard: Option<Shard>) -> Result<(UserIter, Option<u64>)> {
    let (directory, netbios) = match users {
        Users::Plugin { ids, plugin } => {
            return match ids {
                Some(path) => user_ids(path, shard),
                None => listed(plugin, shard),
            };
        }
        Users::Directory(d) => (d, None),
        Users::DirectoryWithNetbios { directory, netbios } => (directory, Some(netbios.clone())),
    };
    let (iter, total) = directory_users(directory, shard)?;
    let Some(netbios) = netbios else {
        return Ok((iter, total));
    };
    let iter = iter.map(move |item| match item {
        Ok(Item::Attrs(mut attrs)) => {
            netbios.apply(&mut attrs);
            Ok(Item::Attrs(attrs))
        }
        other => other,
    });
    Ok((Box::new(iter), total))
}

/// A Microsoft Entra ID export, streamed user by user. A large file is read twice, like a CSV
/// file: first for the number of users and the ids that may repeat (see `dedup`).
fn entra_users(path: &Path, shard: Option<Shard>) -> Result<(UserIter, Option<u64>)> {
    let name = path.display().to_string();
    let keep = move |u: &DirectoryAttributes| shard.is_none_or(|s| s.contains(&u.user_id));
    let open = |p: &Path, ids_only: bool| {
        let input = open_input(p)?;
        let stream = if ids_only {
            emailprof_directory::EntraStream::ids(input)
        } else {
            emailprof_directory::EntraStream::new(input)
        };
        stream.map_err(|e| crate::Error::invalid(format!("{name}: cannot start reading: {e}")))
    };
    // A Graph user with the README's $select takes about 300 bytes (more with every property):
    // the estimate of the number of users, which picks exact tracking or the two passes and
    // sizes the filter as `count_lines` does for CSV.
    let estimate = std::fs::metadata(path).map_or(0, |m| m.len()) / 300;
    let (duplicates, total) = if estimate <= EXACT_UP_TO {
        (Duplicates::exact(), None)
    } else {
        // The first pass needs only the ids: it skips the other values.
        let first = open(path, true)?
            .map_while(Result::ok)
            .filter(|(u, _)| keep(u))
            .map(|(u, _)| u.user_id);
        let (d, n) = Duplicates::from_first_pass(first, Bloom::for_users(estimate));
        (d, Some(n))
    };
    let rows = open(path, false)?;
    Ok((checked_rows(name, rows, shard, duplicates), total))
}

/// The users of a directory's rows for this shard, each id checked against the ones before;
/// a row that does not parse or repeats an id ends the run with its line.
fn checked_rows<E: std::fmt::Display>(
    name: String,
    rows: impl Iterator<Item = std::result::Result<(DirectoryAttributes, impl std::fmt::Display), E>>
    + Send
    + 'static,
    shard: Option<Shard>,
    mut duplicates: Duplicates,
) -> UserIter {
    Box::new(rows.filter_map(move |r| match r {
        Err(e) => Some(Err(format!("{name}: {e}"))),
        Ok((u, _)) if shard.is_some_and(|s| !s.contains(&u.user_id)) => None,
        Ok((u, line)) => {
            if !duplicates.first_time(&u.user_id) {
                return Some(Err(format!(
                    "{name}: line {line}: user id `{}` appears more than once",
                    u.user_id
                )));
            }
            Some(Ok(Item::Attrs(u)))
        }
    }))
}

/// Whether `path` is a `.json` file holding a Microsoft Entra ID export (by its first bytes).
fn is_entra_export(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut prefix = Vec::with_capacity(64 * 1024);
    open_input(path)?
        .take(64 * 1024)
        .read_to_end(&mut prefix)
        .map_err(|e| crate::Error::invalid(format!("{}: cannot read: {e}", path.display())))?;
    Ok(emailprof_directory::is_entra_export(&prefix))
}

/// The users of a directory export (`None`: the built-in example directory).
fn directory_users(
    directory: &Option<PathBuf>,
    shard: Option<Shard>,
) -> Result<(UserIter, Option<u64>)> {
    let keep = move |u: &DirectoryAttributes| shard.is_none_or(|s| s.contains(&u.user_id));
    if let Some(p) = directory
        && emailprof_directory::DirectoryFormat::from_path(&p.display().to_string())
            == Some(emailprof_directory::DirectoryFormat::Json)
        && is_entra_export(p)?
    {
        return entra_users(p, shard);
    }
    let is_csv = match directory {
        None => true,
        Some(p) => {
            emailprof_directory::DirectoryFormat::from_path(&p.display().to_string())
                == Some(emailprof_directory::DirectoryFormat::Csv)
        }
    };
    if !is_csv {
        let resolver = directory_resolver(directory.as_deref())?;
        let selected: Vec<DirectoryAttributes> = resolver
            .directory()
            .users()
            .filter(|u| keep(u))
            .cloned()
            .collect();
        let total = selected.len() as u64;
        return Ok((
            Box::new(selected.into_iter().map(|u| Ok(Item::Attrs(u)))),
            Some(total),
        ));
    }
    let (name, reader, rows): (String, Box<dyn std::io::Read + Send>, Option<u64>) = match directory
    {
        None => (
            "built-in example directory".into(),
            Box::new(BUILTIN_DIRECTORY),
            None,
        ),
        Some(p) => (
            p.display().to_string(),
            Box::new(open_input(p)?),
            Some(count_lines(p)?),
        ),
    };
    // Duplicate ids would overwrite each other's files. A large file is read twice: first for
    // the number of users (after sharding) and the ids that may repeat, in fixed memory (see
    // `dedup`); a small one and the built-in directory are read once, remembering every id.
    let (duplicates, total) = match (directory, rows) {
        (Some(_), Some(lines)) if lines <= EXACT_UP_TO => (
            Duplicates::exact(),
            shard.is_none().then(|| lines.saturating_sub(1)),
        ),
        (Some(p), Some(lines)) => {
            let first = emailprof_directory::CsvStream::new(open_input(p)?)
                .into_iter()
                .flatten()
                .map_while(Result::ok)
                .filter(|(u, _)| keep(u))
                .map(|(u, _)| u.user_id);
            let (d, n) = Duplicates::from_first_pass(first, Bloom::for_users(lines));
            (d, Some(n))
        }
        _ => (Duplicates::exact(), None),
    };
    let stream = emailprof_directory::CsvStream::new(reader)
        .map_err(|e| crate::Error::invalid(format!("{name}: {e}")))?;
    Ok((checked_rows(name, stream, shard, duplicates), total))
}

/// The plugin that resolves a batch's user ids, when it has ids (a listing brings the
/// attributes with it).
pub(crate) fn plugin(users: &Users) -> Option<&PluginSpec> {
    match users {
        Users::Plugin {
            plugin,
            ids: Some(_),
        } => Some(plugin),
        Users::Plugin { ids: None, .. }
        | Users::Directory(_)
        | Users::DirectoryWithNetbios { .. } => None,
    }
}
