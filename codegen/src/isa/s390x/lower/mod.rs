//! Lowering CLIF to s390x instructions: the Rust side of the ISLE rules in
//! `lower.isle` (the ISLE context, in `isle.rs`), the ELF ABI's argument and result
//! registers, calls and the terminators.

use super::abi::S390xAbi;
use super::inst::Inst as MInst;
use crate::ir::InstructionData;
use crate::machinst::CodegenError;
use crate::machinst::call;
use crate::machinst::isle::{lower_by_shape, run_isle};
use crate::machinst::lower::{Lower, LowerBackend};
use crate::machinst::reg::{Reg, Writable};
use crate::settings::S390xFlags;
use alloc::vec::Vec;

mod isle;

#[allow(dead_code, missing_docs, unused_imports, unused_variables, clippy::all)]
mod generated {
    use super::super::inst::args::{BlockTarget, MemArg, OptionTrapCode};
    use super::super::inst::*;
    use crate::ir::ExternalName;
    use crate::ir::{
        AtomicRmwOp, FloatCC, Inst, IntCC, LibCall, MemFlags, Opcode, StackSlot, TrapCode, Type,
        Value,
    };
    use crate::machinst::reg::{Reg, Writable};
    use alloc::boxed::Box;
    type WritableReg = Writable<Reg>;
    type Unit = ();
    type BoxedMInst = alloc::boxed::Box<MInst>;
    type Regs = alloc::vec::Vec<Reg>;
    type RegPair = (Reg, Reg);
    type BitRun = (u8, u8);
    crate::isle_type_consts!();
    const TRAP_INTEGER_OVERFLOW: TrapCode = TrapCode::INTEGER_OVERFLOW;
    const TRAP_INTEGER_DIVISION_BY_ZERO: TrapCode = TrapCode::INTEGER_DIVISION_BY_ZERO;
    const TRAP_BAD_CONVERSION_TO_INTEGER: TrapCode = TrapCode::BAD_CONVERSION_TO_INTEGER;
    const NO_TRAP: OptionTrapCode = None;
    include!(concat!(env!("OUT_DIR"), "/isle_s390x.rs"));
}

/// The s390x lowering backend, for a CPU with the facilities in `flags`.
pub struct S390xLower {
    /// The ISA flags: which facilities beyond the z13 may be used.
    pub flags: S390xFlags,
    /// How `tls_value` reaches thread-local variables.
    pub tls_model: crate::settings::TlsModel,
}

type IsleCtx<'a, 'f> = crate::machinst::isle::IsleCtx<'a, 'f, S390xLower>;

fn unsupported(ctx: &Lower<'_, MInst>, inst: crate::ir::Inst) -> CodegenError {
    ctx.unsupported(inst, "s390x")
}

crate::isle_lowering_entries!(S390xLower, generated);

impl S390xLower {
    /// Lowers `tls_value`; `false` for other instructions.
    fn lower_tls(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<bool, CodegenError> {
        let Some((name, offset)) = ctx.tls_symbol(inst, self.tls_model, "s390x")? else {
            return Ok(false);
        };
        if offset != 0 {
            return Err(CodegenError::Unsupported {
                feature: "tls_value of a symbol with an offset on s390x".into(),
            });
        }
        // A call of __tls_get_offset: it clobbers what a call does, and r12
        // (callee-saved) holds the GOT address.
        let mut clobbers = super::abi::caller_saved();
        clobbers.remove(super::inst::regs::gpr(2));
        clobbers.add(super::inst::regs::gpr(12));
        let rd = ctx.vcode.alloc_vreg(regalloc2::RegClass::Int);
        let info = alloc::boxed::Box::new(super::inst::CallInfo {
            uses: Vec::new(),
            defs: Vec::new(),
            clobbers,
            callee_pop: 0,
            stack_map: Vec::new(),
        });
        ctx.vcode.push(MInst::TlsGd {
            rd: Writable::from_reg(rd),
            symbol: name,
            info,
        });
        let result = ctx.func.dfg.first_result(inst);
        ctx.set_result(result, rd);
        Ok(true)
    }
}

impl LowerBackend for S390xLower {
    type MInst = MInst;

    fn name(&self) -> &'static str {
        "s390x"
    }

    fn lower_args(&self, ctx: &mut Lower<'_, MInst>, params: &[Reg]) -> Result<(), CodegenError> {
        crate::machinst::call::emit_args::<MInst, S390xAbi>(ctx, params)
    }

    fn lower_inst(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<(), CodegenError> {
        if call::lower_call::<MInst, S390xAbi>(ctx, inst)? || self.lower_tls(ctx, inst)? {
            return Ok(());
        }
        lower_by_shape(self, ctx, inst)
    }

    fn lower_branch(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
        targets: &[usize],
    ) -> Result<(), CodegenError> {
        crate::machinst::terminator::lower_terminator(self, ctx, inst, targets)
    }

    fn exception_payload(&self, ctx: &mut Lower<'_, MInst>) -> Result<Vec<Reg>, CodegenError> {
        // The unwinder delivers the payload in r6 and r7 (the s390x ELF ABI's
        // exception-handling data registers).
        Ok(crate::machinst::call::exception_payload(
            ctx,
            &[super::inst::regs::gpr(6), super::inst::regs::gpr(7)],
        ))
    }

    fn jump(&self, target: usize) -> MInst {
        MInst::Jump { target }
    }
}

impl crate::machinst::terminator::Terminators for S390xLower {
    type Abi = S390xAbi;

    fn gen_tail_call(
        &self,
        callee: call::TailCallee,
        uses: Vec<(Reg, regalloc2::PReg)>,
        stack_bytes: u32,
    ) -> Result<MInst, CodegenError> {
        if uses.iter().any(|&(_, p)| p == super::inst::regs::gpr(6)) {
            // r6 is callee-saved: restored for this function's caller, it cannot carry
            // an argument too.
            return Err(CodegenError::Unsupported {
                feature: "a tail call passing an argument in r6 on s390x; use `tail`".into(),
            });
        }
        Ok(match callee {
            call::TailCallee::Name(dest) => MInst::ReturnCall {
                dest,
                uses,
                stack_bytes,
            },
            call::TailCallee::Reg(target) => MInst::ReturnCallInd {
                target,
                uses,
                stack_bytes,
            },
        })
    }

    fn lower_brif(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
        taken: usize,
        not_taken: usize,
    ) -> Result<(), CodegenError> {
        run_isle(self, ctx, inst, |isle| {
            generated::constructor_lower_brif(isle, inst, taken, not_taken)
        })
    }

    fn lower_br_table(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
        default: usize,
        table: &[usize],
    ) -> Result<(), CodegenError> {
        let InstructionData::BranchTable { arg, .. } = ctx.func.dfg.insts[inst] else {
            return Err(unsupported(ctx, inst));
        };
        let idx = ctx.value_reg(arg)?;
        let tmp = ctx.vcode.alloc_vreg(regalloc2::RegClass::Int);
        ctx.vcode.push(MInst::BrTable {
            idx,
            tmp: Writable::from_reg(tmp),
            default,
            targets: table.to_vec(),
        });
        Ok(())
    }

    fn lower_trap(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<(), CodegenError> {
        run_isle(self, ctx, inst, |isle| {
            generated::constructor_lower_trap(isle, inst)
        })
    }

    fn lower_return(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<(), CodegenError> {
        let rets = call::lower_return::<MInst, S390xAbi>(ctx, inst)?;
        ctx.vcode.push(MInst::Ret { rets });
        Ok(())
    }
}
