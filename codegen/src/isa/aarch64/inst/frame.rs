//! The AArch64 frame, from the stack pointer up: outgoing call arguments, spill slots,
//! stack slots, the callee-saved registers the code writes (in 16-byte pairs), then the
//! frame record (x29, x30) that x29 points to, and the caller's stack arguments above
//! it. The prologue and the epilogue are instruction lists on physical registers.

use super::regs::{FP, LR};
use super::{HintOp, Inst};
use crate::machinst::FrameLayout;
use crate::machinst::abi::{FrameAreas, StackLimit};
use crate::machinst::unwind::UnwindOp;
use alloc::vec::Vec;
use regalloc2::RegClass;

/// DWARF register numbers for AArch64 (DWARF for the Arm 64-bit Architecture, §4.1):
/// x0-x30 are 0-30, sp is 31, v0-v31 are 64-95.
pub fn dwarf_reg(class: RegClass, n: u8) -> u16 {
    match class {
        RegClass::Int => u16::from(n),
        _ => 64 + u16::from(n),
    }
}

/// What emission needs of a function's frame.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The areas below the saved registers.
    pub areas: FrameAreas,
    /// Callee-saved general registers to save, by number.
    pub saved_gprs: Vec<u8>,
    /// Callee-saved float registers to save (their low 64 bits, or all 128 with
    /// `full_vectors`), by number.
    pub saved_fprs: Vec<u8>,
    /// Save whole vector registers, one per 16 bytes (`preserve_all`).
    pub full_vectors: bool,
    /// Bytes of stack arguments the function pops when it returns (`tail`).
    pub callee_pop: u32,
    /// The stack limit the prologue checks, if any.
    pub stack_limit: Option<StackLimit>,
    /// Sign the return address in the prologue and authenticate it before returning
    /// (`Some(bkey)`: with the B key).
    pub sign_return_address: Option<bool>,
    /// Start with a BTI landing pad (`use_bti`).
    pub bti: bool,
    /// Position-independent code: symbol addresses come from the GOT.
    pub pic: bool,
    /// A leaf function that needs no frame: no frame record, no stack (x30 stays in its
    /// register and the entry unwind rules hold throughout).
    pub frameless: bool,
}

impl Frame {
    /// The frame of `areas`.
    pub fn new(areas: FrameAreas) -> Frame {
        let pick = |class| {
            areas
                .clobbered_callee_saves
                .iter()
                .filter(|p| p.class() == class)
                .map(|p| p.hw_enc() as u8)
                .collect()
        };
        Frame {
            saved_gprs: pick(RegClass::Int),
            saved_fprs: pick(RegClass::Float),
            areas,
            callee_pop: 0,
            stack_limit: None,
            sign_return_address: None,
            bti: false,
            frameless: false,
            pic: false,
            full_vectors: false,
        }
    }

    /// The offset of the spill slots from the stack pointer.
    pub fn spill_base(&self) -> u32 {
        self.areas.outgoing_args
    }

    /// The offset of the stack-slot area from the stack pointer.
    pub fn stack_slot_base(&self) -> u32 {
        self.areas.outgoing_args + self.areas.spill_slots
    }

    /// The bytes below the saved registers.
    fn below_saves(&self) -> u32 {
        self.stack_slot_base() + self.areas.stack_slots
    }

    fn pairs(regs: &[u8]) -> Vec<(u8, u8)> {
        regs.chunks(2)
            .map(|c| (c[0], c.get(1).copied().unwrap_or(31)))
            .collect()
    }

    /// The prologue: the frame record, the callee-saved registers, the rest of the
    /// frame; with the unwind rules.
    pub fn prologue(&self) -> Vec<Inst> {
        let mut out = Vec::new();
        if let Some(bkey) = self.sign_return_address {
            // PACI[AB]SP is itself a landing pad for BTI.
            let op = if bkey {
                HintOp::Pacibsp
            } else {
                HintOp::Paciasp
            };
            out.push(Inst::Hint { op });
            out.push(Inst::Unwind {
                op: UnwindOp::NegateRaState,
            });
        } else if self.bti {
            out.push(Inst::Hint { op: HintOp::BtiC });
        }
        if let Some(limit) = &self.stack_limit {
            out.push(Inst::StackCheck {
                limit: limit.clone(),
                needed: self.size(),
            });
        }
        if self.frameless {
            return out;
        }
        out.extend([
            Inst::PushPair {
                fp: false,
                rt: FP,
                rt2: LR,
            },
            Inst::Unwind {
                op: UnwindOp::DefCfa {
                    reg: 31,
                    offset: 16,
                },
            },
            Inst::Unwind {
                op: UnwindOp::SaveReg {
                    reg: u16::from(FP),
                    offset: -16,
                },
            },
            Inst::Unwind {
                op: UnwindOp::SaveReg {
                    reg: u16::from(LR),
                    offset: -8,
                },
            },
            Inst::FpFromSp {},
            Inst::Unwind {
                op: UnwindOp::DefCfaRegister { reg: u16::from(FP) },
            },
        ]);
        let mut below = -16;
        for (fp, regs) in [(false, &self.saved_gprs), (true, &self.saved_fprs)] {
            let class = if fp { RegClass::Float } else { RegClass::Int };
            if fp && self.full_vectors {
                for &v in regs {
                    out.push(Inst::PushQ { rt: v });
                    below -= 16;
                    out.push(Inst::Unwind {
                        op: UnwindOp::SaveReg {
                            reg: dwarf_reg(class, v),
                            offset: below,
                        },
                    });
                }
                continue;
            }
            for (a, b) in Self::pairs(regs) {
                out.push(Inst::PushPair { fp, rt: a, rt2: b });
                below -= 16;
                out.push(Inst::Unwind {
                    op: UnwindOp::SaveReg {
                        reg: dwarf_reg(class, a),
                        offset: below,
                    },
                });
                if b != 31 {
                    out.push(Inst::Unwind {
                        op: UnwindOp::SaveReg {
                            reg: dwarf_reg(class, b),
                            offset: below + 8,
                        },
                    });
                }
            }
        }
        if self.below_saves() > 0 {
            out.push(Inst::SpAdjust {
                sub: true,
                bytes: self.below_saves(),
            });
        }
        out
    }

    /// The epilogue before a return: the prologue undone.
    pub fn epilogue(&self) -> Vec<Inst> {
        let mut out = Vec::new();
        if self.frameless {
            return out;
        }
        if self.below_saves() > 0 {
            out.push(Inst::SpAdjust {
                sub: false,
                bytes: self.below_saves(),
            });
        }
        for (fp, regs) in [(true, &self.saved_fprs), (false, &self.saved_gprs)] {
            if fp && self.full_vectors {
                for &v in regs.iter().rev() {
                    out.push(Inst::PopQ { rt: v });
                }
                continue;
            }
            for (a, b) in Self::pairs(regs).into_iter().rev() {
                out.push(Inst::PopPair { fp, rt: a, rt2: b });
            }
        }
        out.push(Inst::PopPair {
            fp: false,
            rt: FP,
            rt2: LR,
        });
        if let Some(bkey) = self.sign_return_address {
            let op = if bkey {
                HintOp::Autibsp
            } else {
                HintOp::Autiasp
            };
            out.push(Inst::Hint { op });
        }
        if self.callee_pop > 0 {
            out.push(Inst::SpAdjust {
                sub: false,
                bytes: self.callee_pop,
            });
        }
        out
    }
}

impl Frame {
    /// The teardown before a tail call passing `stack_bytes` of stack arguments: with
    /// none (and none to pop) the epilogue; else the callee-saved registers restored
    /// from their slots, the arguments moved into this function's incoming area (which
    /// the callee pops), and the frame record restored.
    pub fn tail_call_teardown(&self, stack_bytes: u32) -> Vec<Inst> {
        if self.callee_pop == 0 && stack_bytes == 0 {
            return self.epilogue();
        }
        let mut out = Vec::new();
        let mut offset = -16i16;
        for (fp, regs) in [(false, &self.saved_gprs), (true, &self.saved_fprs)] {
            for (a, b) in Self::pairs(regs) {
                out.push(Inst::LoadPairFpRel {
                    fp,
                    rt: a,
                    rt2: b,
                    offset,
                });
                offset -= 16;
            }
        }
        // The arguments end where this function's incoming area ends.
        let shift = self.callee_pop as i32 - stack_bytes as i32;
        out.push(Inst::TailFrameLoad {});
        if let Some(bkey) = self.sign_return_address {
            // x30 came back signed with the entry stack pointer (x29 + 16) as modifier:
            // authenticate it against that before the stack pointer moves.
            out.push(Inst::AuthLrCfa { bkey });
        }
        for off in (0..stack_bytes).step_by(8).rev() {
            out.push(Inst::CopyStackArg {
                from_sp: off,
                to_fp: 16 + shift + off as i32,
            });
        }
        out.push(Inst::TailFrameExit {
            sp_from_fp: 16 + shift,
        });
        out
    }
}

impl FrameLayout for Frame {
    fn size(&self) -> u32 {
        if self.frameless {
            return 0;
        }
        let fpr_slots = if self.full_vectors {
            self.saved_fprs.len()
        } else {
            Self::pairs(&self.saved_fprs).len()
        };
        let pairs = Self::pairs(&self.saved_gprs).len() + fpr_slots;
        16 + 16 * pairs as u32 + self.below_saves()
    }
}
