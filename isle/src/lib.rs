//! ISLE, the instruction-selection rule language, and its compiler.
//!
//! Lowering rules from CLIF to machine instructions, and the mid-end's rewrite rules, are
//! written in ISLE and compiled by this crate into Rust: a `Context` trait for the terms
//! implemented in Rust, the enums declared in ISLE, and one function per term defined by
//! rules, which matches them through a decision trie. See `isle/README.md` for the
//! language.
//!
//! ```
//! let program = "
//!     (type u32 (primitive u32))
//!     (decl double (u32) u32)
//!     (extern constructor add add)
//!     (decl add (u32 u32) u32)
//!     (rule (double x) (add x x))
//! ";
//! let rust = gantry_isle::compile(&[("double.isle".into(), program.into())]).unwrap();
//! assert!(rust.contains("pub fn constructor_double<C: Context>"));
//! ```

#![warn(missing_docs)]

pub mod ast;
pub mod codegen;
pub mod error;
pub mod lexer;
pub mod parser;
pub mod sema;
pub mod trie;

pub use error::{Error, ErrorKind, Errors, Pos};

/// Compiles ISLE sources, given as `(file name, text)`, into one Rust module.
///
/// # Errors
/// Every error found, with the sources to show them against.
pub fn compile(files: &[(String, String)]) -> Result<String, Errors> {
    let fail = |errors: Vec<Error>| Errors {
        errors,
        files: files.to_vec(),
    };
    let mut defs = Vec::new();
    for (i, (_, text)) in files.iter().enumerate() {
        let tokens = lexer::lex(text, i).map_err(|e| fail(vec![e]))?;
        let end = Pos {
            file: i,
            line: text.lines().count().max(1),
            col: text.lines().last().map_or(1, |l| l.chars().count() + 1),
        };
        defs.extend(parser::parse(&tokens, end).map_err(|e| fail(vec![e]))?);
    }
    let env = sema::TermEnv::from_defs(&defs).map_err(fail)?;
    let tries = trie::build(&env).map_err(fail)?;
    let names: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    Ok(codegen::generate(&env, &tries, &names))
}

/// Runs `rustfmt` on `code`; returns it unchanged if `rustfmt` is not available or fails.
pub fn rustfmt(code: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let Ok(mut child) = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return code.to_string();
    };
    if let Some(mut stdin) = child.stdin.take() {
        if stdin.write_all(code.as_bytes()).is_err() {
            return code.to_string();
        }
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() => {
            String::from_utf8(out.stdout).unwrap_or_else(|_| code.to_string())
        }
        _ => code.to_string(),
    }
}
