//! Lowering of block terminators, the same for every ISA: jumps, conditional branches,
//! jump tables, returns, tail calls, `try_call` and traps. The ISA supplies the
//! instructions (through [`Terminators`]); this adds the successors in order and does
//! the tail calls' argument moves.

use super::CodegenError;
use super::abi::AbiSpec;
use super::call::{self, CallInsts, TailCallee};
use super::lower::{Lower, LowerBackend};
use super::reg::Reg;
use crate::ir::{Inst, InstructionData, Opcode};
use alloc::vec::Vec;
use regalloc2::PReg;

/// What an ISA builds for terminators; [`lower_terminator`] does the rest.
pub trait Terminators: LowerBackend
where
    Self::MInst: CallInsts,
{
    /// The ISA's calling conventions.
    type Abi: AbiSpec;

    /// The jump of a tail call to `callee`, after the shared argument moves: `uses` are
    /// the argument registers, `stack_bytes` the bytes of stack arguments.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] for tail calls the ISA cannot make.
    fn gen_tail_call(
        &self,
        callee: TailCallee,
        uses: Vec<(Reg, PReg)>,
        stack_bytes: u32,
    ) -> Result<Self::MInst, CodegenError>;

    /// Lowers `brif` to the blocks `taken` and `not_taken` (by the ISA's rules).
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] if no rule matches.
    fn lower_brif(
        &self,
        ctx: &mut Lower<'_, Self::MInst>,
        inst: Inst,
        taken: usize,
        not_taken: usize,
    ) -> Result<(), CodegenError>;

    /// Lowers `br_table` with the blocks `default` and `table`.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] if no rule matches.
    fn lower_br_table(
        &self,
        ctx: &mut Lower<'_, Self::MInst>,
        inst: Inst,
        default: usize,
        table: &[usize],
    ) -> Result<(), CodegenError>;

    /// Lowers `trap`.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] if no rule matches.
    fn lower_trap(&self, ctx: &mut Lower<'_, Self::MInst>, inst: Inst) -> Result<(), CodegenError>;

    /// Lowers `return`: the results to their registers or the return area, then the
    /// return instruction (the epilogue comes from `MachInst::gen_teardown`).
    ///
    /// # Errors
    /// What [`call::lower_return`] reports.
    fn lower_return(
        &self,
        ctx: &mut Lower<'_, Self::MInst>,
        inst: Inst,
    ) -> Result<(), CodegenError>;
}

/// Lowers the terminator `inst` of a block whose destinations are the lowered blocks
/// `targets` (for `br_table` the default first), calling [`Lower::add_succ`] for each in
/// order: what [`LowerBackend::lower_branch`] does for an ISA implementing
/// [`Terminators`].
///
/// # Errors
/// `CodegenError::UnsupportedOpcode` for a terminator the ISA does not lower; what the
/// ISA's hooks and the shared call lowering report.
pub fn lower_terminator<B: Terminators>(
    backend: &B,
    ctx: &mut Lower<'_, B::MInst>,
    inst: Inst,
    targets: &[usize],
) -> Result<(), CodegenError>
where
    B::MInst: CallInsts,
{
    if let Some((callee, uses, stack_bytes)) = call::tail_call::<B::MInst, B::Abi>(ctx, inst)? {
        let jump = backend.gen_tail_call(callee, uses, stack_bytes)?;
        ctx.vcode.push(jump);
        return Ok(());
    }
    let add_all = |ctx: &mut Lower<'_, B::MInst>| {
        targets
            .iter()
            .enumerate()
            .try_for_each(|(succ, &t)| ctx.add_succ(inst, succ, t))
    };
    match ctx.func.dfg.insts[inst] {
        InstructionData::Jump { .. } => {
            ctx.vcode.push(backend.jump(targets[0]));
            add_all(ctx)
        }
        InstructionData::Brif { .. } => {
            backend.lower_brif(ctx, inst, targets[0], targets[1])?;
            add_all(ctx)
        }
        InstructionData::BranchTable { .. } => {
            backend.lower_br_table(ctx, inst, targets[0], &targets[1..])?;
            add_all(ctx)
        }
        InstructionData::MultiAry {
            opcode: Opcode::Return,
            ..
        } => backend.lower_return(ctx, inst),
        InstructionData::TryCall { .. } | InstructionData::TryCallIndirect { .. } => {
            call::lower_try_call::<B::MInst, B::Abi>(ctx, inst, targets)
        }
        InstructionData::Trap { .. } => backend.lower_trap(ctx, inst),
        _ => Err(ctx.unsupported(inst, backend.name())),
    }
}
