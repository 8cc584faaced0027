//! Values seen through the extensions that define them (extensions keep whether a
//! value is zero, which is what conditions test).

use super::*;

/// The operand of the `uextend`/`sextend` defining `v`, if one does.
pub(super) fn extended(ctx: &Lower<'_, MInst>, v: Value) -> Option<Value> {
    extended_in(&ctx.func.dfg, v)
}

/// [`extended`] on a data flow graph.
pub(super) fn extended_in(dfg: &crate::ir::DataFlowGraph, v: Value) -> Option<Value> {
    match dfg.insts[dfg.value_def(v).inst()?] {
        InstructionData::Unary {
            opcode: Opcode::Uextend | Opcode::Sextend,
            arg,
        } => Some(dfg.resolve_aliases(arg)),
        _ => None,
    }
}
