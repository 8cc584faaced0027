//! Atomic loads, stores, read-modify-writes, compare-and-swaps and fences.

use super::*;

/// The access size of an atomic operation on `ty`.
///
/// # Errors
/// [`CodegenError::Unsupported`] for `i128` (it would need `cmpxchg16b`).
pub(super) fn atomic_size(ty: Type) -> Result<OperandSize, CodegenError> {
    if int_le64(ty) {
        Ok(size_of(ty))
    } else {
        Err(CodegenError::Unsupported {
            feature: alloc::format!("atomic operations on {ty} on x86_64"),
        })
    }
}

/// Lowers atomic loads, read-modify-writes and compare-and-swaps; `false` for other
/// instructions. Every access is sequentially consistent, as x86-64 makes cheap.
pub(super) fn lower_atomic(
    ctx: &mut Lower<'_, MInst>,
    inst: crate::ir::Inst,
) -> Result<bool, CodegenError> {
    let dfg = &ctx.func.dfg;
    match dfg.insts[inst] {
        InstructionData::LoadNoOffset {
            opcode: Opcode::AtomicLoad,
            flags,
            arg,
        } => {
            let result = dfg.first_result(inst);
            let ty = dfg.value_type(result);
            let size = atomic_size(ty)?;
            let base = ctx.value_reg(arg)?;
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::Load {
                size,
                signed: false,
                addr: Addr::Reg { base, disp: 0 },
                dst: Writable::from_reg(dst),
                trap: flags.trap_code(),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        InstructionData::AtomicRmw {
            op,
            args: [addr, v],
            ..
        } => {
            let result = dfg.first_result(inst);
            let size = atomic_size(dfg.value_type(result))?;
            let (addr, operand) = (ctx.value_reg(addr)?, ctx.value_reg(v)?);
            let (tmp, dst) = (
                ctx.vcode.alloc_vreg(RegClass::Int),
                ctx.vcode.alloc_vreg(RegClass::Int),
            );
            ctx.vcode.push(MInst::AtomicRmw {
                op,
                size,
                addr,
                operand,
                tmp: Writable::from_reg(tmp),
                dst: Writable::from_reg(dst),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        InstructionData::AtomicCas {
            args: [addr, expected, replacement],
            ..
        } => {
            let result = dfg.first_result(inst);
            let size = atomic_size(dfg.value_type(result))?;
            let (addr, expected, replacement) = (
                ctx.value_reg(addr)?,
                ctx.value_reg(expected)?,
                ctx.value_reg(replacement)?,
            );
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::AtomicCas {
                size,
                addr,
                expected,
                replacement,
                dst: Writable::from_reg(dst),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        _ => Ok(false),
    }
}
