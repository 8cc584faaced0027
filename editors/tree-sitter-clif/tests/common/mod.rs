//! Helpers shared by the grammar's tests.
// Each test binary uses a part of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use tree_sitter::{Parser, Tree};

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

/// `src` parsed with the CLIF grammar.
pub fn parse(src: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_clif::LANGUAGE.into())
        .expect("the generated parser's ABI is one the runtime supports");
    parser.parse(src, None).expect("parsing is not cancelled")
}

/// The error and missing nodes of `tree`: (0-based row, 0-based column, kind).
pub fn errors(tree: &Tree) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    let mut visit = true;
    loop {
        let node = cursor.node();
        if visit && (node.is_error() || node.is_missing()) {
            let p = node.start_position();
            out.push((p.row, p.column, node.to_sexp()));
        }
        if visit && node.has_error() && cursor.goto_first_child() {
            continue;
        }
        if cursor.goto_next_sibling() {
            visit = true;
            continue;
        }
        if !cursor.goto_parent() {
            break;
        }
        visit = false;
    }
    out
}

/// The files under `dir` whose names end with `ext`, sorted.
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("the folder is readable") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
