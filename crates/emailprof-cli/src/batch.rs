//! `emailprof batch`: every user of a directory, every platform, in parallel, with flat memory.
//!
//! Users stream from the directory in chunks; worker threads resolve each user once, emit every
//! platform, and write each file atomically (temp file + rename). A manifest of completed
//! outputs makes `--resume` skip work whose inputs are unchanged. `--shard K/N` takes a stable
//! slice of the users so several machines split a directory with no coordination.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use emailprof_core::attributes::DirectoryAttributes;
use emailprof_core::{Artifact, EmitOptions, OsVersion, Severity, resolve_identity};

use crate::cli::ProfileInput;
use crate::output::write_atomic;
use crate::signing::{Signer, SigningArgs};
use crate::{Reporter, exit, invalid, profile, registry, resolve};

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The profile file.
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// Platforms to emit, comma-separated (see `emailprof platforms`).
    #[arg(long, value_delimiter = ',', required = true, value_name = "P1,P2,...")]
    pub platforms: Vec<String>,

    /// Directory export (CSV, JSON or LDIF); default the built-in example directory.
    #[arg(long, value_name = "FILE", conflicts_with = "resolver")]
    pub directory: Option<PathBuf>,

    /// With --resolver: the user ids to emit for, one per line (`-` for stdin).
    #[arg(long, value_name = "FILE", requires = "resolver")]
    pub users: Option<PathBuf>,

    #[command(flatten)]
    pub plugin: crate::cli::PluginArgs,

    /// Output directory: one file per user and platform, `DIR/<platform>/<user>.<ext>`.
    #[arg(long, short = 'o', value_name = "DIR", required_unless_present_any = ["archive", "jsonl"], conflicts_with_all = ["archive", "jsonl"])]
    pub out: Option<PathBuf>,

    /// Write one tar archive instead of a file per user.
    #[arg(long, value_name = "FILE", conflicts_with = "jsonl")]
    pub archive: Option<PathBuf>,

    /// Write one JSON line per artifact instead of a file per user.
    #[arg(long, value_name = "FILE")]
    pub jsonl: Option<PathBuf>,

    /// Skip outputs the manifest records as complete with unchanged inputs (with --out).
    #[arg(long, requires = "out")]
    pub resume: bool,

    /// Take only shard K of N (1-based): users whose FNV-1a-64 hash of the user id, modulo N,
    /// is K-1. Stable across runs and machines.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,

    /// Worker threads (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// No progress output.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Where to write the report of failed users (default: next to the output).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Oldest OS version to target.
    #[arg(long, value_name = "VERSION")]
    pub min_os: Option<String>,

    /// Write passwords and PKCS#12 passphrases into the artifacts.
    #[arg(long)]
    pub include_password: bool,

    #[command(flatten)]
    pub signing: SigningArgs,

    #[command(flatten)]
    pub input: ProfileInput,
}

/// `K/N`, 1 ≤ K ≤ N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a shard like 1/4 (K from 1 to N)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    pub fn contains(self, user_id: &str) -> bool {
        fnv1a64(user_id.as_bytes()) % self.n == self.k - 1
    }
}

/// FNV-1a, 64 bits: the documented, stable partition and manifest hash.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn mix(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.iter().chain(std::iter::once(&0xffu8)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// A file name for `user_id` that cannot escape its directory or clash with another user's:
/// characters outside `[a-z0-9._@+-]`, leading dots, reserved Windows device names and empty
/// ids are replaced, and any id changed that way gets `~` and a hash of the original id (`~`
/// never appears otherwise), so two different ids never map to one name, even on
/// case-insensitive file systems.
pub(crate) fn safe_file_stem(user_id: &str) -> String {
    const RESERVED: [&str; 22] = [
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
        "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];
    let mut out: String = user_id
        .chars()
        .take(100)
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '.' | '_' | '@' | '+' | '-' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    while out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    let base = out.split('.').next().unwrap_or("");
    if RESERVED.contains(&base) {
        // `NUL.txt` is as reserved as `NUL` on Windows.
        out.insert(0, '_');
    }
    let changed = out != user_id || out.is_empty();
    if changed {
        out = format!("{out}~{:016x}", fnv1a64(user_id.as_bytes()));
    }
    out
}

/// The extension part of an emitter's suggested file name (`com.x.mobileconfig` → `mobileconfig`).
fn extension(identifier: &str, artifact: &Artifact) -> String {
    artifact
        .file_name
        .strip_prefix(identifier)
        .and_then(|r| r.strip_prefix('.'))
        .filter(|r| !r.is_empty())
        .unwrap_or(&artifact.file_name)
        .to_owned()
}

enum Sink {
    Files {
        dir: PathBuf,
    },
    Archive {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    Jsonl {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
}

/// One file written for one user on one platform, for the manifest.
struct Output {
    user: String,
    platform: &'static str,
    rel: String,
    len: usize,
    key: u64,
}

/// What form the workers serialize outputs into.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Files,
    Archive,
    Jsonl,
}

/// Append one tar entry (header, data, padding), as `tar` writes it, without the archive's
/// end blocks, to `out`; on error `out` is left as it was.
fn push_tar_entry(
    out: &mut Vec<u8>,
    rel: &str,
    bytes: &[u8],
    sensitive: bool,
) -> std::io::Result<()> {
    let start = out.len();
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(if sensitive { 0o600 } else { 0o644 });
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    let mut b = tar::Builder::new(&mut *out);
    b.mode(tar::HeaderMode::Deterministic);
    let result = b
        .append_data(&mut header, rel, bytes)
        .and_then(|()| b.finish());
    drop(b);
    match result {
        // `finish` ends the archive with two zero blocks; entries are concatenated instead.
        Ok(()) => out.truncate(out.len().saturating_sub(1024)),
        Err(_) => out.truncate(start),
    }
    result
}

/// Writes the archive or JSON lines file, chunk by chunk, and starts writing back each
/// `WRITEBACK` bytes to disk while the run goes on, so the final `fsync` waits only for the
/// tail instead of the whole file.
struct StreamWriter {
    file: std::fs::File,
    offset: u64,
    flushed: u64,
}

impl StreamWriter {
    const WRITEBACK: u64 = 16 << 20;

    fn new(file: std::fs::File) -> Self {
        Self {
            file,
            offset: 0,
            flushed: 0,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.offset += bytes.len() as u64;
        if self.offset - self.flushed >= Self::WRITEBACK {
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                // SAFETY: the descriptor is open for the duration of the call; the range is
                // within what was written. SYNC_FILE_RANGE_WRITE only starts write-back (no
                // wait); a failure here changes nothing the final fsync does not check.
                unsafe {
                    libc::sync_file_range(
                        self.file.as_raw_fd(),
                        self.flushed as libc::off64_t,
                        (self.offset - self.flushed) as libc::off64_t,
                        libc::SYNC_FILE_RANGE_WRITE,
                    );
                }
            }
            self.flushed = self.offset;
        }
        Ok(())
    }
}

enum Outcome {
    /// A file on disk (one file per user), for the manifest.
    Written(Output),
    /// An entry appended to the chunk's archive or JSON lines bytes.
    Streamed,
    Unchanged,
    Failed {
        user: String,
        platform: Option<String>,
        reason: String,
    },
}

struct Job<'a> {
    platforms: Vec<(&'static str, Box<dyn emailprof_core::PreparedEmitter + 'a>)>,
    account: &'a emailprof_core::model::Account,
    identifier: &'a str,
    profile_hash: u64,
    signer: Option<Signer>,
    done: HashSet<u64>,
    dir: Option<PathBuf>,
    form: Form,
    sensitive: bool,
}

impl Job<'_> {
    fn failed(user: &str, platform: Option<&str>, reason: String) -> Outcome {
        Outcome::Failed {
            user: user.to_owned(),
            platform: platform.map(str::to_owned),
            reason,
        }
    }

    /// Emit every platform for one user: outcomes go to `out`, archive entries or JSON lines
    /// to `stream`.
    fn process(&self, attrs: DirectoryAttributes, out: &mut Vec<Outcome>, stream: &mut Vec<u8>) {
        let user_id = attrs.user_id.as_str();
        let identity = match resolve_identity(self.account, &attrs) {
            Ok(i) => i,
            Err(e) => return out.push(Self::failed(user_id, None, e.to_string())),
        };
        // The manifest key (inputs of one output) is only needed for files.
        let attrs_json = if self.form == Form::Files {
            serde_json::to_vec(&attrs).unwrap_or_default()
        } else {
            Vec::new()
        };
        let stem = safe_file_stem(user_id);
        for (platform, prepared) in &self.platforms {
            let key = if self.form == Form::Files {
                mix(&[
                    &self.profile_hash.to_le_bytes(),
                    platform.as_bytes(),
                    user_id.as_bytes(),
                    &attrs_json,
                ])
            } else {
                0
            };
            if self.done.contains(&key) {
                out.push(Outcome::Unchanged);
                continue;
            }
            let emission = match prepared.emit_user(&identity) {
                Ok(em) => em,
                Err(err) => {
                    out.push(Self::failed(user_id, Some(platform), err.to_string()));
                    continue;
                }
            };
            if let Some(d) = emission
                .diagnostics
                .iter()
                .find(|d| d.severity == Severity::Error)
            {
                out.push(Self::failed(user_id, Some(platform), d.to_string()));
                continue;
            }
            for a in emission.artifacts {
                let rel = format!("{platform}/{stem}.{}", extension(self.identifier, &a));
                let mut bytes = a.bytes;
                if let Some(s) = self
                    .signer
                    .as_ref()
                    .filter(|s| s.applies_to_media(&a.media_type))
                {
                    match s.sign(&bytes) {
                        Ok(signed) => bytes = signed,
                        Err(err) => {
                            out.push(Self::failed(
                                user_id,
                                Some(platform),
                                format!("signing: {err:#}"),
                            ));
                            continue;
                        }
                    }
                }
                match self.form {
                    Form::Files => {
                        // Files are written by the worker itself: parallel I/O. Atomic (temp file
                        // + rename); durability comes from one syncfs at the end, not a fsync per
                        // file.
                        if let Some(dir) = &self.dir
                            && let Err(err) =
                                write_atomic(&dir.join(&rel), &bytes, self.sensitive, false)
                        {
                            out.push(Self::failed(user_id, Some(platform), format!("{err:#}")));
                            continue;
                        }
                        out.push(Outcome::Written(Output {
                            user: user_id.to_owned(),
                            platform,
                            len: bytes.len(),
                            rel,
                            key,
                        }));
                    }
                    Form::Archive => {
                        if let Err(err) = push_tar_entry(stream, &rel, &bytes, self.sensitive) {
                            out.push(Self::failed(user_id, Some(platform), err.to_string()));
                            continue;
                        }
                        out.push(Outcome::Streamed);
                    }
                    Form::Jsonl => {
                        crate::jsonl::push_record(stream, user_id, platform, &rel, &bytes);
                        out.push(Outcome::Streamed);
                    }
                }
            }
        }
    }
}

/// A user to process: attributes from a directory file, or an id for the resolver plugin.
enum Item {
    Attrs(DirectoryAttributes),
    Id(String),
}

type UserIter = Box<dyn Iterator<Item = Result<Item, String>> + Send>;

/// The id on one line of a `--users` file, if the line holds one for this shard.
fn listed_id(line: &str, shard: Option<Shard>) -> Option<&str> {
    let id = line.trim();
    (!id.is_empty() && !id.starts_with('#') && shard.is_none_or(|s| s.contains(id))).then_some(id)
}

fn open_input(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| {
        anyhow::Error::new(crate::Invalid(format!(
            "{}: cannot read: {e}",
            path.display()
        )))
    })
}

/// Lines in a file: one fast pass, for the progress total and the duplicate filter's size.
fn count_lines(path: &Path) -> anyhow::Result<u64> {
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
fn user_ids(path: &Path, shard: Option<Shard>) -> anyhow::Result<(UserIter, Option<u64>)> {
    let stdin = path == Path::new("-");
    let lines = if stdin {
        None
    } else {
        Some(count_lines(path)?)
    };
    let (reader, mut duplicates, total): (Box<dyn std::io::BufRead + Send>, _, _) = match lines {
        None => (
            Box::new(std::io::BufReader::new(std::io::stdin())),
            crate::dedup::Duplicates::exact(),
            None,
        ),
        Some(lines) if lines <= crate::dedup::EXACT_UP_TO => (
            Box::new(std::io::BufReader::new(open_input(path)?)),
            crate::dedup::Duplicates::exact(),
            None,
        ),
        Some(lines) => {
            // A first pass over the file: how many ids, and which may repeat.
            let (duplicates, total) = crate::dedup::Duplicates::from_first_pass(
                std::io::BufReader::new(open_input(path)?)
                    .lines()
                    .map_while(Result::ok)
                    .filter_map(|l| listed_id(&l, shard).map(str::to_owned)),
                crate::dedup::Bloom::for_users(lines),
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

/// Users to process, optionally sharded. A CSV directory (and the built-in one) is streamed
/// row by row, so memory stays flat however many users it has; JSON and LDIF exports are
/// parsed whole. Also returns the number of users when it is known cheaply.
fn users(args: &BatchArgs) -> anyhow::Result<(UserIter, Option<u64>)> {
    let shard = args.shard;
    if args.plugin.resolver.is_some() {
        let Some(path) = &args.users else {
            invalid!("with --resolver, give the user ids with --users FILE (one per line)")
        };
        return user_ids(path, shard);
    }
    let keep = move |u: &DirectoryAttributes| shard.is_none_or(|s| s.contains(&u.user_id));
    let is_csv = match &args.directory {
        None => true,
        Some(p) => {
            emailprof_directory::DirectoryFormat::from_path(&p.display().to_string())
                == Some(emailprof_directory::DirectoryFormat::Csv)
        }
    };
    if !is_csv {
        let resolver = resolve::directory_resolver(args.directory.as_deref())?;
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
    let (name, reader, rows): (String, Box<dyn std::io::Read + Send>, Option<u64>) =
        match &args.directory {
            None => (
                "built-in example directory".into(),
                Box::new(resolve::BUILTIN_DIRECTORY),
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
    let (mut duplicates, total) = match (&args.directory, rows) {
        (Some(_), Some(lines)) if lines <= crate::dedup::EXACT_UP_TO => (
            crate::dedup::Duplicates::exact(),
            shard.is_none().then(|| lines.saturating_sub(1)),
        ),
        (Some(p), Some(lines)) => {
            let first = emailprof_directory::CsvStream::new(open_input(p)?)
                .into_iter()
                .flatten()
                .map_while(Result::ok)
                .filter(|(u, _)| keep(u))
                .map(|(u, _)| u.user_id);
            let (d, n) = crate::dedup::Duplicates::from_first_pass(
                first,
                crate::dedup::Bloom::for_users(lines),
            );
            (d, Some(n))
        }
        _ => (crate::dedup::Duplicates::exact(), None),
    };
    let stream = emailprof_directory::CsvStream::new(reader)
        .map_err(|e| anyhow::Error::new(crate::Invalid(format!("{name}: {e}"))))?;
    let iter = stream.filter_map(move |r| match r {
        Err(e) => Some(Err(format!("{name}: {e}"))),
        Ok((u, line)) => {
            if !keep(&u) {
                return None;
            }
            if !duplicates.first_time(&u.user_id) {
                return Some(Err(format!(
                    "{name}: line {line}: user id `{}` appears more than once",
                    u.user_id
                )));
            }
            Some(Ok(Item::Attrs(u)))
        }
    });
    Ok((Box::new(iter), total))
}

/// Flush every file written below `dir` to disk in one call (instead of a fsync per file).
fn sync_filesystem(dir: &Path) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        if let Ok(d) = std::fs::File::open(dir) {
            // SAFETY: `d` is an open file descriptor for the duration of the call.
            unsafe {
                libc::syncfs(d.as_raw_fd());
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
}

fn manifest_path(dir: &Path) -> PathBuf {
    dir.join(".emailprof-manifest.jsonl")
}

/// Keys of outputs recorded complete whose file is still there with the recorded size.
fn load_manifest(dir: &Path) -> anyhow::Result<HashSet<u64>> {
    let path = manifest_path(dir);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut done = HashSet::new();
    for line in std::io::BufReader::new(file).lines() {
        let Ok(line) = line else { break };
        // A line cut short by a crash is not a record.
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let (Some(key), Some(rel), Some(size)) = (
            v["k"]
                .as_str()
                .and_then(|k| u64::from_str_radix(k, 16).ok()),
            v["f"].as_str(),
            v["n"].as_u64(),
        ) else {
            continue;
        };
        if rel.contains("..") || rel.starts_with('/') {
            continue;
        }
        if std::fs::metadata(dir.join(rel)).is_ok_and(|m| m.len() == size) {
            done.insert(key);
        }
    }
    Ok(done)
}

struct Progress {
    bar: Option<indicatif::ProgressBar>,
    json: bool,
    quiet: bool,
    started: Instant,
    last: Mutex<Instant>,
}

impl Progress {
    fn new(total: Option<u64>, quiet: bool, json: bool) -> Self {
        use std::io::IsTerminal;
        let bar = (!quiet && !json && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total.unwrap_or(0));
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} users  {per_sec}  ETA {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Self {
            bar,
            json,
            quiet,
            started: Instant::now(),
            last: Mutex::new(Instant::now()),
        }
    }

    fn tick(&self, done: u64, total: Option<u64>, failed: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            return;
        }
        if self.quiet {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.elapsed() < Duration::from_secs(2) {
            return;
        }
        *last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let rate = done as f64 / secs;
        if self.json {
            eprintln!(
                "{}",
                serde_json::json!({"kind": "progress", "done": done, "total": total, "failed": failed, "usersPerSecond": rate.round()})
            );
        } else {
            let of = total.map(|t| format!("/{t}")).unwrap_or_default();
            eprintln!("progress: {done}{of} users, {failed} failed, {rate:.0} users/s");
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

pub(crate) fn run(args: BatchArgs, reporter: &Reporter, json: bool) -> anyhow::Result<u8> {
    let mut emitters = Vec::new();
    for id in &args.platforms {
        match registry::find(id) {
            Some(e) => emitters.push(e),
            None => invalid!(
                "unknown platform `{id}`; expected one of: {}",
                registry::emitters()
                    .iter()
                    .map(|e| e.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    let loaded = profile::load(&args.profile, &args.input, reporter)?;
    let min_os_version = match &args.min_os {
        Some(v) => match OsVersion::parse(v) {
            Some(v) => Some(v),
            None => invalid!("--min-os `{v}` is not a version like 13.0 or 15.4.1"),
        },
        None => None,
    };
    let signer = args.signing.signer()?;
    let (materials, password) =
        resolve::materials(&loaded.profile, &loaded.base_dir, args.include_password)?;
    let profile_hash = fnv1a64(&serde_json::to_vec(&loaded.profile)?)
        ^ mix(&[format!("{min_os_version:?}|{}", args.include_password).as_bytes()]);

    // Where outputs go.
    let (sink, report_path) = if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for e in &emitters {
            std::fs::create_dir_all(dir.join(e.id()))?;
        }
        (
            Sink::Files { dir: dir.clone() },
            dir.join("emailprof-report.json"),
        )
    } else {
        let (path, archive) = match (&args.archive, &args.jsonl) {
            (Some(p), _) => (p.clone(), true),
            (None, Some(p)) => (p.clone(), false),
            (None, None) => invalid!("give --out DIR, --archive FILE or --jsonl FILE"),
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".emailprof-")
            .suffix(".tmp")
            .tempfile_in(&parent)
            .with_context(|| format!("creating a temporary file in {}", parent.display()))?;
        let report = PathBuf::from(format!("{}.report.json", path.display()));
        if archive {
            (Sink::Archive { tmp, path }, report)
        } else {
            (Sink::Jsonl { tmp, path }, report)
        }
    };
    let report_path = args.report.clone().unwrap_or(report_path);

    let done = match (&sink, args.resume) {
        (Sink::Files { dir }, true) => load_manifest(dir)?,
        _ => HashSet::new(),
    };
    let resumed = done.len();

    let interrupted = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal ends the process at once.
        let _ =
            signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&interrupted));
        let _ = signal_hook::flag::register(sig, Arc::clone(&interrupted));
    }

    let (users, total) = users(&args)?;
    let resolver = resolve::plugin_resolver(&args.plugin)?;
    let base = emailprof_core::ResolvedProfile {
        profile: loaded.profile.clone(),
        user: emailprof_core::UserIdentity {
            user_id: String::new(),
            username: String::new(),
            email_address: String::new(),
            account: None,
            domain: None,
        },
        materials,
        password,
    };
    let options = EmitOptions {
        min_os_version,
        include_password: args.include_password,
        ..Default::default()
    };
    let mut platforms = Vec::new();
    for e in &emitters {
        let prepared = e
            .prepare(&base, &options)
            .map_err(|err| anyhow::Error::new(crate::Invalid(format!("{}: {err}", e.id()))))?;
        platforms.push((e.id(), prepared));
    }
    let form = match &sink {
        Sink::Files { .. } => Form::Files,
        Sink::Archive { .. } => Form::Archive,
        Sink::Jsonl { .. } => Form::Jsonl,
    };
    let job = Job {
        platforms,
        account: &loaded.profile.account,
        identifier: &loaded.profile.identifier,
        profile_hash,
        signer,
        done,
        dir: match &sink {
            Sink::Files { dir } => Some(dir.clone()),
            _ => None,
        },
        form,
        sensitive: args.include_password,
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let progress = Progress::new(total, args.quiet, json);
    let started = Instant::now();
    let processed = AtomicU64::new(0);
    let failed_users = AtomicU64::new(0);

    const CHUNK: usize = 256;
    let fatal: Mutex<Option<String>> = Mutex::new(None);
    let users = Mutex::new(users.enumerate());
    let (tx, rx) = mpsc::sync_channel::<(usize, Vec<Outcome>, Vec<u8>)>(jobs * 2);
    // Chunk buffers go back to the workers once written: no large allocation (and page
    // faults) per chunk.
    let buffers: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

    let mut written = 0u64;
    let mut unchanged = 0u64;
    let mut failures: Vec<serde_json::Value> = Vec::new();
    let write_result: anyhow::Result<()> = std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let users = &users;
            let job = &job;
            let interrupted = &interrupted;
            let processed = &processed;
            let failed_users = &failed_users;
            let progress = &progress;
            let fatal = &fatal;
            let resolver = &resolver;
            let buffers = &buffers;
            scope.spawn(move || {
                loop {
                    if interrupted.load(Ordering::Relaxed) {
                        return;
                    }
                    let (index, chunk): (usize, Vec<Item>) = {
                        let Ok(mut it) = users.lock() else { return };
                        let mut chunk = Vec::with_capacity(CHUNK);
                        let mut first = None;
                        for (i, u) in it.by_ref().take(CHUNK) {
                            first.get_or_insert(i);
                            match u {
                                Ok(u) => chunk.push(u),
                                Err(e) => {
                                    // A broken directory stops the run; what is done stays.
                                    if let Ok(mut f) = fatal.lock() {
                                        f.get_or_insert(e);
                                    }
                                    interrupted.store(true, Ordering::Relaxed);
                                    break;
                                }
                            }
                        }
                        match first {
                            Some(i) => (i / CHUNK, chunk),
                            None => return,
                        }
                    };
                    let n = chunk.len() as u64;
                    // Ids go to the resolver plugin in one batch per chunk.
                    let ids: Vec<String> = chunk
                        .iter()
                        .filter_map(|i| match i {
                            Item::Id(id) => Some(id.clone()),
                            Item::Attrs(_) => None,
                        })
                        .collect();
                    let mut resolved = match (&resolver, ids.is_empty()) {
                        (Some(r), false) => r.resolve_batch(&ids).into_iter(),
                        _ => Vec::new().into_iter(),
                    };
                    let mut outcomes = Vec::with_capacity(chunk.len() * job.platforms.len());
                    // The chunk's archive entries or JSON lines, in order: one buffer, one
                    // write by the writer.
                    let mut stream = buffers
                        .lock()
                        .ok()
                        .and_then(|mut b| b.pop())
                        .unwrap_or_default();
                    for item in chunk {
                        let before = outcomes.len();
                        match item {
                            Item::Attrs(attrs) => job.process(attrs, &mut outcomes, &mut stream),
                            Item::Id(id) => match resolved.next() {
                                Some(Ok(attrs)) => job.process(attrs, &mut outcomes, &mut stream),
                                Some(Err(e)) => {
                                    outcomes.push(Job::failed(&id, None, e.to_string()))
                                }
                                None => outcomes.push(Job::failed(
                                    &id,
                                    None,
                                    "the resolver gave no answer".into(),
                                )),
                            },
                        }
                        if outcomes[before..]
                            .iter()
                            .any(|o| matches!(o, Outcome::Failed { .. }))
                        {
                            failed_users.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    let done = processed.fetch_add(n, Ordering::Relaxed) + n;
                    progress.tick(done, total, failed_users.load(Ordering::Relaxed));
                    if tx.send((index, outcomes, stream)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);

        // The writer: manifest and report for files; the archive or JSONL in input order.
        let mut manifest = match &sink {
            Sink::Files { dir } => {
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(args.resume)
                    .write(true)
                    .truncate(!args.resume)
                    .open(manifest_path(dir))
                    .context("opening the manifest")?;
                Some(BufWriter::new(f))
            }
            _ => None,
        };
        // Archive entries and JSON lines are written in directory order (reproducible
        // output); files are already on disk, so their manifest lines need no order.
        let mut stream = match &sink {
            Sink::Archive { tmp, .. } | Sink::Jsonl { tmp, .. } => {
                Some(StreamWriter::new(tmp.as_file().try_clone()?))
            }
            Sink::Files { .. } => None,
        };
        let ordered = stream.is_some();
        let mut pending: BTreeMap<usize, (Vec<Outcome>, Vec<u8>)> = BTreeMap::new();
        let mut next = 0usize;
        for (index, outcomes, bytes) in rx {
            pending.insert(index, (outcomes, bytes));
            loop {
                let ready = if ordered {
                    pending.remove(&next)
                } else {
                    pending.pop_first().map(|(_, v)| v)
                };
                let Some((outcomes, bytes)) = ready else {
                    break;
                };
                next += 1;
                if let Some(w) = stream.as_mut() {
                    w.write(&bytes)?;
                    let mut bytes = bytes;
                    bytes.clear();
                    if let Ok(mut b) = buffers.lock() {
                        b.push(bytes);
                    }
                }
                for o in outcomes {
                    match o {
                        Outcome::Unchanged => unchanged += 1,
                        Outcome::Streamed => written += 1,
                        Outcome::Failed {
                            user,
                            platform,
                            reason,
                        } => {
                            failures.push(serde_json::json!({"user": user, "platform": platform, "reason": reason}));
                        }
                        Outcome::Written(out) => {
                            written += 1;
                            if let Some(m) = manifest.as_mut() {
                                writeln!(
                                    m,
                                    "{}",
                                    serde_json::json!({"k": format!("{:016x}", out.key), "u": out.user, "p": out.platform, "f": out.rel, "n": out.len})
                                )
                                .context("writing the manifest (.emailprof-manifest.jsonl)")?;
                            }
                        }
                    }
                }
            }
            if let Some(m) = manifest.as_mut() {
                m.flush()
                    .context("writing the manifest (.emailprof-manifest.jsonl)")?;
            }
        }
        if let Some(mut m) = manifest {
            m.flush()
                .and_then(|()| m.get_ref().sync_all())
                .context("writing the manifest (.emailprof-manifest.jsonl)")?;
        }
        if let Some(mut w) = stream
            && form == Form::Archive
        {
            // The end of a tar archive: two zero blocks.
            w.write(&[0u8; 1024])?;
        }
        Ok(())
    });
    progress.finish();
    write_result?;
    let fatal = fatal.into_inner().ok().flatten();
    if let Some(e) = &fatal {
        // Files written so far are complete and in the manifest; the archive is discarded.
        if let Sink::Files { .. } = sink {
            reporter.note("the outputs written before the error are complete; fix the directory and run again with --resume");
        }
        invalid!("{e}");
    }

    if let Sink::Files { dir } = &sink {
        sync_filesystem(dir);
    }
    let was_interrupted = interrupted.load(Ordering::Relaxed);
    if !was_interrupted {
        match sink {
            Sink::Archive { tmp, path } | Sink::Jsonl { tmp, path } => {
                tmp.as_file().sync_all()?;
                tmp.persist(&path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Sink::Files { .. } => {}
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let users_done = processed.load(Ordering::Relaxed);
    let report = serde_json::json!({
        "interrupted": was_interrupted,
        "users": users_done,
        "written": written,
        "unchanged": unchanged,
        "failed": failures.len(),
        "resumedFromManifest": resumed,
        "elapsedSeconds": elapsed,
        "failures": failures,
    });
    write_atomic(
        &report_path,
        (serde_json::to_string_pretty(&report)? + "\n").as_bytes(),
        false,
        true,
    )?;
    let summary = format!(
        "batch: {users_done} users in {elapsed:.2}s: {written} written, {unchanged} unchanged, {} failed{}; report: {}",
        failures.len(),
        if was_interrupted {
            " (interrupted: run again with --resume to finish)"
        } else {
            ""
        },
        report_path.display()
    );
    if json {
        eprintln!(
            "{}",
            serde_json::json!({"kind": "summary", "users": users_done, "written": written, "unchanged": unchanged, "failed": failures.len(), "interrupted": was_interrupted, "report": report_path})
        );
    } else if !args.quiet || !failures.is_empty() || was_interrupted {
        reporter.note(&summary);
    }
    Ok(if was_interrupted {
        130
    } else if failures.is_empty() {
        exit::OK
    } else {
        exit::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_cannot_escape_or_clash() {
        for (id, ok) in [
            ("user1", "user1"),
            ("megan.bowen", "megan.bowen"),
            ("a@contoso.com", "a@contoso.com"),
        ] {
            assert_eq!(safe_file_stem(id), ok);
        }
        let hostile = [
            "..",
            ".",
            "../../etc/passwd",
            "/etc/passwd",
            "a/b",
            "a\\b",
            "C:\\x",
            "con",
            "CON",
            "nul.txt",
            "lpt1",
            "",
            "a\0b",
            "a\nb",
            ".hidden",
            "User1",
            "USER1",
            "é",
            "a b",
            "a~b",
        ];
        let mut seen = HashSet::new();
        for id in hostile {
            let s = safe_file_stem(id);
            assert!(
                !s.contains('/') && !s.contains('\\') && !s.contains('\0'),
                "{id:?} -> {s}"
            );
            assert!(!s.starts_with('.'), "{id:?} -> {s}");
            assert!(s.chars().all(|c| c.is_ascii_graphic()), "{id:?} -> {s}");
            assert!(
                !["con", "nul", "lpt1"].contains(&s.split('.').next().unwrap()),
                "{id:?} -> {s}"
            );
            assert!(seen.insert(s.to_ascii_lowercase()), "{id:?} clashes");
        }
        // Case-insensitive file systems: ids differing in case never share a name.
        assert_ne!(
            safe_file_stem("user1").to_ascii_lowercase(),
            safe_file_stem("User1").to_ascii_lowercase()
        );
        // Long ids are bounded.
        assert!(safe_file_stem(&"x".repeat(5000)).len() < 130);
    }

    #[test]
    fn shards_partition_the_users() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("user{i}")).collect();
        let n = 7;
        let mut counts = vec![0usize; n as usize];
        for id in &ids {
            let hits: Vec<u64> = (1..=n)
                .filter(|k| Shard { k: *k, n }.contains(id))
                .collect();
            assert_eq!(hits.len(), 1, "{id} in {hits:?}");
            counts[(hits[0] - 1) as usize] += 1;
        }
        // Roughly even: every shard within 20% of the mean.
        let mean = ids.len() / n as usize;
        assert!(
            counts.iter().all(|c| c.abs_diff(mean) < mean / 5),
            "{counts:?}"
        );
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { k: 2, n: 5 }));
        assert!("0/5".parse::<Shard>().is_err());
        assert!("6/5".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
