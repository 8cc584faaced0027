//! The encodings of the frame instructions ([`FrameInst`]: prologue, epilogue, tail-call
//! teardown), Intel SDM vol. 2.

use super::super::args::{Amode, RegMem};
use super::super::encode::{
    NONE, Prefixes, Rel32, RexFlags, emit_imm, emit_modrm, emit_opcode_reg, scalar, trap_unless,
};
use super::super::frame::{FrameInst, LimitBase, LimitStep, StackLimit};
use super::super::regs::{Gpr, Xmm};
use crate::ir::TrapCode;
use crate::machinst::buffer::MachBuffer;
use alloc::vec::Vec;

/// Emits `inst` into `buf`.
pub(super) fn emit_frame_inst(inst: &FrameInst, buf: &mut MachBuffer<Rel32>) {
    let mut b = Vec::new();
    match *inst {
        FrameInst::Push { reg } => emit_opcode_reg(&mut b, NONE, RexFlags::none(), 0x50, reg.enc()),
        FrameInst::Pop { reg } => emit_opcode_reg(&mut b, NONE, RexFlags::none(), 0x58, reg.enc()),
        FrameInst::Mov { src, dst } => mov_rr(&mut b, src, dst),
        FrameInst::Load { base, disp, dst } => load64(&mut b, base, disp, dst),
        FrameInst::Store { src, base, disp } => {
            let mem = RegMem::Mem(Amode::ImmReg { base, disp });
            emit_modrm(&mut b, NONE, RexFlags::w(), &[0x89], src.enc(), mem);
        }
        FrameInst::Lea { base, disp, dst } => {
            let mem = RegMem::Mem(Amode::ImmReg { base, disp });
            emit_modrm(&mut b, NONE, RexFlags::w(), &[0x8d], dst.enc(), mem);
        }
        FrameInst::AdjustRsp { bytes, sub } => adjust_rsp(&mut b, bytes, sub),
        FrameInst::Movdqu {
            xmm,
            base,
            disp,
            store,
        } => movdqu(&mut b, xmm, Amode::ImmReg { base, disp }, store),
        FrameInst::CopyQword { src_disp, dst_disp } => {
            let x15 = Xmm::new(15).enc();
            let src = RegMem::Mem(Amode::ImmReg {
                base: Gpr::RSP,
                disp: src_disp,
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
            let osize = Prefixes {
                lock: false,
                operand_size: true,
                rep: None,
            };
            let dst = RegMem::Mem(Amode::ImmReg {
                base: Gpr::RBP,
                disp: dst_disp,
            });
            emit_modrm(&mut b, osize, RexFlags::none(), &[0x0f, 0xd6], x15, dst);
        }
        FrameInst::StackLimitCheck { ref limit, needed } => {
            stack_limit_check(buf, limit, needed);
            return;
        }
        FrameInst::ProbeInline { bytes, guard } => probe_stack(&mut b, bytes, guard),
        FrameInst::ProbeOutline { bytes } => {
            // mov $bytes, %eax (B8 id); call probestack (E8 cd, a PLT-relative reloc).
            b.push(0xb8);
            emit_imm(&mut b, i64::from(bytes), 4);
            b.push(0xe8);
            buf.put_data(&b);
            let probestack = crate::ir::ExternalName::LibCall(crate::ir::LibCall::Probestack);
            buf.add_reloc(
                crate::machinst::reloc::Reloc::X86CallPLTRel4,
                crate::machinst::buffer::RelocTarget::ExternalName(probestack),
                -4,
            );
            buf.put_data(&[0; 4]);
            return;
        }
        FrameInst::Unwind { op } => {
            buf.add_unwind(op);
            return;
        }
    }
    buf.put_data(&b);
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

/// See [`FrameInst::StackLimitCheck`].
fn stack_limit_check(buf: &mut MachBuffer<Rel32>, limit: &StackLimit, needed: u32) {
    let mut b = Vec::new();
    let r11 = Gpr::R11;
    match limit.base {
        LimitBase::Reg(p) => mov_rr(&mut b, Gpr::from_preg(p).expect("an integer vmctx"), r11),
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

/// See [`FrameInst::ProbeInline`].
fn probe_stack(b: &mut Vec<u8>, bytes: u32, guard: u32) {
    let pages = bytes / guard;
    // Store zero (C7 /0 id) at `disp(%rsp)`.
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
