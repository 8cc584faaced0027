//! How operands print in VCode listings (the generated `Debug` of [`super::Inst`] writes
//! each form's `asm` text with these): close to AT&T assembly, `$` for immediates.

use super::args::OperandSize;
use super::{
    Addr, AluOp, BitCountOp, BranchCond, Cc, FrameRegKind, MoveKind, RegOrImm, ShiftOp, UnaryOp,
    XmmMem, XmmOp, XmmUnaryOp,
};
use core::fmt::{Debug, Formatter, Result};

/// `Debug` as a fixed name per variant.
macro_rules! names {
    ($ty:ty { $($v:ident => $n:literal),* $(,)? }) => {
        impl Debug for $ty {
            fn fmt(&self, f: &mut Formatter<'_>) -> Result {
                f.write_str(match self { $(<$ty>::$v => $n,)* })
            }
        }
    };
}

names!(UnaryOp { Neg => "neg", Not => "not" });
names!(ShiftOp { Rol => "rol", Ror => "ror", Shl => "shl", Shr => "shr", Sar => "sar" });
names!(BitCountOp { Lzcnt => "lzcnt", Tzcnt => "tzcnt", Popcnt => "popcnt" });
names!(MoveKind { Int => "int", F32 => "f32", F64 => "f64", V128 => "v128" });
names!(FrameRegKind {
    Pinned => "pinned",
    FramePointer => "fp",
    StackPointer => "sp",
    ReturnAddress => "return_address",
});
names!(XmmOp {
    Add => "add",
    Sub => "sub",
    Mul => "mul",
    Div => "div",
    And => "and",
    AndNot => "andn",
    Or => "or",
    Xor => "xor",
    MoveHighToLow => "movhlps",
    UnpackLowQ => "punpcklqdq",
});

impl Debug for AluOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.write_str(self.name())
    }
}

/// The AT&T size suffix: `b`, `w`, `l`, `q`.
impl Debug for OperandSize {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        write!(f, "{}", self.suffix())
    }
}

/// The condition's mnemonic suffix (`e`, `ne`, `ae`, ...).
impl Debug for Cc {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.write_str(self.name())
    }
}

impl Debug for XmmUnaryOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        match self {
            XmmUnaryOp::Sqrt => f.write_str("sqrt"),
            XmmUnaryOp::Convert => f.write_str("cvt"),
            XmmUnaryOp::Round(mode) => write!(f, "round${mode}"),
        }
    }
}

impl Debug for RegOrImm {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        match self {
            RegOrImm::Reg(r) => write!(f, "{r:?}"),
            RegOrImm::Imm(k) => write!(f, "${k}"),
        }
    }
}

impl Debug for Addr {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        match self {
            Addr::Reg { base, disp } => write!(f, "{disp}({base:?})"),
            Addr::RegReg {
                base,
                index,
                shift,
                disp,
            } => write!(f, "{disp}({base:?}, {index:?}, {})", 1 << shift),
            Addr::Slot { offset } => write!(f, "slot+{offset}"),
        }
    }
}

impl Debug for XmmMem {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        match self {
            XmmMem::Mem(addr) => write!(f, "{addr:?}"),
            XmmMem::Const(bits) => write!(f, "const({bits:#x})"),
        }
    }
}

impl Debug for BranchCond {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        match self {
            BranchCond::Cc { cc } => write!(f, "{cc:?}"),
            BranchCond::FloatEq => f.write_str("fp_eq"),
            BranchCond::FloatNe => f.write_str("fp_ne"),
        }
    }
}
