//! Typed constant values, as run tests pass to and expect from functions.

use crate::ir::immediates::{Ieee16, Ieee32, Ieee64, Ieee128};
use crate::ir::types::Type;
use core::fmt;

/// A value of a CLIF type, for calling compiled functions and checking their results.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DataValue {
    /// An `i8`.
    I8(i8),
    /// An `i16`.
    I16(i16),
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `i128`.
    I128(i128),
    /// An `f16`, as bits.
    F16(Ieee16),
    /// An `f32`, as bits.
    F32(Ieee32),
    /// An `f64`, as bits.
    F64(Ieee64),
    /// An `f128`, as bits.
    F128(Ieee128),
    /// A 128-bit vector, as its bytes in memory order (lane 0 first).
    V128([u8; 16]),
    /// A 64-bit vector, as its bytes in memory order.
    V64([u8; 8]),
}

impl DataValue {
    /// The type of the value; vectors have no single type and report `I8X16`/`I8X8`.
    pub fn ty(&self) -> Type {
        match self {
            DataValue::I8(_) => Type::I8,
            DataValue::I16(_) => Type::I16,
            DataValue::I32(_) => Type::I32,
            DataValue::I64(_) => Type::I64,
            DataValue::I128(_) => Type::I128,
            DataValue::F16(_) => Type::F16,
            DataValue::F32(_) => Type::F32,
            DataValue::F64(_) => Type::F64,
            DataValue::F128(_) => Type::F128,
            DataValue::V128(_) => Type::I8X16,
            DataValue::V64(_) => Type::I8X8,
        }
    }

    /// The integer `x` truncated to scalar integer type `ty`, if `ty` is one.
    pub fn from_integer(x: i128, ty: Type) -> Option<DataValue> {
        Some(match ty {
            Type::I8 => DataValue::I8(x as i8),
            Type::I16 => DataValue::I16(x as i16),
            Type::I32 => DataValue::I32(x as i32),
            Type::I64 => DataValue::I64(x as i64),
            Type::I128 => DataValue::I128(x),
            _ => return None,
        })
    }

    /// Whether two values are equal, treating any two NaNs of a float type as equal
    /// (run tests compare results this way).
    pub fn eq_or_both_nan(&self, other: &DataValue) -> bool {
        fn nan32(b: u32) -> bool {
            f32::from_bits(b).is_nan()
        }
        fn nan64(b: u64) -> bool {
            f64::from_bits(b).is_nan()
        }
        match (self, other) {
            (DataValue::F32(a), DataValue::F32(b)) => {
                a == b || (nan32(a.bits()) && nan32(b.bits()))
            }
            (DataValue::F64(a), DataValue::F64(b)) => {
                a == b || (nan64(a.bits()) && nan64(b.bits()))
            }
            (DataValue::F16(a), DataValue::F16(b)) => {
                a == b
                    || ((a.bits() & 0x7c00 == 0x7c00 && a.bits() & 0x3ff != 0)
                        && (b.bits() & 0x7c00 == 0x7c00 && b.bits() & 0x3ff != 0))
            }
            _ => self == other,
        }
    }
}

impl fmt::Display for DataValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataValue::I8(x) => write!(f, "{x}"),
            DataValue::I16(x) => write!(f, "{x}"),
            DataValue::I32(x) => write!(f, "{x}"),
            DataValue::I64(x) => write!(f, "{x}"),
            DataValue::I128(x) => write!(f, "{x}"),
            DataValue::F16(x) => write!(f, "{x}"),
            DataValue::F32(x) => write!(f, "{x}"),
            DataValue::F64(x) => write!(f, "{x}"),
            DataValue::F128(x) => write!(f, "{x}"),
            DataValue::V128(bytes) => write_hex_le(f, bytes),
            DataValue::V64(bytes) => write_hex_le(f, bytes),
        }
    }
}

fn write_hex_le(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    f.write_str("0x")?;
    for b in bytes.iter().rev() {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}
