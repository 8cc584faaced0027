//! Disassembly of generated code with Capstone, for `clif-util compile -D` and
//! `test compile` listings.

use capstone::prelude::*;

/// The disassembly of `code` for the ISA named `isa` (`x86_64`, `aarch64`, `s390x`), one
/// instruction a line with its offset in hex.
pub fn disassemble(isa: &str, code: &[u8]) -> String {
    let built = match isa {
        "x86_64" => Capstone::new()
            .x86()
            .mode(arch::x86::ArchMode::Mode64)
            .syntax(arch::x86::ArchSyntax::Att)
            .build(),
        "aarch64" => Capstone::new()
            .arm64()
            .mode(arch::arm64::ArchMode::Arm)
            .build(),
        "s390x" => Capstone::new()
            .sysz()
            .mode(arch::sysz::ArchMode::Default)
            .build(),
        other => return format!("  (no disassembler for {other})\n"),
    };
    let cs = match built {
        Ok(cs) => cs,
        Err(e) => return format!("  (no disassembler: {e})\n"),
    };
    let mut out = String::new();
    match cs.disasm_all(code, 0) {
        Ok(insns) => {
            for i in insns.iter() {
                let line = format!(
                    "  {:4x}: {} {}",
                    i.address(),
                    i.mnemonic().unwrap_or("?"),
                    i.op_str().unwrap_or("")
                );
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        Err(e) => out.push_str(&format!("  (disassembly failed: {e})\n")),
    }
    out
}
