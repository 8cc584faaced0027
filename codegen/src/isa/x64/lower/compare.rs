//! Integer comparisons: immediates, and comparisons folded into the branch or select
//! that uses them.

use super::*;

/// How an integer comparison is emitted: `lhs cond rhs` with a constant operand that fits
/// a sign-extended 32-bit immediate as the immediate (a constant on the left is moved to
/// the right with the condition mirrored).
pub(super) struct IcmpPlan {
    /// The condition, after any swap of the operands.
    pub(super) cond: IntCC,
    /// The left operand.
    pub(super) lhs: Value,
    /// The right operand.
    pub(super) rhs: CmpRhs,
}

/// The right operand of a planned comparison.
#[derive(Clone, Copy)]
pub(super) enum CmpRhs {
    Value(Value),
    Imm(i32),
}

/// See [`IcmpPlan`].
pub(super) fn plan_icmp(
    dfg: &crate::ir::DataFlowGraph,
    cond: IntCC,
    a: Value,
    b: Value,
) -> IcmpPlan {
    let imm = |v: Value| iconst_of(dfg, v).and_then(|k| imm32_for(dfg.value_type(v), k as u64));
    match (imm(a), imm(b)) {
        (_, Some(k)) => IcmpPlan {
            cond,
            lhs: a,
            rhs: CmpRhs::Imm(k),
        },
        (Some(k), None) => IcmpPlan {
            cond: cond.swap_args(),
            lhs: b,
            rhs: CmpRhs::Imm(k),
        },
        (None, None) => IcmpPlan {
            cond,
            lhs: a,
            rhs: CmpRhs::Value(b),
        },
    }
}

/// The machine operand of a planned comparison's right side.
pub(super) fn rhs_operand(
    ctx: &mut Lower<'_, MInst>,
    rhs: CmpRhs,
) -> Result<RegOrImm, CodegenError> {
    Ok(match rhs {
        CmpRhs::Value(v) => RegOrImm::Reg(ctx.value_reg(v)?),
        CmpRhs::Imm(k) => RegOrImm::Imm(k),
    })
}

/// The operand of the `uextend`/`sextend` defining `v`, if one does.
pub(super) fn extended(ctx: &Lower<'_, MInst>, v: Value) -> Option<Value> {
    extended_in(&ctx.func.dfg, v)
}

/// [`extended`] on a data flow graph.
pub(super) fn extended_in(dfg: &crate::ir::DataFlowGraph, v: Value) -> Option<Value> {
    match dfg.insts[dfg.value_def(v).inst()?] {
        InstructionData::Unary {
            opcode: Opcode::Uextend | Opcode::Sextend,
            arg,
        } => Some(dfg.resolve_aliases(arg)),
        _ => None,
    }
}

/// The value a `brif` on `v` really tests: extensions preserve whether a value is zero,
/// so they are looked through.
pub(super) fn branch_cond(ctx: &Lower<'_, MInst>, v: Value) -> Value {
    let mut v = ctx.func.dfg.resolve_aliases(v);
    while let Some(inner) = extended(ctx, v) {
        v = inner;
    }
    v
}

/// The condition, operands and operand type of the icmp defining `v`, if `v` is the
/// result of an icmp on integers of at most 64 bits.
pub(super) fn icmp_operands(
    ctx: &Lower<'_, MInst>,
    v: Value,
) -> Option<(IntCC, Value, Value, Type)> {
    let dfg = &ctx.func.dfg;
    let inst = dfg.value_def(dfg.resolve_aliases(v)).inst()?;
    match dfg.insts[inst] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond,
            args: [a, b],
        } => {
            let ty = dfg.value_type(a);
            int_le64(ty).then_some((cond, a, b, ty))
        }
        _ => None,
    }
}

/// The condition and operands of the fcmp defining `v`, and whether they are `f64`, if
/// `v` is the result of an fcmp on `f32` or `f64`.
pub(super) fn fcmp_operands(
    ctx: &Lower<'_, MInst>,
    v: Value,
) -> Option<(crate::ir::FloatCC, Value, Value, bool)> {
    let dfg = &ctx.func.dfg;
    let inst = dfg.value_def(dfg.resolve_aliases(v)).inst()?;
    match dfg.insts[inst] {
        InstructionData::FloatCompare {
            opcode: Opcode::Fcmp,
            cond,
            args: [a, b],
        } => {
            let ty = dfg.value_type(a);
            f32_or_f64(ty).then_some((cond, a, b, ty == Type::F64))
        }
        _ => None,
    }
}

/// The operands and type of the `band` defining `v`, if one on integers of at most 64
/// bits does (a branch on it is a `test`).
pub(super) fn band_operands(ctx: &Lower<'_, MInst>, v: Value) -> Option<(Value, Value, Type)> {
    let dfg = &ctx.func.dfg;
    let inst = dfg.value_def(dfg.resolve_aliases(v)).inst()?;
    match dfg.insts[inst] {
        InstructionData::Binary {
            opcode: Opcode::Band,
            args: [a, b],
        } => {
            let ty = dfg.value_type(a);
            int_le64(ty).then_some((a, b, ty))
        }
        _ => None,
    }
}
