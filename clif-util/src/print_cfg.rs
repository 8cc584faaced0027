//! `clif-util print-cfg`: control flow graphs as Graphviz dot.

use gantry_codegen::cfg_printer::write_cfg;
use std::path::PathBuf;

/// Prints the CFG of each function of each file.
pub fn run(files: &[PathBuf]) -> Result<(), String> {
    let mut out = String::new();
    for path in files {
        let text = crate::read_input(path)?;
        let file =
            gantry_reader::parse_test(&text).map_err(|e| format!("{}:{e}", path.display()))?;
        for f in &file.functions {
            write_cfg(&mut out, &f.func).map_err(|e| e.to_string())?;
        }
    }
    print!("{out}");
    Ok(())
}
