//! AArch64 instruction words (Arm ARM, DDI 0487, chapter C4 "A64 Instruction Set
//! Encoding"): one function per encoding class, taking hardware register numbers (31 is
//! the zero register or the stack pointer, as the class defines).

use super::args::{Imm12, ImmLogic};
use super::generated::{
    AluOp, AluOp3, BitOp, BitfieldOp, Cond, CselOp, ExtendOp, FSize, FpuIntOp, FpuOp1, FpuOp2,
    HintOp, MoveWideOp, ShiftKind, Size, VecAcrossOp, VecAluOp, VecLanes, VecMiscOp, VecShiftOp,
};

fn rd_rn(rd: u32, rn: u32) -> u32 {
    (rn & 31) << 5 | (rd & 31)
}

/// The opcode bits of the register forms: C4.1.95 data processing (register).
fn alu_base(op: AluOp) -> u32 {
    match op {
        AluOp::Add => 0x0b00_0000,
        AluOp::Adds => 0x2b00_0000,
        AluOp::Sub => 0x4b00_0000,
        AluOp::Subs => 0x6b00_0000,
        AluOp::And => 0x0a00_0000,
        AluOp::Ands => 0x6a00_0000,
        AluOp::Orr => 0x2a00_0000,
        AluOp::Eor => 0x4a00_0000,
        AluOp::Bic => 0x0a20_0000,
        AluOp::Orn => 0x2a20_0000,
        AluOp::Eon => 0x4a20_0000,
        AluOp::Udiv => 0x1ac0_0800,
        AluOp::Sdiv => 0x1ac0_0c00,
        AluOp::Lslv => 0x1ac0_2000,
        AluOp::Lsrv => 0x1ac0_2400,
        AluOp::Asrv => 0x1ac0_2800,
        AluOp::Rorv => 0x1ac0_2c00,
        AluOp::Adc => 0x1a00_0000,
        AluOp::Adcs => 0x3a00_0000,
        AluOp::Sbc => 0x5a00_0000,
        AluOp::Sbcs => 0x7a00_0000,
    }
}

/// Add/subtract and logical (shifted register, shift 0), and data processing
/// (2 source): `op rd, rn, rm`.
pub fn alu_rrr(op: AluOp, size: Size, rd: u32, rn: u32, rm: u32) -> u32 {
    alu_base(op) | size.sf() << 31 | (rm & 31) << 16 | rd_rn(rd, rn)
}

/// The shifted-register forms with a shift: `op rd, rn, rm, shift #amount`.
pub fn alu_rrr_shift(
    op: AluOp,
    size: Size,
    rd: u32,
    rn: u32,
    rm: u32,
    shift: ShiftKind,
    amount: u8,
) -> u32 {
    alu_rrr(op, size, rd, rn, rm) | (shift as u32) << 22 | u32::from(amount & 63) << 10
}

/// Add/subtract (extended register): `op rd, rn, rm, ext` (rn may be the stack pointer).
pub fn alu_rrr_extend(op: AluOp, size: Size, rd: u32, rn: u32, rm: u32, ext: ExtendOp) -> u32 {
    alu_base(op) | 1 << 21 | size.sf() << 31 | (rm & 31) << 16 | (ext as u32) << 13 | rd_rn(rd, rn)
}

/// Add/subtract (immediate): C4.1.92.
pub fn alu_rr_imm12(op: AluOp, size: Size, rd: u32, rn: u32, imm: Imm12) -> u32 {
    let base = match op {
        AluOp::Add => 0x1100_0000,
        AluOp::Adds => 0x3100_0000,
        AluOp::Sub => 0x5100_0000,
        _ => 0x7100_0000,
    };
    base | size.sf() << 31
        | u32::from(imm.shift12) << 22
        | u32::from(imm.bits & 0xfff) << 10
        | rd_rn(rd, rn)
}

/// Logical (immediate): C4.1.92.
pub fn alu_rr_imm_logic(op: AluOp, size: Size, rd: u32, rn: u32, imm: ImmLogic) -> u32 {
    let base = match op {
        AluOp::And => 0x1200_0000,
        AluOp::Orr => 0x3200_0000,
        AluOp::Eor => 0x5200_0000,
        _ => 0x7200_0000,
    };
    base | size.sf() << 31
        | u32::from(imm.n) << 22
        | u32::from(imm.immr) << 16
        | u32::from(imm.imms) << 10
        | rd_rn(rd, rn)
}

/// Data processing (3 source): C4.1.95.
pub fn alu_rrrr(op: AluOp3, size: Size, rd: u32, rn: u32, rm: u32, ra: u32) -> u32 {
    let (base, ra) = match op {
        AluOp3::Madd => (0x1b00_0000, ra),
        AluOp3::Msub => (0x1b00_8000, ra),
        AluOp3::Smulh => (0x9b40_0000, 31),
        AluOp3::Umulh => (0x9bc0_0000, 31),
        AluOp3::Smull => (0x9b20_0000, 31),
        AluOp3::Umull => (0x9ba0_0000, 31),
    };
    let sf = if !matches!(op, AluOp3::Madd | AluOp3::Msub) {
        0
    } else {
        size.sf() << 31
    };
    base | sf | (rm & 31) << 16 | (ra & 31) << 10 | rd_rn(rd, rn)
}

/// Data processing (1 source): C4.1.95.
pub fn bit_rr(op: BitOp, size: Size, rd: u32, rn: u32) -> u32 {
    let opcode = match op {
        BitOp::Rbit => 0,
        BitOp::Rev16 => 1,
        BitOp::Rev32 => 2,
        BitOp::Rev => 2 + size.sf(),
        BitOp::Clz => 4,
        BitOp::Cls => 5,
    };
    0x5ac0_0000 | size.sf() << 31 | opcode << 10 | rd_rn(rd, rn)
}

/// Bitfield: C4.1.92.
pub fn bitfield(op: BitfieldOp, size: Size, rd: u32, rn: u32, immr: u8, imms: u8) -> u32 {
    let base = match op {
        BitfieldOp::Sbfm => 0x1300_0000,
        BitfieldOp::Bfm => 0x3300_0000,
        BitfieldOp::Ubfm => 0x5300_0000,
    };
    base | size.sf() << 31
        | size.sf() << 22
        | u32::from(immr & 63) << 16
        | u32::from(imms & 63) << 10
        | rd_rn(rd, rn)
}

/// Move wide (immediate): C4.1.92.
pub fn mov_wide(op: MoveWideOp, size: Size, rd: u32, imm: u16, shift: u8) -> u32 {
    let base = match op {
        MoveWideOp::Movn => 0x1280_0000,
        MoveWideOp::Movz => 0x5280_0000,
    };
    base | size.sf() << 31 | u32::from(shift / 16) << 21 | u32::from(imm) << 5 | (rd & 31)
}

/// MOVK.
pub fn movk(size: Size, rd: u32, imm: u16, shift: u8) -> u32 {
    0x7280_0000 | size.sf() << 31 | u32::from(shift / 16) << 21 | u32::from(imm) << 5 | (rd & 31)
}

/// MOV (register): ORR rd, zr, rm.
pub fn mov(size: Size, rd: u32, rm: u32) -> u32 {
    alu_rrr(AluOp::Orr, size, rd, 31, rm)
}

/// Conditional select: C4.1.95.
pub fn csel(op: CselOp, cond: Cond, size: Size, rd: u32, rn: u32, rm: u32) -> u32 {
    let base = match op {
        CselOp::Csel => 0x1a80_0000,
        CselOp::Csinc => 0x1a80_0400,
        CselOp::Csinv => 0x5a80_0000,
        CselOp::Csneg => 0x5a80_0400,
    };
    base | size.sf() << 31 | (rm & 31) << 16 | cond.bits() << 12 | rd_rn(rd, rn)
}

fn ftype(fsize: FSize) -> u32 {
    match fsize {
        FSize::S => 0,
        FSize::D => 1 << 22,
        FSize::H => 3 << 22,
    }
}

/// FCVT (C7.2.69): from one float width to another; `opc` (bits 15-16) names the
/// destination: 00 single, 01 double, 11 half.
pub fn fcvt(from: FSize, to: FSize, rd: u32, rn: u32) -> u32 {
    let opc = match to {
        FSize::S => 0,
        FSize::D => 1,
        FSize::H => 3,
    };
    0x1e22_4000 | ftype(from) | opc << 15 | rd_rn(rd, rn)
}

/// Floating-point conditional select: C4.1.96.
pub fn fcsel(fsize: FSize, cond: Cond, rd: u32, rn: u32, rm: u32) -> u32 {
    0x1e20_0c00 | ftype(fsize) | (rm & 31) << 16 | cond.bits() << 12 | rd_rn(rd, rn)
}

/// Floating-point compare: C4.1.96.
pub fn fcmp(fsize: FSize, rn: u32, rm: u32) -> u32 {
    0x1e20_2000 | ftype(fsize) | (rm & 31) << 16 | (rn & 31) << 5
}

/// Floating-point data processing (2 source): C4.1.96.
pub fn fpu_rrr(op: FpuOp2, fsize: FSize, rd: u32, rn: u32, rm: u32) -> u32 {
    let opcode = match op {
        FpuOp2::Fmul => 0,
        FpuOp2::Fdiv => 1,
        FpuOp2::Fadd => 2,
        FpuOp2::Fsub => 3,
        FpuOp2::Fmax => 4,
        FpuOp2::Fmin => 5,
    };
    0x1e20_0800 | ftype(fsize) | (rm & 31) << 16 | opcode << 12 | rd_rn(rd, rn)
}

/// Floating-point data processing (1 source): C4.1.96. `fcvt` converts to the other
/// size.
pub fn fpu_rr(op: FpuOp1, fsize: FSize, rd: u32, rn: u32) -> u32 {
    let opcode = match op {
        FpuOp1::Fmov => 0,
        FpuOp1::Fabs => 1,
        FpuOp1::Fneg => 2,
        FpuOp1::Fsqrt => 3,
        FpuOp1::Fcvt => match fsize {
            FSize::S => 5,
            FSize::D | FSize::H => 4,
        },
        FpuOp1::Frintn => 8,
        FpuOp1::Frintp => 9,
        FpuOp1::Frintm => 10,
        FpuOp1::Frintz => 11,
    };
    0x1e20_4000 | ftype(fsize) | opcode << 15 | rd_rn(rd, rn)
}

/// Floating-point data processing (3 source): FMADD, or FMSUB with `negate`.
pub fn fpu_rrrr(negate: bool, fsize: FSize, rd: u32, rn: u32, rm: u32, ra: u32) -> u32 {
    0x1f00_0000
        | ftype(fsize)
        | (rm & 31) << 16
        | u32::from(negate) << 15
        | (ra & 31) << 10
        | rd_rn(rd, rn)
}

/// Conversion between floating-point and integer: C4.1.96.
pub fn fpu_int(op: FpuIntOp, size: Size, fsize: FSize, rd: u32, rn: u32) -> u32 {
    let (rmode, opcode) = match op {
        FpuIntOp::Scvtf => (0, 2),
        FpuIntOp::Ucvtf => (0, 3),
        FpuIntOp::Fcvtzs => (3, 0),
        FpuIntOp::Fcvtzu => (3, 1),
    };
    0x1e20_0000 | size.sf() << 31 | ftype(fsize) | rmode << 19 | opcode << 16 | rd_rn(rd, rn)
}

/// FMOV (general) from a general register: `fmov s, w` or `fmov d, x`.
pub fn mov_to_fpu(size: Size, rd: u32, rn: u32) -> u32 {
    match size {
        Size::W => 0x1e27_0000 | rd_rn(rd, rn),
        Size::X => 0x9e67_0000 | rd_rn(rd, rn),
    }
}

/// FMOV (general) to a general register: `fmov w, s` or `fmov x, d`.
pub fn mov_from_fpu(size: Size, rd: u32, rn: u32) -> u32 {
    match size {
        Size::W => 0x1e26_0000 | rd_rn(rd, rn),
        Size::X => 0x9e66_0000 | rd_rn(rd, rn),
    }
}

/// MOV (vector): ORR vd.16b, vn.16b, vn.16b (C4.1.97, three same).
pub fn mov_vr(rd: u32, rn: u32) -> u32 {
    0x4ea0_1c00 | (rn & 31) << 16 | rd_rn(rd, rn)
}

/// `LDR Xd, [x29, #8]` (C6.2.166, unsigned offset).
pub fn ldr_fp_8(rd: u32) -> u32 {
    0xf940_0000 | 1 << 10 | 29 << 5 | (rd & 31)
}

/// CNT Vd.8B, Vn.8B (C4.1.97, two-register miscellaneous).
pub fn fpu_cnt8b(rd: u32, rn: u32) -> u32 {
    0x0e20_5800 | rd_rn(rd, rn)
}

/// ADDV Bd, Vn.8B (C4.1.97, across lanes).
pub fn fpu_addv8b(rd: u32, rn: u32) -> u32 {
    0x0e31_b800 | rd_rn(rd, rn)
}

/// `UMOV Wd, Vn.B[0]` (C4.1.97, copy).
pub fn umov_b0(rd: u32, rn: u32) -> u32 {
    0x0e01_3c00 | rd_rn(rd, rn)
}

/// DMB ISH (C6.2.95): a full barrier in the inner shareable domain.
pub fn dmb_ish() -> u32 {
    0xd503_3bbf
}

impl VecLanes {
    /// The lane-size field: 0 for bytes up to 3 for doublewords.
    pub fn size(self) -> u32 {
        match self {
            VecLanes::B16 | VecLanes::B8 => 0,
            VecLanes::H8 | VecLanes::H4 => 1,
            VecLanes::S4 | VecLanes::S2 => 2,
            VecLanes::D2 => 3,
        }
    }

    /// The Q bit: 1 for 128-bit vectors.
    pub fn q(self) -> u32 {
        u32::from(matches!(
            self,
            VecLanes::B16 | VecLanes::H8 | VecLanes::S4 | VecLanes::D2
        ))
    }
}

fn q_size(lanes: VecLanes) -> u32 {
    lanes.q() << 30 | lanes.size() << 22
}

/// Vector three same (C4.1.97): `op rd.T, rn.T, rm.T` (128 bits).
pub fn vec_rrr(op: VecAluOp, lanes: VecLanes, rd: u32, rn: u32, rm: u32) -> u32 {
    use VecAluOp::*;
    // (U, opcode) for integer ops (size from the lanes); (U, size bits, opcode) for the
    // logical and float ones.
    let int = |u: u32, opc: u32| u << 29 | q_size(lanes) | opc << 11;
    let fixed = |u: u32, size: u32, opc: u32| u << 29 | lanes.q() << 30 | size << 22 | opc << 11;
    let float_sz = if lanes == VecLanes::D2 { 1 } else { 0 };
    let word = match op {
        Add => int(0, 0b10000),
        Sub => int(1, 0b10000),
        Mul => int(0, 0b10011),
        Cmeq => int(1, 0b10001),
        Cmgt => int(0, 0b00110),
        Cmge => int(0, 0b00111),
        Cmhi => int(1, 0b00110),
        Cmhs => int(1, 0b00111),
        Smax => int(0, 0b01100),
        Smin => int(0, 0b01101),
        Umax => int(1, 0b01100),
        Umin => int(1, 0b01101),
        Sqadd => int(0, 0b00001),
        Uqadd => int(1, 0b00001),
        Sqsub => int(0, 0b00101),
        Uqsub => int(1, 0b00101),
        Urhadd => int(1, 0b00010),
        Sshl => int(0, 0b01000),
        Ushl => int(1, 0b01000),
        Addp => int(0, 0b10111),
        Sqrdmulh => int(1, 0b10110),
        And => fixed(0, 0b00, 0b00011),
        Bic => fixed(0, 0b01, 0b00011),
        Orr => fixed(0, 0b10, 0b00011),
        Orn => fixed(0, 0b11, 0b00011),
        Eor => fixed(1, 0b00, 0b00011),
        Bsl => fixed(1, 0b01, 0b00011),
        Fadd => fixed(0, float_sz, 0b11010),
        Fsub => fixed(0, 0b10 | float_sz, 0b11010),
        Fmul => fixed(1, float_sz, 0b11011),
        Fdiv => fixed(1, float_sz, 0b11111),
        Fmax => fixed(0, float_sz, 0b11110),
        Fmin => fixed(0, 0b10 | float_sz, 0b11110),
        Fcmeq => fixed(0, float_sz, 0b11100),
        Fcmge => fixed(1, float_sz, 0b11100),
        Fcmgt => fixed(1, 0b10 | float_sz, 0b11100),
    };
    0x0e20_0400 | word | (rm & 31) << 16 | rd_rn(rd, rn)
}

/// SMULL/UMULL (`high`: the `2` forms on the upper halves); `lanes` are the sources'.
pub fn vec_mull(signed: bool, high: bool, lanes: VecLanes, rd: u32, rn: u32, rm: u32) -> u32 {
    let u = u32::from(!signed);
    let q = u32::from(high);
    0x0e20_c000 | q << 30 | u << 29 | lanes.size() << 22 | (rm & 31) << 16 | rd_rn(rd, rn)
}

/// UZP2 (128 bits).
pub fn vec_uzp2(lanes: VecLanes, rd: u32, rn: u32, rm: u32) -> u32 {
    0x0e00_5800 | lanes.q() << 30 | lanes.size() << 22 | (rm & 31) << 16 | rd_rn(rd, rn)
}

/// FMLA (vector): `rd += rn * rm` on single or double lanes.
pub fn vec_fmla(lanes: VecLanes, rd: u32, rn: u32, rm: u32) -> u32 {
    let sz = u32::from(lanes == VecLanes::D2);
    0x0e20_cc00 | lanes.q() << 30 | sz << 22 | (rm & 31) << 16 | rd_rn(rd, rn)
}

/// Vector two-register miscellaneous (C4.1.97): `op rd.T, rn.T`. The narrowing ops take
/// the lanes of their result; their `2` forms write the high half.
pub fn vec_rr(op: VecMiscOp, lanes: VecLanes, rd: u32, rn: u32) -> u32 {
    use VecMiscOp::*;
    let int = |u: u32, opc: u32| u << 29 | q_size(lanes) | opc << 12;
    let fixed = |q: u32, u: u32, size: u32, opc: u32| u << 29 | q << 30 | size << 22 | opc << 12;
    let fsz = if lanes == VecLanes::D2 { 1 } else { 0 };
    let q = lanes.q();
    // The narrowing forms' size is that of their result lanes.
    let narrow = |q: u32, u: u32, opc: u32| u << 29 | q << 30 | lanes.size() << 22 | opc << 12;
    let word = match op {
        Neg => int(1, 0b01011),
        Abs => int(0, 0b01011),
        Not => fixed(q, 1, 0b00, 0b00101),
        Cnt => fixed(q, 0, 0b00, 0b00101),
        // The lanes are the source's; the result's are twice as wide.
        Uaddlp => int(1, 0b00010),
        // Bytes reversed within each halfword, word or doubleword (lanes .16b).
        Rev16 => fixed(q, 0, 0b00, 0b00001),
        Rev32 => fixed(q, 1, 0b00, 0b00000),
        Rev64 => fixed(q, 0, 0b00, 0b00000),
        Cmeq0 => int(0, 0b01001),
        Fneg => fixed(q, 1, 0b10 | fsz, 0b01111),
        Fabs => fixed(q, 0, 0b10 | fsz, 0b01111),
        Fsqrt => fixed(q, 1, 0b10 | fsz, 0b11111),
        Scvtf => fixed(q, 0, fsz, 0b11101),
        Ucvtf => fixed(q, 1, fsz, 0b11101),
        Fcvtzs => fixed(q, 0, 0b10 | fsz, 0b11011),
        Fcvtzu => fixed(q, 1, 0b10 | fsz, 0b11011),
        Frintn => fixed(q, 0, fsz, 0b11000),
        Frintm => fixed(q, 0, fsz, 0b11001),
        Frintp => fixed(q, 0, 0b10 | fsz, 0b11000),
        Frintz => fixed(q, 0, 0b10 | fsz, 0b11001),
        Xtn => narrow(0, 0, 0b10010),
        Xtn2 => narrow(1, 0, 0b10010),
        Sqxtn => narrow(0, 0, 0b10100),
        Sqxtn2 => narrow(1, 0, 0b10100),
        Sqxtun => narrow(0, 1, 0b10010),
        Sqxtun2 => narrow(1, 1, 0b10010),
        Uqxtn => narrow(0, 1, 0b10100),
        Uqxtn2 => narrow(1, 1, 0b10100),
        // FCVTN/FCVTL: sz 0 between f32 and f16, 1 between f64 and f32.
        Fcvtn => fixed(0, 0, 1, 0b10110),
        Fcvtl => fixed(0, 0, 1, 0b10111),
    };
    0x0e20_0800 | word | rd_rn(rd, rn)
}

/// Vector shift by immediate (C4.1.97): immh:immb encode the lane size and amount.
pub fn vec_shift_imm(op: VecShiftOp, lanes: VecLanes, rd: u32, rn: u32, amount: u8) -> u32 {
    use VecShiftOp::*;
    let esize = 8u32 << lanes.size();
    let amount = u32::from(amount);
    let (q, u, opc, imm) = match op {
        Sshr => (lanes.q(), 0, 0b00000, 2 * esize - amount),
        Ushr => (lanes.q(), 1, 0b00000, 2 * esize - amount),
        Shl => (lanes.q(), 0, 0b01010, esize + amount),
        // The widening moves: `lanes` are the source's; the low or high half.
        Sxtl => (0, 0, 0b10100, esize),
        Sxtl2 => (1, 0, 0b10100, esize),
        Uxtl => (0, 1, 0b10100, esize),
        Uxtl2 => (1, 1, 0b10100, esize),
    };
    0x0f00_0400 | q << 30 | u << 29 | (imm & 0x7f) << 16 | opc << 11 | rd_rn(rd, rn)
}

/// Across lanes (C4.1.97).
pub fn vec_across(op: VecAcrossOp, lanes: VecLanes, rd: u32, rn: u32) -> u32 {
    let (u, opc) = match op {
        VecAcrossOp::Umaxv => (1, 0b01010),
        VecAcrossOp::Uminv => (1, 0b11010),
        VecAcrossOp::Addv => (0, 0b11011),
    };
    0x0e30_0800 | u << 29 | q_size(lanes) | opc << 12 | rd_rn(rd, rn)
}

/// The imm5 field of a lane-indexed copy: the lane size and index.
fn imm5(lanes: VecLanes, index: u8) -> u32 {
    let size = lanes.size();
    (u32::from(index) << (size + 1) | 1 << size) & 0x1f
}

/// DUP (general).
pub fn vec_dup(lanes: VecLanes, rd: u32, rn: u32) -> u32 {
    0x0e00_0c00 | lanes.q() << 30 | imm5(lanes, 0) << 16 | rd_rn(rd, rn)
}

/// DUP (element).
pub fn vec_dup_elem(lanes: VecLanes, rd: u32, rn: u32, index: u8) -> u32 {
    0x0e00_0400 | lanes.q() << 30 | imm5(lanes, index) << 16 | rd_rn(rd, rn)
}

/// UMOV (to a W register; an X register for doublewords).
pub fn vec_umov(lanes: VecLanes, rd: u32, rn: u32, index: u8) -> u32 {
    let q = if lanes == VecLanes::D2 { 1 << 30 } else { 0 };
    0x0e00_3c00 | q | imm5(lanes, index) << 16 | rd_rn(rd, rn)
}

/// INS (general).
pub fn vec_ins(lanes: VecLanes, rd: u32, rn: u32, index: u8) -> u32 {
    0x4e00_1c00 | imm5(lanes, index) << 16 | rd_rn(rd, rn)
}

/// INS (element): lane `from` of rn into lane `index` of rd.
pub fn vec_ins_elem(lanes: VecLanes, rd: u32, rn: u32, index: u8, from: u8) -> u32 {
    let imm4 = (u32::from(from) << lanes.size()) & 0xf;
    0x6e00_0400 | imm5(lanes, index) << 16 | imm4 << 11 | rd_rn(rd, rn)
}

/// TBL with one table register (16B).
pub fn vec_tbl1(rd: u32, table: u32, idx: u32) -> u32 {
    0x4e00_0000 | (idx & 31) << 16 | rd_rn(rd, table)
}

/// TBL with two consecutive table registers starting at `table` (16B).
pub fn vec_tbl2(rd: u32, table: u32, idx: u32) -> u32 {
    0x4e00_2000 | (idx & 31) << 16 | rd_rn(rd, table)
}

/// A hint-space instruction (C6.2.90 HINT).
pub fn hint(op: HintOp) -> u32 {
    match op {
        HintOp::Paciasp => 0xd503_233f,
        HintOp::Autiasp => 0xd503_23bf,
        HintOp::Pacibsp => 0xd503_237f,
        HintOp::Autibsp => 0xd503_23ff,
        HintOp::BtiC => 0xd503_245f,
        HintOp::BtiJ => 0xd503_249f,
        HintOp::Csdb => 0xd503_229f,
    }
}

/// BRK #0.
pub fn brk() -> u32 {
    0xd420_0000
}

/// RET (x30).
pub fn ret() -> u32 {
    0xd65f_03c0
}

/// STP (pre-index) of `rt`, `rt2` at `[sp, #-16]!`: 64-bit general or float registers.
pub fn push_pair(fp: bool, rt: u8, rt2: u8) -> u32 {
    let base = if fp { 0x6d80_0000 } else { 0xa980_0000 };
    // imm7 = -16 / 8 = -2.
    base | (0x7e << 15) | u32::from(rt2) << 10 | 31 << 5 | u32::from(rt)
}

/// LDP (post-index) of `rt`, `rt2` from `[sp], #16`.
pub fn pop_pair(fp: bool, rt: u8, rt2: u8) -> u32 {
    let base = if fp { 0x6cc0_0000 } else { 0xa8c0_0000 };
    base | (2 << 15) | u32::from(rt2) << 10 | 31 << 5 | u32::from(rt)
}

/// STR (immediate, SIMD&FP, pre-index) of `q<rt>` to `[sp, #-16]!`.
pub fn push_q(rt: u8) -> u32 {
    // size 00, opc 10 (128 bits), imm9 = -16.
    0x3c80_0c00 | 0x1f0 << 12 | 31 << 5 | u32::from(rt)
}

/// LDR (immediate, SIMD&FP, post-index) of `q<rt>` from `[sp], #16`.
pub fn pop_q(rt: u8) -> u32 {
    0x3cc0_0400 | 16 << 12 | 31 << 5 | u32::from(rt)
}

/// LDP (signed offset) of `rt`, `rt2` from `[x29, #offset]` (64-bit general or float
/// registers; `offset` a multiple of 8 in -512..=504).
pub fn load_pair_fp_rel(fp: bool, rt: u8, rt2: u8, offset: i16) -> u32 {
    let base = if fp { 0x6d40_0000 } else { 0xa940_0000 };
    let imm7 = ((offset / 8) as u32) & 0x7f;
    base | imm7 << 15 | u32::from(rt2) << 10 | 29 << 5 | u32::from(rt)
}

/// UDF #imm16.
pub fn udf(imm: u16) -> u32 {
    u32::from(imm)
}

/// B.cond with a zero offset (patched through a label use).
pub fn b_cond(cond: Cond) -> u32 {
    0x5400_0000 | cond.bits()
}

/// B with a zero offset.
pub fn b() -> u32 {
    0x1400_0000
}

/// CBZ/CBNZ with a zero offset.
pub fn cbz(nonzero: bool, size: Size, rt: u32) -> u32 {
    0x3400_0000 | size.sf() << 31 | u32::from(nonzero) << 24 | (rt & 31)
}
