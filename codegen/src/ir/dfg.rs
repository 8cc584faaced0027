//! The data flow graph: instructions, values, blocks and their parameters, and the side
//! tables instructions refer to (signatures, functions, constants, jump and exception
//! tables, dynamic types).

use super::constant::{ConstantData, ConstantPool};
use super::dynamic_type::DynamicTypeData;
use super::entities::{
    Block, DynamicType, ExceptionTable, FuncRef, Immediate, Inst, JumpTable, SigRef, Value,
};
use super::instructions::{
    BlockArg, BlockCall, ExceptionTableData, ExceptionTableItem, InstructionData, JumpTableData,
    ValueList, ValueListPool,
};
use super::opcodes::{Constraint, CtrlType, Opcode};
use super::signature::{ExtFuncData, Signature};
use super::types::Type;
use core::hash::{Hash, Hasher};
use gantry_entity::{PrimaryMap, SecondaryMap};

/// Where a value comes from.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ValueDef {
    /// Result `n` of an instruction.
    Result(Inst, usize),
    /// Parameter `n` of a block.
    Param(Block, usize),
}

impl ValueDef {
    /// The defining instruction, for results.
    pub fn inst(self) -> Option<Inst> {
        match self {
            ValueDef::Result(inst, _) => Some(inst),
            ValueDef::Param(..) => None,
        }
    }
}

/// What the DFG stores per value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ValueData {
    /// Result `num` of `inst`.
    Inst {
        /// The type.
        ty: Type,
        /// The result index.
        num: u16,
        /// The instruction.
        inst: Inst,
    },
    /// Parameter `num` of `block`.
    Param {
        /// The type.
        ty: Type,
        /// The parameter index.
        num: u16,
        /// The block.
        block: Block,
    },
    /// Another name for `original`.
    Alias {
        /// The type (that of `original`).
        ty: Type,
        /// The aliased value.
        original: Value,
    },
    /// A number allocated but not (yet) defined, e.g. a gap in a text file's numbering.
    Unused,
}

/// The parameters of a block.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BlockData {
    params: ValueList,
}

/// The instructions, values and blocks of a function, independent of their order (which
/// the `Layout` holds).
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DataFlowGraph {
    /// Every instruction's operands.
    pub insts: PrimaryMap<Inst, InstructionData>,
    results: SecondaryMap<Inst, ValueList>,
    blocks: PrimaryMap<Block, BlockData>,
    /// The storage of all value lists.
    pub value_lists: ValueListPool,
    values: PrimaryMap<Value, ValueData>,
    /// Signatures of calls.
    pub signatures: PrimaryMap<SigRef, Signature>,
    /// Functions referenced by calls and `func_addr`.
    pub ext_funcs: PrimaryMap<FuncRef, ExtFuncData>,
    /// Vector and `f128` constants.
    pub constants: ConstantPool,
    /// Out-of-line immediates (shuffle masks).
    pub immediates: PrimaryMap<Immediate, ConstantData>,
    /// Jump tables of `br_table`s.
    pub jump_tables: PrimaryMap<JumpTable, JumpTableData>,
    /// Exception tables of `try_call`s.
    pub exception_tables: PrimaryMap<ExceptionTable, ExceptionTableData>,
    /// Dynamic vector types.
    pub dynamic_types: PrimaryMap<DynamicType, DynamicTypeData>,
}

impl DataFlowGraph {
    /// An empty graph.
    pub fn new() -> DataFlowGraph {
        DataFlowGraph::default()
    }

    // ---- blocks ----

    /// Creates a block with no parameters.
    pub fn make_block(&mut self) -> Block {
        self.blocks.push(BlockData::default())
    }

    /// The number of blocks created.
    pub fn num_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Whether `block` exists.
    pub fn block_is_valid(&self, block: Block) -> bool {
        self.blocks.is_valid(block)
    }

    /// Every block created, in creation order.
    pub fn blocks(&self) -> impl Iterator<Item = Block> + use<> {
        self.blocks.keys()
    }

    /// The parameters of `block`.
    pub fn block_params(&self, block: Block) -> &[Value] {
        self.blocks[block].params.as_slice(&self.value_lists)
    }

    /// The types of `block`'s parameters.
    pub fn block_param_types(&self, block: Block) -> impl Iterator<Item = Type> + '_ {
        self.block_params(block).iter().map(|&v| self.value_type(v))
    }

    /// Adds a parameter of type `ty` to `block`.
    pub fn append_block_param(&mut self, block: Block, ty: Type) -> Value {
        let num = self.blocks[block].params.len(&self.value_lists);
        let v = self.values.push(ValueData::Param {
            ty,
            num: num as u16,
            block,
        });
        self.blocks[block].params.push(v, &mut self.value_lists);
        v
    }

    /// Removes parameter `v` from its block; the later parameters move down one place.
    /// Branches to the block must drop the matching argument (see
    /// [`Self::for_each_branch_call_mut`]). `v` stays valid as a value (e.g. to become an
    /// alias).
    ///
    /// # Panics
    /// If `v` is not a block parameter.
    pub fn remove_block_param(&mut self, v: Value) {
        let ValueData::Param { num, block, .. } = self.values[v] else {
            panic!("{v} is not a block parameter");
        };
        self.blocks[block]
            .params
            .remove(num as usize, &mut self.value_lists);
        let rest: alloc::vec::Vec<Value> = self.block_params(block)[num as usize..].to_vec();
        for (i, p) in rest.into_iter().enumerate() {
            if let ValueData::Param { num: n, .. } = &mut self.values[p] {
                *n = num + i as u16;
            }
        }
    }

    /// Calls `f` on every block call of branch `inst` (inline, jump-table and exception
    /// edges), with the pool their arguments live in, so arguments can be added or
    /// removed.
    pub fn for_each_branch_call_mut(
        &mut self,
        inst: Inst,
        mut f: impl FnMut(&mut BlockCall, &mut ValueListPool),
    ) {
        let pool = &mut self.value_lists;
        if let Some(jt) = self.insts[inst].jump_table() {
            if let Some(t) = self.jump_tables.get_mut(jt) {
                f(&mut t.default, pool);
                t.table.iter_mut().for_each(|c| f(c, pool));
            }
            return;
        }
        if let Some(et) = self.insts[inst].exception_table() {
            if let Some(t) = self.exception_tables.get_mut(et) {
                f(&mut t.normal_return, pool);
                for item in &mut t.items {
                    if let ExceptionTableItem::Tag(_, c) | ExceptionTableItem::Default(c) = item {
                        f(c, pool);
                    }
                }
            }
            return;
        }
        self.insts[inst]
            .inline_block_calls_mut()
            .iter_mut()
            .for_each(|c| f(c, pool));
    }

    /// Makes the existing value number `v` parameter of `block` (the reader's way to keep
    /// a file's numbering). `v` must have been allocated with [`Self::make_unused_value`].
    pub fn attach_block_param(&mut self, block: Block, v: Value, ty: Type) {
        let num = self.blocks[block].params.len(&self.value_lists);
        self.values[v] = ValueData::Param {
            ty,
            num: num as u16,
            block,
        };
        self.blocks[block].params.push(v, &mut self.value_lists);
    }

    // ---- values ----

    /// Allocates a value number with no definition yet.
    pub fn make_unused_value(&mut self) -> Value {
        self.values.push(ValueData::Unused)
    }

    /// The number of value numbers allocated.
    pub fn num_values(&self) -> usize {
        self.values.len()
    }

    /// Whether `v` was allocated and is defined (or an alias).
    pub fn value_is_valid(&self, v: Value) -> bool {
        self.values
            .get(v)
            .is_some_and(|d| !matches!(d, ValueData::Unused))
    }

    /// The stored data of `v`.
    pub fn value_data(&self, v: Value) -> ValueData {
        self.values[v]
    }

    /// Every value number, in order.
    pub fn values(&self) -> impl Iterator<Item = Value> + use<> {
        self.values.keys()
    }

    /// Changes the type of the defined value `v` to `ty` (a legalization that keeps the
    /// value's meaning, e.g. a dynamic vector at its fixed minimum size); nothing for an
    /// unused value.
    pub fn set_value_type(&mut self, v: Value, new: Type) {
        match &mut self.values[v] {
            ValueData::Inst { ty, .. }
            | ValueData::Param { ty, .. }
            | ValueData::Alias { ty, .. } => *ty = new,
            ValueData::Unused => {}
        }
    }

    /// The type of `v`.
    ///
    /// # Panics
    /// If `v` is unused.
    pub fn value_type(&self, v: Value) -> Type {
        match self.values[v] {
            ValueData::Inst { ty, .. }
            | ValueData::Param { ty, .. }
            | ValueData::Alias { ty, .. } => ty,
            ValueData::Unused => panic!("{v} is not defined"),
        }
    }

    /// Follows aliases to the value that is really defined.
    pub fn resolve_aliases(&self, mut v: Value) -> Value {
        // Alias chains cannot be cyclic (`change_to_alias` forbids it); bound the walk to
        // stay safe on corrupt input.
        for _ in 0..self.values.len() + 1 {
            match self.values.get(v) {
                Some(ValueData::Alias { original, .. }) => v = *original,
                _ => return v,
            }
        }
        v
    }

    /// Where `v` is defined (after resolving aliases), or `None` if it (or the value it
    /// aliases) is not defined. Never panics, so it is safe on invalid IR.
    pub fn value_def_checked(&self, v: Value) -> Option<ValueDef> {
        match *self.values.get(self.resolve_aliases(v))? {
            ValueData::Inst { inst, num, .. } => Some(ValueDef::Result(inst, num as usize)),
            ValueData::Param { block, num, .. } => Some(ValueDef::Param(block, num as usize)),
            ValueData::Alias { .. } | ValueData::Unused => None,
        }
    }

    /// Where `v` is defined (after resolving aliases).
    ///
    /// # Panics
    /// If `v` is unused.
    pub fn value_def(&self, v: Value) -> ValueDef {
        match self.values[self.resolve_aliases(v)] {
            ValueData::Inst { inst, num, .. } => ValueDef::Result(inst, num as usize),
            ValueData::Param { block, num, .. } => ValueDef::Param(block, num as usize),
            ValueData::Alias { .. } | ValueData::Unused => panic!("{v} is not defined"),
        }
    }

    /// Makes `dest` another name for `src`. `dest` must not be used as a definition any
    /// more; its uses now read `src`.
    ///
    /// # Panics
    /// If the alias would form a cycle or the types differ.
    pub fn change_to_alias(&mut self, dest: Value, src: Value) {
        let original = self.resolve_aliases(src);
        assert_ne!(dest, original, "aliasing {dest} to itself");
        let ty = self.value_type(original);
        assert_eq!(self.value_type(dest), ty, "alias of a different type");
        self.values[dest] = ValueData::Alias { ty, original };
    }

    /// Makes the unused value number `dest` an alias of `src` (for the reader's
    /// `v3 -> v1` lines).
    pub fn make_value_alias(&mut self, dest: Value, src: Value) {
        let ty = if self.value_is_valid(src) {
            self.value_type(src)
        } else {
            Type::INVALID
        };
        self.values[dest] = ValueData::Alias { ty, original: src };
    }

    /// Fixes the types of aliases whose target was defined after them (reader use).
    pub fn fix_alias_types(&mut self) {
        for v in self.values.keys() {
            if let ValueData::Alias { original, .. } = self.values[v] {
                let target = self.resolve_aliases(original);
                if target != v && self.value_is_valid(target) {
                    if let ValueData::Inst { ty, .. } | ValueData::Param { ty, .. } =
                        self.values[target]
                    {
                        self.values[v] = ValueData::Alias { ty, original };
                    }
                }
            }
        }
    }

    /// Replaces every use of an alias by the value it stands for, in all instructions,
    /// block calls and tables.
    pub fn resolve_all_aliases(&mut self) {
        let resolve = |dfg: &DataFlowGraph, v: Value| dfg.resolve_aliases(v);
        for inst in self.insts.keys() {
            let mut data = self.insts[inst];
            let args: alloc::vec::Vec<Value> = data.arguments(&self.value_lists).to_vec();
            let new: alloc::vec::Vec<Value> = args.iter().map(|&v| resolve(self, v)).collect();
            data.arguments_mut(&mut self.value_lists)
                .copy_from_slice(&new);
            for call in data.inline_block_calls() {
                self.resolve_block_call_aliases(*call);
            }
            self.insts[inst] = data;
        }
        for jt in self.jump_tables.keys() {
            let calls: alloc::vec::Vec<BlockCall> =
                self.jump_tables[jt].all_calls().copied().collect();
            for call in calls {
                self.resolve_block_call_aliases(call);
            }
        }
        for et in self.exception_tables.keys() {
            let data = self.exception_tables[et].clone();
            self.resolve_block_call_aliases(data.normal_return);
            for (i, item) in data.items.iter().enumerate() {
                match *item {
                    ExceptionTableItem::Tag(_, call) | ExceptionTableItem::Default(call) => {
                        self.resolve_block_call_aliases(call)
                    }
                    ExceptionTableItem::Context(v) => {
                        let r = self.resolve_aliases(v);
                        self.exception_tables[et].items[i] = ExceptionTableItem::Context(r);
                    }
                }
            }
        }
    }

    fn resolve_block_call_aliases(&mut self, call: BlockCall) {
        let n = call.args.len(&self.value_lists);
        for i in 0..n {
            let packed = call.args.as_slice(&self.value_lists)[i];
            if let BlockArg::Value(v) = BlockArg::decode(packed) {
                let r = self.resolve_aliases(v);
                call.args.as_mut_slice(&mut self.value_lists)[i] = BlockArg::Value(r).encode();
            }
        }
    }

    // ---- instructions ----

    /// Creates an instruction with no results; see [`Self::make_inst_results`].
    pub fn make_inst(&mut self, data: InstructionData) -> Inst {
        self.insts.push(data)
    }

    /// The number of instructions created.
    pub fn num_insts(&self) -> usize {
        self.insts.len()
    }

    /// Whether `inst` exists.
    pub fn inst_is_valid(&self, inst: Inst) -> bool {
        self.insts.is_valid(inst)
    }

    /// The results of `inst`.
    pub fn inst_results(&self, inst: Inst) -> &[Value] {
        self.results[inst].as_slice(&self.value_lists)
    }

    /// The first result of `inst`.
    ///
    /// # Panics
    /// If it has none.
    pub fn first_result(&self, inst: Inst) -> Value {
        self.inst_results(inst)[0]
    }

    /// The value operands of `inst` (see [`InstructionData::arguments`]).
    pub fn inst_args(&self, inst: Inst) -> &[Value] {
        self.insts[inst].arguments(&self.value_lists)
    }

    /// The signature `inst` calls with, for calls.
    pub fn call_signature(&self, inst: Inst) -> Option<SigRef> {
        match self.insts[inst] {
            InstructionData::Call { func_ref, .. } | InstructionData::TryCall { func_ref, .. } => {
                self.ext_funcs.get(func_ref).map(|f| f.signature)
            }
            InstructionData::CallIndirect { sig_ref, .. } => Some(sig_ref),
            InstructionData::TryCallIndirect { exception, .. } => {
                self.exception_tables.get(exception).map(|t| t.sig)
            }
            _ => None,
        }
    }

    /// The types the results of `inst` get for controlling type `ctrl` (ignored by
    /// non-polymorphic opcodes; `INVALID` means "infer from the typing operand"). `None` if `ctrl` gives some result no type or a call's
    /// signature is missing.
    pub fn result_types(&self, inst: Inst, ctrl: Type) -> Option<alloc::vec::Vec<Type>> {
        let data = &self.insts[inst];
        let opcode = data.opcode();
        if opcode.is_call() && !matches!(opcode, Opcode::StackSwitch) {
            if opcode.is_return() || matches!(opcode, Opcode::TryCall | Opcode::TryCallIndirect) {
                // Tail calls define nothing; try_call results are passed as `retN`.
                return Some(alloc::vec::Vec::new());
            }
            let sig = self.signatures.get(self.call_signature(inst)?)?;
            return Some(sig.returns.iter().map(|r| r.value_type).collect());
        }
        opcode
            .info()
            .results
            .iter()
            .map(|c| c.resolve(ctrl))
            .collect()
    }

    /// Creates the results of `inst` for controlling type `ctrl`; returns how many.
    ///
    /// # Panics
    /// If the types cannot be determined (see [`Self::result_types`]) or `inst` already
    /// has results.
    pub fn make_inst_results(&mut self, inst: Inst, ctrl: Type) -> usize {
        // Opcodes typed by an operand know their controlling type already.
        let ctrl = if ctrl.is_invalid() {
            self.ctrl_typevar(inst)
        } else {
            ctrl
        };
        let types = self
            .result_types(inst, ctrl)
            .unwrap_or_else(|| panic!("no result types for {inst} with {ctrl}"));
        assert!(self.results[inst].is_empty(), "{inst} already has results");
        for (num, &ty) in types.iter().enumerate() {
            let v = self.values.push(ValueData::Inst {
                ty,
                num: num as u16,
                inst,
            });
            self.results[inst].push(v, &mut self.value_lists);
        }
        types.len()
    }

    /// Gives the instruction defining result `old` a new value for that result, of type
    /// `ty`, and returns it; `old` is then defined by nothing, so the caller must make it
    /// an alias (see [`DataFlowGraph::change_to_alias`]). For rewrites that put a
    /// computation between an instruction and the users of its result.
    ///
    /// # Panics
    /// If `old` is not an instruction result.
    pub fn replace_result(&mut self, old: Value, ty: Type) -> Value {
        let ValueData::Inst { num, inst, .. } = self.values[old] else {
            panic!("{old} is not an instruction result");
        };
        let new = self.values.push(ValueData::Inst { ty, num, inst });
        self.results[inst].as_mut_slice(&mut self.value_lists)[num as usize] = new;
        self.values[old] = ValueData::Alias { ty, original: new };
        new
    }

    /// Makes the existing value number `v` the next result of `inst` (reader use).
    pub fn attach_result(&mut self, inst: Inst, v: Value, ty: Type) {
        let num = self.results[inst].len(&self.value_lists);
        self.values[v] = ValueData::Inst {
            ty,
            num: num as u16,
            inst,
        };
        self.results[inst].push(v, &mut self.value_lists);
    }

    /// The controlling type of `inst`: the type its opcode is instantiated at, or
    /// `INVALID` for non-polymorphic opcodes.
    pub fn ctrl_typevar(&self, inst: Inst) -> Type {
        let data = &self.insts[inst];
        match data.opcode().info().ctrl {
            CtrlType::None => Type::INVALID,
            CtrlType::Operand(n, _) => {
                let args = data.arguments(&self.value_lists);
                args.get(n as usize).map_or(Type::INVALID, |&v| {
                    if self.value_is_valid(v) {
                        self.value_type(v)
                    } else {
                        Type::INVALID
                    }
                })
            }
            CtrlType::Suffix(_) => self
                .inst_results(inst)
                .first()
                .map_or(Type::INVALID, |&v| self.value_type(v)),
        }
    }

    /// Whether the text form of `inst` needs a type suffix for its controlling type.
    pub fn needs_type_suffix(&self, inst: Inst) -> bool {
        matches!(self.insts[inst].opcode().info().ctrl, CtrlType::Suffix(_))
    }

    /// The block calls `inst` may branch to: inline ones, jump-table entries (default
    /// first), or a `try_call`'s normal return then its handlers.
    pub fn branch_destinations(&self, inst: Inst) -> BranchDestinations<'_> {
        let data = &self.insts[inst];
        if let Some(jt) = data.jump_table() {
            if let Some(t) = self.jump_tables.get(jt) {
                return BranchDestinations::Table(
                    core::iter::once(&t.default).chain(t.table.iter()),
                );
            }
            return BranchDestinations::Inline([].iter());
        }
        if let Some(et) = data.exception_table() {
            if let Some(t) = self.exception_tables.get(et) {
                return BranchDestinations::Exception(
                    core::iter::once(&t.normal_return),
                    t.items.iter(),
                );
            }
            return BranchDestinations::Inline([].iter());
        }
        BranchDestinations::Inline(data.inline_block_calls().iter())
    }

    /// Whether `v` is used as an operand anywhere (slow: scans all instructions).
    pub fn is_used_anywhere(&self, v: Value) -> bool {
        self.insts.keys().any(|inst| {
            self.inst_args(inst).contains(&v)
                || self.branch_destinations(inst).any(|call| {
                    call.args(&self.value_lists)
                        .any(|a| a == BlockArg::Value(v))
                })
        })
    }

    /// Stores an out-of-line immediate and returns its handle.
    pub fn make_immediate(&mut self, data: ConstantData) -> Immediate {
        self.immediates.push(data)
    }

    /// A block call of `block` with `args`.
    pub fn block_call(&mut self, block: Block, args: &[BlockArg]) -> BlockCall {
        BlockCall::new(block, args, &mut self.value_lists)
    }

    fn hash_call<H: Hasher>(&self, call: &BlockCall, state: &mut H) {
        call.block.hash(state);
        call.args.as_slice(&self.value_lists).hash(state);
    }

    fn calls_eq(&self, a: &BlockCall, other: &DataFlowGraph, b: &BlockCall) -> bool {
        a.block == b.block
            && a.args.as_slice(&self.value_lists) == b.args.as_slice(&other.value_lists)
    }
}

impl JumpTableData {
    /// The default then every entry.
    pub fn all_calls(&self) -> impl Iterator<Item = &BlockCall> {
        core::iter::once(&self.default).chain(self.table.iter())
    }
}

/// The iterator of [`DataFlowGraph::branch_destinations`].
pub enum BranchDestinations<'a> {
    /// Block calls in the instruction.
    Inline(core::slice::Iter<'a, BlockCall>),
    /// A jump table's default and entries.
    Table(core::iter::Chain<core::iter::Once<&'a BlockCall>, core::slice::Iter<'a, BlockCall>>),
    /// An exception table's normal return, then its items' handlers.
    Exception(
        core::iter::Once<&'a BlockCall>,
        core::slice::Iter<'a, ExceptionTableItem>,
    ),
}

impl<'a> Iterator for BranchDestinations<'a> {
    type Item = &'a BlockCall;
    fn next(&mut self) -> Option<&'a BlockCall> {
        match self {
            BranchDestinations::Inline(it) => it.next(),
            BranchDestinations::Table(it) => it.next(),
            BranchDestinations::Exception(first, items) => first.next().or_else(|| {
                items.find_map(|item| match item {
                    ExceptionTableItem::Tag(_, call) | ExceptionTableItem::Default(call) => {
                        Some(call)
                    }
                    ExceptionTableItem::Context(_) => None,
                })
            }),
        }
    }
}

/// `data` with every value-list handle cleared, so that instructions compare and hash by
/// their contents, not by where the pool put their lists.
fn without_lists(data: &InstructionData) -> InstructionData {
    let mut d = *data;
    match &mut d {
        InstructionData::MultiAry { args, .. }
        | InstructionData::Call { args, .. }
        | InstructionData::CallIndirect { args, .. }
        | InstructionData::TryCall { args, .. }
        | InstructionData::TryCallIndirect { args, .. } => *args = ValueList::new(),
        _ => {}
    }
    for call in d.inline_block_calls_mut() {
        call.args = ValueList::new();
    }
    d
}

fn without_item_lists(item: &ExceptionTableItem) -> ExceptionTableItem {
    match *item {
        ExceptionTableItem::Tag(tag, call) => ExceptionTableItem::Tag(
            tag,
            BlockCall {
                args: ValueList::new(),
                ..call
            },
        ),
        ExceptionTableItem::Default(call) => ExceptionTableItem::Default(BlockCall {
            args: ValueList::new(),
            ..call
        }),
        other => other,
    }
}

/// Content equality: two graphs are equal when they hold the same entities with the same
/// data, however their value lists are laid out in the pool.
impl PartialEq for DataFlowGraph {
    fn eq(&self, other: &Self) -> bool {
        let lists_eq = |a: &ValueList, b: &ValueList| {
            a.as_slice(&self.value_lists) == b.as_slice(&other.value_lists)
        };
        self.insts.len() == other.insts.len()
            && self
                .insts
                .iter()
                .zip(other.insts.iter())
                .all(|((i, a), (_, b))| {
                    without_lists(a) == without_lists(b)
                        && a.arguments(&self.value_lists) == b.arguments(&other.value_lists)
                        && a.inline_block_calls()
                            .iter()
                            .zip(b.inline_block_calls())
                            .all(|(x, y)| self.calls_eq(x, other, y))
                        && lists_eq(&self.results[i], &other.results[i])
                })
            && self.blocks.len() == other.blocks.len()
            && self
                .blocks
                .iter()
                .zip(other.blocks.iter())
                .all(|((_, a), (_, b))| lists_eq(&a.params, &b.params))
            && self.values == other.values
            && self.signatures == other.signatures
            && self.ext_funcs == other.ext_funcs
            && self.constants == other.constants
            && self.immediates == other.immediates
            && self.jump_tables.len() == other.jump_tables.len()
            && self
                .jump_tables
                .values()
                .zip(other.jump_tables.values())
                .all(|(a, b)| {
                    a.table.len() == b.table.len()
                        && a.all_calls()
                            .zip(b.all_calls())
                            .all(|(x, y)| self.calls_eq(x, other, y))
                })
            && self.exception_tables.len() == other.exception_tables.len()
            && self
                .exception_tables
                .values()
                .zip(other.exception_tables.values())
                .all(|(a, b)| {
                    a.sig == b.sig
                        && self.calls_eq(&a.normal_return, other, &b.normal_return)
                        && a.items.len() == b.items.len()
                        && a.items.iter().zip(&b.items).all(|(x, y)| {
                            without_item_lists(x) == without_item_lists(y)
                                && match (x, y) {
                                    (
                                        ExceptionTableItem::Tag(_, p),
                                        ExceptionTableItem::Tag(_, q),
                                    )
                                    | (
                                        ExceptionTableItem::Default(p),
                                        ExceptionTableItem::Default(q),
                                    ) => self.calls_eq(p, other, q),
                                    _ => true,
                                }
                        })
                })
            && self.dynamic_types == other.dynamic_types
    }
}

impl Eq for DataFlowGraph {}

/// Content hash, consistent with the content equality.
impl Hash for DataFlowGraph {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.insts.len().hash(state);
        for (inst, data) in self.insts.iter() {
            without_lists(data).hash(state);
            data.arguments(&self.value_lists).hash(state);
            for call in data.inline_block_calls() {
                self.hash_call(call, state);
            }
            self.inst_results(inst).hash(state);
        }
        self.blocks.len().hash(state);
        for block in self.blocks.keys() {
            self.block_params(block).hash(state);
        }
        self.values.hash(state);
        self.signatures.hash(state);
        self.ext_funcs.hash(state);
        self.constants.hash(state);
        self.immediates.hash(state);
        self.jump_tables.len().hash(state);
        for jt in self.jump_tables.values() {
            jt.table.len().hash(state);
            for call in jt.all_calls() {
                self.hash_call(call, state);
            }
        }
        self.exception_tables.len().hash(state);
        for et in self.exception_tables.values() {
            et.sig.hash(state);
            self.hash_call(&et.normal_return, state);
            et.items.len().hash(state);
            for item in &et.items {
                without_item_lists(item).hash(state);
                if let ExceptionTableItem::Tag(_, call) | ExceptionTableItem::Default(call) = item {
                    self.hash_call(call, state);
                }
            }
        }
        self.dynamic_types.hash(state);
    }
}

impl Constraint {
    /// Whether this constraint is [`Constraint::Same`].
    pub fn is_same(self) -> bool {
        matches!(self, Constraint::Same)
    }
}
