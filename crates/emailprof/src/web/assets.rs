//! The built form (`web/dist`), embedded so a Rust-only build serves it.

/// One embedded file of `web/dist`.
pub struct Asset {
    pub path: &'static str,
    pub media_type: &'static str,
    pub bytes: &'static [u8],
}

/// The built form (`npm run build` in `web/`, committed), so a Rust-only build serves it.
pub const ASSETS: &[Asset] = &[
    Asset {
        path: "/index.html",
        media_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../../../../web/dist/index.html"),
    },
    Asset {
        path: "/assets/app.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../../web/dist/assets/app.js"),
    },
    Asset {
        path: "/assets/schema.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../../web/dist/assets/schema.js"),
    },
];

/// AJV compiles the schema into functions at run time, hence `unsafe-eval`; RJSF sets inline
/// styles and the bundle injects its stylesheet, hence `unsafe-inline` for styles.
pub(super) const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::path::Path;

    #[test]
    fn every_built_file_is_embedded() {
        let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
        let mut files = Vec::new();
        let mut stack = vec![dist.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path
                        .strip_prefix(&dist)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    files.push(format!("/{rel}"));
                }
            }
        }
        files.sort();
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.path.to_owned()).collect();
        embedded.sort();
        assert_eq!(
            files, embedded,
            "web/dist and ASSETS disagree; update ASSETS after a build"
        );
        for a in ASSETS {
            let on_disk = std::fs::read(dist.join(a.path.trim_start_matches('/'))).unwrap();
            assert_eq!(on_disk, a.bytes, "{}", a.path);
        }
    }

    #[test]
    fn the_page_refers_only_to_embedded_files() {
        let page = std::str::from_utf8(ASSETS[0].bytes).unwrap();
        let mut refs = 0;
        for part in page
            .split("src=\"")
            .skip(1)
            .chain(page.split("href=\"").skip(1))
        {
            let target = part.split('"').next().unwrap();
            if target.starts_with("data:") {
                continue;
            }
            let path = format!("/{}", target.trim_start_matches("./"));
            assert!(
                ASSETS.iter().any(|a| a.path == path),
                "{target} is not embedded"
            );
            refs += 1;
        }
        assert!(refs >= 2, "the page loads the schema fallback and the app");
    }

    #[test]
    fn the_bundled_fallback_schema_is_the_committed_schema() {
        // A schema change needs `npm run build` in web/ so the page opened from disk is current.
        let js = std::str::from_utf8(
            ASSETS
                .iter()
                .find(|a| a.path == "/assets/schema.js")
                .unwrap()
                .bytes,
        )
        .unwrap();
        let json = js
            .strip_prefix("window.EMAILPROF_SCHEMA = ")
            .and_then(|s| s.trim_end().strip_suffix(';'))
            .expect("schema.js sets window.EMAILPROF_SCHEMA");
        let bundled: Value = serde_json::from_str(json).unwrap();
        let committed: Value = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../schemas/email-profile.schema.json"),
            )
            .unwrap(),
        )
        .unwrap();
        assert!(
            bundled == committed,
            "web/dist/assets/schema.js differs from schemas/email-profile.schema.json: run `npm run build` in web/"
        );
    }
}
