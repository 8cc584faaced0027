//! `clif-util run`: compile CLIF files for the host and run them.

use gantry_codegen::isa;
use std::path::PathBuf;

/// For each file: runs its `; run:` and `; print:` commands, printing each call's
/// results, or, if it has none, calls its `%main` function (no arguments) and prints
/// what it returns.
///
/// # Errors
/// An unreadable or malformed file, a host Gantry cannot run code on, a compilation
/// error, a trap, or a run command whose results differ.
pub fn run(files: &[PathBuf]) -> Result<(), String> {
    let arch = std::env::consts::ARCH;
    if !gantry_filetests::run::host_runs(arch) {
        return Err(format!("cannot run generated code on this host ({arch})"));
    }
    let target = isa::lookup(arch)
        .and_then(|b| b.finish())
        .map_err(|e| e.to_string())?;
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file =
            gantry_reader::parse_test(&text).map_err(|e| format!("{}:{e}", path.display()))?;
        let has_commands = text.lines().any(|l| {
            let t = l.trim_start();
            t.starts_with("; run:") || t.starts_with("; print:")
        });
        if has_commands {
            let counts = gantry_filetests::run::run_with(&file, target.as_ref(), true)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if !counts.failures.is_empty() {
                return Err(format!(
                    "{}: {}",
                    path.display(),
                    counts.failures.join("\n")
                ));
            }
            continue;
        }
        let main = file
            .functions
            .iter()
            .find(|f| f.func.name.to_string() == "%main")
            .ok_or_else(|| {
                format!(
                    "{}: no `; run:` lines and no %main function",
                    path.display()
                )
            })?;
        let results = gantry_filetests::run::compile_and_call(target.as_ref(), &main.func, &[])
            .map_err(|e| format!("{}: %main: {e}", path.display()))?;
        let shown: Vec<String> = results.iter().map(|v| v.to_string()).collect();
        println!("%main() -> {}", shown.join(", "));
    }
    Ok(())
}
