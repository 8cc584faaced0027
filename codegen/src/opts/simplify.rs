//! Local algebraic simplifications: a comparison of a 0/1 comparison result with zero
//! becomes that comparison (or its complement), and operations with an identity or
//! absorbing constant (`x + 0`, `x * 1`, `x & -1`, `x * 0`, ...) disappear.

use crate::ir::{
    FunctionStencil, InsertBuilder, Inst, InstBuilder, InstructionData, IntCC, Opcode, Value,
};
use alloc::vec::Vec;

/// The constant defining `v`, if an `iconst` does.
fn constant(func: &FunctionStencil, v: Value) -> Option<u64> {
    let v = func.dfg.resolve_aliases(v);
    let inst = func.dfg.value_def(v).inst()?;
    match func.dfg.insts[inst] {
        InstructionData::UnaryImm {
            opcode: Opcode::Iconst,
            imm,
        } => Some(imm.bits() as u64),
        _ => None,
    }
}

/// The comparison instruction `v` is a 0/1 result of, through extensions.
fn comparison(func: &FunctionStencil, v: Value) -> Option<Inst> {
    let mut v = func.dfg.resolve_aliases(v);
    loop {
        let inst = func.dfg.value_def(v).inst()?;
        match func.dfg.insts[inst] {
            InstructionData::Unary {
                opcode: Opcode::Uextend,
                arg,
            } => v = func.dfg.resolve_aliases(arg),
            InstructionData::IntCompare { .. } | InstructionData::FloatCompare { .. } => {
                return Some(inst);
            }
            _ => return None,
        }
    }
}

/// What `inst` simplifies to, as an existing value or a new instruction's result.
fn simplify(func: &mut FunctionStencil, inst: Inst) -> Option<Value> {
    let data = func.dfg.insts[inst];
    let result = *func.dfg.inst_results(inst).first()?;
    let ty = func.dfg.value_type(result);
    match data {
        // (icmp eq|ne (uextend* (cmp ...)) 0): the comparison or its complement.
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond: cond @ (IntCC::Equal | IntCC::NotEqual),
            args: [x, zero],
        } if constant(func, zero) == Some(0) => {
            let inner = comparison(func, x)?;
            let keep = cond == IntCC::NotEqual;
            let new = match func.dfg.insts[inner] {
                InstructionData::IntCompare {
                    cond: c,
                    args: [a, b],
                    ..
                } => {
                    let c = if keep { c } else { c.complement() };
                    InsertBuilder::new(func, inst).icmp(c, a, b)
                }
                InstructionData::FloatCompare {
                    cond: c,
                    args: [a, b],
                    ..
                } => {
                    let c = if keep { c } else { c.complement() };
                    InsertBuilder::new(func, inst).fcmp(c, a, b)
                }
                _ => return None,
            };
            Some(new)
        }
        InstructionData::Binary {
            opcode,
            args: [x, y],
        } if ty.is_int() && ty.bits() <= 64 => {
            let ones = u64::MAX >> (64 - ty.bits());
            let (kx, ky) = (constant(func, x), constant(func, y));
            let is = |k: Option<u64>, v: u64| k.map(|k| k & ones) == Some(v);
            match opcode {
                Opcode::Iadd | Opcode::Bor | Opcode::Bxor if is(ky, 0) => Some(x),
                Opcode::Iadd | Opcode::Bor | Opcode::Bxor if is(kx, 0) => Some(y),
                Opcode::Isub | Opcode::Ishl | Opcode::Ushr | Opcode::Sshr if is(ky, 0) => Some(x),
                Opcode::Imul if is(ky, 1) => Some(x),
                Opcode::Imul if is(kx, 1) => Some(y),
                Opcode::Band if is(ky, ones) => Some(x),
                Opcode::Band if is(kx, ones) => Some(y),
                Opcode::Imul | Opcode::Band if is(ky, 0) => Some(y),
                Opcode::Imul | Opcode::Band if is(kx, 0) => Some(x),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Runs the pass on `func`; returns how many instructions it simplified.
pub fn run(func: &mut FunctionStencil) -> usize {
    let mut done = 0;
    let blocks: Vec<_> = func.layout.blocks().collect();
    for block in blocks {
        let insts: Vec<Inst> = func.layout.block_insts(block).collect();
        for inst in insts {
            if let Some(v) = simplify(func, inst) {
                let result = func.dfg.first_result(inst);
                let v = func.dfg.resolve_aliases(v);
                if v != result && func.dfg.value_type(v) == func.dfg.value_type(result) {
                    func.dfg.change_to_alias(result, v);
                    func.layout.remove_inst(inst);
                    done += 1;
                }
            }
        }
    }
    done
}
