//! x86-64 machine instructions: registers, operands, the instructions of the backend,
//! and their binary encoding.

pub mod args;
pub mod emit;
mod emit_float;
pub(crate) use emit_float::float_cc_flag;
mod emit_frame;
pub mod encode;
pub mod frame;
pub mod regs;

#[cfg(test)]
mod emit_tests;

use crate::ir::ExternalName;
use crate::ir::{AtomicRmwOp, FloatCC, IntCC, TrapCode};
use crate::machinst::MachInst;
use crate::machinst::buffer::{MachBuffer, MachLabel};
use crate::machinst::reg::{Reg, Writable};
use crate::machinst::vcode::OperandCollector;
use alloc::boxed::Box;
use alloc::vec::Vec;
use args::OperandSize;
use regalloc2::{PReg, PRegSet, RegClass};
use regs::Gpr;

/// A two-operand integer ALU operation (`dst = dst op src`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
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
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnaryOp {
    /// Two's-complement negation (F7 /3).
    Neg,
    /// Bitwise not (F7 /2).
    Not,
}

/// A value read from the frame's registers (or the pinned register).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
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

/// What an [`Inst::Atomic128`] does.
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
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
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
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
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
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BitCountOp {
    /// Leading zeros (BD).
    Lzcnt,
    /// Trailing zeros (BC).
    Tzcnt,
    /// Set bits (B8).
    Popcnt,
}

/// A shift or rotate by `cl` (D3 /digit; the digit is the discriminant).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
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
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
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
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RegOrImm {
    /// A register.
    Reg(Reg),
    /// An immediate (narrow comparisons use its low bits).
    Imm(i32),
}

/// How a value moves between a register and memory (stack arguments, return areas,
/// float loads and stores).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
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

/// The memory operand of [`Inst::XmmRM`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum XmmMem {
    /// A value loaded from this address.
    Mem(Addr),
    /// A constant, by its bits (the low 4 or 8 bytes are used), read from the
    /// function's constant pool.
    Const(u64),
}

/// A memory address on virtual registers, resolved to an [`args::Amode`] at emission.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
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

/// When a [`Inst::CondBranch`] is taken, by the flags its producer set.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
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

/// An x86-64 instruction on virtual registers. Block targets are VCode block indices.
#[derive(Clone, Debug, PartialEq)]
pub enum Inst {
    /// Defines the function's arguments in their ABI registers (emits nothing).
    Args {
        /// Each argument's register and where it arrives.
        args: Vec<(Writable<Reg>, PReg)>,
    },
    /// Returns the values in their ABI registers (the epilogue, then `ret`).
    Rets {
        /// Each returned value and the register it leaves in.
        rets: Vec<(Reg, PReg)>,
    },
    /// `mov src, dst` (64-bit).
    MovRR {
        /// Source.
        src: Reg,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// Loads a constant.
    Imm {
        /// The bits; narrower types use the low bits.
        value: u64,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// `op src2, dst` with `dst` = `src1` (two-address).
    AluRR {
        /// The operation.
        op: AluOp,
        /// The operation width.
        size: OperandSize,
        /// The first operand, overwritten.
        src1: Reg,
        /// The second operand.
        src2: Reg,
        /// The result (in `src1`'s register).
        dst: Writable<Reg>,
    },
    /// `op mem, dst` with `dst` = `src1`: an ALU operation or `imul` (`op` `None`) with a
    /// memory operand (a load folded into its only user).
    AluRM {
        /// The operation, or `None` for `imul` (0F AF /r).
        op: Option<AluOp>,
        /// The operation width (32 or 64).
        size: OperandSize,
        /// The first operand, overwritten.
        src1: Reg,
        /// The second operand, in memory.
        addr: Addr,
        /// The result.
        dst: Writable<Reg>,
        /// The trap code recorded for a fault, if the access may trap.
        trap: Option<TrapCode>,
    },
    /// `imul $imm, src, dst` (69 /r id or 6B /r ib): a product with a constant, in a
    /// register of its own (narrow types multiply at 32 bits: the low bits agree).
    ImulRI {
        /// The operation width (32 or 64; 8 and 16 use 32).
        size: OperandSize,
        /// The operand.
        src: Reg,
        /// The constant, sign-extended to the width.
        imm: i32,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `imul src2, dst` with `dst` = `src1`.
    Imul {
        /// The operation width (16, 32 or 64).
        size: OperandSize,
        /// The first operand, overwritten.
        src1: Reg,
        /// The second operand.
        src2: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `cmp b, a` (`test a, a` when `b` is 0): sets the flags for the one instruction
    /// that consumes them (`Setcc`, `Cmov`), pushed right after it. Only regalloc2's moves
    /// can come between, and x86-64 moves leave the flags alone.
    Cmp {
        /// The comparison width.
        size: OperandSize,
        /// Left operand.
        a: Reg,
        /// Right operand.
        b: RegOrImm,
    },
    /// `setcc dst; movzbl dst, dst`: 1 if the flags (of the instruction before) say `cc`,
    /// else 0.
    Setcc {
        /// The condition.
        cc: Cc,
        /// The 0/1 result.
        dst: Writable<Reg>,
    },
    /// `op $imm, dst` with `dst` = `src` (83 /digit ib or 81 /digit id).
    AluRI {
        /// The operation.
        op: AluOp,
        /// The operation width.
        size: OperandSize,
        /// The operand, overwritten.
        src: Reg,
        /// The immediate, sign-extended to the operation width.
        imm: i32,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `neg dst` or `not dst` with `dst` = `src`.
    Unary {
        /// The operation.
        op: UnaryOp,
        /// The operation width.
        size: OperandSize,
        /// The operand, overwritten.
        src: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// A shift by a register amount into any register, with BMI2: `shlx`/`shrx`/`sarx`
    /// (Intel SDM vol. 2, SARX/SHLX/SHRX; VEX.LZ.{66,F2,F3}.0F38.W{0,1} F7 /r, the amount
    /// in VEX.vvvv, masked to 5 or 6 bits like the other shifts). 32 and 64 bits only.
    ShiftX {
        /// `Shl`, `Shr` or `Sar`.
        op: ShiftOp,
        /// 32 or 64 bits.
        size: OperandSize,
        /// The value shifted.
        src: Reg,
        /// The amount.
        amount: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// A shift or rotate of `src` by `cl` (the hardware masks the count to 5 bits, or 6
    /// for 64-bit operations).
    Shift {
        /// The operation.
        op: ShiftOp,
        /// The operation width.
        size: OperandSize,
        /// The operand, overwritten.
        src: Reg,
        /// The count, in `rcx`.
        amount: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// Zero- or sign-extension of the low `from` bits of `src` to 64 bits.
    Extend {
        /// Sign-extend rather than zero-extend.
        signed: bool,
        /// The source width (8, 16 or 32).
        from: OperandSize,
        /// Source.
        src: Reg,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// `test c, c; cmovnz t, dst` with `dst` = `f`: `c != 0 ? t : f`.
    Select {
        /// The width of `c`.
        size: OperandSize,
        /// The condition.
        c: Reg,
        /// The value if non-zero.
        t: Reg,
        /// The value if zero, overwritten.
        f: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `cmovcc t, dst` with `dst` = `f`: `t` if the flags (of the instruction before) say
    /// `cc`, else `f` (64-bit: narrower values only use the low bits).
    Cmov {
        /// When to take `t`.
        cc: Cc,
        /// The value if `cc` holds.
        t: Reg,
        /// The value otherwise, overwritten.
        f: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `ucomiss b, a` or `ucomisd b, a` (NP/66 0F 2E /r): sets the flags for the one
    /// instruction that consumes them (`Cmov`, `Setcc`), pushed right after it, as `Cmp`.
    Ucomis {
        /// `f64` rather than `f32`.
        double: bool,
        /// Left operand.
        a: Reg,
        /// Right operand.
        b: Reg,
    },
    /// `cmp b, a; cmovcc b, dst` with `dst` = `a`: `b` if `a cc b`, else `a` (min/max).
    CmpCmov {
        /// The comparison width.
        size: OperandSize,
        /// When to take `b`.
        cc: Cc,
        /// Left operand, overwritten.
        a: Reg,
        /// Right operand.
        b: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `mov src, dst; neg dst; cmovs src, dst`: the absolute value (wrapping at MIN).
    Abs {
        /// The operation width.
        size: OperandSize,
        /// Source.
        src: Reg,
        /// The result (an early def, so it is not `src`'s register).
        dst: Writable<Reg>,
    },
    /// Division with the checks CLIF requires: a zero divisor traps
    /// (`int_divz`); for signed division `MIN / -1` traps (`int_ovf`) and `MIN % -1` is 0.
    /// The dividend is in `rax`; the quotient comes out in `rax`, the remainder in `rdx`.
    Div {
        /// Signed (`idiv`) or unsigned (`div`).
        signed: bool,
        /// The division width (32 or 64; narrower operands are extended first).
        size: OperandSize,
        /// The CLIF type's width, for the `MIN / -1` check.
        narrow: OperandSize,
        /// Whether the quotient is wanted, so `MIN / -1` must trap (for a remainder
        /// the divisor -1 just gives 0).
        quotient_wanted: bool,
        /// The dividend, in `rax`.
        dividend: Reg,
        /// The divisor.
        divisor: Reg,
        /// The quotient, in `rax`.
        quotient: Writable<Reg>,
        /// The remainder, in `rdx` (early def: `rdx` is written before `divisor` is read).
        remainder: Writable<Reg>,
    },
    /// A load of `size` bytes from `disp(base)` into a 64-bit register, zero- or
    /// sign-extended (`movzx`/`movsx`/`mov`).
    Load {
        /// The width in memory.
        size: OperandSize,
        /// Sign-extend rather than zero-extend.
        signed: bool,
        /// The address.
        addr: Addr,
        /// Destination.
        dst: Writable<Reg>,
        /// The trap code recorded for a fault, if the access may trap.
        trap: Option<TrapCode>,
    },
    /// A store of the low `size` bytes of `src` to `disp(base)`.
    Store {
        /// The width in memory.
        size: OperandSize,
        /// The value.
        src: Reg,
        /// The address.
        addr: Addr,
        /// The trap code recorded for a fault, if the access may trap.
        trap: Option<TrapCode>,
    },
    /// `lea` of a stack slot: `offset` bytes into the frame's stack-slot area.
    StackAddr {
        /// The offset within the stack-slot area.
        offset: i32,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// A shift or rotate of `src` by the immediate `imm` (C1 /digit ib; C0 for bytes).
    ShiftRI {
        /// The operation.
        op: ShiftOp,
        /// The operation width.
        size: OperandSize,
        /// The operand, overwritten.
        src: Reg,
        /// The count, already reduced modulo the width.
        imm: u8,
        /// The result.
        dst: Writable<Reg>,
    },
    /// A bit count into `dst`: `lzcnt`, `tzcnt`, `popcnt` (F3 0F BD/BC/B8) at 32 or 64
    /// bits.
    BitCount {
        /// The operation.
        op: BitCountOp,
        /// 32 or 64 bits.
        size: OperandSize,
        /// Source.
        src: Reg,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// Leading or trailing zeros of the low `bits` bits of `src` (zero-extended) without
    /// LZCNT/TZCNT: `bsr`/`bsf` with the zero input handled by `cmovz`.
    BitScan {
        /// Leading (`bsr`) rather than trailing (`bsf`) zeros.
        leading: bool,
        /// The width counted.
        bits: u8,
        /// Source (zero-extended to 64 bits).
        src: Reg,
        /// Scratch (early def).
        tmp: Writable<Reg>,
        /// The count (early def).
        dst: Writable<Reg>,
    },
    /// `bswap` (0F C8+r) at 32 or 64 bits, or `rol $8` at 16 bits.
    Bswap {
        /// The width.
        size: OperandSize,
        /// The operand, overwritten.
        src: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `mov src, dst; neg dst; sbb dst, dst`: all ones if `src` is non-zero, else zero.
    Bmask {
        /// The width of `src`.
        size: OperandSize,
        /// Source.
        src: Reg,
        /// The mask (early def).
        dst: Writable<Reg>,
    },
    /// One-operand `mul`/`imul` (F7 /4, /5; F6 for bytes): `rdx:rax = rax * b`, with
    /// CF/OF telling whether the high half is significant.
    MulWide {
        /// Signed (`imul`).
        signed: bool,
        /// The width (16, 32 or 64; 8 writes `ax` only).
        size: OperandSize,
        /// The first factor, in `rax`.
        a: Reg,
        /// The second factor.
        b: Reg,
        /// The low half, in `rax`.
        lo: Writable<Reg>,
        /// The high half, in `rdx`.
        hi: Writable<Reg>,
        /// If wanted: 1 if the product overflowed the width (`seto`), else 0.
        overflow: Option<Writable<Reg>>,
    },
    /// `add src2, dst` or `sub src2, dst` with `dst` = `src1` (01 /r, 29 /r; 00 and 28
    /// for bytes), always in that form (never a `lea`): it sets the flags for the one
    /// instruction that consumes them.
    AluFlags {
        /// `Add` or `Sub`.
        op: AluOp,
        /// The operation width.
        size: OperandSize,
        /// The first operand, overwritten.
        src1: Reg,
        /// The second operand.
        src2: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `bt $0, src` (0F BA /4 ib): the carry flag set to bit 0 of `src`, for the one
    /// instruction that consumes it.
    Bt0 {
        /// The register tested.
        src: Reg,
    },
    /// `adc src2, dst` or `sbb src2, dst` with `dst` = `src1` (11 /r, 19 /r; 10 and 18
    /// for bytes): consumes the carry flag and sets the flags.
    AluCarry {
        /// `Add` (adc) or `Sub` (sbb).
        op: AluOp,
        /// The operation width.
        size: OperandSize,
        /// The first operand, overwritten.
        src1: Reg,
        /// The second operand.
        src2: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `add b, dst` with `dst` = `a`, trapping with `code` on unsigned overflow (carry).
    AddTrap {
        /// The width.
        size: OperandSize,
        /// First operand, overwritten.
        a: Reg,
        /// Second operand.
        b: Reg,
        /// The result.
        dst: Writable<Reg>,
        /// The trap code.
        code: TrapCode,
    },
    /// A scalar float operation `dst = src1 op src2` (two-address; SSE `*ss`/`*sd`, or
    /// the bitwise `*ps` forms).
    XmmRR {
        /// The operation.
        op: XmmOp,
        /// `f64` (`sd`) rather than `f32` (`ss`).
        double: bool,
        /// First operand, overwritten.
        src1: Reg,
        /// Second operand.
        src2: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// A scalar float `add`/`sub`/`mul`/`div` whose second operand is in memory: a load
    /// folded into the instruction, or a constant in the pool (`addsd m64, xmm`; Intel SDM
    /// vol. 2, ADDSD/SUBSD/MULSD/DIVSD and the `ss` forms, which read 4 or 8 bytes).
    XmmRM {
        /// The operation: `Add`, `Sub`, `Mul` or `Div`.
        op: XmmOp,
        /// `f64` (`sd`) rather than `f32` (`ss`).
        double: bool,
        /// First operand, overwritten.
        src1: Reg,
        /// Second operand.
        src2: XmmMem,
        /// The result.
        dst: Writable<Reg>,
        /// The trap code recorded for a fault of the load, if it may trap.
        trap: Option<TrapCode>,
    },
    /// A fused multiply-add, `dst = a * b + c` rounded once, with FMA3:
    /// `vfmadd213ss/sd c, b, dst` where `dst` starts as `a` (Intel SDM vol. 2,
    /// VFMADD213SD; VEX.LIG.66.0F38.W1 A9 /r, W0 for the `ss` form).
    Fma {
        /// `f64` (`sd`) rather than `f32` (`ss`).
        double: bool,
        /// All lanes (`vfmadd213ps/pd`, A8) rather than the low one (`ss/sd`, A9).
        packed: bool,
        /// First factor, overwritten.
        a: Reg,
        /// Second factor.
        b: Reg,
        /// Addend.
        c: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `dst = base + (index << shift)` at 32 or 64 bits: `lea (base, index, 1 << shift),
    /// dst` (Intel SDM vol. 2, LEA with a SIB byte; the flags are left alone).
    LeaScaled {
        /// 32 or 64 bits.
        size: OperandSize,
        /// The base register.
        base: Reg,
        /// The index register.
        index: Reg,
        /// log2 of the scale: 1 to 3.
        shift: u8,
        /// The result.
        dst: Writable<Reg>,
    },
    /// A scalar float operation `dst = src1 op src2` into any register, with AVX: the
    /// VEX forms of [`Inst::XmmRR`]'s arithmetic and bitwise operations (`vaddsd`,
    /// `vandps`, ...; Intel SDM vol. 2, VEX.LIG/128 encodings of the same opcodes, the
    /// first source in VEX.vvvv).
    XmmRRR {
        /// The operation: arithmetic or bitwise (not a move or unpack).
        op: XmmOp,
        /// `f64` (`sd`) rather than `f32` (`ss`); bitwise operations are `ps` forms.
        double: bool,
        /// First operand.
        src1: Reg,
        /// Second operand.
        src2: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// A lane shuffle by an immediate into any register: `pshufd` (66 0F 70 /r ib, 32-bit
    /// lanes) or, with `low_words`, `pshuflw` (F2 0F 70 /r ib, the low four 16-bit lanes;
    /// the high quadword is copied).
    Pshuf {
        /// `pshuflw` rather than `pshufd`.
        low_words: bool,
        /// Two bits per destination lane: the source lane.
        imm: u8,
        /// Source.
        src: Reg,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// The sign bits of the lanes of `src` into the low bits of a general register:
    /// `pmovmskb` (66 0F D7, bytes), `movmskps` (0F 50, 32-bit lanes) or `movmskpd`
    /// (66 0F 50, 64-bit lanes), by `lane_bits`.
    Movmsk {
        /// 8, 32 or 64.
        lane_bits: u8,
        /// The vector.
        src: Reg,
        /// The general register.
        dst: Writable<Reg>,
    },
    /// `pextrw $lane, src, dst` (66 0F C5 /r ib): a 16-bit lane, zero-extended, into a
    /// general register.
    Pextrw {
        /// The lane, 0 to 7.
        lane: u8,
        /// The vector.
        src: Reg,
        /// The general register.
        dst: Writable<Reg>,
    },
    /// `pinsrw $lane, src2, dst` (66 0F C4 /r ib): a general register's low 16 bits into
    /// a lane of `dst`, which starts as `src1`.
    Pinsrw {
        /// The lane, 0 to 7.
        lane: u8,
        /// The vector, overwritten.
        src1: Reg,
        /// The general register.
        src2: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// An SSE4.1 lane insertion (66 [REX.W] 0F 3A op /r ib): `pinsrb` (20), `pinsrd`/
    /// `pinsrq` (22, REX.W for 64 bits) from a general register, or `insertps` (21) from
    /// an xmm register; `dst` starts as `src1`.
    Insert41 {
        /// The opcode byte after 0F 3A.
        op: u8,
        /// REX.W (`pinsrq`).
        wide: bool,
        /// The immediate: the lane (for `insertps`, the lane shifted left by 4).
        imm: u8,
        /// The vector, overwritten.
        src1: Reg,
        /// The value inserted (a general register, or an xmm register for `insertps`).
        src2: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// A two-operand operation on whole xmm registers (vector lanes); see [`PackedOp`].
    Packed {
        /// The operation.
        op: PackedOp,
        /// First operand, overwritten.
        src1: Reg,
        /// Second operand.
        src2: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// A one-operand scalar float operation into `dst`.
    XmmUnary {
        /// The operation.
        op: XmmUnaryOp,
        /// The operand's format: `f64` rather than `f32`.
        double: bool,
        /// Source.
        src: Reg,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// A float constant: `xorps dst, dst` for all-zero bits, else `movss`/`movsd`/
    /// `movups` from a RIP-relative copy in the function's constant pool (Intel SDM
    /// vol. 2, MOVSS/MOVSD/MOVUPS, XORPS).
    XmmConst {
        /// The width loaded (not `Int`).
        kind: MoveKind,
        /// The constant's bits (the low 4, 8 or 16 bytes, little-endian, are used).
        bits: Bits128,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// `movd`/`movq` from a general register to an xmm register (66 [REX.W] 0F 6E).
    GprToXmm {
        /// 64 bits rather than 32.
        wide: bool,
        /// Source.
        src: Reg,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// `movd`/`movq` from an xmm register to a general register (66 [REX.W] 0F 7E).
    XmmToGpr {
        /// 64 bits rather than 32.
        wide: bool,
        /// Source.
        src: Reg,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// `cvtsi2ss`/`cvtsi2sd` of a signed 32- or 64-bit integer.
    CvtIntToFloat {
        /// The integer is 64-bit.
        wide: bool,
        /// To `f64` rather than `f32`.
        double: bool,
        /// Source.
        src: Reg,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// An unsigned 64-bit integer to float (halving values with the top bit set).
    CvtU64ToFloat {
        /// To `f64` rather than `f32`.
        double: bool,
        /// Source.
        src: Reg,
        /// Destination (early def).
        dst: Writable<Reg>,
        /// Scratch (early def).
        tmp1: Writable<Reg>,
        /// Scratch (early def).
        tmp2: Writable<Reg>,
    },
    /// Float to integer with CLIF's semantics: trapping (`bad_toint` on NaN, `int_ovf`
    /// out of range) or saturating (NaN is 0).
    CvtFloatToInt {
        /// To a signed integer.
        signed: bool,
        /// Saturate rather than trap.
        sat: bool,
        /// From `f64` rather than `f32`.
        double: bool,
        /// To a 64-bit rather than 32-bit integer.
        wide: bool,
        /// Source.
        src: Reg,
        /// Destination (early def).
        dst: Writable<Reg>,
        /// Scratch general register (early def).
        tmp_gpr: Writable<Reg>,
        /// Scratch xmm register (early def).
        tmp_xmm: Writable<Reg>,
        /// Second scratch xmm register (early def).
        tmp_xmm2: Writable<Reg>,
    },
    /// `ucomiss`/`ucomisd` and `setcc`: 1 if `a cc b`, else 0.
    Fcmp {
        /// `f64` rather than `f32`.
        double: bool,
        /// The condition.
        cc: FloatCC,
        /// Left operand.
        a: Reg,
        /// Right operand.
        b: Reg,
        /// The 0/1 result (early def).
        dst: Writable<Reg>,
        /// Scratch for the two-flag conditions (early def).
        tmp: Writable<Reg>,
    },
    /// `c != 0 ? t : f` on xmm registers, with a branch over a `movaps`.
    XmmSelect {
        /// The width of `c`.
        size: OperandSize,
        /// The condition.
        c: Reg,
        /// The value if non-zero.
        t: Reg,
        /// The value if zero, overwritten.
        f: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// CLIF `fmin`/`fmax`: NaN if either input is NaN, and -0 below +0.
    FminMax {
        /// `fmax` rather than `fmin`.
        max: bool,
        /// `f64` rather than `f32`.
        double: bool,
        /// First operand, overwritten.
        a: Reg,
        /// Second operand.
        b: Reg,
        /// The result.
        dst: Writable<Reg>,
    },
    /// `movss`/`movsd` from `disp(base)`.
    XmmLoad {
        /// The width (not `Int`).
        kind: MoveKind,
        /// The address.
        addr: Addr,
        /// Destination.
        dst: Writable<Reg>,
        /// The trap code recorded for a fault, if the access may trap.
        trap: Option<TrapCode>,
    },
    /// `movss`/`movsd` to `disp(base)`.
    XmmStore {
        /// The width (not `Int`).
        kind: MoveKind,
        /// The value.
        src: Reg,
        /// The address.
        addr: Addr,
        /// The trap code recorded for a fault, if the access may trap.
        trap: Option<TrapCode>,
    },
    /// `call` of a named function (`call rel32` with an `R_X86_64_PLT32` relocation).
    CallKnown {
        /// The callee.
        dest: ExternalName,
        /// The call: argument and result registers, and what it clobbers.
        info: Box<CallInfo>,
    },
    /// `call *callee`.
    CallUnknown {
        /// The address called.
        callee: Reg,
        /// The call: argument and result registers, and what it clobbers.
        info: Box<CallInfo>,
    },
    /// A tail call: the epilogue, then `jmp rel32` to a named function.
    ReturnCallKnown {
        /// The callee.
        dest: ExternalName,
        /// The arguments, in their registers.
        uses: Vec<(Reg, PReg)>,
        /// Bytes of the callee's stack arguments, stored at the bottom of the outgoing
        /// area; they move to the top of the frame before the jump.
        stack_bytes: u32,
    },
    /// A tail call: the epilogue, then `jmp *%r11`.
    ReturnCallUnknown {
        /// The address, in `r11` (not callee-saved, so it survives the epilogue).
        callee: Reg,
        /// The arguments, in their registers.
        uses: Vec<(Reg, PReg)>,
        /// As for [`Inst::ReturnCallKnown`].
        stack_bytes: u32,
    },
    /// The address of thread-local `symbol` in the ELF general-dynamic model
    /// (Drepper, "ELF Handling For Thread-Local Storage", §4.1.6):
    /// `data16 lea sym@tlsgd(%rip), %rdi; data16 data16 rex.W call __tls_get_addr@plt`.
    /// The padding prefixes let a linker relax the sequence; the result is in `rax`.
    ElfTlsGetAddr {
        /// The thread-local symbol.
        symbol: ExternalName,
        /// The call's registers: the result in `rax`, the System V clobbers.
        info: Box<CallInfo>,
    },
    /// A function's or symbol's address: `movabs $name, dst` with an `R_X86_64_64`
    /// relocation; in position-independent code (`is_pic`) `lea name(%rip), dst`
    /// (`R_X86_64_PC32`) when colocated, else a load from the GOT (`R_X86_64_GOTPCREL`).
    LoadExtName {
        /// The name.
        name: ExternalName,
        /// Added to the address (within 32 bits in position-independent code).
        offset: i64,
        /// The symbol is in the same linked image as the code (`colocated`).
        colocated: bool,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// Reads a frame register: `mov %rbp, dst` (`get_frame_pointer`), `mov %rsp, dst`
    /// (`get_stack_pointer`), or `mov 8(%rbp), dst` (`get_return_address`).
    FrameReg {
        /// Which value.
        which: FrameRegKind,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// Loads an argument passed on the stack: `offset` bytes above the return address.
    LoadStackArg {
        /// The offset in the incoming argument area.
        offset: u32,
        /// The register kind and width.
        kind: MoveKind,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// Loads a result a call left in the return area, `offset` bytes above `rsp`.
    LoadOutgoing {
        /// The offset in the outgoing area.
        offset: u32,
        /// The register kind and width.
        kind: MoveKind,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// `lea offset(%rsp), dst`: the address of a call's return area in the outgoing area.
    OutgoingAddr {
        /// The offset in the outgoing area.
        offset: u32,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// Stores an outgoing call argument `offset` bytes above `rsp`.
    StoreStackArg {
        /// The offset in the outgoing argument area.
        offset: u32,
        /// The register kind and width.
        kind: MoveKind,
        /// The value.
        src: Reg,
    },
    /// A 128-bit add or subtract: `add`/`sub` on the low halves, `adc`/`sbb` on the high.
    /// The results are early definitions, apart from every operand: the low result is
    /// written before the high operands are read.
    Alu128 {
        /// Add or Sub.
        op: AluOp,
        /// First operand, low half.
        a_lo: Reg,
        /// First operand, high half.
        a_hi: Reg,
        /// Second operand, low half.
        b_lo: Reg,
        /// Second operand, high half.
        b_hi: Reg,
        /// Result, low half.
        dst_lo: Writable<Reg>,
        /// Result, high half.
        dst_hi: Writable<Reg>,
    },
    /// A 128-bit comparison into a 0/1 byte.
    Cmp128 {
        /// The condition.
        cc: IntCC,
        /// First operand, low half.
        a_lo: Reg,
        /// First operand, high half.
        a_hi: Reg,
        /// Second operand, low half.
        b_lo: Reg,
        /// Second operand, high half.
        b_hi: Reg,
        /// The 0/1 result (early def).
        dst: Writable<Reg>,
        /// Scratch (early def).
        tmp: Writable<Reg>,
    },
    /// A `try_call`: the call, then a jump to the normal-return edge. The handler edges
    /// are entered by the unwinder; they are successors for register allocation.
    TryCall {
        /// The callee: a name (`call rel32`) or a register (`call *r`, its operand).
        dest: Option<Box<ExternalName>>,
        /// The callee register when `dest` is `None`.
        callee: Option<Reg>,
        /// The call: argument and result registers, and what it clobbers.
        info: Box<CallInfo>,
        /// The block after a normal return.
        normal: usize,
        /// The handler blocks, in exception-table order.
        handlers: Box<[usize]>,
        /// The tag each handler catches (`None`: the default handler).
        tags: Box<[Option<u32>]>,
    },
    /// `lea label(%rip), dst`: the address of a block (an exception handler).
    LoadLabelAddr {
        /// The block.
        target: usize,
        /// Destination.
        dst: Writable<Reg>,
    },
    /// `int3`: a breakpoint for a debugger.
    Debugtrap,
    /// `mfence`.
    Mfence,
    /// An atomic read-modify-write of `size` bytes at `(addr)`, returning the old value
    /// in `rax`: `lock xadd` (add, sub), `xchg`, or a `lock cmpxchg` loop for the rest.
    AtomicRmw {
        /// The operation.
        op: AtomicRmwOp,
        /// The access width.
        size: OperandSize,
        /// The address.
        addr: Reg,
        /// The operand.
        operand: Reg,
        /// Scratch for the loop (early def).
        tmp: Writable<Reg>,
        /// The old value, in `rax` (early def: the loop writes it first).
        dst: Writable<Reg>,
    },
    /// An `i128` atomic access built on `lock cmpxchg16b (addr)` (Intel SDM vol. 2,
    /// CMPXCHG8B/CMPXCHG16B: compares `rdx:rax` with the 16 bytes, stores `rcx:rbx` if
    /// equal, else loads them into `rdx:rax`). The old value ends in `rdx:rax`.
    Atomic128 {
        /// What to do.
        op: Atomic128Op,
        /// The address (16-byte aligned).
        addr: Reg,
        /// The value stored or operated with (store, read-modify-write) or the
        /// replacement (compare-and-swap): low and high halves.
        src: Option<(Reg, Reg)>,
        /// The expected value of a compare-and-swap (fixed in `rax`, `rdx`).
        expected: Option<(Reg, Reg)>,
        /// Scratch for min/max (early def).
        tmp: Option<Writable<Reg>>,
        /// `rbx` and `rcx`, written by the sequence (early defs) unless they carry the
        /// replacement of a compare-and-swap.
        scratch: Option<(Writable<Reg>, Writable<Reg>)>,
        /// The old value, in `rax` and `rdx`.
        dst: (Writable<Reg>, Writable<Reg>),
    },
    /// `lock cmpxchg replacement, (addr)` with `expected` in `rax`; the old value comes
    /// back in `rax`.
    AtomicCas {
        /// The access width.
        size: OperandSize,
        /// The address.
        addr: Reg,
        /// The value expected, in `rax`.
        expected: Reg,
        /// The value stored if the expected one is found.
        replacement: Reg,
        /// The old value, in `rax`.
        dst: Writable<Reg>,
    },
    /// `mov src, %r15`: `set_pinned_reg`.
    SetPinned {
        /// The value.
        src: Reg,
    },
    /// `ud2`, recording `code` as a trap site.
    Trap {
        /// The trap code.
        code: TrapCode,
    },
    /// `test c, c; j(n)z over; ud2`: traps with `code` if `c` is zero (`trapz`) or non-zero.
    TrapIf {
        /// Trap on non-zero rather than zero.
        nonzero: bool,
        /// The width of `c`.
        size: OperandSize,
        /// The condition.
        c: Reg,
        /// The trap code.
        code: TrapCode,
    },
    /// `br_table`: to `targets[idx]` if `idx` (32-bit, unsigned) is in range, else to
    /// `default`, through a table of 32-bit offsets placed after the jump.
    JmpTable {
        /// The index.
        idx: Reg,
        /// Scratch registers (early defs, distinct from `idx`).
        tmp1: Writable<Reg>,
        /// Second scratch register.
        tmp2: Writable<Reg>,
        /// The block taken out of range.
        default: usize,
        /// The blocks by index.
        targets: Vec<usize>,
    },
    /// `jmp target`.
    Jmp {
        /// The target block.
        target: usize,
    },
    /// An instruction of the prologue, epilogue or a tail call's teardown, on physical
    /// registers (no operands for regalloc2).
    Frame {
        /// The instruction.
        inst: frame::FrameInst,
    },
    /// A conditional branch: `flags` (a flags producer: `Cmp`, `Test`, `CmpZeroMem` or
    /// `Ucomis`), then `jcc taken` (two jumps for the float equalities) and `jmp
    /// not_taken` unless it comes next. The producer is part of the terminator, as a
    /// block ends in one instruction for regalloc2; lowering pairs them through the
    /// flags model like any other producer and consumer.
    CondBranch {
        /// The instruction setting the flags.
        flags: alloc::boxed::Box<Inst>,
        /// When the branch is taken.
        cond: BranchCond,
        /// Taken if the condition holds.
        taken: usize,
        /// Taken otherwise.
        not_taken: usize,
    },
    /// `test b, a` (85 /r, F7 /0 id; 84 and F6 for bytes): sets the flags of `a & b` for
    /// the one instruction that consumes them.
    Test {
        /// The operation width.
        size: OperandSize,
        /// One operand.
        a: Reg,
        /// The other, or an immediate.
        b: RegOrImm,
    },
    /// `cmp $0, mem` (83 /7 ib, 80 /7 ib for bytes): flags of a loaded value, the load
    /// folded into the comparison.
    CmpZeroMem {
        /// The load width.
        size: OperandSize,
        /// The loaded address.
        addr: Addr,
        /// The load's trap code, if it may trap.
        trap: Option<TrapCode>,
    },
}

impl CallInfo {
    fn operands(&self, c: &mut OperandCollector) {
        self.uses.iter().for_each(|&(r, p)| c.reg_fixed_use(r, p));
        self.defs.iter().for_each(|&(r, p)| c.reg_fixed_def(r, p));
        for p in self.clobbers {
            c.reg_clobber(p);
        }
    }
}

impl Inst {
    /// Whether this 32- or 64-bit addition (or subtraction of a constant) may write a
    /// register other than its first operand: it is then emitted as `lea` (Intel SDM
    /// vol. 2, LEA), which saves the copy a two-operand `add` would need. `lea` leaves
    /// the flags alone, which no instruction here reads from an earlier one.
    pub fn is_three_operand_add(&self) -> bool {
        let wide = |size: &OperandSize| matches!(size, OperandSize::Size32 | OperandSize::Size64);
        match self {
            Inst::AluRR {
                op: AluOp::Add,
                size,
                ..
            } => wide(size),
            Inst::AluRI {
                op: AluOp::Add,
                size,
                ..
            } => wide(size),
            // `x - imm` is `x + (-imm)`, except for the one immediate without a negation.
            Inst::AluRI {
                op: AluOp::Sub,
                size,
                imm,
                ..
            } => wide(size) && *imm != i32::MIN,
            _ => false,
        }
    }

    /// Whether it calls a function that returns here (tail calls do not count: they
    /// leave this frame first).
    pub fn is_call(&self) -> bool {
        matches!(
            self,
            Inst::CallKnown { .. }
                | Inst::CallUnknown { .. }
                | Inst::ElfTlsGetAddr { .. }
                | Inst::TryCall { .. }
        )
    }
}

impl MachInst for Inst {
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
        emit::emit_inst(self, allocs, buf, labels, next, frame);
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

    fn call_clobbers(&self) -> Option<PRegSet> {
        match self {
            Inst::CallKnown { info, .. }
            | Inst::CallUnknown { info, .. }
            | Inst::ElfTlsGetAddr { info, .. }
            | Inst::TryCall { info, .. } => Some(info.clobbers),
            _ => None,
        }
    }

    fn get_operands(&self, c: &mut OperandCollector) {
        match self {
            Inst::Args { args } => args.iter().for_each(|&(r, p)| c.reg_fixed_def(r, p)),
            Inst::Rets { rets } => rets.iter().for_each(|&(r, p)| c.reg_fixed_use(r, p)),
            Inst::MovRR { src, dst } => {
                c.reg_use(*src);
                c.reg_def(*dst);
            }
            Inst::Imm { dst, .. } => c.reg_def(*dst),
            Inst::ImulRI { src, dst, .. } => {
                c.reg_use(*src);
                c.reg_def(*dst);
            }
            Inst::AluRM {
                src1, addr, dst, ..
            } => {
                c.reg_use(*src1);
                addr.collect(c);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::AluRR {
                src1, src2, dst, ..
            }
            | Inst::Imul {
                src1, src2, dst, ..
            } => {
                c.reg_use(*src1);
                c.reg_use(*src2);
                if self.is_three_operand_add() {
                    c.reg_def(*dst);
                } else {
                    c.reg_reuse_def(*dst, 0);
                }
            }
            Inst::Cmp { a, b, .. } => {
                c.reg_use(*a);
                if let RegOrImm::Reg(b) = b {
                    c.reg_use(*b);
                }
            }
            Inst::Setcc { dst, .. } => c.reg_def(*dst),
            Inst::AluRI { src, dst, .. } if self.is_three_operand_add() => {
                c.reg_use(*src);
                c.reg_def(*dst);
            }
            Inst::AluRI { src, dst, .. } | Inst::Unary { src, dst, .. } => {
                c.reg_use(*src);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::ShiftX {
                src, amount, dst, ..
            } => {
                c.reg_use(*src);
                c.reg_use(*amount);
                c.reg_def(*dst);
            }
            Inst::Shift {
                src, amount, dst, ..
            } => {
                c.reg_use(*src);
                c.reg_fixed_use(*amount, Gpr::RCX.preg());
                c.reg_reuse_def(*dst, 0);
            }
            Inst::Extend { src, dst, .. } => {
                c.reg_use(*src);
                c.reg_def(*dst);
            }
            Inst::Select {
                c: cond, t, f, dst, ..
            } => {
                c.reg_use(*f);
                c.reg_use(*cond);
                c.reg_use(*t);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::Ucomis { a, b, .. } => {
                c.reg_use(*a);
                c.reg_use(*b);
            }
            Inst::Cmov { t, f, dst, .. } => {
                c.reg_use(*f);
                c.reg_use(*t);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::CmpCmov { a, b, dst, .. } => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::Abs { src, dst, .. } => {
                c.reg_use(*src);
                c.reg_early_def(*dst);
            }
            Inst::Div {
                dividend,
                divisor,
                quotient,
                remainder,
                ..
            } => {
                c.reg_fixed_use(*dividend, Gpr::RAX.preg());
                c.reg_use(*divisor);
                c.reg_fixed_def(*quotient, Gpr::RAX.preg());
                c.reg_fixed_early_def(*remainder, Gpr::RDX.preg());
            }
            Inst::Load { addr, dst, .. } => {
                addr.collect(c);
                c.reg_def(*dst);
            }
            Inst::Store { src, addr, .. } => {
                c.reg_use(*src);
                addr.collect(c);
            }
            Inst::StackAddr { dst, .. } => c.reg_def(*dst),
            Inst::ShiftRI { src, dst, .. } | Inst::Bswap { src, dst, .. } => {
                c.reg_use(*src);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::BitCount { src, dst, .. } => {
                c.reg_use(*src);
                c.reg_def(*dst);
            }
            Inst::BitScan { src, tmp, dst, .. } => {
                c.reg_use(*src);
                c.reg_early_def(*tmp);
                c.reg_early_def(*dst);
            }
            Inst::Bmask { src, dst, .. } => {
                c.reg_use(*src);
                c.reg_early_def(*dst);
            }
            Inst::MulWide {
                a,
                b,
                lo,
                hi,
                overflow,
                ..
            } => {
                c.reg_fixed_use(*a, Gpr::RAX.preg());
                c.reg_use(*b);
                c.reg_fixed_def(*lo, Gpr::RAX.preg());
                c.reg_fixed_def(*hi, Gpr::RDX.preg());
                if let Some(o) = overflow {
                    c.reg_def(*o);
                }
            }
            Inst::AluFlags {
                src1, src2, dst, ..
            }
            | Inst::AluCarry {
                src1, src2, dst, ..
            } => {
                c.reg_use(*src1);
                c.reg_use(*src2);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::Bt0 { src } => c.reg_use(*src),
            Inst::AddTrap { a, b, dst, .. } => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::XmmRR {
                src1, src2, dst, ..
            } => {
                c.reg_use(*src1);
                c.reg_use(*src2);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::XmmUnary { src, dst, .. }
            | Inst::GprToXmm { src, dst, .. }
            | Inst::XmmToGpr { src, dst, .. }
            | Inst::CvtIntToFloat { src, dst, .. } => {
                c.reg_use(*src);
                c.reg_def(*dst);
            }
            Inst::CvtU64ToFloat {
                src,
                dst,
                tmp1,
                tmp2,
                ..
            } => {
                c.reg_use(*src);
                c.reg_early_def(*dst);
                c.reg_early_def(*tmp1);
                c.reg_early_def(*tmp2);
            }
            Inst::CvtFloatToInt {
                src,
                dst,
                tmp_gpr,
                tmp_xmm,
                tmp_xmm2,
                ..
            } => {
                c.reg_use(*src);
                c.reg_early_def(*dst);
                c.reg_early_def(*tmp_gpr);
                c.reg_early_def(*tmp_xmm);
                c.reg_early_def(*tmp_xmm2);
            }
            Inst::Fcmp { a, b, dst, tmp, .. } => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_early_def(*dst);
                c.reg_early_def(*tmp);
            }
            Inst::XmmSelect {
                c: cond, t, f, dst, ..
            } => {
                c.reg_use(*f);
                c.reg_use(*cond);
                c.reg_use(*t);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::FminMax { a, b, dst, .. } => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::XmmLoad { addr, dst, .. } => {
                addr.collect(c);
                c.reg_def(*dst);
            }
            Inst::XmmConst { dst, .. } => c.reg_def(*dst),
            Inst::Pshuf { src, dst, .. }
            | Inst::Pextrw { src, dst, .. }
            | Inst::Movmsk { src, dst, .. } => {
                c.reg_use(*src);
                c.reg_def(*dst);
            }
            Inst::Pinsrw {
                src1, src2, dst, ..
            }
            | Inst::Insert41 {
                src1, src2, dst, ..
            } => {
                c.reg_use(*src1);
                c.reg_use(*src2);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::Packed {
                src1, src2, dst, ..
            } => {
                c.reg_use(*src1);
                c.reg_use(*src2);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::LeaScaled {
                base, index, dst, ..
            } => {
                c.reg_use(*base);
                c.reg_use(*index);
                c.reg_def(*dst);
            }
            Inst::XmmRRR {
                src1, src2, dst, ..
            } => {
                c.reg_use(*src1);
                c.reg_use(*src2);
                c.reg_def(*dst);
            }
            Inst::Fma {
                a,
                b,
                c: addend,
                dst,
                ..
            } => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_use(*addend);
                c.reg_reuse_def(*dst, 0);
            }
            Inst::XmmRM {
                src1, src2, dst, ..
            } => {
                c.reg_use(*src1);
                if let XmmMem::Mem(addr) = src2 {
                    addr.collect(c);
                }
                c.reg_reuse_def(*dst, 0);
            }
            Inst::XmmStore { src, addr, .. } => {
                c.reg_use(*src);
                addr.collect(c);
            }
            Inst::CallKnown { info, .. } | Inst::ElfTlsGetAddr { info, .. } => info.operands(c),
            Inst::CallUnknown { callee, info } => {
                c.reg_use(*callee);
                info.operands(c);
            }
            Inst::ReturnCallKnown { uses, .. } => {
                uses.iter().for_each(|&(r, p)| c.reg_fixed_use(r, p))
            }
            Inst::ReturnCallUnknown { callee, uses, .. } => {
                c.reg_fixed_use(*callee, Gpr::R11.preg());
                uses.iter().for_each(|&(r, p)| c.reg_fixed_use(r, p));
            }
            Inst::LoadExtName { dst, .. } => c.reg_def(*dst),
            Inst::FrameReg { dst, .. }
            | Inst::LoadStackArg { dst, .. }
            | Inst::LoadOutgoing { dst, .. }
            | Inst::OutgoingAddr { dst, .. } => c.reg_def(*dst),
            Inst::StoreStackArg { src, .. } | Inst::SetPinned { src } => c.reg_use(*src),
            Inst::Alu128 {
                a_lo,
                a_hi,
                b_lo,
                b_hi,
                dst_lo,
                dst_hi,
                ..
            } => {
                c.reg_use(*a_lo);
                c.reg_use(*a_hi);
                c.reg_use(*b_lo);
                c.reg_use(*b_hi);
                c.reg_early_def(*dst_lo);
                c.reg_early_def(*dst_hi);
            }
            Inst::Cmp128 {
                a_lo,
                a_hi,
                b_lo,
                b_hi,
                dst,
                tmp,
                ..
            } => {
                c.reg_use(*a_lo);
                c.reg_use(*a_hi);
                c.reg_use(*b_lo);
                c.reg_use(*b_hi);
                c.reg_early_def(*dst);
                c.reg_early_def(*tmp);
            }
            Inst::TryCall { callee, info, .. } => {
                if let Some(r) = callee {
                    c.reg_use(*r);
                }
                info.operands(c);
            }
            Inst::LoadLabelAddr { dst, .. } => c.reg_def(*dst),
            Inst::Trap { .. } | Inst::Debugtrap | Inst::Mfence => {}
            Inst::AtomicRmw {
                addr,
                operand,
                tmp,
                dst,
                ..
            } => {
                c.reg_use(*addr);
                c.reg_use(*operand);
                c.reg_early_def(*tmp);
                c.reg_fixed_early_def(*dst, Gpr::RAX.preg());
            }
            Inst::Atomic128 {
                addr,
                src,
                expected,
                tmp,
                scratch,
                dst,
                ..
            } => {
                c.reg_use(*addr);
                match expected {
                    // Compare-and-swap: everything in its fixed register.
                    Some((lo, hi)) => {
                        let (r_lo, r_hi) = src.expect("a replacement");
                        c.reg_fixed_use(*lo, Gpr::RAX.preg());
                        c.reg_fixed_use(*hi, Gpr::RDX.preg());
                        c.reg_fixed_use(r_lo, Gpr::RBX.preg());
                        c.reg_fixed_use(r_hi, Gpr::RCX.preg());
                        c.reg_fixed_def(dst.0, Gpr::RAX.preg());
                        c.reg_fixed_def(dst.1, Gpr::RDX.preg());
                    }
                    None => {
                        if let Some((lo, hi)) = src {
                            c.reg_use(*lo);
                            c.reg_use(*hi);
                        }
                        if let Some(t) = tmp {
                            c.reg_early_def(*t);
                        }
                        if let Some((bx, cx)) = scratch {
                            c.reg_fixed_early_def(*bx, Gpr::RBX.preg());
                            c.reg_fixed_early_def(*cx, Gpr::RCX.preg());
                        }
                        c.reg_fixed_early_def(dst.0, Gpr::RAX.preg());
                        c.reg_fixed_early_def(dst.1, Gpr::RDX.preg());
                    }
                }
            }
            Inst::AtomicCas {
                addr,
                expected,
                replacement,
                dst,
                ..
            } => {
                c.reg_use(*addr);
                c.reg_fixed_use(*expected, Gpr::RAX.preg());
                c.reg_use(*replacement);
                c.reg_fixed_def(*dst, Gpr::RAX.preg());
            }
            Inst::TrapIf { c: cond, .. } => c.reg_use(*cond),
            Inst::JmpTable {
                idx, tmp1, tmp2, ..
            } => {
                c.reg_use(*idx);
                c.reg_early_def(*tmp1);
                c.reg_early_def(*tmp2);
            }
            Inst::Jmp { .. } => {}
            Inst::CondBranch { flags, .. } => flags.get_operands(c),
            Inst::Frame { .. } => {}
            Inst::CmpZeroMem { addr, .. } => addr.collect(c),
            Inst::Test { a, b, .. } => {
                c.reg_use(*a);
                if let RegOrImm::Reg(b) = b {
                    c.reg_use(*b);
                }
            }
        }
    }

    fn is_ret(&self) -> bool {
        matches!(
            self,
            Inst::Rets { .. }
                | Inst::Trap { .. }
                | Inst::ReturnCallKnown { .. }
                | Inst::ReturnCallUnknown { .. }
        )
    }

    fn is_branch(&self) -> bool {
        matches!(
            self,
            Inst::Jmp { .. }
                | Inst::CondBranch { .. }
                | Inst::JmpTable { .. }
                | Inst::TryCall { .. }
        )
    }

    fn jump_target(&self) -> Option<usize> {
        match self {
            Inst::Jmp { target } => Some(*target),
            _ => None,
        }
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
