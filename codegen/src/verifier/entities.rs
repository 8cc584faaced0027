//! References to entities that must exist: values, blocks, tables, slots, functions.

use super::{Ctx, Rule};
use crate::ir::dfg::ValueData;
use crate::ir::entities::AnyEntity;
use crate::ir::instructions::{BlockArg, BlockCall, ExceptionTableItem, InstructionData};
use crate::ir::{ExternalName, GlobalValueData, Inst, Value};
use alloc::format;

/// Every user name the stencil refers to (functions it calls, symbols it addresses) is
/// in the parameters' name table.
pub(super) fn check_names(ctx: &mut Ctx<'_>) {
    let func = ctx.func;
    for (gv, data) in func.global_values.iter() {
        if let GlobalValueData::Symbol {
            name: ExternalName::User(r),
            ..
        } = data
        {
            if func.user_name(*r).is_none() {
                ctx.report(
                    AnyEntity::GlobalValue(gv),
                    Rule::Entity,
                    format!("{r} is not in the name table"),
                );
            }
        }
    }
    for (f, data) in func.dfg.ext_funcs.iter() {
        if let ExternalName::User(r) = data.name {
            if func.user_name(r).is_none() {
                ctx.report(
                    AnyEntity::FuncRef(f),
                    Rule::Entity,
                    format!("{r} is not in the name table"),
                );
            }
        }
    }
}

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let func = ctx.func;
    let dfg = &func.dfg;
    // Alias chains must end in a real definition.
    for v in dfg.values() {
        if let ValueData::Alias { .. } = dfg.value_data(v) {
            let mut cur = v;
            let mut steps = 0;
            while let ValueData::Alias { original, .. } = dfg.value_data(cur) {
                steps += 1;
                if (original.index() >= dfg.num_values()) || steps > dfg.num_values() {
                    ctx.report(
                        AnyEntity::Value(v),
                        Rule::Entity,
                        format!("alias {v} does not lead to a defined value"),
                    );
                    break;
                }
                cur = original;
            }
            if matches!(dfg.value_data(cur), ValueData::Unused) {
                ctx.report(
                    AnyEntity::Value(v),
                    Rule::Entity,
                    format!("alias {v} refers to undefined {cur}"),
                );
            }
        }
    }
    for (gv, data) in func.global_values.iter() {
        let base = match data {
            GlobalValueData::Load { base, .. } | GlobalValueData::IAddImm { base, .. } => {
                Some(*base)
            }
            _ => None,
        };
        if let Some(b) = base {
            if !func.global_values.is_valid(b) {
                ctx.report(
                    AnyEntity::GlobalValue(gv),
                    Rule::Entity,
                    format!("base {b} is not declared"),
                );
            }
        }
    }
    if !ctx.flags.stencil_only {
        check_names(ctx);
    }
    for (f, data) in dfg.ext_funcs.iter() {
        if !dfg.signatures.is_valid(data.signature) {
            ctx.report(
                AnyEntity::FuncRef(f),
                Rule::Entity,
                format!("{} is not declared", data.signature),
            );
        }
    }
    for (dss, data) in func.dynamic_stack_slots.iter() {
        if !dfg.dynamic_types.is_valid(data.dyn_ty) {
            ctx.report(
                AnyEntity::DynamicStackSlot(dss),
                Rule::Entity,
                format!("{} is not declared", data.dyn_ty),
            );
        }
    }
    for (dt, data) in dfg.dynamic_types.iter() {
        if !func.global_values.is_valid(data.dynamic_scale) {
            ctx.report(
                AnyEntity::DynamicType(dt),
                Rule::Entity,
                format!("{} is not declared", data.dynamic_scale),
            );
        }
    }
    if let Some(limit) = func.stack_limit {
        if !func.global_values.is_valid(limit) {
            ctx.report(
                AnyEntity::Function,
                Rule::Entity,
                format!("stack_limit {limit} is not declared"),
            );
        }
    }
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            check_inst(ctx, inst);
        }
    }
}

fn check_value(ctx: &mut Ctx<'_>, inst: Inst, v: Value) {
    let dfg = &ctx.func.dfg;
    if v.index() >= dfg.num_values() || !dfg.value_is_valid(v) {
        ctx.report(
            AnyEntity::Inst(inst),
            Rule::Entity,
            format!("{v} is not defined"),
        );
    }
}

fn check_call(ctx: &mut Ctx<'_>, inst: Inst, call: &BlockCall) {
    let func = ctx.func;
    if !func.dfg.block_is_valid(call.block) || !func.layout.is_block_inserted(call.block) {
        ctx.report(
            AnyEntity::Inst(inst),
            Rule::Entity,
            format!(
                "invalid block reference {}: it is not in the function",
                call.block
            ),
        );
    }
    for arg in call.args(&func.dfg.value_lists) {
        if let BlockArg::Value(v) = arg {
            check_value(ctx, inst, v);
        }
    }
}

fn check_inst(ctx: &mut Ctx<'_>, inst: Inst) {
    let func = ctx.func;
    let dfg = &func.dfg;
    let data = dfg.insts[inst];
    for &v in data.arguments(&dfg.value_lists) {
        check_value(ctx, inst, v);
    }
    for call in data.inline_block_calls() {
        check_call(ctx, inst, call);
    }
    let missing = |what: &dyn core::fmt::Display| format!("{what} is not declared");
    match data {
        InstructionData::BranchTable { table, .. } => match dfg.jump_tables.get(table) {
            Some(jt) => {
                for call in jt.all_calls() {
                    check_call(ctx, inst, call);
                }
            }
            None => ctx.report(AnyEntity::Inst(inst), Rule::Entity, missing(&table)),
        },
        InstructionData::TryCall { exception, .. }
        | InstructionData::TryCallIndirect { exception, .. } => {
            match dfg.exception_tables.get(exception) {
                Some(et) => {
                    if !dfg.signatures.is_valid(et.sig) {
                        ctx.report(AnyEntity::Inst(inst), Rule::Entity, missing(&et.sig));
                    }
                    check_call(ctx, inst, &et.normal_return);
                    for item in &et.items {
                        match item {
                            ExceptionTableItem::Tag(_, call)
                            | ExceptionTableItem::Default(call) => check_call(ctx, inst, call),
                            ExceptionTableItem::Context(v) => check_value(ctx, inst, *v),
                        }
                    }
                }
                None => ctx.report(AnyEntity::Inst(inst), Rule::Entity, missing(&exception)),
            }
        }
        _ => {}
    }
    match data {
        InstructionData::Call { func_ref, .. }
        | InstructionData::TryCall { func_ref, .. }
        | InstructionData::FuncAddr { func_ref, .. }
            if !dfg.ext_funcs.is_valid(func_ref) =>
        {
            ctx.report(AnyEntity::Inst(inst), Rule::Entity, missing(&func_ref))
        }
        InstructionData::CallIndirect { sig_ref, .. } if !dfg.signatures.is_valid(sig_ref) => {
            ctx.report(AnyEntity::Inst(inst), Rule::Entity, missing(&sig_ref))
        }
        InstructionData::UnaryGlobalValue { global_value, .. }
            if !func.global_values.is_valid(global_value) =>
        {
            ctx.report(AnyEntity::Inst(inst), Rule::Entity, missing(&global_value))
        }
        InstructionData::StackLoad { stack_slot, .. }
            if !func.sized_stack_slots.is_valid(stack_slot) =>
        {
            ctx.report(AnyEntity::Inst(inst), Rule::Entity, missing(&stack_slot))
        }
        InstructionData::DynamicStackLoad {
            dynamic_stack_slot, ..
        } if !func.dynamic_stack_slots.is_valid(dynamic_stack_slot) => ctx.report(
            AnyEntity::Inst(inst),
            Rule::Entity,
            missing(&dynamic_stack_slot),
        ),
        InstructionData::UnaryConst { constant, .. } if dfg.constants.get(constant).is_none() => {
            ctx.report(AnyEntity::Inst(inst), Rule::Entity, missing(&constant))
        }
        InstructionData::Shuffle { imm, .. } if !dfg.immediates.is_valid(imm) => {
            ctx.report(AnyEntity::Inst(inst), Rule::Entity, missing(&imm))
        }
        InstructionData::ExceptionHandlerAddress { block, .. }
            if !dfg.block_is_valid(block) || !func.layout.is_block_inserted(block) =>
        {
            ctx.report(
                AnyEntity::Inst(inst),
                Rule::Entity,
                format!("{block} is not in the function"),
            )
        }
        _ => {}
    }
    if let Some(region) = data.memflags().and_then(|f| f.alias_region()) {
        if !func.memory_regions.is_valid(region) {
            ctx.report(
                AnyEntity::Inst(inst),
                Rule::Entity,
                format!("undefined alias region {region}: {}", missing(&region)),
            );
        }
    }
}

use gantry_entity::EntityRef;
