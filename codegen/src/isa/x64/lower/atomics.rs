//! Atomic loads, stores, read-modify-writes, compare-and-swaps and fences.

use super::*;
use crate::isa::x64::inst::Atomic128Op;

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
/// instructions. Every access is sequentially consistent, as x86-64 makes cheap. `i128`
/// accesses use `cmpxchg16b`, which `cmpxchg16b` says the CPU has.
pub(super) fn lower_atomic(
    ctx: &mut Lower<'_, MInst>,
    inst: crate::ir::Inst,
    cmpxchg16b: bool,
) -> Result<bool, CodegenError> {
    if let Some(done) = lower_atomic128(ctx, inst, cmpxchg16b)? {
        return Ok(done);
    }
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

/// The `i128` atomic instructions: `Some(true)` once lowered, `None` for anything else.
///
/// # Errors
/// [`CodegenError::Unsupported`] without `has_cmpxchg16b`.
fn lower_atomic128(
    ctx: &mut Lower<'_, MInst>,
    inst: crate::ir::Inst,
    cmpxchg16b: bool,
) -> Result<Option<bool>, CodegenError> {
    let dfg = &ctx.func.dfg;
    let data = dfg.insts[inst];
    let (op, addr, value, expected) = match data {
        InstructionData::LoadNoOffset {
            opcode: Opcode::AtomicLoad,
            arg,
            ..
        } if dfg.value_type(dfg.first_result(inst)) == Type::I128 => {
            (Atomic128Op::Load, arg, None, None)
        }
        InstructionData::StoreNoOffset {
            opcode: Opcode::AtomicStore,
            args: [value, addr],
            ..
        } if dfg.value_type(value) == Type::I128 => (Atomic128Op::Store, addr, Some(value), None),
        InstructionData::AtomicRmw {
            op,
            args: [addr, value],
            ..
        } if dfg.value_type(value) == Type::I128 => (Atomic128Op::Rmw(op), addr, Some(value), None),
        InstructionData::AtomicCas {
            args: [addr, expected, replacement],
            ..
        } if dfg.value_type(expected) == Type::I128 => {
            (Atomic128Op::Cas, addr, Some(replacement), Some(expected))
        }
        _ => return Ok(None),
    };
    if !cmpxchg16b {
        return Err(CodegenError::Unsupported {
            feature: alloc::format!("`{}.i128` on x86_64 without has_cmpxchg16b", data.opcode()),
        });
    }
    let pair = |ctx: &mut Lower<'_, MInst>, v: Value| -> Result<(Reg, Reg), CodegenError> {
        let regs = ctx.value_regs(v)?;
        Ok((regs.regs()[0], regs.regs()[1]))
    };
    let addr = ctx.value_reg(addr)?;
    let src = value.map(|v| pair(ctx, v)).transpose()?;
    let expected = expected.map(|v| pair(ctx, v)).transpose()?;
    let mut vreg = || Writable::from_reg(ctx.vcode.alloc_vreg(RegClass::Int));
    let dst = (vreg(), vreg());
    let scratch = (op != Atomic128Op::Cas).then(|| (vreg(), vreg()));
    let tmp = matches!(
        op,
        Atomic128Op::Rmw(
            crate::ir::AtomicRmwOp::Umin
                | crate::ir::AtomicRmwOp::Umax
                | crate::ir::AtomicRmwOp::Smin
                | crate::ir::AtomicRmwOp::Smax
        )
    )
    .then(&mut vreg);
    ctx.vcode.push(MInst::Atomic128 {
        op,
        addr,
        src,
        expected,
        tmp,
        scratch,
        dst,
    });
    if op != Atomic128Op::Store {
        let result = ctx.func.dfg.first_result(inst);
        ctx.set_result_regs(result, ValueRegs::two(dst.0.to_reg(), dst.1.to_reg()));
    }
    Ok(Some(true))
}
