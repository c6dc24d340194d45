//! Helpers shared by replog's end-to-end tests.

use std::path::PathBuf;

/// Path of a file or directory under `../shared/fixtures` (beside the project root).
///
/// Panics with instructions when the shared corpus is missing: these tests must never
/// pass vacuously because the corpus was not found.
pub fn shared_fixture(relative: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures");
    let path = root.join(relative);
    assert!(
        path.exists(),
        "shared fixture {} is missing: the conformance tests read the corpus from \
         ../shared/fixtures beside the project checkout (see README, \"Tests\")",
        path.display()
    );
    path
}

/// Path of a file under the project's own `fixtures/` directory.
pub fn project_fixture(relative: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(relative);
    assert!(
        path.exists(),
        "project fixture {} is missing",
        path.display()
    );
    path
}
