//! `islec FILE... -o OUT.rs`: compiles ISLE files into one Rust module.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut inputs = Vec::new();
    let mut output = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-o" => output = args.next(),
            "-h" | "--help" => {
                println!(
                    "usage: islec FILE.isle... [-o OUT.rs]\n\nCompiles ISLE files into one Rust module (to stdout without -o)."
                );
                return ExitCode::SUCCESS;
            }
            _ => inputs.push(a),
        }
    }
    if inputs.is_empty() {
        eprintln!("usage: islec FILE.isle... [-o OUT.rs]");
        return ExitCode::FAILURE;
    }
    let mut files = Vec::new();
    for path in &inputs {
        match std::fs::read_to_string(path) {
            Ok(text) => files.push((path.clone(), text)),
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    match gantry_isle::compile(&files) {
        Ok(code) => {
            let code = gantry_isle::rustfmt(&code);
            match output {
                Some(out) => {
                    if let Err(e) = std::fs::write(&out, code) {
                        eprintln!("{out}: {e}");
                        return ExitCode::FAILURE;
                    }
                }
                None => print!("{code}"),
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprint!("{errors}");
            ExitCode::FAILURE
        }
    }
}
