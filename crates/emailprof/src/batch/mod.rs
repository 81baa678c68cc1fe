//! The batch engine: every user of a directory, every platform, in parallel, with flat memory.
//!
//! Users stream from the directory in chunks; worker threads resolve each user once, emit every
//! platform, and write each file atomically (temp file + rename). A manifest of completed
//! outputs makes a resumed run skip work whose inputs are unchanged. A [`Shard`] takes a stable
//! slice of the users so several machines split a directory with no coordination.
//!
//! The engine prints nothing: progress goes to a [`Progress`] the caller gives, the outcome
//! comes back as a [`BatchReport`] (also written as the report file).

mod dedup;
mod job;
mod jsonl;
mod naming;
mod sink;
mod users;

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Instant;

use emailprof_core::{EmitOptions, OsVersion};

pub use naming::{Shard, fnv1a64, safe_file_stem};
pub use sink::{Output, write_atomic};
pub use users::Users;

use self::job::{Job, Outcome};
use self::naming::mix;
use self::sink::{Form, Sink, StreamWriter, load_manifest};
use self::users::Item;
use crate::error::{Context, Error, Result};
use crate::material::MaterialReader;
use crate::profile::LoadedProfile;
use crate::registry;
use crate::sign::Signer;

/// Everything a batch run needs.
pub struct BatchConfig {
    pub profile: LoadedProfile,
    /// Platform ids (see [`registry::emitters`]).
    pub platforms: Vec<String>,
    pub users: Users,
    pub shard: Option<Shard>,
    pub output: Output,
    /// Where the report goes (default: beside the output).
    pub report: Option<PathBuf>,
    pub min_os_version: Option<OsVersion>,
    /// Write passwords and PKCS#12 passphrases into the artifacts (which are then private).
    pub include_password: bool,
    pub signer: Option<Signer>,
    /// Worker threads (at least one).
    pub jobs: usize,
    /// Reads the certificate files and secrets the profile names.
    pub reader: MaterialReader,
    /// Set (e.g. by a signal handler) to stop the run after the chunks in flight.
    pub interrupted: Arc<AtomicBool>,
    /// A user whose artifacts carry a warning counts as failed, and nothing of theirs is
    /// written.
    pub strict: bool,
    /// With files: remove outputs of users no longer in the directory (they are reported
    /// either way).
    pub prune: bool,
}

/// One diagnostic of a run, counted over the users it was said about.
#[derive(Clone, Debug)]
pub struct DiagnosticCount {
    pub platform: String,
    /// JSON pointer of the setting.
    pub setting: String,
    pub severity: emailprof_core::Severity,
    /// The message, as said for the first user.
    pub message: String,
    pub users: u64,
    /// The first users it was said about (at most [`FIRST_USERS`]).
    pub first_users: Vec<String>,
}

/// How many users a diagnostic count names.
pub const FIRST_USERS: usize = 5;

/// Outputs found in the output directory that this run did not write: users no longer in the
/// directory (or no longer given).
#[derive(Clone, Debug, Default)]
pub struct Stale {
    /// Whether stale outputs were looked for (not in sharded, interrupted or failed runs, nor
    /// for archives and JSON lines).
    pub checked: bool,
    /// Paths relative to the output directory.
    pub files: Vec<String>,
    /// Whether they were removed (`prune`).
    pub pruned: bool,
}

/// Told how far a run is, every chunk of users.
pub trait Progress: Sync {
    fn tick(&self, done: u64, total: Option<u64>, failed: u64);
}

/// No progress reports.
impl Progress for () {
    fn tick(&self, _: u64, _: Option<u64>, _: u64) {}
}

/// A user (and platform) that failed, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub user: String,
    pub platform: Option<String>,
    pub reason: String,
}

/// What a run did.
#[derive(Clone, Debug)]
pub struct BatchReport {
    /// The run stopped early because `interrupted` was set.
    pub interrupted: bool,
    /// Users processed.
    pub users: u64,
    /// Outputs written.
    pub written: u64,
    /// Outputs skipped as complete with unchanged inputs (resumed runs).
    pub unchanged: u64,
    pub failures: Vec<Failure>,
    /// Outputs the manifest recorded as complete when the run started.
    pub resumed: usize,
    pub elapsed_seconds: f64,
    /// Where the report file was written.
    pub report_path: PathBuf,
    /// Whether outputs are one file per user (as opposed to one archive or JSON lines file).
    pub files: bool,
    /// Every diagnostic said about an artifact, by platform, setting and severity.
    pub diagnostics: Vec<DiagnosticCount>,
    /// Outputs in the output directory this run did not write.
    pub stale: Stale,
    /// The input broke mid-run (a malformed row, a repeated id): the run stopped, no report
    /// was written, and the archive or JSON lines file was discarded; files written so far are
    /// complete.
    pub fatal: Option<String>,
    /// What reading the certificate material noticed (a file open to others, a passphrase
    /// that cannot be checked), for the caller to tell the user.
    pub notices: Vec<String>,
}

impl BatchReport {
    /// The one-line summary of the run, saying what an interruption left behind.
    pub fn summary(&self) -> String {
        let interrupted = match (self.interrupted, self.files) {
            (false, _) => "",
            (true, true) => {
                " (interrupted: the files written are complete; run again with --resume to finish)"
            }
            (true, false) => {
                " (interrupted: nothing was written, the archive or JSON lines file is discarded; run the batch again)"
            }
        };
        let warned: u64 = self
            .diagnostics
            .iter()
            .filter(|d| d.severity >= emailprof_core::Severity::Warning)
            .map(|d| d.users)
            .sum();
        let stale = if self.stale.files.is_empty() {
            String::new()
        } else {
            format!(
                ", {} output(s) of users no longer given {}",
                self.stale.files.len(),
                if self.stale.pruned {
                    "removed"
                } else {
                    "left (--prune removes them)"
                }
            )
        };
        format!(
            "batch: {} users in {:.2}s: {} written, {} unchanged, {} failed, {warned} warning(s) on artifacts{stale}{interrupted}; report: {}",
            self.users,
            self.elapsed_seconds,
            self.written,
            self.unchanged,
            self.failures.len(),
            self.report_path.display()
        )
    }

    /// One line per diagnostic of the run with how many users it concerns, worst first.
    pub fn diagnostic_lines(&self) -> Vec<String> {
        let mut sorted: Vec<&DiagnosticCount> = self.diagnostics.iter().collect();
        sorted.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.users.cmp(&a.users)));
        sorted
            .iter()
            .map(|d| {
                format!(
                    "{}: {}: {}: {} ({} user(s), e.g. {})",
                    d.severity,
                    d.platform,
                    d.setting,
                    d.message,
                    d.users,
                    d.first_users.join(", ")
                )
            })
            .collect()
    }

    /// The summary as one JSON object (`--json`).
    pub fn summary_json(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": "summary",
            "users": self.users,
            "written": self.written,
            "unchanged": self.unchanged,
            "failed": self.failures.len(),
            "interrupted": self.interrupted,
            "warnings": self.diagnostics.iter().filter(|d| d.severity >= emailprof_core::Severity::Warning).map(|d| d.users).sum::<u64>(),
            "stale": self.stale.files.len(),
            "report": self.report_path,
        })
    }
}

/// The number of worker threads to use by default: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Users handed to a worker at once (one resolver batch, one buffer write).
const CHUNK: usize = 256;

/// Run a batch.
pub fn run(config: BatchConfig, progress: &dyn Progress) -> Result<BatchReport> {
    let emitters = config
        .platforms
        .iter()
        .map(|id| registry::emitter(id))
        .collect::<Result<Vec<_>>>()?;
    let loaded = &config.profile;
    let options = EmitOptions {
        min_os_version: config.min_os_version,
        include_password: config.include_password,
        ..Default::default()
    };
    for e in &emitters {
        registry::check_request(e.as_ref(), &loaded.profile, &options)?;
    }
    let materials = config
        .reader
        .materials(&loaded.profile, config.include_password)?;
    let min_os_version = config.min_os_version;
    let profile_hash = fnv1a64(&serde_json::to_vec(&loaded.profile)?)
        ^ mix(&[format!("{min_os_version:?}|{}", config.include_password).as_bytes()]);

    // The users first: a plugin that cannot list them is refused before any output exists.
    let (users, total) = users::stream(&config.users, config.shard)?;
    let ids: Vec<&str> = emitters.iter().map(|e| e.id()).collect();
    let (sink, report_path) = Sink::open(&config.output, &ids)?;
    let report_path = config.report.clone().unwrap_or(report_path);
    let resume = matches!(config.output, Output::Files { resume: true, .. });
    let done = match (sink.dir(), resume) {
        (Some(dir), true) => load_manifest(dir)?,
        _ => Default::default(),
    };
    let resumed = done.len();
    let interrupted = &config.interrupted;

    let resolver = match users::plugin(&config.users) {
        Some(spec) => Some(crate::users::plugin_resolver(spec)?),
        None => None,
    };
    let notices = materials.notices;
    let base = emailprof_core::ResolvedProfile {
        profile: loaded.profile.clone(),
        user: emailprof_core::UserIdentity {
            user_id: String::new(),
            username: String::new(),
            email_address: String::new(),
            account: None,
            domain: None,
            user_principal_name: None,
        },
        materials: materials.certificates,
        password: materials.password,
    };
    let mut platforms = Vec::new();
    for e in &emitters {
        let prepared = e
            .prepare(&base, &options)
            .map_err(|err| Error::invalid(format!("{}: {err}", e.id())))?;
        platforms.push((e.id(), prepared));
    }
    let form = sink.form();
    let job = Job {
        platforms,
        account: &loaded.profile.account,
        identifier: &loaded.profile.identifier,
        profile_hash,
        signer: config.signer.as_ref(),
        done,
        dir: sink.dir().map(PathBuf::from),
        form,
        sensitive: crate::material::carries_secrets(&loaded.profile, config.include_password),
        strict: config.strict,
    };
    let jobs = config.jobs.max(1);
    let started = Instant::now();
    let processed = AtomicU64::new(0);
    let failed_users = AtomicU64::new(0);

    let fatal: Mutex<Option<String>> = Mutex::new(None);
    let users = Mutex::new(users.enumerate());
    let (tx, rx) = mpsc::sync_channel::<(usize, Vec<Outcome>, Vec<u8>)>(jobs * 2);
    // Chunk buffers go back to the workers once written: no large allocation (and page
    // faults) per chunk.
    let buffers: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

    let mut written = 0u64;
    let mut unchanged = 0u64;
    let mut failures: Vec<Failure> = Vec::new();
    let mut diagnostics: BTreeMap<(String, String, emailprof_core::Severity), DiagnosticCount> =
        BTreeMap::new();
    // Hashes of the files written or kept this run, to find the stale ones at the end.
    let mut current: Vec<u64> = Vec::new();
    let write_result: Result<()> = std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let users = &users;
            let job = &job;
            let processed = &processed;
            let failed_users = &failed_users;
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
                            Item::Attrs(_) | Item::Failed { .. } => None,
                        })
                        .collect();
                    let mut resolved = match (&resolver, ids.is_empty()) {
                        (Some(r), false) => r.resolve_batch(&ids).into_iter(),
                        _ => Vec::new().into_iter(),
                    };
                    let mut outcomes = Vec::with_capacity(chunk.len() * job.platforms.len());
                    // The chunk's archive entries or JSON lines, in order: one buffer, one
                    // write by the writer.
                    let mut tallied: Vec<DiagnosticCount> = Vec::new();
                    let mut stream = buffers
                        .lock()
                        .ok()
                        .and_then(|mut b| b.pop())
                        .unwrap_or_default();
                    for item in chunk {
                        let before = outcomes.len();
                        match item {
                            Item::Attrs(attrs) => {
                                job.process(attrs, &mut outcomes, &mut stream, &mut tallied)
                            }
                            Item::Failed { id, reason } => {
                                outcomes.push(Job::failed(&id, None, reason))
                            }
                            Item::Id(id) => match resolved.next() {
                                Some(Ok(attrs)) => {
                                    job.process(attrs, &mut outcomes, &mut stream, &mut tallied)
                                }
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
                    if !tallied.is_empty() {
                        outcomes.push(Outcome::Tally(tallied));
                    }
                    if tx.send((index, outcomes, stream)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);

        // The writer: manifest and report for files; the archive or JSONL in input order.
        let mut manifest = match sink.dir() {
            Some(dir) => Some(BufWriter::new(sink::open_manifest(dir, resume)?)),
            None => None,
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
        const MANIFEST: &str = "writing the manifest (.emailprof-manifest.jsonl)";
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
                        Outcome::Unchanged(rel_hash) => {
                            unchanged += 1;
                            current.push(rel_hash);
                        }
                        Outcome::Tally(counted) => {
                            for d in counted {
                                let key = (d.platform.clone(), d.setting.clone(), d.severity);
                                match diagnostics.get_mut(&key) {
                                    Some(c) => {
                                        c.users += d.users;
                                        let room = FIRST_USERS.saturating_sub(c.first_users.len());
                                        c.first_users.extend(d.first_users.into_iter().take(room));
                                    }
                                    None => {
                                        diagnostics.insert(key, d);
                                    }
                                }
                            }
                        }
                        Outcome::Streamed => written += 1,
                        Outcome::Failed {
                            user,
                            platform,
                            reason,
                        } => failures.push(Failure {
                            user,
                            platform,
                            reason,
                        }),
                        Outcome::Written(out) => {
                            written += 1;
                            current.push(fnv1a64(out.rel.as_bytes()));
                            if let Some(m) = manifest.as_mut() {
                                writeln!(
                                    m,
                                    "{}",
                                    serde_json::json!({"k": format!("{:016x}", out.key), "u": out.user, "p": out.platform, "f": out.rel, "n": out.len})
                                )
                                .context(MANIFEST)?;
                            }
                        }
                    }
                }
            }
            if let Some(m) = manifest.as_mut() {
                m.flush().context(MANIFEST)?;
            }
        }
        if let Some(mut m) = manifest {
            m.flush()
                .and_then(|()| m.get_ref().sync_all())
                .context(MANIFEST)?;
        }
        if let Some(mut w) = stream
            && form == Form::Archive
        {
            // The end of a tar archive: two zero blocks.
            w.write(&[0u8; 1024])?;
        }
        Ok(())
    });
    write_result?;
    let elapsed_seconds = started.elapsed().as_secs_f64();
    let users_done = processed.load(Ordering::Relaxed);
    let was_interrupted = interrupted.load(Ordering::Relaxed);
    let files = form == Form::Files;
    let mut report = BatchReport {
        interrupted: was_interrupted,
        users: users_done,
        written,
        unchanged,
        failures,
        resumed,
        elapsed_seconds,
        report_path,
        files,
        diagnostics: diagnostics.into_values().collect(),
        stale: Stale::default(),
        fatal: fatal.into_inner().ok().flatten(),
        notices,
    };
    if report.fatal.is_some() {
        // Files written so far are complete and in the manifest; the archive is discarded.
        return Ok(report);
    }
    if files || !was_interrupted {
        sink.persist()?;
    }
    // Outputs of users no longer given: only a whole, unsharded run of files knows them.
    if let (Output::Files { dir, .. }, false, None) =
        (&config.output, was_interrupted, config.shard)
    {
        current.sort_unstable();
        let files = sink::stale_outputs(dir, &ids, &current);
        if config.prune {
            sink::prune(dir, &files)?;
        }
        report.stale = Stale {
            checked: true,
            files,
            pruned: config.prune,
        };
    }
    report.elapsed_seconds = started.elapsed().as_secs_f64().max(elapsed_seconds);
    write_report(&report)?;
    Ok(report)
}

/// The report file: counts and every failure.
fn write_report(report: &BatchReport) -> Result<()> {
    let failures: Vec<serde_json::Value> = report
        .failures
        .iter()
        .map(|f| serde_json::json!({"user": f.user, "platform": f.platform, "reason": f.reason}))
        .collect();
    let json = serde_json::json!({
        "interrupted": report.interrupted,
        "users": report.users,
        "written": report.written,
        "unchanged": report.unchanged,
        "failed": report.failures.len(),
        "resumedFromManifest": report.resumed,
        "elapsedSeconds": report.elapsed_seconds,
        "failures": failures,
        "diagnostics": report.diagnostics.iter().map(|d| serde_json::json!({
            "platform": d.platform,
            "setting": d.setting,
            "severity": d.severity,
            "message": d.message,
            "users": d.users,
            "firstUsers": d.first_users,
        })).collect::<Vec<_>>(),
        "stale": {
            "checked": report.stale.checked,
            "pruned": report.stale.pruned,
            "files": report.stale.files,
        },
    });
    write_atomic(
        &report.report_path,
        (serde_json::to_string_pretty(&json)? + "\n").as_bytes(),
        false,
        true,
    )
}
