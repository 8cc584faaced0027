//! Memory operands: how an address computation folds into a load's or store's operand.

use super::*;

/// How the address `addr + offset` of a load or store becomes a memory operand: the
/// computation of `addr` is folded into the operand when it is a stack slot's address or
/// an `iadd` (of a constant, or of two registers). What is folded is read from the IR,
/// not from registers, so it is not lowered unless something else needs it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum AddrPlan {
    /// `disp(base)`.
    Reg { base: Value, disp: i32 },
    /// `disp(base, index << shift)`; `inner` is the `iadd` of base and index when the
    /// address was `iadd(iadd(base, index), disp)` and the inner sum is folded away too.
    /// An `iadd` of a value shifted left by 1 to 3 that lowering would turn into a `lea`
    /// (see `scaled_add`) is folded with the shift as the scale.
    RegReg {
        base: Value,
        index: Value,
        shift: u8,
        disp: i32,
        inner: Option<Value>,
    },
    /// A stack slot plus `offset`.
    Slot { slot: StackSlot, offset: i32 },
}

/// See [`AddrPlan`].
pub(super) fn plan_addr(
    func: &crate::ir::FunctionStencil,
    uses: &SecondaryMap<Value, u32>,
    addr: Value,
    offset: i32,
) -> AddrPlan {
    let dfg = &func.dfg;
    let addr = dfg.resolve_aliases(addr);
    let plain = AddrPlan::Reg {
        base: addr,
        disp: offset,
    };
    let Some(def) = dfg.value_def(addr).inst() else {
        return plain;
    };
    let with_disp = |k: i64| i32::try_from(k).ok().and_then(|k| k.checked_add(offset));
    // The operands of the `iadd` defining `sum` as base, index and scale.
    let operands =
        |sum_inst: crate::ir::Inst, c: Value, d: Value| match scaled_add(dfg, sum_inst, Some(uses))
        {
            Some((x, y, k, _)) => (x, y, k),
            None => (c, d, 0),
        };
    match dfg.insts[def] {
        InstructionData::StackLoad {
            opcode: Opcode::StackAddr,
            stack_slot,
            offset: o,
        } => match with_disp(o.bytes().into()) {
            Some(offset) => AddrPlan::Slot {
                slot: stack_slot,
                offset,
            },
            None => plain,
        },
        InstructionData::Binary {
            opcode: Opcode::Iadd,
            args: [a, b],
        } if dfg.value_type(addr) == Type::I64 => {
            // `x + disp`, where `x` may itself be a sum of two registers used only here
            // (the usual form of a Wasm heap access: base + index + offset).
            let sum_plus = |x: Value, disp: i32| {
                let x = dfg.resolve_aliases(x);
                let inner = dfg.value_def(x).inst().and_then(|i| match dfg.insts[i] {
                    InstructionData::Binary {
                        opcode: Opcode::Iadd,
                        args: [c, d],
                    } if uses[addr] == 1
                        && uses[x] == 1
                        && iconst_of(dfg, c).is_none()
                        && iconst_of(dfg, d).is_none() =>
                    {
                        Some(operands(i, c, d))
                    }
                    _ => None,
                });
                match inner {
                    Some((c, d, shift)) => AddrPlan::RegReg {
                        base: c,
                        index: d,
                        shift,
                        disp,
                        inner: Some(x),
                    },
                    None => AddrPlan::Reg { base: x, disp },
                }
            };
            if let Some(disp) = iconst_of(dfg, b).and_then(with_disp) {
                sum_plus(a, disp)
            } else if let Some(disp) = iconst_of(dfg, a).and_then(with_disp) {
                sum_plus(b, disp)
            } else {
                let (base, index, shift) = operands(def, a, b);
                AddrPlan::RegReg {
                    base,
                    index,
                    shift,
                    disp: offset,
                    inner: None,
                }
            }
        }
        _ => plain,
    }
}

/// The memory operand for `addr + offset`, following [`plan_addr`].
///
/// # Errors
/// A value of the address without a register (see [`Lower::value_reg`]).
pub(super) fn amode(
    ctx: &mut Lower<'_, MInst>,
    addr: Value,
    offset: i32,
) -> Result<Addr, CodegenError> {
    Ok(
        match plan_addr(ctx.func, ctx.raw_use_counts(), addr, offset) {
            AddrPlan::Reg { base, disp } => Addr::Reg {
                base: ctx.value_reg(base)?,
                disp,
            },
            AddrPlan::RegReg {
                base,
                index,
                shift,
                disp,
                ..
            } => Addr::RegReg {
                base: ctx.value_reg(base)?,
                index: ctx.value_reg(index)?,
                shift,
                disp,
            },
            AddrPlan::Slot { slot, offset } => Addr::Slot {
                offset: (ctx.stack_slot_offset(slot) as i32).wrapping_add(offset),
            },
        },
    )
}
