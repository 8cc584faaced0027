//! The `Module` abstraction: a set of functions and data objects, declared by name with a
//! linkage, defined by compiling CLIF or from raw bytes, and referring to each other.
//! `gantry-jit` places a module in memory; `gantry-object` writes it as an object file.
//!
//! Inside a function, module functions and data are user external names: namespace 0
//! for functions (index = [`FuncId`]), 1 for data (index = [`DataId`]).

#![warn(missing_docs)]

mod data;
mod declarations;
pub mod eh_frame;
mod module;

pub use data::{DataDescription, Init};
pub use declarations::{
    DataDeclaration, DataId, FuncId, FuncOrDataId, FunctionDeclaration, Linkage, ModuleDeclarations,
};
pub use module::{
    Module, ModuleError, ModuleReloc, ModuleResult, RelocTarget, module_reloc, resolve_name,
};
