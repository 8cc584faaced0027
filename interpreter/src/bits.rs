//! Values as bits: every SSA value is a `u128` holding its type's bits (zero above them);
//! a vector holds lane `i` at bits `[i * w, (i + 1) * w)` for lane width `w`.

use gantry_codegen::ir::Type;

/// The low `bits` bits set.
pub fn mask(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// `x`'s low `bits` bits as a signed number.
pub fn sext(x: u128, bits: u32) -> i128 {
    let s = 128 - bits;
    ((x << s) as i128) >> s
}

/// Lane `i` of width `w`.
pub fn lane(x: u128, w: u32, i: u32) -> u128 {
    (x >> (w * i)) & mask(w)
}

/// `x` with lane `i` of width `w` replaced by `v`.
pub fn with_lane(x: u128, w: u32, i: u32, v: u128) -> u128 {
    let sh = w * i;
    (x & !(mask(w) << sh)) | ((v & mask(w)) << sh)
}

/// Applies `f` to each lane of `a` (a scalar is one lane).
pub fn map1(ty: Type, a: u128, f: impl Fn(u128) -> u128) -> u128 {
    let w = ty.lane_bits();
    (0..ty.lane_count()).fold(0, |acc, i| with_lane(acc, w, i, f(lane(a, w, i))))
}

/// Applies `f` to each pair of lanes of `a` and `b`.
pub fn map2(ty: Type, a: u128, b: u128, f: impl Fn(u128, u128) -> u128) -> u128 {
    let w = ty.lane_bits();
    (0..ty.lane_count()).fold(0, |acc, i| {
        with_lane(acc, w, i, f(lane(a, w, i), lane(b, w, i)))
    })
}

/// As [`map2`], for an operation that may fail (a trap).
pub fn try_map2<E>(
    ty: Type,
    a: u128,
    b: u128,
    f: impl Fn(u128, u128) -> Result<u128, E>,
) -> Result<u128, E> {
    let w = ty.lane_bits();
    let mut acc = 0;
    for i in 0..ty.lane_count() {
        acc = with_lane(acc, w, i, f(lane(a, w, i), lane(b, w, i))?);
    }
    Ok(acc)
}

/// A boolean as a lane of width `w`: all ones or zero (vector comparisons).
pub fn lane_bool(b: bool, w: u32) -> u128 {
    if b { mask(w) } else { 0 }
}

/// `raw`, a `ty` as little-endian bytes, as `big`-endian bytes if `big` (each lane's bytes
/// reversed, the lanes in place).
pub fn byte_order(raw: u128, ty: Type, big: bool) -> u128 {
    if !big {
        return raw;
    }
    let w = ty.lane_bits();
    (0..ty.lane_count()).fold(0, |r, i| {
        with_lane(r, w, i, lane(raw, w, i).swap_bytes() >> (128 - w))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_and_signs() {
        assert_eq!(sext(0xff, 8), -1);
        assert_eq!(sext(0x7f, 8), 127);
        assert_eq!(sext(u128::MAX, 128), -1);
        let v = with_lane(0, 16, 3, 0xabcd);
        assert_eq!(lane(v, 16, 3), 0xabcd);
        assert_eq!(v, 0xabcd << 48);
        assert_eq!(
            map1(Type::I8X16, 0x0102, |x| x + 1),
            0x0101_0101_0101_0101_0101_0101_0101_0203
        );
        assert_eq!(map2(Type::I128, 5, 7, |a, b| a * b), 35);
    }
}
