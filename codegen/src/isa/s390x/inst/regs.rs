//! s390x registers: the general registers r0-r15 in the integer class and the vector
//! registers v0-v31 in the float class, by their hardware numbers (z/Architecture
//! Principles of Operation, chapter 2, "Registers"). The floating-point registers f0-f15
//! are the leftmost 64 bits of v0-v15, so a scalar float lives in element 0 of its
//! vector register and float instructions of the FPR formats reach only v0-v15.
//!
//! r0 and r1 are emission scratch registers (r0 also reads as "no register" in a base or
//! index field) and r15 is the stack pointer: none of them is allocated; r14 holds the
//! return address.

use regalloc2::{PReg, RegClass};

/// The general register `r<n>`.
pub fn gpr(n: u8) -> PReg {
    PReg::new(usize::from(n), RegClass::Int)
}

/// The vector register `v<n>` (for n < 16 also the float register `f<n>`).
pub fn vr(n: u8) -> PReg {
    PReg::new(usize::from(n), RegClass::Float)
}

/// The stack pointer, r15.
pub const SP: u32 = 15;
/// The return-address register, r14.
pub const RA: u32 = 14;
/// The first emission scratch register, r1 (never allocated).
pub const SCRATCH: u32 = 1;
/// The second emission scratch register, r0 (never allocated; not usable as a base).
pub const SCRATCH0: u32 = 0;

/// The assembler name of a physical register: `%r3`, `%v8` (`%f8` is the same register).
pub fn name(p: PReg) -> alloc::string::String {
    match p.class() {
        RegClass::Int => alloc::format!("%r{}", p.hw_enc()),
        _ => alloc::format!("%v{}", p.hw_enc()),
    }
}
