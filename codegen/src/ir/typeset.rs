//! Sets of types that an opcode's operands and results may have.

use super::types::Type;

/// A set of value types: which integer and float lane widths, with which lane counts
/// (scalars, fixed vectors, dynamic vectors).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TypeSet {
    /// Bit `i`: integer lanes of `8 << i` bits (i8..i128).
    pub ints: u8,
    /// Bit `i`: float lanes of `16 << i` bits (f16..f128).
    pub floats: u8,
    /// Bit `i`: `1 << i` lanes (bit 0: scalars), for fixed vectors.
    pub lanes: u16,
    /// Bit `i`: dynamic vectors of at least `1 << i` lanes.
    pub dynamic_lanes: u16,
}

/// Bits `lo..=hi` set.
const fn range(lo: u32, hi: u32) -> u16 {
    (((1u32 << (hi + 1)) - 1) & !((1u32 << lo) - 1)) as u16
}

/// Width bits for lane widths `lo..=hi` bits (powers of two, `base` the smallest width).
const fn widths(lo: u32, hi: u32, base: u32) -> u8 {
    range(
        lo.trailing_zeros() - base.trailing_zeros(),
        hi.trailing_zeros() - base.trailing_zeros(),
    ) as u8
}

const SCALAR: u16 = 1;
const ALL_LANES: u16 = range(0, 8);
const VECTOR_LANES: u16 = range(1, 8);

impl TypeSet {
    const fn new(ints: u8, floats: u8, lanes: u16, dynamic_lanes: u16) -> TypeSet {
        TypeSet {
            ints,
            floats,
            lanes,
            dynamic_lanes,
        }
    }

    /// Scalar integers of `lo..=hi` bits.
    pub const fn scalar_ints(lo: u32, hi: u32) -> TypeSet {
        TypeSet::new(widths(lo, hi, 8), 0, SCALAR, 0)
    }

    /// Exactly the type `lane x lanes` (fixed vector or scalar).
    const fn exactly_int(bits: u32, lanes: u32) -> TypeSet {
        TypeSet::new(widths(bits, bits, 8), 0, 1 << lanes.trailing_zeros(), 0)
    }

    const fn exactly_float(bits: u32, lanes: u32) -> TypeSet {
        TypeSet::new(0, widths(bits, bits, 16), 1 << lanes.trailing_zeros(), 0)
    }

    /// The only type in the set, if it has exactly one.
    pub fn singleton(self) -> Option<Type> {
        if self.dynamic_lanes != 0 || self.lanes.count_ones() != 1 {
            return None;
        }
        let lanes = 1u32 << self.lanes.trailing_zeros();
        let lane = match (self.ints.count_ones(), self.floats.count_ones()) {
            (1, 0) => Type::int(8 << self.ints.trailing_zeros())?,
            (0, 1) => match self.floats.trailing_zeros() {
                0 => Type::F16,
                1 => Type::F32,
                2 => Type::F64,
                _ => Type::F128,
            },
            _ => return None,
        };
        if lanes == 1 {
            Some(lane)
        } else {
            lane.by(lanes)
        }
    }

    /// Whether `t` is in the set.
    pub fn contains(self, t: Type) -> bool {
        let lane = t.lane_type();
        let bits = lane.lane_bits();
        if bits == 0 {
            return false;
        }
        let width_ok = if lane.is_int() {
            self.ints & (1 << ((bits / 8).trailing_zeros())) != 0
        } else {
            self.floats & (1 << ((bits / 16).trailing_zeros())) != 0
        };
        let lanes_bit = 1 << t.log2_lane_count();
        let lanes_ok = if t.is_dynamic_vector() {
            self.dynamic_lanes & lanes_bit != 0
        } else {
            self.lanes & lanes_bit != 0
        };
        width_ok && lanes_ok
    }
}

/// Integer scalars and vectors of any width, including dynamic vectors.
pub const INT: TypeSet = TypeSet::new(0x1f, 0, ALL_LANES, ALL_LANES);
/// Integer scalars and fixed vectors.
pub const INT_FIXED: TypeSet = TypeSet::new(0x1f, 0, ALL_LANES, 0);
/// Scalar integers of any width.
pub const IB: TypeSet = TypeSet::scalar_ints(8, 128);
/// Scalar integers up to 64 bits.
pub const NARROW_INT: TypeSet = TypeSet::scalar_ints(8, 64);
/// Address-sized scalar integers: `i32`, `i64`.
pub const IADDR: TypeSet = TypeSet::scalar_ints(32, 64);
/// Scalar integers of 16 to 128 bits.
pub const WIDE_INT: TypeSet = TypeSet::scalar_ints(16, 128);
/// Scalar integers wider than 8 bits and at most 64.
pub const IEXT8: TypeSet = TypeSet::scalar_ints(16, 64);
/// Scalar integers wider than 16 bits and at most 64.
pub const IEXT16: TypeSet = TypeSet::scalar_ints(32, 64);
/// `i64`.
pub const IEXT32: TypeSet = TypeSet::scalar_ints(64, 64);
/// Integer types usable in atomic operations.
pub const ATOMIC_MEM: TypeSet = TypeSet::scalar_ints(8, 128);
/// Integers and floats, scalar or fixed vector.
pub const ANY: TypeSet = TypeSet::new(0x1f, 0xf, ALL_LANES, 0);
/// Any type with a memory representation, including dynamic vectors.
pub const MEM: TypeSet = TypeSet::new(0x1f, 0xf, ALL_LANES, ALL_LANES);
/// Floats, scalar or vector, including dynamic vectors.
pub const FLOAT: TypeSet = TypeSet::new(0, 0xf, ALL_LANES, ALL_LANES);
/// Floats, scalar or fixed vector.
pub const FLOAT_FIXED: TypeSet = TypeSet::new(0, 0xf, ALL_LANES, 0);
/// Scalar floats.
pub const FLOAT_SCALAR: TypeSet = TypeSet::new(0, 0xf, SCALAR, 0);
/// Fixed vectors of integers or floats (and dynamic vectors).
pub const TXN: TypeSet = TypeSet::new(0x1f, 0xf, VECTOR_LANES, ALL_LANES);
/// Fixed vectors of integers or floats.
pub const TXN_FIXED: TypeSet = TypeSet::new(0x1f, 0xf, VECTOR_LANES, 0);
/// Fixed vectors of integers.
pub const IXN: TypeSet = TypeSet::new(0x1f, 0, VECTOR_LANES, 0);
/// Dynamic vectors of integers or floats.
pub const DYN_TXN: TypeSet = TypeSet::new(0x1f, 0xf, 0, ALL_LANES);
/// `i8x16`.
pub const I8X16: TypeSet = TypeSet::exactly_int(8, 16);
/// `i16x8`.
pub const I16X8: TypeSet = TypeSet::exactly_int(16, 8);
/// `i32x4`.
pub const I32X4: TypeSet = TypeSet::exactly_int(32, 4);
/// `i64x2`.
pub const I64X2: TypeSet = TypeSet::exactly_int(64, 2);
/// `f32x4`.
pub const F32X4: TypeSet = TypeSet::exactly_float(32, 4);
/// `f64x2`.
pub const F64X2: TypeSet = TypeSet::exactly_float(64, 2);
/// Vectors of 4 or 8 lanes of 16- or 32-bit integers.
pub const I16_OR_32: TypeSet = TypeSet::new(widths(16, 32, 8), 0, range(2, 3), 0);
/// Vectors of 2 to 8 lanes of 16- to 64-bit integers (for the narrowing opcodes).
pub const I16_TO_64_X_N: TypeSet = TypeSet::new(widths(16, 64, 8), 0, range(1, 3), range(1, 3));
/// Vectors of 2 to 16 lanes of 8- to 32-bit integers (for the widening opcodes).
pub const I8_TO_32_X_N: TypeSet = TypeSet::new(widths(8, 32, 8), 0, range(1, 4), range(1, 4));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership() {
        assert!(INT.contains(Type::I8) && INT.contains(Type::I32X4));
        assert!(INT.contains(Type::I32X4.vector_to_dynamic().unwrap()));
        assert!(!INT_FIXED.contains(Type::I32X4.vector_to_dynamic().unwrap()));
        assert!(!INT.contains(Type::F32));
        assert!(IADDR.contains(Type::I64) && !IADDR.contains(Type::I16));
        assert!(
            IEXT8.contains(Type::I16) && !IEXT8.contains(Type::I8) && !IEXT8.contains(Type::I128)
        );
        assert!(TXN.contains(Type::F64X2) && !TXN.contains(Type::F64));
        assert!(I16_OR_32.contains(Type::I16X8) && I16_OR_32.contains(Type::I32X4));
        assert!(!I16_OR_32.contains(Type::I64X2) && !I16_OR_32.contains(Type::I32));
        assert!(I8X16.contains(Type::I8X16) && !I8X16.contains(Type::I16X8));
        assert!(F32X4.contains(Type::F32X4) && !F32X4.contains(Type::I32X4));
        assert!(I8_TO_32_X_N.contains(Type::I8X16) && !I8_TO_32_X_N.contains(Type::I64X2));
        assert!(FLOAT_SCALAR.contains(Type::F128) && !FLOAT_SCALAR.contains(Type::F32X4));
        assert!(!ANY.contains(Type::INVALID));
        assert_eq!(IEXT32.singleton(), Some(Type::I64));
        assert_eq!(I16X8.singleton(), Some(Type::I16X8));
        assert_eq!(F32X4.singleton(), Some(Type::F32X4));
        assert_eq!(IADDR.singleton(), None);
    }
}
