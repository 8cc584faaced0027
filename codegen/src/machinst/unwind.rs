//! Unwind information: how an unwinder (a debugger, a profiler, exception propagation)
//! finds the caller's frame from a point in a function, in the terms of DWARF call frame
//! information (DWARF 5, §6.4): the canonical frame address (CFA, the stack pointer
//! before the call) and where registers were saved relative to it.

use alloc::vec::Vec;

/// One change of the unwind rules, with DWARF register numbers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum UnwindOp {
    /// CFA = `reg` + `offset` bytes.
    DefCfa {
        /// The register.
        reg: u16,
        /// The offset in bytes.
        offset: i32,
    },
    /// The CFA is now computed from `reg` (same offset).
    DefCfaRegister {
        /// The register.
        reg: u16,
    },
    /// AArch64: the return address is now signed (or, again, not) by pointer
    /// authentication (`DW_CFA_AARCH64_negate_ra_state`).
    NegateRaState,
    /// `reg`'s value on entry is saved at CFA + `offset` bytes.
    SaveReg {
        /// The register.
        reg: u16,
        /// The offset in bytes (negative: below the CFA).
        offset: i32,
    },
}

/// The unwind rules of one function: each op holds from its code offset (in bytes) on.
/// The rules on entry are the ISA's [`CieInfo::initial`] ones.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UnwindInfo {
    /// `(code offset, op)`, in code order.
    pub ops: Vec<(u32, UnwindOp)>,
}

/// What every function of an ISA shares (a DWARF common information entry).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CieInfo {
    /// The DWARF number of the return-address column.
    pub return_address_register: u16,
    /// The factor code offsets are divided by.
    pub code_alignment: u8,
    /// The factor register-save offsets are divided by.
    pub data_alignment: i8,
    /// The rules on entry to any function.
    pub initial: Vec<UnwindOp>,
}
