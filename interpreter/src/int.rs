//! Integer operations on one lane of width `w` bits (a scalar is one lane): operands are
//! raw bits (zero above `w`), results are masked to `w` bits by the caller's lane helpers.

use crate::bits::{mask, sext};
use gantry_codegen::ir::TrapCode;
use gantry_codegen::ir::condcodes::IntCC;

/// The high 128 bits of the unsigned 256-bit product of `a` and `b`.
fn mul_hi_u128(a: u128, b: u128) -> u128 {
    let (a1, a0) = (a >> 64, a & mask(64));
    let (b1, b0) = (b >> 64, b & mask(64));
    let lo = a0 * b0;
    let mid1 = a1 * b0;
    let mid2 = a0 * b1;
    let carry = ((lo >> 64) + (mid1 & mask(64)) + (mid2 & mask(64))) >> 64;
    a1 * b1 + (mid1 >> 64) + (mid2 >> 64) + carry
}

/// The high `w` bits of the unsigned `2w`-bit product.
pub fn umulhi(w: u32, a: u128, b: u128) -> u128 {
    if w == 128 {
        mul_hi_u128(a, b)
    } else {
        (a * b) >> w
    }
}

/// The high `w` bits of the signed `2w`-bit product.
pub fn smulhi(w: u32, a: u128, b: u128) -> u128 {
    if w == 128 {
        // Signed high part from the unsigned one: subtract the other operand for each
        // negative one (mod 2^128).
        let mut hi = mul_hi_u128(a, b);
        if (a as i128) < 0 {
            hi = hi.wrapping_sub(b);
        }
        if (b as i128) < 0 {
            hi = hi.wrapping_sub(a);
        }
        hi
    } else {
        ((sext(a, w) * sext(b, w)) >> w) as u128
    }
}

/// `udiv`/`urem`: traps on a zero divisor.
pub fn udivrem(a: u128, b: u128, rem: bool) -> Result<u128, TrapCode> {
    if b == 0 {
        return Err(TrapCode::INTEGER_DIVISION_BY_ZERO);
    }
    Ok(if rem { a % b } else { a / b })
}

/// `sdiv`/`srem`: traps on a zero divisor, and `sdiv` on `MIN / -1` (`srem` gives 0).
pub fn sdivrem(w: u32, a: u128, b: u128, rem: bool) -> Result<u128, TrapCode> {
    let (x, y) = (sext(a, w), sext(b, w));
    if y == 0 {
        return Err(TrapCode::INTEGER_DIVISION_BY_ZERO);
    }
    let min = x == sext(1u128 << (w - 1), w);
    if y == -1 && min {
        return if rem {
            Ok(0)
        } else {
            Err(TrapCode::INTEGER_OVERFLOW)
        };
    }
    Ok((if rem { x % y } else { x / y }) as u128 & mask(w))
}

/// The shift amount `b` taken modulo the lane width.
fn amount(w: u32, b: u128) -> u32 {
    (b as u32) & (w - 1)
}

/// `ishl`
pub fn ishl(w: u32, a: u128, b: u128) -> u128 {
    (a << amount(w, b)) & mask(w)
}

/// `ushr`
pub fn ushr(w: u32, a: u128, b: u128) -> u128 {
    a >> amount(w, b)
}

/// `sshr`
pub fn sshr(w: u32, a: u128, b: u128) -> u128 {
    (sext(a, w) >> amount(w, b)) as u128 & mask(w)
}

/// `rotl` (`rotr` is a left rotation by `w - n`).
pub fn rotl(w: u32, a: u128, b: u128) -> u128 {
    let n = amount(w, b);
    if n == 0 {
        a
    } else {
        ((a << n) | (a >> (w - n))) & mask(w)
    }
}

/// `rotr`
pub fn rotr(w: u32, a: u128, b: u128) -> u128 {
    let n = amount(w, b);
    rotl(w, a, u128::from((w - n) % w))
}

/// `clz`
pub fn clz(w: u32, a: u128) -> u128 {
    u128::from(a.leading_zeros() - (128 - w))
}

/// `ctz`
pub fn ctz(w: u32, a: u128) -> u128 {
    u128::from(a.trailing_zeros().min(w))
}

/// `cls`: the leading bits equal to the sign bit, not counting the sign bit.
pub fn cls(w: u32, a: u128) -> u128 {
    let x = sext(a, w);
    let run = if x < 0 {
        (x as u128).leading_ones()
    } else {
        (x as u128).leading_zeros()
    };
    u128::from(run - (128 - w) - 1)
}

/// `bitrev`
pub fn bitrev(w: u32, a: u128) -> u128 {
    a.reverse_bits() >> (128 - w)
}

/// `bswap`
pub fn bswap(w: u32, a: u128) -> u128 {
    a.swap_bytes() >> (128 - w)
}

/// `icmp`
pub fn icmp(cc: IntCC, w: u32, a: u128, b: u128) -> bool {
    let (x, y) = (sext(a, w), sext(b, w));
    match cc {
        IntCC::Equal => a == b,
        IntCC::NotEqual => a != b,
        IntCC::SignedLessThan => x < y,
        IntCC::SignedGreaterThanOrEqual => x >= y,
        IntCC::SignedGreaterThan => x > y,
        IntCC::SignedLessThanOrEqual => x <= y,
        IntCC::UnsignedLessThan => a < b,
        IntCC::UnsignedGreaterThanOrEqual => a >= b,
        IntCC::UnsignedGreaterThan => a > b,
        IntCC::UnsignedLessThanOrEqual => a <= b,
    }
}

/// The signed range of width `w`.
fn srange(w: u32) -> (i128, i128) {
    (sext(1u128 << (w - 1), w), (mask(w - 1)) as i128)
}

/// Saturates signed `x` to width `w`.
pub fn ssat(w: u32, x: i128) -> u128 {
    let (lo, hi) = srange(w);
    (x.clamp(lo, hi) as u128) & mask(w)
}

/// Saturates `x` (signed) to the unsigned range of width `w`.
pub fn usat(w: u32, x: i128) -> u128 {
    x.clamp(0, mask(w) as i128) as u128
}

/// `sadd_sat`, `ssub_sat`, `uadd_sat`, `usub_sat` on lanes narrower than 128 bits.
pub fn sat(w: u32, a: u128, b: u128, signed: bool, sub: bool) -> u128 {
    let (x, y) = if signed {
        (sext(a, w), sext(b, w))
    } else {
        (a as i128, b as i128)
    };
    let r = if sub { x - y } else { x + y };
    if signed { ssat(w, r) } else { usat(w, r) }
}

/// The sum and whether it overflowed, for `[us]add_overflow[_cin]` (`cin` a carry in).
pub fn add_overflow(w: u32, a: u128, b: u128, cin: u128, signed: bool) -> (u128, bool) {
    let sum = a.wrapping_add(b).wrapping_add(cin) & mask(w);
    let of = if signed {
        let (x, y, s) = (sext(a, w), sext(b, w), sext(sum, w));
        // Overflow when both operands have one sign and the sum the other.
        (x < 0) == (y < 0) && (s < 0) != (x < 0)
    } else if w == 128 {
        let (s1, c1) = a.overflowing_add(b);
        c1 || s1.overflowing_add(cin).1
    } else {
        a + b + cin > mask(w)
    };
    (sum, of)
}

/// The difference and whether it overflowed, for `[us]sub_overflow[_bin]` (`bin` a
/// borrow in).
pub fn sub_overflow(w: u32, a: u128, b: u128, bin: u128, signed: bool) -> (u128, bool) {
    let diff = a.wrapping_sub(b).wrapping_sub(bin) & mask(w);
    let of = if signed {
        let (x, y, d) = (sext(a, w), sext(b, w), sext(diff, w));
        (x < 0) != (y < 0) && (d < 0) != (x < 0)
    } else {
        a < b || (a == b && bin != 0)
    };
    (diff, of)
}

/// The product and whether it overflowed, for `[us]mul_overflow`.
pub fn mul_overflow(w: u32, a: u128, b: u128, signed: bool) -> (u128, bool) {
    let product = a.wrapping_mul(b) & mask(w);
    let of = if signed {
        let (x, y) = (sext(a, w), sext(b, w));
        match x.checked_mul(y) {
            Some(p) => {
                let (lo, hi) = srange(w);
                p < lo || p > hi
            }
            None => true,
        }
    } else {
        match a.checked_mul(b) {
            Some(p) => p > mask(w),
            None => true,
        }
    };
    (product, of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_products_and_division_traps() {
        assert_eq!(umulhi(128, u128::MAX, u128::MAX), u128::MAX - 1);
        assert_eq!(smulhi(128, u128::MAX, u128::MAX), 0); // -1 * -1 = 1
        assert_eq!(smulhi(128, u128::MAX, 2), u128::MAX); // -1 * 2 = -2: high all ones
        assert_eq!(umulhi(8, 0xff, 0xff), 0xfe);
        assert_eq!(smulhi(8, 0x80, 0x80), 0x40);
        assert_eq!(
            sdivrem(8, 0x80, 0xff, false),
            Err(TrapCode::INTEGER_OVERFLOW)
        );
        assert_eq!(sdivrem(8, 0x80, 0xff, true), Ok(0));
        assert_eq!(sdivrem(128, 1 << 127, u128::MAX, true), Ok(0));
        assert_eq!(
            udivrem(5, 0, false),
            Err(TrapCode::INTEGER_DIVISION_BY_ZERO)
        );
        assert_eq!(sdivrem(32, 0xffff_fff9, 2, false), Ok(0xffff_fffd)); // -7 / 2 = -3
        assert_eq!(sdivrem(32, 0xffff_fff9, 2, true), Ok(0xffff_ffff)); // -7 % 2 = -1
    }

    #[test]
    fn bit_counts_and_rotations() {
        assert_eq!(clz(32, 1), 31);
        assert_eq!(ctz(32, 0), 32);
        assert_eq!(cls(8, 0xff), 7);
        assert_eq!(cls(8, 0x01), 6);
        assert_eq!(rotl(8, 0x81, 1), 0x03);
        assert_eq!(rotr(8, 0x81, 1), 0xc0);
        assert_eq!(rotr(8, 0x81, 8), 0x81);
        assert_eq!(bitrev(8, 1), 0x80);
        assert_eq!(bswap(16, 0x1234), 0x3412);
        assert_eq!(sshr(8, 0x80, 9), 0xc0);
    }

    #[test]
    fn overflow_flags() {
        assert_eq!(add_overflow(8, 0xff, 1, 0, false), (0, true));
        assert_eq!(add_overflow(8, 0x7f, 1, 0, true), (0x80, true));
        assert_eq!(add_overflow(128, u128::MAX, 0, 1, false), (0, true));
        assert_eq!(sub_overflow(8, 0, 1, 0, false), (0xff, true));
        assert_eq!(sub_overflow(8, 0x80, 1, 0, true), (0x7f, true));
        assert_eq!(mul_overflow(8, 16, 16, false), (0, true));
        assert_eq!(mul_overflow(8, 0xff, 0xff, true), (1, false));
        assert!(mul_overflow(128, 1 << 127, u128::MAX, true).1);
    }
}
