//! `clif-util test`: run filetests.

use std::path::PathBuf;

/// Runs the tests under `paths` (with the shared settings `set` applied to every file
/// after its own, and the ISA flags `isa_flags` to every target line of their ISA;
/// with `bless`, stale `precise-output` expectations rewritten) and prints failures and
/// the summary line.
pub fn run(
    paths: &[PathBuf],
    set: &[String],
    isa_flags: &[String],
    verbose: bool,
    bless: bool,
) -> Result<(), String> {
    if std::env::var_os("GANTRY_BLESS").is_some() && !bless {
        eprintln!("note: GANTRY_BLESS is ignored; `clif-util test --bless` rewrites expectations");
    }
    let options = gantry_filetests::RunOptions {
        overrides: set.to_vec(),
        isa_flags: isa_flags.to_vec(),
        bless,
    };
    let summary = gantry_filetests::run_tests_with(paths, &options).map_err(|e| e.to_string())?;
    for (path, why) in &summary.failed {
        println!("FAIL {}: {why}", path.display());
    }
    if verbose {
        for (path, why) in &summary.skips {
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
