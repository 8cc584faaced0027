//! Trap codes: why a trapping instruction stopped the program.

use core::fmt;
use core::num::NonZeroU8;

/// The reason for a trap, recorded with each trap site so the runtime can report it.
///
/// The named codes cover what the code generator itself checks; frontends use user codes
/// `user1` to `user250` for their own reasons (`user0` does not exist).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TrapCode(NonZeroU8);

/// The highest user trap code number.
const MAX_USER: u8 = 250;
const STACK_OVERFLOW: u8 = 251;
const HEAP_OUT_OF_BOUNDS: u8 = 252;
const INTEGER_OVERFLOW: u8 = 253;
const INTEGER_DIVISION_BY_ZERO: u8 = 254;
const BAD_CONVERSION_TO_INTEGER: u8 = 255;

impl TrapCode {
    /// The stack overflowed (`stk_ovf`).
    pub const STACK_OVERFLOW: TrapCode = TrapCode::named(STACK_OVERFLOW);
    /// A heap access was out of bounds (`heap_oob`).
    pub const HEAP_OUT_OF_BOUNDS: TrapCode = TrapCode::named(HEAP_OUT_OF_BOUNDS);
    /// An integer operation overflowed (`int_ovf`).
    pub const INTEGER_OVERFLOW: TrapCode = TrapCode::named(INTEGER_OVERFLOW);
    /// An integer division by zero (`int_divz`).
    pub const INTEGER_DIVISION_BY_ZERO: TrapCode = TrapCode::named(INTEGER_DIVISION_BY_ZERO);
    /// A float-to-integer conversion of NaN or an out-of-range value (`bad_toint`).
    pub const BAD_CONVERSION_TO_INTEGER: TrapCode = TrapCode::named(BAD_CONVERSION_TO_INTEGER);

    const fn named(code: u8) -> TrapCode {
        match NonZeroU8::new(code) {
            Some(c) => TrapCode(c),
            None => panic!("trap code 0"),
        }
    }

    /// The user trap code `n` (`userN`), for `n` in 1..=250.
    pub fn user(n: u8) -> Option<TrapCode> {
        (1..=MAX_USER).contains(&n).then(|| TrapCode::named(n))
    }

    /// The number of a user trap code, or `None` for the named codes.
    pub fn as_user(self) -> Option<u8> {
        (self.0.get() <= MAX_USER).then_some(self.0.get())
    }

    /// The raw byte, for serialization in trap tables; the inverse of [`TrapCode::from_raw`].
    pub fn as_raw(self) -> u8 {
        self.0.get()
    }

    /// The trap code with raw byte `raw`, if it is one.
    pub fn from_raw(raw: u8) -> Option<TrapCode> {
        NonZeroU8::new(raw).map(TrapCode)
    }

    /// Parses the text form (`heap_oob`, `user7`).
    pub fn parse(s: &str) -> Option<TrapCode> {
        Some(match s {
            "stk_ovf" => TrapCode::STACK_OVERFLOW,
            "heap_oob" => TrapCode::HEAP_OUT_OF_BOUNDS,
            "int_ovf" => TrapCode::INTEGER_OVERFLOW,
            "int_divz" => TrapCode::INTEGER_DIVISION_BY_ZERO,
            "bad_toint" => TrapCode::BAD_CONVERSION_TO_INTEGER,
            _ => {
                let n = s.strip_prefix("user")?;
                if n.starts_with('0') || n.starts_with('+') {
                    return None;
                }
                TrapCode::user(n.parse().ok()?)?
            }
        })
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.get() {
            STACK_OVERFLOW => f.write_str("stk_ovf"),
            HEAP_OUT_OF_BOUNDS => f.write_str("heap_oob"),
            INTEGER_OVERFLOW => f.write_str("int_ovf"),
            INTEGER_DIVISION_BY_ZERO => f.write_str("int_divz"),
            BAD_CONVERSION_TO_INTEGER => f.write_str("bad_toint"),
            n => write!(f, "user{n}"),
        }
    }
}

impl fmt::Debug for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn text_round_trip() {
        for raw in 1..=255u8 {
            let code = TrapCode::from_raw(raw).unwrap();
            assert_eq!(TrapCode::parse(&code.to_string()), Some(code));
        }
        for bad in ["user0", "user251", "user01", "user", "oob", "user+1"] {
            assert_eq!(TrapCode::parse(bad), None, "{bad}");
        }
        assert_eq!(TrapCode::user(3).unwrap().as_user(), Some(3));
        assert_eq!(TrapCode::HEAP_OUT_OF_BOUNDS.as_user(), None);
    }
}
