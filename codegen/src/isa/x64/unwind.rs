//! Unwind information of x86-64 functions: DWARF register numbers and the rules every
//! function starts with (the prologue in `inst/frame.rs` records the rest).

use super::inst::regs::Gpr;
use crate::machinst::unwind::{CieInfo, UnwindOp};

/// The DWARF register number of `g` (System V AMD64 ABI, figure 3.36).
pub fn dwarf_reg(g: Gpr) -> u16 {
    const NUMBERS: [u16; 16] = [0, 2, 1, 3, 7, 6, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15];
    NUMBERS[g.enc() as usize]
}

/// The unwind rules on entry to any x86-64 function: CFA = `rsp + 8`, the return
/// address (column 16) at CFA - 8.
pub fn cie() -> CieInfo {
    CieInfo {
        return_address_register: 16,
        code_alignment: 1,
        data_alignment: -8,
        initial: alloc::vec![
            UnwindOp::DefCfa {
                reg: dwarf_reg(Gpr::RSP),
                offset: 8
            },
            UnwindOp::SaveReg {
                reg: 16,
                offset: -8
            },
        ],
    }
}
