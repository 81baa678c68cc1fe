//! Values that look plausible but would produce a wrong artifact: host names, OS versions,
//! user-name forms. Each is refused with the reason, or written as the administrator meant.

use crate::support::{emit, stderr};

#[test]
fn a_minimum_os_newer_than_the_reference_knows_is_refused_with_the_known_range() {
    for version in ["99", "19.0"] {
        let o = emit("examples/minimal.yaml", "ios")
            .directory("examples/directory.csv")
            .user("avance")
            .flag("--min-os", version)
            .code(2);
        let err = stderr(&o);
        assert!(err.contains("from iOS 4.0 to 18.x"), "{version}: {err}");
        assert!(o.stdout.is_empty(), "nothing written for {version}");
    }
    // The newest known major is accepted.
    emit("examples/minimal.yaml", "ios")
        .directory("examples/directory.csv")
        .user("avance")
        .flag("--min-os", "18.4")
        .success();
}
