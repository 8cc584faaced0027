//! The CLIF text parser: functions, test headers (`test`, `set`, `target`) and run
//! commands. It arrives with the IR issue.

#![warn(missing_docs)]

pub use gantry_codegen as codegen;
