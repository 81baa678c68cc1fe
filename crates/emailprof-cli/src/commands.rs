//! One function per subcommand.

use std::path::Path;

use emailprof_core::{
    Emission, EmitOptions, Emitter, Operation, OsVersion, ResolvedProfile, Setting, Severity,
    Support,
};

use crate::cli::{
    Command, DiffArgs, EmitArgs, PlatformsArgs, SchemaArgs, UserSource, ValidateArgs,
};
use crate::output::{write_atomic, write_output};
use crate::{Reporter, exit, invalid, profile, registry, resolve};

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

fn emitter(id: &str) -> anyhow::Result<Box<dyn Emitter>> {
    match registry::find(id) {
        Some(e) => Ok(e),
        None => {
            invalid!(
                "unknown platform `{id}`; expected one of: {}",
                registry::emitters()
                    .iter()
                    .map(|e| e.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// Everything an emission needs besides the profile.
pub(crate) struct EmitRequest<'a> {
    pub platform: &'a str,
    pub users: &'a UserSource,
    pub options: EmitOptions,
}

/// Emit `loaded` for one platform and user: the path shared by `emit`, `serve` and `batch`.
pub(crate) fn emit_loaded(
    loaded: &profile::LoadedProfile,
    request: &EmitRequest<'_>,
) -> anyhow::Result<Emission> {
    let emitter = emitter(request.platform)?;
    let user = resolve::identity(&loaded.profile, request.users)?;
    let (materials, password) = resolve::materials(
        &loaded.profile,
        &loaded.base_dir,
        request.options.include_password,
    )?;
    let resolved = ResolvedProfile {
        profile: loaded.profile.clone(),
        user,
        materials,
        password,
    };
    tracing::info!(platform = emitter.id(), user = %resolved.user.user_id, "emitting");
    emitter
        .emit(&resolved, &request.options)
        .map_err(|e| anyhow::Error::new(crate::Invalid(format!("{}: {e}", emitter.id()))))
}

fn emit(args: EmitArgs, reporter: &Reporter) -> anyhow::Result<u8> {
    // Check the platform before reading anything, so a typo fails fast.
    emitter(&args.platform)?;
    let loaded = profile::load(&args.profile, &args.input, reporter)?;
    let min_os_version = match &args.min_os {
        Some(v) => match OsVersion::parse(v) {
            Some(v) => Some(v),
            None => invalid!("--min-os `{v}` is not a version like 13.0 or 15.4.1"),
        },
        None => None,
    };
    let request = EmitRequest {
        platform: &args.platform,
        users: &args.users,
        options: EmitOptions {
            min_os_version,
            include_password: args.include_password,
            operation: if args.remove {
                Operation::Remove
            } else if args.replace {
                Operation::Replace
            } else {
                Operation::Add
            },
            form: args.form.clone(),
        },
    };
    let signer = args.signing.signer()?;
    let mut emission = emit_loaded(&loaded, &request)?;
    if let Some(signer) = &signer {
        for a in emission
            .artifacts
            .iter_mut()
            .filter(|a| signer.applies_to(a))
        {
            a.bytes = signer.sign(&a.bytes)?;
        }
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
    let sensitive = args.include_password;
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

fn support_cell(s: Support) -> String {
    match s {
        Support::Native { since: None } => "yes".into(),
        Support::Native { since: Some(v) } => format!("{v}+"),
        Support::Partial { since, .. } => format!(
            "partial{}",
            since.map(|v| format!(" {v}+")).unwrap_or_default()
        ),
        Support::Unsupported { .. } => "no".into(),
        Support::OtherPlatform => "-".into(),
    }
}

/// The capability matrix as Markdown: one row per setting, one column per platform.
pub fn capability_matrix(emitters: &[Box<dyn Emitter>]) -> String {
    let mut out = String::from("| setting | pointer |");
    for e in emitters {
        out.push_str(&format!(" {} |", e.id()));
    }
    out.push_str("\n|---|---|");
    for _ in emitters {
        out.push_str("---|");
    }
    out.push('\n');
    for s in Setting::ALL {
        out.push_str(&format!("| {} | `{}` |", s.title(), s.pointer()));
        for e in emitters {
            out.push_str(&format!(" {} |", support_cell(e.capability(s))));
        }
        out.push('\n');
    }
    out
}

fn platforms(args: PlatformsArgs) -> anyhow::Result<u8> {
    let all = registry::emitters();
    let text = if args.matrix {
        capability_matrix(&all)
    } else {
        all.iter()
            .map(|e| format!("{:<18} {}\n", e.id(), e.title()))
            .collect()
    };
    write_output(None, text.as_bytes(), false)?;
    Ok(exit::OK)
}

fn diff(args: DiffArgs, reporter: &Reporter) -> anyhow::Result<u8> {
    let platform = match &args.platform {
        Some(id) => Some(emitter(id)?),
        None => None,
    };
    let old = profile::load(&args.old, &args.input, reporter)?;
    let new = profile::load(&args.new, &args.input, reporter)?;
    let changes = emailprof_core::diff::diff(&old.profile, &new.profile, platform.as_deref());
    let mut text = String::new();
    for c in &changes {
        text.push_str(&format!(
            "{} ({}): {} -> {}\n    {}\n",
            c.title,
            c.setting,
            c.old,
            c.new,
            c.impact.describe()
        ));
    }
    if changes.is_empty() {
        text.push_str("no differences\n");
    }
    write_output(None, text.as_bytes(), false)?;
    Ok(if changes.is_empty() {
        exit::OK
    } else {
        exit::DIFFERS
    })
}

fn plugin(cmd: crate::cli::PluginCommand) -> anyhow::Result<u8> {
    use crate::cli::PluginCommand;
    match cmd {
        PluginCommand::Info {
            path,
            allow_insecure_plugin,
        } => {
            let opts = resolver_host::LoadOptions {
                allow_insecure: allow_insecure_plugin,
            };
            let info = resolver_host::plugin_info(&path, &opts)
                .map_err(|e| anyhow::Error::new(crate::Invalid(e.to_string())))?;
            let text = format!(
                "name: {}\nversion: {}\nabi: {}\npath: {}\n",
                info.name,
                info.version,
                info.abi,
                path.display()
            );
            write_output(None, text.as_bytes(), false)?;
            Ok(exit::OK)
        }
        PluginCommand::Serve {
            path,
            allow_insecure_plugin,
        } => {
            let opts = resolver_host::LoadOptions {
                allow_insecure: allow_insecure_plugin,
            };
            resolver_host::serve_library_stdio(&path, &opts)
                .map_err(|e| anyhow::Error::new(crate::Invalid(e.to_string())))?;
            Ok(exit::OK)
        }
    }
}
