//! [`FunctionBuilder`]: appending instructions to blocks, with variables in SSA form.

use crate::Variable;
use crate::error::{DeclareVariableError, DefVariableError, UseVariableError};
use crate::ssa::SsaBuilder;
use gantry_codegen::entity::{EntityRef, SecondaryMap};
use gantry_codegen::ir::{
    Block, DataFlowGraph, ExtFuncData, FuncRef, Function, GlobalValue, GlobalValueData, Inst,
    InstBuilderBase, InstructionData, JumpTable, JumpTableData, SigRef, Signature, StackSlot,
    StackSlotData, Type, Value,
};

/// State that [`FunctionBuilder`] keeps between functions, so its allocations are reused:
/// create one, and pass it to each builder.
#[derive(Default)]
pub struct FunctionBuilderContext {
    ssa: SsaBuilder,
    /// Each declared variable's type (`INVALID` if undeclared).
    types: SecondaryMap<Variable, Type>,
    /// The next variable `declare_var` hands out.
    next_var: u32,
    /// Blocks that end with a terminator.
    filled: SecondaryMap<Block, bool>,
}

impl FunctionBuilderContext {
    /// An empty context.
    pub fn new() -> FunctionBuilderContext {
        FunctionBuilderContext::default()
    }

    fn clear(&mut self) {
        self.ssa.clear();
        self.types.clear();
        self.next_var = 0;
        self.filled.clear();
    }
}

/// Builds the body of `func`: blocks, instructions through [`FunctionBuilder::ins`], and
/// variables that become SSA values.
///
/// Blocks must be *sealed* once all their predecessors are known
/// ([`FunctionBuilder::seal_block`]); variables read in unsealed blocks get block
/// parameters that sealing completes. [`FunctionBuilder::finalize`] checks that every
/// block was sealed and removes the block parameters that turned out unnecessary.
pub struct FunctionBuilder<'a> {
    /// The function being built.
    pub func: &'a mut Function,
    ctx: &'a mut FunctionBuilderContext,
    current: Option<Block>,
}

/// The builder [`FunctionBuilder::ins`] returns: each `InstBuilder` method appends one
/// instruction to the current block.
pub struct FuncInstBuilder<'short, 'long> {
    builder: &'short mut FunctionBuilder<'long>,
}

impl InstBuilderBase for FuncInstBuilder<'_, '_> {
    fn data_flow_graph(&self) -> &DataFlowGraph {
        &self.builder.func.dfg
    }

    fn data_flow_graph_mut(&mut self) -> &mut DataFlowGraph {
        &mut self.builder.func.dfg
    }

    /// # Panics
    /// Without a current block, or when the current block already ends with a
    /// terminator, or when a branch targets a block that is already sealed.
    fn build(&mut self, data: InstructionData, ctrl_typevar: Type) -> Inst {
        let b = &mut *self.builder;
        let block = b
            .current
            .expect("an instruction was added outside any block (call switch_to_block first)");
        assert!(
            !b.ctx.filled[block],
            "an instruction was added to {block} after its terminator"
        );
        let inst = b.func.dfg.make_inst(data);
        b.func.dfg.make_inst_results(inst, ctrl_typevar);
        b.func.layout.append_inst(inst, block);
        let opcode = b.func.dfg.insts[inst].opcode();
        if opcode.is_terminator() {
            b.ctx.filled[block] = true;
        }
        let targets: alloc::vec::Vec<Block> = b
            .func
            .dfg
            .branch_destinations(inst)
            .map(|call| call.block)
            .collect();
        for target in targets {
            assert!(
                !b.ctx.ssa.is_sealed(target),
                "{inst} branches to {target}, which is sealed: all its predecessors were declared"
            );
            b.ctx.ssa.declare_predecessor(target, block, inst);
        }
        inst
    }
}

impl<'a> FunctionBuilder<'a> {
    /// A builder for `func`, using (and resetting) `ctx`.
    pub fn new(func: &'a mut Function, ctx: &'a mut FunctionBuilderContext) -> FunctionBuilder<'a> {
        ctx.clear();
        FunctionBuilder {
            func,
            ctx,
            current: None,
        }
    }

    /// A new block, not yet in the layout (it is placed when first switched to).
    pub fn create_block(&mut self) -> Block {
        self.func.dfg.make_block()
    }

    /// Makes `block` the current block: instructions go to its end. The previous current
    /// block must be empty or end with a terminator.
    ///
    /// # Panics
    /// If the previous block has instructions but no terminator.
    pub fn switch_to_block(&mut self, block: Block) {
        if let Some(prev) = self.current {
            assert!(
                self.ctx.filled[prev] || self.func.layout.first_inst(prev).is_none(),
                "switching from {prev} to {block}, but {prev} does not end with a terminator"
            );
        }
        if !self.func.layout.is_block_inserted(block) {
            self.func.layout.append_block(block);
        }
        self.current = Some(block);
    }

    /// The current block.
    pub fn current_block(&self) -> Option<Block> {
        self.current
    }

    /// Whether the current block ends with a terminator.
    pub fn is_filled(&self) -> bool {
        self.current.is_some_and(|b| self.ctx.filled[b])
    }

    /// Declares that every predecessor of `block` exists: no branch to it will be added.
    /// Variables read in it before were given parameters, which this completes.
    pub fn seal_block(&mut self, block: Block) {
        self.ctx.ssa.seal_block(self.func, block);
    }

    /// Seals every block of the function.
    pub fn seal_all_blocks(&mut self) {
        let blocks: alloc::vec::Vec<Block> = self.func.layout.blocks().collect();
        for b in blocks {
            self.seal_block(b);
        }
    }

    /// Adds a parameter of type `ty` to `block`; branches to it pass the arguments.
    pub fn append_block_param(&mut self, block: Block, ty: Type) -> Value {
        self.func.dfg.append_block_param(block, ty)
    }

    /// Adds a parameter to `block` for each parameter of the function's signature (for
    /// the entry block).
    pub fn append_block_params_for_function_params(&mut self, block: Block) {
        let types: alloc::vec::Vec<Type> = self
            .func
            .signature
            .params
            .iter()
            .map(|p| p.value_type)
            .collect();
        for ty in types {
            self.func.dfg.append_block_param(block, ty);
        }
    }

    /// The parameters of `block`.
    pub fn block_params(&self, block: Block) -> &[Value] {
        self.func.dfg.block_params(block)
    }

    /// A builder appending one instruction to the current block.
    pub fn ins<'short>(&'short mut self) -> FuncInstBuilder<'short, 'a> {
        FuncInstBuilder { builder: self }
    }

    /// A new variable of type `ty`.
    pub fn declare_var(&mut self, ty: Type) -> Variable {
        loop {
            let var = Variable::new(self.ctx.next_var as usize);
            self.ctx.next_var += 1;
            if self.try_declare_var(var, ty).is_ok() {
                return var;
            }
        }
    }

    /// Declares `var` (a number the frontend chose) with type `ty`.
    ///
    /// # Errors
    /// [`DeclareVariableError::DeclaredMultipleTimes`] if it was declared before.
    pub fn try_declare_var(&mut self, var: Variable, ty: Type) -> Result<(), DeclareVariableError> {
        if !self.ctx.types[var].is_invalid() {
            return Err(DeclareVariableError::DeclaredMultipleTimes(var));
        }
        self.ctx.types[var] = ty;
        Ok(())
    }

    /// Assigns `val` to `var` at the current point.
    ///
    /// # Errors
    /// An undeclared variable, a value of another type, or no current block.
    pub fn try_def_var(&mut self, var: Variable, val: Value) -> Result<(), DefVariableError> {
        let expected = self.ctx.types[var];
        if expected.is_invalid() {
            return Err(DefVariableError::DefinedBeforeDeclared(var));
        }
        let found = self.func.dfg.value_type(val);
        if found != expected {
            return Err(DefVariableError::TypeMismatch {
                var,
                expected,
                value: val,
                found,
            });
        }
        let block = self.current.ok_or(DefVariableError::NoCurrentBlock(var))?;
        self.ctx.ssa.def_var(var, val, block);
        Ok(())
    }

    /// As [`FunctionBuilder::try_def_var`].
    ///
    /// # Panics
    /// On the errors `try_def_var` returns, with their message.
    pub fn def_var(&mut self, var: Variable, val: Value) {
        if let Err(e) = self.try_def_var(var, val) {
            panic!("{e}");
        }
    }

    /// The value of `var` at the current point (zero if it was never defined on some
    /// path from the entry).
    ///
    /// # Errors
    /// An undeclared variable, or no current block.
    pub fn try_use_var(&mut self, var: Variable) -> Result<Value, UseVariableError> {
        let ty = self.ctx.types[var];
        if ty.is_invalid() {
            return Err(UseVariableError::UsedBeforeDeclared(var));
        }
        let block = self.current.ok_or(UseVariableError::NoCurrentBlock(var))?;
        Ok(self.ctx.ssa.use_var(self.func, var, ty, block))
    }

    /// As [`FunctionBuilder::try_use_var`].
    ///
    /// # Panics
    /// On the errors `try_use_var` returns, with their message.
    pub fn use_var(&mut self, var: Variable) -> Value {
        match self.try_use_var(var) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    /// Declares a signature for indirect calls.
    pub fn import_signature(&mut self, sig: Signature) -> SigRef {
        self.func.dfg.signatures.push(sig)
    }

    /// Declares an external function for `call` and `func_addr`.
    pub fn import_function(&mut self, data: ExtFuncData) -> FuncRef {
        self.func.dfg.ext_funcs.push(data)
    }

    /// Creates a stack slot.
    pub fn create_sized_stack_slot(&mut self, data: StackSlotData) -> StackSlot {
        self.func.sized_stack_slots.push(data)
    }

    /// Creates a jump table for `br_table`.
    pub fn create_jump_table(&mut self, data: JumpTableData) -> JumpTable {
        self.func.dfg.jump_tables.push(data)
    }

    /// Creates a global value.
    pub fn create_global_value(&mut self, data: GlobalValueData) -> GlobalValue {
        self.func.global_values.push(data)
    }

    /// Finishes the function: removes block parameters that every predecessor passes the
    /// same value to.
    ///
    /// # Panics
    /// If a block in the layout is not sealed (its variables' parameters would be
    /// incomplete) or does not end with a terminator.
    pub fn finalize(self) {
        for block in self.func.layout.blocks() {
            assert!(
                self.ctx.ssa.is_sealed(block),
                "{block} is not sealed at finalize (call seal_block or seal_all_blocks)"
            );
            assert!(
                self.ctx.filled[block],
                "{block} does not end with a terminator at finalize"
            );
        }
        self.ctx.ssa.remove_trivial_params(self.func);
    }
}
