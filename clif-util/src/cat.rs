//! `clif-util cat`: parse and print.

use std::io::Write;
use std::path::PathBuf;

/// Parses each file and prints its functions in canonical form.
pub fn run(files: &[PathBuf]) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for path in files {
        let text = crate::read_input(path)?;
        let file =
            gantry_reader::parse_test(&text).map_err(|e| format!("{}:{e}", path.display()))?;
        for (i, f) in file.functions.iter().enumerate() {
            if i > 0 {
                writeln!(out).map_err(|e| e.to_string())?;
            }
            write!(out, "{}", f.func).map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(|e| e.to_string())
}
