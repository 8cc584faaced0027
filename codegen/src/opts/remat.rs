//! Rematerialization: an integer `iadd`, `isub`, `band`, `bor` or `bxor` of a value and a
//! constant, used inside a loop that makes calls and that its definition is outside of,
//! is computed again in each using block of the loop (once, before the block's first
//! use) instead of staying live across the whole loop. Across calls a value needs one of
//! the few callee-saved registers or a spill slot with a reload at every use; the copy is
//! one cheap instruction. Elsewhere the original stays: there a copy would cost code and
//! time without relieving much.

use crate::ir::{Block, BlockArg, FunctionStencil, Inst, InstructionData, Opcode, Value, ValueDef};
use crate::loop_analysis::{Loop, LoopAnalysis};
use alloc::vec::Vec;
use gantry_entity::SecondaryMap;
use hashbrown::HashMap;

/// Whether `inst` computes an operation of a value and a constant cheap enough to repeat.
fn cheap(func: &FunctionStencil, inst: Inst) -> bool {
    let dfg = &func.dfg;
    let InstructionData::Binary { opcode, args } = dfg.insts[inst] else {
        return false;
    };
    let is_const = |v: Value| match dfg.value_def(dfg.resolve_aliases(v)) {
        ValueDef::Result(i, _) => dfg.insts[i].opcode() == Opcode::Iconst,
        _ => false,
    };
    matches!(
        opcode,
        Opcode::Iadd | Opcode::Isub | Opcode::Band | Opcode::Bor | Opcode::Bxor
    ) && dfg.value_type(dfg.first_result(inst)).is_scalar_int()
        && dfg.value_type(dfg.first_result(inst)).bits() <= 64
        && args.iter().any(|&a| is_const(a))
}

/// Runs the pass on `func`, whose loops are `loops`; returns how many copies it made.
pub fn run(func: &mut FunctionStencil, loops: &LoopAnalysis) -> usize {
    // The rematerializable values and the instructions defining them.
    let mut def: SecondaryMap<Value, Option<Inst>> = SecondaryMap::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if cheap(func, inst) {
                def[func.dfg.first_result(inst)] = Some(inst);
            }
        }
    }
    // The loops that make a call, directly or in a nested loop.
    let mut calls: SecondaryMap<Loop, bool> = SecondaryMap::new();
    for block in func.layout.blocks() {
        let has_call = func
            .layout
            .block_insts(block)
            .any(|i| func.dfg.insts[i].opcode().flags().is_call);
        let mut lp = loops.innermost_loop(block).filter(|_| has_call);
        while let Some(l) = lp {
            calls[l] = true;
            lp = loops.loop_parent(l);
        }
    }
    // Whether a use in `block` of a value defined in `home` is in a loop with calls that
    // `home` is outside of.
    let worth_copying = |block: Block, home: Block| {
        let mut lp = loops.innermost_loop(block);
        while let Some(l) = lp {
            if loops
                .innermost_loop(home)
                .is_some_and(|h| loops.is_child_loop(h, l))
            {
                return false;
            }
            if calls[l] {
                return true;
            }
            lp = loops.loop_parent(l);
        }
        false
    };
    let mut copies = 0;
    let blocks: Vec<Block> = func.layout.blocks().collect();
    for block in blocks {
        // This block's copy of each value used here.
        let mut local: HashMap<Value, Value> = HashMap::new();
        let insts: Vec<Inst> = func.layout.block_insts(block).collect();
        for inst in insts {
            // The copy of `v` for a use at `inst`, if `v` is defined in another block.
            let mut copy_of = |func: &mut FunctionStencil, v: Value| -> Option<Value> {
                let v = func.dfg.resolve_aliases(v);
                let origin = def[v]?;
                let home = func.layout.inst_block(origin)?;
                if !worth_copying(block, home) {
                    return None;
                }
                if let Some(&c) = local.get(&v) {
                    return Some(c);
                }
                let data = func.dfg.insts[origin];
                let ctrl = func.dfg.ctrl_typevar(origin);
                let clone = func.dfg.make_inst(data);
                func.dfg.make_inst_results(clone, ctrl);
                func.layout.insert_inst(clone, inst);
                let c = func.dfg.first_result(clone);
                local.insert(v, c);
                copies += 1;
                Some(c)
            };
            let args: Vec<Value> = func.dfg.inst_args(inst).to_vec();
            for (i, a) in args.into_iter().enumerate() {
                if let Some(c) = copy_of(func, a) {
                    let dfg = &mut func.dfg;
                    dfg.insts[inst].arguments_mut(&mut dfg.value_lists)[i] = c;
                }
            }
            // Arguments passed to other blocks are read by the branch: copies go before
            // it too. The block calls are visited twice in the same order.
            let mut calls: Vec<Vec<Option<Value>>> = Vec::new();
            func.dfg.for_each_branch_call_mut(inst, |call, pool| {
                calls.push(call.args(pool).map(BlockArg::as_value).collect());
            });
            let replacements: Vec<Vec<Option<Value>>> = calls
                .into_iter()
                .map(|args| {
                    args.into_iter()
                        .map(|a| a.and_then(|v| copy_of(func, v)))
                        .collect()
                })
                .collect();
            if replacements.iter().flatten().any(Option::is_some) {
                let mut next = replacements.iter();
                func.dfg.for_each_branch_call_mut(inst, |call, pool| {
                    let Some(these) = next.next() else { return };
                    for (slot, r) in call.args.as_mut_slice(pool).iter_mut().zip(these) {
                        if let Some(c) = r {
                            *slot = BlockArg::Value(*c).encode();
                        }
                    }
                });
            }
        }
    }
    copies
}
