//! Integer comparisons: immediates, and comparisons folded into the branch or select
//! that uses them.

use super::*;

/// How an integer comparison is emitted: `lhs cond rhs` with a constant operand that fits
/// a sign-extended 32-bit immediate as the immediate (a constant on the left is moved to
/// the right with the condition mirrored). Lowering and `absorbed_operands` both use it.
pub(super) struct IcmpPlan {
    /// The condition, after any swap of the operands.
    pub(super) cond: IntCC,
    /// The left operand.
    pub(super) lhs: Value,
    /// The right operand.
    pub(super) rhs: CmpRhs,
    /// The constant operand the immediate replaces.
    pub(super) absorbed: Option<Value>,
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
            absorbed: Some(b),
        },
        (Some(k), None) => IcmpPlan {
            cond: cond.swap_args(),
            lhs: b,
            rhs: CmpRhs::Imm(k),
            absorbed: Some(a),
        },
        (None, None) => IcmpPlan {
            cond,
            lhs: a,
            rhs: CmpRhs::Value(b),
            absorbed: None,
        },
    }
}

/// The machine operand of a planned comparison's right side.
pub(super) fn rhs_operand(ctx: &Lower<'_, MInst>, rhs: CmpRhs) -> Result<RegOrImm, CodegenError> {
    Ok(match rhs {
        CmpRhs::Value(v) => RegOrImm::Reg(ctx.value_reg(v)?),
        CmpRhs::Imm(k) => RegOrImm::Imm(k),
    })
}

/// Whether `inst` is an integer icmp (or an extension of one) whose only use is the
/// `brif` ending its block, which then branches on the comparison itself (so the 0/1
/// result is never materialized).
pub(super) fn fused_into_branch(ctx: &Lower<'_, MInst>, inst: crate::ir::Inst) -> bool {
    let dfg = &ctx.func.dfg;
    let Some(&result) = dfg.inst_results(inst).first() else {
        return false;
    };
    let Some(block) = ctx.func.layout.inst_block(inst) else {
        return false;
    };
    let Some(term) = ctx.func.layout.last_inst(block) else {
        return false;
    };
    let InstructionData::Brif { arg, .. } = dfg.insts[term] else {
        return false;
    };
    // The values from the branch's condition down to the icmp, each used only by the
    // next one up and defined in this block.
    let mut v = dfg.resolve_aliases(arg);
    loop {
        let Some(def) = dfg.value_def(v).inst() else {
            return false;
        };
        if ctx.use_count(v) != 1 || ctx.func.layout.inst_block(def) != Some(block) {
            return false;
        }
        if v == result {
            let cond = branch_cond(ctx, v);
            if icmp_operands(ctx, cond).is_some() || fcmp_operands(ctx, cond).is_some() {
                return true;
            }
            // A `band` is tested by the branch only if nothing else uses it or what
            // extends it (as the branch's lowering checks).
            let mut w = v;
            let mut single = true;
            while let Some(inner) = extended(ctx, w) {
                w = inner;
                single &= ctx.use_count(w) == 1;
            }
            return single && band_operands(ctx, cond).is_some();
        }
        match extended(ctx, v) {
            Some(inner) => v = inner,
            None => return false,
        }
    }
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

/// The values from a `select`'s condition `c` down to the integer icmp it tests through
/// extensions, if it tests one and each value is used only by the next one up (`uses`
/// counts every use), so the select can compare and move without them.
pub(super) fn select_absorbs(
    dfg: &crate::ir::DataFlowGraph,
    uses: &SecondaryMap<Value, u32>,
    c: Value,
) -> Vec<Value> {
    absorbed_chain(dfg, uses, c, |v| select_cond(dfg, v) == Some(v))
}

/// The values from a `brif`'s condition `c` down to the comparison it tests through
/// extensions (an icmp on at most 64 bits or an fcmp on `f32`/`f64`, which the branch
/// compares itself), if each is used only by the next one up (`uses` counts every use).
pub(super) fn branch_absorbs(
    dfg: &crate::ir::DataFlowGraph,
    uses: &SecondaryMap<Value, u32>,
    c: Value,
) -> Vec<Value> {
    absorbed_chain(dfg, uses, c, |v| {
        let Some(def) = dfg.value_def(v).inst() else {
            return false;
        };
        match dfg.insts[def] {
            InstructionData::IntCompare {
                opcode: Opcode::Icmp,
                args: [a, _],
                ..
            } => int_le64(dfg.value_type(a)),
            InstructionData::FloatCompare {
                opcode: Opcode::Fcmp,
                args: [a, _],
                ..
            } => f32_or_f64(dfg.value_type(a)),
            _ => false,
        }
    })
}

/// The values from `c` down through extensions to the first one `is_root` accepts, if
/// there is one and each value is used only by the next one up (`uses` counts every
/// use): what an instruction testing `c` absorbs when it reads the root's operands.
fn absorbed_chain(
    dfg: &crate::ir::DataFlowGraph,
    uses: &SecondaryMap<Value, u32>,
    c: Value,
    is_root: impl Fn(Value) -> bool,
) -> Vec<Value> {
    let mut chain = Vec::new();
    let mut v = dfg.resolve_aliases(c);
    loop {
        if uses[v] != 1 {
            return Vec::new();
        }
        chain.push(v);
        if is_root(v) {
            return chain;
        }
        match extended_in(dfg, v) {
            Some(inner) => v = inner,
            None => return Vec::new(),
        }
    }
}

/// The comparison that condition `c` tests, through extensions, if a `select` can use it
/// directly: an integer icmp on at most 64 bits, or an fcmp on `f32`/`f64` whose outcome
/// one flag tells (see [`float_cc_flag`]).
pub(super) fn select_cond(dfg: &crate::ir::DataFlowGraph, c: Value) -> Option<Value> {
    let mut v = dfg.resolve_aliases(c);
    while let Some(inner) = extended_in(dfg, v) {
        v = inner;
    }
    match dfg.insts[dfg.value_def(v).inst()?] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            args: [a, _],
            ..
        } if int_le64(dfg.value_type(a)) => Some(v),
        InstructionData::FloatCompare {
            opcode: Opcode::Fcmp,
            cond,
            args: [a, _],
        } if f32_or_f64(dfg.value_type(a))
            && crate::isa::x64::inst::float_cc_flag(cond).is_some() =>
        {
            Some(v)
        }
        _ => None,
    }
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
/// bits does and neither operand is a load folded into it (a branch on it is a `test`).
pub(super) fn band_operands(ctx: &Lower<'_, MInst>, v: Value) -> Option<(Value, Value, Type)> {
    let dfg = &ctx.func.dfg;
    let inst = dfg.value_def(dfg.resolve_aliases(v)).inst()?;
    match dfg.insts[inst] {
        InstructionData::Binary {
            opcode: Opcode::Band,
            args: [a, b],
        } if ctx.sunk_load(a).is_none() && ctx.sunk_load(b).is_none() => {
            let ty = dfg.value_type(a);
            int_le64(ty).then_some((a, b, ty))
        }
        _ => None,
    }
}
