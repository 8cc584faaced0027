//! Lowering: CLIF instructions to an ISA's machine instructions on virtual registers.
//!
//! The driver orders the blocks (reverse postorder, so every value's definition is
//! lowered before its uses), splits critical edges (regalloc2 needs a place for each
//! edge's moves), gives each block parameter a vreg, and asks the ISA's [`LowerBackend`]
//! to lower each instruction.

use super::reg::{Reg, ValueRegs};
use super::vcode::{VCode, VCodeBuilder};
use super::{CodegenError, MachInst};
use crate::dominator_tree::DominatorTree;
use crate::flowgraph::ControlFlowGraph;
use crate::ir::{Block, BlockArg, FunctionStencil, Inst, Opcode, StackSlot, Value};
use alloc::vec::Vec;
use gantry_entity::SecondaryMap;

/// A block of the lowered function.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LoweredBlock {
    /// A CLIF block.
    Orig(Block),
    /// A block added on the critical edge `succ` (the index among the terminator's
    /// destinations) from `from` to `to`: it only jumps, passing the edge's arguments.
    Edge {
        /// The branching block.
        from: Block,
        /// Which of its terminator's destinations the edge is.
        succ: usize,
        /// The destination.
        to: Block,
    },
}

/// The lowered blocks in emission order.
#[derive(Clone, Debug, Default)]
pub struct BlockOrder {
    /// Every lowered block, in order; index 0 is the entry.
    pub blocks: Vec<LoweredBlock>,
    /// Each reachable CLIF block's index in `blocks`.
    orig: SecondaryMap<Block, Option<usize>>,
    /// Per CLIF block, the lowered block each terminator destination goes to (the target
    /// or the edge block in between).
    targets: SecondaryMap<Block, Vec<usize>>,
}

impl BlockOrder {
    /// Orders the reachable blocks of `func` in reverse postorder, each block followed by
    /// the edge blocks of its critical out-edges.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] if a branch targets the entry block (its parameters
    /// are the function's arguments).
    pub fn new(
        func: &FunctionStencil,
        domtree: &DominatorTree,
    ) -> Result<BlockOrder, CodegenError> {
        let dfg = &func.dfg;
        let mut preds: SecondaryMap<Block, u32> = SecondaryMap::new();
        let rpo = domtree.cfg_rpo();
        for &b in rpo {
            if let Some(term) = func.layout.last_inst(b) {
                for call in dfg.branch_destinations(term) {
                    preds[call.block] += 1;
                }
            }
        }
        let mut order = BlockOrder::default();
        if let Some(&entry) = rpo.first() {
            if preds[entry] > 0 {
                return Err(CodegenError::Unsupported {
                    feature: "a branch to the entry block".into(),
                });
            }
        }
        for &b in rpo {
            order.orig[b] = Some(order.blocks.len());
            order.blocks.push(LoweredBlock::Orig(b));
            let Some(term) = func.layout.last_inst(b) else {
                continue;
            };
            let dests: Vec<Block> = dfg.branch_destinations(term).map(|c| c.block).collect();
            // Every edge of a try_call gets a block: there its results and exception
            // payloads become the target's arguments.
            let split_all = dfg.insts[term].exception_table().is_some();
            // regalloc2 allows no register operand on a branch into a block with several
            // predecessors: a `br_table` reads its index even when its only destination is
            // the default, so its edges are split like those of a two-way branch.
            let reads_operands = dfg.insts[term].opcode() == Opcode::BrTable;
            if dests.len() > 1 || split_all || reads_operands {
                for (succ, &to) in dests.iter().enumerate() {
                    if preds[to] > 1 || split_all {
                        order.blocks.push(LoweredBlock::Edge { from: b, succ, to });
                    }
                }
            }
        }
        // Resolve each destination to a lowered block index.
        for &b in rpo {
            let Some(term) = func.layout.last_inst(b) else {
                continue;
            };
            order.targets[b] = dfg
                .branch_destinations(term)
                .map(|call| {
                    order.orig[call.block].expect("a successor of a reachable block is reachable")
                })
                .collect();
        }
        for (i, lb) in order.blocks.clone().into_iter().enumerate() {
            if let LoweredBlock::Edge { from, succ, .. } = lb {
                order.targets[from][succ] = i;
            }
        }
        Ok(order)
    }

    /// The lowered index of a reachable CLIF block.
    pub fn lowered_index(&self, b: Block) -> Option<usize> {
        self.orig[b]
    }

    /// The edge block on destination `succ` of `from`'s terminator, if that edge was
    /// split.
    pub fn edge_block(&self, from: Block, succ: usize) -> Option<usize> {
        self.blocks
            .iter()
            .position(|lb| matches!(*lb, LoweredBlock::Edge { from: f, succ: s, .. } if f == from && s == succ))
    }

    /// Where each destination of `b`'s terminator goes, in order.
    pub fn targets(&self, b: Block) -> &[usize] {
        &self.targets[b]
    }
}

/// Where each sized stack slot lives in the frame's stack-slot area (byte offsets from its
/// start, each aligned as the slot asks, at most 16 bytes), and the area's size in bytes.
///
/// # Errors
/// [`CodegenError::Unsupported`] for an alignment above 16 bytes or an area of 2 GiB or
/// more.
pub fn stack_slot_layout(
    func: &FunctionStencil,
) -> Result<(SecondaryMap<StackSlot, u32>, u32), CodegenError> {
    let mut offsets = SecondaryMap::new();
    let mut end: u64 = 0;
    for (ss, data) in func.sized_stack_slots.iter() {
        if data.align_shift > 4 {
            return Err(CodegenError::Unsupported {
                feature: alloc::format!("{ss} aligned to more than 16 bytes"),
            });
        }
        let align = 1u64 << data.align_shift;
        let start = end.div_ceil(align) * align;
        offsets[ss] = start as u32;
        end = start + u64::from(data.size);
        if end >= i32::MAX as u64 / 2 {
            return Err(CodegenError::Unsupported {
                feature: "stack slots of 1 GiB or more".into(),
            });
        }
    }
    Ok((offsets, end as u32))
}

/// What an ISA provides to lower a function.
pub trait LowerBackend {
    /// The ISA's machine instruction.
    type MInst: MachInst;

    /// The name of the ISA, for error messages.
    fn name(&self) -> &'static str;

    /// Emits what defines the entry block's parameters (the function's arguments).
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] for signatures the ABI code does not handle.
    fn lower_args(
        &self,
        ctx: &mut Lower<'_, Self::MInst>,
        params: &[Reg],
    ) -> Result<(), CodegenError>;

    /// Lowers a non-terminator, defining its results with [`Lower::set_result`].
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] naming the opcode if no rule matches it.
    fn lower_inst(&self, ctx: &mut Lower<'_, Self::MInst>, inst: Inst) -> Result<(), CodegenError>;

    /// Lowers a block's terminator; `targets` are the lowered blocks its destinations go
    /// to. It calls [`Lower::add_succ`] for each, in order.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] naming the opcode if it cannot be lowered.
    fn lower_branch(
        &self,
        ctx: &mut Lower<'_, Self::MInst>,
        inst: Inst,
        targets: &[usize],
    ) -> Result<(), CodegenError>;

    /// At the start of a `try_call` handler edge: defines and returns the registers of
    /// the exception payload the unwinder delivers.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] if the ISA has no exception support.
    fn exception_payload(&self, ctx: &mut Lower<'_, Self::MInst>)
    -> Result<Vec<Reg>, CodegenError>;

    /// The operands `inst` will take as immediates or fold into its own operands rather
    /// than read from registers, so their defining instructions need not be lowered for
    /// this use (default: none). `uses` counts every use of each value by an instruction
    /// or branch argument, before any absorption; the decision must be the same whenever
    /// the backend makes it again while lowering (see [`Lower::raw_use_counts`]).
    fn absorbed_operands(
        &self,
        _func: &FunctionStencil,
        _inst: Inst,
        _uses: &SecondaryMap<Value, u32>,
    ) -> Vec<Value> {
        Vec::new()
    }

    /// Whether the backend can fold the load `load` into `user` as a memory operand
    /// (default: never). The driver checks the rest: the load's result has no other use,
    /// both are in the same block with no instruction that loads, stores, traps or has
    /// other effects between them, and `user` is lowered. The load is then not lowered on
    /// its own; `user`'s lowering finds it with [`Lower::sunk_load`].
    fn can_sink_load(&self, _func: &FunctionStencil, _user: Inst, _load: Inst) -> bool {
        false
    }

    /// An unconditional jump to lowered block `target` (for edge blocks).
    fn jump(&self, target: usize) -> Self::MInst;
}

/// The state of lowering one function.
pub struct Lower<'f, I: MachInst> {
    /// The function being lowered.
    pub func: &'f FunctionStencil,
    /// The code built so far.
    pub vcode: VCodeBuilder<I>,
    order: BlockOrder,
    slot_offsets: SecondaryMap<StackSlot, u32>,
    value_regs: SecondaryMap<Value, Option<ValueRegs>>,
    block_params: SecondaryMap<Block, Vec<Reg>>,
    try_call_rets: SecondaryMap<Inst, Vec<ValueRegs>>,
    uses: SecondaryMap<Value, u32>,
    raw_uses: SecondaryMap<Value, u32>,
    /// The register holding the return area's address, if the function's results need
    /// one (set by the backend's `lower_args`).
    pub ret_area_ptr: Option<Reg>,
    /// The register holding the `sret` parameter, if there is one (set by `lower_args`).
    pub sret: Option<Reg>,
    /// Loads folded into their only user (see [`LowerBackend::can_sink_load`]).
    sunk: SecondaryMap<Inst, bool>,
}

impl<'f, I: MachInst> Lower<'f, I> {
    /// The register holding `v`.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] if `v` has no register (a type the backend does not
    /// lower, or a use before its definition in block order).
    pub fn value_reg(&self, v: Value) -> Result<Reg, CodegenError> {
        self.value_regs(v)?
            .only()
            .ok_or_else(|| CodegenError::Unsupported {
                feature: alloc::format!("{} values in this position", self.func.dfg.value_type(v)),
            })
    }

    /// The registers holding `v` (two for `i128`).
    ///
    /// # Errors
    /// As [`Lower::value_reg`].
    pub fn value_regs(&self, v: Value) -> Result<ValueRegs, CodegenError> {
        let v = self.func.dfg.resolve_aliases(v);
        self.value_regs[v].ok_or_else(|| CodegenError::Unsupported {
            feature: alloc::format!("values of type {}", self.func.dfg.value_type(v)),
        })
    }

    /// Records the registers holding each result of the `try_call` `inst`, for its
    /// normal-return edge.
    pub fn set_try_call_rets(&mut self, inst: Inst, rets: Vec<ValueRegs>) {
        self.try_call_rets[inst] = rets;
    }

    /// The lowered block of the edge `succ` of `from`'s terminator, if it was split.
    pub fn edge_block(&self, from: Block, succ: usize) -> Option<usize> {
        self.order.edge_block(from, succ)
    }

    /// The load defining `v` if it was folded into `v`'s only user, which must then use it
    /// as a memory operand.
    pub fn sunk_load(&self, v: Value) -> Option<Inst> {
        let v = self.func.dfg.resolve_aliases(v);
        self.func.dfg.value_def(v).inst().filter(|&i| self.sunk[i])
    }

    /// How many instructions and branch arguments use `v` (aliases resolved).
    pub fn use_count(&self, v: Value) -> u32 {
        self.uses[self.func.dfg.resolve_aliases(v)]
    }

    /// All uses of each value, before absorbed operands are taken away (what
    /// [`LowerBackend::absorbed_operands`] was given).
    pub fn raw_use_counts(&self) -> &SecondaryMap<Value, u32> {
        &self.raw_uses
    }

    /// Whether `inst` can be left out: no effects (no trap, memory access, call or
    /// other side effect) and no result used.
    fn is_dead(&self, inst: Inst) -> bool {
        let f = self.func.dfg.insts[inst].opcode().flags();
        let effects = f.can_trap
            || f.can_load
            || f.can_store
            || f.other_side_effects
            || f.is_call
            || f.is_branch
            || f.is_terminator;
        !effects
            && self
                .func
                .dfg
                .inst_results(inst)
                .iter()
                .all(|&r| self.uses[r] == 0)
    }

    /// Records that `regs` hold `v`.
    pub fn set_result_regs(&mut self, v: Value, regs: ValueRegs) {
        self.value_regs[v] = Some(regs);
    }

    /// The offset of stack slot `ss` in the frame's stack-slot area, in bytes.
    pub fn stack_slot_offset(&self, ss: StackSlot) -> u32 {
        self.slot_offsets[ss]
    }

    /// Records that `reg` holds `v`.
    pub fn set_result(&mut self, v: Value, reg: Reg) {
        self.value_regs[v] = Some(ValueRegs::one(reg));
    }

    /// Records the edge to lowered block `target` with the arguments of `inst`'s
    /// destination `succ` (none if the target is an edge block, which passes them).
    ///
    /// # Errors
    /// As [`Lower::value_reg`] for the arguments.
    pub fn add_succ(&mut self, inst: Inst, succ: usize, target: usize) -> Result<(), CodegenError> {
        let args = match self.order.blocks[target] {
            LoweredBlock::Edge { .. } => Vec::new(),
            LoweredBlock::Orig(_) => self.branch_args(inst, succ, &[])?,
        };
        self.vcode.add_succ(target, &args);
        Ok(())
    }

    /// The registers passed to destination `succ` of `inst`: values, and on the edges of
    /// a `try_call` its results and the exception `payload` registers.
    fn branch_args(
        &self,
        inst: Inst,
        succ: usize,
        payload: &[Reg],
    ) -> Result<Vec<Reg>, CodegenError> {
        let dfg = &self.func.dfg;
        let call = dfg
            .branch_destinations(inst)
            .nth(succ)
            .expect("the destination exists");
        let mut out = Vec::new();
        for a in call.args(&dfg.value_lists) {
            match a {
                BlockArg::Value(v) => out.extend_from_slice(self.value_regs(v)?.regs()),
                BlockArg::TryCallRet(n) => {
                    let regs = self.try_call_rets[inst].get(n as usize).ok_or_else(|| {
                        CodegenError::Unsupported {
                            feature: alloc::format!("ret{n} of a call without that result"),
                        }
                    })?;
                    out.extend_from_slice(regs.regs());
                }
                BlockArg::TryCallExn(n) => {
                    out.push(
                        *payload
                            .get(n as usize)
                            .ok_or_else(|| CodegenError::Unsupported {
                                feature: alloc::format!("exception payload exn{n}"),
                            })?,
                    )
                }
            }
        }
        Ok(out)
    }
}

/// Lowers `func` with `backend`.
///
/// # Errors
/// [`CodegenError::Unsupported`] for what the backend cannot lower.
pub fn lower<B: LowerBackend>(
    backend: &B,
    func: &FunctionStencil,
) -> Result<VCode<B::MInst>, CodegenError> {
    let cfg = ControlFlowGraph::with_function(func);
    let domtree = DominatorTree::with_function(func, &cfg);
    let order = BlockOrder::new(func, &domtree)?;
    let blocks = order.blocks.clone();
    let (slot_offsets, _) = stack_slot_layout(func)?;
    let mut ctx = Lower {
        func,
        vcode: VCodeBuilder::new(),
        order,
        slot_offsets,
        value_regs: SecondaryMap::new(),
        block_params: SecondaryMap::new(),
        try_call_rets: SecondaryMap::new(),
        uses: SecondaryMap::new(),
        raw_uses: SecondaryMap::new(),
        ret_area_ptr: None,
        sret: None,
        sunk: SecondaryMap::new(),
    };
    (ctx.raw_uses, ctx.uses) = count_uses(backend, func);
    ctx.sunk = sink_loads(backend, func, &ctx);
    ctx.vcode.declare_blocks(blocks.len());
    for lb in &blocks {
        if let LoweredBlock::Orig(b) = *lb {
            let mut regs = Vec::new();
            for &p in func.dfg.block_params(b) {
                let class = class_of(backend, func, p)?;
                let r = ctx.vcode.alloc_vreg(class);
                if func.dfg.value_type(p) == crate::ir::Type::I128 {
                    let hi = ctx.vcode.alloc_vreg(class);
                    ctx.value_regs[p] = Some(ValueRegs::two(r, hi));
                    regs.extend([r, hi]);
                } else {
                    ctx.value_regs[p] = Some(ValueRegs::one(r));
                    regs.push(r);
                }
            }
            ctx.block_params[b] = regs;
        }
    }
    for (i, lb) in blocks.iter().enumerate() {
        match *lb {
            LoweredBlock::Orig(b) => {
                let params = core::mem::take(&mut ctx.block_params[b]);
                if i == 0 {
                    ctx.vcode.start_block(i, &[]);
                    backend.lower_args(&mut ctx, &params)?;
                } else {
                    ctx.vcode.start_block(i, &params);
                }
                for inst in func.layout.block_insts(b) {
                    let opcode = func.dfg.insts[inst].opcode();
                    if opcode.is_terminator() {
                        let targets = ctx.order.targets(b).to_vec();
                        backend.lower_branch(&mut ctx, inst, &targets)?;
                    } else if !ctx.is_dead(inst) && !ctx.sunk[inst] {
                        backend.lower_inst(&mut ctx, inst)?;
                    }
                }
            }
            LoweredBlock::Edge { from, succ, to } => {
                ctx.vcode.start_block(i, &[]);
                let term = func
                    .layout
                    .last_inst(from)
                    .expect("a branching block has a terminator");
                // A try_call's handler edges receive the exception payload.
                let payload = if succ > 0 && func.dfg.insts[term].exception_table().is_some() {
                    backend.exception_payload(&mut ctx)?
                } else {
                    Vec::new()
                };
                let args = ctx.branch_args(term, succ, &payload)?;
                let target = ctx.order.lowered_index(to).expect("reachable");
                ctx.vcode.push(backend.jump(target));
                ctx.vcode.add_succ(target, &args);
            }
        }
    }
    Ok(ctx.vcode.finish())
}

/// The number of uses of each value that need it in a register: instruction and branch
/// arguments, less the operands the backend takes as immediates.
/// Whether `inst` may have an effect a load must not move across (or is a load).
fn has_effect(func: &FunctionStencil, inst: Inst) -> bool {
    let f = func.dfg.insts[inst].opcode().flags();
    f.can_load || f.can_store || f.can_trap || f.other_side_effects || f.is_call
}

/// The loads to fold into their users: each load whose one use is an operand of a later
/// instruction of its block, with no effect in between (so moving the access to the
/// user keeps the order of memory accesses and traps), where the user is lowered and the
/// backend accepts the pair.
fn sink_loads<B: LowerBackend>(
    backend: &B,
    func: &FunctionStencil,
    ctx: &Lower<'_, B::MInst>,
) -> SecondaryMap<Inst, bool> {
    let dfg = &func.dfg;
    let mut sunk = SecondaryMap::new();
    for b in func.layout.blocks() {
        // The last instruction of this block so far with an effect.
        let mut last_effect: Option<Inst> = None;
        for inst in func.layout.block_insts(b) {
            let effect = has_effect(func, inst);
            let lowered = effect
                || dfg.insts[inst].opcode().flags().is_terminator
                || dfg.inst_results(inst).iter().any(|&r| ctx.uses[r] > 0);
            if let Some(load) = last_effect.filter(|_| lowered) {
                let only_use_here = dfg.inst_results(load).first().is_some_and(|&r| {
                    ctx.uses[r] == 1
                        && dfg
                            .inst_args(inst)
                            .iter()
                            .any(|&a| dfg.resolve_aliases(a) == r)
                });
                // A user whose result some instruction absorbed (e.g. an address folded
                // into a memory operand) has its operands read directly there, so the
                // load must stay in a register.
                let absorbed = dfg
                    .inst_results(inst)
                    .iter()
                    .any(|&r| ctx.uses[r] != ctx.raw_uses[r]);
                if only_use_here
                    && !absorbed
                    && dfg.insts[load].opcode().flags().can_load
                    && backend.can_sink_load(func, inst, load)
                {
                    sunk[load] = true;
                }
            }
            if effect {
                last_effect = Some(inst);
            }
        }
    }
    sunk
}

/// The uses of each value: all of them, and those left once the backend's absorbed
/// operands are taken away.
fn count_uses<B: LowerBackend>(
    backend: &B,
    func: &FunctionStencil,
) -> (SecondaryMap<Value, u32>, SecondaryMap<Value, u32>) {
    let dfg = &func.dfg;
    let mut raw: SecondaryMap<Value, u32> = SecondaryMap::new();
    for b in func.layout.blocks() {
        for inst in func.layout.block_insts(b) {
            for &a in dfg.inst_args(inst) {
                raw[dfg.resolve_aliases(a)] += 1;
            }
            for call in dfg.branch_destinations(inst) {
                for a in call.args(&dfg.value_lists) {
                    if let BlockArg::Value(v) = a {
                        raw[dfg.resolve_aliases(v)] += 1;
                    }
                }
            }
        }
    }
    let mut uses = raw.clone();
    for b in func.layout.blocks() {
        for inst in func.layout.block_insts(b) {
            for v in backend.absorbed_operands(func, inst, &raw) {
                let v = dfg.resolve_aliases(v);
                uses[v] = uses[v].saturating_sub(1);
            }
        }
    }
    (raw, uses)
}

fn class_of<B: LowerBackend>(
    backend: &B,
    func: &FunctionStencil,
    v: Value,
) -> Result<regalloc2::RegClass, CodegenError> {
    let ty = func.dfg.value_type(v);
    if ty.is_scalar_int() {
        Ok(regalloc2::RegClass::Int)
    } else if (ty.is_scalar() && ty.is_float()) || ty.is_vector128() {
        Ok(regalloc2::RegClass::Float)
    } else {
        Err(CodegenError::Unsupported {
            feature: alloc::format!("{ty} values on {}", backend.name()),
        })
    }
}

/// The opcode of an instruction, for error messages.
pub fn opcode_of(func: &FunctionStencil, inst: Inst) -> Opcode {
    func.dfg.insts[inst].opcode()
}
