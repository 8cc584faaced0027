//! Emission of x86-64 instructions after register allocation: each instruction with its
//! allocated registers and the moves regalloc2 inserted (the frame is in `frame.rs`).

use super::args::{Amode, OperandSize, RegMem};
use super::emit_frame::{emit_frame_inst, mov_rr};
use super::encode::{
    NONE, Prefixes, Rel32, RexFlags, emit_imm, emit_modrm, emit_opcode_reg, gpr, jump, rel32, trap,
    trap_unless, xmm, xmm_or_gpr_move,
};
use super::frame::Frame;
use super::regs::Gpr;
use super::{AluOp, BitCountOp, BranchCond, Cc, FrameRegKind, Inst, MoveKind, RegOrImm, UnaryOp};
use crate::ir::TrapCode;
use crate::machinst::buffer::{MachBuffer, MachLabel, RelocTarget};
use crate::machinst::reloc::Reloc;
use alloc::vec::Vec;
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
            (Some(_), Some(_), _, _) => super::emit_float::movaps(&mut b, xmm(from), xmm(to)),
            // Spill slots of float registers are 16 bytes: all of an f128 survives.
            (Some(_), None, _, Some(slot)) => xmm_or_gpr_move(
                &mut b,
                MoveKind::V128,
                from,
                frame.slot_amode(slot.index()),
                true,
            ),
            (None, Some(_), Some(slot), _) => xmm_or_gpr_move(
                &mut b,
                MoveKind::V128,
                to,
                frame.slot_amode(slot.index()),
                false,
            ),
            _ => unreachable!("regalloc2 never moves stack to stack"),
        }
        buf.put_data(&b);
        return;
    }
    match (from.as_reg(), to.as_reg(), from.as_stack(), to.as_stack()) {
        (Some(_), Some(_), _, _) => mov_rr(&mut b, gpr(from), gpr(to)),
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
            mov_rr(b, a_lo, tmp);
            emit_modrm(
                b,
                NONE,
                RexFlags::w(),
                &[0x31],
                b_lo.enc(),
                RegMem::Reg(tmp.enc()),
            );
            mov_rr(b, a_hi, dst);
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
            mov_rr(b, x_hi, tmp);
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
            mov_rr(&mut b, operand, Gpr::RAX);
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
            mov_rr(&mut b, Gpr::RAX, tmp);
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
                    cmp(&mut b, size, tmp, operand);
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
                mov_rr(&mut b, lo, Gpr::RBX);
                mov_rr(&mut b, hi, Gpr::RCX);
            }
            buf.put_data(&b);
            let again = buf.get_label();
            buf.bind_label(again);
            let mut b = Vec::new();
            if let Op::Rmw(rmw) = op {
                mov_rr(&mut b, Gpr::RAX, Gpr::RBX);
                mov_rr(&mut b, Gpr::RDX, Gpr::RCX);
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
                        mov_rr(&mut b, lo, Gpr::RBX);
                        mov_rr(&mut b, hi, Gpr::RCX);
                    }
                    Umin | Umax | Smin | Smax => {
                        // Flags of old - operand over 128 bits: cmp the low halves, then
                        // sbb the high ones in a scratch copy.
                        let tmp = tmp.expect("a scratch register");
                        alu(&mut b, 0x39, lo, Gpr::RBX);
                        mov_rr(&mut b, Gpr::RCX, tmp);
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
fn test(b: &mut Vec<u8>, size: OperandSize, r: Gpr) {
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
fn cmp(buf: &mut Vec<u8>, size: OperandSize, a: Gpr, b: Gpr) {
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

/// `cmp b, a` for a register or immediate `b` (allocated registers in `allocs`, `a`
/// first); returns how many allocations it read.
fn cmp_operands(
    buf: &mut Vec<u8>,
    size: OperandSize,
    b: &RegOrImm,
    allocs: &[Allocation],
) -> usize {
    let a = gpr(allocs[0]);
    match *b {
        RegOrImm::Reg(_) => {
            cmp(buf, size, a, gpr(allocs[1]));
            2
        }
        RegOrImm::Imm(0) => {
            // test a, a: the flags of cmp $0, a (CF = OF = 0, ZF/SF/PF of a), shorter.
            test(buf, size, a);
            1
        }
        RegOrImm::Imm(k) => {
            alu_imm(buf, 7, size, a, k);
            1
        }
    }
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
    test(&mut b, size, divisor);
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
    buf.align_to(4);
    buf.bind_label(table);
    for (i, &target) in targets.iter().enumerate() {
        rel32(buf, target, 4 * i as i32);
    }
}

/// Emits `inst` with its allocations (in `get_operands` order). `labels` are the blocks'
/// labels (a block that only jumps elsewhere has its destination's label) and `next` the
/// label of the code emitted after this block, so jumps to it fall through.
pub fn emit_inst(
    inst: &Inst,
    allocs: &[Allocation],
    buf: &mut MachBuffer<Rel32>,
    labels: &[MachLabel],
    next: Option<MachLabel>,
    frame: &Frame,
) {
    if super::emit_float::emit_float(inst, allocs, buf, frame) {
        return;
    }
    let mut b = Vec::new();
    match inst {
        Inst::Args { .. } => {}
        // The epilogue is emitted before (see `gen_teardown`).
        Inst::Rets { .. } => {
            if frame.callee_pop == 0 {
                b.push(0xc3);
            } else {
                // ret imm16 (C2 iw): also pops the incoming stack arguments.
                let n = u16::try_from(frame.callee_pop).expect("stack arguments below 64 KiB");
                b.push(0xc2);
                b.extend_from_slice(&n.to_le_bytes());
            }
        }
        Inst::Frame { inst } => {
            emit_frame_inst(inst, buf);
            return;
        }
        Inst::MovRR { .. } => {
            let (src, dst) = (gpr(allocs[0]), gpr(allocs[1]));
            if src != dst {
                mov_rr(&mut b, src, dst);
            }
        }
        Inst::Imm { value, .. } => {
            let dst = gpr(allocs[0]);
            if *value == 0 {
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
            } else if *value <= u32::MAX as u64 {
                // mov $imm32, %r32 (B8+rd id) zero-extends into the full register.
                emit_opcode_reg(&mut b, NONE, RexFlags::none(), 0xb8, dst.enc());
                emit_imm(&mut b, *value as i64, 4);
            } else if i32::try_from(*value as i64).is_ok() {
                // mov $simm32, %r64 (REX.W C7 /0 id) sign-extends.
                emit_modrm(
                    &mut b,
                    NONE,
                    RexFlags::w(),
                    &[0xc7],
                    0,
                    RegMem::Reg(dst.enc()),
                );
                emit_imm(&mut b, *value as i64, 4);
            } else {
                emit_opcode_reg(&mut b, NONE, RexFlags::w(), 0xb8, dst.enc());
                emit_imm(&mut b, *value as i64, 8);
            }
        }
        Inst::AluRR { size, .. } if inst.is_three_operand_add() => {
            let (src1, src2, dst) = (gpr(allocs[0]), gpr(allocs[1]), gpr(allocs[2]));
            // `add` when the result may overwrite an operand (the shorter encoding).
            let other = if dst == src1 {
                Some(src2)
            } else if dst == src2 {
                Some(src1)
            } else {
                None
            };
            match other {
                Some(src) => emit_modrm(
                    &mut b,
                    NONE,
                    rex_for(*size, &[src, dst]),
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
                    lea(
                        &mut b,
                        *size,
                        Amode::ImmRegRegShift {
                            base,
                            index,
                            shift: 0,
                            disp: 0,
                        },
                        dst,
                    );
                }
            }
        }
        Inst::AluRI { op, size, imm, .. }
            if inst.is_three_operand_add() && allocs[0] != allocs[1] =>
        {
            let disp = if *op == AluOp::Sub { -*imm } else { *imm };
            let base = gpr(allocs[0]);
            lea(&mut b, *size, Amode::ImmReg { base, disp }, gpr(allocs[1]));
        }
        Inst::AluRR { op, size, .. } => {
            let (src2, dst) = (gpr(allocs[1]), gpr(allocs[2]));
            // ADD 01, OR 09, AND 21, SUB 29, XOR 31 (r/m, r); byte forms one less.
            let base: u8 = match op {
                AluOp::Add => 0x01,
                AluOp::Or => 0x09,
                AluOp::And => 0x21,
                AluOp::Sub => 0x29,
                AluOp::Xor => 0x31,
            };
            let opcode = if *size == OperandSize::Size8 {
                base - 1
            } else {
                base
            };
            emit_modrm(
                &mut b,
                prefixes_for(*size),
                rex_for(*size, &[src2, dst]),
                &[opcode],
                src2.enc(),
                RegMem::Reg(dst.enc()),
            );
        }
        Inst::AluRM {
            op,
            size,
            addr,
            trap,
            ..
        } => {
            let n = addr.num_regs();
            let (mem, dst) = (frame.amode(addr, &allocs[1..1 + n]), gpr(allocs[1 + n]));
            if let Some(code) = trap {
                buf.add_trap(*code);
            }
            // ADD 03, OR 0B, AND 23, SUB 2B, XOR 33 (r, r/m); IMUL 0F AF (r, r/m).
            let opcode: &[u8] = match op {
                Some(AluOp::Add) => &[0x03],
                Some(AluOp::Or) => &[0x0b],
                Some(AluOp::And) => &[0x23],
                Some(AluOp::Sub) => &[0x2b],
                Some(AluOp::Xor) => &[0x33],
                None => &[0x0f, 0xaf],
            };
            emit_modrm(
                &mut b,
                NONE,
                rex_for(*size, &[dst]),
                opcode,
                dst.enc(),
                RegMem::Mem(mem),
            );
        }
        Inst::ImulRI { size, imm, .. } => {
            let (src, dst) = (gpr(allocs[0]), gpr(allocs[1]));
            // IMUL r, r/m, imm8 (6B /r ib) or imm32 (69 /r id): Intel SDM vol. 2, IMUL.
            let size = if *size == OperandSize::Size64 {
                OperandSize::Size64
            } else {
                OperandSize::Size32
            };
            let short = i8::try_from(*imm).is_ok();
            emit_modrm(
                &mut b,
                prefixes_for(size),
                rex_for(size, &[]),
                &[if short { 0x6b } else { 0x69 }],
                dst.enc(),
                RegMem::Reg(src.enc()),
            );
            emit_imm(&mut b, i64::from(*imm), if short { 1 } else { 4 });
        }
        Inst::Imul { size, .. } => {
            let (src2, dst) = (gpr(allocs[1]), gpr(allocs[2]));
            // IMUL r, r/m (0F AF /r); there is no 8-bit form, so 8-bit multiplies use
            // the 32-bit one (the low byte of the product is the same).
            let size = if *size == OperandSize::Size8 {
                OperandSize::Size32
            } else {
                *size
            };
            emit_modrm(
                &mut b,
                prefixes_for(size),
                rex_for(size, &[]),
                &[0x0f, 0xaf],
                dst.enc(),
                RegMem::Reg(src2.enc()),
            );
        }
        Inst::Cmp { size, b: rhs, .. } => {
            cmp_operands(&mut b, *size, rhs, allocs);
        }
        Inst::Setcc { cc, .. } => setcc01(&mut b, *cc, gpr(allocs[0])),
        Inst::AluRI { op, size, imm, .. } => {
            let digit = match op {
                AluOp::Add => 0,
                AluOp::Or => 1,
                AluOp::And => 4,
                AluOp::Sub => 5,
                AluOp::Xor => 6,
            };
            alu_imm(&mut b, digit, *size, gpr(allocs[1]), *imm);
        }
        Inst::Unary { op, size, .. } => {
            let dst = gpr(allocs[1]);
            let digit = match op {
                UnaryOp::Not => 2,
                UnaryOp::Neg => 3,
            };
            unary(&mut b, *size, digit, dst);
        }
        Inst::LeaScaled { size, shift, .. } => {
            let (base, index, dst) = (gpr(allocs[0]), gpr(allocs[1]), gpr(allocs[2]));
            let mem = Amode::ImmRegRegShift {
                base,
                index,
                shift: *shift,
                disp: 0,
            };
            lea(&mut b, *size, mem, dst);
        }
        Inst::ShiftX { op, size, .. } => {
            let (src, amount, dst) = (gpr(allocs[0]), gpr(allocs[1]), gpr(allocs[2]));
            let pp = match op {
                super::ShiftOp::Shl => 0b01,
                super::ShiftOp::Sar => 0b10,
                super::ShiftOp::Shr => 0b11,
                _ => unreachable!("no BMI2 form of rotates by a register"),
            };
            // Three-byte VEX: inverted R (ModRM.reg = dst), X, B (ModRM.rm = src), map
            // 0F38; W, inverted vvvv (the amount), L=0, pp.
            let inv = |bit: u8| !bit & 1;
            b.push(0xc4);
            b.push((inv(dst.enc() >> 3) << 7) | (1 << 6) | (inv(src.enc() >> 3) << 5) | 0b00010);
            let w = u8::from(*size == OperandSize::Size64);
            b.push((w << 7) | ((!amount.enc() & 0xf) << 3) | pp);
            b.push(0xf7);
            b.push(0xc0 | ((dst.enc() & 7) << 3) | (src.enc() & 7));
        }
        Inst::Shift { op, size, .. } => {
            let dst = gpr(allocs[2]);
            let opcode = if *size == OperandSize::Size8 {
                0xd2
            } else {
                0xd3
            };
            emit_modrm(
                &mut b,
                prefixes_for(*size),
                rex_for(*size, &[dst]),
                &[opcode],
                *op as u8,
                RegMem::Reg(dst.enc()),
            );
        }
        Inst::Extend { signed, from, .. } => {
            let (src, dst) = (gpr(allocs[0]), gpr(allocs[1]));
            let (wide, opcode) = extending_move(*signed, *from);
            // A byte source in sil/dil/spl/bpl needs a REX prefix.
            let rex = if wide {
                RexFlags::w()
            } else if *from == OperandSize::Size8 {
                RexFlags::for_byte_regs(&[src])
            } else {
                RexFlags::none()
            };
            emit_modrm(&mut b, NONE, rex, opcode, dst.enc(), RegMem::Reg(src.enc()));
        }
        Inst::Select { size, .. } => {
            let (c, t, dst) = (gpr(allocs[1]), gpr(allocs[2]), gpr(allocs[3]));
            test(&mut b, *size, c);
            cmov(&mut b, Cc::Nz, t, dst);
        }
        Inst::Ucomis { double, .. } => {
            super::emit_float::ucomis_into(&mut b, *double, xmm(allocs[0]), xmm(allocs[1]));
        }
        Inst::Cmov { cc, .. } => {
            // Operands: f, t, dst (= f).
            cmov(&mut b, *cc, gpr(allocs[1]), gpr(allocs[2]));
        }
        Inst::CmpCmov { size, cc, .. } => {
            let (a, bb) = (gpr(allocs[0]), gpr(allocs[1]));
            cmp(&mut b, *size, a, bb);
            cmov(&mut b, *cc, bb, a);
        }
        Inst::Abs { size, .. } => {
            let (src, dst) = (gpr(allocs[0]), gpr(allocs[1]));
            mov_rr(&mut b, src, dst);
            unary(&mut b, *size, 3, dst);
            cmov(&mut b, Cc::S, src, dst);
        }
        Inst::Div {
            signed,
            size,
            narrow,
            quotient_wanted,
            ..
        } => {
            let divisor = gpr(allocs[1]);
            emit_div(
                buf,
                *signed,
                *size,
                (*quotient_wanted).then_some(*narrow),
                divisor,
            );
            return;
        }
        Inst::Load {
            size,
            signed,
            addr,
            trap,
            ..
        } => {
            let n = addr.num_regs();
            let (mem, dst) = (RegMem::Mem(frame.amode(addr, allocs)), gpr(allocs[n]));
            if let Some(code) = trap {
                buf.add_trap(*code);
            }
            let (wide, opcode) = extending_move(*signed, *size);
            let rex = if wide {
                RexFlags::w()
            } else {
                RexFlags::none()
            };
            emit_modrm(&mut b, NONE, rex, opcode, dst.enc(), mem);
        }
        Inst::Store {
            size, addr, trap, ..
        } => {
            let (src, mem) = (gpr(allocs[0]), RegMem::Mem(frame.amode(addr, &allocs[1..])));
            if let Some(code) = trap {
                buf.add_trap(*code);
            }
            let opcode = if *size == OperandSize::Size8 {
                0x88
            } else {
                0x89
            };
            emit_modrm(
                &mut b,
                prefixes_for(*size),
                rex_for(*size, &[src]),
                &[opcode],
                src.enc(),
                mem,
            );
        }
        Inst::StackAddr { offset, .. } => {
            let dst = gpr(allocs[0]);
            let disp = frame.stack_slot_disp(*offset);
            emit_modrm(
                &mut b,
                NONE,
                RexFlags::w(),
                &[0x8d],
                dst.enc(),
                RegMem::Mem(Amode::ImmReg {
                    base: Gpr::RSP,
                    disp,
                }),
            );
        }
        Inst::ShiftRI { op, size, imm, .. } => {
            let dst = gpr(allocs[1]);
            let opcode = if *size == OperandSize::Size8 {
                0xc0
            } else {
                0xc1
            };
            emit_modrm(
                &mut b,
                prefixes_for(*size),
                rex_for(*size, &[dst]),
                &[opcode],
                *op as u8,
                RegMem::Reg(dst.enc()),
            );
            b.push(*imm);
        }
        Inst::BitCount { op, size, .. } => {
            let (src, dst) = (gpr(allocs[0]), gpr(allocs[1]));
            let opcode = match op {
                BitCountOp::Lzcnt => 0xbd,
                BitCountOp::Tzcnt => 0xbc,
                BitCountOp::Popcnt => 0xb8,
            };
            let prefixes = Prefixes {
                rep: Some(0xf3),
                ..NONE
            };
            emit_modrm(
                &mut b,
                prefixes,
                rex_for(*size, &[]),
                &[0x0f, opcode],
                dst.enc(),
                RegMem::Reg(src.enc()),
            );
        }
        Inst::BitScan { leading, bits, .. } => {
            let (src, tmp, dst) = (gpr(allocs[0]), gpr(allocs[1]), gpr(allocs[2]));
            // tmp = the answer for zero; dst = bit index (ZF set if src is zero).
            let zero_answer: i64 = if *leading { -1 } else { *bits as i64 };
            emit_modrm(
                &mut b,
                NONE,
                RexFlags::w(),
                &[0xc7],
                0,
                RegMem::Reg(tmp.enc()),
            );
            emit_imm(&mut b, zero_answer, 4);
            let opcode = if *leading { 0xbd } else { 0xbc };
            emit_modrm(
                &mut b,
                NONE,
                RexFlags::w(),
                &[0x0f, opcode],
                dst.enc(),
                RegMem::Reg(src.enc()),
            );
            cmov(&mut b, Cc::Z, tmp, dst);
            if *leading {
                // leading zeros = bits - 1 - index (index -1 for zero gives bits).
                emit_modrm(
                    &mut b,
                    NONE,
                    RexFlags::w(),
                    &[0xc7],
                    0,
                    RegMem::Reg(tmp.enc()),
                );
                emit_imm(&mut b, *bits as i64 - 1, 4);
                emit_modrm(
                    &mut b,
                    NONE,
                    RexFlags::w(),
                    &[0x29],
                    dst.enc(),
                    RegMem::Reg(tmp.enc()),
                );
                mov_rr(&mut b, tmp, dst);
            }
        }
        Inst::Bswap { size, .. } => {
            let dst = gpr(allocs[1]);
            if *size == OperandSize::Size16 {
                emit_modrm(
                    &mut b,
                    prefixes_for(*size),
                    RexFlags::none(),
                    &[0xc1],
                    0,
                    RegMem::Reg(dst.enc()),
                );
                b.push(8);
            } else {
                emit_opcode_reg(&mut b, NONE, rex_for(*size, &[]), 0xc8, dst.enc());
                let at = b.len() - 1;
                // BSWAP's opcode byte follows 0F.
                b.insert(at, 0x0f);
            }
        }
        Inst::Bmask { size, .. } => {
            let (src, dst) = (gpr(allocs[0]), gpr(allocs[1]));
            mov_rr(&mut b, src, dst);
            unary(&mut b, *size, 3, dst); // neg: CF = (src != 0)
            emit_modrm(
                &mut b,
                NONE,
                RexFlags::w(),
                &[0x19],
                dst.enc(),
                RegMem::Reg(dst.enc()),
            ); // sbb
        }
        Inst::MulWide { signed, size, .. } => {
            let bb = gpr(allocs[1]);
            unary(&mut b, *size, if *signed { 5 } else { 4 }, bb);
            if let Some(o) = allocs.get(4) {
                setcc01(&mut b, Cc::O, gpr(*o));
            }
        }
        Inst::AluFlags { op, size, .. } | Inst::AluCarry { op, size, .. } => {
            let (src2, dst) = (gpr(allocs[1]), gpr(allocs[2]));
            let base: u8 = match (inst, *op == AluOp::Add) {
                (Inst::AluFlags { .. }, true) => 0x01,
                (Inst::AluFlags { .. }, false) => 0x29,
                (_, true) => 0x11,
                (_, false) => 0x19,
            };
            let opcode = if *size == OperandSize::Size8 {
                base - 1
            } else {
                base
            };
            emit_modrm(
                &mut b,
                prefixes_for(*size),
                rex_for(*size, &[src2, dst]),
                &[opcode],
                src2.enc(),
                RegMem::Reg(dst.enc()),
            );
        }
        Inst::Bt0 { .. } => {
            // bt $0, src (0F BA /4 ib): CF = bit 0 of src.
            emit_modrm(
                &mut b,
                NONE,
                RexFlags::none(),
                &[0x0f, 0xba],
                4,
                RegMem::Reg(gpr(allocs[0]).enc()),
            );
            b.push(0);
        }
        Inst::AddTrap { size, code, .. } => {
            let (src2, dst) = (gpr(allocs[1]), gpr(allocs[2]));
            let opcode = if *size == OperandSize::Size8 {
                0x00
            } else {
                0x01
            };
            emit_modrm(
                &mut b,
                prefixes_for(*size),
                rex_for(*size, &[src2, dst]),
                &[opcode],
                src2.enc(),
                RegMem::Reg(dst.enc()),
            );
            buf.put_data(&b);
            trap_unless(buf, 0x73, *code); // jnc
            return;
        }
        Inst::Debugtrap => b.push(0xcc),
        Inst::SetPinned { .. } => mov_rr(&mut b, gpr(allocs[0]), Gpr::R15),
        Inst::Mfence => b.extend_from_slice(&[0x0f, 0xae, 0xf0]),
        Inst::AtomicRmw { op, size, .. } => {
            let (addr, operand, tmp) = (gpr(allocs[0]), gpr(allocs[1]), gpr(allocs[2]));
            emit_atomic_rmw(buf, *op, *size, addr, operand, tmp);
            return;
        }
        Inst::Atomic128 { op, src, tmp, .. } => {
            let addr = gpr(allocs[0]);
            let (lo, hi) = match src {
                Some(_) if !matches!(op, super::Atomic128Op::Cas) => {
                    (Some(gpr(allocs[1])), Some(gpr(allocs[2])))
                }
                _ => (None, None),
            };
            let tmp = tmp.map(|_| gpr(allocs[3]));
            emit_atomic128(buf, *op, addr, lo, hi, tmp);
            return;
        }
        Inst::AtomicCas { size, .. } => {
            let (addr, replacement) = (gpr(allocs[0]), gpr(allocs[2]));
            let prefixes = Prefixes {
                lock: true,
                ..prefixes_for(*size)
            };
            let opcode = if *size == OperandSize::Size8 {
                0xb0
            } else {
                0xb1
            };
            let mem = RegMem::Mem(Amode::ImmReg {
                base: addr,
                disp: 0,
            });
            emit_modrm(
                &mut b,
                prefixes,
                rex_for(*size, &[replacement]),
                &[0x0f, opcode],
                replacement.enc(),
                mem,
            );
        }
        Inst::Trap { code } => {
            trap(buf, *code);
            return;
        }
        Inst::TrapIf {
            nonzero,
            size,
            code,
            ..
        } => {
            let c = gpr(allocs[0]);
            test(&mut b, *size, c);
            buf.put_data(&b);
            // trapnz skips the ud2 on zero (jz), trapz on non-zero (jnz).
            trap_unless(buf, if *nonzero { 0x74 } else { 0x75 }, *code);
            return;
        }
        Inst::JmpTable {
            default, targets, ..
        } => {
            let (idx, t1, t2) = (gpr(allocs[0]), gpr(allocs[1]), gpr(allocs[2]));
            let targets: Vec<MachLabel> = targets.iter().map(|&t| labels[t]).collect();
            emit_jmp_table(buf, idx, t1, t2, labels[*default], &targets);
            return;
        }
        Inst::XmmRR { .. }
        | Inst::XmmUnary { .. }
        | Inst::GprToXmm { .. }
        | Inst::XmmConst { .. }
        | Inst::Pshuf { .. }
        | Inst::Pextrw { .. }
        | Inst::Movmsk { .. }
        | Inst::Pinsrw { .. }
        | Inst::Insert41 { .. }
        | Inst::Packed { .. }
        | Inst::XmmRRR { .. }
        | Inst::Fma { .. }
        | Inst::XmmRM { .. }
        | Inst::XmmToGpr { .. }
        | Inst::CvtIntToFloat { .. }
        | Inst::CvtU64ToFloat { .. }
        | Inst::CvtFloatToInt { .. }
        | Inst::Fcmp { .. }
        | Inst::XmmSelect { .. }
        | Inst::FminMax { .. }
        | Inst::XmmLoad { .. }
        | Inst::XmmStore { .. } => unreachable!("emitted by emit_float"),
        Inst::CallKnown { dest, info } => {
            buf.put1(0xe8);
            buf.add_reloc(
                Reloc::X86CallPLTRel4,
                RelocTarget::ExternalName(dest.clone()),
                -4,
            );
            buf.put_data(&[0; 4]);
            buf.add_call_site();
            record_stack_map(buf, frame, info);
            undo_callee_pop(buf, info);
            return;
        }
        Inst::ElfTlsGetAddr { symbol, .. } => {
            buf.put_data(&[0x66, 0x48, 0x8d, 0x3d]);
            buf.add_reloc(
                Reloc::ElfX86_64TlsGd,
                RelocTarget::ExternalName(symbol.clone()),
                -4,
            );
            buf.put_data(&[0; 4]);
            buf.put_data(&[0x66, 0x66, 0x48, 0xe8]);
            let tls_get_addr = crate::ir::ExternalName::LibCall(crate::ir::LibCall::ElfTlsGetAddr);
            buf.add_reloc(
                Reloc::X86CallPLTRel4,
                RelocTarget::ExternalName(tls_get_addr),
                -4,
            );
            buf.put_data(&[0; 4]);
            buf.add_call_site();
            return;
        }
        Inst::CallUnknown { info, .. } => {
            let callee = gpr(allocs[0]);
            emit_modrm(
                &mut b,
                NONE,
                RexFlags::none(),
                &[0xff],
                2,
                RegMem::Reg(callee.enc()),
            );
            buf.put_data(&b);
            buf.add_call_site();
            record_stack_map(buf, frame, info);
            undo_callee_pop(buf, info);
            return;
        }
        Inst::ReturnCallKnown { dest, .. } => {
            buf.put1(0xe9);
            buf.add_reloc(
                Reloc::X86CallPLTRel4,
                RelocTarget::ExternalName(dest.clone()),
                -4,
            );
            buf.put_data(&[0; 4]);
            return;
        }
        Inst::ReturnCallUnknown { .. } => {
            let mut e = Vec::new();
            emit_modrm(
                &mut e,
                NONE,
                RexFlags::none(),
                &[0xff],
                4,
                RegMem::Reg(Gpr::R11.enc()),
            );
            buf.put_data(&e);
            return;
        }
        Inst::LoadExtName {
            name,
            offset,
            colocated,
            ..
        } if frame.pic => {
            // Colocated: lea name+offset(%rip), dst (REX.W 8D /r, R_X86_64_PC32). Otherwise
            // mov name@GOTPCREL(%rip), dst (REX.W 8B /r), then lea offset(dst), dst.
            // Intel SDM vol. 2, 2.2.1.6 (RIP-relative addressing).
            let dst = gpr(allocs[0]);
            let rex = 0x48 | ((dst.enc() >> 3) << 2);
            let opcode = if *colocated { 0x8d } else { 0x8b };
            buf.put_data(&[rex, opcode, ((dst.enc() & 7) << 3) | 0b101]);
            if *colocated {
                let target = RelocTarget::ExternalName(name.clone());
                buf.add_reloc(Reloc::X86PCRel4, target, offset - 4);
            } else {
                let target = RelocTarget::ExternalName(name.clone());
                buf.add_reloc(Reloc::X86GOTPCRel4, target, -4);
            }
            buf.put_data(&[0; 4]);
            if !*colocated && *offset != 0 {
                // Lowering only allows 32-bit offsets in position-independent code.
                let disp = i32::try_from(*offset).expect("a 32-bit symbol offset");
                let mem = RegMem::Mem(Amode::ImmReg { base: dst, disp });
                emit_modrm(&mut b, NONE, RexFlags::w(), &[0x8d], dst.enc(), mem);
            }
        }
        Inst::LoadExtName { name, offset, .. } => {
            let dst = gpr(allocs[0]);
            emit_opcode_reg(&mut b, NONE, RexFlags::w(), 0xb8, dst.enc());
            buf.put_data(&b);
            buf.add_reloc(
                Reloc::Abs8,
                RelocTarget::ExternalName(name.clone()),
                *offset,
            );
            buf.put_data(&[0; 8]);
            return;
        }
        Inst::FrameReg { which, .. } => {
            let dst = gpr(allocs[0]);
            match which {
                FrameRegKind::Pinned => mov_rr(&mut b, Gpr::R15, dst),
                FrameRegKind::FramePointer => mov_rr(&mut b, Gpr::RBP, dst),
                FrameRegKind::StackPointer => mov_rr(&mut b, Gpr::RSP, dst),
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
        }
        Inst::LoadStackArg { offset, kind, .. } => {
            // Above the saved rbp and the return address.
            let mem = Amode::ImmReg {
                base: Gpr::RBP,
                disp: 16 + *offset as i32,
            };
            xmm_or_gpr_move(&mut b, *kind, allocs[0], mem, false);
        }
        Inst::LoadOutgoing { offset, kind, .. } => {
            let mem = Amode::ImmReg {
                base: Gpr::RSP,
                disp: *offset as i32,
            };
            xmm_or_gpr_move(&mut b, *kind, allocs[0], mem, false);
        }
        Inst::OutgoingAddr { offset, .. } => {
            let mem = Amode::ImmReg {
                base: Gpr::RSP,
                disp: *offset as i32,
            };
            emit_modrm(
                &mut b,
                NONE,
                RexFlags::w(),
                &[0x8d],
                gpr(allocs[0]).enc(),
                RegMem::Mem(mem),
            );
        }
        Inst::StoreStackArg { offset, kind, .. } => {
            let mem = Amode::ImmReg {
                base: Gpr::RSP,
                disp: *offset as i32,
            };
            xmm_or_gpr_move(&mut b, *kind, allocs[0], mem, true);
        }
        Inst::Alu128 { op, .. } => {
            let [a_lo, a_hi, b_lo, b_hi, d_lo, d_hi] = [0, 1, 2, 3, 4, 5].map(|i| gpr(allocs[i]));
            // The results are in registers of their own (early definitions).
            mov_rr(&mut b, a_lo, d_lo);
            mov_rr(&mut b, a_hi, d_hi);
            // add/adc (01, 11) or sub/sbb (29, 19), r/m64 <- r64
            let (lo_op, hi_op) = if *op == AluOp::Add {
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
        }
        Inst::Cmp128 { cc, .. } => {
            let (a_lo, a_hi, b_lo, b_hi) = (
                gpr(allocs[0]),
                gpr(allocs[1]),
                gpr(allocs[2]),
                gpr(allocs[3]),
            );
            let (dst, tmp) = (gpr(allocs[4]), gpr(allocs[5]));
            emit_cmp128(&mut b, *cc, [a_lo, a_hi, b_lo, b_hi], dst, tmp);
        }
        Inst::TryCall {
            dest,
            normal,
            info,
            handlers,
            tags,
            ..
        } => {
            match dest {
                Some(name) => {
                    buf.put1(0xe8);
                    buf.add_reloc(
                        Reloc::X86CallPLTRel4,
                        RelocTarget::ExternalName((**name).clone()),
                        -4,
                    );
                    buf.put_data(&[0; 4]);
                }
                None => {
                    let callee = gpr(allocs[0]);
                    emit_modrm(
                        &mut b,
                        NONE,
                        RexFlags::none(),
                        &[0xff],
                        2,
                        RegMem::Reg(callee.enc()),
                    );
                    buf.put_data(&b);
                }
            }
            let table = tags
                .iter()
                .zip(handlers.iter())
                .map(|(&tag, &h)| (tag, labels[h]))
                .collect();
            buf.add_try_call_site(table);
            record_stack_map(buf, frame, info);
            undo_callee_pop(buf, info);
            if next != Some(labels[*normal]) {
                jump(buf, &[0xe9], labels[*normal]);
            }
            return;
        }
        Inst::LoadLabelAddr { target, .. } => {
            let dst = gpr(allocs[0]);
            let rex = 0x48 | ((dst.enc() >> 3) << 2);
            buf.put_data(&[rex, 0x8d, ((dst.enc() & 7) << 3) | 0b101]);
            rel32(buf, labels[*target], -4);
            return;
        }
        Inst::Jmp { target } => {
            if next != Some(labels[*target]) {
                jump(buf, &[0xe9], labels[*target]);
            }
        }
        Inst::CondBranch {
            flags,
            cond,
            taken,
            not_taken,
        } => {
            emit_inst(flags, allocs, buf, labels, None, frame);
            let (taken, not_taken) = (labels[*taken], labels[*not_taken]);
            match *cond {
                BranchCond::Cc { cc } => branch(buf, cc, taken, not_taken, next),
                // Equal: ZF set and PF clear (unordered sets both).
                BranchCond::FloatEq => {
                    jump(buf, &[0x0f, 0x80 | Cc::P as u8], not_taken);
                    jump(buf, &[0x0f, 0x80 | Cc::Z as u8], taken);
                    if next != Some(not_taken) {
                        jump(buf, &[0xe9], not_taken);
                    }
                }
                // Not equal: ZF clear, or PF set.
                BranchCond::FloatNe => {
                    jump(buf, &[0x0f, 0x80 | Cc::P as u8], taken);
                    jump(buf, &[0x0f, 0x80 | Cc::Nz as u8], taken);
                    if next != Some(not_taken) {
                        jump(buf, &[0xe9], not_taken);
                    }
                }
            }
            return;
        }
        Inst::Test { size, b: rhs, .. } => {
            let a = gpr(allocs[0]);
            match rhs {
                // TEST r/m, r: 85 /r (84 /r for bytes).
                RegOrImm::Reg(_) => {
                    let bb = gpr(allocs[1]);
                    let opcode = if *size == OperandSize::Size8 {
                        0x84
                    } else {
                        0x85
                    };
                    emit_modrm(
                        &mut b,
                        prefixes_for(*size),
                        rex_for(*size, &[a, bb]),
                        &[opcode],
                        bb.enc(),
                        RegMem::Reg(a.enc()),
                    );
                }
                // TEST r/m, imm: F7 /0 id (F6 /0 ib for bytes, iw for words).
                RegOrImm::Imm(k) => {
                    let (opcode, bytes) = match size {
                        OperandSize::Size8 => (0xf6, 1),
                        OperandSize::Size16 => (0xf7, 2),
                        _ => (0xf7, 4),
                    };
                    emit_modrm(
                        &mut b,
                        prefixes_for(*size),
                        rex_for(*size, &[a]),
                        &[opcode],
                        0,
                        RegMem::Reg(a.enc()),
                    );
                    emit_imm(&mut b, i64::from(*k), bytes);
                }
            }
        }
        Inst::CmpZeroMem { size, addr, trap } => {
            let mem = frame.amode(addr, allocs);
            if let Some(code) = trap {
                buf.add_trap(*code);
            }
            // CMP r/m, imm8: 80 /7 ib for bytes, 83 /7 ib otherwise.
            let opcode = if *size == OperandSize::Size8 {
                0x80
            } else {
                0x83
            };
            let rex = if *size == OperandSize::Size64 {
                RexFlags::w()
            } else {
                RexFlags::none()
            };
            emit_modrm(
                &mut b,
                prefixes_for(*size),
                rex,
                &[opcode],
                7,
                RegMem::Mem(mem),
            );
            b.push(0);
        }
    }
    buf.put_data(&b);
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
    super::emit_frame::adjust_rsp(&mut b, info.callee_pop, true);
    buf.put_data(&b);
}
