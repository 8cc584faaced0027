//! Disassembly of generated code with Capstone, for `compile -D`.

use capstone::prelude::*;

/// The x86-64 disassembly of `code`, one instruction a line with its offset.
pub fn x64(code: &[u8]) -> String {
    let cs = match Capstone::new()
        .x86()
        .mode(arch::x86::ArchMode::Mode64)
        .syntax(arch::x86::ArchSyntax::Att)
        .build()
    {
        Ok(cs) => cs,
        Err(e) => return format!("  (no disassembler: {e})\n"),
    };
    let mut out = String::new();
    match cs.disasm_all(code, 0) {
        Ok(insns) => {
            for i in insns.iter() {
                out.push_str(&format!(
                    "  {:4x}: {} {}\n",
                    i.address(),
                    i.mnemonic().unwrap_or("?"),
                    i.op_str().unwrap_or("")
                ));
            }
        }
        Err(e) => out.push_str(&format!("  (disassembly failed: {e})\n")),
    }
    out
}
