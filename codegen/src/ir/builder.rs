//! [`InstBuilder`]: building instructions by opcode, as `builder.iadd(x, y)`.
//!
//! The methods, one per opcode, are generated at build time from the opcode table
//! (`codegen/meta/inst_builder.rs`); the convenience forms of [`InstBuilderExt`]
//! (`iadd_imm`, `band_not`, `stack_load`, ...) expand into several instructions. Anything
//! that can place a new instruction implements [`InstBuilderBase`]; [`AppendBuilder`]
//! appends to a block of a function.

use super::{
    AtomicRmwOp, Block, BlockArg, Constant, DataFlowGraph, DynamicStackSlot, ExceptionTable,
    FloatCC, FuncRef, FunctionStencil, GlobalValue, Ieee16, Ieee32, Ieee64, Imm64, Immediate, Inst,
    InstructionData, IntCC, JumpTable, Layout, MemFlags, Offset32, Opcode, SigRef, StackSlot,
    TrapCode, Type, Uimm8, Value, ValueList,
};

/// Where new instructions go: gives access to the data flow graph and places a built
/// instruction.
pub trait InstBuilderBase: Sized {
    /// The data flow graph instructions are added to.
    fn data_flow_graph(&self) -> &DataFlowGraph;
    /// The data flow graph, mutably (to create value lists and block calls).
    fn data_flow_graph_mut(&mut self) -> &mut DataFlowGraph;
    /// Adds an instruction with `data`, creates its results (their types from
    /// `ctrl_typevar`, or from the operands or signature when it is `Type::INVALID`) and
    /// places it after the ones built before.
    ///
    /// # Panics
    /// If the result types cannot be determined (a type the opcode does not take).
    fn build(&mut self, data: InstructionData, ctrl_typevar: Type) -> Inst;
}

/// `callee` followed by `args`, as one value list (the operands of indirect calls).
fn callee_and_args(dfg: &mut DataFlowGraph, callee: Value, args: &[Value]) -> ValueList {
    let mut list = ValueList::from_slice(&[callee], &mut dfg.value_lists);
    list.extend(args.iter().copied(), &mut dfg.value_lists);
    list
}

include!(concat!(env!("OUT_DIR"), "/inst_builder.rs"));

impl<T: InstBuilderBase> InstBuilder for T {}

/// Appends instructions at the end of a block of a function.
pub struct AppendBuilder<'f> {
    dfg: &'f mut DataFlowGraph,
    layout: &'f mut Layout,
    block: Block,
}

impl<'f> AppendBuilder<'f> {
    /// A builder appending to `block` of `func` (which must be in the layout).
    pub fn new(func: &'f mut FunctionStencil, block: Block) -> AppendBuilder<'f> {
        AppendBuilder {
            dfg: &mut func.dfg,
            layout: &mut func.layout,
            block,
        }
    }
}

impl InstBuilderBase for AppendBuilder<'_> {
    fn data_flow_graph(&self) -> &DataFlowGraph {
        self.dfg
    }

    fn data_flow_graph_mut(&mut self) -> &mut DataFlowGraph {
        self.dfg
    }

    fn build(&mut self, data: InstructionData, ctrl_typevar: Type) -> Inst {
        let inst = self.dfg.make_inst(data);
        self.dfg.make_inst_results(inst, ctrl_typevar);
        self.layout.append_inst(inst, self.block);
        inst
    }
}

/// Inserts instructions before a given instruction of a function (for rewrites).
pub struct InsertBuilder<'f> {
    dfg: &'f mut DataFlowGraph,
    layout: &'f mut Layout,
    before: Inst,
}

impl<'f> InsertBuilder<'f> {
    /// A builder placing instructions right before `before`, which must be in the
    /// layout of `func`.
    pub fn new(func: &'f mut FunctionStencil, before: Inst) -> InsertBuilder<'f> {
        InsertBuilder {
            dfg: &mut func.dfg,
            layout: &mut func.layout,
            before,
        }
    }
}

impl InstBuilderBase for InsertBuilder<'_> {
    fn data_flow_graph(&self) -> &DataFlowGraph {
        self.dfg
    }

    fn data_flow_graph_mut(&mut self) -> &mut DataFlowGraph {
        self.dfg
    }

    fn build(&mut self, data: InstructionData, ctrl_typevar: Type) -> Inst {
        let inst = self.dfg.make_inst(data);
        self.dfg.make_inst_results(inst, ctrl_typevar);
        self.layout.insert_inst(inst, self.before);
        inst
    }
}

/// Convenience forms that expand into several instructions, as the CLIF reader expands
/// the same names: `*_imm` (a constant then the operation; for `i128` the 64-bit
/// immediate is sign-extended for `iadd`/`irsub`/`imul`/`sdiv`/`srem`/`icmp` and
/// zero-extended otherwise), `band_not`/`bor_not`/`bxor_not`, and stack-slot loads and
/// stores. Implemented for every [`InstBuilderBase`].
pub trait InstBuilderExt: InstBuilderBase {
    /// The constant `imm` with the type of `like` (see the trait's rule for `i128`).
    fn imm_like(&mut self, like: Value, imm: i64, signed: bool) -> Value {
        let ty = self.data_flow_graph().value_type(like);
        let narrow = if ty == Type::I128 { Type::I64 } else { ty };
        let bits = if narrow.bits() < 64 {
            imm & ((1i64 << narrow.bits()) - 1)
        } else {
            imm
        };
        let data = InstructionData::UnaryImm {
            opcode: Opcode::Iconst,
            imm: Imm64::new(bits),
        };
        let c = self.build(data, narrow);
        let c = self.data_flow_graph().first_result(c);
        if ty != Type::I128 {
            return c;
        }
        let opcode = if signed {
            Opcode::Sextend
        } else {
            Opcode::Uextend
        };
        let ext = self.build(InstructionData::Unary { opcode, arg: c }, Type::I128);
        self.data_flow_graph().first_result(ext)
    }

    /// `op x, imm` for a binary opcode (`imm` first for `irsub_imm`).
    fn binary_imm(mut self, opcode: Opcode, x: Value, imm: i64) -> Value {
        let signed = matches!(
            opcode,
            Opcode::Iadd | Opcode::Isub | Opcode::Imul | Opcode::Sdiv | Opcode::Srem
        );
        let c = self.imm_like(x, imm, signed);
        let inst = self.build(
            InstructionData::Binary {
                opcode,
                args: [x, c],
            },
            Type::INVALID,
        );
        self.data_flow_graph().first_result(inst)
    }

    /// `x + imm`.
    fn iadd_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Iadd, x, imm)
    }
    /// `x * imm`.
    fn imul_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Imul, x, imm)
    }
    /// `x & imm`.
    fn band_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Band, x, imm)
    }
    /// `x | imm`.
    fn bor_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Bor, x, imm)
    }
    /// `x ^ imm`.
    fn bxor_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Bxor, x, imm)
    }
    /// `x << imm`.
    fn ishl_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Ishl, x, imm)
    }
    /// Logical `x >> imm`.
    fn ushr_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Ushr, x, imm)
    }
    /// Arithmetic `x >> imm`.
    fn sshr_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Sshr, x, imm)
    }
    /// `x` rotated left by `imm`.
    fn rotl_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Rotl, x, imm)
    }
    /// `x` rotated right by `imm`.
    fn rotr_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Rotr, x, imm)
    }
    /// Unsigned `x / imm`.
    fn udiv_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Udiv, x, imm)
    }
    /// Signed `x / imm`.
    fn sdiv_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Sdiv, x, imm)
    }
    /// Unsigned `x % imm`.
    fn urem_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Urem, x, imm)
    }
    /// Signed `x % imm`.
    fn srem_imm(self, x: Value, imm: i64) -> Value {
        self.binary_imm(Opcode::Srem, x, imm)
    }

    /// `imm - x`.
    fn irsub_imm(mut self, x: Value, imm: i64) -> Value {
        let c = self.imm_like(x, imm, true);
        let inst = self.build(
            InstructionData::Binary {
                opcode: Opcode::Isub,
                args: [c, x],
            },
            Type::INVALID,
        );
        self.data_flow_graph().first_result(inst)
    }

    /// `x cond imm`: 1 or 0 as an `i8`.
    fn icmp_imm(mut self, cond: IntCC, x: Value, imm: i64) -> Value {
        let c = self.imm_like(x, imm, true);
        let inst = self.build(
            InstructionData::IntCompare {
                opcode: Opcode::Icmp,
                cond,
                args: [x, c],
            },
            Type::INVALID,
        );
        self.data_flow_graph().first_result(inst)
    }

    /// `op x, !y` for `band`, `bor` or `bxor`.
    fn binary_not(mut self, opcode: Opcode, x: Value, y: Value) -> Value {
        let not = self.build(
            InstructionData::Unary {
                opcode: Opcode::Bnot,
                arg: y,
            },
            Type::INVALID,
        );
        let not = self.data_flow_graph().first_result(not);
        let inst = self.build(
            InstructionData::Binary {
                opcode,
                args: [x, not],
            },
            Type::INVALID,
        );
        self.data_flow_graph().first_result(inst)
    }

    /// `x & !y`.
    fn band_not(self, x: Value, y: Value) -> Value {
        self.binary_not(Opcode::Band, x, y)
    }
    /// `x | !y`.
    fn bor_not(self, x: Value, y: Value) -> Value {
        self.binary_not(Opcode::Bor, x, y)
    }
    /// `x ^ !y`.
    fn bxor_not(self, x: Value, y: Value) -> Value {
        self.binary_not(Opcode::Bxor, x, y)
    }

    /// A `ty` load from `offset` bytes into stack slot `slot` (addresses of pointer type
    /// `ptr`); stack accesses never trap.
    fn stack_load(mut self, ty: Type, ptr: Type, slot: StackSlot, offset: i32) -> Value {
        let addr = self.stack_slot_address(ptr, slot, offset);
        let inst = self.build(
            InstructionData::Load {
                opcode: Opcode::Load,
                flags: MemFlags::trusted(),
                arg: addr,
                offset: Offset32::new(0),
            },
            ty,
        );
        self.data_flow_graph().first_result(inst)
    }

    /// A store of `x` at `offset` bytes into stack slot `slot` (see
    /// [`InstBuilderExt::stack_load`]).
    fn stack_store(mut self, x: Value, ptr: Type, slot: StackSlot, offset: i32) -> Inst {
        let addr = self.stack_slot_address(ptr, slot, offset);
        self.build(
            InstructionData::Store {
                opcode: Opcode::Store,
                flags: MemFlags::trusted(),
                args: [x, addr],
                offset: Offset32::new(0),
            },
            Type::INVALID,
        )
    }

    /// `stack_addr.ptr slot+offset`.
    fn stack_slot_address(&mut self, ptr: Type, slot: StackSlot, offset: i32) -> Value {
        let inst = self.build(
            InstructionData::StackLoad {
                opcode: Opcode::StackAddr,
                stack_slot: slot,
                offset: Offset32::new(offset),
            },
            ptr,
        );
        self.data_flow_graph().first_result(inst)
    }
}

impl<T: InstBuilderBase> InstBuilderExt for T {}
