//! `clif-util test`: run filetests.

use std::path::PathBuf;

/// Runs the tests under `paths` (with the shared settings `set` applied to every file
/// after its own) and prints failures and the summary line.
pub fn run(paths: &[PathBuf], set: &[String], verbose: bool) -> Result<(), String> {
    let summary = gantry_filetests::run_tests_with(paths, set).map_err(|e| e.to_string())?;
    for (path, why) in &summary.failed {
        println!("FAIL {}: {why}", path.display());
    }
    if verbose {
        for (path, why) in &summary.skipped {
            println!("skip {}: {why}", path.display());
        }
    }
    // The summary is the last line printed; failures only change the exit status.
    println!("{}", summary.line());
    if !summary.failed.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
