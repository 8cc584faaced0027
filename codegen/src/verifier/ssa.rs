//! SSA: every use is dominated by its value's definition.

use super::{Ctx, Rule};
use crate::ir::entities::AnyEntity;
use crate::ir::instructions::{BlockArg, ExceptionTableItem};
use crate::ir::{Inst, Value, ValueDef};
use alloc::format;
use alloc::vec::Vec;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let func = ctx.func;
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let dfg = &func.dfg;
            let mut uses: Vec<Value> = dfg.inst_args(inst).to_vec();
            for call in dfg.branch_destinations(inst) {
                uses.extend(call.args(&dfg.value_lists).filter_map(BlockArg::as_value));
            }
            if let Some(et) = dfg.insts[inst].exception_table() {
                for item in &dfg.exception_tables[et].items {
                    if let ExceptionTableItem::Context(v) = item {
                        uses.push(*v);
                    }
                }
            }
            for v in uses {
                check_use(ctx, inst, v);
            }
        }
    }
}

fn check_use(ctx: &mut Ctx<'_>, inst: Inst, v: Value) {
    let func = ctx.func;
    let layout = &func.layout;
    let use_block = layout
        .inst_block(inst)
        .expect("checked instructions are in the layout");
    let reachable = ctx.domtree.is_reachable(use_block);
    match func.dfg.value_def(v) {
        ValueDef::Result(def, _) => {
            let Some(def_block) = layout.inst_block(def) else {
                ctx.report(
                    AnyEntity::Inst(inst),
                    Rule::Ssa,
                    format!("{v} is defined by {def}, which is not in the layout"),
                );
                return;
            };
            if def == inst {
                ctx.report(
                    AnyEntity::Inst(inst),
                    Rule::Ssa,
                    format!(
                        "uses value {v} from itself: it is used by the instruction that defines it"
                    ),
                );
            } else if def_block == use_block {
                if layout.cmp_insts(def, inst).is_gt() {
                    ctx.report(
                        AnyEntity::Inst(inst),
                        Rule::Ssa,
                        format!("uses value {v} from non-dominating {def}: {v} is used before it is defined"),
                    );
                }
            } else if reachable && !ctx.domtree.block_dominates(def_block, use_block) {
                ctx.report(
                    AnyEntity::Inst(inst),
                    Rule::Ssa,
                    format!(
                        "uses value {v} from non-dominating {def}: the definition in {def_block} \
                         does not dominate this use"
                    ),
                );
            }
        }
        ValueDef::Param(def_block, _) => {
            if !layout.is_block_inserted(def_block) {
                ctx.report(
                    AnyEntity::Inst(inst),
                    Rule::Ssa,
                    format!("{v} is a parameter of {def_block}, which is not in the layout"),
                );
            } else if reachable && !ctx.domtree.block_dominates(def_block, use_block) {
                ctx.report(
                    AnyEntity::Inst(inst),
                    Rule::Ssa,
                    format!(
                        "uses value arg from non-dominating {def_block}: {v} (a parameter of \
                         {def_block}) does not dominate this use"
                    ),
                );
            }
        }
    }
}
