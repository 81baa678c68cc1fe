//! `emailprof batch`: the flags, progress display and summary of the library's batch engine
//! (`emailprof::batch`).

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use emailprof::batch::{BatchConfig, Output, Users};
use emailprof::{MaterialReader, registry};

use crate::cli::BatchArgs;
use crate::{Reporter, exit, invalid, profile, report};

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

    fn show(&self, done: u64, total: Option<u64>, failed: u64) {
        if let Some(bar) = &self.bar {
            if let Some(t) = total {
                bar.set_length(t);
            }
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

impl emailprof::batch::Progress for Progress {
    fn tick(&self, done: u64, total: Option<u64>, failed: u64) {
        self.show(done, total, failed);
    }
}

pub(crate) fn run(args: BatchArgs, reporter: &Reporter, json: bool) -> anyhow::Result<u8> {
    for id in &args.platforms {
        registry::emitter(id)?;
    }
    let loaded = profile::load(&args.profile, &args.input, reporter)?;
    let min_os_version = crate::cli::min_os(args.min_os.as_deref())?;
    let signer = args.signing.signer()?;
    if args.out.is_none() && (args.resume || args.prune) {
        invalid!(
            "--resume and --prune apply to --out DIR, whose files are written one by one; an archive or JSON lines file is written whole: run the batch again"
        );
    }
    let output = match (&args.out, &args.archive, &args.jsonl) {
        (Some(dir), _, _) => Output::Files {
            dir: dir.clone(),
            resume: args.resume,
        },
        (None, Some(p), _) => Output::Archive(p.clone()),
        (None, None, Some(p)) => Output::Jsonl(p.clone()),
        (None, None, None) => invalid!("give --out DIR, --archive FILE or --jsonl FILE"),
    };
    let users = match crate::resolve::plugin_spec(&args.plugin)? {
        Some(plugin) => Users::Plugin {
            plugin,
            ids: args.users.clone(),
        },
        None => match (&args.directory, args.netbios.is_empty()) {
            (None, _) => invalid!(
                "where do the users come from? give --directory FILE (a CSV, JSON or LDIF export) or --resolver PLUGIN (e.g. LDAP)"
            ),
            (Some(d), true) => Users::Directory(Some(d.clone())),
            (Some(d), false) => Users::DirectoryWithNetbios {
                directory: Some(d.clone()),
                netbios: crate::resolve::netbios(&args.netbios)?,
            },
        },
    };
    let interrupted = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal ends the process at once.
        let _ =
            signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&interrupted));
        let _ = signal_hook::flag::register(sig, Arc::clone(&interrupted));
    }
    let config = BatchConfig {
        reader: MaterialReader::plain(&loaded.base_dir),
        profile: loaded,
        platforms: args.platforms.clone(),
        users,
        shard: args.shard,
        output,
        report: args.report.clone(),
        min_os_version,
        include_password: args.include_password,
        signer,
        jobs: args.jobs.unwrap_or_else(emailprof::batch::default_jobs),
        interrupted,
        strict: args.strict,
        prune: args.prune,
    };
    let progress = Progress::new(None, args.quiet, json);
    let result = emailprof::batch::run(config, &progress);
    progress.finish();
    let report = result?;
    report.notices.iter().for_each(|n| report::warning(n));
    if let Some(e) = &report.fatal {
        if report.files {
            reporter.note("the outputs written before the error are complete; fix the directory and run again with --resume");
        }
        invalid!("{e}");
    }
    let failed = report.failures.len();
    if json {
        eprintln!("{}", report.summary_json());
    } else if !args.quiet
        || failed > 0
        || report.interrupted
        || !report.diagnostics.is_empty()
        || !report.stale.files.is_empty()
    {
        for line in report.diagnostic_lines() {
            reporter.note(&line);
        }
        reporter.note(&report.summary());
    }
    Ok(if report.interrupted {
        130
    } else if failed == 0 {
        exit::OK
    } else {
        exit::FAILURE
    })
}
