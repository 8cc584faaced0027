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
