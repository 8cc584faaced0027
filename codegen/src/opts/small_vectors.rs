//! 64-bit vectors (`i8x8`, `i16x4`, `i32x2`, `f32x2`) on ISAs whose vector instructions work on 128-bit registers only
//! (x86-64's SSE, s390x's vector facility): each such value becomes the 128-bit vector of
//! the same lane type, its lanes in the low lanes and the high lanes unspecified.
//!
//! That is exact for every lane-wise operation (a result lane depends on the same lane
//! of the operands, and vector operations never trap). The rest is rewritten:
//! - memory: `load` and `store` move the vector's bytes as one integer (`i64` or `i32`,
//!   in the access's byte order) put into or taken from lane 0 of an integer vector,
//!   bit cast in that byte order;
//! - `bitcast` to or from a scalar goes through lane 0 of a vector of that scalar;
//! - `vconst` data is padded with zero bytes;
//! - `vany_true`, `vall_true` and `vhigh_bits` see the high lanes as zero (all ones for
//!   `vall_true`);
//! - `swiden_high`/`uwiden_high` widen the low lanes of the operand moved down by half
//!   its width (a shift of its 64 bits); `iadd_pairwise` and the narrowing operations work on both operands placed
//!   side by side in one vector.
//!
//! A function using small vectors in any other way is left alone, so lowering reports
//! what it cannot do.
//!
//! Signatures change with the values: a small vector argument or result travels as a
//! 128-bit one (in the same register; on the stack it takes 16 bytes rather than 8).

use crate::ir::{
    AbiParam, ConstantData, Endianness, FunctionStencil, InsertBuilder, Inst, InstBuilder,
    InstructionData, MemFlags, Opcode, Type, Value,
};
use alloc::vec::Vec;

/// The 128-bit vector holding small vector type `ty`'s lanes, if `ty` is one.
fn widened(ty: Type) -> Option<Type> {
    (ty.is_vector() && ty.bits() == 64)
        .then(|| ty.lane_type().by(128 / ty.lane_bits()))
        .flatten()
}

/// Whether `func` has small vector values or signatures (then [`run`] applies).
pub fn needed(func: &FunctionStencil) -> bool {
    let in_sig = |params: &[AbiParam]| params.iter().any(|p| widened(p.value_type).is_some());
    in_sig(&func.signature.params)
        || in_sig(&func.signature.returns)
        || func
            .dfg
            .signatures
            .values()
            .any(|s| in_sig(&s.params) || in_sig(&s.returns))
        || func
            .dfg
            .values()
            .any(|v| func.dfg.value_is_valid(v) && widened(func.dfg.value_type(v)).is_some())
}

/// What one instruction on small vectors needs besides the new value types.
enum Fix {
    /// `load` of small vector type `ty`.
    Load(Type),
    /// `store` of a small vector of type `ty`.
    Store(Type),
    /// `bitcast` from the scalar of this type to a small vector.
    FromScalar(Type),
    /// `bitcast` of a small vector to the scalar of this type.
    ToScalar(Type),
    /// `vconst` of a small vector.
    Const,
    /// The operand's high lanes cleared (`vany_true`, `vhigh_bits`).
    ClearHigh(Type),
    /// The operand's high lanes set (`vall_true`).
    SetHigh(Type),
    /// `swiden_high`/`uwiden_high` of a small vector of type `ty`.
    WidenHigh(Type),
    /// Binary operations whose result lanes come from both operands in turn.
    SideBySide(Type),
}

/// Gives every small vector value its 128-bit type and rewrites what needs it (see the
/// module documentation); `native` is the ISA's byte order. Returns how many values and
/// instructions changed (0 if `func` uses small vectors in a way this does not handle).
pub fn run(func: &mut FunctionStencil, native: Endianness) -> usize {
    let Some(fixes) = plan(func) else {
        return 0;
    };
    let mut changed = 0;
    for v in func.dfg.values() {
        if !func.dfg.value_is_valid(v) {
            continue;
        }
        if let Some(wide) = widened(func.dfg.value_type(v)) {
            func.dfg.set_value_type(v, wide);
            changed += 1;
        }
    }
    let widen_sig = |params: &mut Vec<AbiParam>| {
        for p in params {
            if let Some(wide) = widened(p.value_type) {
                p.value_type = wide;
            }
        }
    };
    widen_sig(&mut func.signature.params);
    widen_sig(&mut func.signature.returns);
    for sig in func.dfg.signatures.values_mut() {
        widen_sig(&mut sig.params);
        widen_sig(&mut sig.returns);
    }
    for (inst, fix) in fixes {
        apply(func, inst, fix, native);
        changed += 1;
    }
    changed
}

/// The fixes `func` needs, or `None` if it uses small vectors in a way not handled.
fn plan(func: &FunctionStencil) -> Option<Vec<(Inst, Fix)>> {
    let small = |v: Value| widened(func.dfg.value_type(v)).is_some();
    let mut fixes = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let data = &func.dfg.insts[inst];
            let args = func.dfg.inst_args(inst);
            let results = func.dfg.inst_results(inst);
            let small_result = results.first().filter(|&&r| small(r)).copied();
            let small_arg = args.iter().copied().find(|&a| small(a));
            let Some(v) = small_result.or(small_arg) else {
                continue;
            };
            let ty = func.dfg.value_type(v);
            let op = data.opcode();
            let fix = match (op, data) {
                (Opcode::Load, InstructionData::Load { .. }) if small_result.is_some() => {
                    Some(Fix::Load(ty))
                }
                (Opcode::Store, InstructionData::Store { args, .. })
                    if small(args[0]) && !small(args[1]) =>
                {
                    Some(Fix::Store(ty))
                }
                (Opcode::Bitcast, _) => {
                    let (from, to) = (
                        func.dfg.value_type(args[0]),
                        func.dfg.value_type(results[0]),
                    );
                    match (small(args[0]), small(results[0])) {
                        (true, true) => None,
                        (false, true) if from.bits() == to.bits() => Some(Fix::FromScalar(from)),
                        (true, false) if from.bits() == to.bits() && !to.is_vector() => {
                            Some(Fix::ToScalar(to))
                        }
                        _ => return None,
                    }
                }
                (Opcode::Vconst, _) => Some(Fix::Const),
                (Opcode::VanyTrue | Opcode::VhighBits, _) => Some(Fix::ClearHigh(ty)),
                (Opcode::VallTrue, _) => Some(Fix::SetHigh(ty)),
                (Opcode::SwidenHigh | Opcode::UwidenHigh, _) => {
                    Some(Fix::WidenHigh(func.dfg.value_type(args[0])))
                }
                (
                    Opcode::IaddPairwise | Opcode::Snarrow | Opcode::Unarrow | Opcode::Uunarrow,
                    _,
                ) => Some(Fix::SideBySide(func.dfg.value_type(args[0]))),
                _ if lane_wise(op) => None,
                _ => return None,
            };
            if let Some(fix) = fix {
                fixes.push((inst, fix));
            }
        }
    }
    Some(fixes)
}

/// Whether `op`'s result lanes depend on the same lanes of its vector operands only (or
/// it moves vectors whole: branches, calls, returns, selects).
fn lane_wise(op: Opcode) -> bool {
    use Opcode::*;
    matches!(
        op,
        Iadd | Isub
            | Imul
            | Ineg
            | Iabs
            | Umulhi
            | Smulhi
            | Band
            | Bor
            | Bxor
            | Bnot
            | Bitselect
            | Blendv
            | Select
            | SelectSpectreGuard
            | Icmp
            | Fcmp
            | Smin
            | Smax
            | Umin
            | Umax
            | AvgRound
            | UaddSat
            | SaddSat
            | UsubSat
            | SsubSat
            | Ishl
            | Ushr
            | Sshr
            | Rotl
            | Rotr
            | Popcnt
            | Clz
            | Ctz
            | Cls
            | Fadd
            | Fsub
            | Fmul
            | Fdiv
            | Fmin
            | Fmax
            | Fneg
            | Fabs
            | Fcopysign
            | Sqrt
            | Ceil
            | Floor
            | Trunc
            | Nearest
            | Fma
            | FcvtFromSint
            | FcvtFromUint
            | FcvtToSintSat
            | FcvtToUintSat
            | SqmulRoundSat
            | SwidenLow
            | UwidenLow
            | Splat
            | Insertlane
            | Extractlane
            | ScalarToVector
            | Jump
            | Brif
            | BrTable
            | Return
            | Call
            | CallIndirect
            | ReturnCall
            | ReturnCallIndirect
            | TryCall
            | TryCallIndirect
    )
}

/// The integer of `ty`'s size and the vector of such integers.
fn int_of(ty: Type) -> (Type, Type) {
    if ty.bits() == 64 {
        (Type::I64, Type::I64X2)
    } else {
        (Type::I32, Type::I32X4)
    }
}

/// `x` reinterpreted as `ty` (a vector of the same 128 bits) in the `native` byte order,
/// by a bitcast before `inst` if the types differ.
fn recast(func: &mut FunctionStencil, inst: Inst, native: Endianness, ty: Type, x: Value) -> Value {
    if func.dfg.value_type(x) == ty {
        return x;
    }
    let mut flags = MemFlags::new();
    flags.set_endianness(native);
    InsertBuilder::new(func, inst).bitcast(ty, flags, x)
}

/// The arguments of `inst`, to change.
fn args_mut(func: &mut FunctionStencil, inst: Inst) -> &mut [Value] {
    let dfg = &mut func.dfg;
    dfg.insts[inst].arguments_mut(&mut dfg.value_lists)
}

fn apply(func: &mut FunctionStencil, inst: Inst, fix: Fix, native: Endianness) {
    let replace = |func: &mut FunctionStencil, v: Value| {
        let r = func.dfg.first_result(inst);
        func.dfg.change_to_alias(r, v);
        func.layout.remove_inst(inst);
    };
    match fix {
        Fix::Load(ty) => {
            let (int, ints) = int_of(ty);
            let wide = widened(ty).expect("a small vector");
            let InstructionData::Load {
                flags, arg, offset, ..
            } = func.dfg.insts[inst]
            else {
                unreachable!("a load")
            };
            let bits = InsertBuilder::new(func, inst).load(int, flags, arg, offset);
            let vec = InsertBuilder::new(func, inst).scalar_to_vector(ints, bits);
            // The integer was loaded in the access's byte order; reading its bytes back
            // in that order gives the lanes.
            let v = recast(func, inst, flags.endianness(native), wide, vec);
            replace(func, v);
        }
        Fix::Store(ty) => {
            let (_, ints) = int_of(ty);
            let InstructionData::Store {
                flags,
                args,
                offset,
                ..
            } = func.dfg.insts[inst]
            else {
                unreachable!("a store")
            };
            let vec = recast(func, inst, flags.endianness(native), ints, args[0]);
            let bits = InsertBuilder::new(func, inst).extractlane(vec, 0);
            InsertBuilder::new(func, inst).store(flags, bits, args[1], offset);
            func.layout.remove_inst(inst);
        }
        Fix::FromScalar(scalar) => {
            let InstructionData::LoadNoOffset { flags, arg, .. } = func.dfg.insts[inst] else {
                unreachable!("a bitcast")
            };
            let wide = func.dfg.value_type(func.dfg.first_result(inst));
            let lanes = scalar.by(128 / scalar.bits()).expect("a 128-bit vector");
            let vec = InsertBuilder::new(func, inst).scalar_to_vector(lanes, arg);
            let v = if lanes == wide {
                vec
            } else {
                InsertBuilder::new(func, inst).bitcast(wide, flags, vec)
            };
            replace(func, v);
        }
        Fix::ToScalar(scalar) => {
            let InstructionData::LoadNoOffset { flags, arg, .. } = func.dfg.insts[inst] else {
                unreachable!("a bitcast")
            };
            let lanes = scalar.by(128 / scalar.bits()).expect("a 128-bit vector");
            let vec = if func.dfg.value_type(arg) == lanes {
                arg
            } else {
                InsertBuilder::new(func, inst).bitcast(lanes, flags, arg)
            };
            let v = InsertBuilder::new(func, inst).extractlane(vec, 0);
            replace(func, v);
        }
        Fix::Const => {
            if let InstructionData::UnaryConst { constant, .. } = &mut func.dfg.insts[inst] {
                let old = func.dfg.constants.get(*constant);
                let mut bytes = old.map(|c| c.as_slice().to_vec()).unwrap_or_default();
                bytes.resize(16, 0);
                *constant = func.dfg.constants.insert(ConstantData::new(bytes));
            }
        }
        Fix::ClearHigh(ty) | Fix::SetHigh(ty) => {
            let low = (ty.bits() / 8) as usize;
            let set_high = matches!(fix, Fix::SetHigh(_));
            let bytes: Vec<u8> = (0..16)
                .map(|i| if (i < low) != set_high { 0xff } else { 0 })
                .collect();
            let wide = widened(ty).expect("a small vector");
            let mask = func.dfg.constants.insert(ConstantData::new(bytes));
            let x = func.dfg.inst_args(inst)[0];
            let m = InsertBuilder::new(func, inst).vconst(wide, mask);
            let x2 = if set_high {
                InsertBuilder::new(func, inst).bor(x, m)
            } else {
                InsertBuilder::new(func, inst).band(x, m)
            };
            args_mut(func, inst)[0] = x2;
        }
        Fix::WidenHigh(ty) => {
            let wide = widened(ty).expect("a small vector");
            let x = func.dfg.inst_args(inst)[0];
            let quads = recast(func, inst, native, Type::I64X2, x);
            let amount = InsertBuilder::new(func, inst).iconst(Type::I32, i64::from(ty.bits() / 2));
            // The high lanes are the low-order half of the quadword in little-endian
            // order and its high-order half in big-endian order.
            let shifted = match native {
                Endianness::Little => InsertBuilder::new(func, inst).ushr(quads, amount),
                Endianness::Big => InsertBuilder::new(func, inst).ishl(quads, amount),
            };
            let low = recast(func, inst, native, wide, shifted);
            let op = match func.dfg.insts[inst].opcode() {
                Opcode::SwidenHigh => Opcode::SwidenLow,
                _ => Opcode::UwidenLow,
            };
            if let InstructionData::Unary { opcode, arg } = &mut func.dfg.insts[inst] {
                *opcode = op;
                *arg = low;
            }
        }
        Fix::SideBySide(ty) => {
            let wide = widened(ty).expect("a small vector");
            let (_, ints) = int_of(ty);
            let [a, b] = [0, 1].map(|i| func.dfg.inst_args(inst)[i]);
            let a_ints = recast(func, inst, native, ints, a);
            let b_ints = recast(func, inst, native, ints, b);
            let b_low = InsertBuilder::new(func, inst).extractlane(b_ints, 0);
            let both = InsertBuilder::new(func, inst).insertlane(a_ints, b_low, 1);
            let c = recast(func, inst, native, wide, both);
            args_mut(func, inst).copy_from_slice(&[c, c]);
        }
    }
}
