//! x86-64 machine instructions: registers, operands, the instructions of the backend,
//! and their binary encoding.

pub mod args;
pub mod emit;
pub(crate) use emit::float_cc_flag;
pub mod encode;
pub mod frame;
mod print;
pub mod regs;

#[cfg(test)]
mod emit_tests;

use crate::ir::{AtomicRmwOp, TrapCode};
use crate::machinst::MachInst;
use crate::machinst::buffer::{MachBuffer, MachLabel};
use crate::machinst::reg::Reg;
use crate::machinst::vcode::OperandCollector;
use alloc::vec::Vec;
use regalloc2::{PReg, RegClass};
use regs::Gpr;

/// A two-operand integer ALU operation (`dst = dst op src`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum AluOp {
    /// `add`
    Add,
    /// `sub`
    Sub,
    /// `and`
    And,
    /// `or`
    Or,
    /// `xor`
    Xor,
}

impl AluOp {
    /// The mnemonic.
    pub fn name(self) -> &'static str {
        match self {
            AluOp::Add => "add",
            AluOp::Sub => "sub",
            AluOp::And => "and",
            AluOp::Or => "or",
            AluOp::Xor => "xor",
        }
    }
}

/// A one-operand in-place operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Two's-complement negation (F7 /3).
    Neg,
    /// Bitwise not (F7 /2).
    Not,
}

/// A value read from the frame's registers (or the pinned register).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameRegKind {
    /// The pinned register, `r15` (with `enable_pinned_reg`).
    Pinned,
    /// `rbp`.
    FramePointer,
    /// `rsp`.
    StackPointer,
    /// The return address, at `8(%rbp)`.
    ReturnAddress,
}

pub use crate::machinst::call::CallInfo;

/// What an i128 atomic access (`atomic128_*` forms) does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Atomic128Op {
    /// `atomic_load`.
    Load,
    /// `atomic_store` (a compare-and-swap loop).
    Store,
    /// `atomic_cas`.
    Cas,
    /// `atomic_rmw` with this operation (a compare-and-swap loop).
    Rmw(AtomicRmwOp),
}

/// A two-operand scalar float operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum XmmOp {
    /// `addss`/`addsd` (F3/F2 0F 58).
    Add,
    /// `subss`/`subsd` (5C).
    Sub,
    /// `mulss`/`mulsd` (59).
    Mul,
    /// `divss`/`divsd` (5E).
    Div,
    /// `andps` (0F 54).
    And,
    /// `andnps` (0F 55): `dst = !dst & src`.
    AndNot,
    /// `orps` (0F 56).
    Or,
    /// `xorps` (0F 57).
    Xor,
    /// `movhlps` (0F 12): the high 64 bits of `src2` into the low 64 bits of `dst`.
    MoveHighToLow,
    /// `punpcklqdq` (66 0F 6C): `dst` = low 64 bits of `src1`, then of `src2`.
    UnpackLowQ,
}

/// An AVX-512 operation on a 128-bit vector in its EVEX.128 form (AVX512VL; Intel SDM
/// vol. 2, 2.7), unmasked: the 64-bit-lane operations SSE lacks and the byte and word
/// population counts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum EvexOp {
    /// `vpmullq` (EVEX.66.0F38.W1 40, AVX512DQ): the low 64 bits of each product.
    MulLowQ,
    /// `vpsraq` by the count in an xmm register (EVEX.66.0F.W1 E2, AVX512F).
    SarQ,
    /// `vpminsq`/`vpminuq`/`vpmaxsq`/`vpmaxuq` (EVEX.66.0F38.W1 39/3B/3D/3F, AVX512F).
    MinMaxQ {
        /// Signed lanes.
        signed: bool,
        /// The maximum (else the minimum).
        max: bool,
    },
    /// `vpabsq` (EVEX.66.0F38.W1 1F, AVX512F).
    AbsQ,
    /// `vcvtudq2ps` (EVEX.F2.0F.W0 7A, AVX512F): unsigned 32-bit lanes to f32.
    CvtUdq2Ps,
    /// `vcvtqq2pd`/`vcvtuqq2pd` (EVEX.F3.0F.W1 E6/7A, AVX512DQ): 64-bit lanes to f64.
    CvtQq2Pd {
        /// Signed lanes.
        signed: bool,
    },
    /// `vpopcntb`/`vpopcntw` (EVEX.66.0F38.W0/W1 54, AVX512_BITALG).
    Popcnt {
        /// Word lanes (else bytes).
        words: bool,
    },
}

impl EvexOp {
    /// The `pp` field (0 none, 1 66, 2 F3, 3 F2), the opcode map (1 0F, 2 0F38), W, the
    /// opcode byte, and whether the operation takes a first operand in vvvv (the unary
    /// ones leave it 1111b).
    pub fn encoding(self) -> (u8, u8, bool, u8, bool) {
        match self {
            EvexOp::MulLowQ => (1, 2, true, 0x40, true),
            EvexOp::SarQ => (1, 1, true, 0xe2, true),
            EvexOp::MinMaxQ { signed, max } => {
                let op = match (signed, max) {
                    (true, false) => 0x39,
                    (false, false) => 0x3b,
                    (true, true) => 0x3d,
                    (false, true) => 0x3f,
                };
                (1, 2, true, op, true)
            }
            EvexOp::AbsQ => (1, 2, true, 0x1f, false),
            EvexOp::CvtUdq2Ps => (3, 1, false, 0x7a, false),
            EvexOp::CvtQq2Pd { signed } => (2, 1, true, if signed { 0xe6 } else { 0x7a }, false),
            EvexOp::Popcnt { words } => (1, 2, words, 0x54, false),
        }
    }
}

/// A two-operand SSE/SSE2 operation on all 128 bits (`dst = dst op src`; Intel SDM
/// vol. 2, the packed integer `p*` and packed float `*ps`/`*pd` instructions).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PackedOp {
    /// `paddb`/`paddw`/`paddd`/`paddq` (66 0F FC/FD/FE/D4), by lane bits.
    Add {
        /// Lane width in bits.
        bits: u8,
    },
    /// `psubb`/`psubw`/`psubd`/`psubq` (66 0F F8/F9/FA/FB).
    Sub {
        /// Lane width in bits.
        bits: u8,
    },
    /// `pmullw` (66 0F D5): 16-bit lanes, low halves of the products.
    MulLow16,
    /// `pand` (66 0F DB).
    And,
    /// `pandn` (66 0F DF): `dst = !dst & src`.
    AndNot,
    /// `por` (66 0F EB).
    Or,
    /// `pxor` (66 0F EF).
    Xor,
    /// `pcmpeqb`/`pcmpeqw`/`pcmpeqd` (66 0F 74/75/76): all ones where lanes are equal
    /// (8 to 32-bit lanes).
    CmpEq {
        /// Lane width in bits.
        bits: u8,
    },
    /// `pcmpgtb`/`pcmpgtw`/`pcmpgtd` (66 0F 64/65/66): all ones where `dst`'s lane is
    /// greater (signed; 8 to 32-bit lanes).
    CmpGt {
        /// Lane width in bits.
        bits: u8,
    },
    /// `punpcklbw` (66 0F 60): interleaves the low eight bytes of both operands.
    UnpackLowBytes,
    /// `punpcklqdq` (66 0F 6C): `dst`'s low quadword, then `src`'s.
    UnpackLowQuads,
    /// `movsd` between registers (F2 0F 10): `src`'s low quadword into `dst`'s.
    MoveLowQuad,
    /// `psllw`/`pslld`/`psllq` (66 0F F1/F2/F3): lanes shifted left by the low quadword
    /// of `src` (16 to 64-bit lanes).
    Shl {
        /// Lane width in bits.
        bits: u8,
    },
    /// `psrlw`/`psrld`/`psrlq` (66 0F D1/D2/D3): logical right shift.
    Shr {
        /// Lane width in bits.
        bits: u8,
    },
    /// `psraw`/`psrad` (66 0F E1/E2): arithmetic right shift (16 and 32-bit lanes).
    Sar {
        /// Lane width in bits.
        bits: u8,
    },
    /// `packsswb` (66 0F 63): words of `dst`, then of `src`, saturated to bytes.
    PackSignedWords,
    /// An SSE2 operation on 8- or 16-bit lanes only, by its opcode byte after 66 0F:
    /// saturating `paddus`/`padds`/`psubus`/`psubs` (DC DD, EC ED, D8 D9, E8 E9),
    /// `pavgb`/`pavgw` (E0, E3), `pminub`/`pmaxub` (DA, DE), `pminsw`/`pmaxsw` (EA, EE),
    /// `pmulhuw`/`pmulhw` (E4, E5).
    Narrow {
        /// The opcode byte.
        opcode: u8,
    },
    /// `cmpps`/`cmppd $pred` (0F C2 /r ib, 66 for `pd`): all ones in lanes where the
    /// predicate holds (0 eq, 1 lt, 2 le, 3 unordered, 4 neq, 5 nlt, 6 nle, 7 ordered).
    FCmp {
        /// 64-bit lanes.
        double: bool,
        /// The predicate.
        pred: u8,
    },
    /// An operation of the 66 0F 38 map by its last opcode byte (SSSE3: `pshufb` 00,
    /// `pabsb/w/d` 1C-1E; SSE4.1: `pcmpeqq` 29, `pminsb/sd/uw/ud` 38-3B, `pmaxsb/sd/uw/ud`
    /// 3C-3F, `pmulld` 40; SSE4.2: `pcmpgtq` 37). Lowering emits it only with the flag.
    Map38 {
        /// The last opcode byte.
        opcode: u8,
    },
    /// Another SSE/SSE2 operation, by its mandatory prefix (66 or none) and the opcode
    /// byte after 0F: the unpacks `punpckl*`/`punpckh*` (60-62, 68-6A), the packs
    /// `packssdw` (6B) and `packuswb` (67), `sqrtps`/`sqrtpd` (51), `cvtdq2ps` (5B),
    /// `cvtps2pd` (5A) and `cvtpd2ps` (66 5A). The unary ones read only `src`.
    Raw {
        /// The mandatory prefix (0x66), if any.
        prefix: Option<u8>,
        /// The opcode byte after 0F.
        opcode: u8,
    },
    /// `minps`/`minpd` (0F 5D, 66 0F 5D): per lane, the second operand when either is
    /// NaN or both are zeros.
    FMin {
        /// 64-bit lanes.
        double: bool,
    },
    /// `maxps`/`maxpd` (0F 5F, 66 0F 5F), likewise.
    FMax {
        /// 64-bit lanes.
        double: bool,
    },
    /// `addps`/`addpd` (0F 58, 66 0F 58), `double` for 64-bit lanes.
    FAdd {
        /// 64-bit lanes.
        double: bool,
    },
    /// `subps`/`subpd` (0F 5C).
    FSub {
        /// 64-bit lanes.
        double: bool,
    },
    /// `mulps`/`mulpd` (0F 59).
    FMul {
        /// 64-bit lanes.
        double: bool,
    },
    /// `divps`/`divpd` (0F 5E).
    FDiv {
        /// 64-bit lanes.
        double: bool,
    },
}

impl PackedOp {
    /// The mandatory prefix (66 or F2, if any) and the opcode byte after 0F.
    /// Whether the operation has a VEX.128 form taking its first operand in vvvv (Intel
    /// SDM vol. 2, 2.3): the binary ones. Not the unary ones (their vvvv must be 1111b),
    /// nor SSE4.1's blends, whose VEX forms have a fourth operand instead of xmm0.
    pub fn has_vex_form(self) -> bool {
        if let PackedOp::Map38 { opcode } = self {
            return matches!(opcode, 0x00..=0x0b | 0x28 | 0x29 | 0x2b | 0x37..=0x40);
        }
        let (prefix, opcode) = self.encoding();
        match opcode {
            0x10 => matches!(prefix, Some(0xf2 | 0xf3)),
            0x14 | 0x15 | 0x60..=0x6d | 0x74..=0x76 | 0xc2 => true,
            0x16 => prefix.is_none(),
            0x54..=0x5f => !matches!(opcode, 0x5a | 0x5b),
            0xd1..=0xfe => !matches!(opcode, 0xd6 | 0xd7 | 0xe6 | 0xe7 | 0xf0 | 0xf7),
            _ => false,
        }
    }

    /// The mandatory prefix and opcode byte (after 0F) of the SSE encoding.
    pub fn encoding(self) -> (Option<u8>, u8) {
        let (p66, op) = self.encoding_66();
        match self {
            PackedOp::MoveLowQuad => (Some(0xf2), 0x10),
            PackedOp::Raw { prefix, opcode: op } => (prefix, op),
            _ => (p66.then_some(0x66), op),
        }
    }

    fn encoding_66(self) -> (bool, u8) {
        let lanes = |bits: u8, ops: [u8; 4]| ops[bits.trailing_zeros() as usize - 3];
        match self {
            PackedOp::Add { bits: b } => (true, lanes(b, [0xfc, 0xfd, 0xfe, 0xd4])),
            PackedOp::Sub { bits: b } => (true, lanes(b, [0xf8, 0xf9, 0xfa, 0xfb])),
            PackedOp::MulLow16 => (true, 0xd5),
            PackedOp::And => (true, 0xdb),
            PackedOp::AndNot => (true, 0xdf),
            PackedOp::Or => (true, 0xeb),
            PackedOp::Xor => (true, 0xef),
            PackedOp::CmpEq { bits: 64 } => unreachable!("pcmpeqq is SSE4.1 (66 0F 38 29)"),
            PackedOp::CmpEq { bits: b } => (true, lanes(b, [0x74, 0x75, 0x76, 0])),
            PackedOp::CmpGt { bits: 64 } => unreachable!("pcmpgtq is SSE4.2 (66 0F 38 37)"),
            PackedOp::CmpGt { bits: b } => (true, lanes(b, [0x64, 0x65, 0x66, 0])),
            PackedOp::Shl { bits: b } => (true, lanes(b, [0, 0xf1, 0xf2, 0xf3])),
            PackedOp::Shr { bits: b } => (true, lanes(b, [0, 0xd1, 0xd2, 0xd3])),
            PackedOp::Sar { bits: b } => (true, lanes(b, [0, 0xe1, 0xe2, 0])),
            PackedOp::PackSignedWords => (true, 0x63),
            PackedOp::Narrow { opcode: op } => (true, op),
            PackedOp::Map38 { opcode: _ } => (true, 0x38),
            PackedOp::Raw {
                prefix: p,
                opcode: op,
            } => (p.is_some(), op),
            PackedOp::FCmp { double: d, pred: _ } => (d, 0xc2),
            PackedOp::UnpackLowBytes => (true, 0x60),
            PackedOp::UnpackLowQuads => (true, 0x6c),
            PackedOp::MoveLowQuad => (false, 0x10),
            PackedOp::FMin { double: d } => (d, 0x5d),
            PackedOp::FMax { double: d } => (d, 0x5f),
            PackedOp::FAdd { double: d } => (d, 0x58),
            PackedOp::FSub { double: d } => (d, 0x5c),
            PackedOp::FMul { double: d } => (d, 0x59),
            PackedOp::FDiv { double: d } => (d, 0x5e),
        }
    }
}

/// A one-operand scalar float operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum XmmUnaryOp {
    /// `sqrtss`/`sqrtsd` (F3/F2 0F 51).
    Sqrt,
    /// `cvtss2sd` (F3 0F 5A) or `cvtsd2ss` (F2 0F 5A): to the other format.
    Convert,
    /// `roundss`/`roundsd` (66 0F 3A 0A/0B ib, SSE4.1) with the rounding mode
    /// (0 nearest, 1 floor, 2 ceil, 3 trunc).
    Round(u8),
}

/// A bit-counting instruction (F3 0F xx).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitCountOp {
    /// Leading zeros (BD).
    Lzcnt,
    /// Trailing zeros (BC).
    Tzcnt,
    /// Set bits (B8).
    Popcnt,
}

/// A shift or rotate by `cl` (D3 /digit; the digit is the discriminant).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShiftOp {
    /// Rotate left.
    Rol = 0,
    /// Rotate right.
    Ror = 1,
    /// Shift left.
    Shl = 4,
    /// Logical shift right.
    Shr = 5,
    /// Arithmetic shift right.
    Sar = 7,
}

/// An x86 condition code (the low nibble of `jcc`/`setcc` opcodes; Intel SDM Vol. 1,
/// Appendix B).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cc {
    /// Equal (ZF).
    Z = 4,
    /// Not equal.
    Nz = 5,
    /// Unsigned below (CF).
    B = 2,
    /// Unsigned above or equal.
    Nb = 3,
    /// Unsigned below or equal.
    Be = 6,
    /// Unsigned above.
    Nbe = 7,
    /// Overflow (OF).
    O = 0,
    /// No overflow.
    No = 1,
    /// Sign (SF).
    S = 8,
    /// No sign.
    Ns = 9,
    /// Parity (PF): unordered after `ucomis*`.
    P = 10,
    /// No parity.
    Np = 11,
    /// Signed less.
    L = 12,
    /// Signed greater or equal.
    Nl = 13,
    /// Signed less or equal.
    Le = 14,
    /// Signed greater.
    Nle = 15,
}

impl Cc {
    /// The condition that holds exactly when this one does not (flip bit 0 of the code).
    pub fn invert(self) -> Cc {
        match self {
            Cc::O => Cc::No,
            Cc::No => Cc::O,
            Cc::Z => Cc::Nz,
            Cc::Nz => Cc::Z,
            Cc::B => Cc::Nb,
            Cc::Nb => Cc::B,
            Cc::Be => Cc::Nbe,
            Cc::Nbe => Cc::Be,
            Cc::S => Cc::Ns,
            Cc::Ns => Cc::S,
            Cc::P => Cc::Np,
            Cc::Np => Cc::P,
            Cc::L => Cc::Nl,
            Cc::Nl => Cc::L,
            Cc::Le => Cc::Nle,
            Cc::Nle => Cc::Le,
        }
    }

    /// The AT&T suffix (`e`, `ne`, `b`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Cc::Z => "e",
            Cc::Nz => "ne",
            Cc::B => "b",
            Cc::Nb => "ae",
            Cc::Be => "be",
            Cc::Nbe => "a",
            Cc::O => "o",
            Cc::No => "no",
            Cc::S => "s",
            Cc::Ns => "ns",
            Cc::P => "p",
            Cc::Np => "np",
            Cc::L => "l",
            Cc::Nl => "ge",
            Cc::Le => "le",
            Cc::Nle => "g",
        }
    }
}

/// The right operand of a comparison: a register or a sign-extended 32-bit immediate.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegOrImm {
    /// A register.
    Reg(Reg),
    /// An immediate (narrow comparisons use its low bits).
    Imm(i32),
}

/// How a value moves between a register and memory (stack arguments, return areas,
/// float loads and stores).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoveKind {
    /// A 64-bit general register (`mov`).
    Int,
    /// The low 32 bits of an xmm register (`movss`): `f32`, and `f16` in its low half.
    F32,
    /// The low 64 bits of an xmm register (`movsd`).
    F64,
    /// All 128 bits of an xmm register (`movups`): `f128`.
    V128,
}

/// The memory operand of [`Inst::XmmRmOp`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum XmmMem {
    /// A value loaded from this address.
    Mem(Addr),
    /// A constant, by its bits (the low 4 or 8 bytes are used), read from the
    /// function's constant pool.
    Const(u64),
}

/// A memory address on virtual registers, resolved to an [`args::Amode`] at emission.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Addr {
    /// `disp(base)`.
    Reg {
        /// The base register.
        base: Reg,
        /// The displacement in bytes.
        disp: i32,
    },
    /// `disp(base, index, 1 << shift)`.
    RegReg {
        /// The base register.
        base: Reg,
        /// The index register.
        index: Reg,
        /// log2 of the index's scale: 0 to 3.
        shift: u8,
        /// The displacement in bytes.
        disp: i32,
    },
    /// `offset` bytes into the frame's stack-slot area (`rsp`-relative once the frame is
    /// laid out).
    Slot {
        /// The offset in bytes.
        offset: i32,
    },
}

impl Addr {
    /// The address `by` bytes further (wrapping).
    pub fn offset(self, by: i32) -> Addr {
        match self {
            Addr::Reg { base, disp } => Addr::Reg {
                base,
                disp: disp.wrapping_add(by),
            },
            Addr::RegReg {
                base,
                index,
                shift,
                disp,
            } => Addr::RegReg {
                base,
                index,
                shift,
                disp: disp.wrapping_add(by),
            },
            Addr::Slot { offset } => Addr::Slot {
                offset: offset.wrapping_add(by),
            },
        }
    }

    /// Reports the registers it reads (base, then index).
    pub fn collect(&self, c: &mut OperandCollector) {
        match *self {
            Addr::Reg { base, .. } => c.reg_use(base),
            Addr::RegReg { base, index, .. } => {
                c.reg_use(base);
                c.reg_use(index);
            }
            Addr::Slot { .. } => {}
        }
    }

    /// How many registers it reads.
    pub fn num_regs(&self) -> usize {
        match self {
            Addr::Reg { .. } => 1,
            Addr::RegReg { .. } => 2,
            Addr::Slot { .. } => 0,
        }
    }
}

/// 128 bits of a constant as two 64-bit halves (low first), so instructions stay 8-byte
/// aligned (a `u128` field would make every instruction 16-byte aligned and larger).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bits128(pub [u64; 2]);

/// The number, as VCode listings show constants.
impl core::fmt::Debug for Bits128 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.get())
    }
}

impl Bits128 {
    /// The bits as one number.
    pub fn get(self) -> u128 {
        u128::from(self.0[0]) | u128::from(self.0[1]) << 64
    }
}

impl From<u128> for Bits128 {
    fn from(v: u128) -> Bits128 {
        Bits128([v as u64, (v >> 64) as u64])
    }
}

/// When a [`Inst::Jcc`] is taken, by the flags its producer set.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BranchCond {
    /// If the condition code holds.
    Cc {
        /// The condition.
        cc: Cc,
    },
    /// After `ucomis`: equal and ordered (ZF set, PF clear).
    FloatEq,
    /// After `ucomis`: not equal or unordered (ZF clear, or PF set).
    FloatNe,
}

/// The generated instruction code (`OUT_DIR/x64_inst.rs`, from `table.def`).
#[allow(missing_docs, clippy::all)]
pub mod generated {
    use super::emit::{self, Emit};
    use super::frame::FrameInst;
    use super::{
        Addr, AluOp, Atomic128Op, BitCountOp, Bits128, BlockTarget, BlockTargets, BranchCond,
        CallInfo, Cc, EvexOp, FrameRegKind, MoveKind, OptionAluOp, OptionTrapCode, PackedOp,
        RegOrImm, ShiftOp, UnaryOp, XmmMem, XmmOp, XmmUnaryOp, args::OperandSize,
    };
    use crate::ir::{AtomicRmwOp, ExternalName, FloatCC, IntCC, TrapCode};
    use crate::machinst::reg::{Reg, Writable};
    use crate::machinst::vcode::OperandCollector;
    use alloc::boxed::Box;
    use alloc::vec::Vec;
    #[allow(unused_imports)]
    use regalloc2::{PReg, PRegSet};
    include!(concat!(env!("OUT_DIR"), "/x64_inst.rs"));
}

pub use generated::Inst;

/// A block, as the index of its label.
pub type BlockTarget = usize;
/// Blocks, as the indices of their labels.
pub type BlockTargets = Vec<usize>;
/// The trap code of a memory access that may trap.
pub type OptionTrapCode = Option<TrapCode>;
/// An ALU operation, or `None` for `imul` (in [`Inst::AluRm`]).
pub type OptionAluOp = Option<AluOp>;

/// An [`Addr`] whose registers were allocated (hardware registers).
#[derive(Clone, Copy, Debug)]
pub enum AddrAlloc {
    /// `disp(base)`.
    Reg {
        /// The base register.
        base: Gpr,
        /// The displacement in bytes.
        disp: i32,
    },
    /// `disp(base, index << shift)`.
    RegReg {
        /// The base register.
        base: Gpr,
        /// The index register.
        index: Gpr,
        /// The index's scale, as a shift (0-3).
        shift: u8,
        /// The displacement in bytes.
        disp: i32,
    },
    /// An offset in the stack-slot area.
    Slot {
        /// Bytes into the stack-slot area.
        offset: i32,
    },
}

/// The next allocation as a general-purpose register.
fn next_gpr(allocs: &mut core::slice::Iter<'_, regalloc2::Allocation>) -> Gpr {
    encode::gpr(*allocs.next().expect("an allocation per register operand"))
}

impl Addr {
    /// The address with its registers' allocations taken from `allocs` (base, then
    /// index, as [`Addr::collect`] reported them).
    pub fn allocated(
        &self,
        allocs: &mut core::slice::Iter<'_, regalloc2::Allocation>,
    ) -> AddrAlloc {
        match *self {
            Addr::Reg { disp, .. } => AddrAlloc::Reg {
                base: next_gpr(allocs),
                disp,
            },
            Addr::RegReg { shift, disp, .. } => AddrAlloc::RegReg {
                base: next_gpr(allocs),
                index: next_gpr(allocs),
                shift,
                disp,
            },
            Addr::Slot { offset } => AddrAlloc::Slot { offset },
        }
    }
}

/// A [`RegOrImm`] whose register was allocated.
#[derive(Clone, Copy, Debug)]
pub enum RegOrImmAlloc {
    /// A general-purpose register.
    Reg(Gpr),
    /// A 32-bit immediate, sign-extended to the operation's size.
    Imm(i32),
}

impl RegOrImm {
    /// Reports the register, if any, as a use.
    pub fn collect(&self, c: &mut OperandCollector) {
        if let RegOrImm::Reg(r) = *self {
            c.reg_use(r);
        }
    }

    /// The operand with its register's allocation taken from `allocs`.
    pub fn allocated(
        &self,
        allocs: &mut core::slice::Iter<'_, regalloc2::Allocation>,
    ) -> RegOrImmAlloc {
        match *self {
            RegOrImm::Reg(_) => RegOrImmAlloc::Reg(next_gpr(allocs)),
            RegOrImm::Imm(k) => RegOrImmAlloc::Imm(k),
        }
    }
}

/// An [`XmmMem`] whose registers were allocated.
#[derive(Clone, Copy, Debug)]
pub enum XmmMemAlloc {
    /// A memory operand.
    Mem(AddrAlloc),
    /// A constant in the pool: its bits (the low 32 for `f32`).
    Const(u64),
}

impl XmmMem {
    /// Reports the address's registers, if any, as uses.
    pub fn collect(&self, c: &mut OperandCollector) {
        if let XmmMem::Mem(addr) = self {
            addr.collect(c);
        }
    }

    /// The operand with its registers' allocations taken from `allocs`.
    pub fn allocated(
        &self,
        allocs: &mut core::slice::Iter<'_, regalloc2::Allocation>,
    ) -> XmmMemAlloc {
        match self {
            XmmMem::Mem(addr) => XmmMemAlloc::Mem(addr.allocated(allocs)),
            XmmMem::Const(bits) => XmmMemAlloc::Const(*bits),
        }
    }
}

/// Whether a 32- or 64-bit addition of `imm` (or of a register: 0), or subtraction of
/// `imm`, may write a register other than its first operand: it is then emitted as `lea`
/// (Intel SDM vol. 2, LEA), which saves the copy a two-operand `add` would need (`lea`
/// leaves the flags alone, which no instruction here reads from an earlier one).
pub fn three_operand_add(op: AluOp, size: args::OperandSize, imm: i32) -> bool {
    let wide = matches!(size, args::OperandSize::Size32 | args::OperandSize::Size64);
    // `x - imm` is `x + (-imm)`, except for the one immediate without a negation.
    wide && (op == AluOp::Add || op == AluOp::Sub && imm != i32::MIN)
}

impl Inst {
    /// Whether it calls a function that returns here (tail calls do not count: they
    /// leave this frame first).
    pub fn is_call(&self) -> bool {
        self.form_call_info().is_some()
    }
}

impl MachInst for Inst {
    crate::table_mach_inst_methods!();

    type LabelUse = encode::Rel32;
    type Frame = frame::Frame;

    fn emit(
        &self,
        allocs: &[regalloc2::Allocation],
        buf: &mut MachBuffer<encode::Rel32>,
        labels: &[MachLabel],
        next: Option<MachLabel>,
        frame: &frame::Frame,
    ) {
        let mut e = emit::Emit {
            buf,
            labels,
            next,
            frame,
        };
        self.emit_form(allocs, &mut e);
    }

    fn emit_move(
        from: regalloc2::Allocation,
        to: regalloc2::Allocation,
        class: RegClass,
        buf: &mut MachBuffer<encode::Rel32>,
        frame: &frame::Frame,
    ) {
        emit::emit_move(buf, from, to, frame, class);
    }

    fn gen_prologue(frame: &frame::Frame) -> Vec<Inst> {
        frame::prologue(frame)
            .into_iter()
            .map(|inst| Inst::Frame { inst })
            .collect()
    }

    fn gen_teardown(&self, frame: &frame::Frame) -> Vec<Inst> {
        let insts = match self {
            Inst::Rets { .. } => frame::epilogue(frame),
            Inst::ReturnCallKnown { stack_bytes, .. }
            | Inst::ReturnCallUnknown { stack_bytes, .. } => {
                frame::tail_call_teardown(frame, *stack_bytes)
            }
            _ => return Vec::new(),
        };
        insts.into_iter().map(|inst| Inst::Frame { inst }).collect()
    }

    fn emit_jump(label: MachLabel, buf: &mut MachBuffer<encode::Rel32>) {
        encode::jump(buf, &[0xe9], label);
    }

    fn emit_nops(buf: &mut MachBuffer<encode::Rel32>, bytes: u32) {
        for _ in 0..bytes {
            buf.put1(0x90);
        }
    }

    /// x86-64's label references reach ±2 GiB and never need a veneer, so this bound
    /// only has to be safe: the longest sequence, a tail call copying 64 KiB of stack
    /// arguments, takes less than 128 KiB.
    fn worst_case_size() -> u32 {
        1 << 17
    }

    fn spillslot_size(class: RegClass) -> usize {
        match class {
            RegClass::Int => 1,
            _ => 2,
        }
    }

    fn preg_name(p: PReg) -> alloc::string::String {
        match (Gpr::from_preg(p), regs::Xmm::from_preg(p)) {
            (Some(g), _) => alloc::format!("{g}"),
            (_, Some(x)) => alloc::format!("{x}"),
            _ => alloc::format!("{p:?}"),
        }
    }
}
