//! The s390x frame (the s390x ELF ABI supplement, "Stack Frame"), from the stack
//! pointer r15 up: the 160-byte register save area for the function's callees (when it
//! makes calls), the outgoing stack arguments, spill slots, stack slots, the
//! callee-saved float registers; above that the caller's 160-byte save area, where STMG
//! saves r6-r15 (rN at offset 8N), and the incoming stack arguments. The CFA is the
//! caller's stack pointer plus 160.
//!
//! The ABI keeps the stack pointer 8-byte aligned. A function with a stack slot aligned
//! to 16 bytes realigns its stack pointer down to 16 and keeps the entry stack pointer in
//! r11 (saved, and not allocated), from which it reaches its incoming arguments and the
//! save area.

use super::Inst;
use crate::machinst::FrameLayout;
use crate::machinst::abi::{FrameAreas, StackLimit};
use crate::machinst::unwind::UnwindOp;
use alloc::vec::Vec;
use regalloc2::RegClass;

/// The register save area every caller provides at its stack pointer, in bytes.
pub const SAVE_AREA: u32 = 160;

/// DWARF register numbers for s390x (the ELF ABI supplement, "DWARF Definition"):
/// r0-r15 are 0-15; f0, f2, f4, f6, f1, f3, f5, f7, f8, f10, f12, f14, f9, f11, f13,
/// f15 are 16-31; v16-v31 are 68-83.
pub fn dwarf_reg(class: RegClass, n: u8) -> u16 {
    const FPR: [u16; 16] = [
        16, 20, 17, 21, 18, 22, 19, 23, 24, 28, 25, 29, 26, 30, 27, 31,
    ];
    match class {
        RegClass::Int => u16::from(n),
        _ if n < 16 => FPR[usize::from(n)],
        _ => 68 + u16::from(n) - 16,
    }
}

/// What emission needs of a function's frame.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The areas below the saved registers.
    pub areas: FrameAreas,
    /// The first general register STMG saves (through r15), if any.
    pub save_from: Option<u8>,
    /// Callee-saved float registers to save (their 64 bits), by number.
    pub saved_fprs: Vec<u8>,
    /// Whether the function calls (and so provides its callees' save area).
    pub calls: bool,
    /// The stack limit the prologue checks, if any.
    pub stack_limit: Option<StackLimit>,
    /// Bytes of stack arguments the function pops when it returns (`tail`).
    pub callee_pop: u32,
    /// Keep the back chain: the caller's stack pointer at 0(%r15)
    /// (`preserve_frame_pointers`).
    pub backchain: bool,
    /// Realign the stack pointer to 16 bytes, with the entry stack pointer in r11.
    pub realign: bool,
    /// Position-independent code: symbol addresses come from the GOT.
    pub pic: bool,
    /// r13 is the pinned register: the epilogue leaves its value (it may be saved, but
    /// is never restored).
    pub pinned: bool,
    /// Save whole vector registers (16-byte slots, VST/VL), not the 64 bits of f8-f15
    /// (`preserve_all`).
    pub full_vectors: bool,
}

/// The pinned register (with `enable_pinned_reg`).
pub const PINNED: u8 = 13;

/// The register holding the entry stack pointer in a realigned frame.
pub const ENTRY_SP: u8 = 11;

impl Frame {
    /// The frame of `areas`, for a function that calls when `calls`, keeping the back
    /// chain when `backchain`, realigned to 16 bytes when `realign`.
    pub fn new(areas: FrameAreas, calls: bool, backchain: bool, realign: bool) -> Frame {
        let gprs: Vec<u8> = areas
            .clobbered_callee_saves
            .iter()
            .filter(|p| p.class() == RegClass::Int)
            .map(|p| p.hw_enc() as u8)
            .collect();
        let saved_fprs = areas
            .clobbered_callee_saves
            .iter()
            .filter(|p| p.class() == RegClass::Float)
            .map(|p| p.hw_enc() as u8)
            .collect();
        // A call overwrites r14, which the return needs.
        let save_from = gprs
            .iter()
            .copied()
            .min()
            .or(calls.then_some(14))
            .map(|n| if calls { n.min(14) } else { n })
            .map(|n| if realign { n.min(ENTRY_SP) } else { n })
            .or(realign.then_some(ENTRY_SP));
        Frame {
            areas,
            save_from,
            saved_fprs,
            calls,
            stack_limit: None,
            callee_pop: 0,
            backchain,
            realign,
            pic: false,
            pinned: false,
            full_vectors: false,
        }
    }

    /// The offset of the outgoing stack arguments from the stack pointer.
    pub fn outgoing_base(&self) -> u32 {
        if self.calls || self.backchain {
            SAVE_AREA
        } else {
            0
        }
    }

    /// The offset of the spill slots from the stack pointer.
    pub fn spill_base(&self) -> u32 {
        self.outgoing_base() + self.areas.outgoing_args
    }

    /// The offset of the stack-slot area from the stack pointer.
    pub fn stack_slot_base(&self) -> u32 {
        self.spill_base() + self.areas.spill_slots
    }

    /// The offset of the float register saves from the stack pointer.
    fn fpr_base(&self) -> u32 {
        self.stack_slot_base() + self.areas.stack_slots
    }

    /// The offset of the incoming stack arguments from the stack pointer.
    pub fn incoming_base(&self) -> u32 {
        self.size() + SAVE_AREA
    }

    /// The register and displacement addressing the entry stack pointer (the caller's
    /// save area): r15 plus the frame size, or r11 in a realigned frame.
    pub fn entry_sp(&self) -> (u32, i64) {
        if self.realign {
            (u32::from(ENTRY_SP), 0)
        } else {
            (super::regs::SP, i64::from(self.size()))
        }
    }

    /// The prologue: STMG of the general registers into the caller's save area, the
    /// stack pointer moved down, the float registers saved; with the unwind rules.
    pub fn prologue(&self) -> Vec<Inst> {
        let mut out = Vec::new();
        if let Some(limit) = &self.stack_limit {
            out.push(Inst::StackCheck {
                limit: limit.clone(),
                needed: self.size(),
            });
        }
        if let Some(from) = self.save_from {
            out.push(Inst::SaveGprs {
                from,
                offset: 8 * i32::from(from),
            });
            for n in from..16 {
                out.push(Inst::Unwind {
                    op: UnwindOp::SaveReg {
                        reg: u16::from(n),
                        offset: 8 * i32::from(n) - SAVE_AREA as i32,
                    },
                });
            }
        }
        let size = self.size();
        if self.realign {
            // r11 = the entry stack pointer; the CFA follows it.
            out.push(Inst::SpRealign { size });
            out.push(Inst::Unwind {
                op: UnwindOp::DefCfaRegister {
                    reg: u16::from(ENTRY_SP),
                },
            });
        } else if size > 0 {
            let delta = -(size as i32);
            out.push(if self.backchain {
                Inst::SpAdjustChain { delta }
            } else {
                Inst::SpAdjust { delta }
            });
            out.push(Inst::Unwind {
                op: UnwindOp::DefCfa {
                    reg: 15,
                    offset: (size + SAVE_AREA) as i32,
                },
            });
        }
        for (f, offset) in self.fpr_slots() {
            out.push(Inst::FprSave { reg: f, offset });
            if !self.realign {
                // (In a realigned frame their distance to the CFA varies: not described.)
                out.push(Inst::Unwind {
                    op: UnwindOp::SaveReg {
                        reg: dwarf_reg(RegClass::Float, f),
                        offset: offset as i32 - (size + SAVE_AREA) as i32,
                    },
                });
            }
        }
        out
    }

    /// The epilogue before a return: the prologue undone (LMG restores r15 with the
    /// other registers when STMG saved them).
    pub fn epilogue(&self) -> Vec<Inst> {
        let mut out = Vec::new();
        for (reg, offset) in self.fpr_slots() {
            out.push(Inst::FprRestore { reg, offset });
        }
        let size = self.size();
        // The pinned register's current value goes where LMG reloads it from.
        let keep = |out: &mut Vec<Inst>, base: u8, area: i64| {
            if self.pinned && self.save_from.is_some_and(|from| from <= PINNED) {
                let offset = (area + 8 * i64::from(PINNED)) as i32;
                out.push(Inst::KeepPinned { base, offset });
            }
        };
        match self.save_from {
            Some(from) if self.realign => {
                keep(&mut out, ENTRY_SP, 0);
                out.push(Inst::RestoreGprsFrom {
                    from,
                    base: ENTRY_SP,
                    offset: 8 * i32::from(from),
                })
            }
            Some(from) => {
                let at = size as i64 + 8 * i64::from(from);
                if at < 1 << 19 {
                    keep(&mut out, 15, size as i64);
                    out.push(Inst::RestoreGprs {
                        from,
                        offset: at as i32,
                    });
                } else {
                    out.push(Inst::SpAdjust { delta: size as i32 });
                    keep(&mut out, 15, 0);
                    out.push(Inst::RestoreGprs {
                        from,
                        offset: 8 * i32::from(from),
                    });
                }
            }
            None if size > 0 => out.push(Inst::SpAdjust { delta: size as i32 }),
            None => {}
        }
        if self.callee_pop > 0 {
            out.push(Inst::SpAdjust {
                delta: self.callee_pop as i32,
            });
        }
        out
    }

    /// Each saved float register and its offset from the stack pointer.
    pub fn fpr_slots(&self) -> impl Iterator<Item = (u8, u32)> + '_ {
        let (base, slot) = (self.fpr_base(), self.fpr_slot_bytes());
        self.saved_fprs
            .iter()
            .enumerate()
            .map(move |(i, &f)| (f, base + slot * i as u32))
    }

    /// The bytes of one float register's save slot.
    fn fpr_slot_bytes(&self) -> u32 {
        if self.full_vectors { 16 } else { 8 }
    }
}

impl FrameLayout for Frame {
    fn size(&self) -> u32 {
        let size = self.outgoing_base()
            + self.areas.size()
            + self.fpr_slot_bytes() * self.saved_fprs.len() as u32;
        let align = if self.realign { 16 } else { 8 };
        size.div_ceil(align) * align
    }
}
