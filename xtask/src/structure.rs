//! Checks on the shape of the code that keep the redesign (issue 13) from eroding: no source
//! file over 700 lines, a thin CLI crate, and no import cycles between the modules of a crate.
//! Run as tests (`cargo test -p xtask`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The largest a non-test source file may grow.
const MAX_FILE_LINES: usize = 700;
/// The CLI crate's `src/`, all files together.
const MAX_CLI_LINES: usize = 1800;

/// Every crate directory of the workspace: `crates/*`, `plugins/*`, `xtask`.
fn crate_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for group in ["crates", "plugins"] {
        let Ok(entries) = std::fs::read_dir(root.join(group)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().join("Cargo.toml").exists() {
                dirs.push(e.path());
            }
        }
    }
    dirs.push(root.join("xtask"));
    dirs.sort();
    dirs
}

/// The `.rs` files below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The lines of a source file that are not its inline test module (`#[cfg(test)] mod ...`
/// and everything after it, where test modules live by convention).
fn non_test_lines(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    for (i, w) in lines.windows(2).enumerate() {
        if w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod ") {
            return i;
        }
    }
    lines.len()
}

/// A module's path inside its crate (`batch::job`), from its file below `src/`.
fn module_path(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    match parts.last().map(String::as_str) {
        Some("lib" | "main") if parts.len() == 1 => parts.clear(),
        Some("mod") => {
            parts.pop();
        }
        _ => {}
    }
    // Extra binaries (`src/bin/x.rs`) are crates of their own.
    (parts.first().map(String::as_str) != Some("bin")).then_some(parts)
}

/// The paths a source text names with `crate::` or `super::` (outside its test module),
/// resolved against the module `at`.
fn references(text: &str, at: &[String]) -> Vec<Vec<String>> {
    let text: String = text
        .lines()
        .take(non_test_lines(text))
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(pos) = text[from..].find(start) {
            let i = from + pos;
            from = i + start.len();
            // `emailprof_crate::` or `self.super::` are not paths of this crate.
            if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
                continue;
            }
            let mut path: Vec<String> = if start == "crate::" {
                Vec::new()
            } else {
                at[..at.len().saturating_sub(1)].to_vec()
            };
            let mut rest = &text[from..];
            while let Some(seg) = rest.strip_prefix("super::") {
                path.pop();
                rest = seg;
            }
            for seg in rest.split("::") {
                let ident: String = seg
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if ident.is_empty() || ident.len() != seg.len() && !seg.starts_with(&ident) {
                    break;
                }
                path.push(ident.clone());
                if ident.len() != seg.len() {
                    break;
                }
            }
            out.push(path);
        }
    }
    out
}

/// The import cycles between modules of the crate in `dir`: each as a list of module paths.
/// A module naming its ancestor or its descendant is not an edge (a parent declares its
/// children; children use what the parent re-exports). Any other reference is an edge between
/// the two sibling modules that contain the two ends (`a::x` naming `b::y` is `a -> b`), so a
/// cycle through submodules shows as a cycle of their enclosing siblings.
fn module_cycles(dir: &Path) -> Vec<Vec<String>> {
    let src = dir.join("src");
    let mut modules: BTreeMap<Vec<String>, String> = BTreeMap::new();
    for f in rust_files(&src) {
        if let (Some(m), Ok(text)) = (module_path(&src, &f), std::fs::read_to_string(&f)) {
            modules.insert(m, text);
        }
    }
    let known: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &modules {
        for r in references(text, m) {
            // The longest known module the path goes through.
            let target = (0..=r.len())
                .rev()
                .map(|n| r[..n].to_vec())
                .find(|p| known.contains(p))
                .unwrap_or_default();
            let related = target.starts_with(m) || m.starts_with(&target);
            if !related {
                let common = m.iter().zip(&target).take_while(|(a, b)| a == b).count();
                edges
                    .entry(m[..=common].join("::"))
                    .or_default()
                    .insert(target[..=common].join("::"));
            }
        }
    }
    strongly_connected(&edges)
        .into_iter()
        .filter(|c| c.len() > 1)
        .collect()
}

/// Tarjan's strongly connected components.
fn strongly_connected(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.edges.get(v) {
            for w in next {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            comp.sort();
            s.out.push(comp);
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    #[test]
    fn no_source_file_is_over_the_limit() {
        let mut long = Vec::new();
        for dir in crate_dirs(&root()) {
            for f in rust_files(&dir.join("src")) {
                let n = non_test_lines(&std::fs::read_to_string(&f).unwrap());
                if n > MAX_FILE_LINES {
                    long.push(format!("{} ({n} lines)", f.display()));
                }
            }
        }
        assert!(
            long.is_empty(),
            "over {MAX_FILE_LINES} lines: {long:#?}; split along the module's seams"
        );
    }

    #[test]
    fn the_cli_crate_stays_thin() {
        let total: usize = rust_files(&root().join("crates/emailprof-cli/src"))
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap().lines().count())
            .sum();
        assert!(
            total < MAX_CLI_LINES,
            "crates/emailprof-cli/src has {total} lines (limit {MAX_CLI_LINES}): pipeline code belongs in crates/emailprof"
        );
    }

    #[test]
    fn no_crate_has_module_import_cycles() {
        let mut found = Vec::new();
        for dir in crate_dirs(&root()) {
            for cycle in module_cycles(&dir) {
                found.push(format!("{}: {}", dir.display(), cycle.join(" <-> ")));
            }
        }
        assert!(found.is_empty(), "module import cycles: {found:#?}");
    }

    #[test]
    fn the_library_example_in_architecture_md_is_the_compiled_one() {
        let example =
            std::fs::read_to_string(root().join("crates/emailprof/examples/emit_one_user.rs"))
                .unwrap();
        let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
        assert!(
            doc.contains(&format!("```rust\n{example}```")),
            "ARCHITECTURE.md quotes crates/emailprof/examples/emit_one_user.rs: update the quote"
        );
        assert!(example.lines().count() <= 30, "the tour stays short");
    }

    #[test]
    fn the_cycle_check_finds_a_cycle() {
        // The checker itself: two sibling modules naming each other are a cycle; a child using
        // its parent is not.
        let dir = std::env::temp_dir().join(format!("emailprof-cycles-{}", std::process::id()));
        let src = dir.join("src");
        std::fs::create_dir_all(src.join("b")).unwrap();
        std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
        std::fs::write(src.join("a.rs"), "use crate::b::c::f;\n").unwrap();
        std::fs::write(src.join("b/mod.rs"), "pub mod c;\nuse crate::a;\n").unwrap();
        std::fs::write(
            src.join("b/c.rs"),
            "use super::g;\npub fn f() {}\n#[cfg(test)]\nmod tests { use crate::a::x; }\n",
        )
        .unwrap();
        let cycles = module_cycles(&dir);
        std::fs::write(src.join("b/mod.rs"), "pub mod c;\n").unwrap();
        let after = module_cycles(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(cycles, vec![vec!["a".to_owned(), "b".to_owned()]]);
        assert!(after.is_empty(), "{after:?}");
    }
}
