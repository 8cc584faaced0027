//! The control flow graph as Graphviz `dot` text.

use crate::ir::Function;
use crate::write::write_instruction;
use alloc::string::String;
use core::fmt::{self, Write};

/// Writes `func`'s control flow graph in `dot` syntax: one record node per block showing
/// its branch instructions, one edge per branch target.
///
/// # Errors
/// Only those of `w`.
pub fn write_cfg(w: &mut dyn Write, func: &Function) -> fmt::Result {
    writeln!(w, "digraph \"{}\" {{", func.name)?;
    if let Some(entry) = func.layout.entry_block() {
        writeln!(w, "    {{rank=min; {entry}}}")?;
    }
    for block in func.layout.blocks() {
        write!(w, "    {block} [shape=record, label=\"{{{block}")?;
        for inst in func.layout.block_insts(block) {
            if func.dfg.insts[inst].opcode().is_branch() {
                let mut text = String::new();
                write_instruction(&mut text, func, inst)?;
                write!(w, " | <{inst}>{}", escape(text.trim()))?;
            }
        }
        writeln!(w, "}}\"]")?;
    }
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let mut seen = alloc::vec::Vec::new();
            for call in func.dfg.branch_destinations(inst) {
                if !seen.contains(&call.block) {
                    seen.push(call.block);
                    writeln!(w, "    {block}:{inst} -> {}", call.block)?;
                }
            }
        }
    }
    writeln!(w, "}}")
}

/// Escapes the characters that are special in record labels.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '{' | '}' | '|' | '<' | '>' | '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
