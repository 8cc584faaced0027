//! AArch64 operand kinds: immediates in their encodable shapes, addressing modes, and
//! the small types the instruction table names.

use super::generated::{Cond, Size};
use crate::ir::TrapCode;
use crate::machinst::reg::{Allocation, Reg};
use crate::machinst::vcode::OperandCollector;
use core::fmt;

/// A block of the function, by its index in the VCode.
pub type BlockTarget = usize;

/// The trap code of a memory access that may trap.
pub type OptionTrapCode = Option<TrapCode>;

/// An ADD/SUB immediate: 12 bits, optionally shifted left by 12 (Arm ARM C6.2.4).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Imm12 {
    /// The 12-bit value.
    pub bits: u16,
    /// Whether it is shifted left by 12.
    pub shift12: bool,
}

impl Imm12 {
    /// Zero.
    pub const ZERO: Imm12 = Imm12 {
        bits: 0,
        shift12: false,
    };

    /// `value` as an immediate, if it is one.
    pub fn maybe_from_u64(value: u64) -> Option<Imm12> {
        if value < 0x1000 {
            Some(Imm12 {
                bits: value as u16,
                shift12: false,
            })
        } else if value < 0x100_0000 && value & 0xfff == 0 {
            Some(Imm12 {
                bits: (value >> 12) as u16,
                shift12: true,
            })
        } else {
            None
        }
    }

    /// The value it stands for.
    pub fn value(self) -> u32 {
        u32::from(self.bits) << if self.shift12 { 12 } else { 0 }
    }
}

impl fmt::Debug for Imm12 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.value())
    }
}

/// A logical (bitmask) immediate: a rotated run of ones replicated across the register
/// (Arm ARM C6.2.12, `DecodeBitMasks` in J1.1.3), as its N:immr:imms fields.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImmLogic {
    /// The N bit (a 64-bit element).
    pub n: bool,
    /// The rotation.
    pub immr: u8,
    /// The element size and run length.
    pub imms: u8,
    /// The value it stands for (for printing).
    pub value: u64,
}

impl ImmLogic {
    /// `value` (of `bits` = 32 or 64 bits) as a bitmask immediate, if it is one.
    pub fn maybe_from_u64(value: u64, bits: u32) -> Option<ImmLogic> {
        let value = if bits == 32 {
            let v = value & 0xffff_ffff;
            v | v << 32
        } else {
            value
        };
        if value == 0 || value == u64::MAX {
            return None;
        }
        // The smallest element size whose replication gives the value.
        let mut size = 64u32;
        while size > 2 {
            let half = size / 2;
            let mask = (1u64 << half) - 1;
            if (value & mask) != ((value >> half) & mask) {
                break;
            }
            size = half;
        }
        let mask = if size == 64 {
            u64::MAX
        } else {
            (1u64 << size) - 1
        };
        let elem = value & mask;
        // Rotate the element right until its ones start at bit 0 and are contiguous.
        let ones = elem.count_ones();
        let rotr = |x: u64, r: u32| -> u64 {
            if r == 0 {
                x
            } else {
                ((x >> r) | (x << (size - r))) & mask
            }
        };
        let run = if ones == 64 {
            u64::MAX
        } else {
            (1u64 << ones) - 1
        };
        let r = (0..size).find(|&r| rotr(elem, r) == run)?;
        // The rotation applied to the run (a right rotation by immr gives the element).
        let immr = (size - r) % size;
        let imms = (!(size * 2 - 1) & 0x3f) as u8 | (ones - 1) as u8;
        let imms = if size == 64 { (ones - 1) as u8 } else { imms };
        Some(ImmLogic {
            n: size == 64,
            immr: immr as u8,
            imms,
            value: if bits == 32 {
                value & 0xffff_ffff
            } else {
                value
            },
        })
    }
}

impl fmt::Debug for ImmLogic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:#x}", self.value)
    }
}

impl Cond {
    /// The opposite condition (flip the low bit, Arm ARM C1.2.4).
    pub fn invert(self) -> Cond {
        use Cond::*;
        match self {
            Eq => Ne,
            Ne => Eq,
            Hs => Lo,
            Lo => Hs,
            Mi => Pl,
            Pl => Mi,
            Vs => Vc,
            Vc => Vs,
            Hi => Ls,
            Ls => Hi,
            Ge => Lt,
            Lt => Ge,
            Gt => Le,
            Le => Gt,
            Al => Nv,
            Nv => Al,
        }
    }

    /// The 4-bit encoding.
    pub fn bits(self) -> u32 {
        self as u32
    }
}

impl Size {
    /// The `sf` bit: 1 for 64-bit operations.
    pub fn sf(self) -> u32 {
        match self {
            Size::W => 0,
            Size::X => 1,
        }
    }

    /// The width in bits.
    pub fn bits(self) -> u32 {
        32 << self.sf()
    }
}

/// An addressing mode. Offsets are in bytes; emission picks the scaled 12-bit, the
/// unscaled 9-bit or a register-offset form (building a large offset in x16).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum AMode {
    /// `base + offset`.
    RegOffset {
        /// The base register.
        base: Reg,
        /// The offset.
        offset: i64,
    },
    /// `base + index`, the index optionally shifted by the access size or extended from
    /// 32 bits (Arm ARM C6.2.168 LDR (register)).
    RegReg {
        /// The base register.
        base: Reg,
        /// The index register.
        index: Reg,
        /// Whether the index is scaled by the access size.
        scaled: bool,
        /// `Some(signed)`: the index is a 32-bit value, sign- or zero-extended.
        extend32: Option<bool>,
    },
    /// A stack slot: `offset` bytes into the frame's stack-slot area.
    Slot {
        /// The offset.
        offset: i64,
    },
    /// `offset` bytes into the outgoing-argument area at the stack pointer.
    Outgoing {
        /// The offset.
        offset: i64,
    },
    /// An incoming stack argument, `offset` bytes above the caller's stack pointer.
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

/// An addressing mode after register allocation: registers as hardware numbers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AModeAlloc {
    /// `base + offset`.
    RegOffset(u32, i64),
    /// `base + index` (scaled, 32-bit extension).
    RegReg(u32, u32, bool, Option<bool>),
    /// A stack slot.
    Slot(i64),
    /// The outgoing-argument area.
    Outgoing(i64),
    /// An incoming stack argument.
    IncomingArg(i64),
    /// A spill slot.
    Spill(u32),
}

impl AMode {
    /// Reports the registers it reads.
    pub fn collect(&self, c: &mut OperandCollector) {
        match *self {
            AMode::RegOffset { base, .. } => c.reg_use(base),
            AMode::RegReg { base, index, .. } => {
                c.reg_use(base);
                c.reg_use(index);
            }
            _ => {}
        }
    }

    /// The mode with its registers' allocations taken from `allocs` (in `collect` order).
    pub fn allocated(&self, allocs: &mut core::slice::Iter<'_, Allocation>) -> AModeAlloc {
        let mut next = || {
            allocs
                .next()
                .and_then(|a| a.as_reg())
                .map_or(31, |p| p.hw_enc() as u32)
        };
        match *self {
            AMode::RegOffset { offset, .. } => AModeAlloc::RegOffset(next(), offset),
            AMode::RegReg {
                scaled, extend32, ..
            } => {
                let (b, i) = (next(), next());
                AModeAlloc::RegReg(b, i, scaled, extend32)
            }
            AMode::Slot { offset } => AModeAlloc::Slot(offset),
            AMode::Outgoing { offset } => AModeAlloc::Outgoing(offset),
            AMode::IncomingArg { offset } => AModeAlloc::IncomingArg(offset),
            AMode::Spill { slot } => AModeAlloc::Spill(slot),
        }
    }

    /// The same address `by` bytes further.
    pub fn offset(self, by: i64) -> AMode {
        match self {
            AMode::RegOffset { base, offset } => AMode::RegOffset {
                base,
                offset: offset + by,
            },
            AMode::Slot { offset } => AMode::Slot {
                offset: offset + by,
            },
            AMode::Outgoing { offset } => AMode::Outgoing {
                offset: offset + by,
            },
            AMode::IncomingArg { offset } => AMode::IncomingArg {
                offset: offset + by,
            },
            other => other,
        }
    }
}

impl fmt::Debug for AMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AMode::RegOffset { base, offset } => write!(f, "[{base:?}, #{offset}]"),
            AMode::RegReg {
                base,
                index,
                scaled,
                extend32,
            } => write!(
                f,
                "[{base:?}, {index:?}, scaled={scaled} ext32={extend32:?}]"
            ),
            AMode::Slot { offset } => write!(f, "[slot+{offset}]"),
            AMode::Outgoing { offset } => write!(f, "[sp+{offset}]"),
            AMode::IncomingArg { offset } => write!(f, "[incoming+{offset}]"),
            AMode::Spill { slot } => write!(f, "[spill{slot}]"),
        }
    }
}
