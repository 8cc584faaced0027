//! x86-64 registers and their hardware encodings (Intel SDM Vol. 2A, §2.1.5,
//! Table 2-1, and §2.2.1.2 for the REX-extended registers r8-r15 and xmm8-xmm15).

use super::args::OperandSize;
use core::fmt;

/// A general-purpose register, by its 4-bit hardware encoding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Gpr(u8);

/// An SSE/AVX register `xmm0`-`xmm15`, by its 4-bit hardware encoding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Xmm(u8);

macro_rules! gprs {
    ($($name:ident = $enc:literal: $q:literal $d:literal $w:literal $b:literal;)*) => {
        impl Gpr {
            $(
                #[doc = concat!("`%", $q, "`.")]
                pub const $name: Gpr = Gpr($enc);
            )*

            /// Every register, in encoding order.
            pub const ALL: [Gpr; 16] = [$(Gpr::$name,)*];

            /// The AT&T name (without `%`) of the register's `size` part: `rax`, `eax`,
            /// `ax`, `al`; the low bytes of `rsp`-`rdi` are `spl`-`dil` (reachable only
            /// with a REX prefix).
            pub fn name(self, size: OperandSize) -> &'static str {
                const NAMES: [[&str; 4]; 16] = [$([$b, $w, $d, $q],)*];
                NAMES[self.0 as usize][size as usize]
            }
        }
    };
}

gprs! {
    RAX = 0: "rax" "eax" "ax" "al";
    RCX = 1: "rcx" "ecx" "cx" "cl";
    RDX = 2: "rdx" "edx" "dx" "dl";
    RBX = 3: "rbx" "ebx" "bx" "bl";
    RSP = 4: "rsp" "esp" "sp" "spl";
    RBP = 5: "rbp" "ebp" "bp" "bpl";
    RSI = 6: "rsi" "esi" "si" "sil";
    RDI = 7: "rdi" "edi" "di" "dil";
    R8 = 8: "r8" "r8d" "r8w" "r8b";
    R9 = 9: "r9" "r9d" "r9w" "r9b";
    R10 = 10: "r10" "r10d" "r10w" "r10b";
    R11 = 11: "r11" "r11d" "r11w" "r11b";
    R12 = 12: "r12" "r12d" "r12w" "r12b";
    R13 = 13: "r13" "r13d" "r13w" "r13b";
    R14 = 14: "r14" "r14d" "r14w" "r14b";
    R15 = 15: "r15" "r15d" "r15w" "r15b";
}

impl Gpr {
    /// The register with hardware encoding `enc` (0-15).
    ///
    /// # Panics
    /// If `enc > 15`.
    pub fn from_enc(enc: u8) -> Gpr {
        assert!(enc < 16, "no general-purpose register {enc}");
        Gpr(enc)
    }

    /// The 4-bit hardware encoding.
    pub fn enc(self) -> u8 {
        self.0
    }

    /// Whether its byte part needs a REX prefix to be addressed: `spl`, `bpl`, `sil`,
    /// `dil` (without REX, encodings 4-7 select `ah`, `ch`, `dh`, `bh`).
    pub fn byte_needs_rex(self) -> bool {
        (4..8).contains(&self.0)
    }
}

impl Gpr {
    /// The regalloc2 physical register.
    pub fn preg(self) -> regalloc2::PReg {
        regalloc2::PReg::new(self.0 as usize, regalloc2::RegClass::Int)
    }

    /// The register regalloc2's `p` names, if it is a general-purpose one.
    pub fn from_preg(p: regalloc2::PReg) -> Option<Gpr> {
        (p.class() == regalloc2::RegClass::Int).then(|| Gpr(p.hw_enc() as u8))
    }
}

impl fmt::Display for Gpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}", self.name(OperandSize::Size64))
    }
}

impl Xmm {
    /// The register `xmm{enc}` (0-15).
    ///
    /// # Panics
    /// If `enc > 15`.
    pub fn new(enc: u8) -> Xmm {
        assert!(enc < 16, "no xmm register {enc}");
        Xmm(enc)
    }

    /// The 4-bit hardware encoding.
    pub fn enc(self) -> u8 {
        self.0
    }

    /// The register as regalloc2 knows it (class `Float`).
    pub fn preg(self) -> regalloc2::PReg {
        regalloc2::PReg::new(self.0 as usize, regalloc2::RegClass::Float)
    }

    /// The register regalloc2 allocated, if it is an xmm register.
    pub fn from_preg(p: regalloc2::PReg) -> Option<Xmm> {
        (p.class() == regalloc2::RegClass::Float && p.hw_enc() < 16).then(|| Xmm(p.hw_enc() as u8))
    }
}

impl fmt::Display for Xmm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%xmm{}", self.0)
    }
}
