//! Loop-invariant code motion: instructions in a loop whose operands come from outside
//! it are moved to the loop's preheader, so they run once instead of every iteration.
//!
//! Moved: instructions without effects that cannot trap and loads of `readonly` memory
//! that cannot trap (`notrap`). Constants move only along with such a user (alone, they
//! are cheaper to rematerialize than to keep live across the loop). Running them when the loop body would not have is
//! harmless. A loop is treated only if its header has one predecessor outside the loop
//! and that predecessor ends in a `jump` to the header (the preheader), and if it makes
//! no calls (values live across calls cost a reload anyway). Inner loops come
//! first, so an instruction can leave several loops.

use super::is_constant;
use crate::dominator_tree::DominatorTree;
use crate::flowgraph::ControlFlowGraph;
use crate::ir::{Block, FunctionStencil, Inst, InstructionData, ValueDef};
use crate::loop_analysis::{Loop, LoopAnalysis};
use alloc::vec::Vec;
use gantry_entity::SecondaryMap;

/// Whether `inst` may run in the preheader instead of the loop.
fn movable(func: &FunctionStencil, inst: Inst) -> bool {
    let data = &func.dfg.insts[inst];
    let op = data.opcode();
    let f = op.flags();
    if func.dfg.inst_results(inst).is_empty()
        || f.is_branch
        || f.is_terminator
        || f.is_call
        || f.can_store
        || f.other_side_effects
    {
        return false;
    }
    if is_constant(op) {
        return false;
    }
    if f.can_load {
        return matches!(data, InstructionData::Load { flags, .. }
            if flags.readonly() && flags.notrap());
    }
    !f.can_trap
}

/// The block outside `lp` that jumps to its header and nowhere else, if there is one.
fn preheader(
    func: &FunctionStencil,
    cfg: &ControlFlowGraph,
    loops: &LoopAnalysis,
    lp: Loop,
) -> Option<Block> {
    let header = loops.loop_header(lp);
    let mut outside = cfg
        .pred_iter(header)
        .filter(|p| !in_loop(loops, p.block, lp));
    let pred = outside.next()?;
    if outside.next().is_some() {
        return None;
    }
    matches!(func.dfg.insts[pred.inst], InstructionData::Jump { .. }).then_some(pred.block)
}

fn in_loop(loops: &LoopAnalysis, block: Block, lp: Loop) -> bool {
    loops
        .innermost_loop(block)
        .is_some_and(|inner| loops.is_child_loop(inner, lp))
}

/// Runs the pass on `func`, whose control flow graph and dominator tree are `cfg` and
/// `domtree`; returns how many instructions it moved. The control flow does not change.
pub fn run(func: &mut FunctionStencil, cfg: &ControlFlowGraph, domtree: &DominatorTree) -> usize {
    let loops = LoopAnalysis::compute(cfg, domtree);
    // Each loop's blocks (nested loops' included), dominators first, so operands are
    // seen before their users.
    let mut members: SecondaryMap<Loop, Vec<Block>> = SecondaryMap::new();
    for &b in domtree.cfg_rpo() {
        let mut lp = loops.innermost_loop(b);
        while let Some(l) = lp {
            members[l].push(b);
            lp = loops.loop_parent(l);
        }
    }
    let mut moved = 0;
    // Inner loops were found first.
    for lp in loops.loops() {
        let Some(pre) = preheader(func, cfg, &loops, lp) else {
            continue;
        };
        let Some(pre_end) = func.layout.last_inst(pre) else {
            continue;
        };
        // Values kept across a call live in callee-saved registers or stack slots: hoisted
        // out of a loop with calls, a cheap computation would only become a reload.
        let calls = members[lp].iter().any(|&b| {
            func.layout
                .block_insts(b)
                .any(|i| func.dfg.insts[i].opcode().flags().is_call)
        });
        if calls {
            continue;
        }
        for &b in &members[lp] {
            let insts: Vec<Inst> = func.layout.block_insts(b).collect();
            for inst in insts {
                if !movable(func, inst) {
                    continue;
                }
                // Operands from outside the loop, or constants of the loop, which then
                // move along.
                let mut constants = Vec::new();
                let invariant = func.dfg.inst_args(inst).iter().all(|&v| {
                    let v = func.dfg.resolve_aliases(v);
                    match func.dfg.value_def(v) {
                        ValueDef::Result(def, _) => {
                            let inside = func
                                .layout
                                .inst_block(def)
                                .is_none_or(|block| in_loop(&loops, block, lp));
                            if inside && is_constant(func.dfg.insts[def].opcode()) {
                                constants.push(def);
                                return true;
                            }
                            !inside
                        }
                        ValueDef::Param(block, _) => !in_loop(&loops, block, lp),
                    }
                });
                if invariant {
                    for c in constants {
                        if func.layout.inst_block(c).is_some_and(|cb| cb != pre) {
                            func.layout.remove_inst(c);
                            func.layout.insert_inst(c, pre_end);
                        }
                    }
                    func.layout.remove_inst(inst);
                    func.layout.insert_inst(inst, pre_end);
                    moved += 1;
                }
            }
        }
    }
    moved
}
