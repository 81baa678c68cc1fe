//! Reading a file below a root without ever leaving it: no `..`, no absolute path, no symbolic
//! link at any step (each component is opened with `O_NOFOLLOW` relative to the directory
//! before it, so a link planted anywhere, or swapped in between checks, is refused), and only
//! a regular file at the end.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path};

/// The largest certificate file read (a PKCS#12 with a long chain is a few KiB).
pub(crate) const MAX_MATERIAL_BYTES: u64 = 1 << 20;

/// Whether `file` is a relative path made only of normal components.
pub(crate) fn is_relative_below(file: &str) -> bool {
    let path = Path::new(file);
    !file.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The bytes of `root/file`, or `None` when the file is not there, not allowed (outside the
/// root, through a link, not a regular file) or larger than [`MAX_MATERIAL_BYTES`]. Which of
/// these it was is not told, so a caller cannot probe what exists.
pub(crate) fn read_beneath(root: &Path, file: &str) -> Option<Vec<u8>> {
    if !is_relative_below(file) {
        return None;
    }
    let mut f = open_beneath(root, Path::new(file))?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_MATERIAL_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    (&mut f)
        .take(MAX_MATERIAL_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= MAX_MATERIAL_BYTES).then_some(bytes)
}

#[cfg(unix)]
fn open_beneath(root: &Path, rel: &Path) -> Option<File> {
    use std::ffi::CString;
    use std::os::fd::{AsRawFd, FromRawFd};
    use std::os::unix::ffi::OsStrExt;

    let root_c = CString::new(root.as_os_str().as_bytes()).ok()?;
    // SAFETY: `root_c` is a NUL-terminated path; the returned descriptor is owned below.
    let fd = unsafe {
        libc::open(
            root_c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return None;
    }
    // SAFETY: `fd` was just opened and is owned by nothing else.
    let mut dir = unsafe { File::from_raw_fd(fd) };
    let parts: Vec<&std::ffi::OsStr> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect();
    let (last, dirs) = parts.split_last()?;
    for part in dirs {
        let name = CString::new(part.as_bytes()).ok()?;
        // SAFETY: `dir` is an open directory descriptor and `name` a NUL-terminated name.
        let fd = unsafe {
            libc::openat(
                dir.as_raw_fd(),
                name.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return None;
        }
        // SAFETY: as above.
        dir = unsafe { File::from_raw_fd(fd) };
    }
    let name = CString::new(last.as_bytes()).ok()?;
    // SAFETY: as above; O_NONBLOCK keeps a FIFO planted at the name from blocking the open.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK,
        )
    };
    if fd < 0 {
        return None;
    }
    // SAFETY: as above.
    Some(unsafe { File::from_raw_fd(fd) })
}

#[cfg(not(unix))]
fn open_beneath(root: &Path, rel: &Path) -> Option<File> {
    // Without openat, refuse any link on the way (checked, then opened: a narrow race that
    // Unix builds do not have).
    let mut path = root.to_path_buf();
    for c in rel.components() {
        path.push(c);
        if std::fs::symlink_metadata(&path)
            .ok()?
            .file_type()
            .is_symlink()
        {
            return None;
        }
    }
    File::open(path).ok()
}

/// Whether `bytes` are a DER X.509 certificate.
pub(crate) fn is_x509_certificate(bytes: &[u8]) -> bool {
    use der::Decode;
    x509_cert::Certificate::from_der(bytes).is_ok()
}

/// One DER TLV at the start of `bytes`: (tag, content, rest).
fn tlv(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[n..];
        len
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// Whether `bytes` are a PKCS#12 PFX (RFC 7292 §4): a SEQUENCE spanning the input whose
/// version is 3 and whose `authSafe` is PKCS#7 `data` or `signedData` content.
pub(crate) fn is_pkcs12(bytes: &[u8]) -> bool {
    const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    let Some((0x30, pfx, [])) = tlv(bytes) else {
        return false;
    };
    let Some((0x02, [3], rest)) = tlv(pfx) else {
        return false;
    };
    let Some((0x30, auth_safe, _)) = tlv(rest) else {
        return false;
    };
    matches!(tlv(auth_safe), Some((0x06, oid, _)) if oid == DATA || oid == SIGNED_DATA)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
    }

    #[test]
    fn real_certificates_are_recognised_and_other_files_are_not() {
        let p12 = std::fs::read(examples().join("certs/smime.p12")).unwrap();
        assert!(is_pkcs12(&p12));
        let pem = std::fs::read(examples().join("certs/contoso-root.pem")).unwrap();
        let der = crate::material::certificate_der(&pem, "ca").unwrap();
        assert!(is_x509_certificate(&der));
        assert!(!is_pkcs12(&der), "a certificate is not a PFX");
        assert!(!is_x509_certificate(&p12));
        for junk in [
            &b"SECRET=hunter2\n"[..],
            b"",
            b"\x30\x03\x02\x01\x03",
            &p12[..p12.len() - 1],
        ] {
            assert!(!is_pkcs12(junk) && !is_x509_certificate(junk), "{junk:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_and_parents_are_never_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        std::fs::create_dir_all(root.join("certs")).unwrap();
        std::fs::write(root.join("certs/a.pem"), b"inside").unwrap();
        std::fs::write(tmp.path().join("outside.env"), b"SECRET").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("outside.env"), root.join("link.env")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), root.join("up")).unwrap();
        assert_eq!(
            read_beneath(&root, "certs/a.pem").as_deref(),
            Some(&b"inside"[..])
        );
        assert_eq!(
            read_beneath(&root, "./certs/a.pem").as_deref(),
            Some(&b"inside"[..])
        );
        for refused in [
            "link.env",
            "up/outside.env",
            "../outside.env",
            "/etc/passwd",
            "certs",
            "",
            "nope",
        ] {
            assert_eq!(read_beneath(&root, refused), None, "{refused}");
        }
    }
}
