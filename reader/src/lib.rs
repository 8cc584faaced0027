//! The CLIF text parser.
//!
//! [`parse_functions`] reads functions; [`parse_test`] reads a whole test file with its
//! `test`, `set` and `target` headers; [`parse_run_command`] reads `; run:` lines. The
//! syntax is that of Cranelift's CLIF, including the legacy sugar older files use
//! (`iadd_imm`, `stack_load`, `global_value`, ...), which is expanded into core opcodes.
//!
//! Errors carry the line and column and say what was expected; no input makes the reader
//! panic.
//!
//! ```
//! let funcs = gantry_reader::parse_functions(
//!     "function %add(i32, i32) -> i32 {
//!      block0(v0: i32, v1: i32):
//!          v2 = iadd v0, v1
//!          return v2
//!      }",
//! )
//! .unwrap();
//! assert_eq!(funcs[0].dfg.num_insts(), 2);
//! ```

#![warn(missing_docs)]

mod error;
mod lexer;
mod parser;
mod run_command;
mod testfile;

pub use error::{Location, ParseError, ParseResult};
pub use gantry_codegen as codegen;
pub use lexer::Comment;
pub use parser::{ParseOptions, ParsedFunction, SourceMap};
pub use run_command::{Comparison, Invocation, RunCommand, parse_run_command};
pub use testfile::{
    HeaderLine, LazyFunctions, LazyTestFile, TestCommand, TestFile, default_call_conv_for,
    parse_test, parse_test_lazily,
};

use gantry_codegen::ir::Function;

/// Parses the functions in `text` (no test headers) with default options.
///
/// # Errors
/// The first syntax error, with its line and column.
pub fn parse_functions(text: &str) -> ParseResult<Vec<Function>> {
    parse_functions_with(text, ParseOptions::default())
}

/// Parses the functions in `text` with `options`.
///
/// # Errors
/// The first syntax error, with its line and column.
pub fn parse_functions_with(text: &str, options: ParseOptions) -> ParseResult<Vec<Function>> {
    Ok(testfile::parse_functions_at(text, 1, options)?
        .into_iter()
        .map(|f| f.func)
        .collect())
}
