//! Unwind information of AArch64 functions: the rules every function starts with (the
//! prologue in `inst/frame.rs` records the rest, with the DWARF numbers of
//! `inst::frame::dwarf_reg`).

use crate::machinst::unwind::{CieInfo, UnwindOp};

/// The unwind rules on entry to any AArch64 function: CFA = `sp`, the return address in
/// x30 (DWARF for the Arm 64-bit Architecture, §4.1; code offsets in 4-byte units).
pub fn cie() -> CieInfo {
    CieInfo {
        return_address_register: 30,
        code_alignment: 4,
        data_alignment: -8,
        initial: alloc::vec![UnwindOp::DefCfa { reg: 31, offset: 0 }],
    }
}
