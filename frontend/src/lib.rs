//! Building CLIF functions from a language frontend.
//!
//! [`FunctionBuilder`] appends instructions to blocks through
//! [`InstBuilder`](gantry_codegen::ir::InstBuilder) methods (`builder.ins().iadd(x, y)`)
//! and turns the frontend's mutable [`Variable`]s into SSA values as it goes, adding
//! block parameters where control flow merges (Braun et al., "Simple and Efficient
//! Construction of Static Single Assignment Form", CC 2013). This crate is `no_std` and
//! needs only `alloc`.

#![no_std]
#![warn(missing_docs)]

extern crate alloc;

mod builder;
mod error;
mod memory;
mod ssa;
mod switch;
mod variable;

pub use builder::{FuncInstBuilder, FunctionBuilder, FunctionBuilderContext};
pub use error::{DeclareVariableError, DefVariableError, UseVariableError};
pub use gantry_codegen as codegen;
pub use switch::Switch;
pub use variable::Variable;
