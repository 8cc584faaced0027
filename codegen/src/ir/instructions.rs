//! Instruction data: one compact variant per instruction format, and the block calls,
//! jump tables and exception tables that branches refer to.

use super::atomic_rmw_op::AtomicRmwOp;
use super::condcodes::{FloatCC, IntCC};
use super::entities::{
    Block, Constant, DynamicStackSlot, ExceptionTable, ExceptionTag, FuncRef, GlobalValue,
    Immediate, JumpTable, SigRef, StackSlot, Value,
};
use super::immediates::{Ieee16, Ieee32, Ieee64, Imm64, Offset32, Uimm8};
use super::memflags::MemFlags;
use super::opcodes::{InstructionFormat, Opcode};
use super::trapcode::TrapCode;
use alloc::vec::Vec;
use gantry_entity::{EntityList, ListPool};

/// A list of values stored in the function's [`ValueListPool`].
pub type ValueList = EntityList<Value>;
/// The pool holding a function's value lists.
pub type ValueListPool = ListPool<Value>;

/// An argument passed to a block by a branch: a value, or for the edges of a `try_call`
/// one of the call's return values (`retN`) or exception payloads (`exnN`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BlockArg {
    /// An SSA value.
    Value(Value),
    /// Return value `n` of the `try_call` whose edge this is.
    TryCallRet(u32),
    /// Exception payload `n` delivered to the handler.
    TryCallExn(u32),
}

const TAG_SHIFT: u32 = 30;
const INDEX_MASK: u32 = (1 << TAG_SHIFT) - 1;

impl BlockArg {
    /// Packs the argument into a value-list slot. Values must have indices below 2^30.
    pub fn encode(self) -> Value {
        let (tag, n) = match self {
            BlockArg::Value(v) => (0, v.as_u32()),
            BlockArg::TryCallRet(n) => (1, n),
            BlockArg::TryCallExn(n) => (2, n),
        };
        assert!(n <= INDEX_MASK, "block argument index {n} too large");
        Value::from_u32((tag << TAG_SHIFT) | n)
    }

    /// Unpacks a value-list slot written by [`BlockArg::encode`].
    pub fn decode(v: Value) -> BlockArg {
        let raw = v.as_u32();
        let n = raw & INDEX_MASK;
        match raw >> TAG_SHIFT {
            0 => BlockArg::Value(Value::from_u32(n)),
            1 => BlockArg::TryCallRet(n),
            _ => BlockArg::TryCallExn(n),
        }
    }

    /// The value, if this is a plain value argument.
    pub fn as_value(self) -> Option<Value> {
        match self {
            BlockArg::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl core::fmt::Display for BlockArg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BlockArg::Value(v) => write!(f, "{v}"),
            BlockArg::TryCallRet(n) => write!(f, "ret{n}"),
            BlockArg::TryCallExn(n) => write!(f, "exn{n}"),
        }
    }
}

/// A branch target: a block and the arguments passed to its parameters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BlockCall {
    /// The target block.
    pub block: Block,
    /// The arguments, each packed by [`BlockArg::encode`].
    pub args: ValueList,
}

impl BlockCall {
    /// A call of `block` with `args`.
    pub fn new(block: Block, args: &[BlockArg], pool: &mut ValueListPool) -> BlockCall {
        BlockCall {
            block,
            args: ValueList::from_iter(args.iter().map(|a| a.encode()), pool),
        }
    }

    /// The arguments.
    pub fn args<'a>(
        &self,
        pool: &'a ValueListPool,
    ) -> impl ExactSizeIterator<Item = BlockArg> + 'a {
        self.args
            .as_slice(pool)
            .iter()
            .map(|&v| BlockArg::decode(v))
    }

    /// The number of arguments.
    pub fn len(&self, pool: &ValueListPool) -> usize {
        self.args.len(pool)
    }

    /// Whether there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }
}

/// The targets of a `br_table`: a default and one block call per index.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct JumpTableData {
    /// Taken when the index is out of range.
    pub default: BlockCall,
    /// Entry `i` is taken for index `i`.
    pub table: Vec<BlockCall>,
}

/// One entry of an exception table, in the order written.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ExceptionTableItem {
    /// Exceptions with this tag go to this block.
    Tag(ExceptionTag, BlockCall),
    /// Exceptions not matched by an earlier tag go to this block.
    Default(BlockCall),
    /// The dynamic context value against which later tags are matched.
    Context(Value),
}

/// The edges of a `try_call`/`try_call_indirect`: the callee's signature, where a normal
/// return goes, and the exception handlers.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExceptionTableData {
    /// The signature of the called function.
    pub sig: SigRef,
    /// Where execution continues after a normal return.
    pub normal_return: BlockCall,
    /// Handlers and context values, in order.
    pub items: Vec<ExceptionTableItem>,
}

impl ExceptionTableData {
    /// The handler block calls, in order (not the normal return).
    pub fn handlers(&self) -> impl Iterator<Item = &BlockCall> {
        self.items.iter().filter_map(|item| match item {
            ExceptionTableItem::Tag(_, call) | ExceptionTableItem::Default(call) => Some(call),
            ExceptionTableItem::Context(_) => None,
        })
    }
}

/// The operands of one instruction, by format. Small and `Copy`: variable-length data
/// lives in the function's value-list pool and side tables.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[allow(missing_docs)] // the fields are described by their format's variant doc
pub enum InstructionData {
    /// No operands.
    Nullary { opcode: Opcode },
    /// One value.
    Unary { opcode: Opcode, arg: Value },
    /// An integer immediate.
    UnaryImm { opcode: Opcode, imm: Imm64 },
    /// An `f16` immediate.
    UnaryIeee16 { opcode: Opcode, imm: Ieee16 },
    /// An `f32` immediate.
    UnaryIeee32 { opcode: Opcode, imm: Ieee32 },
    /// An `f64` immediate.
    UnaryIeee64 { opcode: Opcode, imm: Ieee64 },
    /// A constant-pool entry.
    UnaryConst { opcode: Opcode, constant: Constant },
    /// A global value.
    UnaryGlobalValue {
        opcode: Opcode,
        global_value: GlobalValue,
    },
    /// Two values.
    Binary { opcode: Opcode, args: [Value; 2] },
    /// A value and a lane index or other small immediate.
    BinaryImm8 {
        opcode: Opcode,
        arg: Value,
        imm: Uimm8,
    },
    /// Three values.
    Ternary { opcode: Opcode, args: [Value; 3] },
    /// Two values and a small immediate.
    TernaryImm8 {
        opcode: Opcode,
        args: [Value; 2],
        imm: Uimm8,
    },
    /// Two values and a shuffle mask.
    Shuffle {
        opcode: Opcode,
        args: [Value; 2],
        imm: Immediate,
    },
    /// An integer comparison.
    IntCompare {
        opcode: Opcode,
        cond: IntCC,
        args: [Value; 2],
    },
    /// A float comparison.
    FloatCompare {
        opcode: Opcode,
        cond: FloatCC,
        args: [Value; 2],
    },
    /// An unconditional branch.
    Jump {
        opcode: Opcode,
        destination: BlockCall,
    },
    /// A two-way branch: `blocks[0]` if `arg` is non-zero, else `blocks[1]`.
    Brif {
        opcode: Opcode,
        arg: Value,
        blocks: [BlockCall; 2],
    },
    /// A jump-table branch.
    BranchTable {
        opcode: Opcode,
        arg: Value,
        table: JumpTable,
    },
    /// A trap.
    Trap { opcode: Opcode, code: TrapCode },
    /// A conditional trap.
    CondTrap {
        opcode: Opcode,
        arg: Value,
        code: TrapCode,
    },
    /// Two values and a trap code.
    IntAddTrap {
        opcode: Opcode,
        args: [Value; 2],
        code: TrapCode,
    },
    /// Any number of values.
    MultiAry { opcode: Opcode, args: ValueList },
    /// A direct call: `args` are the call arguments.
    Call {
        opcode: Opcode,
        func_ref: FuncRef,
        args: ValueList,
    },
    /// An indirect call: `args` are the callee then the call arguments.
    CallIndirect {
        opcode: Opcode,
        sig_ref: SigRef,
        args: ValueList,
    },
    /// A direct call with exception edges.
    TryCall {
        opcode: Opcode,
        func_ref: FuncRef,
        args: ValueList,
        exception: ExceptionTable,
    },
    /// An indirect call with exception edges: `args` are the callee then the arguments.
    TryCallIndirect {
        opcode: Opcode,
        args: ValueList,
        exception: ExceptionTable,
    },
    /// The address of a declared function.
    FuncAddr { opcode: Opcode, func_ref: FuncRef },
    /// A load from `arg + offset`.
    Load {
        opcode: Opcode,
        flags: MemFlags,
        arg: Value,
        offset: Offset32,
    },
    /// A store of `args[0]` to `args[1] + offset`.
    Store {
        opcode: Opcode,
        flags: MemFlags,
        args: [Value; 2],
        offset: Offset32,
    },
    /// Memory flags and a value.
    LoadNoOffset {
        opcode: Opcode,
        flags: MemFlags,
        arg: Value,
    },
    /// Memory flags, a value and an address.
    StoreNoOffset {
        opcode: Opcode,
        flags: MemFlags,
        args: [Value; 2],
    },
    /// A stack slot and an offset into it.
    StackLoad {
        opcode: Opcode,
        stack_slot: StackSlot,
        offset: Offset32,
    },
    /// A dynamic stack slot.
    DynamicStackLoad {
        opcode: Opcode,
        dynamic_stack_slot: DynamicStackSlot,
    },
    /// An atomic read-modify-write of `args[0]` with `args[1]`.
    AtomicRmw {
        opcode: Opcode,
        flags: MemFlags,
        op: AtomicRmwOp,
        args: [Value; 2],
    },
    /// An atomic compare-and-swap: address, expected, replacement.
    AtomicCas {
        opcode: Opcode,
        flags: MemFlags,
        args: [Value; 3],
    },
    /// A handler block of a `try_call` and the handler's index.
    ExceptionHandlerAddress {
        opcode: Opcode,
        block: Block,
        imm: u32,
    },
}

/// A reference to the `opcode` field of any instruction format.
macro_rules! opcode_field {
    ($data:expr) => {{
        use InstructionData::*;
        match $data {
            Nullary { opcode }
            | Unary { opcode, .. }
            | UnaryImm { opcode, .. }
            | UnaryIeee16 { opcode, .. }
            | UnaryIeee32 { opcode, .. }
            | UnaryIeee64 { opcode, .. }
            | UnaryConst { opcode, .. }
            | UnaryGlobalValue { opcode, .. }
            | Binary { opcode, .. }
            | BinaryImm8 { opcode, .. }
            | Ternary { opcode, .. }
            | TernaryImm8 { opcode, .. }
            | Shuffle { opcode, .. }
            | IntCompare { opcode, .. }
            | FloatCompare { opcode, .. }
            | Jump { opcode, .. }
            | Brif { opcode, .. }
            | BranchTable { opcode, .. }
            | Trap { opcode, .. }
            | CondTrap { opcode, .. }
            | IntAddTrap { opcode, .. }
            | MultiAry { opcode, .. }
            | Call { opcode, .. }
            | CallIndirect { opcode, .. }
            | TryCall { opcode, .. }
            | TryCallIndirect { opcode, .. }
            | FuncAddr { opcode, .. }
            | Load { opcode, .. }
            | Store { opcode, .. }
            | LoadNoOffset { opcode, .. }
            | StoreNoOffset { opcode, .. }
            | StackLoad { opcode, .. }
            | DynamicStackLoad { opcode, .. }
            | AtomicRmw { opcode, .. }
            | AtomicCas { opcode, .. }
            | ExceptionHandlerAddress { opcode, .. } => opcode,
        }
    }};
}

impl InstructionData {
    /// The opcode.
    pub fn opcode(&self) -> Opcode {
        *opcode_field!(self)
    }

    /// The opcode, to change it (keeping the format and operands).
    pub fn opcode_mut(&mut self) -> &mut Opcode {
        opcode_field!(self)
    }

    /// The format of this data.
    pub fn format(&self) -> InstructionFormat {
        self.opcode().format()
    }

    /// The value operands: the fixed ones, or the value list (for calls: the callee of
    /// indirect calls first, then the arguments). Block-call arguments are not included.
    pub fn arguments<'a>(&'a self, pool: &'a ValueListPool) -> &'a [Value] {
        use InstructionData::*;
        match self {
            Unary { arg, .. }
            | BinaryImm8 { arg, .. }
            | Brif { arg, .. }
            | BranchTable { arg, .. }
            | CondTrap { arg, .. }
            | Load { arg, .. }
            | LoadNoOffset { arg, .. } => core::slice::from_ref(arg),
            Binary { args, .. }
            | TernaryImm8 { args, .. }
            | Shuffle { args, .. }
            | IntCompare { args, .. }
            | FloatCompare { args, .. }
            | IntAddTrap { args, .. }
            | Store { args, .. }
            | StoreNoOffset { args, .. }
            | AtomicRmw { args, .. } => args,
            Ternary { args, .. } | AtomicCas { args, .. } => args,
            MultiAry { args, .. }
            | Call { args, .. }
            | CallIndirect { args, .. }
            | TryCall { args, .. }
            | TryCallIndirect { args, .. } => args.as_slice(pool),
            _ => &[],
        }
    }

    /// The value operands, for rewriting (see [`InstructionData::arguments`]).
    pub fn arguments_mut<'a>(&'a mut self, pool: &'a mut ValueListPool) -> &'a mut [Value] {
        use InstructionData::*;
        match self {
            Unary { arg, .. }
            | BinaryImm8 { arg, .. }
            | Brif { arg, .. }
            | BranchTable { arg, .. }
            | CondTrap { arg, .. }
            | Load { arg, .. }
            | LoadNoOffset { arg, .. } => core::slice::from_mut(arg),
            Binary { args, .. }
            | TernaryImm8 { args, .. }
            | Shuffle { args, .. }
            | IntCompare { args, .. }
            | FloatCompare { args, .. }
            | IntAddTrap { args, .. }
            | Store { args, .. }
            | StoreNoOffset { args, .. }
            | AtomicRmw { args, .. } => args,
            Ternary { args, .. } | AtomicCas { args, .. } => args,
            MultiAry { args, .. }
            | Call { args, .. }
            | CallIndirect { args, .. }
            | TryCall { args, .. }
            | TryCallIndirect { args, .. } => args.as_mut_slice(pool),
            _ => &mut [],
        }
    }

    /// The block calls written in the instruction itself (`jump`, `brif`); jump tables and
    /// exception tables are separate (see `DataFlowGraph::branch_destinations`).
    pub fn inline_block_calls(&self) -> &[BlockCall] {
        match self {
            InstructionData::Jump { destination, .. } => core::slice::from_ref(destination),
            InstructionData::Brif { blocks, .. } => blocks,
            _ => &[],
        }
    }

    /// The inline block calls for rewriting.
    pub fn inline_block_calls_mut(&mut self) -> &mut [BlockCall] {
        match self {
            InstructionData::Jump { destination, .. } => core::slice::from_mut(destination),
            InstructionData::Brif { blocks, .. } => blocks,
            _ => &mut [],
        }
    }

    /// The jump table, for `br_table`.
    pub fn jump_table(&self) -> Option<JumpTable> {
        match self {
            InstructionData::BranchTable { table, .. } => Some(*table),
            _ => None,
        }
    }

    /// The exception table, for `try_call` and `try_call_indirect`.
    pub fn exception_table(&self) -> Option<ExceptionTable> {
        match self {
            InstructionData::TryCall { exception, .. }
            | InstructionData::TryCallIndirect { exception, .. } => Some(*exception),
            _ => None,
        }
    }

    /// The trap code, for instructions that carry one (memory accesses: their flags').
    pub fn trap_code(&self) -> Option<TrapCode> {
        match self {
            InstructionData::Trap { code, .. }
            | InstructionData::CondTrap { code, .. }
            | InstructionData::IntAddTrap { code, .. } => Some(*code),
            InstructionData::Load { flags, .. }
            | InstructionData::Store { flags, .. }
            | InstructionData::LoadNoOffset { flags, .. }
            | InstructionData::StoreNoOffset { flags, .. }
            | InstructionData::AtomicRmw { flags, .. }
            | InstructionData::AtomicCas { flags, .. } => flags.trap_code(),
            _ => None,
        }
    }

    /// The memory flags, for memory accesses and `bitcast`.
    pub fn memflags(&self) -> Option<MemFlags> {
        match self {
            InstructionData::Load { flags, .. }
            | InstructionData::Store { flags, .. }
            | InstructionData::LoadNoOffset { flags, .. }
            | InstructionData::StoreNoOffset { flags, .. }
            | InstructionData::AtomicRmw { flags, .. }
            | InstructionData::AtomicCas { flags, .. } => Some(*flags),
            _ => None,
        }
    }

    /// A copy with its own value lists (block-call and argument lists are cloned into
    /// `pool`), so editing one does not change the other.
    pub fn deep_clone(&self, pool: &mut ValueListPool) -> InstructionData {
        let mut data = *self;
        match &mut data {
            InstructionData::MultiAry { args, .. }
            | InstructionData::Call { args, .. }
            | InstructionData::CallIndirect { args, .. }
            | InstructionData::TryCall { args, .. }
            | InstructionData::TryCallIndirect { args, .. } => *args = args.deep_clone(pool),
            _ => {}
        }
        for call in data.inline_block_calls_mut() {
            call.args = call.args.deep_clone(pool);
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_args_pack() {
        use gantry_entity::EntityRef;
        for arg in [
            BlockArg::Value(Value::new(0)),
            BlockArg::Value(Value::new(12345)),
            BlockArg::TryCallRet(0),
            BlockArg::TryCallRet(7),
            BlockArg::TryCallExn(1),
        ] {
            assert_eq!(BlockArg::decode(arg.encode()), arg);
        }
    }

    #[test]
    fn instruction_data_is_small() {
        assert!(core::mem::size_of::<InstructionData>() <= 24);
    }
}
