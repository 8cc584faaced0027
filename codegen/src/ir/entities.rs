//! The entity references of the IR: typed indices into a function's tables.
//!
//! Each prints with the prefix the CLIF text uses (`v7`, `block3`, `ss0`, ...).

use gantry_entity::entity_impl;

macro_rules! entities {
    ($($(#[$doc:meta])* $name:ident = $prefix:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub struct $name(u32);
        entity_impl!($name, $prefix);
    )*};
}

entities! {
    /// An SSA value: an instruction result or a block parameter.
    Value = "v";
    /// An instruction.
    Inst = "inst";
    /// A basic block.
    Block = "block";
    /// A fixed-size stack slot.
    StackSlot = "ss";
    /// A stack slot sized by a dynamic vector type.
    DynamicStackSlot = "dss";
    /// A dynamic vector type declared in the preamble (`dt0 = i32x4*gv0`).
    DynamicType = "dt";
    /// A global value: an address or value computed from the VM context or a symbol.
    GlobalValue = "gv";
    /// A jump table of a `br_table`.
    JumpTable = "jt";
    /// A constant in the function's constant pool (vector and `f128` constants).
    Constant = "const";
    /// An immediate stored out of line (e.g. a `shuffle` mask).
    Immediate = "imm";
    /// A function declared for calls (`fn0 = ...`).
    FuncRef = "fn";
    /// A call signature declared in the preamble (`sig0 = ...`).
    SigRef = "sig";
    /// An entry of the function's user external name table.
    UserExternalNameRef = "userextname";
    /// The exception table of one `try_call`/`try_call_indirect`.
    ExceptionTable = "extable";
    /// An exception tag a handler catches (`tag1`).
    ExceptionTag = "tag";
    /// An alias region memory accesses may name (`region0 = 8 "VMContext"`).
    MemoryRegion = "region";
}

/// Any entity a verifier message or annotation can refer to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AnyEntity {
    /// The function as a whole.
    Function,
    /// A block.
    Block(Block),
    /// An instruction.
    Inst(Inst),
    /// A value.
    Value(Value),
    /// A stack slot.
    StackSlot(StackSlot),
    /// A dynamic stack slot.
    DynamicStackSlot(DynamicStackSlot),
    /// A dynamic type.
    DynamicType(DynamicType),
    /// A global value.
    GlobalValue(GlobalValue),
    /// A jump table.
    JumpTable(JumpTable),
    /// A constant.
    Constant(Constant),
    /// A function reference.
    FuncRef(FuncRef),
    /// A signature reference.
    SigRef(SigRef),
    /// An exception table.
    ExceptionTable(ExceptionTable),
    /// A memory region.
    MemoryRegion(MemoryRegion),
}

impl core::fmt::Display for AnyEntity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AnyEntity::Function => write!(f, "function"),
            AnyEntity::Block(e) => e.fmt(f),
            AnyEntity::Inst(e) => e.fmt(f),
            AnyEntity::Value(e) => e.fmt(f),
            AnyEntity::StackSlot(e) => e.fmt(f),
            AnyEntity::DynamicStackSlot(e) => e.fmt(f),
            AnyEntity::DynamicType(e) => e.fmt(f),
            AnyEntity::GlobalValue(e) => e.fmt(f),
            AnyEntity::JumpTable(e) => e.fmt(f),
            AnyEntity::Constant(e) => e.fmt(f),
            AnyEntity::FuncRef(e) => e.fmt(f),
            AnyEntity::SigRef(e) => e.fmt(f),
            AnyEntity::ExceptionTable(e) => e.fmt(f),
            AnyEntity::MemoryRegion(e) => e.fmt(f),
        }
    }
}
