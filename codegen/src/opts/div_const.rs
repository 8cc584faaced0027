//! Division by a constant without a divide instruction: `udiv`, `sdiv`, `urem` and `srem`
//! of integers up to 64 bits by a constant become multiplications by a "magic" number and
//! shifts (T. Granlund, P. Montgomery, "Division by Invariant Integers using
//! Multiplication", PLDI 1994: figure 4.1 for unsigned, 5.2 for signed division), or
//! plain shifts and masks for powers of two. Remainders are `x - q * d`.
//!
//! Divisors 0 and, for signed division, -1 are left alone: those may trap.

use crate::ir::{
    FunctionStencil, InsertBuilder, Inst, InstBuilder, InstBuilderExt, InstructionData, Opcode,
    Type, Value,
};
use alloc::vec::Vec;

/// Runs the pass on `func`; returns how many divisions it replaced.
pub fn run(func: &mut FunctionStencil) -> usize {
    let mut candidates = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let InstructionData::Binary {
                opcode: op @ (Opcode::Udiv | Opcode::Sdiv | Opcode::Urem | Opcode::Srem),
                args: [x, y],
            } = func.dfg.insts[inst]
            {
                let ty = func.dfg.value_type(x);
                if let Some(d) = constant(func, y).filter(|_| ty.is_int() && ty.bits() <= 64) {
                    candidates.push((inst, op, x, d, ty));
                }
            }
        }
    }
    let mut replaced = 0;
    for (inst, op, x, d, ty) in candidates {
        if let Some(v) = rewrite(func, inst, op, x, d, ty) {
            let result = func.dfg.first_result(inst);
            func.dfg.change_to_alias(result, v);
            func.layout.remove_inst(inst);
            replaced += 1;
        }
    }
    replaced
}

/// A builder inserting before `inst`.
fn at(func: &mut FunctionStencil, inst: Inst) -> InsertBuilder<'_> {
    InsertBuilder::new(func, inst)
}

/// The bits of the `iconst` defining `v`, if one does.
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

/// The replacement of `op x, d` at `inst` (of type `ty`, `d` in its low bits), or `None`
/// to keep the division.
fn rewrite(
    func: &mut FunctionStencil,
    inst: Inst,
    op: Opcode,
    x: Value,
    d: u64,
    ty: Type,
) -> Option<Value> {
    let n = ty.bits();
    let mask = u64::MAX >> (64 - n);
    let d = d & mask;
    let signed = matches!(op, Opcode::Sdiv | Opcode::Srem);
    // The divisor as a signed value of the type.
    let sd = ((d << (64 - n)) as i64) >> (64 - n);
    if d == 0 || (signed && sd == -1) {
        return None;
    }
    let q = if signed {
        signed_quotient(func, inst, x, sd, n)
    } else {
        unsigned_quotient(func, inst, x, d, n)
    };
    Some(match op {
        Opcode::Udiv | Opcode::Sdiv => q,
        Opcode::Urem if d.is_power_of_two() => at(func, inst).band_imm(x, (d - 1) as i64),
        _ => {
            let qd = at(func, inst).imul_imm(q, d as i64);
            at(func, inst).isub(x, qd)
        }
    })
}

/// `x / d` for unsigned `x` of `n` bits, `d >= 1`.
fn unsigned_quotient(func: &mut FunctionStencil, inst: Inst, x: Value, d: u64, n: u32) -> Value {
    if d.is_power_of_two() {
        let k = d.trailing_zeros();
        return if k == 0 {
            x
        } else {
            at(func, inst).ushr_imm(x, i64::from(k))
        };
    }
    let ty = func.dfg.value_type(x);
    let l = 64 - (d - 1).leading_zeros();
    // An n-bit m = ceil(2^(n+p) / d) with m d - 2^(n+p) <= 2^p gives the exact quotient
    // as mulhi(m, x) >> p for every n-bit x (Granlund-Montgomery, theorem 4.2).
    for p in 0..=l.min(127 - n) {
        let big = 1u128 << (n + p);
        let m = big.div_ceil(u128::from(d));
        if m < (1u128 << n) && m * u128::from(d) - big <= (1u128 << p) {
            let mv = at(func, inst).iconst(ty, m as i64);
            let hi = at(func, inst).umulhi(x, mv);
            return if p == 0 {
                hi
            } else {
                at(func, inst).ushr_imm(hi, i64::from(p))
            };
        }
    }
    // Otherwise the n+1-bit magic 2^n + m', m' = floor(2^n (2^l - d) / d) + 1 < 2^n, with
    // l = ceil(log2 d): q = (t + ((x - t) >> 1)) >> (l - 1) where t = mulhi(m', x).
    let magic = ((1u128 << n) * ((1u128 << l) - u128::from(d))) / u128::from(d) + 1;
    let m = at(func, inst).iconst(ty, magic as i64);
    let t = at(func, inst).umulhi(x, m);
    let diff = at(func, inst).isub(x, t);
    let half = at(func, inst).ushr_imm(diff, 1);
    let sum = at(func, inst).iadd(t, half);
    if l == 1 {
        sum
    } else {
        at(func, inst).ushr_imm(sum, i64::from(l - 1))
    }
}

/// `x / d` (rounded toward zero) for signed `x` of `n` bits, `d` not 0 or -1.
fn signed_quotient(func: &mut FunctionStencil, inst: Inst, x: Value, d: i64, n: u32) -> Value {
    if d == 1 {
        return x;
    }
    let abs = d.unsigned_abs();
    let q = if abs.is_power_of_two() {
        // q = (x + ((x >> (k - 1)) >>> (n - k))) >> k: adds 2^k - 1 to negative x.
        let k = abs.trailing_zeros();
        let sign = at(func, inst).sshr_imm(x, i64::from(k - 1));
        let bias = at(func, inst).ushr_imm(sign, i64::from(n - k));
        let sum = at(func, inst).iadd(x, bias);
        at(func, inst).sshr_imm(sum, i64::from(k))
    } else {
        // l = ceil(log2 |d|); m = 1 + floor(2^(n + l - 1) / |d|); m' = m - 2^n;
        // q = ((x + mulsh(m', x)) >> (l - 1)) - (x >> (n - 1)).
        let l = 64 - (abs - 1).leading_zeros();
        let magic = 1 + (1u128 << (n + l - 1)) / u128::from(abs);
        let m = (magic as i128 - (1i128 << n)) as i64;
        let ty = func.dfg.value_type(x);
        let mv = at(func, inst).iconst(ty, m & (u64::MAX >> (64 - n)) as i64);
        let hi = at(func, inst).smulhi(x, mv);
        let sum = at(func, inst).iadd(x, hi);
        let shifted = at(func, inst).sshr_imm(sum, i64::from(l - 1));
        let xsign = at(func, inst).sshr_imm(x, i64::from(n - 1));
        at(func, inst).isub(shifted, xsign)
    };
    if d < 0 { at(func, inst).ineg(q) } else { q }
}
