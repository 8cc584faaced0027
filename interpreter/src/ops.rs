//! The opcodes that compute values from values alone (no memory, control flow or calls):
//! integer, float, conversion and vector operations.

use crate::InterpError;
use crate::bits::{byte_order, lane, lane_bool, map1, map2, mask, sext, try_map2, with_lane};
use crate::float::{self, Bin, ToInt, Un};
use crate::int;
use gantry_codegen::ir::instructions::InstructionData;
use gantry_codegen::ir::memflags::Endianness;
use gantry_codegen::ir::{DataFlowGraph, Opcode, TrapCode, Type};

/// One instruction's inputs: its data, its argument values and types, its result types.
pub struct Inputs<'a> {
    /// The instruction.
    pub data: &'a InstructionData,
    /// The function's data flow graph (constants, immediates).
    pub dfg: &'a DataFlowGraph,
    /// The arguments' bits.
    pub args: &'a [u128],
    /// The arguments' types.
    pub arg_tys: &'a [Type],
    /// The results' types.
    pub res_tys: &'a [Type],
}

/// Why evaluating a value stopped.
pub enum Fail {
    /// A trap with its code.
    Trap(TrapCode),
    /// Not implemented: the reason.
    Unsupported(&'static str),
}

impl From<TrapCode> for Fail {
    fn from(t: TrapCode) -> Fail {
        Fail::Trap(t)
    }
}

fn f128(_: ()) -> Fail {
    Fail::Unsupported("f128 arithmetic")
}

/// The results of `op` on `inp`, or `None` when `op` is not a pure value operation.
///
/// # Errors
/// Its trap, or why the interpreter cannot evaluate it.
pub fn eval(op: Opcode, inp: &Inputs<'_>) -> Result<Option<[u128; 2]>, Fail> {
    let a = |i: usize| inp.args[i];
    let ty = inp.arg_tys.first().copied().unwrap_or(Type::INVALID);
    let rty = inp.res_tys.first().copied().unwrap_or(Type::INVALID);
    let w = ty.lane_bits();
    let one = |x: u128| Ok(Some([x & mask(rty.bits().max(1)), 0]));
    let lanes2 = |f: &dyn Fn(u128, u128) -> u128| one(map2(ty, a(0), a(1), f));
    let lanes1 = |f: &dyn Fn(u128) -> u128| one(map1(ty, a(0), f));
    let two = |x: u128, of: bool| Ok(Some([x, u128::from(of)]));
    use Opcode as O;
    match op {
        O::Iconst => match *inp.data {
            InstructionData::UnaryImm { imm, .. } => one(imm.bits() as u128),
            _ => Err(Fail::Unsupported("malformed iconst")),
        },
        O::F16const | O::F32const | O::F64const => one(match *inp.data {
            InstructionData::UnaryIeee16 { imm, .. } => u128::from(imm.bits()),
            InstructionData::UnaryIeee32 { imm, .. } => u128::from(imm.bits()),
            InstructionData::UnaryIeee64 { imm, .. } => u128::from(imm.bits()),
            _ => return Err(Fail::Unsupported("malformed float constant")),
        }),
        O::F128const | O::Vconst => match *inp.data {
            InstructionData::UnaryConst { constant, .. } => {
                let bytes = inp
                    .dfg
                    .constants
                    .get(constant)
                    .ok_or(Fail::Unsupported("a missing constant"))?
                    .as_slice();
                let mut b = [0u8; 16];
                let n = bytes.len().min(16);
                b[..n].copy_from_slice(&bytes[..n]);
                one(u128::from_le_bytes(b))
            }
            _ => Err(Fail::Unsupported("malformed constant")),
        },
        O::Iadd => lanes2(&|x, y| x.wrapping_add(y)),
        O::Isub => lanes2(&|x, y| x.wrapping_sub(y)),
        O::Imul => lanes2(&|x, y| x.wrapping_mul(y)),
        O::Umulhi => lanes2(&|x, y| int::umulhi(w, x, y)),
        O::Smulhi => lanes2(&|x, y| int::smulhi(w, x, y)),
        O::Ineg => lanes1(&|x| x.wrapping_neg()),
        O::Iabs => lanes1(&|x| sext(x, w).unsigned_abs()),
        O::Udiv | O::Urem => {
            let rem = op == O::Urem;
            one(try_map2(ty, a(0), a(1), |x, y| int::udivrem(x, y, rem))?)
        }
        O::Sdiv | O::Srem => {
            let rem = op == O::Srem;
            one(try_map2(ty, a(0), a(1), |x, y| int::sdivrem(w, x, y, rem))?)
        }
        O::Band => one(a(0) & a(1)),
        O::Bor => one(a(0) | a(1)),
        O::Bxor => one(a(0) ^ a(1)),
        O::Bnot => one(!a(0)),
        O::Bitselect => one((a(0) & a(1)) | (!a(0) & a(2))),
        O::Smin => lanes2(&|x, y| if sext(x, w) <= sext(y, w) { x } else { y }),
        O::Smax => lanes2(&|x, y| if sext(x, w) >= sext(y, w) { x } else { y }),
        O::Umin => lanes2(&|x, y| x.min(y)),
        O::Umax => lanes2(&|x, y| x.max(y)),
        O::AvgRound => lanes2(&|x, y| (x + y + 1) >> 1),
        O::UaddSat => lanes2(&|x, y| int::sat(w, x, y, false, false)),
        O::SaddSat => lanes2(&|x, y| int::sat(w, x, y, true, false)),
        O::UsubSat => lanes2(&|x, y| int::sat(w, x, y, false, true)),
        O::SsubSat => lanes2(&|x, y| int::sat(w, x, y, true, true)),
        O::SqmulRoundSat => {
            lanes2(&|x, y| int::ssat(w, (sext(x, w) * sext(y, w) + (1 << (w - 2))) >> (w - 1)))
        }
        // Shift amounts are scalars, taken modulo the lane width.
        O::Ishl => lanes1(&|x| int::ishl(w, x, a(1))),
        O::Ushr => lanes1(&|x| int::ushr(w, x, a(1))),
        O::Sshr => lanes1(&|x| int::sshr(w, x, a(1))),
        O::Rotl => lanes1(&|x| int::rotl(w, x, a(1))),
        O::Rotr => lanes1(&|x| int::rotr(w, x, a(1))),
        O::Clz => lanes1(&|x| int::clz(w, x)),
        O::Ctz => lanes1(&|x| int::ctz(w, x)),
        O::Cls => lanes1(&|x| int::cls(w, x)),
        O::Popcnt => lanes1(&|x| u128::from(x.count_ones())),
        O::Bitrev => lanes1(&|x| int::bitrev(w, x)),
        O::Bswap => lanes1(&|x| int::bswap(w, x)),
        O::Bmask => one(map1(rty, 0, |_| lane_bool(a(0) != 0, rty.lane_bits()))),
        O::Icmp => match *inp.data {
            InstructionData::IntCompare { cond, .. } => {
                if ty.is_vector() {
                    lanes2(&|x, y| lane_bool(int::icmp(cond, w, x, y), w))
                } else {
                    one(u128::from(int::icmp(cond, w, a(0), a(1))))
                }
            }
            _ => Err(Fail::Unsupported("malformed icmp")),
        },
        O::Fcmp => match *inp.data {
            InstructionData::FloatCompare { cond, .. } => {
                if ty.is_vector() {
                    lanes2(&|x, y| lane_bool(float::fcmp(cond, w, x, y), w))
                } else {
                    one(u128::from(float::fcmp(cond, w, a(0), a(1))))
                }
            }
            _ => Err(Fail::Unsupported("malformed fcmp")),
        },
        O::Select | O::SelectSpectreGuard => one(if a(0) != 0 { a(1) } else { a(2) }),
        O::Uextend => one(a(0)),
        O::Sextend => one(sext(a(0), ty.bits()) as u128),
        O::Ireduce => one(a(0)),
        O::Iconcat => one(a(0) | (a(1) << w)),
        O::Isplit => {
            let h = w / 2;
            Ok(Some([a(0) & mask(h), a(0) >> h]))
        }
        O::UaddOverflow | O::SaddOverflow => {
            let (s, of) = int::add_overflow(w, a(0), a(1), 0, op == O::SaddOverflow);
            two(s, of)
        }
        O::UaddOverflowCin | O::SaddOverflowCin => {
            let cin = u128::from(a(2) & 1 != 0);
            let (s, of) = int::add_overflow(w, a(0), a(1), cin, op == O::SaddOverflowCin);
            two(s, of)
        }
        O::UsubOverflow | O::SsubOverflow => {
            let (d, of) = int::sub_overflow(w, a(0), a(1), 0, op == O::SsubOverflow);
            two(d, of)
        }
        O::UsubOverflowBin | O::SsubOverflowBin => {
            let bin = u128::from(a(2) & 1 != 0);
            let (d, of) = int::sub_overflow(w, a(0), a(1), bin, op == O::SsubOverflowBin);
            two(d, of)
        }
        O::UmulOverflow | O::SmulOverflow => {
            let (p, of) = int::mul_overflow(w, a(0), a(1), op == O::SmulOverflow);
            two(p, of)
        }
        O::UaddOverflowTrap => match *inp.data {
            InstructionData::IntAddTrap { code, .. } => {
                let (s, of) = int::add_overflow(w, a(0), a(1), 0, false);
                if of { Err(Fail::Trap(code)) } else { one(s) }
            }
            _ => Err(Fail::Unsupported("malformed uadd_overflow_trap")),
        },
        O::IaddPairwise => {
            let n = ty.lane_count();
            let mut r = 0;
            for i in 0..n {
                let (src, j) = if i < n / 2 {
                    (a(0), 2 * i)
                } else {
                    (a(1), 2 * (i - n / 2))
                };
                r = with_lane(r, w, i, lane(src, w, j).wrapping_add(lane(src, w, j + 1)));
            }
            one(r)
        }
        // Floats.
        O::Fadd | O::Fsub | O::Fmul | O::Fdiv | O::Fmin | O::Fmax => {
            let b = match op {
                O::Fadd => Bin::Add,
                O::Fsub => Bin::Sub,
                O::Fmul => Bin::Mul,
                O::Fdiv => Bin::Div,
                O::Fmin => Bin::Min,
                _ => Bin::Max,
            };
            one(
                try_map2(ty, a(0), a(1), |x, y| float::binary(b, w, x, y).ok_or(()))
                    .map_err(f128)?,
            )
        }
        O::Sqrt | O::Ceil | O::Floor | O::Trunc | O::Nearest => {
            let u = match op {
                O::Sqrt => Un::Sqrt,
                O::Ceil => Un::Ceil,
                O::Floor => Un::Floor,
                O::Trunc => Un::Trunc,
                _ => Un::Nearest,
            };
            one(try_map2(ty, a(0), 0, |x, _| float::unary(u, w, x).ok_or(())).map_err(f128)?)
        }
        O::Fma => {
            let mut r = 0;
            for i in 0..ty.lane_count() {
                let [x, y, z] = [0, 1, 2].map(|k| lane(a(k), w, i));
                r = with_lane(r, w, i, float::fma(w, x, y, z).ok_or(()).map_err(f128)?);
            }
            one(r)
        }
        O::Fneg => lanes1(&|x| float::fneg(w, x)),
        O::Fabs => lanes1(&|x| float::fabs(w, x)),
        O::Fcopysign => lanes2(&|x, y| float::fcopysign(w, x, y)),
        O::Fpromote | O::Fdemote => one(float::convert(w, rty.lane_bits(), a(0))
            .ok_or(())
            .map_err(f128)?),
        O::FvpromoteLow => {
            let mut r = 0;
            for i in 0..2 {
                let x = float::convert(32, 64, lane(a(0), 32, i))
                    .ok_or(())
                    .map_err(f128)?;
                r = with_lane(r, 64, i, x);
            }
            one(r)
        }
        O::Fvdemote => {
            let mut r = 0;
            for i in 0..2 {
                let x = float::convert(64, 32, lane(a(0), 64, i))
                    .ok_or(())
                    .map_err(f128)?;
                r = with_lane(r, 32, i, x);
            }
            one(r)
        }
        O::FcvtToSint | O::FcvtToUint => {
            let signed = op == O::FcvtToSint;
            match float::to_int(w, a(0), rty.bits(), signed)
                .ok_or(())
                .map_err(f128)?
            {
                ToInt::Value(v) => one(v),
                ToInt::NaN => Err(Fail::Trap(TrapCode::BAD_CONVERSION_TO_INTEGER)),
                ToInt::Overflow => Err(Fail::Trap(TrapCode::INTEGER_OVERFLOW)),
            }
        }
        O::FcvtToSintSat | O::FcvtToUintSat => {
            let signed = op == O::FcvtToSintSat;
            let rw = rty.lane_bits();
            let mut r = 0;
            for i in 0..ty.lane_count() {
                let x = float::to_int_sat(w, lane(a(0), w, i), rw, signed)
                    .ok_or(())
                    .map_err(f128)?;
                r = with_lane(r, rw, i, x);
            }
            one(r)
        }
        O::FcvtFromSint | O::FcvtFromUint => {
            let signed = op == O::FcvtFromSint;
            let rw = rty.lane_bits();
            let mut r = 0;
            for i in 0..ty.lane_count() {
                let x = float::from_int(rw, lane(a(0), w, i), w, signed)
                    .ok_or(())
                    .map_err(f128)?;
                r = with_lane(r, rw, i, x);
            }
            one(r)
        }
        // A big-endian bitcast is a store of one type and a load of the other, both
        // big-endian: each side's lanes byte-swapped.
        O::Bitcast => match *inp.data {
            InstructionData::LoadNoOffset { flags, .. } => {
                let big = flags.explicit_endianness() == Some(Endianness::Big);
                one(byte_order(byte_order(a(0), ty, big), rty, big))
            }
            _ => Err(Fail::Unsupported("malformed bitcast")),
        },
        // Vectors.
        O::Splat => {
            let rw = rty.lane_bits();
            one((0..rty.lane_count()).fold(0, |r, i| with_lane(r, rw, i, a(0))))
        }
        O::ScalarToVector => one(a(0)),
        O::Extractlane => match *inp.data {
            InstructionData::BinaryImm8 { imm, .. } => one(lane(a(0), w, u32::from(imm))),
            _ => Err(Fail::Unsupported("malformed extractlane")),
        },
        O::Insertlane => match *inp.data {
            InstructionData::TernaryImm8 { imm, .. } => {
                one(with_lane(a(0), w, u32::from(imm), a(1)))
            }
            _ => Err(Fail::Unsupported("malformed insertlane")),
        },
        O::Shuffle => match *inp.data {
            InstructionData::Shuffle { imm, .. } => {
                let m = inp
                    .dfg
                    .immediates
                    .get(imm)
                    .ok_or(Fail::Unsupported("a missing shuffle mask"))?
                    .as_slice();
                let bytes = |i: u32| {
                    if i < 16 {
                        lane(a(0), 8, i)
                    } else if i < 32 {
                        lane(a(1), 8, i - 16)
                    } else {
                        0
                    }
                };
                one((0..16).fold(0, |r, i| {
                    with_lane(
                        r,
                        8,
                        i,
                        bytes(u32::from(m.get(i as usize).copied().unwrap_or(0xff))),
                    )
                }))
            }
            _ => Err(Fail::Unsupported("malformed shuffle")),
        },
        O::Swizzle => one((0..16).fold(0, |r, i| {
            let k = lane(a(1), 8, i);
            with_lane(r, 8, i, if k < 16 { lane(a(0), 8, k as u32) } else { 0 })
        })),
        O::VanyTrue => one(u128::from(a(0) != 0)),
        O::VallTrue => one(u128::from(
            (0..ty.lane_count()).all(|i| lane(a(0), w, i) != 0),
        )),
        O::VhighBits => {
            one((0..ty.lane_count()).fold(0, |r, i| r | ((lane(a(0), w, i) >> (w - 1)) << i)))
        }
        O::Blendv => one((0..ty.lane_count()).fold(0, |r, i| {
            let pick = if lane(a(0), w, i) >> (w - 1) != 0 {
                a(1)
            } else {
                a(2)
            };
            with_lane(r, w, i, lane(pick, w, i))
        })),
        O::Snarrow | O::Unarrow | O::Uunarrow => {
            let (n, rw) = (ty.lane_count(), w / 2);
            let mut r = 0;
            for i in 0..2 * n {
                let src = if i < n { a(0) } else { a(1) };
                let x = lane(src, w, i % n);
                let v = match op {
                    O::Snarrow => int::ssat(rw, sext(x, w)),
                    O::Unarrow => int::usat(rw, sext(x, w)),
                    _ => x.min(mask(rw)),
                };
                r = with_lane(r, rw, i, v);
            }
            one(r)
        }
        O::SwidenLow | O::SwidenHigh | O::UwidenLow | O::UwidenHigh => {
            let (rw, n) = (rty.lane_bits(), rty.lane_count());
            let base = if matches!(op, O::SwidenHigh | O::UwidenHigh) {
                n
            } else {
                0
            };
            let signed = matches!(op, O::SwidenLow | O::SwidenHigh);
            one((0..n).fold(0, |r, i| {
                let x = lane(a(0), w, base + i);
                with_lane(r, rw, i, if signed { sext(x, w) as u128 } else { x })
            }))
        }
        _ => Ok(None),
    }
}

impl From<Fail> for InterpError {
    fn from(f: Fail) -> InterpError {
        match f {
            Fail::Trap(t) => InterpError::Trap(t),
            Fail::Unsupported(why) => InterpError::Unsupported {
                what: alloc::string::String::from(why),
            },
        }
    }
}
