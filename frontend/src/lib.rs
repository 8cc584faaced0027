//! Building CLIF functions from a language frontend.
//!
//! `FunctionBuilder` and SSA construction from `Variable`s arrive with the frontend issue.
//! This crate is `no_std` and needs only `alloc`.

#![no_std]
#![warn(missing_docs)]

pub use gantry_codegen as codegen;
