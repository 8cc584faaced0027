//! Registers as machine instructions name them before and after register allocation.

pub use regalloc2::{Allocation, PReg, RegClass, VReg};

/// A virtual register of VCode (an SSA value of one register class).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(VReg);

/// `v12` for an integer register, `v12f` for a float/vector one: short, because VCode
/// listings print instructions with `Debug`.
impl core::fmt::Debug for Reg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.class() {
            RegClass::Int => write!(f, "v{}", self.0.vreg()),
            _ => write!(f, "v{}f", self.0.vreg()),
        }
    }
}

impl Reg {
    /// The virtual register `index` of `class`.
    pub fn new(index: usize, class: RegClass) -> Reg {
        Reg(VReg::new(index, class))
    }

    /// The register for a regalloc2 virtual register.
    pub fn from_vreg(v: VReg) -> Reg {
        Reg(v)
    }

    /// The regalloc2 virtual register.
    pub fn vreg(self) -> VReg {
        self.0
    }

    /// The register class.
    pub fn class(self) -> RegClass {
        self.0.class()
    }
}

/// A register an instruction writes, marking the def side in instruction fields.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Writable<T>(T);

/// The register itself, marked with `=` as written.
impl<T: core::fmt::Debug> core::fmt::Debug for Writable<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "={:?}", self.0)
    }
}

impl<T: Copy> Writable<T> {
    /// Wraps `r` as written.
    pub fn from_reg(r: T) -> Writable<T> {
        Writable(r)
    }

    /// The register.
    pub fn to_reg(self) -> T {
        self.0
    }
}

/// The registers holding one SSA value: one, or two for `i128` (low half first).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ValueRegs {
    regs: [Reg; 2],
    len: u8,
}

impl ValueRegs {
    /// A value in one register.
    pub fn one(r: Reg) -> ValueRegs {
        ValueRegs {
            regs: [r, r],
            len: 1,
        }
    }

    /// A value in two registers: the low 64 bits in `lo`, the high in `hi`.
    pub fn two(lo: Reg, hi: Reg) -> ValueRegs {
        ValueRegs {
            regs: [lo, hi],
            len: 2,
        }
    }

    /// The registers, low half first.
    pub fn regs(&self) -> &[Reg] {
        &self.regs[..self.len as usize]
    }

    /// The only register, if there is one.
    pub fn only(&self) -> Option<Reg> {
        (self.len == 1).then_some(self.regs[0])
    }
}
