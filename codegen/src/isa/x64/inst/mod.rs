//! x86-64 machine instructions: registers, operands, the instructions of the backend,
//! and their binary encoding.

pub mod args;
pub mod emit;
pub mod encode;
pub mod regs;

#[cfg(test)]
mod emit_tests;

use crate::machinst::MachInst;
use crate::machinst::reg::{Reg, Writable};
use crate::machinst::vcode::OperandCollector;
use alloc::vec::Vec;
use args::OperandSize;
use regalloc2::{PReg, RegClass};

/// A two-operand integer ALU operation (`dst = dst op src`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AluOp {
    /// `add`
    Add,
    /// `sub`
    Sub,
    /// `and`
    And,
    /// `or`
    Or,
    /// `xor`
    Xor,
}

impl AluOp {
    /// The mnemonic.
    pub fn name(self) -> &'static str {
        match self {
            AluOp::Add => "add",
            AluOp::Sub => "sub",
            AluOp::And => "and",
            AluOp::Or => "or",
            AluOp::Xor => "xor",
        }
    }
}

/// An x86 condition code (the low nibble of `jcc`/`setcc` opcodes; Intel SDM Vol. 1,
/// Appendix B).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Cc {
    /// Equal (ZF).
    Z = 4,
    /// Not equal.
    Nz = 5,
    /// Unsigned below (CF).
    B = 2,
    /// Unsigned above or equal.
    Nb = 3,
    /// Unsigned below or equal.
    Be = 6,
    /// Unsigned above.
    Nbe = 7,
    /// Signed less.
    L = 12,
    /// Signed greater or equal.
    Nl = 13,
    /// Signed less or equal.
    Le = 14,
    /// Signed greater.
    Nle = 15,
}

impl Cc {
    /// The AT&T suffix (`e`, `ne`, `b`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Cc::Z => "e",
            Cc::Nz => "ne",
            Cc::B => "b",
            Cc::Nb => "ae",
            Cc::Be => "be",
            Cc::Nbe => "a",
            Cc::L => "l",
            Cc::Nl => "ge",
            Cc::Le => "le",
            Cc::Nle => "g",
        }
    }
}

/// An x86-64 instruction on virtual registers. Block targets are VCode block indices.
#[derive(Clone, Debug)]
pub enum Inst {
    /// Defines the function's arguments in their ABI registers (emits nothing).
    Args {
        /// Each argument's register and where it arrives.
        args: Vec<(Writable<Reg>, PReg)>,
    },
    /// Returns the values in their ABI registers (the epilogue, then `ret`).
    Rets {
        /// Each returned value and the register it leaves in.
        rets: Vec<(Reg, PReg)>,
    },
    /// `mov src, dst` (64-bit).
    MovRR {
        /// Source.
        src: Reg,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// Loads a constant.
    Imm {
        /// The bits; narrower types use the low bits.
        value: u64,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// `op src2, dst` with `dst` = `src1` (two-address).
    AluRR {
        /// The operation.
        op: AluOp,
        /// The operation width.
        size: OperandSize,
        /// The first operand, overwritten.
        src1: Reg,
        /// The second operand.
        src2: Reg,
        /// The result (in `src1`'s register).
        dst: Writable<Reg>,
    },
    /// `imul src2, dst` with `dst` = `src1`.
    Imul {
        /// The operation width (16, 32 or 64).
        size: OperandSize,
        /// The first operand, overwritten.
        src1: Reg,
        /// The second operand.
        src2: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `cmp b, a; setcc dst; movzbl dst, dst`: 1 if `a cc b` else 0.
    CmpSetcc {
        /// The comparison width.
        size: OperandSize,
        /// The condition.
        cc: Cc,
        /// Left operand.
        a: Reg,
        /// Right operand.
        b: Reg,
        /// The 0/1 result.
        dst: Writable<Reg>,
    },
    /// `jmp target`.
    Jmp {
        /// The target block.
        target: usize,
    },
    /// `test src, src; jnz taken; jmp not_taken`.
    TestBranch {
        /// The width tested.
        size: OperandSize,
        /// The condition value.
        src: Reg,
        /// Taken if non-zero.
        taken: usize,
        /// Taken if zero.
        not_taken: usize,
    },
}

impl MachInst for Inst {
    fn get_operands(&self, c: &mut OperandCollector) {
        match self {
            Inst::Args { args } => args.iter().for_each(|&(r, p)| c.reg_fixed_def(r, p)),
            Inst::Rets { rets } => rets.iter().for_each(|&(r, p)| c.reg_fixed_use(r, p)),
            Inst::MovRR { src, dst } => {
                c.reg_use(*src);
                c.reg_def(*dst);
            }
            Inst::Imm { dst, .. } => c.reg_def(*dst),
            Inst::AluRR {
                src1, src2, dst, ..
            }
            | Inst::Imul {
                src1, src2, dst, ..
            } => {
                c.reg_use(*src1);
                c.reg_use(*src2);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::CmpSetcc { a, b, dst, .. } => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_def(*dst);
            }
            Inst::Jmp { .. } => {}
            Inst::TestBranch { src, .. } => c.reg_use(*src),
        }
    }

    fn is_ret(&self) -> bool {
        matches!(self, Inst::Rets { .. })
    }

    fn is_branch(&self) -> bool {
        matches!(self, Inst::Jmp { .. } | Inst::TestBranch { .. })
    }

    fn spillslot_size(class: RegClass) -> usize {
        match class {
            RegClass::Int => 1,
            _ => 2,
        }
    }
}
