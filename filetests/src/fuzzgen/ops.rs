//! The computations of [`super::Gen`]: an operation producing a value of a given type
//! from operands of the types it takes.

use super::Gen;
use arbitrary::Result;
use gantry_codegen::ir::condcodes::{FloatCC, IntCC};
use gantry_codegen::ir::immediates::Uimm8;
use gantry_codegen::ir::{
    ConstantData, InstBuilder, InstBuilderBase, InstructionData, MemFlags, Opcode, Type, Value,
};

const INT_BINARY: [Opcode; 21] = [
    Opcode::Iadd,
    Opcode::Isub,
    Opcode::Imul,
    Opcode::Band,
    Opcode::Bor,
    Opcode::Bxor,
    Opcode::Ishl,
    Opcode::Ushr,
    Opcode::Sshr,
    Opcode::Rotl,
    Opcode::Rotr,
    Opcode::Umin,
    Opcode::Umax,
    Opcode::Smin,
    Opcode::Smax,
    Opcode::Udiv,
    Opcode::Sdiv,
    Opcode::Urem,
    Opcode::Srem,
    Opcode::Umulhi,
    Opcode::Smulhi,
];
const INT_UNARY: [Opcode; 9] = [
    Opcode::Ineg,
    Opcode::Iabs,
    Opcode::Bnot,
    Opcode::Clz,
    Opcode::Ctz,
    Opcode::Cls,
    Opcode::Popcnt,
    Opcode::Bitrev,
    Opcode::Bswap,
];
const FLOAT_BINARY: [Opcode; 6] = [
    Opcode::Fadd,
    Opcode::Fsub,
    Opcode::Fmul,
    Opcode::Fdiv,
    Opcode::Fmin,
    Opcode::Fmax,
];
const FLOAT_UNARY: [Opcode; 7] = [
    Opcode::Fneg,
    Opcode::Fabs,
    Opcode::Sqrt,
    Opcode::Ceil,
    Opcode::Floor,
    Opcode::Trunc,
    Opcode::Nearest,
];
const VEC_INT_BINARY: [Opcode; 10] = [
    Opcode::Iadd,
    Opcode::Isub,
    Opcode::Imul,
    Opcode::Band,
    Opcode::Bor,
    Opcode::Bxor,
    Opcode::Umin,
    Opcode::Umax,
    Opcode::Smin,
    Opcode::Smax,
];
const VEC_NARROW_BINARY: [Opcode; 5] = [
    Opcode::UaddSat,
    Opcode::SaddSat,
    Opcode::UsubSat,
    Opcode::SsubSat,
    Opcode::AvgRound,
];
const INT_CCS: [IntCC; 6] = [
    IntCC::Equal,
    IntCC::NotEqual,
    IntCC::SignedLessThan,
    IntCC::SignedGreaterThanOrEqual,
    IntCC::UnsignedLessThan,
    IntCC::UnsignedGreaterThan,
];
const FLOAT_CCS: [FloatCC; 6] = [
    FloatCC::Equal,
    FloatCC::NotEqual,
    FloatCC::LessThan,
    FloatCC::GreaterThanOrEqual,
    FloatCC::Unordered,
    FloatCC::UnorderedOrLessThan,
];

impl Gen<'_, '_, '_> {
    fn result(&mut self, data: InstructionData, ctrl: Type) -> Value {
        let inst = self.b.ins().build(data, ctrl);
        self.b.func.dfg.first_result(inst)
    }

    fn binary(&mut self, opcode: Opcode, ty: Type) -> Result<Value> {
        let a = self.operand(ty)?;
        let b = self.operand(ty)?;
        Ok(self.result(
            InstructionData::Binary {
                opcode,
                args: [a, b],
            },
            ty,
        ))
    }

    fn unary(&mut self, opcode: Opcode, ty: Type, from: Type) -> Result<Value> {
        let arg = self.operand(from)?;
        Ok(self.result(InstructionData::Unary { opcode, arg }, ty))
    }

    /// A binary operation from `ops` on two operands of `ty`.
    fn binary_of(&mut self, ops: &[Opcode], ty: Type) -> Result<Value> {
        let op = *self.u.choose(ops)?;
        self.binary(op, ty)
    }

    /// A unary operation from `ops` on an operand of `ty`.
    fn unary_of(&mut self, ops: &[Opcode], ty: Type) -> Result<Value> {
        let op = *self.u.choose(ops)?;
        self.unary(op, ty, ty)
    }

    /// `a * b + c` of `ty`.
    fn fma(&mut self, ty: Type) -> Result<Value> {
        let (a, b, c) = (self.operand(ty)?, self.operand(ty)?, self.operand(ty)?);
        Ok(self.b.ins().fma(a, b, c))
    }

    /// A lane of a 128-bit vector of lanes of type `ty`.
    fn extract_lane(&mut self, ty: Type) -> Result<Value> {
        let vec = ty.by(128 / ty.bits()).expect("a 128-bit vector");
        let v = self.operand(vec)?;
        let lane = self.u.int_in_range(0..=(vec.lane_count() - 1) as u8)?;
        Ok(self.b.ins().extractlane(v, Uimm8::from(lane)))
    }

    /// A vector of `ty` with one lane replaced.
    fn insert_lane(&mut self, ty: Type) -> Result<Value> {
        let v = self.operand(ty)?;
        let x = self.operand(ty.lane_type())?;
        let i = self.u.int_in_range(0..=(ty.lane_count() - 1) as u8)?;
        Ok(self.b.ins().insertlane(v, x, Uimm8::from(i)))
    }

    /// An integer type other than `ty` (scalar, up to 128 bits).
    fn other_int(&mut self, ty: Type) -> Result<Type> {
        let others: Vec<Type> = super::INTS.iter().copied().filter(|t| *t != ty).collect();
        Ok(*self.u.choose(&others)?)
    }
}

/// A value of type `ty`, or `None` when the chosen operation has no form for it.
pub(super) fn compute(g: &mut Gen<'_, '_, '_>, ty: Type) -> Result<Option<Value>> {
    let v = if ty.is_vector() {
        vector(g, ty)?
    } else if ty.is_float() {
        float(g, ty)?
    } else {
        int(g, ty)?
    };
    Ok(Some(v))
}

fn int(g: &mut Gen<'_, '_, '_>, ty: Type) -> Result<Value> {
    Ok(match g.u.int_in_range(0..=9)? {
        0..=3 => g.binary_of(&INT_BINARY, ty)?,
        4 => {
            let op = *g.u.choose(&INT_UNARY)?;
            let op = if op == Opcode::Bswap && ty == Type::I8 {
                Opcode::Bnot
            } else {
                op
            };
            g.unary(op, ty, ty)?
        }
        5 => {
            let c = g.condition()?;
            let (a, b) = (g.operand(ty)?, g.operand(ty)?);
            g.b.ins().select(c, a, b)
        }
        6 => {
            // From another integer width.
            let from = g.other_int(ty)?;
            let x = g.operand(from)?;
            if from.bits() > ty.bits() {
                g.b.ins().ireduce(ty, x)
            } else if g.u.arbitrary()? {
                g.b.ins().sextend(ty, x)
            } else {
                g.b.ins().uextend(ty, x)
            }
        }
        7 if ty == Type::I8 => {
            let from = *g.u.choose(super::SCALARS)?;
            let (a, b) = (g.operand(from)?, g.operand(from)?);
            if from.is_float() {
                let cc = *g.u.choose(&FLOAT_CCS)?;
                g.b.ins().fcmp(cc, a, b)
            } else {
                let cc = *g.u.choose(&INT_CCS)?;
                g.b.ins().icmp(cc, a, b)
            }
        }
        7 | 8 => {
            // From a float: saturating, or trapping on NaN and out-of-range values.
            let from = *g.u.choose(&super::SCALARS[5..])?;
            let x = g.operand(from)?;
            match g.u.int_in_range(0..=7)? {
                0..=2 => g.b.ins().fcvt_to_sint_sat(ty, x),
                3..=5 => g.b.ins().fcvt_to_uint_sat(ty, x),
                6 => g.b.ins().fcvt_to_sint(ty, x),
                _ => g.b.ins().fcvt_to_uint(ty, x),
            }
        }
        _ => {
            // A float's bits (NaNs canonical first), or a vector lane.
            match ty {
                Type::I32 | Type::I64 => {
                    let f = if ty == Type::I32 {
                        Type::F32
                    } else {
                        Type::F64
                    };
                    let x = g.operand(f)?;
                    let x = g.canonical(x);
                    g.b.ins().bitcast(ty, MemFlags::new(), x)
                }
                Type::I128 => g.binary(Opcode::Iadd, ty)?,
                _ => g.extract_lane(ty)?,
            }
        }
    })
}

fn float(g: &mut Gen<'_, '_, '_>, ty: Type) -> Result<Value> {
    Ok(match g.u.int_in_range(0..=8)? {
        0..=2 => g.binary_of(&FLOAT_BINARY, ty)?,
        3 => g.unary_of(&FLOAT_UNARY, ty)?,
        4 => g.fma(ty)?,
        5 => {
            // The sign of another value, NaNs canonical first (a NaN's sign may differ).
            let x = g.operand(ty)?;
            let y = g.operand(ty)?;
            let y = g.canonical(y);
            g.b.ins().fcopysign(x, y)
        }
        6 => {
            let from = *g.u.choose(&super::INTS[..4])?;
            let x = g.operand(from)?;
            if g.u.arbitrary()? {
                g.b.ins().fcvt_from_sint(ty, x)
            } else {
                g.b.ins().fcvt_from_uint(ty, x)
            }
        }
        7 => {
            let others: Vec<Type> = super::SCALARS[5..]
                .iter()
                .copied()
                .filter(|t| *t != ty)
                .collect();
            let other = *g.u.choose(&others)?;
            let x = g.operand(other)?;
            if other.bits() > ty.bits() {
                g.b.ins().fdemote(ty, x)
            } else {
                g.b.ins().fpromote(ty, x)
            }
        }
        // f16 and f128 have no 128-bit vector type here.
        _ if ty.bits() == 16 || ty.bits() == 128 => g.binary(Opcode::Fadd, ty)?,
        _ => g.extract_lane(ty)?,
    })
}

fn vector(g: &mut Gen<'_, '_, '_>, ty: Type) -> Result<Value> {
    let lane = ty.lane_type();
    if lane.is_float() {
        return Ok(match g.u.int_in_range(0..=5)? {
            0..=1 => g.binary_of(&FLOAT_BINARY, ty)?,
            2 => g.unary_of(&FLOAT_UNARY, ty)?,
            3 => g.fma(ty)?,
            4 => {
                let int = ty.as_int();
                let x = g.operand(int)?;
                g.b.ins().fcvt_from_sint(ty, x)
            }
            _ => g.insert_lane(ty)?,
        });
    }
    Ok(match g.u.int_in_range(0..=9)? {
        0..=2 => g.binary_of(&VEC_INT_BINARY, ty)?,
        3 if lane.bits() <= 16 => g.binary_of(&VEC_NARROW_BINARY, ty)?,
        3 | 4 => g.unary_of(
            &[Opcode::Ineg, Opcode::Iabs, Opcode::Bnot, Opcode::Popcnt],
            ty,
        )?,
        5 => {
            let v = g.operand(ty)?;
            let amount = g.operand(Type::I32)?;
            match g.u.int_in_range(0..=2)? {
                0 => g.b.ins().ishl(v, amount),
                1 => g.b.ins().ushr(v, amount),
                _ => g.b.ins().sshr(v, amount),
            }
        }
        6 => {
            // A lane mask: integer or float lane comparison, or a bit selection.
            if lane.bits() >= 32 && g.u.arbitrary()? {
                let f = float_of(ty);
                let (a, b) = (g.operand(f)?, g.operand(f)?);
                let cc = *g.u.choose(&FLOAT_CCS)?;
                g.b.ins().fcmp(cc, a, b)
            } else if g.u.arbitrary()? {
                let (a, b) = (g.operand(ty)?, g.operand(ty)?);
                let cc = *g.u.choose(&INT_CCS)?;
                g.b.ins().icmp(cc, a, b)
            } else {
                let (m, a, b) = (g.operand(ty)?, g.operand(ty)?, g.operand(ty)?);
                g.b.ins().bitselect(m, a, b)
            }
        }
        7 => g.insert_lane(ty)?,
        8 if ty == Type::I8X16 => {
            // A shuffle of two vectors' bytes, or a swizzle.
            let (a, b) = (g.operand(ty)?, g.operand(ty)?);
            if g.u.arbitrary()? {
                let mut mask = [0u8; 16];
                for m in &mut mask {
                    *m = g.u.int_in_range(0..=31)?;
                }
                let imm =
                    g.b.func
                        .dfg
                        .immediates
                        .push(ConstantData::new(mask.to_vec()));
                g.result(
                    InstructionData::Shuffle {
                        opcode: Opcode::Shuffle,
                        args: [a, b],
                        imm,
                    },
                    ty,
                )
            } else {
                g.b.ins().swizzle(a, b)
            }
        }
        8 if lane.bits() >= 32 => {
            // From floats, saturating.
            let f = float_of(ty);
            let x = g.operand(f)?;
            g.b.ins().fcvt_to_sint_sat(ty, x)
        }
        _ => {
            let x = g.operand(lane)?;
            g.b.ins().splat(ty, x)
        }
    })
}

/// The float vector of integer vector `ty`'s shape (32- or 64-bit lanes).
fn float_of(ty: Type) -> Type {
    let lane = if ty.lane_type().bits() == 32 {
        Type::F32
    } else {
        Type::F64
    };
    lane.by(ty.lane_count()).expect("a vector shape")
}
