//! ISLE, the instruction-selection rule language, and its compiler.
//!
//! Lowering rules from CLIF to machine instructions, and the mid-end's rewrite rules, are
//! written in ISLE and compiled by this crate into Rust at build time. The lexer, parser,
//! semantic checks, overlap checks, decision trie and Rust code generator arrive with the
//! ISLE issue; this crate is the place for them in the workspace.

#![warn(missing_docs)]
