//! The target-independent part of the backends: the [`MachInst`] trait every ISA's
//! instructions implement, [`vcode::VCode`] and register allocation with regalloc2, and
//! the [`buffer::MachBuffer`] machine code is emitted into.
//!
//! Lowering from CLIF, the ABI layer and whole-function emission arrive with the rest of
//! the backend.

pub mod buffer;
pub mod reg;
pub mod vcode;

use regalloc2::RegClass;
use vcode::OperandCollector;

/// A machine instruction of some ISA, on virtual registers until allocation.
pub trait MachInst: Clone + core::fmt::Debug {
    /// Reports every register operand with its constraint, in a fixed order (the
    /// allocations come back in the same order).
    fn get_operands(&self, collector: &mut OperandCollector);
    /// Whether it returns from the function.
    fn is_ret(&self) -> bool;
    /// Whether it ends its block by branching to other blocks.
    fn is_branch(&self) -> bool;
    /// The spill slot size for a register class, in slots of 8 bytes.
    fn spillslot_size(class: RegClass) -> usize;
}

#[cfg(test)]
mod tests;
