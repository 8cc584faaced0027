//! The target-independent part of the backends.
//!
//! So far: the [`buffer::MachBuffer`] that machine code is emitted into. The `MachInst`
//! trait, VCode, lowering, the ABI layer and the regalloc2 glue arrive with the backend
//! issue.

pub mod buffer;
