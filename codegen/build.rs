//! Compiles the ISLE sources under `src/` (`prelude*.isle`, each ISA's `inst.isle` and
//! `lower.isle`, the mid-end's `opts/*.isle`) into `OUT_DIR/isle_generated.rs`.
//!
//! Cargo re-runs this only when an `.isle` file changes (or one is added or removed).
//! `GANTRY_ISLE_DUMP=DIR` also copies the generated Rust to `DIR` for reading.

use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src is readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "isle") {
            println!("cargo:rerun-if-changed={}", p.display());
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=GANTRY_ISLE_DUMP");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    collect(&src, &mut paths);
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let name = p
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(p)
                .display()
                .to_string();
            (
                format!("codegen/{name}"),
                std::fs::read_to_string(p).expect("readable"),
            )
        })
        .collect();
    let code = match gantry_isle::compile(&files) {
        Ok(code) => gantry_isle::rustfmt(&code),
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("error: the ISLE rules above do not compile");
            std::process::exit(1);
        }
    };
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("isle_generated.rs");
    std::fs::write(&out, &code).expect("OUT_DIR is writable");
    if let Ok(dir) = std::env::var("GANTRY_ISLE_DUMP") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("the dump folder can be created");
        std::fs::write(dir.join("isle_generated.rs"), &code).expect("the dump folder is writable");
    }
}
