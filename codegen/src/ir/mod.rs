//! The CLIF intermediate representation.
//!
//! A [`Function`] is a [`FunctionStencil`] (signature, [`DataFlowGraph`], [`Layout`],
//! stack slots, global values, relative source locations) plus [`FunctionParameters`]
//! (user external names, base source location).

pub mod atomic_rmw_op;
pub mod builder;
pub mod condcodes;
pub mod constant;
pub mod debug_tags;
pub mod dfg;
pub mod dynamic_type;
pub mod entities;
pub mod extname;
pub mod function;
pub mod globalvalue;
pub mod immediates;
pub mod instructions;
pub mod layout;
pub mod memflags;
pub mod opcodes;
pub mod signature;
pub mod sourceloc;
pub mod stackslot;
pub mod trapcode;
pub mod types;
pub mod typeset;

pub use atomic_rmw_op::AtomicRmwOp;
pub use builder::{AppendBuilder, InsertBuilder, InstBuilder, InstBuilderBase, InstBuilderExt};
pub use condcodes::{FloatCC, IntCC};
pub use constant::{ConstantData, ConstantPool};
pub use debug_tags::{DebugTag, UserStackMapEntry};
pub use dfg::{DataFlowGraph, ValueDef};
pub use dynamic_type::{DynamicTypeData, MemoryRegionData};
pub use entities::*;
pub use extname::{
    ExternalName, KnownSymbol, LibCall, TestcaseName, UserExternalName, UserFuncName,
};
pub use function::{Function, FunctionParameters, FunctionStencil};
pub use globalvalue::GlobalValueData;
pub use immediates::{Ieee16, Ieee32, Ieee64, Ieee128, Imm64, Offset32, Uimm8, Uimm32, V128Imm};
pub use instructions::{
    BlockArg, BlockCall, ExceptionTableData, ExceptionTableItem, InstructionData, JumpTableData,
    ValueList, ValueListPool,
};
pub use layout::Layout;
pub use memflags::{Endianness, MemFlags};
pub use opcodes::{InstructionFormat, Opcode};
pub use signature::{
    AbiParam, ArgumentExtension, ArgumentPurpose, CallConv, ExtFuncData, Signature,
};
pub use sourceloc::{RelSourceLoc, SourceLoc};
pub use stackslot::{DynamicStackSlotData, StackSlotData, StackSlotKind};
pub use trapcode::TrapCode;
pub use types::Type;
