//! The frame of an x86-64 function: its layout, and the prologue, epilogue and tail-call
//! teardown that build and tear it down (the `rbp` frame pointer, callee-saved
//! registers, optional stack probes and stack-limit check) as lists of [`FrameInst`]s
//! with their unwind rules. `emit_frame.rs` encodes them.

use super::args::{Amode, RegMem};
use super::regs::{Gpr, Xmm};
use crate::isa::x64::unwind::dwarf_reg;
use crate::machinst::abi::FrameAreas;
use crate::machinst::unwind::UnwindOp;
use alloc::vec::Vec;

/// The frame of a function: what the prologue saves and allocates.
///
/// From `rsp` up: the shared areas (outgoing call arguments, spill slots, the stack-slot
/// area), padding, the saved xmm registers (16 bytes each), the saved general registers,
/// the caller's `rbp`, the return address, the incoming stack arguments. `rsp` stays
/// 16-byte aligned.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    /// The areas every ISA's frame has (see [`FrameAreas`]).
    pub areas: FrameAreas,
    /// Callee-saved general registers the function writes, saved by the prologue.
    pub saved: Vec<Gpr>,
    /// Callee-saved xmm registers the function writes (Windows x64), saved below them.
    pub saved_xmms: Vec<Xmm>,
    /// Bytes the prologue subtracts from `rsp` after saving registers.
    pub alloc_bytes: u32,
    /// The stack-limit check the prologue makes, if the function has a `stack_limit`.
    pub stack_limit: Option<StackLimit>,
    /// With stack probes on: the guard size in bytes; allocations of at least this many
    /// bytes touch each page in order, so they cannot jump over a guard page.
    pub probe_guard: Option<u32>,
    /// Probe by calling the probestack function (`probestack_strategy=outline`) rather
    /// than inline.
    pub probe_outline: bool,
    /// Position-independent code (`is_pic`): symbol addresses come from the GOT.
    pub pic: bool,
    /// Bytes of incoming stack arguments the function pops when it returns (`tail`
    /// convention: `ret n`).
    pub callee_pop: u32,
}

pub use crate::machinst::abi::{LimitBase, LimitStep, StackLimit};

impl crate::machinst::FrameLayout for Frame {
    fn size(&self) -> u32 {
        Frame::size(self)
    }
}

impl Frame {
    /// The frame around `areas`: its callee-saved registers split into general ones,
    /// pushed, and xmm ones, stored below them.
    pub fn new(areas: FrameAreas) -> Frame {
        let saved: Vec<Gpr> = areas
            .clobbered_callee_saves
            .iter()
            .filter_map(|&p| Gpr::from_preg(p))
            .collect();
        let saved_xmms: Vec<Xmm> = areas
            .clobbered_callee_saves
            .iter()
            .filter_map(|&p| Xmm::from_preg(p))
            .collect();
        // After `push rbp` rsp is 16-byte aligned; each saved register moves it by 8.
        let pad = if saved.len() % 2 == 1 { 8 } else { 0 };
        let alloc_bytes = areas.size() + 16 * saved_xmms.len() as u32 + pad;
        Frame {
            areas,
            saved,
            saved_xmms,
            alloc_bytes,
            stack_limit: None,
            probe_guard: None,
            probe_outline: false,
            pic: false,
            callee_pop: 0,
        }
    }

    /// The bytes below the return address: the saved `rbp`, the saved registers and
    /// what the prologue allocates.
    pub fn size(&self) -> u32 {
        8 + 8 * self.saved.len() as u32 + self.alloc_bytes
    }

    /// The save (`store`) or restore of xmm register `x`, number `i` of `saved_xmms`: 16
    /// bytes each, right below the saved general registers.
    fn xmm_save(&self, i: usize, x: Xmm, store: bool) -> FrameInst {
        FrameInst::Movdqu {
            xmm: x,
            base: Gpr::RBP,
            disp: -(8 * self.saved.len() as i32) - 16 * (i as i32 + 1),
            store,
        }
    }

    /// The machine address of an allocated [`super::Addr`].
    pub(super) fn amode(&self, addr: &super::AddrAlloc) -> Amode {
        match *addr {
            super::AddrAlloc::Reg { base, disp } => Amode::ImmReg { base, disp },
            super::AddrAlloc::RegReg {
                base,
                index,
                shift,
                disp,
            } => Amode::ImmRegRegShift {
                base,
                index,
                shift,
                disp,
            },
            super::AddrAlloc::Slot { offset } => Amode::ImmReg {
                base: Gpr::RSP,
                disp: self.stack_slot_disp(offset),
            },
        }
    }

    /// The `rsp`-relative displacement of `offset` bytes into the stack-slot area.
    pub(super) fn stack_slot_disp(&self, offset: i32) -> i32 {
        self.areas.stack_slot_offset(offset)
    }

    pub(super) fn slot(&self, index: usize) -> RegMem {
        RegMem::Mem(self.slot_amode(index))
    }

    /// The address of spill slot `index` (8-byte units above the outgoing-argument area,
    /// which is at `rsp`).
    pub(super) fn slot_amode(&self, index: usize) -> Amode {
        Amode::ImmReg {
            base: Gpr::RSP,
            disp: self.areas.spill_slot_offset(index as u32, 8),
        }
    }
}

/// An instruction of the prologue, epilogue or tail-call teardown, on physical registers
/// (Intel SDM vol. 2 for each encoding; see `emit_frame.rs`).
#[derive(Clone, Debug, PartialEq)]
pub enum FrameInst {
    /// `push %reg` (50+rd).
    Push {
        /// The register.
        reg: Gpr,
    },
    /// `pop %reg` (58+rd).
    Pop {
        /// The register.
        reg: Gpr,
    },
    /// `mov %src, %dst` (64-bit, 89 /r).
    Mov {
        /// Source.
        src: Gpr,
        /// Destination.
        dst: Gpr,
    },
    /// `mov disp(%base), %dst` (64-bit, 8B /r).
    Load {
        /// The base register.
        base: Gpr,
        /// The displacement in bytes.
        disp: i32,
        /// Destination.
        dst: Gpr,
    },
    /// `mov %src, disp(%base)` (64-bit, 89 /r).
    Store {
        /// Source.
        src: Gpr,
        /// The base register.
        base: Gpr,
        /// The displacement in bytes.
        disp: i32,
    },
    /// `lea disp(%base), %dst` (8D /r).
    Lea {
        /// The base register.
        base: Gpr,
        /// The displacement in bytes.
        disp: i32,
        /// Destination.
        dst: Gpr,
    },
    /// `sub $bytes, %rsp` or `add $bytes, %rsp` (nothing for 0 bytes).
    AdjustRsp {
        /// The adjustment in bytes.
        bytes: u32,
        /// Allocate (`sub`) rather than free (`add`).
        sub: bool,
    },
    /// `movdqu` between `xmm` and `disp(%base)` (F3 0F 7F /r stores, F3 0F 6F /r loads).
    Movdqu {
        /// The xmm register.
        xmm: Xmm,
        /// The base register.
        base: Gpr,
        /// The displacement in bytes.
        disp: i32,
        /// Store rather than load.
        store: bool,
    },
    /// A quadword copied from `src_disp(%rsp)` to `dst_disp(%rbp)` through `xmm15`.
    CopyQword {
        /// The source displacement from `rsp`.
        src_disp: i32,
        /// The destination displacement from `rbp`.
        dst_disp: i32,
    },
    /// The stack limit computed into `r11` (neither an argument nor a callee-saved
    /// register), and a `stk_ovf` trap unless `rsp - needed >= limit` (unsigned).
    StackLimitCheck {
        /// How the limit is found.
        limit: StackLimit,
        /// The bytes the frame still needs below the saved `rbp`.
        needed: u32,
    },
    /// Touches every `guard`-byte page of the `bytes` about to be allocated below `rsp`,
    /// from the top down: unrolled stores up to four pages, a loop on `r11` beyond.
    ProbeInline {
        /// The allocation in bytes.
        bytes: u32,
        /// The guard size in bytes.
        guard: u32,
    },
    /// `mov $bytes, %eax; call probestack` (the function preserves every register but
    /// `r10` and `r11`).
    ProbeOutline {
        /// The allocation in bytes.
        bytes: u32,
    },
    /// Emits nothing: the unwind rules change here (recorded with the code offset).
    Unwind {
        /// The change.
        op: UnwindOp,
    },
}

/// The prologue: `push rbp; mov rsp, rbp`, the stack-limit check, `push` of the saved
/// registers, stack probes, `sub $alloc, rsp`, and the xmm saves.
///
/// Its unwind rules (DWARF call frame information): after `push %rbp` the CFA is `rsp +
/// 16` with `rbp` saved at CFA - 16, after `mov %rsp, %rbp` it is `rbp + 16`, and each
/// saved register is at CFA - 16 - 8 * (its position + 1). (The xmm registers Windows x64
/// preserves are not described.)
pub fn prologue(frame: &Frame) -> Vec<FrameInst> {
    let rbp = dwarf_reg(Gpr::RBP);
    let mut out = alloc::vec![
        FrameInst::Push { reg: Gpr::RBP },
        FrameInst::Unwind {
            op: UnwindOp::DefCfa {
                reg: dwarf_reg(Gpr::RSP),
                offset: 16,
            },
        },
        FrameInst::Unwind {
            op: UnwindOp::SaveReg {
                reg: rbp,
                offset: -16,
            },
        },
        FrameInst::Mov {
            src: Gpr::RSP,
            dst: Gpr::RBP,
        },
        FrameInst::Unwind {
            op: UnwindOp::DefCfaRegister { reg: rbp },
        },
    ];
    if let Some(limit) = &frame.stack_limit {
        out.push(FrameInst::StackLimitCheck {
            limit: limit.clone(),
            needed: frame.size() - 8,
        });
    }
    for (i, &r) in frame.saved.iter().enumerate() {
        out.push(FrameInst::Push { reg: r });
        out.push(FrameInst::Unwind {
            op: UnwindOp::SaveReg {
                reg: dwarf_reg(r),
                offset: -16 - 8 * (i as i32 + 1),
            },
        });
    }
    if let Some(guard) = frame.probe_guard.filter(|&g| frame.alloc_bytes >= g) {
        out.push(if frame.probe_outline {
            FrameInst::ProbeOutline {
                bytes: frame.alloc_bytes,
            }
        } else {
            FrameInst::ProbeInline {
                bytes: frame.alloc_bytes,
                guard,
            }
        });
    }
    out.push(FrameInst::AdjustRsp {
        bytes: frame.alloc_bytes,
        sub: true,
    });
    for (i, &x) in frame.saved_xmms.iter().enumerate() {
        out.push(frame.xmm_save(i, x, true));
    }
    out
}

/// The epilogue before a return (the `ret` itself is the return instruction's): the
/// prologue undone.
pub fn epilogue(frame: &Frame) -> Vec<FrameInst> {
    let mut out = Vec::new();
    for (i, &x) in frame.saved_xmms.iter().enumerate() {
        out.push(frame.xmm_save(i, x, false));
    }
    out.push(FrameInst::AdjustRsp {
        bytes: frame.alloc_bytes,
        sub: false,
    });
    for &r in frame.saved.iter().rev() {
        out.push(FrameInst::Pop { reg: r });
    }
    out.push(FrameInst::Pop { reg: Gpr::RBP });
    out
}

/// The frame torn down for a tail call whose callee takes `stack_bytes` of stack
/// arguments, now at the bottom of the outgoing area; the jump to the callee follows.
///
/// The callee must return to our caller with `rsp` where our own return would leave it:
/// entry `rsp` + `frame.callee_pop`. It pops `stack_bytes` itself (`tail`), so its
/// return address goes `callee_pop - stack_bytes` bytes above ours and its arguments
/// right above that. Callee-saved registers are reloaded first; the copy then runs from
/// the highest slot down (the destination lies above the source) through `xmm15`, with
/// the return address in `r10` and the caller's `rbp` in `rax` (none of them carries
/// arguments, and `r11` may hold the callee).
pub fn tail_call_teardown(frame: &Frame, stack_bytes: u32) -> Vec<FrameInst> {
    if frame.callee_pop == 0 && stack_bytes == 0 {
        return epilogue(frame);
    }
    let mut out = Vec::new();
    for (i, &x) in frame.saved_xmms.iter().enumerate() {
        out.push(frame.xmm_save(i, x, false));
    }
    for (i, &r) in frame.saved.iter().enumerate() {
        out.push(FrameInst::Load {
            base: Gpr::RBP,
            disp: -8 * (i as i32 + 1),
            dst: r,
        });
    }
    out.push(FrameInst::Load {
        base: Gpr::RBP,
        disp: 8,
        dst: Gpr::R10,
    });
    out.push(FrameInst::Load {
        base: Gpr::RBP,
        disp: 0,
        dst: Gpr::RAX,
    });
    let shift = frame.callee_pop as i32 - stack_bytes as i32;
    for off in (0..stack_bytes as i32).step_by(8).rev() {
        out.push(FrameInst::CopyQword {
            src_disp: off,
            dst_disp: 16 + shift + off,
        });
    }
    out.push(FrameInst::Lea {
        base: Gpr::RBP,
        disp: 8 + shift,
        dst: Gpr::RSP,
    });
    out.push(FrameInst::Store {
        src: Gpr::R10,
        base: Gpr::RSP,
        disp: 0,
    });
    out.push(FrameInst::Mov {
        src: Gpr::RAX,
        dst: Gpr::RBP,
    });
    out
}
