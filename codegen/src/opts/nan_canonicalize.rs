//! NaN canonicalization (`enable_nan_canonicalization`): every float operation that can
//! produce a NaN has its result replaced by the canonical quiet NaN (`f32` 0x7fc00000,
//! `f64` 0x7ff8000000000000) when it is one, so computations are deterministic whatever
//! NaN payloads the hardware produces (as WebAssembly embedders require).

use crate::ir::{
    FloatCC, FunctionStencil, Ieee32, Ieee64, InsertBuilder, Inst, InstBuilder, Opcode, Type,
};
use alloc::vec::Vec;

/// Whether `op` computes a new float value (rather than moving bits).
fn produces_nan(op: Opcode) -> bool {
    matches!(
        op,
        Opcode::Fadd
            | Opcode::Fsub
            | Opcode::Fmul
            | Opcode::Fdiv
            | Opcode::Fma
            | Opcode::Fmin
            | Opcode::Fmax
            | Opcode::Sqrt
            | Opcode::Ceil
            | Opcode::Floor
            | Opcode::Trunc
            | Opcode::Nearest
            | Opcode::Fpromote
            | Opcode::Fdemote
    )
}

/// Runs the pass on `func`; returns how many results it guarded.
pub fn run(func: &mut FunctionStencil) -> usize {
    let mut targets: Vec<Inst> = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if produces_nan(func.dfg.insts[inst].opcode()) {
                let ty = func.dfg.value_type(func.dfg.first_result(inst));
                if ty == Type::F32 || ty == Type::F64 {
                    targets.push(inst);
                }
            }
        }
    }
    for &inst in &targets {
        let result = func.dfg.first_result(inst);
        let ty = func.dfg.value_type(result);
        // The guard goes right after `inst` (a float operation never ends a block).
        let next = func.layout.next_inst(inst).expect("a terminator follows");
        // A fresh value stands for the raw result; `result` becomes the guarded one.
        let raw = func.dfg.replace_result(result, ty);
        let canonical = if ty == Type::F32 {
            InsertBuilder::new(func, next).f32const(Ieee32::with_bits(0x7fc0_0000))
        } else {
            InsertBuilder::new(func, next).f64const(Ieee64::with_bits(0x7ff8_0000_0000_0000))
        };
        let is_nan = InsertBuilder::new(func, next).fcmp(FloatCC::Unordered, raw, raw);
        let guarded = InsertBuilder::new(func, next).select(is_nan, canonical, raw);
        func.dfg.change_to_alias(result, guarded);
    }
    targets.len()
}
