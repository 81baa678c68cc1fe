//! Output: stdout, a FIFO or device as it is, or a file written atomically (the library's
//! `write_atomic`: temp file in the same directory, fsync, rename), so an interrupted run never
//! leaves a truncated file.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::Context;
pub(crate) use emailprof::batch::write_atomic;

/// Write to `out`, or to stdout when `out` is `None` or `-`. A path that is itself a FIFO or a
/// character device (`/dev/stdout` is a link: given as such it is replaced, never followed) is
/// written to as it is: renaming over it would replace the pipe or device with a file. A
/// symbolic link is replaced by the file, never written through.
pub(crate) fn write_output(
    out: Option<&Path>,
    bytes: &[u8],
    sensitive: bool,
) -> anyhow::Result<()> {
    if let Some(p) = out
        && std::fs::symlink_metadata(p).is_ok_and(|m| {
            use std::os::unix::fs::FileTypeExt;
            m.file_type().is_fifo() || m.file_type().is_char_device()
        })
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(p)
            .with_context(|| format!("cannot open {}", p.display()))?;
        f.write_all(bytes)
            .and_then(|()| f.flush())
            .with_context(|| format!("cannot write {}", p.display()))?;
        return Ok(());
    }
    match out {
        Some(p) if p != Path::new("-") => Ok(write_atomic(p, bytes, sensitive, true)?),
        _ => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
            Ok(())
        }
    }
}
