//! Value types: integers, floats, fixed SIMD vectors and dynamic (scalable) vectors.

use core::fmt;

/// The type of an SSA value.
///
/// A type is a lane type (`i8`..`i128`, `f16`..`f128`) with a lane count: 1 for a scalar,
/// a power of two from 2 to 256 for a fixed vector (`i32x4`), or a minimum lane count for
/// a dynamic vector whose real length is a runtime multiple of it (`i32x4xN`).
///
/// Encoding (internal): bits 0..4 the lane kind, bits 4..8 log2 of the lane count, bit 8
/// set for dynamic vectors. `Type::INVALID` (0) is the type of nothing, e.g. the
/// controlling type of a non-polymorphic instruction.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Type(u16);

const LANE_MASK: u16 = 0xf;
const LOG2_LANES_SHIFT: u16 = 4;
const LOG2_LANES_MASK: u16 = 0xf0;
const DYNAMIC: u16 = 0x100;

// Lane kinds.
const K_I8: u16 = 1;
const K_I16: u16 = 2;
const K_I32: u16 = 3;
const K_I64: u16 = 4;
const K_I128: u16 = 5;
const K_F16: u16 = 6;
const K_F32: u16 = 7;
const K_F64: u16 = 8;
const K_F128: u16 = 9;

macro_rules! vector_consts {
    ($($name:ident = $lane:ident x $lanes:literal;)*) => {$(
        #[doc = concat!("A fixed vector of ", stringify!($lanes), " `", stringify!($lane), "` lanes.")]
        pub const $name: Type = Type::$lane.by_const($lanes);
    )*};
}

impl Type {
    /// No type.
    pub const INVALID: Type = Type(0);
    /// 8-bit integer.
    pub const I8: Type = Type(K_I8);
    /// 16-bit integer.
    pub const I16: Type = Type(K_I16);
    /// 32-bit integer.
    pub const I32: Type = Type(K_I32);
    /// 64-bit integer.
    pub const I64: Type = Type(K_I64);
    /// 128-bit integer.
    pub const I128: Type = Type(K_I128);
    /// IEEE 754 binary16.
    pub const F16: Type = Type(K_F16);
    /// IEEE 754 binary32.
    pub const F32: Type = Type(K_F32);
    /// IEEE 754 binary64.
    pub const F64: Type = Type(K_F64);
    /// IEEE 754 binary128.
    pub const F128: Type = Type(K_F128);

    vector_consts! {
        I8X8 = I8 x 8;
        I8X16 = I8 x 16;
        I16X4 = I16 x 4;
        I16X8 = I16 x 8;
        I32X2 = I32 x 2;
        I32X4 = I32 x 4;
        I64X2 = I64 x 2;
        F16X8 = F16 x 8;
        F32X2 = F32 x 2;
        F32X4 = F32 x 4;
        F64X2 = F64 x 2;
    }

    const fn by_const(self, lanes: u16) -> Type {
        Type(self.0 | ((lanes.trailing_zeros() as u16) << LOG2_LANES_SHIFT))
    }

    fn kind(self) -> u16 {
        self.0 & LANE_MASK
    }

    /// The raw encoding, for hashing and serialization.
    pub fn repr(self) -> u16 {
        self.0
    }

    /// The scalar lane type: `i32` for `i32x4`, itself for scalars.
    pub fn lane_type(self) -> Type {
        Type(self.kind())
    }

    /// The bits of one lane; 0 for `INVALID`.
    pub fn lane_bits(self) -> u32 {
        match self.kind() {
            K_I8 => 8,
            K_I16 | K_F16 => 16,
            K_I32 | K_F32 => 32,
            K_I64 | K_F64 => 64,
            K_I128 | K_F128 => 128,
            _ => 0,
        }
    }

    /// log2 of the (minimum) lane count.
    pub fn log2_lane_count(self) -> u32 {
        ((self.0 & LOG2_LANES_MASK) >> LOG2_LANES_SHIFT) as u32
    }

    /// The lane count: 1 for scalars; the minimum lane count for dynamic vectors.
    pub fn lane_count(self) -> u32 {
        1 << self.log2_lane_count()
    }

    /// The size in bits (the minimum size for dynamic vectors).
    pub fn bits(self) -> u32 {
        self.lane_bits() * self.lane_count()
    }

    /// The size in bytes (the minimum size for dynamic vectors).
    pub fn bytes(self) -> u32 {
        self.bits().div_ceil(8)
    }

    /// Whether this is `INVALID`.
    pub fn is_invalid(self) -> bool {
        self.0 == 0
    }

    /// Whether this is a scalar or vector with integer lanes.
    pub fn is_int(self) -> bool {
        (K_I8..=K_I128).contains(&self.kind())
    }

    /// Whether this is a scalar or vector with float lanes.
    pub fn is_float(self) -> bool {
        (K_F16..=K_F128).contains(&self.kind())
    }

    /// Whether this is a scalar integer, `i8` to `i128` (not a vector of integers).
    pub fn is_scalar_int(self) -> bool {
        self.is_scalar() && self.is_int()
    }

    /// Whether this is a scalar (one lane, not dynamic).
    pub fn is_scalar(self) -> bool {
        !self.is_invalid() && self.0 & (LOG2_LANES_MASK | DYNAMIC) == 0
    }

    /// Whether this is a fixed vector (more than one lane, not dynamic).
    pub fn is_vector(self) -> bool {
        self.0 & LOG2_LANES_MASK != 0 && self.0 & DYNAMIC == 0
    }

    /// Whether this is a fixed vector of 128 bits (`i8x16` ... `f64x2`), the width of an
    /// SSE, NEON or z/Architecture vector register.
    pub fn is_vector128(self) -> bool {
        self.is_vector() && self.bits() == 128
    }

    /// Whether this is a dynamic vector.
    pub fn is_dynamic_vector(self) -> bool {
        self.0 & DYNAMIC != 0
    }

    /// The fixed vector of `lanes` lanes of this scalar type, if `lanes` is a power of two
    /// from 2 to 256 and `self` is a scalar.
    pub fn by(self, lanes: u32) -> Option<Type> {
        if !self.is_scalar() || !lanes.is_power_of_two() || !(2..=256).contains(&lanes) {
            return None;
        }
        Some(Type(
            self.0 | ((lanes.trailing_zeros() as u16) << LOG2_LANES_SHIFT),
        ))
    }

    /// A type with the same lane count and `lane` as its lane type.
    pub fn replace_lanes(self, lane: Type) -> Type {
        debug_assert!(lane.is_scalar());
        Type((self.0 & !LANE_MASK) | lane.kind())
    }

    /// The integer type of the same lane width and count (`f32x4` gives `i32x4`).
    pub fn as_int(self) -> Type {
        let lane = match self.lane_bits() {
            8 => K_I8,
            16 => K_I16,
            32 => K_I32,
            64 => K_I64,
            128 => K_I128,
            _ => return Type::INVALID,
        };
        Type((self.0 & !LANE_MASK) | lane)
    }

    /// The type of a comparison result on this type: `i8` for scalars, the integer
    /// vector of the same lane width for vectors.
    pub fn as_truthy(self) -> Type {
        if self.is_scalar() {
            Type::I8
        } else {
            self.as_int()
        }
    }

    /// The type with lanes of half the width and the same count (`i64` → `i32`).
    pub fn half_width(self) -> Option<Type> {
        let lane = match self.kind() {
            K_I16 => K_I8,
            K_I32 => K_I16,
            K_I64 => K_I32,
            K_I128 => K_I64,
            K_F32 => K_F16,
            K_F64 => K_F32,
            K_F128 => K_F64,
            _ => return None,
        };
        Some(Type((self.0 & !LANE_MASK) | lane))
    }

    /// The type with lanes of twice the width and the same count (`i32` → `i64`).
    pub fn double_width(self) -> Option<Type> {
        let lane = match self.kind() {
            K_I8 => K_I16,
            K_I16 => K_I32,
            K_I32 => K_I64,
            K_I64 => K_I128,
            K_F16 => K_F32,
            K_F32 => K_F64,
            K_F64 => K_F128,
            _ => return None,
        };
        Some(Type((self.0 & !LANE_MASK) | lane))
    }

    /// Half-width lanes, twice as many (`i32x4` → `i16x8`).
    pub fn split_lanes(self) -> Option<Type> {
        let t = self.half_width()?;
        if self.log2_lane_count() >= 8 {
            return None;
        }
        Some(Type(t.0 + (1 << LOG2_LANES_SHIFT)))
    }

    /// Double-width lanes, half as many (`i16x8` → `i32x4`).
    pub fn merge_lanes(self) -> Option<Type> {
        let t = self.double_width()?;
        if self.log2_lane_count() == 0 {
            return None;
        }
        Some(Type(t.0 - (1 << LOG2_LANES_SHIFT)))
    }

    /// The dynamic vector with this fixed vector as its minimum (`i32x4` → `i32x4xN`).
    pub fn vector_to_dynamic(self) -> Option<Type> {
        self.is_vector().then_some(Type(self.0 | DYNAMIC))
    }

    /// The fixed vector that is the minimum of this dynamic vector (`i32x4xN` → `i32x4`).
    pub fn dynamic_to_vector(self) -> Option<Type> {
        self.is_dynamic_vector().then_some(Type(self.0 & !DYNAMIC))
    }

    /// The integer type of `bits` bits, if there is one.
    pub fn int(bits: u32) -> Option<Type> {
        Some(match bits {
            8 => Type::I8,
            16 => Type::I16,
            32 => Type::I32,
            64 => Type::I64,
            128 => Type::I128,
            _ => return None,
        })
    }

    /// The integer type with `bytes` bytes, if there is one.
    pub fn int_with_byte_size(bytes: u32) -> Option<Type> {
        Type::int(bytes.checked_mul(8)?)
    }

    /// Parses the text form of a type (`i32`, `f64x2`, `i8x16xN`).
    pub fn parse(s: &str) -> Option<Type> {
        let (s, dynamic) = match s.strip_suffix("xN") {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        let (lane, lanes) = match s.split_once('x') {
            Some((lane, n)) => {
                // Reject signs, leading zeros and other oddities.
                if n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (lane, n.parse::<u32>().ok()?)
            }
            None => (s, 1),
        };
        let scalar = match lane {
            "i8" => Type::I8,
            "i16" => Type::I16,
            "i32" => Type::I32,
            "i64" => Type::I64,
            "i128" => Type::I128,
            "f16" => Type::F16,
            "f32" => Type::F32,
            "f64" => Type::F64,
            "f128" => Type::F128,
            _ => return None,
        };
        let t = if lanes == 1 && !s.contains('x') {
            scalar
        } else {
            scalar.by(lanes)?
        };
        if dynamic {
            t.vector_to_dynamic()
        } else {
            Some(t)
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lane = match self.kind() {
            K_I8 => "i8",
            K_I16 => "i16",
            K_I32 => "i32",
            K_I64 => "i64",
            K_I128 => "i128",
            K_F16 => "f16",
            K_F32 => "f32",
            K_F64 => "f64",
            K_F128 => "f128",
            _ => return write!(f, "INVALID"),
        };
        f.write_str(lane)?;
        if self.lane_count() > 1 {
            write!(f, "x{}", self.lane_count())?;
        }
        if self.is_dynamic_vector() {
            f.write_str("xN")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn queries() {
        assert_eq!(Type::I32X4.lane_type(), Type::I32);
        assert_eq!(Type::I32X4.lane_count(), 4);
        assert_eq!(Type::I32X4.bits(), 128);
        assert_eq!(Type::I8X16.bytes(), 16);
        assert!(Type::F64X2.is_float() && Type::F64X2.is_vector());
        assert!(Type::I128.is_int() && Type::I128.is_scalar());
        assert_eq!(Type::F32X4.as_int(), Type::I32X4);
        assert_eq!(Type::F64.as_truthy(), Type::I8);
        assert_eq!(Type::F64X2.as_truthy(), Type::I64X2);
        assert_eq!(Type::I64.half_width(), Some(Type::I32));
        assert_eq!(Type::I8.half_width(), None);
        assert_eq!(Type::I32X4.split_lanes(), Some(Type::I16X8));
        assert_eq!(Type::I16X8.merge_lanes(), Some(Type::I32X4));
        assert_eq!(Type::I32.merge_lanes(), None);
        let dynamic = Type::I32X4.vector_to_dynamic().unwrap();
        assert!(dynamic.is_dynamic_vector() && !dynamic.is_vector());
        assert_eq!(dynamic.dynamic_to_vector(), Some(Type::I32X4));
        assert_eq!(Type::I8.by(512), None);
        assert_eq!(Type::I8.by(3), None);
    }

    #[test]
    fn text_round_trip() {
        for text in [
            "i8", "i128", "f16", "f128", "i8x16", "f64x2", "i64x256", "i32x4xN", "f32x2",
        ] {
            let t = Type::parse(text).unwrap();
            assert_eq!(t.to_string(), text);
        }
        for bad in [
            "i7", "i32x3", "i32x1", "i32x", "x4", "i32x04", "i32x4xn", "", "f32x+2", "i8x512",
        ] {
            assert_eq!(Type::parse(bad), None, "{bad}");
        }
        assert_eq!(Type::INVALID.to_string(), "INVALID");
    }
}
