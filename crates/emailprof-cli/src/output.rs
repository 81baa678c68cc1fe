//! Output: stdout, or files written atomically (temp file in the same directory, fsync, rename),
//! so an interrupted run never leaves a truncated file.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Write `bytes` to `path` atomically. `sensitive` outputs (with a password or key material)
/// stay readable by the owner only. `durable` also flushes the file and its directory to disk
/// before returning (batch runs flush once at the end instead).
pub(crate) fn write_atomic(
    path: &Path,
    bytes: &[u8],
    sensitive: bool,
    durable: bool,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".emailprof-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| {
            if durable {
                tmp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    if !sensitive {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    #[cfg(not(unix))]
    let _ = sensitive;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if durable && let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Write to `out`, or to stdout when `out` is `None` or `-`. A path that is not a regular file
/// (a FIFO, `/dev/stdout`, a terminal) is written to as it is: renaming over it would replace
/// the pipe or device with a file.
pub(crate) fn write_output(
    out: Option<&Path>,
    bytes: &[u8],
    sensitive: bool,
) -> anyhow::Result<()> {
    if let Some(p) = out
        && std::fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir())
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(p)
            .with_context(|| format!("cannot open {}", p.display()))?;
        f.write_all(bytes)
            .and_then(|()| f.flush())
            .with_context(|| format!("cannot write {}", p.display()))?;
        return Ok(());
    }
    match out {
        Some(p) if p != Path::new("-") => write_atomic(p, bytes, sensitive, true),
        _ => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
            Ok(())
        }
    }
}
