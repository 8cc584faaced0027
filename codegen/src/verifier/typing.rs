//! Operand and result types against each opcode's constraints, and immediates against
//! the types they apply to.

use super::{Ctx, Rule};
use crate::ir::entities::AnyEntity;
use crate::ir::instructions::InstructionData;
use crate::ir::opcodes::{Constraint, CtrlType};
use crate::ir::{Inst, Opcode, Type};
use alloc::format;
use alloc::vec::Vec;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let func = ctx.func;
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            check_inst(ctx, inst);
        }
    }
}

fn check_inst(ctx: &mut Ctx<'_>, inst: Inst) {
    let dfg = &ctx.func.dfg;
    let data = dfg.insts[inst];
    let opcode = data.opcode();
    let info = opcode.info();
    let ctrl = dfg.ctrl_typevar(inst);
    let here = AnyEntity::Inst(inst);
    match info.ctrl {
        CtrlType::None => {}
        CtrlType::Operand(_, set) | CtrlType::Suffix(set) => {
            if !set.contains(ctrl) {
                ctx.report(
                    here,
                    Rule::Type,
                    format!("`{opcode}` does not operate on {ctrl}"),
                );
                return;
            }
        }
    }
    let args: Vec<_> = data.arguments(&dfg.value_lists).to_vec();
    for (i, (&c, &v)) in info.operands.iter().zip(&args).enumerate() {
        let t = dfg.value_type(v);
        if !c.admits(ctrl, t) {
            // Extensions and reductions, in the words Cranelift's verifier uses.
            if matches!(c, Constraint::Narrower | Constraint::Wider) && t.lane_type().is_int() {
                let relation = if matches!(c, Constraint::Narrower) {
                    "smaller"
                } else {
                    "larger"
                };
                ctx.report(
                    here,
                    Rule::Type,
                    format!("input {t} must be {relation} than output {ctrl}"),
                );
                continue;
            }
            let expected = match c {
                Constraint::Narrower => format!("a type narrower than {ctrl}"),
                Constraint::Wider => format!("a type wider than {ctrl}"),
                Constraint::Free(_) => format!("a type `{opcode}` accepts here"),
                _ => c
                    .resolve(ctrl)
                    .map_or_else(|| "no type".into(), |e| format!("{e}")),
            };
            ctx.report(
                here,
                Rule::Type,
                format!("arg {i} ({v}) has type {t}, expected {expected}"),
            );
        }
    }
    if !opcode.is_call() || opcode == Opcode::StackSwitch {
        match dfg.result_types(inst, ctrl) {
            Some(expected) => {
                let actual: Vec<Type> = dfg
                    .inst_results(inst)
                    .iter()
                    .map(|&r| dfg.value_type(r))
                    .collect();
                if actual != expected {
                    ctx.report(
                        here,
                        Rule::Type,
                        format!(
                            "results have types ({}), expected ({})",
                            super::layout::list(&actual),
                            super::layout::list(&expected)
                        ),
                    );
                }
            }
            None => ctx.report(
                here,
                Rule::Type,
                format!("`{opcode}` has no result type for {ctrl}"),
            ),
        }
    }
    check_special(ctx, inst, ctrl);
}

/// Rules beyond the constraint table.
// One arm per format reads better than guards spread over the patterns.
#[allow(clippy::collapsible_match)]
fn check_special(ctx: &mut Ctx<'_>, inst: Inst, ctrl: Type) {
    let func = ctx.func;
    let dfg = &func.dfg;
    let here = AnyEntity::Inst(inst);
    let ty = |v| dfg.value_type(v);
    match dfg.insts[inst] {
        InstructionData::UnaryImm { imm, .. } => {
            if ctrl.bits() < 64 && imm.mask_to_width(ctrl.bits()) != imm {
                ctx.report(
                    here,
                    Rule::Type,
                    format!("constant {imm} has bits outside {ctrl}"),
                );
            }
        }
        InstructionData::BinaryImm8 {
            opcode: Opcode::Extractlane,
            imm,
            ..
        }
        | InstructionData::TernaryImm8 {
            opcode: Opcode::Insertlane,
            imm,
            ..
        } => {
            if u32::from(imm) >= ctrl.lane_count() {
                ctx.report(
                    here,
                    Rule::Type,
                    format!("The lane {imm} does not index into the type {ctrl}"),
                );
            }
        }
        InstructionData::Shuffle { imm, .. } => {
            if let Some(mask) = dfg.immediates.get(imm) {
                if mask.len() != 16 || mask.as_slice().iter().any(|&b| b >= 32) {
                    ctx.report(
                        here,
                        Rule::Type,
                        "shuffle mask bytes must be 16 lane indices below 32",
                    );
                }
            }
        }
        InstructionData::UnaryConst { constant, opcode } => {
            if let Some(data) = dfg.constants.get(constant) {
                let want = if opcode == Opcode::F128const {
                    16
                } else {
                    ctrl.bytes() as usize
                };
                if data.len() != want {
                    ctx.report(
                        here,
                        Rule::Type,
                        format!(
                            "The instruction expects {constant} to have a size of {want} bytes \
                             but it has {}",
                            data.len()
                        ),
                    );
                }
            }
        }
        InstructionData::LoadNoOffset {
            opcode: Opcode::Bitcast,
            arg,
            flags,
        } => {
            let from = ty(arg);
            if from.bits() != ctrl.bits() {
                ctx.report(
                    here,
                    Rule::Type,
                    format!(
                        "The bitcast argument {arg} has a lane type of {} bits, which doesn't \
                         match an expected type of {} bits (bitcast from {from} to {ctrl} \
                         changes the size)",
                        from.bits(),
                        ctrl.bits()
                    ),
                );
            } else if from.lane_count() != ctrl.lane_count()
                && from.lane_count() > 1
                && ctrl.lane_count() > 1
                && flags.explicit_endianness().is_none()
            {
                ctx.report(
                    here,
                    Rule::Type,
                    "a bitcast that changes the lanes needs `little` or `big`",
                );
            }
        }
        InstructionData::Unary { opcode, arg } => {
            let from = ty(arg);
            let converts = matches!(
                opcode,
                Opcode::FcvtToUintSat
                    | Opcode::FcvtToSintSat
                    | Opcode::FcvtFromUint
                    | Opcode::FcvtFromSint
                    | Opcode::X86Cvtt2dq
            );
            if converts && from.lane_count() != ctrl.lane_count() {
                ctx.report(
                    here,
                    Rule::Type,
                    format!("`{opcode}` from {from} to {ctrl} changes the lane count"),
                );
            }
        }
        InstructionData::Nullary {
            opcode: opcode @ (Opcode::GetFramePointer | Opcode::GetReturnAddress),
        } => {
            if !ctx.flags.preserve_frame_pointers {
                ctx.report(
                    here,
                    Rule::Type,
                    format!("`{opcode}` needs the setting `preserve_frame_pointers=true`"),
                );
            }
        }
        _ => {}
    }
}
