//! Operand kinds of x86-64 instructions: sizes, memory addresses, register-or-memory.

use super::regs::Gpr;
use alloc::format;
use alloc::string::String;

/// The size of an integer operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperandSize {
    /// 8 bits.
    Size8 = 0,
    /// 16 bits (operand-size prefix 0x66).
    Size16 = 1,
    /// 32 bits (the default operand size in 64-bit mode).
    Size32 = 2,
    /// 64 bits (REX.W).
    Size64 = 3,
}

impl OperandSize {
    /// The size in bytes.
    pub fn bytes(self) -> u8 {
        1 << self as u8
    }

    /// The AT&T mnemonic suffix: `b`, `w`, `l`, `q`.
    pub fn suffix(self) -> char {
        ['b', 'w', 'l', 'q'][self as usize]
    }
}

/// A memory address (Intel SDM Vol. 2A, §2.1.5: the ModR/M and SIB addressing forms).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Amode {
    /// `disp(base)`.
    ImmReg {
        /// The base register.
        base: Gpr,
        /// The displacement in bytes.
        disp: i32,
    },
    /// `disp(base, index, 1 << shift)`.
    ImmRegRegShift {
        /// The base register.
        base: Gpr,
        /// The index register; `rsp` cannot be an index.
        index: Gpr,
        /// log2 of the scale: 0 to 3.
        shift: u8,
        /// The displacement in bytes.
        disp: i32,
    },
    /// `disp(%rip)`: relative to the end of the instruction.
    RipRelative {
        /// The displacement in bytes.
        disp: i32,
    },
}

impl Amode {
    /// The AT&T form, e.g. `-8(%rbp)` or `16(%rax,%rcx,4)`.
    pub fn att(&self) -> String {
        let d = |disp: i32| {
            if disp == 0 {
                String::new()
            } else if disp < 0 {
                format!("-0x{:x}", -(disp as i64))
            } else {
                format!("0x{disp:x}")
            }
        };
        match *self {
            Amode::ImmReg { base, disp } => format!("{}({base})", d(disp)),
            Amode::ImmRegRegShift {
                base,
                index,
                shift,
                disp,
            } => format!("{}({base}, {index}, {})", d(disp), 1 << shift),
            Amode::RipRelative { disp } => format!("{}(%rip)", d(disp)),
        }
    }
}

/// A register or a memory operand (the `r/m` operand of ModR/M encodings).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RegMem {
    /// A register, by hardware encoding (GPR or XMM, depending on the instruction).
    Reg(u8),
    /// A memory address.
    Mem(Amode),
}
