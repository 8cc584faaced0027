//! Block structure: every block ends in exactly one terminator, the entry block's
//! parameters match the signature, results belong to their instruction.

use super::{Ctx, Rule};
use crate::ir::dfg::ValueData;
use crate::ir::entities::AnyEntity;
use alloc::format;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let func = ctx.func;
    let Some(entry) = func.layout.entry_block() else {
        ctx.report(
            AnyEntity::Function,
            Rule::Layout,
            "the function has no blocks",
        );
        return;
    };
    if func.layout.is_cold(entry) {
        ctx.report(
            AnyEntity::Block(entry),
            Rule::Layout,
            "entry block cannot be marked as cold",
        );
    }
    let params: alloc::vec::Vec<_> = func.dfg.block_param_types(entry).collect();
    let sig: alloc::vec::Vec<_> = func.signature.params.iter().map(|p| p.value_type).collect();
    if params.len() != sig.len() {
        ctx.report(
            AnyEntity::Block(entry),
            Rule::Layout,
            format!(
                "entry block parameters ({}) must match function signature ({}): ({}) against ({})",
                params.len(),
                sig.len(),
                list(&params),
                list(&sig)
            ),
        );
    } else {
        for (i, (p, s)) in params.iter().zip(&sig).enumerate() {
            if p != s {
                ctx.report(
                    AnyEntity::Block(entry),
                    Rule::Layout,
                    format!("entry block parameter {i} expected to have type {s}, got {p}"),
                );
            }
        }
    }
    for block in func.layout.blocks() {
        let Some(last) = func.layout.last_inst(block) else {
            ctx.report(
                AnyEntity::Block(block),
                Rule::Layout,
                format!("{block} is empty: a block must end in a terminator"),
            );
            continue;
        };
        for inst in func.layout.block_insts(block) {
            let opcode = func.dfg.insts[inst].opcode();
            if inst == last && !opcode.is_terminator() {
                ctx.report(
                    AnyEntity::Inst(inst),
                    Rule::Layout,
                    format!("{block} does not end in a terminator"),
                );
            }
            if inst != last && opcode.is_terminator() {
                ctx.report(
                    AnyEntity::Inst(inst),
                    Rule::Layout,
                    format!("a terminator instruction was encountered before the end of {block}"),
                );
            }
            for (num, &r) in func.dfg.inst_results(inst).iter().enumerate() {
                match func.dfg.value_data(r) {
                    ValueData::Inst {
                        inst: def, num: n, ..
                    } if def == inst && n as usize == num => {}
                    _ => ctx.report(
                        AnyEntity::Inst(inst),
                        Rule::Layout,
                        format!("result {r} is not recorded as defined here"),
                    ),
                }
            }
        }
        for (num, &p) in func.dfg.block_params(block).iter().enumerate() {
            match func.dfg.value_data(p) {
                ValueData::Param {
                    block: b, num: n, ..
                } if b == block && n as usize == num => {}
                _ => ctx.report(
                    AnyEntity::Block(block),
                    Rule::Layout,
                    format!("parameter {p} is not recorded as defined here"),
                ),
            }
        }
    }
}

pub(super) fn list(types: &[crate::ir::Type]) -> alloc::string::String {
    let mut s = alloc::string::String::new();
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&format!("{t}"));
    }
    s
}
