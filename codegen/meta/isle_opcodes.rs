//! Generates the opcode part of the lowering prelude from the opcode table in
//! `src/ir/opcodes.rs`: ISLE's `Opcode` enum (every opcode), and for each opcode whose
//! instruction format lowering rules can take apart, an extractor named after it
//! (`(iadd x y)`, `(icmp cc x y)`, `(load flags addr offset)`, ...) matching the opcode
//! and binding its operands through the format's extractor from `prelude_lower.isle`.

use crate::inst_builder::{Row, rows};

/// The operand types and the extractor of a format rules can match, if they can.
fn format_extractor(format: &str) -> Option<(&'static [&'static str], &'static str)> {
    Some(match format {
        "Unary" => (&["Value"], "unary"),
        "Binary" => (&["Value", "Value"], "binary_args"),
        "Ternary" => (&["Value", "Value", "Value"], "ternary"),
        "UnaryImm" => (&["u64"], "unary_imm"),
        "UnaryIeee16" => (&["u64"], "f16_bits"),
        "UnaryIeee32" => (&["u64"], "f32_bits"),
        "UnaryIeee64" => (&["u64"], "f64_bits"),
        "IntCompare" => (&["IntCC", "Value", "Value"], "int_compare"),
        "FloatCompare" => (&["FloatCC", "Value", "Value"], "float_compare"),
        "Load" => (&["MemFlags", "Value", "i32"], "load_args"),
        "LoadNoOffset" => (&["Value"], "load_no_offset_arg"),
        "StackLoad" => (&["StackSlot", "i32"], "stack_slot_args"),
        "IntAddTrap" => (&["Value", "Value", "TrapCode"], "int_add_trap"),
        "Store" => (&["MemFlags", "Value", "Value", "i32"], "store_args"),
        "StoreNoOffset" => (&["MemFlags", "Value", "Value"], "store_no_offset_args"),
        "CondTrap" => (&["Value", "TrapCode"], "cond_trap_args"),
        "BinaryImm8" => (&["Value", "u8"], "lane_args"),
        "TernaryImm8" => (&["Value", "Value", "u8"], "lane_args2"),
        "UnaryConst" => (&["u128"], "const_data"),
        "AtomicRmw" => (
            &["MemFlags", "AtomicRmwOp", "Value", "Value"],
            "atomic_rmw_args",
        ),
        "AtomicCas" => (&["MemFlags", "Value", "Value", "Value"], "atomic_cas_args"),
        _ => return None,
    })
}

fn extractor(row: &Row) -> Option<String> {
    let (types, format) = format_extractor(&row.format)?;
    let vars: Vec<String> = (0..types.len()).map(|i| format!("a{i}")).collect();
    let vars = vars.join(" ");
    Some(format!(
        "(decl {name} ({types}) Inst)\n(extractor ({name} {vars}) (and (inst_opcode (Opcode.{variant})) ({format} {vars})))\n",
        name = row.name,
        types = types.join(" "),
        variant = row.variant,
    ))
}

/// The generated ISLE source for the opcode table `table` (the text of `opcodes.rs`).
pub fn generate(table: &str) -> String {
    let rows = rows(table);
    let mut out = String::from(
        ";; Generated from codegen/src/ir/opcodes.rs by codegen/meta/isle_opcodes.rs; do not edit.\n\n",
    );
    out.push_str(
        ";; Every opcode; instructions are matched by it, so the rule compiler sees that\n",
    );
    out.push_str(";; rules for different opcodes are disjoint.\n(type Opcode extern (enum");
    for r in &rows {
        out.push_str(&format!(" ({})", r.variant));
    }
    out.push_str("))\n\n");
    for r in &rows {
        if let Some(e) = extractor(r) {
            out.push_str(&e);
        }
    }
    out
}
