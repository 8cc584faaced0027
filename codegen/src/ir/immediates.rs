//! Immediate operands: integers, offsets, IEEE floats of every width, 128-bit vectors.
//!
//! Each type has a canonical text form (its `Display`) and a parser accepting that form
//! and the other spellings CLIF allows (decimal or hex integers with `_` separators,
//! decimal or hex floats, `Inf`, `NaN` with payloads).

use alloc::string::String;
use core::fmt::{self, Write};

/// A 64-bit integer immediate, e.g. of `iconst` (stored zero-extended from the type's
/// width) or of the legacy `*_imm` sugar.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Imm64(i64);

impl Imm64 {
    /// The immediate `x`.
    pub const fn new(x: i64) -> Imm64 {
        Imm64(x)
    }

    /// The value as a signed integer.
    pub fn bits(self) -> i64 {
        self.0
    }

    /// Keeps only the low `bits` bits (zero-extends from `bits`).
    pub fn mask_to_width(self, bits: u32) -> Imm64 {
        if bits >= 64 {
            self
        } else {
            Imm64(self.0 & ((1i64 << bits) - 1))
        }
    }

    /// Sign-extends from the low `bits` bits.
    pub fn sign_extend_from_width(self, bits: u32) -> Imm64 {
        if bits >= 64 || bits == 0 {
            self
        } else {
            let shift = 64 - bits;
            Imm64((self.0 << shift) >> shift)
        }
    }

    /// Parses a decimal or `0x` hex integer with optional sign and `_` separators that
    /// fits in 64 bits (as signed or unsigned).
    pub fn parse(s: &str) -> Option<Imm64> {
        parse_i64_or_u64(s).map(Imm64)
    }
}

impl From<i64> for Imm64 {
    fn from(x: i64) -> Imm64 {
        Imm64(x)
    }
}

impl fmt::Display for Imm64 {
    /// Small values in decimal, others in signed hex grouped by 4 digits (`-0x8000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if (-10_000..10_000).contains(&x) {
            write!(f, "{x}")
        } else if x < 0 {
            f.write_str("-")?;
            write_grouped_hex(f, x.unsigned_abs())
        } else {
            write_grouped_hex(f, x as u64)
        }
    }
}

impl fmt::Debug for Imm64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Writes `0x` and the hex digits of `x`, `_` between groups of four.
pub(crate) fn write_grouped_hex(f: &mut dyn Write, x: u64) -> fmt::Result {
    let digits = if x == 0 {
        1
    } else {
        (64 - x.leading_zeros()).div_ceil(4)
    };
    f.write_str("0x")?;
    for i in (0..digits).rev() {
        write!(f, "{:x}", (x >> (4 * i)) & 0xf)?;
        if i > 0 && i % 4 == 0 {
            f.write_char('_')?;
        }
    }
    Ok(())
}

/// The digits of an integer literal: sign, radix and digits without `_`.
fn split_int(s: &str) -> Option<(bool, u32, String)> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        Some(hex) => (16, hex),
        None => (10, rest),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() || !clean.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some((neg, radix, clean))
}

/// Parses an integer that fits in 64 bits as a signed or an unsigned number; returns its
/// 64-bit pattern.
pub fn parse_i64_or_u64(s: &str) -> Option<i64> {
    let (neg, radix, digits) = split_int(s)?;
    let magnitude = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if magnitude > 1 << 63 {
            return None;
        }
        Some((magnitude as i64).wrapping_neg())
    } else {
        Some(magnitude as i64)
    }
}

/// Parses an integer that fits in 128 bits as a signed or an unsigned number; returns its
/// 128-bit pattern.
pub fn parse_i128_or_u128(s: &str) -> Option<i128> {
    let (neg, radix, digits) = split_int(s)?;
    let magnitude = u128::from_str_radix(&digits, radix).ok()?;
    if neg {
        if magnitude > 1 << 127 {
            return None;
        }
        Some((magnitude as i128).wrapping_neg())
    } else {
        Some(magnitude as i128)
    }
}

/// An 8-bit unsigned immediate, e.g. a lane index.
pub type Uimm8 = u8;

/// A 32-bit unsigned immediate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Uimm32(pub u32);

impl fmt::Display for Uimm32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 10_000 {
            write!(f, "{}", self.0)
        } else {
            write_grouped_hex(f, self.0.into())
        }
    }
}

/// A signed 32-bit byte offset of a memory access (`v0+8`, `v1-4`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Offset32(i32);

impl From<i32> for Offset32 {
    fn from(x: i32) -> Offset32 {
        Offset32(x)
    }
}

impl Offset32 {
    /// The offset `x` bytes.
    pub const fn new(x: i32) -> Offset32 {
        Offset32(x)
    }

    /// The offset in bytes.
    pub fn bytes(self) -> i32 {
        self.0
    }

    /// Parses `+N` or `-N` (decimal or hex).
    pub fn parse(s: &str) -> Option<Offset32> {
        if !(s.starts_with('+') || s.starts_with('-')) {
            return None;
        }
        let x = parse_i64_or_u64(s)?;
        let x = if s.starts_with('-') {
            x
        } else {
            i64::try_from(x as u64).ok()?
        };
        i32::try_from(x).ok().map(Offset32)
    }
}

impl fmt::Display for Offset32 {
    /// Empty for 0, else the signed offset (`+8`, `-16`); the form that follows an address.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => Ok(()),
            x if x > 0 => write!(f, "+{x}"),
            x => write!(f, "{x}"),
        }
    }
}

/// The field widths of an IEEE 754 binary format.
#[derive(Clone, Copy)]
struct FloatFormat {
    exponent_bits: u32,
    mantissa_bits: u32,
}

impl FloatFormat {
    const F16: FloatFormat = FloatFormat {
        exponent_bits: 5,
        mantissa_bits: 10,
    };
    const F32: FloatFormat = FloatFormat {
        exponent_bits: 8,
        mantissa_bits: 23,
    };
    const F64: FloatFormat = FloatFormat {
        exponent_bits: 11,
        mantissa_bits: 52,
    };
    const F128: FloatFormat = FloatFormat {
        exponent_bits: 15,
        mantissa_bits: 112,
    };

    fn bias(self) -> i32 {
        (1 << (self.exponent_bits - 1)) - 1
    }
    fn max_exp_field(self) -> u128 {
        (1 << self.exponent_bits) - 1
    }
    fn mantissa_mask(self) -> u128 {
        (1 << self.mantissa_bits) - 1
    }
    fn sign_bit(self) -> u128 {
        1 << (self.exponent_bits + self.mantissa_bits)
    }

    /// Writes `bits` in CLIF's float syntax: `0x1.8p1`, `-0.0`, `+Inf`, `+NaN:0x1`.
    fn write(self, f: &mut fmt::Formatter<'_>, bits: u128) -> fmt::Result {
        let t = self.mantissa_bits;
        let negative = bits & self.sign_bit() != 0;
        let exp = (bits >> t) & self.max_exp_field();
        let mant = bits & self.mantissa_mask();
        let sign = if negative { "-" } else { "+" };
        if exp == self.max_exp_field() {
            if mant == 0 {
                return write!(f, "{sign}Inf");
            }
            let quiet = 1u128 << (t - 1);
            let payload = mant & !quiet;
            return match (mant & quiet != 0, payload) {
                (true, 0) => write!(f, "{sign}NaN"),
                (true, p) => write!(f, "{sign}NaN:{p:#x}"),
                (false, p) => write!(f, "{sign}sNaN:{p:#x}"),
            };
        }
        let sign = if negative { "-" } else { "" };
        if exp == 0 && mant == 0 {
            return write!(f, "{sign}0.0");
        }
        let digits = t.div_ceil(4) as usize;
        let frac = mant << (digits as u32 * 4 - t);
        let (lead, e) = if exp == 0 {
            (0, 1 - self.bias())
        } else {
            (1, exp as i32 - self.bias())
        };
        write!(f, "{sign}0x{lead}.{frac:0digits$x}p{e}")
    }

    /// Parses CLIF's float syntax, or a decimal float for the 32- and 64-bit formats.
    fn parse(self, s: &str) -> Option<u128> {
        let (negative, body) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let sign = if negative { self.sign_bit() } else { 0 };
        let t = self.mantissa_bits;
        let inf = self.max_exp_field() << t;
        let magnitude = if body == "Inf" {
            inf
        } else if body == "NaN" {
            inf | (1 << (t - 1))
        } else if let Some(p) = body.strip_prefix("NaN:") {
            let payload = parse_hex_u128(p)?;
            if payload >= 1 << (t - 1) {
                return None;
            }
            inf | (1 << (t - 1)) | payload
        } else if let Some(p) = body.strip_prefix("sNaN:") {
            let payload = parse_hex_u128(p)?;
            if payload == 0 || payload >= 1 << (t - 1) {
                return None;
            }
            inf | payload
        } else if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            self.parse_hex_magnitude(hex)?
        } else {
            self.parse_decimal_magnitude(body)?
        };
        Some(sign | magnitude)
    }

    /// `h.hhhp±d` with the significand and exponent in hex and decimal.
    fn parse_hex_magnitude(self, s: &str) -> Option<u128> {
        let (mantissa, exp) = match s.find(['p', 'P']) {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => (s, "0"),
        };
        let exp: i64 = {
            let e = exp.strip_prefix('+').unwrap_or(exp);
            if e.is_empty() || e == "-" {
                return None;
            }
            e.parse().ok()?
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let mut sig: u128 = 0;
        let mut digits_after_point: i64 = 0;
        let mut sticky = false;
        for (i, c) in int_part.chars().chain(frac_part.chars()).enumerate() {
            if c == '_' {
                continue;
            }
            let d = c.to_digit(16)?;
            let after_point = i >= int_part.len();
            if sig >> 124 != 0 {
                // More digits than 128 bits hold: keep their weight, remember non-zeros.
                sticky |= d != 0;
                if !after_point {
                    digits_after_point -= 1;
                }
                continue;
            }
            sig = (sig << 4) | d as u128;
            if after_point {
                digits_after_point += 1;
            }
        }
        self.round_binary(sig, sticky, exp.checked_sub(4 * digits_after_point)?)
    }

    /// Rounds `sig * 2^e2` (with `sticky` set if lower non-zero bits were dropped) to
    /// this format, to nearest, ties to even. `None` if it overflows to infinity or a
    /// non-zero value rounds to zero.
    fn round_binary(self, sig: u128, sticky: bool, e2: i64) -> Option<u128> {
        if sig == 0 {
            return (!sticky).then_some(0);
        }
        let t = self.mantissa_bits as i64;
        let emin = 1 - self.bias() as i64;
        let emax = self.bias() as i64;
        let n = 128 - sig.leading_zeros() as i64;
        let top = e2 + n - 1; // exponent of the leading bit
        // The exponent of the least significant mantissa bit we keep.
        let lsb = if top >= emin { top - t } else { emin - t };
        let shift = lsb - e2; // how many low bits of `sig` fall below the kept precision
        let mut m = if shift <= 0 {
            let s = (-shift) as u32;
            if s >= 128 || (sig << s) >> s != sig {
                return None;
            }
            sig << s
        } else if shift >= 129 {
            return None; // rounds to zero
        } else {
            let s = shift as u32;
            let kept = if s == 128 { 0 } else { sig >> s };
            let rem_mask = if s == 128 {
                u128::MAX
            } else {
                (1u128 << s) - 1
            };
            let rem = sig & rem_mask;
            let half = 1u128 << (s - 1);
            let round_up = rem > half || (rem == half && (sticky || kept & 1 == 1));
            kept + u128::from(round_up)
        };
        if m == 0 {
            return None;
        }
        let mut exp_field: i64 = if top >= emin {
            top + self.bias() as i64
        } else {
            0
        };
        if exp_field == 0 {
            // Subnormal; rounding may carry into the smallest normal.
            if m >> t != 0 {
                exp_field = 1;
            }
        } else if m >> (t + 1) != 0 {
            m >>= 1;
            exp_field += 1;
        }
        if exp_field > emax + self.bias() as i64 {
            return None;
        }
        Some(((exp_field as u128) << t) | (m & self.mantissa_mask()))
    }

    fn parse_decimal_magnitude(self, s: &str) -> Option<u128> {
        // Only digits, one point and an exponent: no `inf`/`nan` spellings of Rust's parser.
        if s.is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
            || !s.as_bytes()[0].is_ascii_digit()
        {
            return None;
        }
        let x: f64 = s.parse().ok()?;
        let bits = x.to_bits();
        // Re-round the f64 to this format: exact for f64 and f128.
        let f64_sig = (bits & ((1 << 52) - 1)) as u128;
        let f64_exp = ((bits >> 52) & 0x7ff) as i64;
        if f64_exp == 0x7ff {
            return None;
        }
        let (sig, e2) = if f64_exp == 0 {
            (f64_sig, -1074)
        } else {
            (f64_sig | (1 << 52), f64_exp - 1075)
        };
        if self.mantissa_bits == 23 {
            // Decimal → f32 directly avoids double rounding.
            let y: f32 = s.parse().ok()?;
            return y.is_finite().then_some(y.to_bits() as u128);
        }
        self.round_binary(sig, false, e2)
    }
}

fn parse_hex_u128(s: &str) -> Option<u128> {
    let digits = s.strip_prefix("0x")?;
    if digits.is_empty() {
        return None;
    }
    u128::from_str_radix(&digits.replace('_', ""), 16).ok()
}

macro_rules! ieee {
    ($(#[$doc:meta])* $name:ident($bits:ty), $format:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub struct $name($bits);

        impl $name {
            /// The float with bit pattern `bits`.
            pub const fn with_bits(bits: $bits) -> Self {
                Self(bits)
            }

            /// The bit pattern.
            pub fn bits(self) -> $bits {
                self.0
            }

            /// Parses `0x1.8p1`, `-0x0.1p-14`, `1.5`, `+Inf`, `-NaN`, `+NaN:0x1`,
            /// `+sNaN:0x1`. `None` if the text is malformed or the value is out of range.
            pub fn parse(s: &str) -> Option<Self> {
                $format.parse(s).map(|b| Self(b as $bits))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                $format.write(f, self.0 as u128)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }
    };
}

ieee!(
    /// An IEEE 754 binary16 immediate, stored as its bits.
    Ieee16(u16),
    FloatFormat::F16
);
ieee!(
    /// An IEEE 754 binary32 immediate, stored as its bits.
    Ieee32(u32),
    FloatFormat::F32
);
ieee!(
    /// An IEEE 754 binary64 immediate, stored as its bits.
    Ieee64(u64),
    FloatFormat::F64
);
ieee!(
    /// An IEEE 754 binary128 immediate, stored as its bits.
    Ieee128(u128),
    FloatFormat::F128
);

impl From<f32> for Ieee32 {
    fn from(x: f32) -> Self {
        Ieee32(x.to_bits())
    }
}

impl From<f64> for Ieee64 {
    fn from(x: f64) -> Self {
        Ieee64(x.to_bits())
    }
}

/// A 128-bit immediate: the bytes of a vector constant or a shuffle mask, lane 0 first
/// (little-endian order).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct V128Imm(pub [u8; 16]);

impl fmt::Display for V128Imm {
    /// Hex of the 128-bit number, most significant byte first (`0x000102...0f`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        for b in self.0.iter().rev() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn imm64_text() {
        assert_eq!(Imm64::new(9999).to_string(), "9999");
        assert_eq!(Imm64::new(-9999).to_string(), "-9999");
        assert_eq!(Imm64::new(10_000).to_string(), "0x2710");
        assert_eq!(Imm64::new(0x1234_5678).to_string(), "0x1234_5678");
        assert_eq!(Imm64::new(-1).mask_to_width(8).bits(), 255);
        assert_eq!(Imm64::new(255).sign_extend_from_width(8).bits(), -1);
        for s in [
            "0",
            "-1",
            "0xffff_ffff_ffff_ffff",
            "18446744073709551615",
            "-9223372036854775808",
        ] {
            assert!(Imm64::parse(s).is_some(), "{s}");
        }
        for s in [
            "",
            "-",
            "0x",
            "18446744073709551616",
            "-9223372036854775809",
            "1_",
            "_1",
            "0xg",
        ] {
            assert!(Imm64::parse(s).is_none(), "{s}");
        }
        for x in [0i64, 1, -1, 10_000, i64::MIN, i64::MAX, 0x1234_5678_9abc] {
            assert_eq!(
                Imm64::parse(&Imm64::new(x).to_string()),
                Some(Imm64::new(x))
            );
        }
    }

    #[test]
    fn offsets() {
        assert_eq!(Offset32::parse("+8"), Some(Offset32::new(8)));
        assert_eq!(Offset32::parse("-0x10"), Some(Offset32::new(-16)));
        assert_eq!(Offset32::parse("8"), None);
        assert_eq!(Offset32::parse("+2147483648"), None);
        assert_eq!(Offset32::new(-4).to_string(), "-4");
        assert_eq!(Offset32::new(0).to_string(), "");
    }

    #[test]
    fn float_text() {
        assert_eq!(Ieee32::from(1.0f32).to_string(), "0x1.000000p0");
        assert_eq!(Ieee32::from(-3.0f32).to_string(), "-0x1.800000p1");
        assert_eq!(Ieee32::from(0.0f32).to_string(), "0.0");
        assert_eq!(Ieee32::from(-0.0f32).to_string(), "-0.0");
        assert_eq!(Ieee32::from(f32::INFINITY).to_string(), "+Inf");
        assert_eq!(Ieee32::from(f32::NAN).to_string(), "+NaN");
        assert_eq!(Ieee64::from(1.5f64).to_string(), "0x1.8000000000000p0");
        assert_eq!(Ieee32::with_bits(1).to_string(), "0x0.000002p-126");
        assert_eq!(Ieee32::with_bits(0x7fc0_0001).to_string(), "+NaN:0x1");
        assert_eq!(Ieee32::with_bits(0xff80_0001).to_string(), "-sNaN:0x1");
        assert_eq!(Ieee16::with_bits(0x3c00).to_string(), "0x1.000p0");
    }

    #[test]
    fn float_parse() {
        assert_eq!(Ieee32::parse("0x1.8p1"), Some(Ieee32::from(3.0f32)));
        assert_eq!(Ieee32::parse("1.5"), Some(Ieee32::from(1.5f32)));
        assert_eq!(Ieee64::parse("-0.1"), Some(Ieee64::from(-0.1f64)));
        assert_eq!(Ieee64::parse("0x0.0"), Some(Ieee64::from(0.0f64)));
        assert_eq!(Ieee64::parse("-0.0"), Some(Ieee64::from(-0.0f64)));
        assert_eq!(Ieee32::parse("0x1p128"), None);
        assert_eq!(Ieee32::parse("0x1p-150"), None);
        assert_eq!(Ieee32::parse("0x1p-149"), Some(Ieee32::with_bits(1)));
        assert_eq!(Ieee32::parse("0x1.fffffffp0"), Some(Ieee32::from(2.0f32)));
        assert_eq!(Ieee16::parse("0x1.0p0"), Some(Ieee16::with_bits(0x3c00)));
        assert_eq!(Ieee128::parse("0x1.0p0").unwrap().bits() >> 112, 0x3fff);
        for bad in [
            "",
            "0x",
            "0xp1",
            "Infinity",
            "nan",
            "inf",
            "1.5x",
            "+sNaN:0x0",
            "NaN:",
        ] {
            assert_eq!(Ieee64::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn float_round_trips() {
        let samples32 = [
            0u32,
            1,
            0x3f80_0000,
            0x8000_0000,
            0x7f7f_ffff,
            0x7f80_0000,
            0x7fc0_0000,
            0x7f80_0001,
            0x0080_0000,
            0x007f_ffff,
            0xffc0_1234,
        ];
        for b in samples32 {
            let x = Ieee32::with_bits(b);
            assert_eq!(Ieee32::parse(&x.to_string()), Some(x), "{x}");
        }
        for b in [
            0u64,
            1,
            0x3ff0_0000_0000_0000,
            0x7ff8_0000_0000_0001,
            0x000f_ffff_ffff_ffff,
            u64::MAX >> 1,
        ] {
            let x = Ieee64::with_bits(b);
            assert_eq!(Ieee64::parse(&x.to_string()), Some(x), "{x}");
        }
        for b in [0u16, 1, 0x3c00, 0x7bff, 0x7c00, 0x7e00, 0x03ff, 0xfc01] {
            let x = Ieee16::with_bits(b);
            assert_eq!(Ieee16::parse(&x.to_string()), Some(x), "{x}");
        }
        for b in [0u128, 1, 0x3fff << 112, (0x7fff << 112) | 5, (1 << 112) - 1] {
            let x = Ieee128::with_bits(b);
            assert_eq!(Ieee128::parse(&x.to_string()), Some(x), "{x}");
        }
    }

    #[test]
    fn v128_text() {
        let mut bytes = [0u8; 16];
        bytes[0] = 0x0f;
        bytes[15] = 0x01;
        assert_eq!(
            V128Imm(bytes).to_string(),
            "0x0100000000000000000000000000000f"
        );
    }
}
