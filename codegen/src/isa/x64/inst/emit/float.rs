//! Emission of the scalar float instructions (SSE2, and SSE4.1 `round*`; Intel SDM
//! Vol. 2). Sequences with internal branches use buffer labels.

use super::super::args::{Amode, OperandSize, RegMem};
use super::super::encode::{
    NONE, Prefixes, Rel32, RexFlags, emit_imm, emit_modrm, jump, scalar, trap_unless,
    xmm_or_gpr_move,
};
use super::super::regs::{Gpr, Xmm};
use super::super::{
    AddrAlloc, Bits128, Cc, EvexOp, MoveKind, PackedOp, XmmMemAlloc, XmmOp, XmmUnaryOp,
};
use super::{Emit, g};
use crate::ir::{FloatCC, TrapCode};
use crate::machinst::buffer::MachBuffer;
use alloc::vec::Vec;

const P66: Prefixes = Prefixes {
    lock: false,
    operand_size: true,
    rep: None,
};

fn w(wide: bool) -> RexFlags {
    if wide {
        RexFlags::w()
    } else {
        RexFlags::none()
    }
}

/// `op xmm/reg-form`: `[prefix] [REX] 0F op /r` with `reg` the ModR/M reg field.
fn sse(b: &mut Vec<u8>, prefixes: Prefixes, rex: RexFlags, op: u8, reg: u8, rm: u8) {
    emit_modrm(b, prefixes, rex, &[0x0f, op], reg, RegMem::Reg(rm));
}

/// The VEX prefix of an instruction in map 0F with ModRM.reg `reg`, ModRM.rm register
/// `rm` and VEX.vvvv `vvvv`, W=0 and L=0 (Intel SDM vol. 2, 2.3.5): the two-byte form
/// (C5) when `rm` needs no extension bit, else the three-byte form (C4).
fn vex_0f(b: &mut Vec<u8>, pp: u8, reg: Xmm, vvvv: Xmm, rm: Xmm) {
    let r = !(reg.enc() >> 3) & 1;
    let v = !vvvv.enc() & 0xf;
    if rm.enc() < 8 {
        b.push(0xc5);
        b.push((r << 7) | (v << 3) | pp);
    } else {
        b.push(0xc4);
        // X set (no index), B clear (rm is xmm8-15), map 0F.
        b.push((r << 7) | (1 << 6) | 0b00001);
        b.push((v << 3) | pp);
    }
}

/// Puts instruction `b`, whose last field is a RIP-relative displacement of -4 (so it
/// counts from the instruction's end, see `Rel32`), pointing it at a copy of `bytes` in
/// the constant pool (aligned to its size).
fn put_with_constant(buf: &mut MachBuffer<Rel32>, b: &[u8], bytes: &[u8]) {
    let label = buf.register_constant(bytes, bytes.len() as u32);
    buf.put_data(b);
    buf.use_label_at_offset(buf.cur_offset() - 4, label, Rel32);
}

/// The prefixes of an SSE instruction with mandatory prefix `prefix` (66, F2 or F3).
fn mandatory_prefix(prefix: Option<u8>) -> Prefixes {
    match prefix {
        Some(0x66) => P66,
        Some(p) => Prefixes {
            rep: Some(p),
            ..NONE
        },
        None => NONE,
    }
}

/// `movaps src, dst` (0F 28).
pub(super) fn movaps(b: &mut Vec<u8>, src: Xmm, dst: Xmm) {
    if src != dst {
        sse(b, NONE, RexFlags::none(), 0x28, dst.enc(), src.enc());
    }
}

/// `ucomiss`/`ucomisd a, b`: flags of `a - b` (ZF, PF, CF all set when unordered).
fn ucomis_bytes(b: &mut Vec<u8>, double: bool, a: Xmm, bb: Xmm) {
    sse(
        b,
        if double { P66 } else { NONE },
        RexFlags::none(),
        0x2e,
        a.enc(),
        bb.enc(),
    );
}

/// `setcc r8`.
fn setcc(b: &mut Vec<u8>, cc: u8, r: Gpr) {
    emit_modrm(
        b,
        NONE,
        RexFlags::for_byte_regs(&[r]),
        &[0x0f, 0x90 | cc],
        0,
        RegMem::Reg(r.enc()),
    );
}

/// Loads a float constant's bits into `x` through the general register `tmp`.
fn load_const(b: &mut Vec<u8>, double: bool, bits: u64, tmp: Gpr, x: Xmm) {
    // movabs $bits, tmp (REX.W B8+r io)
    super::super::encode::emit_opcode_reg(b, NONE, RexFlags::w(), 0xb8, tmp.enc());
    emit_imm(b, bits as i64, 8);
    // movq/movd tmp, x
    emit_modrm(
        b,
        P66,
        w(double),
        &[0x0f, 0x6e],
        x.enc(),
        RegMem::Reg(tmp.enc()),
    );
}

/// The xmm register numbered `r`.
fn x(r: u32) -> Xmm {
    Xmm::new(r as u8)
}

/// A scalar SSE operation, two-address.
pub fn xmm_rr(e: &mut Emit<'_>, op: XmmOp, double: bool, src2: u32, dst: u32) {
    let (src2, dst) = (x(src2), x(dst));
    let (prefixes, opcode) = match op {
        XmmOp::Add => (scalar(double), 0x58),
        XmmOp::Sub => (scalar(double), 0x5c),
        XmmOp::Mul => (scalar(double), 0x59),
        XmmOp::Div => (scalar(double), 0x5e),
        XmmOp::And => (NONE, 0x54),
        XmmOp::AndNot => (NONE, 0x55),
        XmmOp::Or => (NONE, 0x56),
        XmmOp::Xor => (NONE, 0x57),
        XmmOp::MoveHighToLow => (NONE, 0x12),
        XmmOp::UnpackLowQ => (P66, 0x6c),
    };
    let mut b = Vec::new();
    sse(
        &mut b,
        prefixes,
        RexFlags::none(),
        opcode,
        dst.enc(),
        src2.enc(),
    );
    e.buf.put_data(&b);
}

/// `sqrtss`, `cvtss2sd`/`cvtsd2ss`, `roundss`/`roundsd`.
pub fn xmm_unary(e: &mut Emit<'_>, op: XmmUnaryOp, double: bool, src: u32, dst: u32) {
    let (src, dst) = (x(src), x(dst));
    let mut b = Vec::new();
    match op {
        XmmUnaryOp::Sqrt => sse(
            &mut b,
            scalar(double),
            RexFlags::none(),
            0x51,
            dst.enc(),
            src.enc(),
        ),
        XmmUnaryOp::Convert => sse(
            &mut b,
            scalar(double),
            RexFlags::none(),
            0x5a,
            dst.enc(),
            src.enc(),
        ),
        XmmUnaryOp::Round(mode) => {
            let op = if double { 0x0b } else { 0x0a };
            emit_modrm(
                &mut b,
                P66,
                RexFlags::none(),
                &[0x0f, 0x3a, op],
                dst.enc(),
                RegMem::Reg(src.enc()),
            );
            // Bit 3 suppresses the precision exception.
            b.push(mode | 0x08);
        }
    }
    e.buf.put_data(&b);
}

/// A scalar SSE operation with a memory operand or a pool constant.
pub fn xmm_rm(
    e: &mut Emit<'_>,
    op: XmmOp,
    double: bool,
    src2: &XmmMemAlloc,
    dst: u32,
    trap: Option<TrapCode>,
) {
    let opcode = match op {
        XmmOp::Add => 0x58,
        XmmOp::Sub => 0x5c,
        XmmOp::Mul => 0x59,
        XmmOp::Div => 0x5e,
        _ => unreachable!("only add, sub, mul and div take a memory operand"),
    };
    let (mem, constant) = match src2 {
        XmmMemAlloc::Mem(addr) => (e.frame.amode(addr), None),
        // The displacement is the instruction's last field: -4 makes it count from the
        // instruction's end (see `Rel32`).
        XmmMemAlloc::Const(bits) => (Amode::RipRelative { disp: -4 }, Some(*bits)),
    };
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        scalar(double),
        RexFlags::none(),
        &[0x0f, opcode],
        x(dst).enc(),
        RegMem::Mem(mem),
    );
    match constant {
        Some(bits) => {
            let size = if double { 8 } else { 4 };
            put_with_constant(e.buf, &b, &bits.to_le_bytes()[..size]);
        }
        None => e.buf.put_data(&b),
    }
}

/// A whole-register SSE operation, two-address.
pub fn packed(e: &mut Emit<'_>, op: PackedOp, src2: u32, dst: u32) {
    let (src2, dst) = (x(src2), x(dst));
    let mut b = Vec::new();
    if let PackedOp::Map38 { opcode } = op {
        emit_modrm(
            &mut b,
            P66,
            RexFlags::none(),
            &[0x0f, 0x38, opcode],
            dst.enc(),
            RegMem::Reg(src2.enc()),
        );
    } else {
        let (prefix, opcode) = op.encoding();
        sse(
            &mut b,
            mandatory_prefix(prefix),
            RexFlags::none(),
            opcode,
            dst.enc(),
            src2.enc(),
        );
        if let PackedOp::FCmp { double: _, pred } = op {
            b.push(pred);
        }
    }
    e.buf.put_data(&b);
}

/// The VEX.128 form of `op` (see the table's `packed_vex`): `dst = src1 op src2`.
pub fn packed_vex(e: &mut Emit<'_>, op: PackedOp, src1: u32, src2: u32, dst: u32) {
    let (src1, src2, dst) = (x(src1), x(src2), x(dst));
    let mut b = Vec::new();
    if let PackedOp::Map38 { opcode } = op {
        // Three-byte VEX: inverted R, X, B; map 0F38; W0, inverted vvvv, L=0, pp=01 (66).
        let inv = |bit: u8| !bit & 1;
        b.extend([
            0xc4,
            (inv(dst.enc() >> 3) << 7) | (1 << 6) | (inv(src2.enc() >> 3) << 5) | 0b00010,
            ((!src1.enc() & 0xf) << 3) | 0b01,
            opcode,
        ]);
    } else {
        let (prefix, opcode) = op.encoding();
        let pp = match prefix {
            None => 0b00,
            Some(0x66) => 0b01,
            Some(0xf3) => 0b10,
            Some(0xf2) => 0b11,
            Some(p) => unreachable!("no SSE prefix {p:#x}"),
        };
        vex_0f(&mut b, pp, dst, src1, src2);
        b.push(opcode);
    }
    b.push(0xc0 | ((dst.enc() & 7) << 3) | (src2.enc() & 7));
    if let PackedOp::FCmp { double: _, pred } = op {
        b.push(pred);
    }
    e.buf.put_data(&b);
}

/// The EVEX.128 form of `op` (see the table's `evex_rr`/`evex_r`): `dst = src1 op src2`,
/// or `dst = op src2` without `src1`; xmm0-xmm15 only (R', V' set), unmasked.
pub fn evex(e: &mut Emit<'_>, op: EvexOp, src1: Option<u32>, src2: u32, dst: u32) {
    let (pp, map, w, opcode, _) = op.encoding();
    let (src2, dst) = (x(src2), x(dst));
    let v = src1.map_or(0, |r| x(r).enc());
    let inv = |bit: u8| !bit & 1;
    e.buf.put_data(&[
        0x62,
        // R, X (the rm register's bit 4: 0), B, R' inverted; map.
        (inv(dst.enc() >> 3) << 7) | (1 << 6) | (inv(src2.enc() >> 3) << 5) | (1 << 4) | map,
        (u8::from(w) << 7) | ((!v & 0xf) << 3) | (1 << 2) | pp,
        // z=0, L'L=00 (128 bits), b=0, V' inverted, no mask.
        0b0000_1000,
        opcode,
        0xc0 | ((dst.enc() & 7) << 3) | (src2.enc() & 7),
    ]);
}

/// `pshufd`/`pshuflw $imm`.
pub fn pshuf(e: &mut Emit<'_>, low_words: bool, imm: u8, src: u32, dst: u32) {
    let prefix = if low_words { 0xf2 } else { 0x66 };
    let mut b = Vec::new();
    sse(
        &mut b,
        mandatory_prefix(Some(prefix)),
        RexFlags::none(),
        0x70,
        x(dst).enc(),
        x(src).enc(),
    );
    b.push(imm);
    e.buf.put_data(&b);
}

/// `pmovmskb`/`movmskps`/`movmskpd`.
pub fn movmsk(e: &mut Emit<'_>, lane_bits: u8, src: u32, dst: u32) {
    let (prefixes, opcode) = match lane_bits {
        8 => (P66, 0xd7),
        32 => (NONE, 0x50),
        _ => (P66, 0x50),
    };
    let mut b = Vec::new();
    sse(
        &mut b,
        prefixes,
        RexFlags::none(),
        opcode,
        gpr_enc(dst),
        x(src).enc(),
    );
    e.buf.put_data(&b);
}

/// The encoding of general register `r`.
fn gpr_enc(r: u32) -> u8 {
    g(r).enc()
}

/// `pextrw $lane, src, dst`.
pub fn pextrw(e: &mut Emit<'_>, lane: u8, src: u32, dst: u32) {
    let mut b = Vec::new();
    sse(
        &mut b,
        P66,
        RexFlags::none(),
        0xc5,
        gpr_enc(dst),
        x(src).enc(),
    );
    b.push(lane);
    e.buf.put_data(&b);
}

/// An SSE4.1 instruction of the 66 0F 3A map; `src2` is a general or xmm register by the
/// instruction.
pub fn insert41(e: &mut Emit<'_>, op: u8, wide: bool, imm: u8, src2: u32, dst: u32) {
    let rex = if wide {
        RexFlags::w()
    } else {
        RexFlags::none()
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        P66,
        rex,
        &[0x0f, 0x3a, op],
        x(dst).enc(),
        RegMem::Reg(src2 as u8),
    );
    b.push(imm);
    e.buf.put_data(&b);
}

/// `pinsrw $lane, src2, dst`.
pub fn pinsrw(e: &mut Emit<'_>, lane: u8, src2: u32, dst: u32) {
    let mut b = Vec::new();
    sse(
        &mut b,
        P66,
        RexFlags::none(),
        0xc4,
        x(dst).enc(),
        gpr_enc(src2),
    );
    b.push(lane);
    e.buf.put_data(&b);
}

/// The AVX three-operand form of a scalar operation.
pub fn xmm_rrr(e: &mut Emit<'_>, op: XmmOp, double: bool, src1: u32, src2: u32, dst: u32) {
    let (src1, src2, dst) = (x(src1), x(src2), x(dst));
    // pp: 00 none (ps), 10 F3 (ss), 11 F2 (sd).
    let scalar_pp = if double { 0b11 } else { 0b10 };
    let (pp, opcode) = match op {
        XmmOp::Add => (scalar_pp, 0x58),
        XmmOp::Sub => (scalar_pp, 0x5c),
        XmmOp::Mul => (scalar_pp, 0x59),
        XmmOp::Div => (scalar_pp, 0x5e),
        XmmOp::And => (0b00, 0x54),
        XmmOp::AndNot => (0b00, 0x55),
        XmmOp::Or => (0b00, 0x56),
        XmmOp::Xor => (0b00, 0x57),
        _ => unreachable!("no three-operand form of {op:?}"),
    };
    let mut b = Vec::new();
    vex_0f(&mut b, pp, dst, src1, src2);
    b.push(opcode);
    b.push(0xc0 | ((dst.enc() & 7) << 3) | (src2.enc() & 7));
    e.buf.put_data(&b);
}

/// `vfmadd213` of `dst` (= a), `bb` and `c`.
pub fn vfmadd(e: &mut Emit<'_>, double: bool, packed: bool, bb: u32, c: u32, dst: u32) {
    let (bb, c, dst) = (x(bb), x(c), x(dst));
    // Three-byte VEX: inverted R (ModRM.reg), X, B (ModRM.rm), map 0F38; then W,
    // inverted vvvv (the second source), L=0, pp=01 (66).
    let inv = |bit: u8| !bit & 1;
    e.buf.put_data(&[
        0xc4,
        (inv(dst.enc() >> 3) << 7) | (1 << 6) | (inv(c.enc() >> 3) << 5) | 0b00010,
        (u8::from(double) << 7) | ((!bb.enc() & 0xf) << 3) | 0b01,
        if packed { 0xa8 } else { 0xa9 },
        0xc0 | ((dst.enc() & 7) << 3) | (c.enc() & 7),
    ]);
}

/// A constant from the pool (or the zeroing idiom).
pub fn xmm_const(e: &mut Emit<'_>, kind: MoveKind, bits: Bits128, dst: u32) {
    let bits = bits.get();
    let dst = x(dst);
    let mut b = Vec::new();
    if bits == 0 {
        // xorps dst, dst (0F 57 /r): the zeroing idiom.
        emit_modrm(
            &mut b,
            NONE,
            RexFlags::none(),
            &[0x0f, 0x57],
            dst.enc(),
            RegMem::Reg(dst.enc()),
        );
        e.buf.put_data(&b);
    } else {
        let size = match kind {
            MoveKind::F32 => 4,
            MoveKind::F64 => 8,
            _ => 16,
        };
        let mem = Amode::RipRelative { disp: -4 };
        xmm_or_gpr_move(&mut b, kind, dst.enc(), mem, false);
        put_with_constant(e.buf, &b, &bits.to_le_bytes()[..size]);
    }
}

/// `movd`/`movq` from a general register.
pub fn gpr_to_xmm(e: &mut Emit<'_>, wide: bool, src: u32, dst: u32) {
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        P66,
        w(wide),
        &[0x0f, 0x6e],
        x(dst).enc(),
        RegMem::Reg(gpr_enc(src)),
    );
    e.buf.put_data(&b);
}

/// `movd`/`movq` to a general register.
pub fn xmm_to_gpr(e: &mut Emit<'_>, wide: bool, src: u32, dst: u32) {
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        P66,
        w(wide),
        &[0x0f, 0x7e],
        x(src).enc(),
        RegMem::Reg(gpr_enc(dst)),
    );
    e.buf.put_data(&b);
}

/// `xorps dst, dst` (no dependency on dst's old upper lanes), then `cvtsi2ss`/`cvtsi2sd`.
pub fn cvt_int_to_float(e: &mut Emit<'_>, wide: bool, double: bool, src: u32, dst: u32) {
    let dst = x(dst);
    let mut b = Vec::new();
    sse(&mut b, NONE, RexFlags::none(), 0x57, dst.enc(), dst.enc());
    emit_modrm(
        &mut b,
        scalar(double),
        w(wide),
        &[0x0f, 0x2a],
        dst.enc(),
        RegMem::Reg(gpr_enc(src)),
    );
    e.buf.put_data(&b);
}

/// An unsigned 64-bit integer to a float (see `emit_u64_to_float`).
pub fn cvt_u64_to_float(e: &mut Emit<'_>, double: bool, src: u32, dst: u32, t1: u32, t2: u32) {
    emit_u64_to_float(e.buf, double, g(src), x(dst), g(t1), g(t2));
}

/// A float to an integer with CLIF's traps or saturation (see `emit_float_to_int`).
#[allow(clippy::too_many_arguments)]
pub fn cvt_float_to_int(
    e: &mut Emit<'_>,
    signed: bool,
    sat: bool,
    double: bool,
    wide: bool,
    src: u32,
    dst: u32,
    tmp: u32,
    x1: u32,
    x2: u32,
) {
    let regs = ToIntRegs {
        src: x(src),
        dst: g(dst),
        tmp: g(tmp),
        x1: x(x1),
        x2: x(x2),
    };
    emit_float_to_int(e.buf, signed, sat, double, wide, regs);
}

/// A float comparison as 0/1 (see `emit_fcmp`).
pub fn fcmp_setcc(
    e: &mut Emit<'_>,
    double: bool,
    cc: FloatCC,
    a: u32,
    bb: u32,
    dst: u32,
    tmp: u32,
) {
    let mut b = Vec::new();
    emit_fcmp(&mut b, double, cc, x(a), x(bb), g(dst), g(tmp));
    e.buf.put_data(&b);
}

/// `ucomiss`/`ucomisd b, a`.
pub fn ucomis(e: &mut Emit<'_>, double: bool, a: u32, bb: u32) {
    let mut b = Vec::new();
    ucomis_into(&mut b, double, x(a), x(bb));
    e.buf.put_data(&b);
}

/// `test c, c`, then `jz` over `movaps t, dst`.
pub fn xmm_select(e: &mut Emit<'_>, size: OperandSize, c: u32, t: u32, dst: u32) {
    let (c, t, dst) = (g(c), x(t), x(dst));
    let opcode = if size == OperandSize::Size8 {
        0x84
    } else {
        0x85
    };
    let rex = match size {
        OperandSize::Size64 => RexFlags::w(),
        OperandSize::Size8 => RexFlags::for_byte_regs(&[c]),
        _ => RexFlags::none(),
    };
    let prefixes = Prefixes {
        operand_size: size == OperandSize::Size16,
        ..NONE
    };
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        prefixes,
        rex,
        &[opcode],
        c.enc(),
        RegMem::Reg(c.enc()),
    );
    let mut mov = Vec::new();
    movaps(&mut mov, t, dst);
    // jz over the move
    b.extend_from_slice(&[0x74, mov.len() as u8]);
    b.extend_from_slice(&mov);
    e.buf.put_data(&b);
}

/// CLIF's fmin/fmax (see `emit_fmin_max`).
pub fn fminmax(e: &mut Emit<'_>, max: bool, double: bool, bb: u32, dst: u32) {
    emit_fmin_max(e.buf, max, double, x(dst), x(bb));
}

/// `movss`/`movsd`/`movups` from memory.
pub fn xmm_load_rm(
    e: &mut Emit<'_>,
    kind: MoveKind,
    addr: &AddrAlloc,
    dst: u32,
    trap: Option<TrapCode>,
) {
    let mem = e.frame.amode(addr);
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    let mut b = Vec::new();
    xmm_or_gpr_move(&mut b, kind, x(dst).enc(), mem, false);
    e.buf.put_data(&b);
}

/// `movss`/`movsd`/`movups` to memory.
pub fn xmm_store_rm(
    e: &mut Emit<'_>,
    kind: MoveKind,
    src: u32,
    addr: &AddrAlloc,
    trap: Option<TrapCode>,
) {
    let mem = e.frame.amode(addr);
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    let mut b = Vec::new();
    xmm_or_gpr_move(&mut b, kind, x(src).enc(), mem, true);
    e.buf.put_data(&b);
}

/// The x86 flags conditions after `ucomis a, b`, for each CLIF condition: the operands
/// to compare (swapped or not), the condition codes, and how two of them combine.
/// `ucomiss/ucomisd bb, a` (for [`Inst::Ucomis`]).
pub(super) fn ucomis_into(b: &mut Vec<u8>, double: bool, a: Xmm, bb: Xmm) {
    ucomis_bytes(b, double, a, bb);
}

/// The one flag condition that tells `a cc b` after `ucomis` (with the operands swapped
/// when the first element is true), if one does: every condition but `eq` and `ne`,
/// which also need the parity flag of an unordered result.
pub(crate) fn float_cc_flag(cc: FloatCC) -> Option<(bool, Cc)> {
    use FloatCC::*;
    Some(match cc {
        Ordered => (false, Cc::Np),
        Unordered => (false, Cc::P),
        OrderedNotEqual => (false, Cc::Nz),
        UnorderedOrEqual => (false, Cc::Z),
        GreaterThan => (false, Cc::Nbe),
        GreaterThanOrEqual => (false, Cc::Nb),
        LessThan => (true, Cc::Nbe),
        LessThanOrEqual => (true, Cc::Nb),
        UnorderedOrLessThan => (false, Cc::B),
        UnorderedOrLessThanOrEqual => (false, Cc::Be),
        UnorderedOrGreaterThan => (true, Cc::B),
        UnorderedOrGreaterThanOrEqual => (true, Cc::Be),
        Equal | NotEqual => return None,
    })
}

fn emit_fcmp(b: &mut Vec<u8>, double: bool, cc: FloatCC, a: Xmm, bb: Xmm, dst: Gpr, tmp: Gpr) {
    use FloatCC::*;
    // (swap operands, first setcc, second setcc and whether it is ANDed (else ORed))
    let (swap, first, second): (bool, Cc, Option<(Cc, bool)>) = match cc {
        Ordered => (false, Cc::Np, None),
        Unordered => (false, Cc::P, None),
        Equal => (false, Cc::Z, Some((Cc::Np, true))),
        NotEqual => (false, Cc::Nz, Some((Cc::P, false))),
        OrderedNotEqual => (false, Cc::Nz, None),
        UnorderedOrEqual => (false, Cc::Z, None),
        GreaterThan => (false, Cc::Nbe, None),
        GreaterThanOrEqual => (false, Cc::Nb, None),
        LessThan => (true, Cc::Nbe, None),
        LessThanOrEqual => (true, Cc::Nb, None),
        UnorderedOrLessThan => (false, Cc::B, None),
        UnorderedOrLessThanOrEqual => (false, Cc::Be, None),
        UnorderedOrGreaterThan => (true, Cc::B, None),
        UnorderedOrGreaterThanOrEqual => (true, Cc::Be, None),
    };
    let (x, y) = if swap { (bb, a) } else { (a, bb) };
    ucomis_bytes(b, double, x, y);
    setcc(b, first as u8, dst);
    if let Some((cc2, and)) = second {
        setcc(b, cc2 as u8, tmp);
        // and/or r8, r8 (20 /r, 08 /r)
        emit_modrm(
            b,
            NONE,
            RexFlags::for_byte_regs(&[dst, tmp]),
            &[if and { 0x20 } else { 0x08 }],
            tmp.enc(),
            RegMem::Reg(dst.enc()),
        );
    }
    // movzx dst8, dst32
    emit_modrm(
        b,
        NONE,
        RexFlags::for_byte_regs(&[dst]),
        &[0x0f, 0xb6],
        dst.enc(),
        RegMem::Reg(dst.enc()),
    );
}

/// `dst = fmin/fmax(dst, b)` with NaN propagation and -0 < +0.
fn emit_fmin_max(buf: &mut MachBuffer<Rel32>, max: bool, double: bool, dst: Xmm, bb: Xmm) {
    let (differ, done, nan) = (buf.get_label(), buf.get_label(), buf.get_label());
    let mut b = Vec::new();
    ucomis_bytes(&mut b, double, dst, bb);
    buf.put_data(&b);
    jump(buf, &[0x0f, 0x85], differ); // ordered and not equal
    jump(buf, &[0x0f, 0x8a], nan); // unordered
    // Equal: the signs of zeros decide; OR picks -0 for min, AND picks +0 for max.
    let mut b = Vec::new();
    sse(
        &mut b,
        NONE,
        RexFlags::none(),
        if max { 0x54 } else { 0x56 },
        dst.enc(),
        bb.enc(),
    );
    buf.put_data(&b);
    jump(buf, &[0xe9], done);
    buf.bind_label(nan);
    let mut b = Vec::new();
    sse(
        &mut b,
        scalar(double),
        RexFlags::none(),
        0x58,
        dst.enc(),
        bb.enc(),
    ); // add: a NaN
    buf.put_data(&b);
    jump(buf, &[0xe9], done);
    buf.bind_label(differ);
    let mut b = Vec::new();
    sse(
        &mut b,
        scalar(double),
        RexFlags::none(),
        if max { 0x5f } else { 0x5d },
        dst.enc(),
        bb.enc(),
    );
    buf.put_data(&b);
    buf.bind_label(done);
}

/// Unsigned 64-bit to float: values below 2^63 convert directly; larger ones are halved
/// (keeping the low bit so rounding is right), converted, and doubled.
fn emit_u64_to_float(
    buf: &mut MachBuffer<Rel32>,
    double: bool,
    src: Gpr,
    dst: Xmm,
    t1: Gpr,
    t2: Gpr,
) {
    let (big, done) = (buf.get_label(), buf.get_label());
    let mut b = Vec::new();
    sse(&mut b, NONE, RexFlags::none(), 0x57, dst.enc(), dst.enc()); // xorps
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x85],
        src.enc(),
        RegMem::Reg(src.enc()),
    ); // test
    buf.put_data(&b);
    jump(buf, &[0x0f, 0x88], big); // js
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        scalar(double),
        RexFlags::w(),
        &[0x0f, 0x2a],
        dst.enc(),
        RegMem::Reg(src.enc()),
    );
    buf.put_data(&b);
    jump(buf, &[0xe9], done);
    buf.bind_label(big);
    let mut b = Vec::new();
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x89],
        src.enc(),
        RegMem::Reg(t1.enc()),
    ); // mov src, t1
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0xd1],
        5,
        RegMem::Reg(t1.enc()),
    ); // shr $1, t1
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x89],
        src.enc(),
        RegMem::Reg(t2.enc()),
    ); // mov src, t2
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x83],
        4,
        RegMem::Reg(t2.enc()),
    ); // and $1, t2
    b.push(1);
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x09],
        t2.enc(),
        RegMem::Reg(t1.enc()),
    ); // or t2, t1
    emit_modrm(
        &mut b,
        scalar(double),
        RexFlags::w(),
        &[0x0f, 0x2a],
        dst.enc(),
        RegMem::Reg(t1.enc()),
    );
    sse(
        &mut b,
        scalar(double),
        RexFlags::none(),
        0x58,
        dst.enc(),
        dst.enc(),
    ); // add dst, dst
    buf.put_data(&b);
    buf.bind_label(done);
}

/// The registers of a float-to-int conversion.
struct ToIntRegs {
    src: Xmm,
    dst: Gpr,
    tmp: Gpr,
    x1: Xmm,
    x2: Xmm,
}

/// `cvttss2si`/`cvttsd2si src, dst` at 32 or 64 bits (F3/F2 [REX.W] 0F 2C); out of
/// range or NaN gives the "integer indefinite" value, MIN.
fn cvtt(b: &mut Vec<u8>, double: bool, wide: bool, src: Xmm, dst: Gpr) {
    emit_modrm(
        b,
        scalar(double),
        w(wide),
        &[0x0f, 0x2c],
        dst.enc(),
        RegMem::Reg(src.enc()),
    );
}

/// The bits of `value` in the source float format.
fn float_bits(double: bool, value: f64) -> u64 {
    if double {
        value.to_bits()
    } else {
        u64::from((value as f32).to_bits())
    }
}

const JA: u8 = 0x77;
const JAE: u8 = 0x73;
const JB: u8 = 0x72;
const JNP: u8 = 0x7b;
const JNS: u8 = 0x79;

fn ucomis_buf(buf: &mut MachBuffer<Rel32>, double: bool, a: Xmm, bb: Xmm) {
    let mut b = Vec::new();
    ucomis_bytes(&mut b, double, a, bb);
    buf.put_data(&b);
}

fn const_buf(buf: &mut MachBuffer<Rel32>, double: bool, value: f64, tmp: Gpr, x: Xmm) {
    let mut b = Vec::new();
    load_const(&mut b, double, float_bits(double, value), tmp, x);
    buf.put_data(&b);
}

/// `dst = src - 2^63` converted: the high half of the unsigned 64-bit range, with bit 63
/// put back. Out-of-range values come out negative and go to `overflow`, or trap.
fn emit_high_half(
    buf: &mut MachBuffer<Rel32>,
    double: bool,
    r: &ToIntRegs,
    overflow: Option<crate::machinst::buffer::MachLabel>,
) {
    let mut b = Vec::new();
    movaps(&mut b, r.src, r.x2);
    sse(
        &mut b,
        scalar(double),
        RexFlags::none(),
        0x5c,
        r.x2.enc(),
        r.x1.enc(),
    ); // sub 2^63
    cvtt(&mut b, double, true, r.x2, r.dst);
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x85],
        r.dst.enc(),
        RegMem::Reg(r.dst.enc()),
    );
    buf.put_data(&b);
    match overflow {
        Some(label) => jump(buf, &[0x0f, 0x88], label), // js
        None => trap_unless(buf, JNS, TrapCode::INTEGER_OVERFLOW),
    }
    let mut b = Vec::new();
    super::super::encode::emit_opcode_reg(&mut b, NONE, RexFlags::w(), 0xb8, r.tmp.enc());
    emit_imm(&mut b, i64::MIN, 8);
    emit_modrm(
        &mut b,
        NONE,
        RexFlags::w(),
        &[0x31],
        r.tmp.enc(),
        RegMem::Reg(r.dst.enc()),
    ); // xor
    buf.put_data(&b);
}

fn emit_float_to_int(
    buf: &mut MachBuffer<Rel32>,
    signed: bool,
    sat: bool,
    double: bool,
    wide: bool,
    r: ToIntRegs,
) {
    let done = buf.get_label();
    let zero_dst = |b: &mut Vec<u8>, d: Gpr| {
        emit_modrm(
            b,
            NONE,
            RexFlags::none(),
            &[0x31],
            d.enc(),
            RegMem::Reg(d.enc()),
        )
    };
    match (signed, sat) {
        (true, false) => {
            let mut b = Vec::new();
            cvtt(&mut b, double, wide, r.src, r.dst);
            // cmp $1, dst overflows exactly when dst is MIN, the only suspicious result.
            emit_modrm(&mut b, NONE, w(wide), &[0x83], 7, RegMem::Reg(r.dst.enc()));
            b.push(1);
            buf.put_data(&b);
            jump(buf, &[0x0f, 0x81], done); // jno
            ucomis_buf(buf, double, r.src, r.src);
            trap_unless(buf, JNP, TrapCode::BAD_CONVERSION_TO_INTEGER);
            // In range iff low < src (f64 to i32: -2^31 - 1 is exact) or low <= src.
            if !wide && double {
                const_buf(buf, double, -2147483649.0, r.tmp, r.x1);
                ucomis_buf(buf, double, r.src, r.x1);
                trap_unless(buf, JA, TrapCode::INTEGER_OVERFLOW);
            } else {
                let low = if wide {
                    -9223372036854775808.0
                } else {
                    -2147483648.0
                };
                const_buf(buf, double, low, r.tmp, r.x1);
                ucomis_buf(buf, double, r.src, r.x1);
                trap_unless(buf, JAE, TrapCode::INTEGER_OVERFLOW);
            }
            // MIN also comes from large positive inputs.
            let mut b = Vec::new();
            sse(&mut b, NONE, RexFlags::none(), 0x57, r.x1.enc(), r.x1.enc());
            buf.put_data(&b);
            ucomis_buf(buf, double, r.x1, r.src);
            trap_unless(buf, JA, TrapCode::INTEGER_OVERFLOW);
        }
        (true, true) => {
            let not_nan = buf.get_label();
            let mut b = Vec::new();
            cvtt(&mut b, double, wide, r.src, r.dst);
            emit_modrm(&mut b, NONE, w(wide), &[0x83], 7, RegMem::Reg(r.dst.enc()));
            b.push(1);
            buf.put_data(&b);
            jump(buf, &[0x0f, 0x81], done); // jno
            ucomis_buf(buf, double, r.src, r.src);
            jump(buf, &[0x0f, 0x8b], not_nan); // jnp
            let mut b = Vec::new();
            zero_dst(&mut b, r.dst);
            buf.put_data(&b);
            jump(buf, &[0xe9], done);
            buf.bind_label(not_nan);
            let mut b = Vec::new();
            sse(&mut b, NONE, RexFlags::none(), 0x57, r.x1.enc(), r.x1.enc());
            ucomis_bytes(&mut b, double, r.src, r.x1);
            buf.put_data(&b);
            jump(buf, &[0x0f, 0x82], done); // jb: negative saturates to MIN, already there
            let mut b = Vec::new();
            if wide {
                super::super::encode::emit_opcode_reg(
                    &mut b,
                    NONE,
                    RexFlags::w(),
                    0xb8,
                    r.dst.enc(),
                );
                emit_imm(&mut b, i64::MAX, 8);
            } else {
                super::super::encode::emit_opcode_reg(
                    &mut b,
                    NONE,
                    RexFlags::none(),
                    0xb8,
                    r.dst.enc(),
                );
                emit_imm(&mut b, i32::MAX as i64, 4);
            }
            buf.put_data(&b);
        }
        (false, false) => {
            ucomis_buf(buf, double, r.src, r.src);
            trap_unless(buf, JNP, TrapCode::BAD_CONVERSION_TO_INTEGER);
            const_buf(buf, double, -1.0, r.tmp, r.x1);
            ucomis_buf(buf, double, r.src, r.x1);
            trap_unless(buf, JA, TrapCode::INTEGER_OVERFLOW);
            if !wide {
                const_buf(buf, double, 4294967296.0, r.tmp, r.x1);
                ucomis_buf(buf, double, r.src, r.x1);
                trap_unless(buf, JB, TrapCode::INTEGER_OVERFLOW);
                let mut b = Vec::new();
                cvtt(&mut b, double, true, r.src, r.dst);
                buf.put_data(&b);
            } else {
                let big = buf.get_label();
                const_buf(buf, double, 9223372036854775808.0, r.tmp, r.x1);
                ucomis_buf(buf, double, r.src, r.x1);
                jump(buf, &[0x0f, 0x83], big); // jae
                let mut b = Vec::new();
                cvtt(&mut b, double, true, r.src, r.dst);
                buf.put_data(&b);
                jump(buf, &[0xe9], done);
                buf.bind_label(big);
                emit_high_half(buf, double, &r, None);
            }
        }
        (false, true) => {
            let max = buf.get_label();
            let mut b = Vec::new();
            zero_dst(&mut b, r.dst);
            ucomis_bytes(&mut b, double, r.src, r.src);
            buf.put_data(&b);
            jump(buf, &[0x0f, 0x8a], done); // jp: NaN is 0
            let mut b = Vec::new();
            sse(&mut b, NONE, RexFlags::none(), 0x57, r.x1.enc(), r.x1.enc());
            ucomis_bytes(&mut b, double, r.src, r.x1);
            buf.put_data(&b);
            jump(buf, &[0x0f, 0x86], done); // jbe: not above zero is 0
            let limit = if wide {
                9223372036854775808.0
            } else {
                4294967296.0
            };
            const_buf(buf, double, limit, r.tmp, r.x1);
            ucomis_buf(buf, double, r.src, r.x1);
            if wide {
                let big = buf.get_label();
                jump(buf, &[0x0f, 0x83], big);
                let mut b = Vec::new();
                cvtt(&mut b, double, true, r.src, r.dst);
                buf.put_data(&b);
                jump(buf, &[0xe9], done);
                buf.bind_label(big);
                emit_high_half(buf, double, &r, Some(max));
                jump(buf, &[0xe9], done);
            } else {
                jump(buf, &[0x0f, 0x83], max);
                let mut b = Vec::new();
                cvtt(&mut b, double, true, r.src, r.dst);
                buf.put_data(&b);
                jump(buf, &[0xe9], done);
            }
            buf.bind_label(max);
            let mut b = Vec::new();
            if wide {
                // mov $-1, dst (REX.W C7 /0 id sign-extends)
                emit_modrm(
                    &mut b,
                    NONE,
                    RexFlags::w(),
                    &[0xc7],
                    0,
                    RegMem::Reg(r.dst.enc()),
                );
            } else {
                super::super::encode::emit_opcode_reg(
                    &mut b,
                    NONE,
                    RexFlags::none(),
                    0xb8,
                    r.dst.enc(),
                );
            }
            emit_imm(&mut b, -1, 4);
            buf.put_data(&b);
        }
    }
    buf.bind_label(done);
}
