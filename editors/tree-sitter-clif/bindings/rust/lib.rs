//! The tree-sitter grammar of CLIF, the text form of Gantry's (and Cranelift's)
//! intermediate representation: the [`LANGUAGE`] for a `tree_sitter::Parser`, and the
//! highlight and fold queries editors use.
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser
//!     .set_language(&tree_sitter_clif::LANGUAGE.into())
//!     .expect("the grammar's ABI matches the runtime");
//! let tree = parser.parse("function %f() {\nblock0:\n    return\n}\n", None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    fn tree_sitter_clif() -> *const ();
}

/// The CLIF language (the generated parser in `src/parser.c`).
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_clif) };

/// The node types of the grammar, as JSON (`src/node-types.json`).
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// The highlight query (`queries/highlights.scm`): captures named after the common
/// tree-sitter highlight names (`@comment`, `@keyword`, `@type`, `@variable`, ...).
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// The fold query (`queries/folds.scm`): one fold per function.
pub const FOLDS_QUERY: &str = include_str!("../../queries/folds.scm");
