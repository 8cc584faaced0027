//! Runs the whole corpus in `filetests/suite/` as part of `cargo test`.

use std::path::PathBuf;

#[test]
fn suite_passes() {
    let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suite");
    let summary = gantry_filetests::run_tests(&[suite]).expect("the suite folder is readable");
    for (path, why) in &summary.failed {
        eprintln!("FAIL {}: {why}", path.display());
    }
    eprintln!("{}", summary.line());
    assert!(
        summary.failed.is_empty(),
        "{} filetest(s) failed",
        summary.failed.len()
    );
    assert!(summary.passed > 0, "no filetest ran");
}
