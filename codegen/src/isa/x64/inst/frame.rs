//! The frame of an x86-64 function: its layout, and the prologue and epilogue that build
//! and tear it down (with the `rbp` frame pointer, callee-saved registers, optional stack
//! probes and stack-limit check).

use super::args::{Amode, RegMem};
use super::encode::{
    NONE, Rel32, RexFlags, emit_imm, emit_modrm, emit_opcode_reg, gpr, scalar, trap_unless,
};
use super::regs::{Gpr, Xmm};
use crate::ir::TrapCode;
use crate::isa::x64::unwind::dwarf_reg;
use crate::machinst::buffer::MachBuffer;
use crate::machinst::unwind::{UnwindInfo, UnwindOp};
use alloc::vec::Vec;

/// The frame of a function: what the prologue saves and allocates.
///
/// From `rsp` up: outgoing call arguments, spill slots, the stack-slot area, padding,
/// the saved xmm registers (16 bytes each), the saved general registers, the caller's
/// `rbp`, the return address, the incoming stack arguments. `rsp` stays 16-byte aligned.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    /// Callee-saved registers the function writes, saved by the prologue.
    pub saved: Vec<Gpr>,
    /// Callee-saved xmm registers the function writes (Windows x64), saved below them.
    pub saved_xmms: Vec<Xmm>,
    /// Bytes at `rsp` for the stack arguments of calls, a multiple of 16.
    pub outgoing_bytes: u32,
    /// Bytes of spill slots at `rsp`, a multiple of 16.
    pub spill_bytes: u32,
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

/// How the prologue computes a function's stack limit: from `base`, apply `steps`.
#[derive(Clone, Debug)]
pub struct StackLimit {
    /// Where the chain starts (the `vmctx` parameter).
    pub base: LimitBase,
    /// Loads and additions, in order.
    pub steps: Vec<LimitStep>,
}

/// The start of a stack-limit computation.
#[derive(Clone, Copy, Debug)]
pub enum LimitBase {
    /// An argument register.
    Reg(Gpr),
    /// An incoming stack argument, this many bytes above the return address.
    StackArg(u32),
}

/// One step of a stack-limit computation.
#[derive(Clone, Copy, Debug)]
pub enum LimitStep {
    /// Load 64 bits from this displacement off the current value.
    Load(i32),
    /// Add this displacement.
    Add(i32),
}

impl crate::machinst::FrameLayout for Frame {
    fn size(&self) -> u32 {
        Frame::size(self)
    }
}

impl Frame {
    /// The frame for `spill_slots` 8-byte slots, `stack_slot_bytes` of stack slots, and
    /// the callee-saved registers `saved`.
    pub fn new(
        saved: Vec<Gpr>,
        saved_xmms: Vec<Xmm>,
        spill_slots: u32,
        stack_slot_bytes: u32,
        outgoing_bytes: u32,
    ) -> Frame {
        let round16 = |x: u32| x.div_ceil(16) * 16;
        let spill_bytes = round16(spill_slots * 8);
        let outgoing_bytes = round16(outgoing_bytes);
        // After `push rbp` rsp is 16-byte aligned; each saved register moves it by 8.
        let pad = if saved.len() % 2 == 1 { 8 } else { 0 };
        let alloc_bytes = outgoing_bytes
            + spill_bytes
            + round16(stack_slot_bytes)
            + 16 * saved_xmms.len() as u32
            + pad;
        Frame {
            stack_limit: None,
            probe_guard: None,
            probe_outline: false,
            pic: false,
            callee_pop: 0,
            saved,
            saved_xmms,
            outgoing_bytes,
            spill_bytes,
            alloc_bytes,
        }
    }

    /// The bytes below the return address: the saved `rbp`, the saved registers and
    /// what the prologue allocates.
    pub fn size(&self) -> u32 {
        8 + 8 * self.saved.len() as u32 + self.alloc_bytes
    }

    /// Where the prologue saves xmm register number `i` of `saved_xmms`: 16 bytes each,
    /// right below the saved general registers.
    fn xmm_save_slot(&self, i: usize) -> Amode {
        Amode::ImmReg {
            base: Gpr::RBP,
            disp: -(8 * self.saved.len() as i32) - 16 * (i as i32 + 1),
        }
    }

    /// The machine address of `addr`, whose registers were allocated to `allocs` (base,
    /// then index).
    pub(super) fn amode(&self, addr: &super::Addr, allocs: &[regalloc2::Allocation]) -> Amode {
        match *addr {
            super::Addr::Reg { disp, .. } => Amode::ImmReg {
                base: gpr(allocs[0]),
                disp,
            },
            super::Addr::RegReg { shift, disp, .. } => Amode::ImmRegRegShift {
                base: gpr(allocs[0]),
                index: gpr(allocs[1]),
                shift,
                disp,
            },
            super::Addr::Slot { offset } => Amode::ImmReg {
                base: Gpr::RSP,
                disp: self.stack_slot_disp(offset),
            },
        }
    }

    /// The `rsp`-relative displacement of `offset` bytes into the stack-slot area.
    pub(super) fn stack_slot_disp(&self, offset: i32) -> i32 {
        (self.outgoing_bytes + self.spill_bytes) as i32 + offset
    }

    pub(super) fn slot(&self, index: usize) -> RegMem {
        RegMem::Mem(self.slot_amode(index))
    }

    /// The address of spill slot `index` (8-byte units above the outgoing-argument area,
    /// which is at `rsp`).
    pub(super) fn slot_amode(&self, index: usize) -> Amode {
        Amode::ImmReg {
            base: Gpr::RSP,
            disp: (self.outgoing_bytes + 8 * index as u32) as i32,
        }
    }
}

/// `push %r`.
fn push(buf: &mut Vec<u8>, r: Gpr) {
    emit_opcode_reg(buf, NONE, RexFlags::none(), 0x50, r.enc());
}

/// `pop %r`.
fn pop(buf: &mut Vec<u8>, r: Gpr) {
    emit_opcode_reg(buf, NONE, RexFlags::none(), 0x58, r.enc());
}

/// `mov %src, %dst` (64-bit, 89 /r).
pub(super) fn mov_rr(buf: &mut Vec<u8>, src: Gpr, dst: Gpr) {
    emit_modrm(
        buf,
        NONE,
        RexFlags::w(),
        &[0x89],
        src.enc(),
        RegMem::Reg(dst.enc()),
    );
}

/// `add`/`sub` of an immediate to `rsp` (83 /0 ib or 81 /0 id; 83 /5 ib or 81 /5 id).
pub(super) fn adjust_rsp(buf: &mut Vec<u8>, bytes: u32, sub: bool) {
    if bytes != 0 {
        // 83 /digit ib for a byte-sized immediate, 81 /digit id otherwise.
        let short = bytes < 128;
        emit_modrm(
            buf,
            NONE,
            RexFlags::w(),
            &[if short { 0x83 } else { 0x81 }],
            if sub { 5 } else { 0 },
            RegMem::Reg(Gpr::RSP.enc()),
        );
        emit_imm(buf, bytes as i64, if short { 1 } else { 4 });
    }
}

/// The prologue: `push rbp; mov rsp, rbp`, the stack-limit check, `push` of the saved
/// registers, stack probes, `sub $alloc, rsp`, and the xmm saves.
///
/// Returns its unwind rules (DWARF call frame information): after `push %rbp` the CFA is
/// `rsp + 16` with `rbp` saved at CFA - 16, after `mov %rsp, %rbp` it is `rbp + 16`, and
/// each saved register is at CFA - 16 - 8 * (its position + 1). (The xmm registers
/// Windows x64 preserves are not described.)
pub fn prologue(buf: &mut MachBuffer<Rel32>, frame: &Frame) -> UnwindInfo {
    let mut ops = Vec::new();
    let mut b = Vec::new();
    push(&mut b, Gpr::RBP);
    buf.put_data(&b);
    let rbp = dwarf_reg(Gpr::RBP);
    ops.push((
        buf.cur_offset(),
        UnwindOp::DefCfa {
            reg: dwarf_reg(Gpr::RSP),
            offset: 16,
        },
    ));
    ops.push((
        buf.cur_offset(),
        UnwindOp::SaveReg {
            reg: rbp,
            offset: -16,
        },
    ));
    b.clear();
    mov_rr(&mut b, Gpr::RSP, Gpr::RBP);
    buf.put_data(&b);
    ops.push((buf.cur_offset(), UnwindOp::DefCfaRegister { reg: rbp }));
    if let Some(limit) = &frame.stack_limit {
        stack_limit_check(buf, limit, frame.size() - 8);
    }
    let mut b = Vec::new();
    for (i, &r) in frame.saved.iter().enumerate() {
        push(&mut b, r);
        let at = buf.cur_offset() + b.len() as u32;
        let offset = -16 - 8 * (i as i32 + 1);
        ops.push((
            at,
            UnwindOp::SaveReg {
                reg: dwarf_reg(r),
                offset,
            },
        ));
    }
    if let Some(guard) = frame.probe_guard.filter(|&g| frame.alloc_bytes >= g) {
        if frame.probe_outline {
            // `mov $bytes, %eax; call probestack`: the function touches the pages and
            // preserves every register but r10 and r11.
            b.push(0xb8);
            emit_imm(&mut b, i64::from(frame.alloc_bytes), 4);
            b.push(0xe8);
            buf.put_data(&b);
            b.clear();
            let probestack = crate::ir::ExternalName::LibCall(crate::ir::LibCall::Probestack);
            buf.add_reloc(
                crate::machinst::reloc::Reloc::X86CallPLTRel4,
                crate::machinst::buffer::RelocTarget::ExternalName(probestack),
                -4,
            );
            buf.put_data(&[0; 4]);
        } else {
            probe_stack(&mut b, frame.alloc_bytes, guard);
        }
    }
    adjust_rsp(&mut b, frame.alloc_bytes, true);
    for (i, &x) in frame.saved_xmms.iter().enumerate() {
        movdqu(&mut b, x, frame.xmm_save_slot(i), true);
    }
    buf.put_data(&b);
    UnwindInfo { ops }
}

/// `mov disp(%base), %dst` (64-bit, 8B /r).
fn load64(b: &mut Vec<u8>, base: Gpr, disp: i32, dst: Gpr) {
    let mem = RegMem::Mem(Amode::ImmReg { base, disp });
    emit_modrm(b, NONE, RexFlags::w(), &[0x8b], dst.enc(), mem);
}

/// `lea disp(%r), %r`.
fn add_lea(b: &mut Vec<u8>, r: Gpr, disp: i32) {
    let mem = RegMem::Mem(Amode::ImmReg { base: r, disp });
    emit_modrm(b, NONE, RexFlags::w(), &[0x8d], r.enc(), mem);
}

/// Computes the stack limit into `r11` (neither an argument nor a callee-saved register),
/// and traps with `stk_ovf` unless `rsp - needed >= limit` (unsigned), before the frame
/// below the saved `rbp` (`needed` bytes) is touched.
fn stack_limit_check(buf: &mut MachBuffer<Rel32>, limit: &StackLimit, needed: u32) {
    let mut b = Vec::new();
    let r11 = Gpr::R11;
    match limit.base {
        LimitBase::Reg(r) => mov_rr(&mut b, r, r11),
        // Above the saved rbp and the return address.
        LimitBase::StackArg(off) => load64(&mut b, Gpr::RBP, 16 + off as i32, r11),
    }
    for step in &limit.steps {
        match *step {
            LimitStep::Load(disp) => load64(&mut b, r11, disp, r11),
            LimitStep::Add(disp) => add_lea(&mut b, r11, disp),
        }
    }
    if needed > 0 {
        add_lea(&mut b, r11, needed as i32);
    }
    // cmp %r11, %rsp (4C 39 DC: rsp - r11), then jae over the trap.
    b.extend_from_slice(&[0x4c, 0x39, 0xdc]);
    buf.put_data(&b);
    trap_unless(buf, 0x73, TrapCode::STACK_OVERFLOW);
}

/// Touches every `guard`-byte page of the `bytes` about to be allocated below `rsp`, from
/// the top down, so a guard page below the stack faults instead of being skipped. Up to
/// four pages are probed with unrolled stores, more with a loop on `r11`.
fn probe_stack(b: &mut Vec<u8>, bytes: u32, guard: u32) {
    let pages = bytes / guard;
    // `mov %rsp, disp(%rsp)`-style touches: store zero (C7 /0 id).
    let touch = |b: &mut Vec<u8>, disp: i32| {
        let mem = RegMem::Mem(Amode::ImmReg {
            base: Gpr::RSP,
            disp,
        });
        emit_modrm(b, NONE, RexFlags::w(), &[0xc7], 0, mem);
        emit_imm(b, 0, 4);
    };
    if pages <= 4 {
        for p in 1..=pages {
            touch(b, -((p * guard) as i32));
        }
        return;
    }
    // r11 = rsp - pages * guard; loop { rsp -= guard; touch 0(rsp); } until rsp == r11;
    // then rsp is restored so the caller's `sub` allocates as usual.
    mov_rr(b, Gpr::RSP, Gpr::R11);
    add_lea(b, Gpr::R11, -((pages * guard) as i32));
    let top = b.len();
    adjust_rsp(b, guard, true);
    touch(b, 0);
    // cmp %r11, %rsp; jne top (rel8)
    b.extend_from_slice(&[0x4c, 0x39, 0xdc]);
    let rel = top as i32 - (b.len() as i32 + 2);
    b.extend_from_slice(&[0x75, rel as i8 as u8]);
    adjust_rsp(b, pages * guard, false);
}

/// `movdqu` between `x` and memory (F3 0F 7F /r stores, F3 0F 6F /r loads).
fn movdqu(b: &mut Vec<u8>, x: Xmm, mem: Amode, store: bool) {
    let op = if store { 0x7f } else { 0x6f };
    emit_modrm(
        b,
        scalar(false),
        RexFlags::none(),
        &[0x0f, op],
        x.enc(),
        RegMem::Mem(mem),
    );
}

/// The epilogue and return: the prologue undone, then `ret`.
pub fn epilogue(frame: &Frame) -> Vec<u8> {
    let mut b = Vec::new();
    for (i, &x) in frame.saved_xmms.iter().enumerate() {
        movdqu(&mut b, x, frame.xmm_save_slot(i), false);
    }
    adjust_rsp(&mut b, frame.alloc_bytes, false);
    for &r in frame.saved.iter().rev() {
        pop(&mut b, r);
    }
    pop(&mut b, Gpr::RBP);
    if frame.callee_pop == 0 {
        b.push(0xc3);
    } else {
        // ret imm16 (C2 iw): also pops the incoming stack arguments.
        let n = u16::try_from(frame.callee_pop).expect("stack arguments below 64 KiB");
        b.push(0xc2);
        b.extend_from_slice(&n.to_le_bytes());
    }
    b
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
pub fn tail_call_teardown(frame: &Frame, stack_bytes: u32) -> Vec<u8> {
    if frame.callee_pop == 0 && stack_bytes == 0 {
        let mut e = epilogue(frame);
        e.pop(); // no `ret`: jump to the callee, which returns to our caller
        return e;
    }
    let mut b = Vec::new();
    for (i, &x) in frame.saved_xmms.iter().enumerate() {
        movdqu(&mut b, x, frame.xmm_save_slot(i), false);
    }
    let rbp = |disp: i32| {
        RegMem::Mem(Amode::ImmReg {
            base: Gpr::RBP,
            disp,
        })
    };
    let load = |b: &mut Vec<u8>, dst: Gpr, mem: RegMem| {
        emit_modrm(b, NONE, RexFlags::w(), &[0x8b], dst.enc(), mem);
    };
    for (i, &r) in frame.saved.iter().enumerate() {
        load(&mut b, r, rbp(-8 * (i as i32 + 1)));
    }
    load(&mut b, Gpr::R10, rbp(8));
    load(&mut b, Gpr::RAX, rbp(0));
    let shift = frame.callee_pop as i32 - stack_bytes as i32;
    let x15 = Xmm::new(15).enc();
    for off in (0..stack_bytes as i32).step_by(8).rev() {
        let src = RegMem::Mem(Amode::ImmReg {
            base: Gpr::RSP,
            disp: off,
        });
        // movq m64 -> xmm15 (F3 0F 7E /r), then xmm15 -> m64 (66 0F D6 /r).
        emit_modrm(
            &mut b,
            scalar(false),
            RexFlags::none(),
            &[0x0f, 0x7e],
            x15,
            src,
        );
        let osize = super::encode::Prefixes {
            lock: false,
            operand_size: true,
            rep: None,
        };
        let dst = rbp(16 + shift + off);
        emit_modrm(&mut b, osize, RexFlags::none(), &[0x0f, 0xd6], x15, dst);
    }
    // lea 8+shift(%rbp), %rsp; mov %r10, (%rsp); mov %rax, %rbp.
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x8d],
        Gpr::RSP.enc(),
        rbp(8 + shift),
    );
    let top = RegMem::Mem(Amode::ImmReg {
        base: Gpr::RSP,
        disp: 0,
    });
    emit_modrm(&mut b, NONE, RexFlags::w(), &[0x89], Gpr::R10.enc(), top);
    mov_rr(&mut b, Gpr::RAX, Gpr::RBP);
    b
}
