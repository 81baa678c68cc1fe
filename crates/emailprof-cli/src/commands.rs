//! One function per subcommand.

use std::path::Path;

use emailprof::{EmitRequest, MaterialReader, registry};
use emailprof_core::{EmitOptions, Operation, Severity};

use crate::cli::{Command, DiffArgs, EmitArgs, PlatformsArgs, SchemaArgs, ValidateArgs};
use crate::output::{write_atomic, write_output};
use crate::{Reporter, exit, invalid, profile, resolve};

pub(crate) fn run(command: Command, reporter: &Reporter, json: bool) -> anyhow::Result<u8> {
    match command {
        Command::Batch(a) => crate::batch::run(a, reporter, json),
        Command::Import(c) => crate::import::import(c, reporter),
        Command::Plugin(c) => plugin(c),
        Command::Export(c) => crate::import::export(c, reporter),
        Command::Validate(a) => validate(a, reporter),
        Command::Schema(a) => schema(a),
        Command::Emit(a) => emit(a, reporter),
        Command::Platforms(a) => platforms(a),
        Command::Diff(a) => diff(a, reporter),
        Command::Serve(a) => crate::serve::run(a, reporter),
        Command::Completions(a) => crate::assets::completions(a),
        Command::Man(a) => crate::assets::man(a),
    }
}

fn validate(args: ValidateArgs, reporter: &Reporter) -> anyhow::Result<u8> {
    let mut failed = 0usize;
    for file in &args.files {
        match profile::check(file, &args.input, reporter)? {
            Some(p) if args.strict && p.warnings > 0 => failed += 1,
            Some(_) => {}
            None => failed += 1,
        }
    }
    if failed > 0 {
        invalid!(
            "{failed} of {} file(s) not valid{}",
            args.files.len(),
            if args.strict {
                " (--strict: warnings count)"
            } else {
                ""
            }
        );
    }
    reporter.note(&format!("{} file(s) valid", args.files.len()));
    Ok(exit::OK)
}

fn schema(args: SchemaArgs) -> anyhow::Result<u8> {
    let text = serde_json::to_string_pretty(&registry::annotated_schema())? + "\n";
    write_output(args.out.as_deref(), text.as_bytes(), false)?;
    Ok(exit::OK)
}

fn emit(args: EmitArgs, reporter: &Reporter) -> anyhow::Result<u8> {
    // Check the platform before reading anything, so a typo fails fast.
    registry::emitter(&args.platform)?;
    let loaded = profile::load(&args.profile, &args.input, reporter)?;
    let options = EmitOptions {
        min_os_version: crate::cli::min_os(args.min_os.as_deref())?,
        include_password: args.include_password,
        operation: if args.remove {
            Operation::Remove
        } else if args.replace {
            Operation::Replace
        } else {
            Operation::Add
        },
        form: args.form.clone(),
    };
    let signer = args.signing.signer()?;
    let users = resolve::user_source(&args.users)?;
    let request = EmitRequest {
        platform: &args.platform,
        users: &users,
        user: args.users.user.as_deref(),
        options,
    };
    let reader = MaterialReader::plain(&loaded.base_dir);
    let emitted = emailprof::emit_user(&loaded, &request, &reader)?;
    for notice in &emitted.notices {
        crate::report::warning(notice);
    }
    let mut emission = emitted.emission;
    if let Some(signer) = &signer {
        signer.sign_all(&mut emission.artifacts)?;
    }
    let mut warnings = 0;
    for d in &emission.diagnostics {
        if d.severity >= Severity::Warning {
            warnings += 1;
        }
        reporter.diagnostic(d);
    }
    if args.strict && warnings > 0 {
        invalid!("{warnings} warning(s) and --strict: nothing written");
    }
    let sensitive = emailprof::material::carries_secrets(&loaded.profile, args.include_password);
    match (emission.artifacts.as_slice(), args.out.as_deref()) {
        ([], _) => invalid!("{}: the emitter produced no artifact", args.platform),
        ([one], out) => write_output(out, &one.bytes, sensitive)?,
        (many, Some(dir)) if dir != Path::new("-") => {
            std::fs::create_dir_all(dir)?;
            for a in many {
                write_atomic(&dir.join(&a.file_name), &a.bytes, sensitive, true)?;
            }
        }
        (_, _) => invalid!(
            "{} writes several files; give --out DIRECTORY",
            args.platform
        ),
    }
    Ok(exit::OK)
}

fn platforms(args: PlatformsArgs) -> anyhow::Result<u8> {
    let all = registry::emitters();
    let text = if args.matrix {
        registry::capability_matrix(&all)
    } else {
        all.iter()
            .map(|e| {
                format!(
                    "{:<18} {}\n{:<18} needs: {}\n",
                    e.id(),
                    e.title(),
                    "",
                    registry::needs(e.id())
                )
            })
            .collect()
    };
    write_output(None, text.as_bytes(), false)?;
    Ok(exit::OK)
}

fn diff(args: DiffArgs, reporter: &Reporter) -> anyhow::Result<u8> {
    let platform = match &args.platform {
        Some(id) => Some(registry::emitter(id)?),
        None => None,
    };
    let report =
        match emailprof::diff::artifacts_at(&args.old, &args.new, args.platform.as_deref())? {
            Some(report) => report,
            None => {
                let old = profile::load(&args.old, &args.input, reporter)?;
                let new = profile::load(&args.new, &args.input, reporter)?;
                emailprof::diff::profiles(&old, &new, platform.as_deref())
            }
        };
    let text = if reporter.is_json() {
        report.json()
    } else {
        report.text()
    };
    write_output(None, text.as_bytes(), false)?;
    Ok(if report.differs() {
        exit::DIFFERS
    } else {
        exit::OK
    })
}

fn plugin(cmd: crate::cli::PluginCommand) -> anyhow::Result<u8> {
    use crate::cli::PluginCommand;
    let (path, allow_insecure, serve) = match cmd {
        PluginCommand::Info {
            path,
            allow_insecure_plugin,
        } => (path, allow_insecure_plugin, false),
        PluginCommand::Serve {
            path,
            allow_insecure_plugin,
        } => (path, allow_insecure_plugin, true),
    };
    if serve {
        emailprof::users::serve_plugin_stdio(&path, allow_insecure)?;
        return Ok(exit::OK);
    }
    let text = emailprof::users::plugin_info_text(&path, allow_insecure)?;
    write_output(None, text.as_bytes(), false)?;
    Ok(exit::OK)
}
