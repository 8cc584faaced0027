//! s390x instruction formats (z/Architecture Principles of Operation, chapter 5,
//! "Instruction Formats"): each function packs the fields of one format into an
//! [`Insn`]. Register fields are 4-bit hardware numbers; vector register numbers carry
//! their fifth bit in the RXB field. Opcodes come from the instruction table's enums.

/// One instruction of 2, 4 or 6 bytes, right-aligned in `bits`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Insn {
    /// The instruction, its first byte most significant.
    pub bits: u64,
    /// Its length in bytes.
    pub len: u8,
}

impl Insn {
    /// The instruction's bytes in memory order (big-endian).
    pub fn bytes(self) -> ([u8; 8], usize) {
        let all = (self.bits << (64 - 8 * u32::from(self.len))).to_be_bytes();
        (all, usize::from(self.len))
    }
}

fn insn2(bits: u64) -> Insn {
    Insn { bits, len: 2 }
}
fn insn4(bits: u64) -> Insn {
    Insn { bits, len: 4 }
}
fn insn6(bits: u64) -> Insn {
    Insn { bits, len: 6 }
}

/// RR (one-byte opcode) or RRE (two-byte opcode): `R1, R2`.
pub fn rr(op: u32, r1: u32, r2: u32) -> Insn {
    let (op, r1, r2) = (u64::from(op), u64::from(r1 & 15), u64::from(r2 & 15));
    if op > 0xff {
        insn4(op << 16 | r1 << 4 | r2)
    } else {
        insn2(op << 8 | r1 << 4 | r2)
    }
}

/// RRF: a two-byte opcode, then two 4-bit fields (`R3`/`M3` and `M4`, as the variant
/// defines), `R1`, `R2`.
pub fn rrf(op: u32, a: u32, b: u32, r1: u32, r2: u32) -> Insn {
    insn4(
        u64::from(op) << 16
            | u64::from(a & 15) << 12
            | u64::from(b & 15) << 8
            | u64::from(r1 & 15) << 4
            | u64::from(r2 & 15),
    )
}

/// RX (4 bytes: one-byte opcode, `R1, D2(X2, B2)`, 12-bit unsigned displacement).
pub fn rx(op: u32, r1: u32, x2: u32, b2: u32, d2: u32) -> Insn {
    insn4(
        u64::from(op) << 24
            | u64::from(r1 & 15) << 20
            | u64::from(x2 & 15) << 16
            | u64::from(b2 & 15) << 12
            | u64::from(d2 & 0xfff),
    )
}

/// RXY / RSY / RXE (6 bytes: the opcode's first byte, `R1`, `X2` or `R3`, `B2`, a 20-bit
/// signed displacement as DL2 and DH2, the opcode's second byte).
pub fn rxy(op: u32, r1: u32, x2: u32, b2: u32, d2: i32) -> Insn {
    let d = d2 as u32;
    insn6(
        u64::from(op >> 8) << 40
            | u64::from(r1 & 15) << 36
            | u64::from(x2 & 15) << 32
            | u64::from(b2 & 15) << 28
            | u64::from(d & 0xfff) << 16
            | u64::from((d >> 12) & 0xff) << 8
            | u64::from(op & 0xff),
    )
}

/// RS (4 bytes: one-byte opcode, `R1, R3, D2(B2)`).
pub fn rs(op: u32, r1: u32, r3: u32, b2: u32, d2: u32) -> Insn {
    rx(op, r1, r3, b2, d2)
}

/// RI (4 bytes: a 12-bit opcode split around `R1`/`M1`, a 16-bit immediate).
pub fn ri(op: u32, r1: u32, i2: u16) -> Insn {
    insn4(
        u64::from(op >> 4) << 24
            | u64::from(r1 & 15) << 20
            | u64::from(op & 15) << 16
            | u64::from(i2),
    )
}

/// RIL (6 bytes: a 12-bit opcode split around `R1`/`M1`, a 32-bit immediate).
pub fn ril(op: u32, r1: u32, i2: u32) -> Insn {
    insn6(
        u64::from(op >> 4) << 40
            | u64::from(r1 & 15) << 36
            | u64::from(op & 15) << 32
            | u64::from(i2),
    )
}

/// RIE (6 bytes: the opcode's first byte, two 4-bit fields, 16 bits, 8 bits, the
/// opcode's second byte); the variants place their operands in these fields.
pub fn rie(op: u32, a: u32, b: u32, i16: u16, i8: u8) -> Insn {
    insn6(
        u64::from(op >> 8) << 40
            | u64::from(a & 15) << 36
            | u64::from(b & 15) << 32
            | u64::from(i16) << 16
            | u64::from(i8) << 8
            | u64::from(op & 0xff),
    )
}

/// SI (4 bytes: one-byte opcode, an 8-bit immediate, `D1(B1)`).
pub fn si(op: u32, i2: u8, b1: u32, d1: u32) -> Insn {
    insn4(
        u64::from(op) << 24
            | u64::from(i2) << 16
            | u64::from(b1 & 15) << 12
            | u64::from(d1 & 0xfff),
    )
}

/// The RXB field: the fifth bit of up to four vector register numbers.
fn rxb(v1: u32, v2: u32, v3: u32, v4: u32) -> u64 {
    u64::from((v1 >> 4) << 3 | (v2 >> 4) << 2 | (v3 >> 4) << 1 | (v4 >> 4))
}

/// VRR (6 bytes: `V1, V2, V3` and mask fields M4-M6 or `V4`): the opcode's first
/// byte, V1, V2, V3, a 4-bit field at bit 20 (`M6`/`V4` of some variants, usually 0),
/// M6 (or M5 and M4 moved per variant by the caller), RXB, the second byte. The
/// arguments are the 4-bit fields at bits 20, 24, 28 and 32.
#[allow(clippy::too_many_arguments)]
pub fn vrr(op: u32, v1: u32, v2: u32, v3: u32, f20: u32, f24: u32, f28: u32, f32_: u32) -> Insn {
    vrr4(op, v1, v2, v3, 0, f20, f24, f28, f32_)
}

/// VRR with a fourth vector register in the field at bit 32 (VRR-e, VRR-d).
#[allow(clippy::too_many_arguments)]
pub fn vrr4(
    op: u32,
    v1: u32,
    v2: u32,
    v3: u32,
    v4: u32,
    f20: u32,
    f24: u32,
    f28: u32,
    f32_: u32,
) -> Insn {
    let f32_ = if v4 != 0 { v4 & 15 } else { f32_ };
    insn6(
        u64::from(op >> 8) << 40
            | u64::from(v1 & 15) << 36
            | u64::from(v2 & 15) << 32
            | u64::from(v3 & 15) << 28
            | u64::from(f20 & 15) << 24
            | u64::from(f24 & 15) << 20
            | u64::from(f28 & 15) << 16
            | u64::from(f32_ & 15) << 12
            | rxb(v1, v2, v3, v4) << 8
            | u64::from(op & 0xff),
    )
}

/// VRX (6 bytes: `V1, D2(X2, B2), M3`).
pub fn vrx(op: u32, v1: u32, x2: u32, b2: u32, d2: u32, m3: u32) -> Insn {
    insn6(
        u64::from(op >> 8) << 40
            | u64::from(v1 & 15) << 36
            | u64::from(x2 & 15) << 32
            | u64::from(b2 & 15) << 28
            | u64::from(d2 & 0xfff) << 16
            | u64::from(m3 & 15) << 12
            | rxb(v1, 0, 0, 0) << 8
            | u64::from(op & 0xff),
    )
}

/// VRI (6 bytes: `V1`, `V3` or `M`, a 16-bit immediate, a mask, RXB): the fields at
/// bits 8, 12, 16-31 and 32.
pub fn vri(op: u32, v1: u32, v3: u32, i16: u16, m: u32) -> Insn {
    insn6(
        u64::from(op >> 8) << 40
            | u64::from(v1 & 15) << 36
            | u64::from(v3 & 15) << 32
            | u64::from(i16) << 16
            | u64::from(m & 15) << 12
            | rxb(v1, v3, 0, 0) << 8
            | u64::from(op & 0xff),
    )
}

/// VRS (6 bytes: `V1`, `V3` or `R3`, `D2(B2)`, M4): `r3_is_vr` says whether the second
/// register is a vector register (it gets an RXB bit), `v1_is_vr` likewise.
#[allow(clippy::too_many_arguments)]
pub fn vrs(
    op: u32,
    r1: u32,
    r3: u32,
    b2: u32,
    d2: u32,
    m4: u32,
    v1_is_vr: bool,
    r3_is_vr: bool,
) -> Insn {
    let x = rxb(
        if v1_is_vr { r1 } else { 0 },
        if r3_is_vr { r3 } else { 0 },
        0,
        0,
    );
    insn6(
        u64::from(op >> 8) << 40
            | u64::from(r1 & 15) << 36
            | u64::from(r3 & 15) << 32
            | u64::from(b2 & 15) << 28
            | u64::from(d2 & 0xfff) << 16
            | u64::from(m4 & 15) << 12
            | x << 8
            | u64::from(op & 0xff),
    )
}

/// The two-byte illegal instruction that traps (an operation exception, SIGILL).
pub fn trap() -> Insn {
    insn2(0)
}
