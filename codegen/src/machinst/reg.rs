//! Registers as machine instructions name them before and after register allocation.

pub use regalloc2::{Allocation, PReg, RegClass, VReg};

/// A virtual register of VCode (an SSA value of one register class).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Reg(VReg);

impl Reg {
    /// The virtual register `index` of `class`.
    pub fn new(index: usize, class: RegClass) -> Reg {
        Reg(VReg::new(index, class))
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
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Writable<T>(T);

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
