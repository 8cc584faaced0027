//! SSA construction: which value of a variable reaches a block, adding block parameters
//! where predecessors disagree and removing the ones that turn out trivial.

use crate::Variable;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use gantry_codegen::entity::SecondaryMap;
use gantry_codegen::ir::dfg::ValueData;
use gantry_codegen::ir::{
    Block, BlockArg, Function, Ieee16, Ieee32, Ieee64, Imm64, Inst, InstructionData, Opcode, Type,
    Value,
};

/// The state of SSA construction for one function.
#[derive(Default)]
pub(crate) struct SsaBuilder {
    /// The value of each variable at the end of (so far: the current point of) a block.
    defs: BTreeMap<(Variable, Block), Value>,
    /// Blocks whose predecessors are all known.
    sealed: SecondaryMap<Block, bool>,
    /// Each block's predecessors: the block and its branch instruction (once per branch
    /// even if it names the block twice).
    preds: SecondaryMap<Block, Vec<(Block, Inst)>>,
    /// Parameters added to unsealed blocks, completed when the block is sealed.
    incomplete: SecondaryMap<Block, Vec<(Variable, Value)>>,
    /// Every parameter SSA construction added, for trivial-parameter removal.
    added: Vec<Value>,
}

impl SsaBuilder {
    /// Forgets everything (for the next function).
    pub(crate) fn clear(&mut self) {
        self.defs.clear();
        self.sealed.clear();
        self.preds.clear();
        self.incomplete.clear();
        self.added.clear();
    }

    /// Records that `var` holds `val` at the current point of `block`.
    pub(crate) fn def_var(&mut self, var: Variable, val: Value, block: Block) {
        self.defs.insert((var, block), val);
    }

    /// Whether `block` is sealed.
    pub(crate) fn is_sealed(&self, block: Block) -> bool {
        self.sealed[block]
    }

    /// Records that branch `inst` at the end of `pred` may jump to `block`.
    pub(crate) fn declare_predecessor(&mut self, block: Block, pred: Block, inst: Inst) {
        if !self.preds[block].contains(&(pred, inst)) {
            self.preds[block].push((pred, inst));
        }
    }

    /// The value of `var` (of type `ty`) on entry to the current point of `block`.
    pub(crate) fn use_var(
        &mut self,
        func: &mut Function,
        var: Variable,
        ty: Type,
        block: Block,
    ) -> Value {
        // Walk up chains of single predecessors without recursion.
        let mut chain = Vec::new();
        let mut b = block;
        let val = loop {
            if let Some(&v) = self.defs.get(&(var, b)) {
                break v;
            }
            if !self.sealed[b] {
                // More predecessors may come: a parameter, completed at sealing.
                let v = func.dfg.append_block_param(b, ty);
                self.added.push(v);
                self.incomplete[b].push((var, v));
                self.defs.insert((var, b), v);
                break v;
            }
            match self.preds[b].len() {
                1 => {
                    chain.push(b);
                    b = self.preds[b][0].0;
                }
                0 => {
                    // The entry block or an unreachable one: the variable was never
                    // defined, and reads as zero.
                    let v = zero(func, ty, b);
                    self.defs.insert((var, b), v);
                    break v;
                }
                _ => {
                    let v = func.dfg.append_block_param(b, ty);
                    self.added.push(v);
                    self.defs.insert((var, b), v);
                    self.add_arguments(func, var, ty, b);
                    break v;
                }
            }
        };
        for c in chain {
            self.defs.insert((var, c), val);
        }
        val
    }

    /// Passes the value of `var` from every predecessor of `block` as the argument of its
    /// newest parameter.
    fn add_arguments(&mut self, func: &mut Function, var: Variable, ty: Type, block: Block) {
        let preds = self.preds[block].clone();
        for (pred, branch) in preds {
            let arg = self.use_var(func, var, ty, pred);
            func.dfg.for_each_branch_call_mut(branch, |call, pool| {
                if call.block == block {
                    call.args.push(BlockArg::Value(arg).encode(), pool);
                }
            });
        }
    }

    /// Declares that `block` has all its predecessors: completes its pending parameters.
    pub(crate) fn seal_block(&mut self, func: &mut Function, block: Block) {
        if self.sealed[block] {
            return;
        }
        self.sealed[block] = true;
        let pending = core::mem::take(&mut self.incomplete[block]);
        for (var, param) in pending {
            let ty = func.dfg.value_type(param);
            // The parameter is the newest one added for this variable: arguments go in
            // the parameter's position, which `add_arguments` appends to; parameters are
            // added and completed in the same order, so positions agree.
            let _ = param;
            self.add_arguments(func, var, ty, block);
        }
    }

    /// Removes the parameters SSA construction added whose arguments are all one value
    /// (or the parameter itself), making them aliases of that value, until none is left.
    pub(crate) fn remove_trivial_params(&mut self, func: &mut Function) {
        loop {
            let mut changed = false;
            for &param in &self.added {
                // Not `value_def`: it would follow the alias of a parameter already removed.
                let ValueData::Param { block, num, .. } = func.dfg.value_data(param) else {
                    continue;
                };
                let num = usize::from(num);
                let mut same = None;
                let mut trivial = true;
                for &(_, branch) in &self.preds[block] {
                    for call in func.dfg.branch_destinations(branch) {
                        if call.block != block {
                            continue;
                        }
                        let Some(BlockArg::Value(v)) = call.args(&func.dfg.value_lists).nth(num)
                        else {
                            trivial = false;
                            continue;
                        };
                        let v = func.dfg.resolve_aliases(v);
                        if v == param || Some(v) == same {
                            continue;
                        }
                        if same.is_some() {
                            trivial = false;
                        }
                        same = Some(v);
                    }
                }
                let Some(same) = same.filter(|_| trivial) else {
                    continue;
                };
                for &(_, branch) in &self.preds[block] {
                    func.dfg.for_each_branch_call_mut(branch, |call, pool| {
                        if call.block == block {
                            call.args.remove(num, pool);
                        }
                    });
                }
                func.dfg.remove_block_param(param);
                func.dfg.change_to_alias(param, same);
                changed = true;
            }
            if !changed {
                break;
            }
        }
    }
}

/// A zero of type `ty` placed at the start of `block`.
fn zero(func: &mut Function, ty: Type, block: Block) -> Value {
    let (data, ctrl) = match ty {
        Type::F16 => (
            InstructionData::UnaryIeee16 {
                opcode: Opcode::F16const,
                imm: Ieee16::with_bits(0),
            },
            Type::INVALID,
        ),
        Type::F32 => (
            InstructionData::UnaryIeee32 {
                opcode: Opcode::F32const,
                imm: Ieee32::with_bits(0),
            },
            Type::INVALID,
        ),
        Type::F64 => (
            InstructionData::UnaryIeee64 {
                opcode: Opcode::F64const,
                imm: Ieee64::with_bits(0),
            },
            Type::INVALID,
        ),
        t if t.is_scalar_int() && t != Type::I128 => (
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm: Imm64::new(0),
            },
            t,
        ),
        Type::I128 => {
            let narrow = zero(func, Type::I64, block);
            let inst = func.dfg.make_inst(InstructionData::Unary {
                opcode: Opcode::Uextend,
                arg: narrow,
            });
            func.dfg.make_inst_results(inst, Type::I128);
            let after = func
                .dfg
                .value_def(narrow)
                .inst()
                .expect("an instruction result");
            match func.layout.next_inst(after) {
                Some(next) => func.layout.insert_inst(inst, next),
                None => func.layout.append_inst(inst, block),
            }
            return func.dfg.first_result(inst);
        }
        other => panic!("a variable of type {other} is read before any definition"),
    };
    let inst = func.dfg.make_inst(data);
    func.dfg.make_inst_results(inst, ctrl);
    match func.layout.first_inst(block) {
        Some(first) => func.layout.insert_inst(inst, first),
        None => func.layout.append_inst(inst, block),
    }
    func.dfg.first_result(inst)
}
