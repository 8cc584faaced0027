//! Global value numbering: an instruction that computes exactly what a dominating one
//! already computed is removed, and its results become aliases of the earlier results.
//!
//! The dominator tree is walked depth-first with a scoped table from an instruction's
//! contents (opcode, immediates, operands after alias resolution, controlling type) to
//! its results, so an instruction only ever reuses one that dominates it.
//!
//! Merged: instructions without effects, constants only within one block (across
//! blocks a constant is cheaper to rematerialize than to keep live); trapping instructions whose trap depends only on their operands
//! (`idempotent`: the dominating copy traps first); and loads from `readonly` memory,
//! which always reads the same value.

use super::is_constant;
use crate::dominator_tree::DominatorTree;
use crate::ir::{Block, FunctionStencil, Inst, InstructionData, Type, Value};
use alloc::vec::Vec;
use hashbrown::HashMap;

/// What identifies the value(s) an instruction computes.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    data: InstructionData,
    ctrl: Type,
    /// The block, for constants (merged only within a block); `None` otherwise.
    block: Option<Block>,
}

/// Whether a constant costs more to rematerialize at each use than to keep in a
/// register within its block: an integer that no 32-bit immediate holds, or a float
/// (a load from the constant pool).
fn expensive_constant(data: &InstructionData) -> bool {
    match *data {
        InstructionData::UnaryImm { imm, .. } => i32::try_from(imm.bits()).is_err(),
        _ => true,
    }
}

/// Whether `inst` may be replaced by an identical instruction that dominates it.
fn mergeable(func: &FunctionStencil, inst: Inst) -> bool {
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
    if is_constant(op) && !expensive_constant(data) {
        return false;
    }
    if f.can_load {
        return matches!(data, InstructionData::Load { flags, .. } if flags.readonly());
    }
    // Value lists are compared by handle, not contents: leave those formats alone.
    if matches!(
        data,
        InstructionData::MultiAry { .. }
            | InstructionData::Call { .. }
            | InstructionData::CallIndirect { .. }
            | InstructionData::TryCall { .. }
            | InstructionData::TryCallIndirect { .. }
    ) {
        return false;
    }
    !f.can_trap || f.side_effects_idempotent
}

/// Runs the pass on `func`, whose dominator tree is `domtree`; returns how many
/// instructions it removed. The control flow does not change.
pub fn run(func: &mut FunctionStencil, domtree: &DominatorTree) -> usize {
    // Dominator-tree children, in reverse post-order.
    let mut children: HashMap<Block, Vec<Block>> = HashMap::new();
    for &b in domtree.cfg_rpo() {
        if let Some(parent) = domtree.idom(b) {
            children.entry(parent).or_default().push(b);
        }
    }
    let Some(entry) = func.layout.entry_block() else {
        return 0;
    };
    let mut table: HashMap<Key, Vec<Value>> = HashMap::new();
    // Keys added, in order, and where each block's additions start.
    let mut added: Vec<Key> = Vec::new();
    let mut removed = 0;
    // (block, true) enters a block, (block, false) leaves it.
    let mut stack = alloc::vec![(entry, true)];
    let mut scopes: Vec<usize> = Vec::new();
    while let Some((block, enter)) = stack.pop() {
        if !enter {
            let start = scopes.pop().unwrap_or(0);
            for key in added.drain(start..) {
                table.remove(&key);
            }
            continue;
        }
        scopes.push(added.len());
        stack.push((block, false));
        if let Some(kids) = children.get(&block) {
            stack.extend(kids.iter().rev().map(|&k| (k, true)));
        }
        let insts: Vec<Inst> = func.layout.block_insts(block).collect();
        for inst in insts {
            resolve_args(func, inst);
            if !mergeable(func, inst) {
                continue;
            }
            let data = func.dfg.insts[inst];
            let key = Key {
                data,
                ctrl: func.dfg.ctrl_typevar(inst),
                block: is_constant(data.opcode()).then_some(block),
            };
            match table.get(&key) {
                Some(earlier) => {
                    let earlier = earlier.clone();
                    let results: Vec<Value> = func.dfg.inst_results(inst).to_vec();
                    for (r, e) in results.into_iter().zip(earlier) {
                        func.dfg.change_to_alias(r, e);
                    }
                    func.layout.remove_inst(inst);
                    removed += 1;
                }
                None => {
                    table.insert(key.clone(), func.dfg.inst_results(inst).to_vec());
                    added.push(key);
                }
            }
        }
    }
    removed
}

/// Replaces `inst`'s operands by what their aliases resolve to, so equal computations
/// have equal contents.
fn resolve_args(func: &mut FunctionStencil, inst: Inst) {
    let dfg = &mut func.dfg;
    let resolved: Vec<Value> = dfg
        .inst_args(inst)
        .iter()
        .map(|&v| dfg.resolve_aliases(v))
        .collect();
    let data = &mut dfg.insts[inst];
    for (slot, v) in data
        .arguments_mut(&mut dfg.value_lists)
        .iter_mut()
        .zip(resolved)
    {
        *slot = v;
    }
}
