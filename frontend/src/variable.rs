//! [`Variable`]: a mutable variable of the source language.

use gantry_codegen::entity::entity_impl;

/// A variable of the source language. Each definition with
/// [`FunctionBuilder::def_var`](crate::FunctionBuilder::def_var) gives it a new SSA value;
/// [`FunctionBuilder::use_var`](crate::FunctionBuilder::use_var) finds the one that
/// reaches the current point.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Variable(u32);
entity_impl!(Variable, "var");
