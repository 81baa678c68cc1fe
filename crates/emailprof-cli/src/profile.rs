//! Reading profile files (and stdin) and reporting their validation.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use emailprof::LoadedProfile;
use emailprof::profile::base_dir_of;
use emailprof_core::ValidationOptions;
use emailprof_core::input::{Format, MAX_INPUT_BYTES};

use crate::cli::ProfileInput;
use crate::{Reporter, invalid};

/// Read `spec` (a path, or `-` for stdin), with the profile size limit.
pub(crate) fn read_source(spec: &str) -> anyhow::Result<(String, Vec<u8>)> {
    // One byte over the limit is kept, so the parser reports the size as a finding.
    read_capped(spec, MAX_INPUT_BYTES + 1)
}

/// Read `spec` (a path, or `-` for stdin), refusing more than `limit` bytes with a clear
/// error instead of reading a file of any size.
pub(crate) fn read_limited(spec: &str, limit: usize) -> anyhow::Result<(String, Vec<u8>)> {
    let (display, bytes) = read_capped(spec, limit + 1)?;
    if bytes.len() > limit {
        invalid!("{display}: the input is larger than {limit} bytes and is refused");
    }
    Ok((display, bytes))
}

/// Read at most `cap` bytes of `spec`.
fn read_capped(spec: &str, cap: usize) -> anyhow::Result<(String, Vec<u8>)> {
    let mut bytes = Vec::new();
    if spec == "-" {
        std::io::stdin()
            .take(cap as u64)
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        return Ok(("<stdin>".into(), bytes));
    }
    let path = Path::new(spec);
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::Error::new(crate::Invalid(format!("{spec}: cannot open: {e}"))))?;
    file.take(cap as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::Error::new(crate::Invalid(format!("{spec}: cannot read: {e}"))))?;
    Ok((spec.to_owned(), bytes))
}

pub(crate) fn format_of(spec: &str, input: &ProfileInput) -> anyhow::Result<Format> {
    if let Some(f) = input.format {
        return Ok(f.into());
    }
    if spec == "-" {
        return Ok(Format::Yaml);
    }
    match Format::from_path(spec) {
        Some(f) => Ok(f),
        None => invalid!(
            "{spec}: cannot tell the format from the file name; use a .yaml, .yml, .json or .toml extension or --format"
        ),
    }
}

/// Validate `spec`, reporting every finding. `Ok(None)` when it has errors (already reported).
pub(crate) fn check(
    spec: &str,
    input: &ProfileInput,
    reporter: &Reporter,
) -> anyhow::Result<Option<LoadedProfile>> {
    let format = format_of(spec, input)?;
    let (display, bytes) = read_source(spec)?;
    let options = ValidationOptions {
        allow_inline_secrets: input.allow_inline_secrets,
    };
    let checked = emailprof::profile::check(&bytes, format, options, base_dir_of(spec));
    for f in &checked.findings {
        reporter.finding(&display, f);
    }
    Ok(checked.profile)
}

/// Validate `spec` and fail with exit code 2 when it has errors.
pub(crate) fn load(
    spec: &str,
    input: &ProfileInput,
    reporter: &Reporter,
) -> anyhow::Result<LoadedProfile> {
    match check(spec, input, reporter)? {
        Some(p) => Ok(p),
        None => invalid!("{spec}: the profile is not valid (problems listed above)"),
    }
}
