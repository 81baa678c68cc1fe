//! The editor check: the real YAML language server over the examples and a faulty profile, with
//! the committed schemas (web/e2e/yaml-ls.e2e.mjs). It needs Node.js and `npm ci` in web/, so it
//! runs only when EMAILPROF_E2E=1 (as CI sets), and then a missing server is a failure.

use std::io::Write;
use std::process::Command;

use crate::codegen::workspace_root;

#[test]
fn editor_schema_end_to_end() {
    if std::env::var("EMAILPROF_E2E").as_deref() != Ok("1") {
        // Straight to the process's stderr: libtest captures `eprintln!` of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "\n======== SKIP: YAML language server test (web/e2e/yaml-ls.e2e.mjs) not run; set EMAILPROF_E2E=1 (needs Node.js and `npm ci` in web/) ========\n"
        );
        return;
    }
    let root = workspace_root();
    let server = root.join("web/node_modules/yaml-language-server/bin/yaml-language-server");
    assert!(
        server.is_file(),
        "EMAILPROF_E2E=1 but {} is missing: run `npm ci` in web/",
        server.display()
    );
    let status = Command::new("node")
        .arg("web/e2e/yaml-ls.e2e.mjs")
        .current_dir(&root)
        .status()
        .expect("cannot run node");
    assert!(
        status.success(),
        "web/e2e/yaml-ls.e2e.mjs failed (see its output above)"
    );
}
