//! Refusing a user id that appears twice in a batch, in memory that does not grow with the
//! directory.
//!
//! Two ids that are the same would write the same output file (or two JSON lines for one
//! user), so `batch` stops at the second. Remembering every id seen costs memory in proportion
//! to the directory (about 10 bytes a user for the 64-bit hashes in a [`HashSlab`]; a hash set
//! took 25, 58 MiB peak at a million users). When the input can be read twice (a file, not
//! stdin), a first pass runs the ids through a Bloom filter of fixed size: an id the filter
//! has already seen is a *suspect* (a real repeat, or a false positive of the filter). The
//! second pass, the real run, tracks exactly only the suspects' ids, so the answer is exact
//! and the memory is the filter (4 MiB up to two million users, two bytes a user above that)
//! plus the few suspects. Up to [`EXACT_UP_TO`] users the exact set is smaller than the filter
//! and saves the first pass, so it is used instead.

use std::collections::HashSet;

/// Up to this many users (lines of input), every id's hash is kept (at most about 3 MiB).
pub(crate) const EXACT_UP_TO: u64 = 1 << 17;
/// Bits of the filter when the directory is small: 4 MiB.
const MIN_BITS: u64 = 1 << 25;
/// Bits per expected user above that.
const BITS_PER_USER: u64 = 16;
/// Probes per id.
const PROBES: u64 = 6;

/// A Bloom filter over 64-bit id hashes.
pub(crate) struct Bloom {
    words: Vec<u64>,
    mask: u64,
}

fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

impl Bloom {
    /// A filter for about `expected` ids.
    pub(crate) fn for_users(expected: u64) -> Self {
        Self::with_bits(
            expected
                .saturating_mul(BITS_PER_USER)
                .max(MIN_BITS)
                .next_power_of_two(),
        )
    }

    /// A filter of `bits` bits (a power of two, at least 64).
    pub(crate) fn with_bits(bits: u64) -> Self {
        let bits = bits.max(64).next_power_of_two();
        Self {
            words: vec![0; (bits / 64) as usize],
            mask: bits - 1,
        }
    }

    /// Add `hash`; whether every one of its bits was already set (seen before, or a false
    /// positive).
    pub(crate) fn insert(&mut self, hash: u64) -> bool {
        let a = fmix64(hash);
        let b = fmix64(hash ^ 0x9e37_79b9_7f4a_7c15) | 1;
        let mut all = true;
        for i in 0..PROBES {
            let bit = a.wrapping_add(i.wrapping_mul(b)) & self.mask;
            let word = &mut self.words[(bit / 64) as usize];
            let m = 1u64 << (bit % 64);
            all &= *word & m != 0;
            *word |= m;
        }
        all
    }

    pub(crate) fn bytes(&self) -> usize {
        self.words.len() * 8
    }
}

/// An exact set of 64-bit hashes in about 10 bytes each (a `HashSet<u64>` takes 16 to 25,
/// and twice that while it grows): 4,096 sorted vectors, picked by the hash's top bits, each
/// grown by a quarter when full. What a run that reads its users once (a plugin's listing,
/// stdin) keeps of every id.
pub(crate) struct HashSlab {
    buckets: Vec<Vec<u64>>,
}

impl HashSlab {
    const BITS: u32 = 12;

    pub(crate) fn new() -> Self {
        Self {
            buckets: (0..1usize << Self::BITS).map(|_| Vec::new()).collect(),
        }
    }

    /// Add `h`; false when it was there.
    pub(crate) fn insert(&mut self, h: u64) -> bool {
        let bucket = &mut self.buckets[(h >> (64 - Self::BITS)) as usize];
        match bucket.binary_search(&h) {
            Ok(_) => false,
            Err(at) => {
                if bucket.len() == bucket.capacity() {
                    bucket.reserve_exact((bucket.len() / 4).max(4));
                }
                bucket.insert(at, h);
                true
            }
        }
    }

    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        self.buckets.iter().map(|b| b.capacity() * 8).sum::<usize>() + self.buckets.len() * 24
    }
}

/// What the run keeps to recognise a repeated id.
pub(crate) enum Duplicates {
    /// Every id's hash (input read once: stdin, a plugin's listing, the built-in directory,
    /// or a directory small enough that this is smaller than the filter).
    Exact(HashSlab),
    /// From a first pass: the hashes that may repeat, and the ids of those seen so far.
    Suspects {
        hashes: HashSet<u64>,
        seen: HashSet<String>,
    },
}

impl Duplicates {
    pub(crate) fn exact() -> Self {
        Self::Exact(HashSlab::new())
    }

    /// From a first pass over the ids (after sharding) through `bloom`. Also returns how
    /// many ids there were.
    pub(crate) fn from_first_pass(
        ids: impl Iterator<Item = impl AsRef<str>>,
        mut bloom: Bloom,
    ) -> (Self, u64) {
        let mut hashes = HashSet::new();
        let mut count = 0u64;
        for id in ids {
            count += 1;
            let h = crate::batch::fnv1a64(id.as_ref().as_bytes());
            if bloom.insert(h) {
                hashes.insert(h);
            }
        }
        tracing::debug!(
            suspects = hashes.len(),
            filter_bytes = bloom.bytes(),
            "duplicate-id check"
        );
        (
            Self::Suspects {
                hashes,
                seen: HashSet::new(),
            },
            count,
        )
    }

    /// Record `id`; false when it was seen before in this run.
    pub(crate) fn first_time(&mut self, id: &str) -> bool {
        let h = crate::batch::fnv1a64(id.as_bytes());
        match self {
            Self::Exact(set) => set.insert(h),
            Self::Suspects { hashes, seen } => !hashes.contains(&h) || seen.insert(id.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeats(ids: &[String], bloom: Bloom) -> Vec<usize> {
        let (mut d, n) = Duplicates::from_first_pass(ids.iter(), bloom);
        assert_eq!(n, ids.len() as u64);
        (0..ids.len()).filter(|&i| !d.first_time(&ids[i])).collect()
    }

    fn exact_repeats(ids: &[String]) -> Vec<usize> {
        let mut d = Duplicates::exact();
        (0..ids.len()).filter(|&i| !d.first_time(&ids[i])).collect()
    }

    fn ids() -> Vec<String> {
        let mut ids: Vec<String> = (0..20_000).map(|i| format!("user{i}")).collect();
        // Repeats at known places: the second and third of each.
        ids.insert(500, "user7".into());
        ids.insert(9000, "user7".into());
        ids.push("user19999".into());
        ids.insert(12_345, "user12000".into());
        ids
    }

    #[test]
    fn every_repeat_is_found_and_nothing_else() {
        let ids = ids();
        let want: Vec<usize> = {
            let mut seen = HashSet::new();
            (0..ids.len()).filter(|&i| !seen.insert(&ids[i])).collect()
        };
        assert_eq!(want.len(), 4);
        assert_eq!(exact_repeats(&ids), want);
        assert_eq!(repeats(&ids, Bloom::for_users(ids.len() as u64)), want);
    }

    #[test]
    fn false_positives_of_a_tiny_filter_are_not_repeats() {
        // 1,024 bits for 20,000 ids: nearly every id is a suspect, and the answer stays exact.
        let ids = ids();
        let mut bloom = Bloom::with_bits(1024);
        let suspects = ids
            .iter()
            .filter(|id| bloom.insert(crate::batch::fnv1a64(id.as_bytes())))
            .count();
        assert!(suspects > 15_000, "{suspects}");
        assert_eq!(repeats(&ids, Bloom::with_bits(1024)), exact_repeats(&ids));
    }

    #[test]
    fn the_slab_is_an_exact_set_in_about_ten_bytes_an_id() {
        let mut slab = HashSlab::new();
        let mut set = HashSet::new();
        // Hashes of ids, and raw values at the edges of the buckets.
        let mut values: Vec<u64> = (0..200_000u64)
            .map(|i| crate::batch::fnv1a64(format!("user{i}").as_bytes()))
            .collect();
        values.extend([0, 1, u64::MAX, u64::MAX - 1, 1 << 52, (1 << 52) - 1]);
        for round in 0..2 {
            for &v in &values {
                assert_eq!(slab.insert(v), set.insert(v), "round {round}: {v}");
            }
        }
        let per_id = slab.heap_bytes() as f64 / values.len() as f64;
        assert!(per_id < 11.5, "{per_id} bytes an id");
    }

    #[test]
    fn the_filter_is_fixed_up_to_two_million_users_and_rarely_wrong() {
        assert_eq!(Bloom::for_users(10_000).bytes(), 4 << 20);
        assert_eq!(Bloom::for_users(1_000_000).bytes(), 4 << 20);
        assert_eq!(Bloom::for_users(2_000_000).bytes(), 4 << 20);
        assert_eq!(Bloom::for_users(3_000_000).bytes(), 8 << 20);
        // At 1,000,000 distinct ids the filter has almost no false positives.
        let mut bloom = Bloom::for_users(1_000_000);
        let fp = (0..1_000_000u64)
            .filter(|i| bloom.insert(crate::batch::fnv1a64(format!("user{i}").as_bytes())))
            .count();
        assert!(fp < 20, "{fp} false positives");
    }
}
