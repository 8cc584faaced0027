//! Lowering: CLIF instructions to an ISA's machine instructions on virtual registers.
//!
//! The driver orders the blocks (reverse postorder), splits critical edges (regalloc2
//! needs a place for each edge's moves), then lowers backward and on demand: blocks last
//! to first and instructions last to first, asking the ISA's [`LowerBackend`] to lower
//! each instruction that has an effect or whose result a rule already asked for in a
//! register (see [`Lower`]). What a rule folds into an instruction it reads from the IR,
//! so nothing decides ahead of the rules what they will fold.

use super::reg::{Reg, ValueRegs};
use super::vcode::{VCode, VCodeBuilder};
use super::{CodegenError, MachInst};
use crate::dominator_tree::DominatorTree;
use crate::flowgraph::ControlFlowGraph;
use crate::ir::{Block, BlockArg, FunctionStencil, Inst, Opcode, StackSlot, Type, Value};
use alloc::vec::Vec;
use gantry_entity::SecondaryMap;
use regalloc2::RegClass;

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

    /// The register classes holding a value of type `ty`, one per register (`None` for
    /// types the ISA does not keep in registers). By default: integers up to 64 bits in
    /// one integer register, `i128` in two, floats and 128-bit vectors in one float
    /// register.
    fn reg_classes(ty: Type) -> Option<&'static [RegClass]>
    where
        Self: Sized,
    {
        if ty == Type::I128 {
            Some(&[RegClass::Int, RegClass::Int])
        } else if ty.is_scalar_int() {
            Some(&[RegClass::Int])
        } else if (ty.is_scalar() && ty.is_float()) || ty.is_vector128() {
            Some(&[RegClass::Float])
        } else {
            None
        }
    }

    /// Emits what defines the entry block's parameters (the function's arguments), after
    /// the rest of the function was lowered (so [`Lower::is_used`] tells which are read).
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

    /// An unconditional jump to lowered block `target` (for edge blocks).
    fn jump(&self, target: usize) -> Self::MInst;
}

/// The state of lowering one function.
///
/// Lowering runs backward: blocks last to first, instructions last to first. A rule that
/// wants a value in a register asks [`Lower::value_regs`], which counts as a use; an
/// instruction is lowered only if it has an effect or one of its results was used by
/// then. So a rule folds an operand's definition (an immediate, a comparison, an
/// address) simply by reading it from the IR instead of asking for its register, and a
/// load by [`Lower::sink_inst`] when [`Lower::sinkable_load`] allows it.
pub struct Lower<'f, I: MachInst> {
    /// The function being lowered.
    pub func: &'f FunctionStencil,
    /// The code built so far.
    pub vcode: VCodeBuilder<I>,
    order: BlockOrder,
    slot_offsets: SecondaryMap<StackSlot, u32>,
    classes: fn(Type) -> Option<&'static [RegClass]>,
    /// Each value's registers, given when first asked for or defined.
    value_regs: SecondaryMap<Value, Option<ValueRegs>>,
    /// Whether a rule asked for each value in a register.
    used: SecondaryMap<Value, bool>,
    try_call_rets: SecondaryMap<Inst, Vec<ValueRegs>>,
    /// How many instructions and branch arguments use each value.
    uses: SecondaryMap<Value, u32>,
    /// The side-effect color on entry to each instruction: the number of instructions
    /// with an effect before it in layout order.
    colors: SecondaryMap<Inst, u32>,
    /// The instruction being lowered.
    current: Option<Inst>,
    ret_area_ptr: Option<Reg>,
    /// Instructions merged into a user (sunk loads): not lowered on their own.
    sunk: SecondaryMap<Inst, bool>,
}

impl<'f, I: MachInst> Lower<'f, I> {
    /// The typed error for instruction `inst`, which no rule of `isa` lowers: its
    /// opcode and controlling type (its first result's, else its first argument's).
    pub fn unsupported(&self, inst: Inst, isa: &'static str) -> CodegenError {
        let dfg = &self.func.dfg;
        let ty = dfg
            .inst_results(inst)
            .first()
            .or_else(|| dfg.inst_args(inst).first())
            .map_or(Type::INVALID, |&v| dfg.value_type(v));
        CodegenError::UnsupportedOpcode {
            opcode: dfg.insts[inst].opcode(),
            ty,
            isa,
        }
    }

    /// The symbol and byte offset a `tls_value` instruction reads, for an ISA (`isa`)
    /// lowering the ELF general-dynamic model; `None` for any other instruction.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] for a global value that is not a TLS symbol, or a
    /// `tls_model` other than `elf_gd`.
    pub fn tls_symbol(
        &self,
        inst: Inst,
        model: crate::settings::TlsModel,
        isa: &str,
    ) -> Result<Option<(crate::ir::ExternalName, i64)>, CodegenError> {
        let crate::ir::InstructionData::UnaryGlobalValue {
            opcode: crate::ir::Opcode::TlsValue,
            global_value,
        } = self.func.dfg.insts[inst]
        else {
            return Ok(None);
        };
        let crate::ir::GlobalValueData::Symbol {
            name,
            offset,
            tls: true,
            ..
        } = self.func.global_values[global_value].clone()
        else {
            return Err(CodegenError::Unsupported {
                feature: alloc::format!("tls_value of {global_value}, not a TLS symbol"),
            });
        };
        if model != crate::settings::TlsModel::ElfGd {
            return Err(CodegenError::Unsupported {
                feature: alloc::format!(
                    "tls_value with tls_model={} on {isa} (elf_gd is implemented)",
                    model.name()
                ),
            });
        }
        Ok(Some((name, offset.bits())))
    }

    /// The register holding `v`, which counts as a use.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] if `v` is not kept in one register.
    pub fn value_reg(&mut self, v: Value) -> Result<Reg, CodegenError> {
        self.value_regs(v)?
            .only()
            .ok_or_else(|| CodegenError::Unsupported {
                feature: alloc::format!("{} values in this position", self.func.dfg.value_type(v)),
            })
    }

    /// The registers holding `v` (two for `i128` by default), which counts as a use.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] for a type the ISA does not keep in registers.
    pub fn value_regs(&mut self, v: Value) -> Result<ValueRegs, CodegenError> {
        let v = self.func.dfg.resolve_aliases(v);
        self.used[v] = true;
        self.regs_of(v)
    }

    /// The registers of `v`, given now if it has none yet.
    fn regs_of(&mut self, v: Value) -> Result<ValueRegs, CodegenError> {
        if let Some(r) = self.value_regs[v] {
            return Ok(r);
        }
        let regs = self.alloc_regs(self.func.dfg.value_type(v))?;
        self.value_regs[v] = Some(regs);
        Ok(regs)
    }

    /// Fresh registers for a value of type `ty`, in the ISA's classes for it.
    fn alloc_regs(&mut self, ty: Type) -> Result<ValueRegs, CodegenError> {
        Ok(match (self.classes)(ty) {
            Some([c]) => ValueRegs::one(self.vcode.alloc_vreg(*c)),
            Some([lo, hi]) => {
                ValueRegs::two(self.vcode.alloc_vreg(*lo), self.vcode.alloc_vreg(*hi))
            }
            _ => {
                return Err(CodegenError::Unsupported {
                    feature: alloc::format!("values of type {ty}"),
                });
            }
        })
    }

    /// Whether a rule asked for `v` in a register (so far: lowering is backward, so for
    /// an entry-block parameter this is final when the arguments are lowered).
    pub fn is_used(&self, v: Value) -> bool {
        self.used[self.func.dfg.resolve_aliases(v)]
    }

    /// The register holding the return area's address, if the function's results need
    /// one (the ISA's `lower_args` defines it).
    pub fn ret_area_ptr(&mut self) -> Reg {
        match self.ret_area_ptr {
            Some(r) => r,
            None => *self
                .ret_area_ptr
                .insert(self.vcode.alloc_vreg(RegClass::Int)),
        }
    }

    /// Records the registers holding each result of the `try_call` `inst`, for its
    /// normal-return edge.
    pub fn set_try_call_rets(&mut self, inst: Inst, rets: Vec<ValueRegs>) {
        let named = core::mem::take(&mut self.try_call_rets[inst]);
        if named.is_empty() {
            self.try_call_rets[inst] = rets;
            return;
        }
        // The edge, lowered first, already named registers for them.
        for (named, regs) in named.iter().zip(&rets) {
            for (&from, &to) in named.regs().iter().zip(regs.regs()) {
                self.vcode.set_alias(from, to);
            }
        }
        self.try_call_rets[inst] = named;
    }

    /// The registers of the results of the `try_call` `inst`, given now if its lowering
    /// has not named them yet.
    fn try_call_ret(&mut self, inst: Inst, n: usize) -> Result<ValueRegs, CodegenError> {
        let dfg = &self.func.dfg;
        let returns: Vec<Type> = dfg
            .call_signature(inst)
            .map(|sig| {
                dfg.signatures[sig]
                    .returns
                    .iter()
                    .map(|r| r.value_type)
                    .collect()
            })
            .unwrap_or_default();
        if n >= returns.len() {
            return Err(CodegenError::Unsupported {
                feature: alloc::format!("ret{n} of a call without that result"),
            });
        }
        if self.try_call_rets[inst].is_empty() {
            let regs = returns
                .into_iter()
                .map(|ty| self.alloc_regs(ty))
                .collect::<Result<_, _>>()?;
            self.try_call_rets[inst] = regs;
        }
        Ok(self.try_call_rets[inst][n])
    }

    /// The lowered block of the edge `succ` of `from`'s terminator, if it was split.
    pub fn edge_block(&self, from: Block, succ: usize) -> Option<usize> {
        self.order.edge_block(from, succ)
    }

    /// The `load` defining `v`, if the instruction being lowered may merge it (as a
    /// memory operand): `v` is an operand of that instruction and has no other use, no
    /// rule asked for `v` in a register (as folding a pure user into a later instruction
    /// does), the load is in the same block, and no instruction with an effect lies
    /// between them. The caller merges it with [`Lower::sink_inst`].
    pub fn sinkable_load(&self, v: Value) -> Option<Inst> {
        let dfg = &self.func.dfg;
        let v = dfg.resolve_aliases(v);
        let load = dfg.value_def(v).inst()?;
        let user = self.current?;
        let operand = dfg
            .inst_args(user)
            .iter()
            .any(|&a| dfg.resolve_aliases(a) == v);
        let same_block = self.func.layout.inst_block(load) == self.func.layout.inst_block(user);
        let adjacent = self.colors[load] + 1 == self.colors[user];
        let is_load = dfg.insts[load].opcode() == Opcode::Load;
        let only_use = self.uses[v] == 1 && !self.used[v];
        (is_load && operand && same_block && adjacent && only_use).then_some(load)
    }

    /// Merges `inst` into the instruction being lowered: it is not lowered on its own.
    pub fn sink_inst(&mut self, inst: Inst) {
        self.sunk[inst] = true;
    }

    /// How many instructions and branch arguments use `v` (aliases resolved).
    pub fn use_count(&self, v: Value) -> u32 {
        self.uses[self.func.dfg.resolve_aliases(v)]
    }

    /// The uses of each value (see [`Lower::use_count`]).
    pub fn raw_use_counts(&self) -> &SecondaryMap<Value, u32> {
        &self.uses
    }

    /// Records that `regs` hold `v`.
    pub fn set_result_regs(&mut self, v: Value, regs: ValueRegs) {
        match self.value_regs[v] {
            // Its uses, lowered first, already name registers: they stand for these.
            Some(named) => {
                for (&from, &to) in named.regs().iter().zip(regs.regs()) {
                    self.vcode.set_alias(from, to);
                }
            }
            None => self.value_regs[v] = Some(regs),
        }
    }

    /// The offset of stack slot `ss` in the frame's stack-slot area, in bytes.
    pub fn stack_slot_offset(&self, ss: StackSlot) -> u32 {
        self.slot_offsets[ss]
    }

    /// Records that `reg` holds `v`.
    pub fn set_result(&mut self, v: Value, reg: Reg) {
        self.set_result_regs(v, ValueRegs::one(reg));
    }

    /// Records the edge to lowered block `target` with the arguments of `inst`'s
    /// destination `succ` (none if the target is an edge block, which passes them).
    ///
    /// # Errors
    /// As [`Lower::value_regs`] for the arguments.
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
        &mut self,
        inst: Inst,
        succ: usize,
        payload: &[Reg],
    ) -> Result<Vec<Reg>, CodegenError> {
        let dfg = &self.func.dfg;
        let call = dfg
            .branch_destinations(inst)
            .nth(succ)
            .expect("the destination exists");
        let args: Vec<BlockArg> = call.args(&dfg.value_lists).collect();
        let mut out = Vec::new();
        for a in args {
            match a {
                BlockArg::Value(v) => out.extend_from_slice(self.value_regs(v)?.regs()),
                BlockArg::TryCallRet(n) => {
                    out.extend_from_slice(self.try_call_ret(inst, n as usize)?.regs());
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

    /// Whether `inst` must be lowered whether or not its results are used.
    fn has_lowering_effect(&self, inst: Inst) -> bool {
        let f = self.func.dfg.insts[inst].opcode().flags();
        f.can_trap
            || f.can_load
            || f.can_store
            || f.other_side_effects
            || f.is_call
            || f.is_branch
            || f.is_terminator
    }
}

/// Lowers `func` with `backend`: blocks last to first, each block's instructions last to
/// first, so every use is seen before its definition (see [`Lower`]).
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
    let uses = use_counts(func);
    let mut ctx = Lower {
        func,
        vcode: VCodeBuilder::new(),
        order,
        slot_offsets,
        classes: B::reg_classes,
        value_regs: SecondaryMap::new(),
        used: SecondaryMap::new(),
        try_call_rets: SecondaryMap::new(),
        uses,
        colors: colors(func),
        current: None,
        ret_area_ptr: None,
        sunk: SecondaryMap::new(),
    };
    ctx.vcode.declare_blocks(blocks.len());
    for (i, lb) in blocks.iter().enumerate().rev() {
        match *lb {
            LoweredBlock::Orig(b) => {
                let mut params = Vec::new();
                for &p in func.dfg.block_params(b) {
                    params.extend_from_slice(ctx.regs_of(p)?.regs());
                }
                if i == 0 {
                    ctx.vcode.set_args(&params);
                }
                ctx.vcode.start_block(i, if i == 0 { &[] } else { &params });
                for inst in func.layout.block_insts(b).rev() {
                    ctx.current = Some(inst);
                    ctx.vcode.set_srcloc(func.srclocs[inst]);
                    let opcode = func.dfg.insts[inst].opcode();
                    if opcode.is_terminator() {
                        let targets = ctx.order.targets(b).to_vec();
                        backend.lower_branch(&mut ctx, inst, &targets)?;
                    } else if !ctx.sunk[inst]
                        && (ctx.has_lowering_effect(inst)
                            || func.dfg.inst_results(inst).iter().any(|&r| ctx.used[r]))
                    {
                        backend.lower_inst(&mut ctx, inst)?;
                    }
                    ctx.vcode.end_group();
                }
                ctx.current = None;
                if i == 0 {
                    backend.lower_args(&mut ctx, &params)?;
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

/// Whether `inst` may have an effect a load must not move across (or is a load).
fn has_effect(func: &FunctionStencil, inst: Inst) -> bool {
    let f = func.dfg.insts[inst].opcode().flags();
    f.can_load || f.can_store || f.can_trap || f.other_side_effects || f.is_call
}

/// The side-effect color on entry to each instruction: how many instructions with an
/// effect come before it in layout order. A load and a user whose colors differ by one
/// have no effect between them.
fn colors(func: &FunctionStencil) -> SecondaryMap<Inst, u32> {
    let mut colors = SecondaryMap::new();
    let mut color = 0;
    for b in func.layout.blocks() {
        for inst in func.layout.block_insts(b) {
            colors[inst] = color;
            if has_effect(func, inst) {
                color += 1;
            }
        }
    }
    colors
}

/// The uses of each value: instruction and branch arguments.
fn use_counts(func: &FunctionStencil) -> SecondaryMap<Value, u32> {
    let dfg = &func.dfg;
    let mut uses: SecondaryMap<Value, u32> = SecondaryMap::new();
    for b in func.layout.blocks() {
        for inst in func.layout.block_insts(b) {
            for &a in dfg.inst_args(inst) {
                uses[dfg.resolve_aliases(a)] += 1;
            }
            for call in dfg.branch_destinations(inst) {
                for a in call.args(&dfg.value_lists) {
                    if let BlockArg::Value(v) = a {
                        uses[dfg.resolve_aliases(v)] += 1;
                    }
                }
            }
        }
    }
    uses
}

/// The opcode of an instruction, for error messages.
pub fn opcode_of(func: &FunctionStencil, inst: Inst) -> Opcode {
    func.dfg.insts[inst].opcode()
}
