//! Float operations on one lane, by lane width: `f32` and `f64` with the host's IEEE 754
//! arithmetic (and `libm` for the rounding functions, square root and fused multiply-add),
//! `f16` through `f32` (exact: `f32` has more than twice `f16`'s precision, so rounding
//! the `f32` result once more is correctly rounded), `f128` and every conversion between
//! widths with `rustc_apfloat` (LLVM's software IEEE arithmetic), the `f128` square root
//! from an integer square root of the significand. Sign operations, comparisons, `fmin`
//! and `fmax` work on the bits.
//!
//! A NaN result is the canonical quiet NaN (positive, only the top mantissa bit set), so
//! results do not depend on the host's NaN propagation.

use crate::bits::mask;
use gantry_codegen::ir::condcodes::FloatCC;
use half::f16;
use rustc_apfloat::ieee::{Double, Half, Quad, Single};
use rustc_apfloat::{Float, FloatConvert, Round, Status};

/// A binary float operation.
#[derive(Clone, Copy, Debug)]
pub enum Bin {
    /// `fadd`
    Add,
    /// `fsub`
    Sub,
    /// `fmul`
    Mul,
    /// `fdiv`
    Div,
    /// `fmin`: NaN if either is; -0 below +0.
    Min,
    /// `fmax`: NaN if either is; +0 above -0.
    Max,
}

/// A unary float operation.
#[derive(Clone, Copy, Debug)]
pub enum Un {
    /// `sqrt`
    Sqrt,
    /// `ceil`
    Ceil,
    /// `floor`
    Floor,
    /// `trunc`
    Trunc,
    /// `nearest`: to the nearest integer, ties to even.
    Nearest,
}

/// The canonical NaN of a float lane of `w` bits.
pub fn canonical_nan(w: u32) -> u128 {
    match w {
        16 => 0x7e00,
        32 => 0x7fc0_0000,
        64 => 0x7ff8_0000_0000_0000,
        _ => 0x7fff_8000_0000_0000_0000_0000_0000_0000,
    }
}

/// The exponent and mantissa widths of a float lane of `w` bits.
fn layout(w: u32) -> (u32, u32) {
    match w {
        16 => (5, 10),
        32 => (8, 23),
        64 => (11, 52),
        _ => (15, 112),
    }
}

/// Whether bits `x` of a float lane of `w` bits are a NaN.
pub fn is_nan(w: u32, x: u128) -> bool {
    let (e, m) = layout(w);
    (x >> m) & mask(e) == mask(e) && x & mask(m) != 0
}

/// Whether bits `x` are a NaN whose quiet bit is clear.
pub fn is_snan(w: u32, x: u128) -> bool {
    let (_, m) = layout(w);
    is_nan(w, x) && x & (1 << (m - 1)) == 0
}

/// A key ordering non-NaN floats as numbers (-0 and +0 equal).
fn order_key(w: u32, x: u128) -> i128 {
    let sign = x >> (w - 1) & 1 == 1;
    let magnitude = (x & mask(w - 1)) as i128;
    if sign { -magnitude } else { magnitude }
}

/// `fcmp`, on the bits of any float width.
pub fn fcmp(cc: FloatCC, w: u32, a: u128, b: u128) -> bool {
    let unordered = is_nan(w, a) || is_nan(w, b);
    let (x, y) = (order_key(w, a), order_key(w, b));
    let (eq, lt, gt) = if unordered {
        (false, false, false)
    } else {
        (x == y, x < y, x > y)
    };
    match cc {
        FloatCC::Ordered => !unordered,
        FloatCC::Unordered => unordered,
        FloatCC::Equal => eq,
        FloatCC::NotEqual => !eq,
        FloatCC::OrderedNotEqual => lt || gt,
        FloatCC::UnorderedOrEqual => unordered || eq,
        FloatCC::LessThan => lt,
        FloatCC::LessThanOrEqual => lt || eq,
        FloatCC::GreaterThan => gt,
        FloatCC::GreaterThanOrEqual => gt || eq,
        FloatCC::UnorderedOrLessThan => unordered || lt,
        FloatCC::UnorderedOrLessThanOrEqual => unordered || lt || eq,
        FloatCC::UnorderedOrGreaterThan => unordered || gt,
        FloatCC::UnorderedOrGreaterThanOrEqual => unordered || gt || eq,
    }
}

/// `fneg`
pub fn fneg(w: u32, a: u128) -> u128 {
    a ^ (1 << (w - 1))
}

/// `fabs`
pub fn fabs(w: u32, a: u128) -> u128 {
    a & mask(w - 1)
}

/// `fcopysign`: `a`'s magnitude with `b`'s sign.
pub fn fcopysign(w: u32, a: u128, b: u128) -> u128 {
    (a & mask(w - 1)) | (b & (1 << (w - 1)))
}

/// Lane bits as an `f64` (exact for `f16`, `f32` and `f64`); `None` for `f128`.
pub fn to_f64(w: u32, x: u128) -> Option<f64> {
    match w {
        16 => Some(f16::from_bits(x as u16).to_f64()),
        32 => Some(f64::from(f32::from_bits(x as u32))),
        64 => Some(f64::from_bits(x as u64)),
        _ => None,
    }
}

/// `x` rounded (to nearest, ties to even) to a float lane of `w` bits.
pub fn from_f64(w: u32, x: f64) -> Option<u128> {
    if x.is_nan() {
        return Some(canonical_nan(w));
    }
    convert(64, w, u128::from(x.to_bits()))
}

/// Converts between apfloat formats, rounding to nearest.
fn conv<S: FloatConvert<T>, T: Float>(a: u128) -> u128 {
    let mut loses_info = false;
    S::from_bits(a)
        .convert_r(Round::NearestTiesToEven, &mut loses_info)
        .value
        .to_bits()
}

fn canon32(x: f32) -> u128 {
    if x.is_nan() {
        canonical_nan(32)
    } else {
        u128::from(x.to_bits())
    }
}

fn canon64(x: f64) -> u128 {
    if x.is_nan() {
        canonical_nan(64)
    } else {
        u128::from(x.to_bits())
    }
}

/// Applies `f32` operation `f` to `f16` lanes: widen, compute, round once.
fn via_f32(a: u128, b: u128, f: impl Fn(f32, f32) -> f32) -> u128 {
    let x = f16::from_bits(a as u16).to_f32();
    let y = f16::from_bits(b as u16).to_f32();
    let r = f(x, y);
    if r.is_nan() {
        canonical_nan(16)
    } else {
        conv::<Single, Half>(u128::from(r.to_bits()))
    }
}

/// `fmin`/`fmax` on the bits: NaN if either is; of equal values (zeros of both signs)
/// the minimum is negative if either is, the maximum only if both are.
fn min_max(max: bool, w: u32, a: u128, b: u128) -> u128 {
    if is_nan(w, a) || is_nan(w, b) {
        return canonical_nan(w);
    }
    let (x, y) = (order_key(w, a), order_key(w, b));
    if x == y {
        let sign = 1 << (w - 1);
        return if max { a & b } else { a | b } & (sign | mask(w - 1));
    }
    if (x < y) != max { a } else { b }
}

/// A `f128` result with a canonical NaN.
fn quad(x: Quad) -> u128 {
    if x.is_nan() {
        canonical_nan(128)
    } else {
        x.to_bits()
    }
}

/// A binary operation on float lanes of `w` bits.
pub fn binary(op: Bin, w: u32, a: u128, b: u128) -> Option<u128> {
    if let Bin::Min | Bin::Max = op {
        return Some(min_max(matches!(op, Bin::Max), w, a, b));
    }
    let f32op = |x: f32, y: f32| match op {
        Bin::Add => x + y,
        Bin::Sub => x - y,
        Bin::Mul => x * y,
        _ => x / y,
    };
    Some(match w {
        16 => via_f32(a, b, f32op),
        32 => canon32(f32op(f32::from_bits(a as u32), f32::from_bits(b as u32))),
        64 => {
            let (x, y) = (f64::from_bits(a as u64), f64::from_bits(b as u64));
            canon64(match op {
                Bin::Add => x + y,
                Bin::Sub => x - y,
                Bin::Mul => x * y,
                _ => x / y,
            })
        }
        _ => {
            let (x, y) = (Quad::from_bits(a), Quad::from_bits(b));
            let r = Round::NearestTiesToEven;
            quad(match op {
                Bin::Add => x.add_r(y, r).value,
                Bin::Sub => x.sub_r(y, r).value,
                Bin::Mul => x.mul_r(y, r).value,
                _ => x.div_r(y, r).value,
            })
        }
    })
}

/// A unary operation on float lanes of `w` bits.
pub fn unary(op: Un, w: u32, a: u128) -> Option<u128> {
    let f32op = |x: f32, _: f32| match op {
        Un::Sqrt => libm::sqrtf(x),
        Un::Ceil => libm::ceilf(x),
        Un::Floor => libm::floorf(x),
        Un::Trunc => libm::truncf(x),
        Un::Nearest => libm::rintf(x),
    };
    Some(match w {
        16 => via_f32(a, 0, f32op),
        32 => canon32(f32op(f32::from_bits(a as u32), 0.0)),
        64 => {
            let x = f64::from_bits(a as u64);
            canon64(match op {
                Un::Sqrt => libm::sqrt(x),
                Un::Ceil => libm::ceil(x),
                Un::Floor => libm::floor(x),
                Un::Trunc => libm::trunc(x),
                Un::Nearest => libm::rint(x),
            })
        }
        _ => {
            let round = match op {
                Un::Sqrt => return Some(sqrt_f128(a)),
                Un::Ceil => Round::TowardPositive,
                Un::Floor => Round::TowardNegative,
                Un::Trunc => Round::TowardZero,
                Un::Nearest => Round::NearestTiesToEven,
            };
            quad(Quad::from_bits(a).round_to_integral(round).value)
        }
    })
}

/// The integer square root of `m * 2^116` (`m < 2^114`) and whether it is exact.
fn isqrt_shifted(m: u128) -> (u128, bool) {
    let n = (m >> 12, m << 116);
    let square = |r: u128| (crate::int::umulhi(128, r, r), r.wrapping_mul(r));
    let mut r = 0u128;
    for bit in (0..115).rev() {
        let c = r | (1 << bit);
        if square(c) <= n {
            r = c;
        }
    }
    (r, square(r) == n)
}

/// The `f128` square root, rounded to nearest (ties to even).
fn sqrt_f128(a: u128) -> u128 {
    let exp = ((a >> 112) & 0x7fff) as i32;
    if is_nan(128, a) || (a >> 127 == 1 && a & mask(127) != 0) {
        return canonical_nan(128);
    }
    if a & mask(127) == 0 || exp == 0x7fff {
        return a; // +-0 and +inf are their own roots
    }
    // a = m * 2^e with m an integer of 113 bits (normalizing subnormals), e even.
    let (mut m, mut e) = if exp == 0 {
        (a & mask(112), -16382 - 112)
    } else {
        ((a & mask(112)) | 1 << 112, exp - 16383 - 112)
    };
    while m >> 112 == 0 {
        m <<= 1;
        e -= 1;
    }
    if e & 1 != 0 {
        m <<= 1;
        e -= 1;
    }
    // sqrt(a) = sqrt(m * 2^116) * 2^(e/2 - 58), the root r of 115 bits: 113 bits and two
    // rounding bits, plus whether anything is left below them.
    let (r, exact) = isqrt_shifted(m);
    let (mut q, low) = (r >> 2, r & 3);
    let mut biased = e / 2 - 58 + 2 + 112 + 16383;
    if low > 2 || (low == 2 && (!exact || q & 1 == 1)) {
        q += 1;
        if q >> 113 != 0 {
            q >>= 1;
            biased += 1;
        }
    }
    ((biased as u128) << 112) | (q & mask(112))
}

/// `fma`: `a * b + c` rounded once (for `f16`, computed in `f64`, whose precision holds
/// the exact product).
pub fn fma(w: u32, a: u128, b: u128, c: u128) -> Option<u128> {
    Some(match w {
        16 => {
            let [x, y, z] = [a, b, c].map(|v| f16::from_bits(v as u16).to_f64());
            from_f64(16, libm::fma(x, y, z))?
        }
        32 => canon32(libm::fmaf(
            f32::from_bits(a as u32),
            f32::from_bits(b as u32),
            f32::from_bits(c as u32),
        )),
        64 => canon64(libm::fma(
            f64::from_bits(a as u64),
            f64::from_bits(b as u64),
            f64::from_bits(c as u64),
        )),
        _ => {
            let [x, y, z] = [a, b, c].map(Quad::from_bits);
            quad(x.mul_add_r(y, z, Round::NearestTiesToEven).value)
        }
    })
}

/// Float lane width `w` converted to float lane width `to`, rounded to nearest
/// (`fpromote`, `fdemote`).
pub fn convert(w: u32, to: u32, a: u128) -> Option<u128> {
    if is_nan(w, a) {
        return Some(canonical_nan(to));
    }
    Some(match (w, to) {
        (16, 32) => conv::<Half, Single>(a),
        (16, 64) => conv::<Half, Double>(a),
        (16, 128) => conv::<Half, Quad>(a),
        (32, 16) => conv::<Single, Half>(a),
        (32, 64) => conv::<Single, Double>(a),
        (32, 128) => conv::<Single, Quad>(a),
        (64, 16) => conv::<Double, Half>(a),
        (64, 32) => conv::<Double, Single>(a),
        (64, 128) => conv::<Double, Quad>(a),
        (128, 16) => conv::<Quad, Half>(a),
        (128, 32) => conv::<Quad, Single>(a),
        (128, 64) => conv::<Quad, Double>(a),
        _ => a,
    })
}

/// The result of converting a float to an integer: the integer or why not.
pub enum ToInt {
    /// The value, as raw bits of the integer width.
    Value(u128),
    /// The float is a NaN.
    NaN,
    /// Out of the integer's range.
    Overflow,
}

/// A float lane truncated toward zero to an integer of `bits` bits (`fcvt_to_[su]int`).
pub fn to_int(w: u32, a: u128, bits: u32, signed: bool) -> Option<ToInt> {
    if is_nan(w, a) {
        return Some(ToInt::NaN);
    }
    if w == 128 {
        let (x, mut exact) = (Quad::from_bits(a), false);
        let (status, v) = if signed {
            let r = x.to_i128_r(bits as usize, Round::TowardZero, &mut exact);
            (r.status, r.value as u128 & mask(bits))
        } else {
            let r = x.to_u128_r(bits as usize, Round::TowardZero, &mut exact);
            (r.status, r.value)
        };
        return Some(if status.contains(Status::INVALID_OP) {
            ToInt::Overflow
        } else {
            ToInt::Value(v)
        });
    }
    let x = libm::trunc(to_f64(w, a)?);
    // The range as floats: [-2^(bits-1), 2^(bits-1)) or [0, 2^bits), exact in f64.
    let (lo, hi) = if signed {
        (
            -libm::ldexp(1.0, bits as i32 - 1),
            libm::ldexp(1.0, bits as i32 - 1),
        )
    } else {
        (0.0, libm::ldexp(1.0, bits as i32))
    };
    Some(if x < lo || x >= hi {
        ToInt::Overflow
    } else if signed {
        ToInt::Value(x as i128 as u128 & mask(bits))
    } else {
        ToInt::Value(x as u128)
    })
}

/// `fcvt_to_[su]int_sat`: NaN gives 0, out-of-range values the nearest bound.
pub fn to_int_sat(w: u32, a: u128, bits: u32, signed: bool) -> Option<u128> {
    Some(match to_int(w, a, bits, signed)? {
        ToInt::Value(v) => v,
        ToInt::NaN => 0,
        ToInt::Overflow => {
            let negative = a >> (w - 1) & 1 == 1;
            match (signed, negative) {
                (true, true) => (1u128 << (bits - 1)) & mask(bits),
                (true, false) => mask(bits - 1),
                (false, true) => 0,
                (false, false) => mask(bits),
            }
        }
    })
}

/// An integer (`x`, of `bits` bits) converted to a float lane of `w` bits, rounded to
/// nearest (`fcvt_from_[su]int`).
pub fn from_int(w: u32, x: u128, bits: u32, signed: bool) -> Option<u128> {
    let v = if signed {
        crate::bits::sext(x, bits)
    } else {
        x as i128
    };
    Some(match w {
        // i128 -> f32/f64 through Rust's conversions, which round once.
        32 if signed => u128::from((v as f32).to_bits()),
        32 => u128::from((x as f32).to_bits()),
        64 if signed => u128::from((v as f64).to_bits()),
        64 => u128::from((x as f64).to_bits()),
        // Any integer beyond 2^53 is beyond f16's range (65504) either way.
        16 if signed => from_f64(16, v as f64)?,
        16 => from_f64(16, x as f64)?,
        _ if signed => quad(Quad::from_i128_r(v, Round::NearestTiesToEven).value),
        _ => quad(Quad::from_u128_r(x, Round::NearestTiesToEven).value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_and_signs_on_bits() {
        let (one, neg_zero, zero) = (0x3f80_0000u128, 0x8000_0000u128, 0u128);
        assert!(fcmp(FloatCC::Equal, 32, neg_zero, zero));
        assert!(fcmp(FloatCC::LessThan, 32, neg_zero | one, one));
        assert!(fcmp(FloatCC::Unordered, 32, canonical_nan(32), one));
        assert!(!fcmp(
            FloatCC::Equal,
            32,
            canonical_nan(32),
            canonical_nan(32)
        ));
        let f128_one = 0x3fff_u128 << 112;
        assert!(fcmp(FloatCC::GreaterThan, 128, f128_one, 0));
        assert_eq!(fneg(16, 0x3c00), 0xbc00);
        assert_eq!(fcopysign(64, 1, 1 << 63), (1 << 63) | 1);
    }

    #[test]
    fn min_max_and_conversions() {
        let (neg_zero, zero) = (0x8000_0000u128, 0u128);
        assert_eq!(binary(Bin::Min, 32, zero, neg_zero), Some(neg_zero));
        assert_eq!(binary(Bin::Max, 32, neg_zero, zero), Some(zero));
        assert_eq!(
            binary(Bin::Min, 32, canonical_nan(32), zero),
            Some(canonical_nan(32))
        );
        assert!(matches!(
            to_int(32, 0x4f00_0000, 32, true),
            Some(ToInt::Overflow)
        )); // 2^31
        assert!(matches!(
            to_int(32, 0xbf00_0000, 32, false),
            Some(ToInt::Value(0))
        )); // -0.5
        assert_eq!(to_int_sat(32, 0xcf80_0000, 32, true), Some(0x8000_0000)); // -2^32
        assert_eq!(
            from_int(32, u128::from(u64::MAX), 64, false),
            Some(0x5f80_0000)
        );
        assert_eq!(
            unary(Un::Nearest, 64, 2.5f64.to_bits().into()),
            Some(2.0f64.to_bits().into())
        );
        assert_eq!(binary(Bin::Add, 16, 0x3c00, 0x3c00), Some(0x4000)); // 1 + 1 = 2
        // f64 -> f16 rounds once: 1 + 2^-9 + 2^-40 is above the midpoint.
        assert_eq!(
            from_f64(16, f64::from_bits(0x3ff0_0200_0001_0000)),
            Some(0x3c01)
        );
    }

    #[test]
    fn f128_square_roots() {
        let one = 0x3fff_u128 << 112;
        let four = 0x4001_u128 << 112;
        assert_eq!(unary(Un::Sqrt, 128, four), Some(0x4000_u128 << 112));
        assert_eq!(unary(Un::Sqrt, 128, one), Some(one));
        // sqrt(2) = 0x1.6a09e667f3bcc908b2fb1366ea958p0 (rounded to nearest).
        let two = 0x4000_u128 << 112;
        assert_eq!(
            unary(Un::Sqrt, 128, two),
            Some(0x3fff_6a09_e667_f3bc_c908_b2fb_1366_ea95_u128)
        );
        assert_eq!(
            unary(Un::Sqrt, 128, 1 << 127 | one),
            Some(canonical_nan(128))
        );
        // The smallest subnormal, 2^-16494: its root 2^-8247.
        assert_eq!(
            unary(Un::Sqrt, 128, 1),
            Some(((16383 - 8247) as u128) << 112)
        );
    }
}
