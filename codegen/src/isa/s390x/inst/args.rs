//! s390x operand kinds: addressing modes (base + index + displacement) and the small
//! types the instruction table names.

use crate::ir::TrapCode;
use crate::machinst::reg::{Allocation, Reg};
use crate::machinst::vcode::OperandCollector;
use core::fmt;

/// A block of the function, by its index in the VCode.
pub type BlockTarget = usize;

/// The trap code of a memory access that may trap.
pub type OptionTrapCode = Option<TrapCode>;

/// An address: a register plus an offset, two registers plus an offset, or a place in
/// the frame. Offsets are in bytes; emission picks the 12-bit unsigned (RX) or 20-bit
/// signed (RXY) displacement form, or builds a larger offset in r1 (z/Architecture
/// Principles of Operation, chapter 5, "Operand Addressing").
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum MemArg {
    /// `base + offset`.
    RegOffset {
        /// The base register.
        base: Reg,
        /// The offset.
        offset: i64,
    },
    /// `base + index + offset`.
    RegReg {
        /// The base register.
        base: Reg,
        /// The index register.
        index: Reg,
        /// The offset.
        offset: i64,
    },
    /// A stack slot: `offset` bytes into the frame's stack-slot area.
    Slot {
        /// The offset.
        offset: i64,
    },
    /// `offset` bytes into the outgoing-argument area (160 bytes above the stack
    /// pointer, past the register save area).
    Outgoing {
        /// The offset.
        offset: i64,
    },
    /// An incoming stack argument, `offset` bytes into the caller's argument area.
    IncomingArg {
        /// The offset.
        offset: i64,
    },
    /// A spill slot, by its number.
    Spill {
        /// The slot number (8-byte units).
        slot: u32,
    },
}

/// An address after register allocation: registers as hardware numbers (0: none).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MemAlloc {
    /// `base + index + offset`.
    Bxd(u32, u32, i64),
    /// A stack slot.
    Slot(i64),
    /// The outgoing-argument area.
    Outgoing(i64),
    /// An incoming stack argument.
    IncomingArg(i64),
    /// A spill slot.
    Spill(u32),
}

impl MemArg {
    /// Reports the registers it reads.
    pub fn collect(&self, c: &mut OperandCollector) {
        match *self {
            MemArg::RegOffset { base, .. } => c.reg_use(base),
            MemArg::RegReg { base, index, .. } => {
                c.reg_use(base);
                c.reg_use(index);
            }
            _ => {}
        }
    }

    /// The address with its registers' allocations taken from `allocs` (in `collect`
    /// order).
    pub fn allocated(&self, allocs: &mut core::slice::Iter<'_, Allocation>) -> MemAlloc {
        let mut next = || {
            allocs
                .next()
                .and_then(|a| a.as_reg())
                .map_or(0, |p| p.hw_enc() as u32)
        };
        match *self {
            MemArg::RegOffset { offset, .. } => MemAlloc::Bxd(next(), 0, offset),
            MemArg::RegReg { offset, .. } => {
                let (b, x) = (next(), next());
                MemAlloc::Bxd(b, x, offset)
            }
            MemArg::Slot { offset } => MemAlloc::Slot(offset),
            MemArg::Outgoing { offset } => MemAlloc::Outgoing(offset),
            MemArg::IncomingArg { offset } => MemAlloc::IncomingArg(offset),
            MemArg::Spill { slot } => MemAlloc::Spill(slot),
        }
    }

    /// The same address `by` bytes further.
    pub fn offset(self, by: i64) -> MemArg {
        match self {
            MemArg::RegOffset { base, offset } => MemArg::RegOffset {
                base,
                offset: offset + by,
            },
            MemArg::RegReg {
                base,
                index,
                offset,
            } => MemArg::RegReg {
                base,
                index,
                offset: offset + by,
            },
            MemArg::Slot { offset } => MemArg::Slot {
                offset: offset + by,
            },
            MemArg::Outgoing { offset } => MemArg::Outgoing {
                offset: offset + by,
            },
            MemArg::IncomingArg { offset } => MemArg::IncomingArg {
                offset: offset + by,
            },
            other => other,
        }
    }
}

impl fmt::Debug for MemArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemArg::RegOffset { base, offset } => write!(f, "{offset}({base:?})"),
            MemArg::RegReg {
                base,
                index,
                offset,
            } => write!(f, "{offset}({index:?},{base:?})"),
            MemArg::Slot { offset } => write!(f, "slot+{offset}"),
            MemArg::Outgoing { offset } => write!(f, "outgoing+{offset}"),
            MemArg::IncomingArg { offset } => write!(f, "incoming+{offset}"),
            MemArg::Spill { slot } => write!(f, "spill{slot}"),
        }
    }
}
