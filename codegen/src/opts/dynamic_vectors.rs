//! Dynamic vectors at their minimum size. Every ISA here has 128-bit vector registers and
//! no scalable ones, so `dyn_scale_target_const` is 1 for the 128-bit base types: a value
//! of dynamic type `i32x4xN` is an `i32x4`, `extract_vector v, 0` is `v` itself, and a
//! dynamic stack slot is a sized one of the base type's bytes.

use crate::ir::{FunctionStencil, InstructionData, Offset32, Opcode, StackSlotData};
use alloc::vec::Vec;

/// Whether `func` uses dynamic vector types (then [`run`] is needed before lowering).
pub fn needed(func: &FunctionStencil) -> bool {
    !func.dfg.dynamic_types.is_empty() || !func.dynamic_stack_slots.is_empty()
}

/// Gives every dynamic-vector value its fixed base type and turns `extract_vector v, 0`
/// into `v`; returns how many values and instructions changed. Other `extract_vector`
/// indices stay (there is no such vector: lowering reports them unsupported).
pub fn run(func: &mut FunctionStencil) -> usize {
    let mut changed = 0;
    for v in func.dfg.values() {
        if !func.dfg.value_is_valid(v) {
            continue;
        }
        if let Some(fixed) = func.dfg.value_type(v).dynamic_to_vector() {
            func.dfg.set_value_type(v, fixed);
            changed += 1;
        }
    }
    // Each dynamic stack slot becomes a sized one (aligned like the vector).
    let slots: Vec<_> = func
        .dynamic_stack_slots
        .values()
        .map(|d| {
            let bytes = func.dfg.dynamic_types[d.dyn_ty].base_vector_ty.bytes();
            StackSlotData::new(d.kind, bytes, bytes.trailing_zeros() as u8)
        })
        .collect();
    let slots: Vec<_> = slots
        .into_iter()
        .map(|data| func.create_sized_stack_slot(data))
        .collect();
    let mut whole = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let InstructionData::BinaryImm8 {
                opcode: Opcode::ExtractVector,
                arg,
                imm,
            } = func.dfg.insts[inst]
            {
                if imm == 0 {
                    whole.push((inst, arg));
                }
            }
            if let InstructionData::DynamicStackLoad {
                opcode: Opcode::DynamicStackAddr,
                dynamic_stack_slot,
            } = func.dfg.insts[inst]
            {
                func.dfg.insts[inst] = InstructionData::StackLoad {
                    opcode: Opcode::StackAddr,
                    stack_slot: slots[dynamic_stack_slot.as_u32() as usize],
                    offset: Offset32::new(0),
                };
                changed += 1;
            }
        }
    }
    for (inst, arg) in whole {
        let result = func.dfg.first_result(inst);
        func.dfg.change_to_alias(result, arg);
        func.layout.remove_inst(inst);
        changed += 1;
    }
    changed
}
