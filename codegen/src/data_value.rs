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

    /// The value as it is stored in memory, little-endian, in the low bytes of a 16-byte
    /// slot (the rest zero).
    pub fn to_le_slot(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        let mut put = |b: &[u8]| out[..b.len()].copy_from_slice(b);
        match *self {
            DataValue::I8(x) => put(&x.to_le_bytes()),
            DataValue::I16(x) => put(&x.to_le_bytes()),
            DataValue::I32(x) => put(&x.to_le_bytes()),
            DataValue::I64(x) => put(&x.to_le_bytes()),
            DataValue::I128(x) => put(&x.to_le_bytes()),
            DataValue::F16(x) => put(&x.bits().to_le_bytes()),
            DataValue::F32(x) => put(&x.bits().to_le_bytes()),
            DataValue::F64(x) => put(&x.bits().to_le_bytes()),
            DataValue::F128(x) => put(&x.bits().to_le_bytes()),
            DataValue::V128(b) => put(&b),
            DataValue::V64(b) => put(&b),
        }
        out
    }

    /// The value of type `ty` stored little-endian in the low bytes of `slot`, if `ty`
    /// is a scalar type or a 64- or 128-bit vector.
    pub fn from_le_slot(slot: &[u8; 16], ty: Type) -> Option<DataValue> {
        let b = |n: usize| {
            let mut a = [0u8; 16];
            a[..n].copy_from_slice(&slot[..n]);
            u128::from_le_bytes(a)
        };
        Some(match ty {
            Type::F16 => DataValue::F16(Ieee16::with_bits(b(2) as u16)),
            Type::F32 => DataValue::F32(Ieee32::with_bits(b(4) as u32)),
            Type::F64 => DataValue::F64(Ieee64::with_bits(b(8) as u64)),
            Type::F128 => DataValue::F128(Ieee128::with_bits(b(16))),
            t if t.is_scalar_int() => {
                let bits = t.bits() as usize;
                let x = b(bits / 8);
                // Sign-extend from the type's width.
                let x = ((x << (128 - bits)) as i128) >> (128 - bits);
                DataValue::from_integer(x, t)?
            }
            t if t.is_vector() && t.bits() == 128 => DataValue::V128(*slot),
            t if t.is_vector() && t.bits() == 64 => {
                let mut v = [0u8; 8];
                v.copy_from_slice(&slot[..8]);
                DataValue::V64(v)
            }
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
