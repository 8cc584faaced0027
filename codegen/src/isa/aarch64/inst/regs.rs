//! AArch64 registers: x0-x30 in the integer class and v0-v31 in the float class, by
//! their 5-bit hardware numbers (Arm ARM C1.2.5). Number 31 is the stack pointer or the
//! zero register, as each encoding defines; it is never allocated.

use regalloc2::{PReg, RegClass};

/// The general register `x<n>`.
pub fn xreg(n: u8) -> PReg {
    PReg::new(usize::from(n), RegClass::Int)
}

/// The vector register `v<n>`.
pub fn vreg(n: u8) -> PReg {
    PReg::new(usize::from(n), RegClass::Float)
}

/// The frame pointer, x29.
pub const FP: u8 = 29;
/// The link register, x30.
pub const LR: u8 = 30;

/// The assembler name of a physical register: `x3`, `v8`.
pub fn name(p: PReg) -> alloc::string::String {
    match p.class() {
        RegClass::Int => alloc::format!("x{}", p.hw_enc()),
        _ => alloc::format!("v{}", p.hw_enc()),
    }
}
