//! Compiles the ISLE sources under `src/`: `prelude.isle` alone into
//! `OUT_DIR/isle_prelude.rs` (checked on every build), and all `prelude*.isle` files with
//! each ISA's `.isle` files (under `src/isa/<isa>/`) into `OUT_DIR/isle_<isa>.rs`.
//!
//! It also generates the `InstBuilder` methods from the opcode table
//! (`OUT_DIR/inst_builder.rs`, see `meta/inst_builder.rs`) and the opcode extractors of
//! the lowering prelude (`OUT_DIR/prelude_opcodes.isle`, see `meta/isle_opcodes.rs`),
//! which every ISA's program includes.
//!
//! Cargo re-runs this only when an `.isle` file changes (or one is added or removed).
//! `GANTRY_ISLE_DUMP=DIR` also copies the generated Rust to `DIR` for reading.

use std::path::{Path, PathBuf};

#[path = "meta/inst_builder.rs"]
mod inst_builder;
#[path = "meta/inst_table.rs"]
mod inst_table;
#[path = "meta/isle_opcodes.rs"]
mod isle_opcodes;

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

/// Compiles `paths` as one ISLE program into `OUT_DIR/out_name`.
fn compile(paths: &[PathBuf], out_name: &str) {
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            // Sources by their path in the repository; generated ones as `OUT_DIR/name`.
            let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
            let name = match p.strip_prefix(&manifest_dir) {
                Ok(rel) => format!("codegen/{}", rel.display()),
                Err(_) => format!(
                    "OUT_DIR/{}",
                    p.file_name().unwrap_or_default().to_string_lossy()
                ),
            };
            (name, std::fs::read_to_string(p).expect("readable"))
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
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(out_name);
    std::fs::write(&out, &code).expect("OUT_DIR is writable");
    if let Ok(dir) = std::env::var("GANTRY_ISLE_DUMP") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("the dump folder can be created");
        std::fs::write(dir.join(out_name), &code).expect("the dump folder is writable");
    }
}

/// The ISAs whose lowering rules are written in ISLE so far.
const ISAS: &[&str] = &["x64", "aarch64", "s390x"];

/// The ISAs whose instruction forms are declared in a table (`inst/table.def`), with
/// the prefix of their ISLE constructors.
const TABLES: &[(&str, &str)] = &[("x64", "x64"), ("aarch64", "a64"), ("s390x", "s390")];

/// Lowering rules shared by some ISAs (files under `src/isa/shared/`), with the ISAs
/// whose programs include them; each such ISA implements the file's hooks.
const SHARED: &[(&str, &[&str])] = &[("soft_f128.isle", &["x64", "aarch64"])];

fn main() {
    println!("cargo:rerun-if-env-changed=GANTRY_ISLE_DUMP");
    // The package's folder when the script runs (not when it was built: a script built
    // for one checkout may run for another sharing the target folder).
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let opcodes = manifest_dir.join("src/ir/opcodes.rs");
    println!("cargo:rerun-if-changed={}", opcodes.display());
    println!("cargo:rerun-if-changed=meta/inst_builder.rs");
    println!("cargo:rerun-if-changed=meta/isle_opcodes.rs");
    let table = std::fs::read_to_string(&opcodes).expect("opcodes.rs is readable");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(
        out_dir.join("inst_builder.rs"),
        inst_builder::generate(&table),
    )
    .expect("OUT_DIR is writable");
    let src = manifest_dir.join("src");
    let mut all = Vec::new();
    collect(&src, &mut all);
    // The shared preludes go into every program; each ISA's files make one program.
    let preludes: Vec<PathBuf> = all
        .iter()
        .filter(|p| {
            p.parent() == Some(src.as_path())
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("prelude"))
        })
        .cloned()
        .collect();
    let shared: Vec<PathBuf> = preludes
        .iter()
        .filter(|p| p.ends_with("prelude.isle"))
        .cloned()
        .collect();
    compile(&shared, "isle_prelude.rs");
    // The opcode extractors every ISA's rules use, generated from the opcode table.
    let opcodes_isle = out_dir.join("prelude_opcodes.isle");
    std::fs::write(&opcodes_isle, isle_opcodes::generate(&table)).expect("OUT_DIR is writable");
    let isa_dir = src.join("isa");
    println!("cargo:rerun-if-changed=meta/inst_table.rs");
    for (isa, prefix) in TABLES {
        let path = isa_dir.join(isa).join("inst/table.def");
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("the instruction table is readable");
        let name = format!("codegen/src/isa/{isa}/inst/table.def");
        let table = inst_table::parse(&name, &text);
        std::fs::write(out_dir.join(format!("{isa}_inst.rs")), table.rust(&name))
            .expect("OUT_DIR is writable");
        std::fs::write(
            out_dir.join(format!("{isa}_inst.isle")),
            table.isle(&name, prefix),
        )
        .expect("OUT_DIR is writable");
    }
    for isa in ISAS {
        let dir = isa_dir.join(isa);
        let mut program = preludes.clone();
        program.push(opcodes_isle.clone());
        if TABLES.iter().any(|(t, _)| t == isa) {
            program.push(out_dir.join(format!("{isa}_inst.isle")));
        }
        for (file, isas) in SHARED {
            if isas.contains(isa) {
                program.push(isa_dir.join("shared").join(file));
            }
        }
        program.extend(all.iter().filter(|p| p.starts_with(&dir)).cloned());
        compile(&program, &format!("isle_{isa}.rs"));
    }
}
