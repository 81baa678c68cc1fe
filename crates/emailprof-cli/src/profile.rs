//! Reading profile files (and stdin) and reporting their validation.

use emailprof::LoadedProfile;
use emailprof::profile::base_dir_of;
use emailprof_core::ValidationOptions;
use emailprof_core::input::MAX_INPUT_BYTES;

use crate::cli::ProfileInput;
use crate::{Reporter, invalid};

/// Read `spec` (a path, or `-` for stdin), with the profile size limit (one byte over is
/// kept, so the parser reports the size as a finding).
pub(crate) fn read_source(spec: &str) -> anyhow::Result<(String, Vec<u8>)> {
    Ok(emailprof::material::read_spec(spec, MAX_INPUT_BYTES + 1)?)
}

pub(crate) use emailprof::material::read_spec_limited as read_limited;

/// Validate `spec`, reporting every finding. `Ok(None)` when it has errors (already reported).
pub(crate) fn check(
    spec: &str,
    input: &ProfileInput,
    reporter: &Reporter,
) -> anyhow::Result<Option<LoadedProfile>> {
    let format = emailprof::profile::format_of(spec, input.format.map(Into::into))?;
    let (display, bytes) = read_source(spec)?;
    let options = ValidationOptions {
        allow_inline_secrets: input.allow_inline_secrets,
    };
    let checked =
        emailprof::profile::check(&bytes, format, options, base_dir_of(spec)).with_files();
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
