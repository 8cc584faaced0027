//! Lowering CLIF to AArch64 instructions: the Rust side of the ISLE rules in
//! `lower.isle` (the ISLE context, in `isle.rs`), the AAPCS64 argument and result
//! registers, calls and the terminators.

use super::abi::Aarch64Abi;
use super::inst::Inst as MInst;
use crate::ir::{InstructionData, Type};
use crate::machinst::CodegenError;
use crate::machinst::call;
use crate::machinst::isle::{lower_by_shape, run_isle};
use crate::machinst::lower::{Lower, LowerBackend};
use crate::machinst::reg::{Reg, Writable};
use crate::settings::Aarch64Flags;
use alloc::vec::Vec;

mod isle;

#[allow(dead_code, missing_docs, unused_imports, unused_variables, clippy::all)]
mod generated {
    use super::super::inst::args::{AMode, BlockTarget, Imm12, ImmLogic, OptionTrapCode};
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
    type OptionBool = Option<bool>;
    crate::isle_type_consts!();
    const ALL_ONES: u128 = u128::MAX;
    const TRAP_INTEGER_OVERFLOW: TrapCode = TrapCode::INTEGER_OVERFLOW;
    const TRAP_INTEGER_DIVISION_BY_ZERO: TrapCode = TrapCode::INTEGER_DIVISION_BY_ZERO;
    const TRAP_BAD_CONVERSION_TO_INTEGER: TrapCode = TrapCode::BAD_CONVERSION_TO_INTEGER;
    const NO_TRAP: OptionTrapCode = None;
    include!(concat!(env!("OUT_DIR"), "/isle_aarch64.rs"));
}

/// The AArch64 lowering backend, for a CPU with the features in `flags`.
pub struct A64Lower {
    /// The ISA flags: which optional instructions may be used.
    pub flags: Aarch64Flags,
    /// Position-independent code.
    pub pic: bool,
    /// How `tls_value` reaches thread-local variables.
    pub tls_model: crate::settings::TlsModel,
}

type IsleCtx<'a, 'f> = crate::machinst::isle::IsleCtx<'a, 'f, A64Lower>;

fn unsupported(ctx: &Lower<'_, MInst>, inst: crate::ir::Inst) -> CodegenError {
    ctx.unsupported(inst, "aarch64")
}

crate::isle_lowering_entries!(A64Lower, generated);

impl A64Lower {
    /// Lowers `tls_value`; `false` for other instructions.
    fn lower_tls(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<bool, CodegenError> {
        let Some((name, offset)) = ctx.tls_symbol(inst, self.tls_model, "aarch64")? else {
            return Ok(false);
        };
        if offset != 0 {
            return Err(CodegenError::Unsupported {
                feature: "tls_value of a symbol with an offset on aarch64".into(),
            });
        }
        // The descriptor's function returns in x0 and preserves every other
        // register but x1 (and x30, which is never allocated).
        let x0 = super::inst::regs::xreg(0);
        let mut clobbers = regalloc2::PRegSet::empty();
        clobbers.add(super::inst::regs::xreg(1));
        let off = ctx.vcode.alloc_vreg(regalloc2::RegClass::Int);
        let rd = ctx.vcode.alloc_vreg(regalloc2::RegClass::Int);
        let info = alloc::boxed::Box::new(super::inst::CallInfo {
            uses: Vec::new(),
            defs: alloc::vec![(Writable::from_reg(off), x0)],
            clobbers,
            callee_pop: 0,
            stack_map: Vec::new(),
        });
        ctx.vcode.push(MInst::TlsDesc {
            rd: Writable::from_reg(rd),
            symbol: name,
            info,
        });
        let result = ctx.func.dfg.first_result(inst);
        ctx.set_result(result, rd);
        Ok(true)
    }
}

impl LowerBackend for A64Lower {
    type MInst = MInst;

    /// As the framework's default, with 64-bit vectors in vector registers too.
    fn reg_classes(ty: Type) -> Option<&'static [regalloc2::RegClass]> {
        if ty.is_vector() && ty.bits() == 64 {
            Some(&[regalloc2::RegClass::Float])
        } else if ty == Type::I128 {
            Some(&[regalloc2::RegClass::Int, regalloc2::RegClass::Int])
        } else if ty.is_scalar_int() {
            Some(&[regalloc2::RegClass::Int])
        } else if (ty.is_scalar() && ty.is_float()) || ty.is_vector128() {
            Some(&[regalloc2::RegClass::Float])
        } else {
            None
        }
    }

    fn name(&self) -> &'static str {
        "aarch64"
    }

    fn lower_args(&self, ctx: &mut Lower<'_, MInst>, params: &[Reg]) -> Result<(), CodegenError> {
        crate::machinst::call::emit_args::<MInst, Aarch64Abi>(ctx, params)
    }

    fn lower_inst(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<(), CodegenError> {
        if ctx.func.dfg.insts[inst].opcode() == crate::ir::Opcode::StackSwitch {
            // See the `stack_switch` form: contexts in x1 (store) and x2 (load), the
            // payload in x0 both ways.
            let regs = [1, 2, 0].map(super::inst::regs::xreg);
            let info = call::stack_switch_info::<MInst, Aarch64Abi>(ctx, inst, regs)?;
            ctx.vcode.push(MInst::StackSwitch { info });
            return Ok(());
        }
        if call::lower_call::<MInst, Aarch64Abi>(ctx, inst)? || self.lower_tls(ctx, inst)? {
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
        // The unwinder delivers the payload in x0 and x1.
        Ok(crate::machinst::call::exception_payload(
            ctx,
            &[super::inst::regs::xreg(0), super::inst::regs::xreg(1)],
        ))
    }

    fn jump(&self, target: usize) -> MInst {
        MInst::Jump { target }
    }
}

impl crate::machinst::terminator::Terminators for A64Lower {
    type Abi = Aarch64Abi;

    fn gen_tail_call(
        &self,
        callee: call::TailCallee,
        mut uses: Vec<(Reg, regalloc2::PReg)>,
        stack_bytes: u32,
    ) -> Result<MInst, CodegenError> {
        Ok(match callee {
            call::TailCallee::Name(dest) => MInst::ReturnCall {
                dest,
                uses,
                stack_bytes,
            },
            call::TailCallee::Reg(callee) => {
                uses.push((callee, super::inst::regs::xreg(15)));
                MInst::ReturnCallInd { uses, stack_bytes }
            }
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
        ctx.vcode.push(MInst::BrTable {
            idx,
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
        let rets = call::lower_return::<MInst, Aarch64Abi>(ctx, inst)?;
        ctx.vcode.push(MInst::Ret { rets });
        Ok(())
    }
}
