//! Unwind information of s390x functions: the rules every function starts with (the
//! prologue in `inst/frame.rs` records the rest, with the DWARF numbers of
//! `inst::frame::dwarf_reg`).

use crate::machinst::unwind::{CieInfo, UnwindOp};

/// The unwind rules on entry to any s390x function: CFA = r15 + 160, the return
/// address in r14 (the s390x ELF ABI supplement, "DWARF Definition"; code offsets in
/// 2-byte units).
pub fn cie() -> CieInfo {
    CieInfo {
        return_address_register: 14,
        code_alignment: 2,
        data_alignment: -8,
        initial: alloc::vec![UnwindOp::DefCfa {
            reg: 15,
            offset: 160
        }],
    }
}
