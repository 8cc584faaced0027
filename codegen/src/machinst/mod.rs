//! The target-independent part of the backends: the [`MachInst`] trait every ISA's
//! instructions implement, [`vcode::VCode`] and register allocation with regalloc2, and
//! the [`buffer::MachBuffer`] machine code is emitted into.
//!
//! [`lower`] drives lowering from CLIF; each ISA supplies the rules.

pub mod abi;
pub mod buffer;
pub mod call;
pub mod compile;
pub mod compiled;
pub mod isle;
pub mod lower;
pub mod reg;
pub mod reloc;
pub mod terminator;
pub mod unwind;
pub mod vcode;

use crate::ir::{Opcode, Type};
use crate::verifier::VerifierErrors;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use regalloc2::RegClass;
use vcode::OperandCollector;

/// Why a function could not be compiled.
#[derive(Clone, PartialEq, Debug)]
pub enum CodegenError {
    /// The function is not valid IR.
    Verifier(VerifierErrors),
    /// No lowering rule of the target handles this instruction.
    UnsupportedOpcode {
        /// The instruction's opcode.
        opcode: Opcode,
        /// Its controlling type (`INVALID` if it has none).
        ty: Type,
        /// The target ISA's name.
        isa: &'static str,
    },
    /// Something else the target does not support yet (named in the message).
    Unsupported {
        /// What is not supported.
        feature: String,
    },
    /// The register allocator failed (or, with checking on, its result was wrong).
    Regalloc(String),
    /// Emission failed: a branch out of range or an unbound label.
    Emission(buffer::BufferError),
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::Verifier(e) => write!(f, "verifier errors:\n{e}"),
            CodegenError::UnsupportedOpcode { opcode, ty, isa } if ty.is_invalid() => {
                write!(f, "unsupported on {isa}: `{}`", opcode.name())
            }
            CodegenError::UnsupportedOpcode { opcode, ty, isa } => {
                write!(f, "unsupported on {isa}: `{}.{ty}`", opcode.name())
            }
            CodegenError::Unsupported { feature } => write!(f, "unsupported: {feature}"),
            CodegenError::Regalloc(e) => f.write_str(e),
            CodegenError::Emission(e) => write!(f, "emission failed: {e:?}"),
        }
    }
}

/// The frame layout an ISA computes for a function (see [`compile::Backend::frame`]).
pub trait FrameLayout {
    /// The bytes the frame takes below the return address.
    fn size(&self) -> u32;
}

/// A machine instruction of some ISA, on virtual registers until allocation.
pub trait MachInst: Clone + core::fmt::Debug {
    /// The ISA's kinds of references to labels (branch and literal ranges).
    type LabelUse: buffer::LabelUse;
    /// What emission needs to know of the function's frame (slot addresses, the
    /// epilogue).
    type Frame: FrameLayout;

    /// Emits the instruction with its allocations (in [`MachInst::get_operands`] order).
    /// `labels` are the blocks' labels (a block that only jumps elsewhere has its
    /// destination's label) and `next` the label of the code emitted after this block,
    /// so a jump to it may fall through.
    fn emit(
        &self,
        allocs: &[regalloc2::Allocation],
        buf: &mut buffer::MachBuffer<Self::LabelUse>,
        labels: &[buffer::MachLabel],
        next: Option<buffer::MachLabel>,
        frame: &Self::Frame,
    );

    /// Emits a move regalloc2 inserted: between registers of `class`, or a spill or
    /// reload between a register and a spill slot.
    fn emit_move(
        from: regalloc2::Allocation,
        to: regalloc2::Allocation,
        class: RegClass,
        buf: &mut buffer::MachBuffer<Self::LabelUse>,
        frame: &Self::Frame,
    );

    /// The prologue of `frame`: instructions on physical registers, emitted without
    /// allocations before the first block, with the ISA's unwind pseudo-instructions
    /// among them (they record the unwind rules at their offset, see
    /// [`buffer::MachBuffer::add_unwind`]).
    fn gen_prologue(frame: &Self::Frame) -> Vec<Self>
    where
        Self: Sized;

    /// The instructions emitted right before this one to leave the function, on
    /// physical registers: the epilogue before a return, the frame teardown before a
    /// tail call; none for the others.
    fn gen_teardown(&self, _frame: &Self::Frame) -> Vec<Self>
    where
        Self: Sized,
    {
        Vec::new()
    }

    /// Emits an unconditional jump to `label` (around an island).
    fn emit_jump(label: buffer::MachLabel, buf: &mut buffer::MachBuffer<Self::LabelUse>);

    /// Emits `bytes` bytes of no-op instructions (a multiple of the ISA's instruction
    /// alignment), for `bb_padding_log2_minus_one`.
    fn emit_nops(buf: &mut buffer::MachBuffer<Self::LabelUse>, bytes: u32);

    /// The most bytes one instruction or move of this ISA emits, so islands are placed
    /// before a short-range reference could fall out of reach.
    fn worst_case_size() -> u32;

    /// The registers a call instruction does not preserve (`None` for other
    /// instructions).
    fn call_clobbers(&self) -> Option<regalloc2::PRegSet> {
        None
    }

    /// The blocks this instruction reaches by an indirect branch (a jump table's
    /// targets, the landing pads an unwinder jumps to).
    fn indirect_targets(&self) -> &[usize] {
        &[]
    }

    /// What starts a block reached by an indirect branch (a BTI landing pad), if the
    /// frame asks for one.
    fn gen_landing_pad(_frame: &Self::Frame) -> Option<Self>
    where
        Self: Sized,
    {
        None
    }

    /// The registers a call overwrites that the function must save for its own callers
    /// (`None` for other instructions): by default all it clobbers. An ISA whose callees
    /// preserve part of a register its convention treats as clobbered (AArch64's low
    /// halves of v8-v15) leaves those out.
    fn call_writes(&self) -> Option<regalloc2::PRegSet> {
        self.call_clobbers()
    }

    /// Reports every register operand with its constraint, in a fixed order (the
    /// allocations come back in the same order).
    fn get_operands(&self, collector: &mut OperandCollector);
    /// Whether it returns from the function.
    fn is_ret(&self) -> bool;
    /// Whether it ends its block by branching to other blocks.
    fn is_branch(&self) -> bool;
    /// The target block if it is an unconditional jump.
    fn jump_target(&self) -> Option<usize>;
    /// The spill slot size for a register class, in slots of 8 bytes.
    fn spillslot_size(class: RegClass) -> usize;
    /// The assembler name of a physical register (`%rdi`), for VCode listings.
    fn preg_name(p: regalloc2::PReg) -> String;
}

#[cfg(test)]
mod tests;

/// The `MachInst` methods an ISA whose instructions come from an instruction table
/// (`codegen/meta/inst_table.rs`) takes from the generated `form_*` methods and operand
/// collection: calls' clobbers, operands, returns, branches, jump targets. Expanded
/// inside the ISA's `impl MachInst`.
#[macro_export]
#[doc(hidden)]
macro_rules! table_mach_inst_methods {
    () => {
        fn call_clobbers(&self) -> Option<regalloc2::PRegSet> {
            self.form_call_info().map(|i| i.clobbers)
        }

        fn get_operands(&self, collector: &mut $crate::machinst::vcode::OperandCollector) {
            self.collect_operands(collector);
        }

        fn is_ret(&self) -> bool {
            self.form_is_ret()
        }

        fn is_branch(&self) -> bool {
            self.form_is_branch()
        }

        fn jump_target(&self) -> Option<usize> {
            self.form_jump_target()
        }
    };
}
