//! The seeded input mutator behind the fuzz targets' property tests: a seed file with random
//! edits (tokens of the input's syntax spliced in, spans deleted, bytes overwritten, the file
//! cut short), so stable CI reaches the parser states libFuzzer would, from valid inputs.

use emailprof_core::DirectoryAttributes;
use proptest::prelude::*;
use proptest::sample::Index;

/// JSON syntax and values that stress a JSON reader; most JSON inputs' token lists start here.
pub const JSON_TOKENS: &[&str] = &[
    "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "0", "-1", "1e999", "\"\"",
    "\\u0000", "\\ud800", "<&>]]>",
];

/// How much a seed is edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edits {
    /// Edits per input: `0..max`.
    pub max: usize,
    /// A deletion removes `1..=delete_span` bytes.
    pub delete_span: u16,
    /// Whether an edit may also cut the input short (a truncated download).
    pub truncate: bool,
}

impl Edits {
    /// Up to 7 edits, deletions of up to 32 bytes: what the text formats' tests use.
    pub const TEXT: Edits = Edits {
        max: 8,
        delete_span: 32,
        truncate: false,
    };
}

/// One edit at a byte position; positions past the end append or do nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit<'a> {
    Insert(usize, &'a [u8]),
    /// Remove up to `len` bytes from the position.
    Delete(usize, usize),
    Truncate(usize),
    Overwrite(usize, u8),
}

/// Apply `edit` to `bytes`. Never panics, whatever the position.
pub fn apply(bytes: &mut Vec<u8>, edit: Edit<'_>) {
    match edit {
        Edit::Insert(pos, token) => {
            let pos = pos.min(bytes.len());
            bytes.splice(pos..pos, token.iter().copied());
        }
        Edit::Delete(pos, len) => {
            let end = pos.saturating_add(len).min(bytes.len());
            bytes.drain(pos.min(end)..end);
        }
        Edit::Truncate(pos) => bytes.truncate(pos),
        Edit::Overwrite(pos, byte) => match bytes.get_mut(pos) {
            Some(b) => *b = byte,
            None => bytes.push(byte),
        },
    }
}

/// The byte strings of several token lists, in order.
pub fn tokens<T: AsRef<[u8]>>(groups: &[&[T]]) -> Vec<Vec<u8>> {
    groups
        .iter()
        .flat_map(|g| g.iter().map(|t| t.as_ref().to_vec()))
        .collect()
}

/// A seed (with its tag, e.g. its format) with up to `edits.max - 1` random edits.
pub fn mutated_tagged<T>(
    seeds: Vec<(Vec<u8>, T)>,
    tokens: Vec<Vec<u8>>,
    edits: Edits,
) -> impl Strategy<Value = (Vec<u8>, T)>
where
    T: Clone + std::fmt::Debug + 'static,
{
    assert!(!seeds.is_empty() && !tokens.is_empty(), "seeds and tokens");
    let kinds = if edits.truncate { 4 } else { 3 };
    let edit = (0u8..kinds, any::<Index>(), any::<Index>(), any::<u8>());
    (0..seeds.len(), prop::collection::vec(edit, 0..edits.max)).prop_map(move |(i, list)| {
        let (seed, tag) = &seeds[i];
        let mut b = seed.clone();
        for (kind, at, token, byte) in list {
            let pos = at.index(b.len() + 1);
            let edit = match (kind, edits.truncate) {
                (0, _) => Edit::Insert(pos, &tokens[token.index(tokens.len())]),
                (1, _) => Edit::Delete(pos, 1 + usize::from(byte) % usize::from(edits.delete_span)),
                (2, true) => Edit::Truncate(pos),
                _ => Edit::Overwrite(pos, byte),
            };
            apply(&mut b, edit);
        }
        (b, tag.clone())
    })
}

/// A seed with up to `edits.max - 1` random edits.
pub fn mutated(
    seeds: Vec<Vec<u8>>,
    tokens: Vec<Vec<u8>>,
    edits: Edits,
) -> impl Strategy<Value = Vec<u8>> {
    let seeds = seeds.into_iter().map(|s| (s, ())).collect();
    mutated_tagged(seeds, tokens, edits).prop_map(|(b, ())| b)
}

/// The contents of the files in `dir` whose name ends in `.{extension}`, sorted by name.
/// Panics when the directory cannot be read, so a moved fixture directory is not a silent
/// zero-seed test.
pub fn seed_files(dir: &std::path::Path, extension: &str) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect()
}

/// Directory values with markup, quotes, controls and non-ASCII, or `injection` (a string
/// written to break out of the output format's value element); sometimes missing.
pub fn value(injection: &'static str) -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.9,
        prop_oneof![
            "[a-z0-9.@]{1,12}",
            "[a-z<>&;\\]\\[!\"'/ \t\r\n\u{0}\u{7}\u{1f}\u{7f}\u{85}\u{fffe}\u{ffff}é\u{1F980}-]{1,16}",
            Just(injection.to_owned()),
        ],
    )
}

/// A directory user whose every attribute is a [`value`].
pub fn attributes(injection: &'static str) -> impl Strategy<Value = DirectoryAttributes> {
    let v = || value(injection);
    ("[a-z0-9]{1,8}", v(), v(), v(), v(), v()).prop_map(
        |(user_id, upn, smtp, sam, fqdn, netbios)| DirectoryAttributes {
            user_id,
            user_principal_name: upn,
            primary_smtp_address: smtp,
            sam_account_name: sam,
            domain_fqdn: fqdn,
            netbios_name: netbios,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_at_any_position_never_panic() {
        let mut b = b"abc".to_vec();
        apply(&mut b, Edit::Insert(99, b"X"));
        assert_eq!(b, b"abcX");
        apply(&mut b, Edit::Delete(1, 2));
        assert_eq!(b, b"aX");
        apply(&mut b, Edit::Delete(7, usize::MAX));
        apply(&mut b, Edit::Overwrite(0, b'z'));
        apply(&mut b, Edit::Overwrite(2, b'!'));
        assert_eq!(b, b"zX!");
        apply(&mut b, Edit::Truncate(1));
        assert_eq!(b, b"z");
        apply(&mut b, Edit::Truncate(5));
        assert_eq!(b, b"z");
    }

    #[test]
    fn token_groups_concatenate_in_order() {
        let t = tokens::<&str>(&[&["a", "b"], &["c"]]);
        assert_eq!(t, [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    }

    proptest! {
        #[test]
        fn mutated_inputs_come_from_the_seeds(
            b in mutated(vec![b"seed".to_vec()], tokens::<&str>(&[&["T"]]), Edits { max: 1, ..Edits::TEXT })
        ) {
            // No edits at all with max 1: the seed itself.
            prop_assert_eq!(b, b"seed".to_vec());
        }

        #[test]
        fn tags_follow_their_seed(
            (b, tag) in mutated_tagged(vec![(b"aa".to_vec(), 1usize), (b"bbbb".to_vec(), 2)], tokens::<&str>(&[&["T"]]), Edits { max: 1, ..Edits::TEXT })
        ) {
            prop_assert_eq!(b.len(), tag * 2);
        }
    }
}
