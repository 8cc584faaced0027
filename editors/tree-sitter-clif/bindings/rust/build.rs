//! Compiles the generated parser (`src/parser.c`, written by `tree-sitter generate`).

fn main() {
    let src_dir = std::path::Path::new("src");
    let parser = src_dir.join("parser.c");
    println!("cargo:rerun-if-changed={}", parser.display());
    cc::Build::new()
        .std("c11")
        .include(src_dir)
        .file(&parser)
        .warnings(false)
        .compile("tree-sitter-clif");
}
