//! `clif-util interpret`: run CLIF files in the interpreter.

use gantry_interpreter::{Interpreter, function_name};
use std::path::PathBuf;

/// For each file: runs its `; run:` and `; print:` commands in the CLIF interpreter,
/// printing each call's results, or, if it has none, calls its `%main` function (no
/// arguments) and prints what it returns.
///
/// # Errors
/// An unreadable or malformed file, a trap, the step limit, something the interpreter
/// does not implement, or a run command whose results differ.
pub fn run(files: &[PathBuf]) -> Result<(), String> {
    for path in files {
        let text = crate::read_input(path)?;
        let file =
            gantry_reader::parse_test(&text).map_err(|e| format!("{}:{e}", path.display()))?;
        if gantry_filetests::run::count_commands(&file) > 0 {
            let counts = gantry_filetests::run::interpret_with(&file, true)
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
        let funcs: Vec<_> = file.functions.iter().map(|f| &f.func).collect();
        if !funcs.iter().any(|f| function_name(f) == "main") {
            return Err(format!(
                "{}: no `; run:` lines and no %main function",
                path.display()
            ));
        }
        let results = Interpreter::new(funcs)
            .call("main", &[])
            .map_err(|e| format!("{}: %main: {e}", path.display()))?;
        let shown: Vec<String> = results.iter().map(|v| v.to_string()).collect();
        println!("%main() -> {}", shown.join(", "));
    }
    Ok(())
}
