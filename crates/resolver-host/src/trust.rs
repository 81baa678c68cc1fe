//! Whether a plugin file may be loaded, decided on the file that is then loaded.
//!
//! A plugin runs with emailprof's privileges, so whoever can change the file, or any directory
//! above it, can run code as the user running emailprof (root, in many deployments). The file
//! and every ancestor directory must be owned by root or the current user and not writable by
//! group or others (a directory with the sticky bit, such as `/tmp`, may be writable by others:
//! they cannot rename or replace entries they do not own). The file is opened once, checked
//! through that descriptor, and loaded through it (`/proc/self/fd/N`), so it cannot be swapped
//! between the check and `dlopen`.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::HostError;

/// The plugin file, open, and the path the loader should open to load exactly that file.
pub(crate) struct Checked {
    file: File,
    pub(crate) load_path: PathBuf,
}

impl Checked {
    /// Once the library is loaded: keep the descriptor open for the life of the process, as
    /// the library itself stays loaded. The loader knows the library by the name
    /// `/proc/self/fd/N`; were N closed and reused for another plugin, the loader would hand
    /// back the first library for that name.
    pub(crate) fn keep(self) {
        std::mem::forget(self.file);
    }
}

/// Open `canonical` (symbolic links already resolved) without following a link, check it and
/// its ancestors unless `allow_insecure`, and say how to load that very file.
#[cfg(unix)]
pub(crate) fn open_checked(
    shown: &Path,
    canonical: &Path,
    allow_insecure: bool,
) -> Result<Checked, HostError> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};

    let io = |source| HostError::Io {
        path: shown.to_owned(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(canonical)
        .map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(io(std::io::Error::other("not a regular file")));
    }
    if !allow_insecure {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        check(shown, canonical, "file", meta.uid(), meta.mode(), me)?;
        let mut dir = canonical.parent();
        while let Some(d) = dir {
            let m = std::fs::symlink_metadata(d).map_err(io)?;
            check(shown, d, "directory", m.uid(), m.mode(), me)?;
            dir = d.parent();
        }
    }
    // On Linux the loader opens the descriptor's file itself; elsewhere the checked path
    // (the file stays open, but a swap between check and load is then possible).
    let by_fd = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    let load_path = if cfg!(target_os = "linux") && by_fd.exists() {
        by_fd
    } else {
        canonical.to_owned()
    };
    Ok(Checked { file, load_path })
}

#[cfg(not(unix))]
pub(crate) fn open_checked(
    shown: &Path,
    canonical: &Path,
    _allow_insecure: bool,
) -> Result<Checked, HostError> {
    let file = File::open(canonical).map_err(|source| HostError::Io {
        path: shown.to_owned(),
        source,
    })?;
    Ok(Checked {
        file,
        load_path: canonical.to_owned(),
    })
}

/// One file or directory on the way: owned by root or `me`, writable by nobody else.
#[cfg(unix)]
fn check(
    shown: &Path,
    p: &Path,
    what: &'static str,
    uid: u32,
    mode: u32,
    me: u32,
) -> Result<(), HostError> {
    if uid != 0 && uid != me {
        return Err(HostError::UntrustedOwner {
            path: shown.to_owned(),
            offending: p.to_owned(),
            what,
            uid,
        });
    }
    let sticky_dir = what == "directory" && mode & 0o1000 != 0;
    let who = match (
        mode & 0o020 != 0 && !sticky_dir,
        mode & 0o002 != 0 && !sticky_dir,
    ) {
        (true, true) => "group and others",
        (true, false) => "its group",
        (false, true) => "others",
        (false, false) => return Ok(()),
    };
    Err(HostError::InsecurePermissions {
        path: shown.to_owned(),
        offending: p.to_owned(),
        what,
        who,
        mode: mode & 0o7777,
    })
}
