//! Gantry's code generator.
//!
//! CLIF functions in, machine code out: the IR, its verifier and analyses, the mid-end,
//! lowering through ISLE rules into machine instructions on virtual registers, register
//! allocation with `regalloc2`, and emission for x86-64, aarch64 and s390x. See
//! `DESIGN.md` for the pipeline. This crate is `no_std` and needs only `alloc`; the `std`
//! feature (on by default) adds what needs an operating system.

#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod cfg_printer;
pub mod context;
pub mod data_value;
pub mod dominator_tree;
pub mod flowgraph;
#[cfg(feature = "incremental-cache")]
pub mod incremental_cache;
pub mod ir;
pub mod isa;
pub mod loop_analysis;
pub mod machinst;
pub mod opts;
pub mod settings;
pub mod verifier;
pub mod write;

/// The Rust generated from the ISLE sources (see `build.rs`).
#[allow(dead_code, missing_docs, unused_imports)]
mod isle {
    use crate::ir::{Inst, Type, Value};
    include!(concat!(env!("OUT_DIR"), "/isle_prelude.rs"));
}

pub use context::Context;
pub use gantry_bforest as bforest;
pub use gantry_entity as entity;
pub use target_lexicon;
