//! Emission of x86-64 instructions after register allocation: each instruction with its
//! allocated registers and the moves regalloc2 inserted (the frame is in `frame.rs`).

use super::args::{Amode, OperandSize, RegMem};
mod float;
#[path = "emit/frame.rs"]
mod frame_enc;

use super::encode::{
    self, NONE, Prefixes, Rel32, RexFlags, emit_imm, emit_modrm, emit_opcode_reg, gpr, jump, rel32,
    trap_unless, xmm, xmm_or_gpr_move,
};
use super::frame::Frame;
use super::frame::FrameInst;
use super::regs::Gpr;
use super::{
    AddrAlloc, AluOp, Atomic128Op, BitCountOp, BranchCond, CallInfo, Cc, FrameRegKind, MoveKind,
    RegOrImmAlloc, ShiftOp, UnaryOp,
};
use crate::ir::{AtomicRmwOp, ExternalName, IntCC, TrapCode};
use crate::machinst::buffer::{MachBuffer, MachLabel, RelocTarget};
use crate::machinst::reloc::Reloc;
use alloc::vec::Vec;
pub(crate) use float::float_cc_flag;
pub use float::{
    cvt_float_to_int, cvt_int_to_float, cvt_u64_to_float, evex, fcmp_setcc, fminmax, gpr_to_xmm,
    insert41, movmsk, packed, packed_vex, pextrw, pinsrw, pshuf, ucomis, vfmadd, xmm_const,
    xmm_load_rm, xmm_rm, xmm_rr, xmm_rrr, xmm_select, xmm_store_rm, xmm_to_gpr, xmm_unary,
};
use frame_enc::emit_frame_inst;
use regalloc2::Allocation;

fn rex_for(size: OperandSize, regs: &[Gpr]) -> RexFlags {
    match size {
        OperandSize::Size64 => RexFlags::w(),
        OperandSize::Size8 => RexFlags::for_byte_regs(regs),
        _ => RexFlags::none(),
    }
}

fn prefixes_for(size: OperandSize) -> Prefixes {
    Prefixes {
        operand_size: size == OperandSize::Size16,
        ..NONE
    }
}

/// Emits a move regalloc2 inserted between two allocations (register or spill slot).
pub fn emit_move(
    buf: &mut MachBuffer<Rel32>,
    from: Allocation,
    to: Allocation,
    frame: &Frame,
    class: regalloc2::RegClass,
) {
    let mut b = Vec::new();
    if class == regalloc2::RegClass::Float {
        match (from.as_reg(), to.as_reg(), from.as_stack(), to.as_stack()) {
            (Some(_), Some(_), _, _) => float::movaps(&mut b, xmm(from), xmm(to)),
            // Spill slots of float registers are 16 bytes: all of an f128 survives.
            (Some(_), None, _, Some(slot)) => xmm_or_gpr_move(
                &mut b,
                MoveKind::V128,
                xmm(from).enc(),
                frame.slot_amode(slot.index()),
                true,
            ),
            (None, Some(_), Some(slot), _) => xmm_or_gpr_move(
                &mut b,
                MoveKind::V128,
                xmm(to).enc(),
                frame.slot_amode(slot.index()),
                false,
            ),
            _ => unreachable!("regalloc2 never moves stack to stack"),
        }
        buf.put_data(&b);
        return;
    }
    match (from.as_reg(), to.as_reg(), from.as_stack(), to.as_stack()) {
        (Some(_), Some(_), _, _) => frame_enc::mov_rr(&mut b, gpr(from), gpr(to)),
        (Some(_), None, _, Some(slot)) => emit_modrm(
            &mut b,
            NONE,
            RexFlags::w(),
            &[0x89],
            gpr(from).enc(),
            frame.slot(slot.index()),
        ),
        (None, Some(_), Some(slot), _) => emit_modrm(
            &mut b,
            NONE,
            RexFlags::w(),
            &[0x8b],
            gpr(to).enc(),
            frame.slot(slot.index()),
        ),
        _ => unreachable!("regalloc2 never moves stack to stack"),
    }
    buf.put_data(&b);
}

/// A 128-bit comparison: `eq`/`ne` from the OR of the halves' XORs; the ordered
/// conditions from `cmp` of the low halves then `sbb` of the high halves (whose flags
/// are those of the whole 128-bit subtraction), with operands swapped for `>` and `<=`.
fn emit_cmp128(
    b: &mut Vec<u8>,
    cc: crate::ir::IntCC,
    [a_lo, a_hi, b_lo, b_hi]: [Gpr; 4],
    dst: Gpr,
    tmp: Gpr,
) {
    use crate::ir::IntCC::*;
    let setcc = |b: &mut Vec<u8>, cc: Cc| setcc01(b, cc, dst);
    match cc {
        Equal | NotEqual => {
            frame_enc::mov_rr(b, a_lo, tmp);
            emit_modrm(
                b,
                NONE,
                RexFlags::w(),
                &[0x31],
                b_lo.enc(),
                RegMem::Reg(tmp.enc()),
            );
            frame_enc::mov_rr(b, a_hi, dst);
            emit_modrm(
                b,
                NONE,
                RexFlags::w(),
                &[0x31],
                b_hi.enc(),
                RegMem::Reg(dst.enc()),
            );
            emit_modrm(
                b,
                NONE,
                RexFlags::w(),
                &[0x09],
                tmp.enc(),
                RegMem::Reg(dst.enc()),
            );
            setcc(b, if cc == Equal { Cc::Z } else { Cc::Nz });
        }
        _ => {
            // x < y computed as x - y; `>` and `<=` swap the operands.
            let swap = matches!(
                cc,
                SignedGreaterThan
                    | SignedLessThanOrEqual
                    | UnsignedGreaterThan
                    | UnsignedLessThanOrEqual
            );
            let (x_lo, x_hi, y_lo, y_hi) = if swap {
                (b_lo, b_hi, a_lo, a_hi)
            } else {
                (a_lo, a_hi, b_lo, b_hi)
            };
            frame_enc::mov_rr(b, x_hi, tmp);
            emit_modrm(
                b,
                NONE,
                RexFlags::w(),
                &[0x39],
                y_lo.enc(),
                RegMem::Reg(x_lo.enc()),
            ); // cmp y_lo, x_lo
            emit_modrm(
                b,
                NONE,
                RexFlags::w(),
                &[0x19],
                y_hi.enc(),
                RegMem::Reg(tmp.enc()),
            ); // sbb y_hi, tmp
            let c = match cc {
                SignedLessThan | SignedGreaterThan => Cc::L,
                SignedGreaterThanOrEqual | SignedLessThanOrEqual => Cc::Nl,
                UnsignedLessThan | UnsignedGreaterThan => Cc::B,
                _ => Cc::Nb,
            };
            setcc(b, c);
        }
    }
}

/// `setcc r8; movzx r8, r32`: 1 if `cc` holds, else 0 (0F 90+cc, 0F B6).
fn setcc01(b: &mut Vec<u8>, cc: Cc, r: Gpr) {
    emit_modrm(
        b,
        NONE,
        RexFlags::for_byte_regs(&[r]),
        &[0x0f, 0x90 | cc as u8],
        0,
        RegMem::Reg(r.enc()),
    );
    emit_modrm(
        b,
        NONE,
        RexFlags::for_byte_regs(&[r]),
        &[0x0f, 0xb6],
        r.enc(),
        RegMem::Reg(r.enc()),
    );
}

/// The read-modify-write of [`Inst::AtomicRmw`]; the old value ends in `rax`.
fn emit_atomic_rmw(
    buf: &mut MachBuffer<Rel32>,
    op: crate::ir::AtomicRmwOp,
    size: OperandSize,
    addr: Gpr,
    operand: Gpr,
    tmp: Gpr,
) {
    use crate::ir::AtomicRmwOp::*;
    let mem = || {
        RegMem::Mem(Amode::ImmReg {
            base: addr,
            disp: 0,
        })
    };
    let locked = Prefixes {
        lock: true,
        ..prefixes_for(size)
    };
    let mut b = Vec::new();
    match op {
        Add | Sub | Xchg => {
            // rax = operand (negated for sub); then xadd/xchg leaves the old value in rax.
            frame_enc::mov_rr(&mut b, operand, Gpr::RAX);
            if op == Sub {
                unary(&mut b, OperandSize::Size64, 3, Gpr::RAX);
            }
            let (prefixes, opcode): (Prefixes, &[u8]) = match (op, size) {
                (Xchg, OperandSize::Size8) => (prefixes_for(size), &[0x86]),
                (Xchg, _) => (prefixes_for(size), &[0x87]),
                (_, OperandSize::Size8) => (locked, &[0x0f, 0xc0]),
                _ => (locked, &[0x0f, 0xc1]),
            };
            emit_modrm(
                &mut b,
                prefixes,
                rex_for(size, &[Gpr::RAX]),
                opcode,
                Gpr::RAX.enc(),
                mem(),
            );
            buf.put_data(&b);
        }
        _ => {
            // rax = (addr); loop { tmp = rax op operand; lock cmpxchg tmp, (addr) }.
            let load: &[u8] = match size {
                OperandSize::Size8 => &[0x0f, 0xb6],
                OperandSize::Size16 => &[0x0f, 0xb7],
                _ => &[0x8b],
            };
            let rex = if size == OperandSize::Size64 {
                RexFlags::w()
            } else {
                RexFlags::none()
            };
            emit_modrm(&mut b, NONE, rex, load, Gpr::RAX.enc(), mem());
            buf.put_data(&b);
            let again = buf.get_label();
            buf.bind_label(again);
            let mut b = Vec::new();
            frame_enc::mov_rr(&mut b, Gpr::RAX, tmp);
            match op {
                And | Nand | Or | Xor => {
                    let opcode = match op {
                        Or => 0x09,
                        Xor => 0x31,
                        _ => 0x21,
                    };
                    emit_modrm(
                        &mut b,
                        NONE,
                        RexFlags::w(),
                        &[opcode],
                        operand.enc(),
                        RegMem::Reg(tmp.enc()),
                    );
                    if op == Nand {
                        unary(&mut b, OperandSize::Size64, 2, tmp);
                    }
                }
                _ => {
                    // min/max: tmp = operand when it wins the comparison with the old value.
                    cmp_rr(&mut b, size, tmp, operand);
                    let cc = match op {
                        Umin => Cc::Nbe, // old > operand: take operand
                        Umax => Cc::B,
                        Smin => Cc::Nle,
                        _ => Cc::L,
                    };
                    cmov(&mut b, cc, operand, tmp);
                }
            }
            let opcode = if size == OperandSize::Size8 {
                0xb0
            } else {
                0xb1
            };
            emit_modrm(
                &mut b,
                locked,
                rex_for(size, &[tmp]),
                &[0x0f, opcode],
                tmp.enc(),
                mem(),
            );
            buf.put_data(&b);
            jump(buf, &[0x0f, 0x85], again);
        }
    }
}

/// An `i128` atomic access (see [`super::Inst::Atomic128`]): `lo`/`hi` the operand of a
/// store or read-modify-write, `tmp` the scratch of min/max.
fn emit_atomic128(
    buf: &mut MachBuffer<Rel32>,
    op: super::Atomic128Op,
    addr: Gpr,
    lo: Option<Gpr>,
    hi: Option<Gpr>,
    tmp: Option<Gpr>,
) {
    use super::Atomic128Op as Op;
    use crate::ir::AtomicRmwOp::*;
    let mem = |disp: i32| RegMem::Mem(Amode::ImmReg { base: addr, disp });
    let locked = Prefixes { lock: true, ..NONE };
    // lock cmpxchg16b (addr): F0 REX.W 0F C7 /1.
    let cmpxchg16b = |b: &mut Vec<u8>| {
        emit_modrm(b, locked, RexFlags::w(), &[0x0f, 0xc7], 1, mem(0));
    };
    let xor32 = |b: &mut Vec<u8>, r: Gpr| {
        emit_modrm(
            b,
            NONE,
            RexFlags::none(),
            &[0x31],
            r.enc(),
            RegMem::Reg(r.enc()),
        );
    };
    // 64-bit `op src, dst` (r/m form: 01 add, 11 adc, 29 sub, 19 sbb, 21 and, 09 or,
    // 31 xor, 39 cmp).
    let alu = |b: &mut Vec<u8>, opcode: u8, src: Gpr, dst: Gpr| {
        emit_modrm(
            b,
            NONE,
            RexFlags::w(),
            &[opcode],
            src.enc(),
            RegMem::Reg(dst.enc()),
        );
    };
    let load_old = |b: &mut Vec<u8>| {
        emit_modrm(b, NONE, RexFlags::w(), &[0x8b], Gpr::RAX.enc(), mem(0));
        emit_modrm(b, NONE, RexFlags::w(), &[0x8b], Gpr::RDX.enc(), mem(8));
    };
    let mut b = Vec::new();
    match op {
        Op::Cas => {
            cmpxchg16b(&mut b);
            buf.put_data(&b);
        }
        Op::Load => {
            // Compare with 0 and write 0 back if equal: either way rdx:rax is the value.
            for r in [Gpr::RAX, Gpr::RDX, Gpr::RBX, Gpr::RCX] {
                xor32(&mut b, r);
            }
            cmpxchg16b(&mut b);
            buf.put_data(&b);
        }
        Op::Store | Op::Rmw(_) => {
            let (lo, hi) = (lo.expect("an operand"), hi.expect("an operand"));
            load_old(&mut b);
            if op == Op::Store {
                frame_enc::mov_rr(&mut b, lo, Gpr::RBX);
                frame_enc::mov_rr(&mut b, hi, Gpr::RCX);
            }
            buf.put_data(&b);
            let again = buf.get_label();
            buf.bind_label(again);
            let mut b = Vec::new();
            if let Op::Rmw(rmw) = op {
                frame_enc::mov_rr(&mut b, Gpr::RAX, Gpr::RBX);
                frame_enc::mov_rr(&mut b, Gpr::RDX, Gpr::RCX);
                match rmw {
                    Add | Sub => {
                        let (first, carry) = if rmw == Add {
                            (0x01, 0x11)
                        } else {
                            (0x29, 0x19)
                        };
                        alu(&mut b, first, lo, Gpr::RBX);
                        alu(&mut b, carry, hi, Gpr::RCX);
                    }
                    And | Nand | Or | Xor => {
                        let opcode = match rmw {
                            Or => 0x09,
                            Xor => 0x31,
                            _ => 0x21,
                        };
                        alu(&mut b, opcode, lo, Gpr::RBX);
                        alu(&mut b, opcode, hi, Gpr::RCX);
                        if rmw == Nand {
                            unary(&mut b, OperandSize::Size64, 2, Gpr::RBX);
                            unary(&mut b, OperandSize::Size64, 2, Gpr::RCX);
                        }
                    }
                    Xchg => {
                        frame_enc::mov_rr(&mut b, lo, Gpr::RBX);
                        frame_enc::mov_rr(&mut b, hi, Gpr::RCX);
                    }
                    Umin | Umax | Smin | Smax => {
                        // Flags of old - operand over 128 bits: cmp the low halves, then
                        // sbb the high ones in a scratch copy.
                        let tmp = tmp.expect("a scratch register");
                        alu(&mut b, 0x39, lo, Gpr::RBX);
                        frame_enc::mov_rr(&mut b, Gpr::RCX, tmp);
                        alu(&mut b, 0x19, hi, tmp);
                        // Take the operand when it wins against the old value.
                        let cc = match rmw {
                            Umin => Cc::Nb,
                            Umax => Cc::B,
                            Smin => Cc::Nl,
                            _ => Cc::L,
                        };
                        cmov(&mut b, cc, lo, Gpr::RBX);
                        cmov(&mut b, cc, hi, Gpr::RCX);
                    }
                }
            }
            cmpxchg16b(&mut b);
            buf.put_data(&b);
            jump(buf, &[0x0f, 0x85], again);
        }
    }
}

/// The move that widens `from` bits to 64, zero- or sign-extending: whether it needs
/// REX.W, and its opcode. MOVZX r32 (0F B6 / 0F B7) and MOV r32 (8B) clear bits 32-63;
/// MOVSX r64 (REX.W 0F BE / 0F BF), MOVSXD (REX.W 63); a 64-bit source is a plain MOV.
fn extending_move(signed: bool, from: OperandSize) -> (bool, &'static [u8]) {
    match (signed, from) {
        (false, OperandSize::Size8) => (false, &[0x0f, 0xb6]),
        (false, OperandSize::Size16) => (false, &[0x0f, 0xb7]),
        (false, OperandSize::Size32) => (false, &[0x8b]),
        (true, OperandSize::Size8) => (true, &[0x0f, 0xbe]),
        (true, OperandSize::Size16) => (true, &[0x0f, 0xbf]),
        (true, OperandSize::Size32) => (true, &[0x63]),
        (_, OperandSize::Size64) => (true, &[0x8b]),
    }
}

/// `test r, r` (85 /r, 84 /r for bytes).
fn test_rr(b: &mut Vec<u8>, size: OperandSize, r: Gpr) {
    let opcode = if size == OperandSize::Size8 {
        0x84
    } else {
        0x85
    };
    emit_modrm(
        b,
        prefixes_for(size),
        rex_for(size, &[r]),
        &[opcode],
        r.enc(),
        RegMem::Reg(r.enc()),
    );
}

/// `cmp b, a` (39 /r, 38 /r for bytes): the flags of `a - b`.
fn cmp_rr(buf: &mut Vec<u8>, size: OperandSize, a: Gpr, b: Gpr) {
    let opcode = if size == OperandSize::Size8 {
        0x38
    } else {
        0x39
    };
    emit_modrm(
        buf,
        prefixes_for(size),
        rex_for(size, &[a, b]),
        &[opcode],
        b.enc(),
        RegMem::Reg(a.enc()),
    );
}

/// `op $imm, dst` with the group-1 opcode `digit` (0 add, 1 or, 4 and, 5 sub, 6 xor,
/// 7 cmp): 80 /digit ib for bytes, 83 /digit ib when the immediate fits a signed byte,
/// else 81 /digit iw or id (Intel SDM Vol. 2, "ADD"). The immediate is sign-extended to
/// the operation width (narrower widths use its low bits).
fn alu_imm(b: &mut Vec<u8>, digit: u8, size: OperandSize, dst: Gpr, imm: i32) {
    let rex = rex_for(size, &[dst]);
    let (opcode, bytes) = if size == OperandSize::Size8 {
        (0x80, 1)
    } else if i8::try_from(imm).is_ok() {
        (0x83, 1)
    } else if size == OperandSize::Size16 {
        (0x81, 2)
    } else {
        (0x81, 4)
    };
    emit_modrm(
        b,
        prefixes_for(size),
        rex,
        &[opcode],
        digit,
        RegMem::Reg(dst.enc()),
    );
    emit_imm(b, imm as i64, bytes);
}

/// `cmovcc src, dst` (0F 40+cc /r), always 64-bit: narrower values only use low bits.
fn cmov(b: &mut Vec<u8>, cc: Cc, src: Gpr, dst: Gpr) {
    emit_modrm(
        b,
        NONE,
        RexFlags::w(),
        &[0x0f, 0x40 | cc as u8],
        dst.enc(),
        RegMem::Reg(src.enc()),
    );
}

/// F7 /digit (F6 for bytes) on a register: `not` (2), `neg` (3), `div` (6), `idiv` (7).
fn unary(b: &mut Vec<u8>, size: OperandSize, digit: u8, r: Gpr) {
    let opcode = if size == OperandSize::Size8 {
        0xf6
    } else {
        0xf7
    };
    emit_modrm(
        b,
        prefixes_for(size),
        rex_for(size, &[r]),
        &[opcode],
        digit,
        RegMem::Reg(r.enc()),
    );
}

/// The division sequence of [`Inst::Div`]: dividend in `rax`; quotient to `rax`,
/// remainder to `rdx`.
/// `check_overflow` is the CLIF width when the quotient is wanted (`MIN / -1` traps).
fn emit_div(
    buf: &mut MachBuffer<Rel32>,
    signed: bool,
    size: OperandSize,
    check_overflow: Option<OperandSize>,
    divisor: Gpr,
) {
    let mut b = Vec::new();
    test_rr(&mut b, size, divisor);
    buf.put_data(&b);
    trap_unless(buf, 0x75, TrapCode::INTEGER_DIVISION_BY_ZERO); // jnz
    let done = buf.get_label();
    if signed {
        // A divisor of -1: the quotient is the negated dividend (overflowing only for
        // MIN, which traps) and the remainder 0; `idiv` would fault on MIN / -1.
        let general = buf.get_label();
        let mut b = Vec::new();
        emit_modrm(
            &mut b,
            prefixes_for(size),
            rex_for(size, &[divisor]),
            &[0x83],
            7,
            RegMem::Reg(divisor.enc()),
        );
        b.push(0xff); // cmp $-1, divisor
        buf.put_data(&b);
        jump(buf, &[0x0f, 0x85], general);
        let mut b = Vec::new();
        emit_modrm(
            &mut b,
            NONE,
            RexFlags::none(),
            &[0x31],
            Gpr::RDX.enc(),
            RegMem::Reg(Gpr::RDX.enc()),
        ); // xor edx, edx
        if let Some(narrow) = check_overflow {
            unary(&mut b, narrow, 3, Gpr::RAX); // neg at the CLIF width sets OF for MIN
            buf.put_data(&b);
            trap_unless(buf, 0x71, TrapCode::INTEGER_OVERFLOW); // jno
        } else {
            buf.put_data(&b);
        }
        jump(buf, &[0xe9], done);
        buf.bind_label(general);
        let mut b = Vec::new();
        // cdq / cqo: sign-extend eax/rax into edx/rdx.
        if size == OperandSize::Size64 {
            b.push(0x48);
        }
        b.push(0x99);
        unary(&mut b, size, 7, divisor);
        buf.put_data(&b);
    } else {
        let mut b = Vec::new();
        emit_modrm(
            &mut b,
            NONE,
            RexFlags::none(),
            &[0x31],
            Gpr::RDX.enc(),
            RegMem::Reg(Gpr::RDX.enc()),
        );
        unary(&mut b, size, 6, divisor);
        buf.put_data(&b);
    }
    buf.bind_label(done);
}

/// `lea mem, dst` at 32 or 64 bits (8D /r; REX.W for 64): an addition that writes a
/// third register and leaves the flags alone. At 32 bits the sum is truncated and
/// zero-extended, as a 32-bit `add` would leave it.
fn lea(b: &mut Vec<u8>, size: OperandSize, mem: Amode, dst: Gpr) {
    let rex = if size == OperandSize::Size64 {
        RexFlags::w()
    } else {
        RexFlags::none()
    };
    emit_modrm(b, NONE, rex, &[0x8d], dst.enc(), RegMem::Mem(mem));
}

/// A two-way branch on condition `cc` after the flags are set: `jcc taken` and, unless
/// `not_taken` follows, `jmp not_taken`; when `taken` follows, the inverted `jcc
/// not_taken` alone.
fn branch(
    buf: &mut MachBuffer<Rel32>,
    cc: Cc,
    taken: MachLabel,
    not_taken: MachLabel,
    next: Option<MachLabel>,
) {
    if next == Some(taken) {
        jump(buf, &[0x0f, 0x80 | cc.invert() as u8], not_taken);
    } else {
        jump(buf, &[0x0f, 0x80 | cc as u8], taken);
        if next != Some(not_taken) {
            jump(buf, &[0xe9], not_taken);
        }
    }
}

/// The jump-table dispatch of [`Inst::JmpTable`].
fn emit_jmp_table(
    buf: &mut MachBuffer<Rel32>,
    idx: Gpr,
    t1: Gpr,
    t2: Gpr,
    default: MachLabel,
    targets: &[MachLabel],
) {
    let mut b = Vec::new();
    // mov idx32, t1 (zero-extends); cmp $n, t1; jae default
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::none(),
        &[0x8b],
        t1.enc(),
        RegMem::Reg(idx.enc()),
    );
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::none(),
        &[0x81],
        7,
        RegMem::Reg(t1.enc()),
    );
    emit_imm(&mut b, targets.len() as i64, 4);
    buf.put_data(&b);
    jump(buf, &[0x0f, 0x83], default);
    // lea table(%rip), t2 (REX.W 8D /r, ModR/M mod=00 rm=101: RIP + disp32)
    let table = buf.get_label();
    let rex = 0x48 | ((t2.enc() >> 3) << 2);
    buf.put_data(&[rex, 0x8d, ((t2.enc() & 7) << 3) | 0b101]);
    rel32(buf, table, -4);
    let mut b = Vec::new();
    // movslq (t2, t1, 4), t1; add t2, t1; jmp *t1
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x63],
        t1.enc(),
        RegMem::Mem(Amode::ImmRegRegShift {
            base: t2,
            index: t1,
            shift: 2,
            disp: 0,
        }),
    );
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x01],
        t2.enc(),
        RegMem::Reg(t1.enc()),
    );
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::none(),
        &[0xff],
        4,
        RegMem::Reg(t1.enc()),
    );
    buf.put_data(&b);
    let start = buf.cur_offset();
    buf.align_to(4);
    buf.bind_label(table);
    for (i, &target) in targets.iter().enumerate() {
        rel32(buf, target, 4 * i as i32);
    }
    buf.mark_data(start);
}

/// What the generated emission of a form works with: the code buffer, the blocks'
/// labels (a block that only jumps elsewhere has its destination's label), the label of
/// the code emitted after this block (jumps to it fall through), and the frame.
pub struct Emit<'a> {
    /// The code buffer.
    pub buf: &'a mut MachBuffer<Rel32>,
    /// The blocks' labels.
    pub labels: &'a [MachLabel],
    /// The label of the code after this block.
    pub next: Option<MachLabel>,
    /// The function's frame.
    pub frame: &'a Frame,
}

impl Emit<'_> {
    /// The hardware number of the next allocation (a register operand).
    pub fn reg(&self, allocs: &mut core::slice::Iter<'_, Allocation>) -> u32 {
        let a = allocs.next().expect("an allocation per register operand");
        u32::from(
            a.as_reg()
                .expect("register operands are in registers")
                .hw_enc() as u8,
        )
    }

    /// Appends bytes.
    fn put(&mut self, b: &[u8]) {
        self.buf.put_data(b);
    }

    /// The machine address of an allocated [`super::Addr`].
    fn amode(&self, addr: &AddrAlloc) -> Amode {
        self.frame.amode(addr)
    }

    /// Records a trap site at the next byte, if the access may trap.
    fn trap_site(&mut self, trap: Option<TrapCode>) {
        if let Some(code) = trap {
            self.buf.add_trap(code);
        }
    }
}

/// The general register numbered `r`.
pub(super) fn g(r: u32) -> Gpr {
    Gpr::from_enc(r as u8)
}

/// Emits nothing (the `args` pseudo-instruction).
pub fn nothing(_e: &mut Emit<'_>) {}

/// Emits fixed bytes (`mfence`, `int3`).
pub fn bytes(e: &mut Emit<'_>, b: &[u8]) {
    e.put(b);
}

/// `ret` (C3), or `ret imm16` (C2 iw) when the function pops its stack arguments; the
/// epilogue is emitted before (see `gen_teardown`).
pub fn ret(e: &mut Emit<'_>) {
    if e.frame.callee_pop == 0 {
        e.put(&[0xc3]);
    } else {
        let n = u16::try_from(e.frame.callee_pop).expect("stack arguments below 64 KiB");
        e.put(&[0xc2]);
        e.put(&n.to_le_bytes());
    }
}

/// An instruction of the prologue or epilogue.
pub fn frame_inst(e: &mut Emit<'_>, inst: &FrameInst) {
    emit_frame_inst(inst, e.buf);
}

/// `mov src, dst` (64-bit), nothing when they are one register.
pub fn mov_rr(e: &mut Emit<'_>, src: u32, dst: u32) {
    if src != dst {
        let mut b = Vec::new();
        frame_enc::mov_rr(&mut b, g(src), g(dst));
        e.put(&b);
    }
}

/// A constant into `dst`, by the shortest form.
pub fn mov_imm(e: &mut Emit<'_>, value: u64, dst: u32) {
    let dst = g(dst);
    let mut b = Vec::new();
    if value == 0 {
        // xor %r32, %r32 (31 /r): shorter. Clobbering the flags is safe: only
        // regalloc2's moves come between a flags producer and its consumer.
        emit_modrm(
            &mut b,
            NONE,
            RexFlags::none(),
            &[0x31],
            dst.enc(),
            RegMem::Reg(dst.enc()),
        );
    } else if value <= u32::MAX as u64 {
        // mov $imm32, %r32 (B8+rd id) zero-extends into the full register.
        emit_opcode_reg(&mut b, NONE, RexFlags::none(), 0xb8, dst.enc());
        emit_imm(&mut b, value as i64, 4);
    } else if i32::try_from(value as i64).is_ok() {
        // mov $simm32, %r64 (REX.W C7 /0 id) sign-extends.
        emit_modrm(
            &mut b,
            NONE,
            RexFlags::w(),
            &[0xc7],
            0,
            RegMem::Reg(dst.enc()),
        );
        emit_imm(&mut b, value as i64, 4);
    } else {
        emit_opcode_reg(&mut b, NONE, RexFlags::w(), 0xb8, dst.enc());
        emit_imm(&mut b, value as i64, 8);
    }
    e.put(&b);
}

/// The register-to-register opcode of an ALU operation (`op r/m, r`), by size.
fn alu_rm_r_opcode(op: AluOp, size: OperandSize) -> u8 {
    // ADD 01, OR 09, AND 21, SUB 29, XOR 31 (r/m, r); byte forms one less.
    let base: u8 = match op {
        AluOp::Add => 0x01,
        AluOp::Or => 0x09,
        AluOp::And => 0x21,
        AluOp::Sub => 0x29,
        AluOp::Xor => 0x31,
    };
    if size == OperandSize::Size8 {
        base - 1
    } else {
        base
    }
}

/// `op src2, dst` (two-address).
pub fn alu_rr(e: &mut Emit<'_>, op: AluOp, size: OperandSize, src2: u32, dst: u32) {
    let (src2, dst) = (g(src2), g(dst));
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes_for(size),
        rex_for(size, &[src2, dst]),
        &[alu_rm_r_opcode(op, size)],
        src2.enc(),
        RegMem::Reg(dst.enc()),
    );
    e.put(&b);
}

/// `add` when the result may overwrite an operand (the shorter encoding), else `lea`.
pub fn add_lea_rr(e: &mut Emit<'_>, size: OperandSize, src1: u32, src2: u32, dst: u32) {
    let (src1, src2, dst) = (g(src1), g(src2), g(dst));
    let other = if dst == src1 {
        Some(src2)
    } else if dst == src2 {
        Some(src1)
    } else {
        None
    };
    let mut b = Vec::new();
    match other {
        Some(src) => emit_modrm(
            &mut b,
            NONE,
            rex_for(size, &[src, dst]),
            &[0x01],
            src.enc(),
            RegMem::Reg(dst.enc()),
        ),
        None => {
            // rsp can be a base but not an index.
            let (base, index) = if src2 == Gpr::RSP {
                (src2, src1)
            } else {
                (src1, src2)
            };
            let mem = Amode::ImmRegRegShift {
                base,
                index,
                shift: 0,
                disp: 0,
            };
            lea(&mut b, size, mem, dst);
        }
    }
    e.put(&b);
}

/// The ModRM digit of an ALU operation with an immediate (80/81/83 /digit).
fn alu_digit(op: AluOp) -> u8 {
    match op {
        AluOp::Add => 0,
        AluOp::Or => 1,
        AluOp::And => 4,
        AluOp::Sub => 5,
        AluOp::Xor => 6,
    }
}

/// `op $imm, dst` (two-address).
pub fn alu_ri(e: &mut Emit<'_>, op: AluOp, size: OperandSize, imm: i32, dst: u32) {
    let mut b = Vec::new();
    alu_imm(&mut b, alu_digit(op), size, g(dst), imm);
    e.put(&b);
}

/// `lea disp(src), dst` for an addition or subtraction of a constant, or the
/// two-address form when the registers agree.
pub fn add_lea_ri(e: &mut Emit<'_>, op: AluOp, size: OperandSize, src: u32, imm: i32, dst: u32) {
    if src == dst {
        return alu_ri(e, op, size, imm, dst);
    }
    let disp = if op == AluOp::Sub { -imm } else { imm };
    let mut b = Vec::new();
    lea(&mut b, size, Amode::ImmReg { base: g(src), disp }, g(dst));
    e.put(&b);
}

/// `op mem, dst`, or `imul` for `None`.
pub fn alu_rm(
    e: &mut Emit<'_>,
    op: Option<AluOp>,
    size: OperandSize,
    addr: &AddrAlloc,
    dst: u32,
    trap: Option<TrapCode>,
) {
    let (mem, dst) = (e.amode(addr), g(dst));
    e.trap_site(trap);
    // ADD 03, OR 0B, AND 23, SUB 2B, XOR 33 (r, r/m); IMUL 0F AF (r, r/m).
    let opcode: &[u8] = match op {
        Some(AluOp::Add) => &[0x03],
        Some(AluOp::Or) => &[0x0b],
        Some(AluOp::And) => &[0x23],
        Some(AluOp::Sub) => &[0x2b],
        Some(AluOp::Xor) => &[0x33],
        None => &[0x0f, 0xaf],
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        NONE,
        rex_for(size, &[dst]),
        opcode,
        dst.enc(),
        RegMem::Mem(mem),
    );
    e.put(&b);
}

/// `imul $imm, src, dst` (Intel SDM vol. 2, IMUL): 6B /r ib or 69 /r id.
pub fn imul_ri(e: &mut Emit<'_>, size: OperandSize, imm: i32, src: u32, dst: u32) {
    let (src, dst) = (g(src), g(dst));
    let size = if size == OperandSize::Size64 {
        OperandSize::Size64
    } else {
        OperandSize::Size32
    };
    let short = i8::try_from(imm).is_ok();
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes_for(size),
        rex_for(size, &[]),
        &[if short { 0x6b } else { 0x69 }],
        dst.enc(),
        RegMem::Reg(src.enc()),
    );
    emit_imm(&mut b, i64::from(imm), if short { 1 } else { 4 });
    e.put(&b);
}

/// `imul src2, dst` (0F AF /r); there is no 8-bit form, so 8-bit multiplies use the
/// 32-bit one (the low byte of the product is the same).
pub fn imul_rr(e: &mut Emit<'_>, size: OperandSize, src2: u32, dst: u32) {
    let (src2, dst) = (g(src2), g(dst));
    let size = if size == OperandSize::Size8 {
        OperandSize::Size32
    } else {
        size
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes_for(size),
        rex_for(size, &[]),
        &[0x0f, 0xaf],
        dst.enc(),
        RegMem::Reg(src2.enc()),
    );
    e.put(&b);
}

/// `neg`/`not` of `dst`.
pub fn unary_rr(e: &mut Emit<'_>, op: UnaryOp, size: OperandSize, dst: u32) {
    let digit = match op {
        UnaryOp::Not => 2,
        UnaryOp::Neg => 3,
    };
    let mut b = Vec::new();
    unary(&mut b, size, digit, g(dst));
    e.put(&b);
}

/// BMI2 `shlx`/`shrx`/`sarx`.
pub fn shiftx(e: &mut Emit<'_>, op: ShiftOp, size: OperandSize, src: u32, amount: u32, dst: u32) {
    let (src, amount, dst) = (g(src), g(amount), g(dst));
    let pp = match op {
        ShiftOp::Shl => 0b01,
        ShiftOp::Sar => 0b10,
        ShiftOp::Shr => 0b11,
        _ => unreachable!("no BMI2 form of rotates by a register"),
    };
    // Three-byte VEX: inverted R (ModRM.reg = dst), X, B (ModRM.rm = src), map
    // 0F38; W, inverted vvvv (the amount), L=0, pp.
    let inv = |bit: u8| !bit & 1;
    let w = u8::from(size == OperandSize::Size64);
    e.put(&[
        0xc4,
        (inv(dst.enc() >> 3) << 7) | (1 << 6) | (inv(src.enc() >> 3) << 5) | 0b00010,
        (w << 7) | ((!amount.enc() & 0xf) << 3) | pp,
        0xf7,
        0xc0 | ((dst.enc() & 7) << 3) | (src.enc() & 7),
    ]);
}

/// A shift or rotate of `dst` by `cl`.
pub fn shift_rr(e: &mut Emit<'_>, op: ShiftOp, size: OperandSize, dst: u32) {
    let dst = g(dst);
    let opcode = if size == OperandSize::Size8 {
        0xd2
    } else {
        0xd3
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes_for(size),
        rex_for(size, &[dst]),
        &[opcode],
        op as u8,
        RegMem::Reg(dst.enc()),
    );
    e.put(&b);
}

/// A shift or rotate of `dst` by an immediate.
pub fn shift_ri(e: &mut Emit<'_>, op: ShiftOp, size: OperandSize, imm: u8, dst: u32) {
    let dst = g(dst);
    let opcode = if size == OperandSize::Size8 {
        0xc0
    } else {
        0xc1
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes_for(size),
        rex_for(size, &[dst]),
        &[opcode],
        op as u8,
        RegMem::Reg(dst.enc()),
    );
    b.push(imm);
    e.put(&b);
}

/// `movzx`/`movsx`/`movsxd`/`mov r32` of the low `from` bits.
pub fn movx(e: &mut Emit<'_>, signed: bool, from: OperandSize, src: u32, dst: u32) {
    let (src, dst) = (g(src), g(dst));
    let (wide, opcode) = extending_move(signed, from);
    // A byte source in sil/dil/spl/bpl needs a REX prefix.
    let rex = if wide {
        RexFlags::w()
    } else if from == OperandSize::Size8 {
        RexFlags::for_byte_regs(&[src])
    } else {
        RexFlags::none()
    };
    let mut b = Vec::new();
    emit_modrm(&mut b, NONE, rex, opcode, dst.enc(), RegMem::Reg(src.enc()));
    e.put(&b);
}

/// `lea (base, index, 1 << shift), dst`.
pub fn lea_rr(e: &mut Emit<'_>, size: OperandSize, base: u32, index: u32, shift: u8, dst: u32) {
    let mem = Amode::ImmRegRegShift {
        base: g(base),
        index: g(index),
        shift,
        disp: 0,
    };
    let mut b = Vec::new();
    lea(&mut b, size, mem, g(dst));
    e.put(&b);
}

/// `mov; neg; cmovs`: the absolute value.
pub fn abs_rr(e: &mut Emit<'_>, size: OperandSize, src: u32, dst: u32) {
    let (src, dst) = (g(src), g(dst));
    let mut b = Vec::new();
    frame_enc::mov_rr(&mut b, src, dst);
    unary(&mut b, size, 3, dst);
    cmov(&mut b, Cc::S, src, dst);
    e.put(&b);
}

/// `lzcnt`/`tzcnt`/`popcnt`.
pub fn bit_count(e: &mut Emit<'_>, op: BitCountOp, size: OperandSize, src: u32, dst: u32) {
    let opcode = match op {
        BitCountOp::Lzcnt => 0xbd,
        BitCountOp::Tzcnt => 0xbc,
        BitCountOp::Popcnt => 0xb8,
    };
    let prefixes = Prefixes {
        rep: Some(0xf3),
        ..NONE
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes,
        rex_for(size, &[]),
        &[0x0f, opcode],
        g(dst).enc(),
        RegMem::Reg(g(src).enc()),
    );
    e.put(&b);
}

/// `bsr`/`bsf` with the count of a zero input fixed up.
pub fn bit_scan(e: &mut Emit<'_>, leading: bool, bits: u8, src: u32, tmp: u32, dst: u32) {
    let (src, tmp, dst) = (g(src), g(tmp), g(dst));
    let mut b = Vec::new();
    // tmp = the answer for zero; dst = bit index (ZF set if src is zero).
    let zero_answer: i64 = if leading { -1 } else { bits as i64 };
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0xc7],
        0,
        RegMem::Reg(tmp.enc()),
    );
    emit_imm(&mut b, zero_answer, 4);
    let opcode = if leading { 0xbd } else { 0xbc };
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x0f, opcode],
        dst.enc(),
        RegMem::Reg(src.enc()),
    );
    cmov(&mut b, Cc::Z, tmp, dst);
    if leading {
        // leading zeros = bits - 1 - index (index -1 for zero gives bits).
        emit_modrm(
            &mut b,
            NONE,
            RexFlags::w(),
            &[0xc7],
            0,
            RegMem::Reg(tmp.enc()),
        );
        emit_imm(&mut b, bits as i64 - 1, 4);
        emit_modrm(
            &mut b,
            NONE,
            RexFlags::w(),
            &[0x29],
            dst.enc(),
            RegMem::Reg(tmp.enc()),
        );
        frame_enc::mov_rr(&mut b, tmp, dst);
    }
    e.put(&b);
}

/// `bswap`, or `rol $8` for 16 bits.
pub fn bswap_r(e: &mut Emit<'_>, size: OperandSize, dst: u32) {
    let dst = g(dst);
    let mut b = Vec::new();
    if size == OperandSize::Size16 {
        emit_modrm(
            &mut b,
            prefixes_for(size),
            RexFlags::none(),
            &[0xc1],
            0,
            RegMem::Reg(dst.enc()),
        );
        b.push(8);
    } else {
        emit_opcode_reg(&mut b, NONE, rex_for(size, &[]), 0xc8, dst.enc());
        let at = b.len() - 1;
        // BSWAP's opcode byte follows 0F.
        b.insert(at, 0x0f);
    }
    e.put(&b);
}

/// All ones if `src` is non-zero, else zero.
pub fn bmask_r(e: &mut Emit<'_>, size: OperandSize, src: u32, dst: u32) {
    let (src, dst) = (g(src), g(dst));
    let mut b = Vec::new();
    frame_enc::mov_rr(&mut b, src, dst);
    unary(&mut b, size, 3, dst); // neg: CF = (src != 0)
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x19],
        dst.enc(),
        RegMem::Reg(dst.enc()),
    ); // sbb
    e.put(&b);
}

/// `mul`/`imul` of rax by `b` into rdx:rax, and the overflow flag into `flag`.
pub fn mul_wide(e: &mut Emit<'_>, signed: bool, size: OperandSize, bb: u32, flag: Option<u32>) {
    let mut b = Vec::new();
    unary(&mut b, size, if signed { 5 } else { 4 }, g(bb));
    if let Some(o) = flag {
        setcc01(&mut b, Cc::O, g(o));
    }
    e.put(&b);
}

/// The division sequence (see `emit_div`).
pub fn div_rr(
    e: &mut Emit<'_>,
    signed: bool,
    size: OperandSize,
    narrow: OperandSize,
    quotient_wanted: bool,
    divisor: u32,
) {
    emit_div(
        e.buf,
        signed,
        size,
        quotient_wanted.then_some(narrow),
        g(divisor),
    );
}

/// `add`/`adc` or `sub`/`sbb` of register pairs.
#[allow(clippy::too_many_arguments)]
pub fn alu_pair(
    e: &mut Emit<'_>,
    op: AluOp,
    a_lo: u32,
    a_hi: u32,
    b_lo: u32,
    b_hi: u32,
    d_lo: u32,
    d_hi: u32,
) {
    let [a_lo, a_hi, b_lo, b_hi, d_lo, d_hi] = [a_lo, a_hi, b_lo, b_hi, d_lo, d_hi].map(g);
    let mut b = Vec::new();
    // The results are in registers of their own (early definitions).
    frame_enc::mov_rr(&mut b, a_lo, d_lo);
    frame_enc::mov_rr(&mut b, a_hi, d_hi);
    // add/adc (01, 11) or sub/sbb (29, 19), r/m64 <- r64
    let (lo_op, hi_op) = if op == AluOp::Add {
        (0x01, 0x11)
    } else {
        (0x29, 0x19)
    };
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[lo_op],
        b_lo.enc(),
        RegMem::Reg(d_lo.enc()),
    );
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[hi_op],
        b_hi.enc(),
        RegMem::Reg(d_hi.enc()),
    );
    e.put(&b);
}

/// A comparison of register pairs as 0/1.
#[allow(clippy::too_many_arguments)]
pub fn cmp_pair(
    e: &mut Emit<'_>,
    cc: IntCC,
    a_lo: u32,
    a_hi: u32,
    b_lo: u32,
    b_hi: u32,
    dst: u32,
    tmp: u32,
) {
    let mut b = Vec::new();
    emit_cmp128(&mut b, cc, [a_lo, a_hi, b_lo, b_hi].map(g), g(dst), g(tmp));
    e.put(&b);
}

/// `cmp b, a` for a register or immediate `b`; `test a, a` for 0 (the same flags, shorter).
pub fn cmp(e: &mut Emit<'_>, size: OperandSize, a: u32, rhs: &RegOrImmAlloc) {
    let a = g(a);
    let mut b = Vec::new();
    match *rhs {
        RegOrImmAlloc::Reg(r) => cmp_rr(&mut b, size, a, r),
        // test a, a: the flags of cmp $0, a (CF = OF = 0, ZF/SF/PF of a), shorter.
        RegOrImmAlloc::Imm(0) => test_rr(&mut b, size, a),
        RegOrImmAlloc::Imm(k) => alu_imm(&mut b, 7, size, a, k),
    }
    e.put(&b);
}

/// `test b, a` for a register or immediate `b`.
pub fn test(e: &mut Emit<'_>, size: OperandSize, a: u32, rhs: &RegOrImmAlloc) {
    let a = g(a);
    let mut b = Vec::new();
    match *rhs {
        // TEST r/m, r: 85 /r (84 /r for bytes).
        RegOrImmAlloc::Reg(bb) => {
            let opcode = if size == OperandSize::Size8 {
                0x84
            } else {
                0x85
            };
            emit_modrm(
                &mut b,
                prefixes_for(size),
                rex_for(size, &[a, bb]),
                &[opcode],
                bb.enc(),
                RegMem::Reg(a.enc()),
            );
        }
        // TEST r/m, imm: F7 /0 id (F6 /0 ib for bytes, iw for words).
        RegOrImmAlloc::Imm(k) => {
            let (opcode, bytes) = match size {
                OperandSize::Size8 => (0xf6, 1),
                OperandSize::Size16 => (0xf7, 2),
                _ => (0xf7, 4),
            };
            emit_modrm(
                &mut b,
                prefixes_for(size),
                rex_for(size, &[a]),
                &[opcode],
                0,
                RegMem::Reg(a.enc()),
            );
            emit_imm(&mut b, i64::from(k), bytes);
        }
    }
    e.put(&b);
}

/// `cmp $0, mem`.
pub fn cmp_zero_mem(e: &mut Emit<'_>, size: OperandSize, addr: &AddrAlloc, trap: Option<TrapCode>) {
    let mem = e.amode(addr);
    e.trap_site(trap);
    // CMP r/m, imm8: 80 /7 ib for bytes, 83 /7 ib otherwise.
    let opcode = if size == OperandSize::Size8 {
        0x80
    } else {
        0x83
    };
    let rex = if size == OperandSize::Size64 {
        RexFlags::w()
    } else {
        RexFlags::none()
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes_for(size),
        rex,
        &[opcode],
        7,
        RegMem::Mem(mem),
    );
    b.push(0);
    e.put(&b);
}

/// `add`/`sub` (or `adc`/`sbb` with `carry`) of `src2` into `dst`, for their flags.
pub fn alu_flags(e: &mut Emit<'_>, op: AluOp, size: OperandSize, carry: bool, src2: u32, dst: u32) {
    let (src2, dst) = (g(src2), g(dst));
    let base: u8 = match (carry, op == AluOp::Add) {
        (false, true) => 0x01,
        (false, false) => 0x29,
        (true, true) => 0x11,
        (true, false) => 0x19,
    };
    let opcode = if size == OperandSize::Size8 {
        base - 1
    } else {
        base
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes_for(size),
        rex_for(size, &[src2, dst]),
        &[opcode],
        src2.enc(),
        RegMem::Reg(dst.enc()),
    );
    e.put(&b);
}

/// `bt $0, src` (0F BA /4 ib): CF = bit 0 of src.
pub fn bt0(e: &mut Emit<'_>, src: u32) {
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::none(),
        &[0x0f, 0xba],
        4,
        RegMem::Reg(g(src).enc()),
    );
    b.push(0);
    e.put(&b);
}

/// `setcc; movzbl`.
pub fn setcc(e: &mut Emit<'_>, cc: Cc, dst: u32) {
    let mut b = Vec::new();
    setcc01(&mut b, cc, g(dst));
    e.put(&b);
}

/// `cmovcc t, dst`.
pub fn cmovcc(e: &mut Emit<'_>, cc: Cc, t: u32, dst: u32) {
    let mut b = Vec::new();
    cmov(&mut b, cc, g(t), g(dst));
    e.put(&b);
}

/// `test c, c; cmovnz t, dst`.
pub fn select(e: &mut Emit<'_>, size: OperandSize, c: u32, t: u32, dst: u32) {
    let mut b = Vec::new();
    test_rr(&mut b, size, g(c));
    cmov(&mut b, Cc::Nz, g(t), g(dst));
    e.put(&b);
}

/// `cmp b, a; cmovcc b, a`.
pub fn cmp_cmov_rr(e: &mut Emit<'_>, size: OperandSize, cc: Cc, a: u32, bb: u32) {
    let (a, bb) = (g(a), g(bb));
    let mut b = Vec::new();
    cmp_rr(&mut b, size, a, bb);
    cmov(&mut b, cc, bb, a);
    e.put(&b);
}

/// `add b, dst` then `jnc` over a trapping `ud2`.
pub fn add_jc_trap(e: &mut Emit<'_>, size: OperandSize, src2: u32, dst: u32, code: TrapCode) {
    let (src2, dst) = (g(src2), g(dst));
    let opcode = if size == OperandSize::Size8 {
        0x00
    } else {
        0x01
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes_for(size),
        rex_for(size, &[src2, dst]),
        &[opcode],
        src2.enc(),
        RegMem::Reg(dst.enc()),
    );
    e.put(&b);
    trap_unless(e.buf, 0x73, code); // jnc
}

/// A load into a general register.
pub fn load_rm(
    e: &mut Emit<'_>,
    size: OperandSize,
    signed: bool,
    addr: &AddrAlloc,
    dst: u32,
    trap: Option<TrapCode>,
) {
    let mem = RegMem::Mem(e.amode(addr));
    e.trap_site(trap);
    let (wide, opcode) = extending_move(signed, size);
    let rex = if wide {
        RexFlags::w()
    } else {
        RexFlags::none()
    };
    let mut b = Vec::new();
    emit_modrm(&mut b, NONE, rex, opcode, g(dst).enc(), mem);
    e.put(&b);
}

/// A store of the low `size` bits of `src`.
pub fn store_rm(
    e: &mut Emit<'_>,
    size: OperandSize,
    src: u32,
    addr: &AddrAlloc,
    trap: Option<TrapCode>,
) {
    let (src, mem) = (g(src), RegMem::Mem(e.amode(addr)));
    e.trap_site(trap);
    let opcode = if size == OperandSize::Size8 {
        0x88
    } else {
        0x89
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes_for(size),
        rex_for(size, &[src]),
        &[opcode],
        src.enc(),
        mem,
    );
    e.put(&b);
}

/// `lea` of an `rsp`-relative address.
fn lea_rsp(e: &mut Emit<'_>, disp: i32, dst: u32) {
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x8d],
        g(dst).enc(),
        RegMem::Mem(Amode::ImmReg {
            base: Gpr::RSP,
            disp,
        }),
    );
    e.put(&b);
}

/// The address of `offset` bytes into the stack-slot area.
pub fn stack_addr(e: &mut Emit<'_>, offset: i32, dst: u32) {
    let disp = e.frame.stack_slot_disp(offset);
    lea_rsp(e, disp, dst);
}

/// A stack argument, above the saved rbp and the return address.
pub fn load_stack_arg(e: &mut Emit<'_>, offset: u32, kind: MoveKind, dst: u32) {
    let mem = Amode::ImmReg {
        base: Gpr::RBP,
        disp: 16 + offset as i32,
    };
    let mut b = Vec::new();
    xmm_or_gpr_move(&mut b, kind, dst as u8, mem, false);
    e.put(&b);
}

/// A value from the outgoing-argument area.
pub fn load_outgoing(e: &mut Emit<'_>, offset: u32, kind: MoveKind, dst: u32) {
    let mem = Amode::ImmReg {
        base: Gpr::RSP,
        disp: offset as i32,
    };
    let mut b = Vec::new();
    xmm_or_gpr_move(&mut b, kind, dst as u8, mem, false);
    e.put(&b);
}

/// The address of `offset` bytes into the outgoing-argument area.
pub fn outgoing_addr(e: &mut Emit<'_>, offset: u32, dst: u32) {
    lea_rsp(e, offset as i32, dst);
}

/// An outgoing stack argument.
pub fn store_stack_arg(e: &mut Emit<'_>, offset: u32, kind: MoveKind, src: u32) {
    let mem = Amode::ImmReg {
        base: Gpr::RSP,
        disp: offset as i32,
    };
    let mut b = Vec::new();
    xmm_or_gpr_move(&mut b, kind, src as u8, mem, true);
    e.put(&b);
}

/// An atomic read-modify-write (see `emit_atomic_rmw`).
pub fn atomic_rmw(
    e: &mut Emit<'_>,
    op: AtomicRmwOp,
    size: OperandSize,
    addr: u32,
    operand: u32,
    tmp: u32,
) {
    emit_atomic_rmw(e.buf, op, size, g(addr), g(operand), g(tmp));
}

/// `lock cmpxchg replacement, (addr)`.
pub fn atomic_cas(e: &mut Emit<'_>, size: OperandSize, addr: u32, replacement: u32) {
    let (addr, replacement) = (g(addr), g(replacement));
    let prefixes = Prefixes {
        lock: true,
        ..prefixes_for(size)
    };
    let opcode = if size == OperandSize::Size8 {
        0xb0
    } else {
        0xb1
    };
    let mem = RegMem::Mem(Amode::ImmReg {
        base: addr,
        disp: 0,
    });
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes,
        rex_for(size, &[replacement]),
        &[0x0f, opcode],
        replacement.enc(),
        mem,
    );
    e.put(&b);
}

/// An i128 atomic access (see `emit_atomic128`).
pub fn atomic128(
    e: &mut Emit<'_>,
    op: Atomic128Op,
    addr: u32,
    lo: Option<u32>,
    hi: Option<u32>,
    tmp: Option<u32>,
) {
    emit_atomic128(e.buf, op, g(addr), lo.map(g), hi.map(g), tmp.map(g));
}

/// A frame register, the pinned register or the return address into `dst`.
pub fn frame_reg(e: &mut Emit<'_>, which: FrameRegKind, dst: u32) {
    let dst = g(dst);
    let mut b = Vec::new();
    match which {
        FrameRegKind::Pinned => frame_enc::mov_rr(&mut b, Gpr::R15, dst),
        FrameRegKind::FramePointer => frame_enc::mov_rr(&mut b, Gpr::RBP, dst),
        FrameRegKind::StackPointer => frame_enc::mov_rr(&mut b, Gpr::RSP, dst),
        FrameRegKind::ReturnAddress => emit_modrm(
            &mut b,
            NONE,
            RexFlags::w(),
            &[0x8b],
            dst.enc(),
            RegMem::Mem(Amode::ImmReg {
                base: Gpr::RBP,
                disp: 8,
            }),
        ),
    }
    e.put(&b);
}

/// `mov src, %r15`.
pub fn set_pinned(e: &mut Emit<'_>, src: u32) {
    let mut b = Vec::new();
    frame_enc::mov_rr(&mut b, g(src), Gpr::R15);
    e.put(&b);
}

/// A symbol's address plus `offset`.
pub fn load_ext_name(
    e: &mut Emit<'_>,
    name: &ExternalName,
    offset: i64,
    colocated: bool,
    dst: u32,
) {
    let dst = g(dst);
    let target = RelocTarget::ExternalName(name.clone());
    if e.frame.pic {
        // Colocated: lea name+offset(%rip), dst (REX.W 8D /r, R_X86_64_PC32). Otherwise
        // mov name@GOTPCREL(%rip), dst (REX.W 8B /r), then lea offset(dst), dst.
        // Intel SDM vol. 2, 2.2.1.6 (RIP-relative addressing).
        let rex = 0x48 | ((dst.enc() >> 3) << 2);
        let opcode = if colocated { 0x8d } else { 0x8b };
        e.put(&[rex, opcode, ((dst.enc() & 7) << 3) | 0b101]);
        if colocated {
            e.buf.add_reloc(Reloc::X86PCRel4, target, offset - 4);
        } else {
            e.buf.add_reloc(Reloc::X86GOTPCRel4, target, -4);
        }
        e.put(&[0; 4]);
        if !colocated && offset != 0 {
            // Lowering only allows 32-bit offsets in position-independent code.
            let disp = i32::try_from(offset).expect("a 32-bit symbol offset");
            let mem = RegMem::Mem(Amode::ImmReg { base: dst, disp });
            let mut b = Vec::new();
            emit_modrm(&mut b, NONE, RexFlags::w(), &[0x8d], dst.enc(), mem);
            e.put(&b);
        }
    } else {
        let mut b = Vec::new();
        emit_opcode_reg(&mut b, NONE, RexFlags::w(), 0xb8, dst.enc());
        e.put(&b);
        e.buf.add_reloc(Reloc::Abs8, target, offset);
        e.put(&[0; 8]);
    }
}

/// `lea label(%rip), dst`.
pub fn load_label_addr(e: &mut Emit<'_>, target: usize, dst: u32) {
    let dst = g(dst);
    let rex = 0x48 | ((dst.enc() >> 3) << 2);
    e.put(&[rex, 0x8d, ((dst.enc() & 7) << 3) | 0b101]);
    rel32(e.buf, e.labels[target], -4);
}

/// `jmp` to a block, left out when it follows.
pub fn jmp(e: &mut Emit<'_>, target: usize) {
    if e.next != Some(e.labels[target]) {
        jump(e.buf, &[0xe9], e.labels[target]);
    }
}

/// A conditional branch on the flags of the instruction before.
pub fn jcc(e: &mut Emit<'_>, cond: BranchCond, taken: usize, not_taken: usize) {
    let (taken, not_taken) = (e.labels[taken], e.labels[not_taken]);
    match cond {
        BranchCond::Cc { cc } => branch(e.buf, cc, taken, not_taken, e.next),
        // Equal: ZF set and PF clear (unordered sets both).
        BranchCond::FloatEq => {
            jump(e.buf, &[0x0f, 0x80 | Cc::P as u8], not_taken);
            jump(e.buf, &[0x0f, 0x80 | Cc::Z as u8], taken);
            if e.next != Some(not_taken) {
                jump(e.buf, &[0xe9], not_taken);
            }
        }
        // Not equal: ZF clear, or PF set.
        BranchCond::FloatNe => {
            jump(e.buf, &[0x0f, 0x80 | Cc::P as u8], taken);
            jump(e.buf, &[0x0f, 0x80 | Cc::Nz as u8], taken);
            if e.next != Some(not_taken) {
                jump(e.buf, &[0xe9], not_taken);
            }
        }
    }
}

/// A jump table (see `emit_jmp_table`).
pub fn jmp_table(
    e: &mut Emit<'_>,
    idx: u32,
    tmp1: u32,
    tmp2: u32,
    default: usize,
    targets: &[usize],
) {
    let targets: Vec<MachLabel> = targets.iter().map(|&t| e.labels[t]).collect();
    let default = e.labels[default];
    emit_jmp_table(e.buf, g(idx), g(tmp1), g(tmp2), default, &targets);
}

/// `ud2` with a trap record.
pub fn trap(e: &mut Emit<'_>, code: TrapCode) {
    encode::trap(e.buf, code);
}

/// `test c, c`, then a trapping `ud2` unless the condition fails.
pub fn trap_if(e: &mut Emit<'_>, nonzero: bool, size: OperandSize, c: u32, code: TrapCode) {
    let mut b = Vec::new();
    test_rr(&mut b, size, g(c));
    e.put(&b);
    // trapnz skips the ud2 on zero (jz), trapz on non-zero (jnz).
    trap_unless(e.buf, if nonzero { 0x74 } else { 0x75 }, code);
}

/// `call rel32` with a PLT relocation.
fn call_rel32(e: &mut Emit<'_>, opcode: u8, dest: &ExternalName) {
    e.put(&[opcode]);
    e.buf.add_reloc(
        Reloc::X86CallPLTRel4,
        RelocTarget::ExternalName(dest.clone()),
        -4,
    );
    e.put(&[0; 4]);
}

/// `call *callee` (FF /2).
fn call_reg(e: &mut Emit<'_>, callee: u32) {
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::none(),
        &[0xff],
        2,
        RegMem::Reg(g(callee).enc()),
    );
    e.put(&b);
}

/// What follows every call: its call site, its stack map, and `rsp` restored after a
/// callee that popped its stack arguments.
fn after_call(e: &mut Emit<'_>, info: &CallInfo) {
    e.buf.add_call_site();
    record_stack_map(e.buf, e.frame, info);
    undo_callee_pop(e.buf, info);
}

/// A direct call.
pub fn call_known(e: &mut Emit<'_>, dest: &ExternalName, info: &CallInfo) {
    call_rel32(e, 0xe8, dest);
    after_call(e, info);
}

/// An indirect call.
pub fn call_unknown(e: &mut Emit<'_>, callee: u32, info: &CallInfo) {
    call_reg(e, callee);
    after_call(e, info);
}

/// The jump of a direct tail call.
pub fn return_call_known(e: &mut Emit<'_>, dest: &ExternalName) {
    call_rel32(e, 0xe9, dest);
}

/// `jmp *%r11`, the jump of an indirect tail call.
pub fn return_call_unknown(e: &mut Emit<'_>) {
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::none(),
        &[0xff],
        4,
        RegMem::Reg(Gpr::R11.enc()),
    );
    e.put(&b);
}

/// A call with exception handlers, then a jump to the normal return unless it follows.
pub fn try_call(
    e: &mut Emit<'_>,
    dest: Option<&ExternalName>,
    callee: Option<u32>,
    info: &CallInfo,
    normal: usize,
    handlers: &[usize],
    tags: &[Option<u32>],
) {
    match (dest, callee) {
        (Some(name), _) => call_rel32(e, 0xe8, name),
        (None, Some(r)) => call_reg(e, r),
        (None, None) => unreachable!("a call has a callee"),
    }
    let table = tags
        .iter()
        .zip(handlers)
        .map(|(&tag, &h)| (tag, e.labels[h]))
        .collect();
    e.buf.add_try_call_site(table);
    record_stack_map(e.buf, e.frame, info);
    undo_callee_pop(e.buf, info);
    if e.next != Some(e.labels[normal]) {
        jump(e.buf, &[0xe9], e.labels[normal]);
    }
}

/// A stack switch (see the table's `stack_switch`): the new context is read before the
/// current one is written, so both pointers may be the same.
pub fn stack_switch(e: &mut Emit<'_>) {
    e.put(&[
        0x48, 0x8b, 0x02, // mov (%rdx), %rax: the new stack pointer
        0x48, 0x8b, 0x4a, 0x08, // mov 8(%rdx), %rcx: the new frame pointer
        0x4c, 0x8b, 0x42, 0x10, // mov 16(%rdx), %r8: where to go
        0x48, 0x89, 0x26, // mov %rsp, (%rsi)
        0x48, 0x89, 0x6e, 0x08, // mov %rbp, 8(%rsi)
        0x4c, 0x8d, 0x0d, 13, 0, 0, 0, // lea resume(%rip), %r9 (13 bytes on)
        0x4c, 0x89, 0x4e, 0x10, // mov %r9, 16(%rsi)
        0x48, 0x89, 0xc4, // mov %rax, %rsp
        0x48, 0x89, 0xcd, // mov %rcx, %rbp
        0x41, 0xff, 0xe0, // jmp *%r8
    ]);
    // resume: whoever switches back to the stored context lands here.
}

/// The general-dynamic TLS sequence: the padded `lea` of the symbol's GOT entry pair into
/// rdi and `call __tls_get_addr@PLT`, in the form linkers relax.
pub fn elf_tls_get_addr(e: &mut Emit<'_>, symbol: &ExternalName) {
    e.put(&[0x66, 0x48, 0x8d, 0x3d]);
    e.buf.add_reloc(
        Reloc::ElfX86_64TlsGd,
        RelocTarget::ExternalName(symbol.clone()),
        -4,
    );
    e.put(&[0; 4]);
    e.put(&[0x66, 0x66, 0x48, 0xe8]);
    let tls_get_addr = crate::ir::ExternalName::LibCall(crate::ir::LibCall::ElfTlsGetAddr);
    e.buf.add_reloc(
        Reloc::X86CallPLTRel4,
        RelocTarget::ExternalName(tls_get_addr),
        -4,
    );
    e.put(&[0; 4]);
    e.buf.add_call_site();
}

/// Records the user stack map of the call just emitted: offsets in the stack-slot area
/// become offsets from `rsp` at the call.
fn record_stack_map(buf: &mut MachBuffer<Rel32>, frame: &Frame, info: &super::CallInfo) {
    buf.set_stack_map(&info.stack_map, frame.stack_slot_disp(0) as u32);
}

/// After a call to a `tail` function, which popped its stack arguments: `sub $n, %rsp`
/// puts `rsp` back at the bottom of the outgoing area.
fn undo_callee_pop(buf: &mut MachBuffer<Rel32>, info: &super::CallInfo) {
    let mut b = Vec::new();
    frame_enc::adjust_rsp(&mut b, info.callee_pop, true);
    buf.put_data(&b);
}
