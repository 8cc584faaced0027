//! Compiles every program in `isle/tests/run/` (a `NAME.isle` file, or a `NAME/` folder
//! of `.isle` files compiled together) into `OUT_DIR/NAME.rs`.

use std::path::{Path, PathBuf};

fn main() {
    // The folder at run time (a script built for one checkout may run for another).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let run = Path::new(&manifest_dir).join("../tests/run");
    println!("cargo:rerun-if-changed={}", run.display());
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&run)
        .expect("isle/tests/run exists")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    let mut failed = false;
    for path in entries {
        let (name, sources) = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                .expect("readable")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "isle"))
                .collect();
            files.sort();
            (
                path.file_name()
                    .expect("named")
                    .to_string_lossy()
                    .into_owned(),
                files,
            )
        } else if path.extension().is_some_and(|e| e == "isle") {
            (
                path.file_stem()
                    .expect("named")
                    .to_string_lossy()
                    .into_owned(),
                vec![path.clone()],
            )
        } else {
            continue;
        };
        let files: Vec<(String, String)> = sources
            .iter()
            .map(|p| {
                println!("cargo:rerun-if-changed={}", p.display());
                (
                    p.file_name().expect("named").to_string_lossy().into_owned(),
                    std::fs::read_to_string(p).expect("readable"),
                )
            })
            .collect();
        match gantry_isle::compile(&files) {
            Ok(code) => std::fs::write(out.join(format!("{name}.rs")), gantry_isle::rustfmt(&code))
                .expect("OUT_DIR is writable"),
            Err(errors) => {
                eprintln!("{errors}");
                failed = true;
            }
        }
    }
    if failed {
        panic!("some ISLE run-test programs do not compile; see the errors above");
    }
}
