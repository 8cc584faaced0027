//! Stack slots, global values, and tables each used by one instruction.

use super::{Ctx, Rule};
use crate::ir::entities::AnyEntity;
use crate::ir::instructions::InstructionData;
use crate::ir::{DebugTag, GlobalValue, GlobalValueData, Opcode, Type};
use alloc::format;
use gantry_entity::SecondaryMap;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let func = ctx.func;
    let dfg = &func.dfg;
    let mut jt_uses = SecondaryMap::<crate::ir::JumpTable, u32>::new();
    let mut et_uses = SecondaryMap::<crate::ir::ExceptionTable, u32>::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let here = AnyEntity::Inst(inst);
            let data = dfg.insts[inst];
            if let Some(jt) = data.jump_table() {
                jt_uses[jt] += 1;
                if jt_uses[jt] == 2 {
                    ctx.report(
                        here,
                        Rule::Memory,
                        format!("{jt} is used by more than one br_table"),
                    );
                }
            }
            // Every ISA here is 64-bit: a memory address is an i64.
            let address = match data {
                InstructionData::Load { arg, .. }
                | InstructionData::AtomicCas {
                    args: [arg, ..], ..
                } => Some(arg),
                InstructionData::LoadNoOffset { arg, opcode, .. } if opcode != Opcode::Bitcast => {
                    Some(arg)
                }
                InstructionData::Store { args: [_, a], .. }
                | InstructionData::StoreNoOffset { args: [_, a], .. }
                | InstructionData::AtomicRmw { args: [a, _], .. } => Some(a),
                _ => None,
            };
            // (Other types are the typing rules' to report.)
            if let Some(a) = address.filter(|&a| dfg.value_type(a) == Type::I32) {
                ctx.report(
                    here,
                    Rule::Memory,
                    format!(
                        "invalid pointer width (got {}, expected 64) encountered {a}",
                        dfg.value_type(a).bits()
                    ),
                );
            }
            if data.opcode().can_store() && data.memflags().is_some_and(|f| f.readonly()) {
                ctx.report(
                    here,
                    Rule::Memory,
                    "A store instruction cannot have the `readonly` MemFlag: it writes memory \
                     said never to change",
                );
            }
            if let Some(et) = data.exception_table() {
                et_uses[et] += 1;
                if et_uses[et] == 2 {
                    ctx.report(
                        here,
                        Rule::Memory,
                        format!("{et} is used by more than one call"),
                    );
                }
            }
            match data {
                InstructionData::StackLoad {
                    stack_slot, offset, ..
                } => {
                    let size = func.sized_stack_slots[stack_slot].size;
                    let off = offset.bytes();
                    if off < 0 || off as u32 > size {
                        ctx.report(
                            here,
                            Rule::Memory,
                            format!("offset {off} is outside {stack_slot} ({size} bytes)"),
                        );
                    }
                }
                InstructionData::UnaryGlobalValue {
                    opcode,
                    global_value,
                } => {
                    let tls_wanted = opcode == Opcode::TlsValue;
                    let ty = dfg.value_type(dfg.first_result(inst));
                    let gv_ty = func.global_values[global_value].global_type(Type::I64);
                    if ty != gv_ty {
                        ctx.report(
                            here,
                            Rule::Memory,
                            format!(
                                "global_value instruction with type {ty} references global \
                                 value with type {gv_ty}"
                            ),
                        );
                    }
                    match &func.global_values[global_value] {
                        GlobalValueData::Symbol { tls, .. } if *tls == tls_wanted => {}
                        _ => ctx.report(
                            here,
                            Rule::Memory,
                            format!("`{opcode}` needs a {}symbol global value, {global_value} is not one", if tls_wanted { "tls " } else { "" }),
                        ),
                    }
                }
                _ => {}
            }
        }
    }
    for gv in func.global_values.keys() {
        check_global_value(ctx, gv);
    }
    check_metadata(ctx);
}

/// Debug tags name existing slots; stack maps sit on calls and stay inside their slots.
fn check_metadata(ctx: &mut Ctx<'_>) {
    let func = ctx.func;
    for (&inst, tags) in &func.debug_tags {
        for tag in tags {
            if let DebugTag::StackSlot(ss) = tag {
                if !func.sized_stack_slots.is_valid(*ss) {
                    ctx.report(
                        AnyEntity::Inst(inst),
                        Rule::Memory,
                        format!("debug tag {ss} is not declared"),
                    );
                }
            }
        }
    }
    for (&inst, entries) in &func.user_stack_maps {
        if !func.dfg.insts[inst].opcode().is_call() {
            ctx.report(
                AnyEntity::Inst(inst),
                Rule::Memory,
                "a stack map is only allowed on a call",
            );
        }
        for e in entries {
            match func.sized_stack_slots.get(e.slot) {
                None => ctx.report(
                    AnyEntity::Inst(inst),
                    Rule::Memory,
                    format!("stack map slot {} is not declared", e.slot),
                ),
                Some(data)
                    if u64::from(e.offset) + u64::from(e.ty.bytes()) > u64::from(data.size) =>
                {
                    ctx.report(
                        AnyEntity::Inst(inst),
                        Rule::Memory,
                        format!(
                            "stack map entry {e} does not fit in {} ({} bytes)",
                            e.slot, data.size
                        ),
                    )
                }
                Some(_) => {}
            }
        }
    }
}

fn check_global_value(ctx: &mut Ctx<'_>, gv: GlobalValue) {
    let func = ctx.func;
    let mut cur = gv;
    for _ in 0..=func.global_values.len() {
        match &func.global_values[cur] {
            GlobalValueData::Load {
                base, global_type, ..
            } => {
                if !global_type.is_scalar() {
                    ctx.report(
                        AnyEntity::GlobalValue(gv),
                        Rule::Memory,
                        format!("{gv} loads a {global_type}, which is not a scalar"),
                    );
                    return;
                }
                // Every ISA here is 64-bit: an address is an i64.
                let base_ty = func.global_values[*base].global_type(Type::I64);
                if cur == gv && base_ty != Type::I64 {
                    ctx.report(
                        AnyEntity::GlobalValue(gv),
                        Rule::Memory,
                        format!(
                            "base {base} has type {base_ty}, which is not the pointer type i64"
                        ),
                    );
                    return;
                }
                cur = *base;
            }
            GlobalValueData::IAddImm {
                base, global_type, ..
            } => {
                if !global_type.is_int() || !global_type.is_scalar() {
                    ctx.report(
                        AnyEntity::GlobalValue(gv),
                        Rule::Memory,
                        format!("{gv} adds to a {global_type}, which is not a scalar integer"),
                    );
                    return;
                }
                cur = *base;
            }
            _ => return,
        }
    }
    ctx.report(
        AnyEntity::GlobalValue(gv),
        Rule::Memory,
        format!("{gv} is defined in terms of itself"),
    );
}
