//! `emailprof import` (Intune Graph JSON, `.mobileconfig`) and `emailprof export intune`.

use std::path::Path;

use emailprof_core::input::{self, Format};
use emailprof_core::{Finding, Severity};

use crate::cli::{ExportCommand, ImportArgs, ImportCommand, OutputFormat};
use crate::output::{write_atomic, write_output};
use crate::{Reporter, exit, invalid, profile};

fn render(profile: &serde_json::Value, to: OutputFormat) -> anyhow::Result<String> {
    input::render(profile, to.format()).map_err(anyhow::Error::msg)
}

fn report(
    reporter: &Reporter,
    file: &str,
    severity: Severity,
    pointer: &str,
    position: Option<input::Position>,
    message: &str,
) {
    reporter.finding(
        file,
        &Finding {
            severity,
            pointer: pointer.to_owned(),
            position,
            message: message.to_owned(),
            expected: None,
            rule: "import".into(),
        },
    );
}

pub(crate) fn import(cmd: ImportCommand, reporter: &Reporter) -> anyhow::Result<u8> {
    match cmd {
        ImportCommand::Intune(a) => import_intune(a, reporter),
        ImportCommand::Mobileconfig(a) => import_mobileconfig(a, reporter),
    }
}

fn import_intune(args: ImportArgs, reporter: &Reporter) -> anyhow::Result<u8> {
    if args.lenient {
        invalid!("--lenient applies to `import mobileconfig` only");
    }
    let (display, bytes) = profile::read_limited(&args.file, emailprof::import::MAX_GRAPH_BYTES)?;
    // Positions for the findings' pointers, when the input is JSON we can read.
    let locations = input::parse(&bytes, Format::Json).ok().map(|d| d.locations);
    let at = |p: &str| locations.as_ref().and_then(|l| l.value(p));
    let result = emailprof::import::import_graph_report(&bytes)
        .map_err(|e| anyhow::Error::new(crate::Invalid(format!("{display}: {e}"))))?;
    let mut errors = 0;
    for f in &result.findings {
        report(
            reporter,
            &display,
            f.severity,
            &f.pointer,
            at(&f.pointer),
            &f.message,
        );
    }
    for p in &result.profiles {
        for f in &p.findings {
            if f.severity == Severity::Error {
                errors += 1;
            }
            report(
                reporter,
                &display,
                f.severity,
                &f.pointer,
                at(&f.pointer),
                &f.message,
            );
        }
    }
    if errors > 0 {
        invalid!("{display}: {errors} error(s); nothing written");
    }
    match (result.profiles.as_slice(), args.out.as_deref()) {
        ([], _) => invalid!("{display}: no email profile found"),
        ([one], out) if out.is_none_or(|o| !o.is_dir()) => {
            write_output(out, render(&one.profile, args.to)?.as_bytes(), false)?;
        }
        (many, Some(dir)) => {
            std::fs::create_dir_all(dir)?;
            for p in many {
                let id = p.profile["identifier"].as_str().unwrap_or("profile");
                let name = format!(
                    "{}.{}",
                    emailprof::batch::safe_file_stem(id),
                    args.to.extension()
                );
                write_atomic(
                    &dir.join(&name),
                    render(&p.profile, args.to)?.as_bytes(),
                    false,
                    true,
                )?;
                reporter.note(&format!(
                    "wrote {} (#microsoft.graph.{})",
                    dir.join(&name).display(),
                    p.object_type
                ));
            }
        }
        (many, None) => invalid!(
            "{display} holds {} email profiles; give --out DIRECTORY",
            many.len()
        ),
    }
    Ok(exit::OK)
}

fn import_mobileconfig(args: ImportArgs, reporter: &Reporter) -> anyhow::Result<u8> {
    // Profiles with embedded identities are larger than profile documents.
    let (display, bytes) = profile::read_limited(&args.file, 16 * 1024 * 1024)?;
    let options = emailprof::import::ImportOptions {
        lenient: args.lenient,
    };
    let imported = emailprof::import::import_mobileconfig_with(&bytes, options)
        .map_err(|e| anyhow::Error::new(crate::Invalid(format!("{display}: {e}"))))?;
    let mut errors = 0;
    for f in &imported.findings {
        if f.severity == Severity::Error {
            errors += 1;
        }
        report(
            reporter,
            &display,
            f.severity,
            &f.key_path,
            None,
            &f.message,
        );
    }
    if errors > 0 {
        invalid!("{display}: {errors} error(s); nothing written");
    }
    let text = render(&imported.profile, args.to)?;
    if !imported.files.is_empty() {
        let Some(out) = args.out.as_deref().filter(|o| *o != Path::new("-")) else {
            invalid!(
                "{display} embeds certificates ({}); give --out FILE so they can be written beside the profile",
                imported
                    .files
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let dir = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        for (rel, data) in &imported.files {
            if rel.contains("..") || Path::new(rel).is_absolute() {
                invalid!(
                    "{display}: refusing to write certificate file `{rel}` outside the profile's directory"
                );
            }
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            // Identities carry private keys: owner-only.
            write_atomic(&path, data, true, true)?;
        }
    }
    write_output(args.out.as_deref(), text.as_bytes(), false)?;
    Ok(exit::OK)
}

pub(crate) fn export(cmd: ExportCommand, reporter: &Reporter) -> anyhow::Result<u8> {
    let ExportCommand::Intune(args) = cmd;
    let target =
        emailprof::import::intune_target(args.platform.as_deref(), args.graph_type.as_deref())?;
    let loaded = profile::load(&args.profile, &args.input, reporter)?;
    let reader = emailprof::MaterialReader::plain(&loaded.base_dir);
    let export = emailprof::import::export_intune(&loaded, target, &reader)?;
    for d in &export.diagnostics {
        reporter.diagnostic(d);
    }
    let text = serde_json::to_string_pretty(&export.json)? + "\n";
    write_output(args.out.as_deref(), text.as_bytes(), false)?;
    Ok(exit::OK)
}
