//! Names and partitions: the stable hash, shards, and file names that cannot escape their
//! directory.

use emailprof_core::Artifact;

/// `K/N`, 1 ≤ K ≤ N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a shard like 1/4 (K from 1 to N)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    pub fn contains(self, user_id: &str) -> bool {
        fnv1a64(user_id.as_bytes()) % self.n == self.k - 1
    }
}

/// FNV-1a, 64 bits: the documented, stable partition and manifest hash.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub(crate) fn mix(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.iter().chain(std::iter::once(&0xffu8)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// A file name for `user_id` that cannot escape its directory or clash with another user's:
/// characters outside `[a-z0-9._@+-]`, leading dots, reserved Windows device names and empty
/// ids are replaced, and any id changed that way gets `~` and a hash of the original id (`~`
/// never appears otherwise), so two different ids never map to one name, even on
/// case-insensitive file systems.
pub fn safe_file_stem(user_id: &str) -> String {
    const RESERVED: [&str; 22] = [
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
        "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];
    let mut out: String = user_id
        .chars()
        .take(100)
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '.' | '_' | '@' | '+' | '-' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    while out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    let base = out.split('.').next().unwrap_or("");
    if RESERVED.contains(&base) {
        // `NUL.txt` is as reserved as `NUL` on Windows.
        out.insert(0, '_');
    }
    let changed = out != user_id || out.is_empty();
    if changed {
        out = format!("{out}~{:016x}", fnv1a64(user_id.as_bytes()));
    }
    out
}

/// The extension part of an emitter's suggested file name (`com.x.mobileconfig` → `mobileconfig`).
pub(crate) fn extension(identifier: &str, artifact: &Artifact) -> String {
    artifact
        .file_name
        .strip_prefix(identifier)
        .and_then(|r| r.strip_prefix('.'))
        .filter(|r| !r.is_empty())
        .unwrap_or(&artifact.file_name)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn safe_names_cannot_escape_or_clash() {
        for (id, ok) in [
            ("user1", "user1"),
            ("megan.bowen", "megan.bowen"),
            ("a@contoso.com", "a@contoso.com"),
        ] {
            assert_eq!(safe_file_stem(id), ok);
        }
        let hostile = [
            "..",
            ".",
            "../../etc/passwd",
            "/etc/passwd",
            "a/b",
            "a\\b",
            "C:\\x",
            "con",
            "CON",
            "nul.txt",
            "lpt1",
            "",
            "a\0b",
            "a\nb",
            ".hidden",
            "User1",
            "USER1",
            "é",
            "a b",
            "a~b",
        ];
        let mut seen = HashSet::new();
        for id in hostile {
            let s = safe_file_stem(id);
            assert!(
                !s.contains('/') && !s.contains('\\') && !s.contains('\0'),
                "{id:?} -> {s}"
            );
            assert!(!s.starts_with('.'), "{id:?} -> {s}");
            assert!(s.chars().all(|c| c.is_ascii_graphic()), "{id:?} -> {s}");
            assert!(
                !["con", "nul", "lpt1"].contains(&s.split('.').next().unwrap()),
                "{id:?} -> {s}"
            );
            assert!(seen.insert(s.to_ascii_lowercase()), "{id:?} clashes");
        }
        // Case-insensitive file systems: ids differing in case never share a name.
        assert_ne!(
            safe_file_stem("user1").to_ascii_lowercase(),
            safe_file_stem("User1").to_ascii_lowercase()
        );
        // Long ids are bounded.
        assert!(safe_file_stem(&"x".repeat(5000)).len() < 130);
    }

    #[test]
    fn shards_partition_the_users() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("user{i}")).collect();
        let n = 7;
        let mut counts = vec![0usize; n as usize];
        for id in &ids {
            let hits: Vec<u64> = (1..=n)
                .filter(|k| Shard { k: *k, n }.contains(id))
                .collect();
            assert_eq!(hits.len(), 1, "{id} in {hits:?}");
            counts[(hits[0] - 1) as usize] += 1;
        }
        // Roughly even: every shard within 20% of the mean.
        let mean = ids.len() / n as usize;
        assert!(
            counts.iter().all(|c| c.abs_diff(mean) < mean / 5),
            "{counts:?}"
        );
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { k: 2, n: 5 }));
        assert!("0/5".parse::<Shard>().is_err());
        assert!("6/5".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
