//! Disassembly of generated code with Capstone, for `clif-util compile -D` and
//! `test compile` listings. Data inside the code (literals, jump tables, islands'
//! constants, as the code's `data_ranges` give them) is shown as bytes, and anything
//! else Capstone cannot decode is reported, not skipped.

use capstone::prelude::*;

/// A disassembly: the text, and the offsets of the instruction bytes that did not decode.
pub struct Disassembly {
    /// One instruction a line with its offset in hex; data as `.byte` lines.
    pub text: String,
    /// Where Capstone found no valid instruction outside the data ranges.
    pub undecodable: Vec<u32>,
}

/// The Capstone instance for the ISA named `isa`, and the bytes to step over an
/// undecodable instruction.
fn capstone(isa: &str) -> Result<(Capstone, usize), String> {
    let built = match isa {
        "x86_64" => Capstone::new()
            .x86()
            .mode(arch::x86::ArchMode::Mode64)
            .syntax(arch::x86::ArchSyntax::Att)
            .build()
            .map(|c| (c, 1)),
        "aarch64" => Capstone::new()
            .arm64()
            .mode(arch::arm64::ArchMode::Arm)
            .build()
            .map(|c| (c, 4)),
        "s390x" => Capstone::new()
            .sysz()
            .mode(arch::sysz::ArchMode::Default)
            .build()
            .map(|c| (c, 2)),
        other => return Err(format!("no disassembler for {other}")),
    };
    built.map_err(|e| format!("no disassembler: {e}"))
}

/// `bytes` at offset `at` as `.byte` lines of eight.
fn data_lines(out: &mut String, at: usize, bytes: &[u8]) {
    for (i, chunk) in bytes.chunks(8).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(&format!("  {:4x}: .byte {}\n", at + 8 * i, hex.join(" ")));
    }
}

/// Disassembles `code` for the ISA named `isa` (`x86_64`, `aarch64`, `s390x`), showing
/// the byte ranges `data` (sorted `(start, end)` pairs) as data.
pub fn disassemble_code(isa: &str, code: &[u8], data: &[(u32, u32)]) -> Disassembly {
    let mut d = Disassembly {
        text: String::new(),
        undecodable: Vec::new(),
    };
    let (cs, step) = match capstone(isa) {
        Ok(c) => c,
        Err(e) => {
            d.text = format!("  ({e})\n");
            return d;
        }
    };
    // The code between data ranges, decoded piece by piece.
    let mut segments = Vec::new();
    let mut at = 0usize;
    for &(start, end) in data {
        let (start, end) = (start as usize, (end as usize).min(code.len()));
        if start > at {
            segments.push((at, start, false));
        }
        segments.push((start.max(at), end, true));
        at = end.max(at);
    }
    if at < code.len() {
        segments.push((at, code.len(), false));
    }
    for (start, end, is_data) in segments {
        if is_data {
            data_lines(&mut d.text, start, &code[start..end]);
            continue;
        }
        let mut pos = start;
        while pos < end {
            let decoded = cs.disasm_all(&code[pos..end], pos as u64);
            let mut next = pos;
            if let Ok(insns) = decoded {
                for i in insns.iter() {
                    let line = format!(
                        "  {:4x}: {} {}",
                        i.address(),
                        i.mnemonic().unwrap_or("?"),
                        i.op_str().unwrap_or("")
                    );
                    d.text.push_str(line.trim_end());
                    d.text.push('\n');
                    next = i.address() as usize + i.bytes().len();
                }
            }
            if isa == "s390x" && code[next..end].starts_with(&[0, 0]) {
                // Opcode 0000 is Gantry's (and the ABI's) trap: an illegal instruction
                // on purpose, which Capstone does not decode.
                d.text
                    .push_str(&format!("  {next:4x}: .word 0x0000 (trap)\n"));
                pos = next + 2;
                continue;
            }
            if isa == "s390x" && code[next..end].starts_with(&[0, 1]) {
                // Opcode 0001, the breakpoint (debugtrap), which Capstone does not
                // decode either.
                d.text
                    .push_str(&format!("  {next:4x}: .word 0x0001 (breakpoint)\n"));
                pos = next + 2;
                continue;
            }
            if next < end {
                // Capstone stops at the first byte it cannot decode.
                d.undecodable.push(next as u32);
                let stop = (next + step).min(end);
                d.text.push_str("  (undecodable)\n");
                data_lines(&mut d.text, next, &code[next..stop]);
                next = stop;
            }
            pos = next;
        }
    }
    d
}

/// The disassembly of `code` for the ISA named `isa`, one instruction a line with its
/// offset in hex.
pub fn disassemble(isa: &str, code: &[u8]) -> String {
    disassemble_code(isa, code, &[]).text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words Capstone cannot decode are reported unless they lie in a data range; the
    /// s390x trap opcode is shown as such.
    #[test]
    fn undecodable_bytes_are_reported_outside_data() {
        // ret; an undefined encoding; ret.
        let mut code = Vec::new();
        code.extend_from_slice(&0xd65f_03c0u32.to_le_bytes());
        code.extend_from_slice(&0xffff_ffffu32.to_le_bytes());
        code.extend_from_slice(&0xd65f_03c0u32.to_le_bytes());
        let d = disassemble_code("aarch64", &code, &[]);
        assert_eq!(d.undecodable, [4], "{}", d.text);
        assert!(d.text.contains("   8: ret"), "{}", d.text);
        let d = disassemble_code("aarch64", &code, &[(4, 8)]);
        assert!(d.undecodable.is_empty(), "{}", d.text);
        assert!(d.text.contains("4: .byte ff ff ff ff"), "{}", d.text);
        // s390x: br %r14, the trap opcode, br %r14.
        let d = disassemble_code("s390x", &[0x07, 0xfe, 0, 0, 0x07, 0xfe], &[]);
        assert!(d.undecodable.is_empty(), "{}", d.text);
        assert!(d.text.contains("2: .word 0x0000 (trap)"), "{}", d.text);
    }
}
