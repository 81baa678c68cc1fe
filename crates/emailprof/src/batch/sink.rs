//! Where batch outputs go, written so that nothing is lost: files written atomically (temp
//! file + rename), archives and JSON lines streamed into a temporary file renamed into place
//! at the end, a manifest of completed outputs for `--resume`, and the report.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use crate::error::{Context, Error, Result};

/// Refuse `path` when it is a symbolic link: outputs are never written through a link
/// emailprof did not create.
pub(crate) fn refuse_link(path: &Path) -> Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::invalid(format!(
            "refusing to write through the symbolic link {}",
            path.display()
        )));
    }
    Ok(())
}

/// Open options that never follow a link at the last component (`O_NOFOLLOW`).
pub(crate) fn no_follow(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    options
}

/// Open the manifest for writing, never through a link.
pub(crate) fn open_manifest(dir: &Path, append: bool) -> Result<std::fs::File> {
    let path = manifest_path(dir);
    refuse_link(&path)?;
    no_follow(
        std::fs::OpenOptions::new()
            .create(true)
            .append(append)
            .write(true)
            .truncate(!append),
    )
    .open(&path)
    .context("opening the manifest")
}

/// The longest manifest line read; longer ones are skipped as corrupt (a record is a few
/// hundred bytes).
pub(crate) const MAX_MANIFEST_LINE: usize = 64 * 1024;

/// Lines of `reader`, each cut at `max` bytes: `Err(())` for a line that was longer (its
/// remainder is skipped without being kept), `Ok(line)` otherwise.
pub(crate) fn capped_lines<R: BufRead>(
    mut reader: R,
    max: usize,
) -> impl Iterator<Item = std::result::Result<Vec<u8>, ()>> {
    std::iter::from_fn(move || {
        let mut line = Vec::new();
        let mut overlong = false;
        loop {
            let buf = match reader.fill_buf() {
                Ok(b) => b,
                Err(_) => return None,
            };
            if buf.is_empty() {
                return match (overlong, line.is_empty()) {
                    (true, _) => Some(Err(())),
                    (false, false) => Some(Ok(line)),
                    (false, true) => None,
                };
            }
            let (chunk, done) = match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (&buf[..i], Some(i + 1)),
                None => (buf, None),
            };
            if !overlong {
                if line.len() + chunk.len() > max {
                    overlong = true;
                    line = Vec::new();
                } else {
                    line.extend_from_slice(chunk);
                }
            }
            let used = done.unwrap_or(buf.len());
            reader.consume(used);
            if done.is_some() {
                return Some(if overlong { Err(()) } else { Ok(line) });
            }
        }
    })
}

/// Write `bytes` to `path` atomically. `sensitive` outputs (with a password or key material)
/// stay readable by the owner only. `durable` also flushes the file and its directory to disk
/// before returning (batch runs flush once at the end instead).
pub fn write_atomic(path: &Path, bytes: &[u8], sensitive: bool, durable: bool) -> Result<()> {
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

/// Where a batch writes its outputs.
#[derive(Clone, Debug)]
pub enum Output {
    /// One file per user and platform, `DIR/<platform>/<user>.<ext>`; `resume` skips outputs
    /// the manifest records as complete with unchanged inputs.
    Files { dir: PathBuf, resume: bool },
    /// One tar archive.
    Archive(PathBuf),
    /// One JSON line per artifact.
    Jsonl(PathBuf),
}

/// The open sink of a run.
pub(crate) enum Sink {
    Files {
        dir: PathBuf,
    },
    Archive {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    Jsonl {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
}

/// What form the workers serialize outputs into.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Files,
    Archive,
    Jsonl,
}

impl Sink {
    /// Create the output directory (and one per platform) or the temporary stream file; the
    /// report's default path goes with it.
    pub(crate) fn open(output: &Output, platforms: &[&str]) -> Result<(Sink, PathBuf)> {
        let (path, archive) = match output {
            Output::Files { dir, .. } => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                for p in platforms {
                    let sub = dir.join(p);
                    if let Err(e) = std::fs::create_dir(&sub)
                        && e.kind() != std::io::ErrorKind::AlreadyExists
                    {
                        return Err(e).with_context(|| format!("creating {}", sub.display()));
                    }
                    // A link planted in the output directory would send every artifact
                    // elsewhere: only a real directory is written into.
                    refuse_link(&sub)?;
                    if !std::fs::symlink_metadata(&sub).is_ok_and(|m| m.is_dir()) {
                        return Err(Error::invalid(format!(
                            "{} is not a directory",
                            sub.display()
                        )));
                    }
                }
                return Ok((
                    Sink::Files { dir: dir.clone() },
                    dir.join("emailprof-report.json"),
                ));
            }
            Output::Archive(p) => (p.clone(), true),
            Output::Jsonl(p) => (p.clone(), false),
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".emailprof-")
            .suffix(".tmp")
            .tempfile_in(&parent)
            .with_context(|| format!("creating a temporary file in {}", parent.display()))?;
        let report = PathBuf::from(format!("{}.report.json", path.display()));
        Ok(if archive {
            (Sink::Archive { tmp, path }, report)
        } else {
            (Sink::Jsonl { tmp, path }, report)
        })
    }

    pub(crate) fn form(&self) -> Form {
        match self {
            Sink::Files { .. } => Form::Files,
            Sink::Archive { .. } => Form::Archive,
            Sink::Jsonl { .. } => Form::Jsonl,
        }
    }

    pub(crate) fn dir(&self) -> Option<&Path> {
        match self {
            Sink::Files { dir } => Some(dir),
            _ => None,
        }
    }

    /// Put the finished archive or JSON lines file in place (files are already there).
    pub(crate) fn persist(self) -> Result<()> {
        match self {
            Sink::Archive { tmp, path } | Sink::Jsonl { tmp, path } => {
                tmp.as_file().sync_all()?;
                tmp.persist(&path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Sink::Files { dir } => sync_filesystem(&dir),
        }
        Ok(())
    }
}

/// Append one tar entry (header, data, padding), as `tar` writes it, without the archive's
/// end blocks, to `out`; on error `out` is left as it was.
pub(crate) fn push_tar_entry(
    out: &mut Vec<u8>,
    rel: &str,
    bytes: &[u8],
    sensitive: bool,
) -> std::io::Result<()> {
    let start = out.len();
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(if sensitive { 0o600 } else { 0o644 });
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    let mut b = tar::Builder::new(&mut *out);
    b.mode(tar::HeaderMode::Deterministic);
    let result = b
        .append_data(&mut header, rel, bytes)
        .and_then(|()| b.finish());
    drop(b);
    match result {
        // `finish` ends the archive with two zero blocks; entries are concatenated instead.
        Ok(()) => out.truncate(out.len().saturating_sub(1024)),
        Err(_) => out.truncate(start),
    }
    result
}

/// Writes the archive or JSON lines file, chunk by chunk, and starts writing back each
/// `WRITEBACK` bytes to disk while the run goes on, so the final `fsync` waits only for the
/// tail instead of the whole file.
pub(crate) struct StreamWriter {
    file: std::fs::File,
    offset: u64,
    flushed: u64,
}

impl StreamWriter {
    const WRITEBACK: u64 = 16 << 20;

    pub(crate) fn new(file: std::fs::File) -> Self {
        Self {
            file,
            offset: 0,
            flushed: 0,
        }
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.offset += bytes.len() as u64;
        if self.offset - self.flushed >= Self::WRITEBACK {
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                // SAFETY: the descriptor is open for the duration of the call; the range is
                // within what was written. SYNC_FILE_RANGE_WRITE only starts write-back (no
                // wait); a failure here changes nothing the final fsync does not check.
                unsafe {
                    libc::sync_file_range(
                        self.file.as_raw_fd(),
                        self.flushed as libc::off64_t,
                        (self.offset - self.flushed) as libc::off64_t,
                        libc::SYNC_FILE_RANGE_WRITE,
                    );
                }
            }
            self.flushed = self.offset;
        }
        Ok(())
    }
}

/// Flush every file written below `dir` to disk in one call (instead of a fsync per file).
fn sync_filesystem(dir: &Path) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        if let Ok(d) = std::fs::File::open(dir) {
            // SAFETY: `d` is an open file descriptor for the duration of the call.
            unsafe {
                libc::syncfs(d.as_raw_fd());
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
}

pub(crate) fn manifest_path(dir: &Path) -> PathBuf {
    dir.join(".emailprof-manifest.jsonl")
}

/// Outputs recorded complete whose file is still there with the recorded size: their input
/// key, and the hash of their path.
pub(crate) fn load_manifest(dir: &Path) -> Result<HashMap<u64, u64>> {
    let path = manifest_path(dir);
    refuse_link(&path)?;
    let file = match no_follow(std::fs::OpenOptions::new().read(true)).open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut done = HashMap::new();
    for line in capped_lines(std::io::BufReader::new(file), MAX_MANIFEST_LINE) {
        // A line cut short by a crash, or too long to be a record, is not a record.
        let Ok(line) = line else { continue };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&line) else {
            continue;
        };
        let (Some(key), Some(rel), Some(size)) = (
            v["k"]
                .as_str()
                .and_then(|k| u64::from_str_radix(k, 16).ok()),
            v["f"].as_str(),
            v["n"].as_u64(),
        ) else {
            continue;
        };
        if rel.contains("..") || rel.starts_with('/') {
            continue;
        }
        if std::fs::metadata(dir.join(rel)).is_ok_and(|m| m.len() == size) {
            done.insert(key, super::fnv1a64(rel.as_bytes()));
        }
    }
    Ok(done)
}

/// Files below `dir/<platform>/` for `platforms` whose path hash is not in `current`
/// (sorted): outputs this run did not write. Temporary files of a crashed run and links are
/// left alone.
pub(crate) fn stale_outputs(dir: &Path, platforms: &[&str], current: &[u64]) -> Vec<String> {
    let mut stale = Vec::new();
    for p in platforms {
        let Ok(entries) = std::fs::read_dir(dir.join(p)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_file = e.file_type().is_ok_and(|t| t.is_file());
            if !is_file || name.starts_with(".emailprof-") {
                continue;
            }
            let rel = format!("{p}/{name}");
            if current
                .binary_search(&super::fnv1a64(rel.as_bytes()))
                .is_err()
            {
                stale.push(rel);
            }
        }
    }
    stale.sort();
    stale
}

/// Remove the stale outputs (never through a link: `remove_file` removes a link itself).
pub(crate) fn prune(dir: &Path, stale: &[String]) -> Result<()> {
    for rel in stale {
        let path = dir.join(rel);
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lines_are_capped_and_overlong_ones_skipped_whole() {
        let mut input = b"short\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 100));
        input.extend_from_slice(b"\nnext\nlast");
        let lines: Vec<_> = capped_lines(&input[..], 10).collect();
        assert_eq!(
            lines,
            vec![
                Ok(b"short".to_vec()),
                Err(()),
                Ok(b"next".to_vec()),
                Ok(b"last".to_vec())
            ]
        );
        // A reader that yields small pieces: the cap holds across them.
        let reader = std::io::BufReader::with_capacity(3, &input[..]);
        assert_eq!(capped_lines(reader, 10).filter(|l| l.is_err()).count(), 1);
    }
}
