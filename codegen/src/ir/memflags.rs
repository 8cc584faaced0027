//! Flags of memory accesses: trapping, alignment, mutability, byte order, alias region.

use super::entities::MemoryRegion;
use super::trapcode::TrapCode;
use core::fmt;
use gantry_entity::PackedOption;

/// The byte order of a memory access.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Endianness {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
}

const ALIGNED: u8 = 1 << 0;
const READONLY: u8 = 1 << 1;
const LITTLE: u8 = 1 << 2;
const BIG: u8 = 1 << 3;
const CAN_MOVE: u8 = 1 << 4;
const CHECKED: u8 = 1 << 5;

/// The bit flags with their text names, in printing order.
const NAMED_BITS: [(u8, &str); 6] = [
    (ALIGNED, "aligned"),
    (READONLY, "readonly"),
    (LITTLE, "little"),
    (BIG, "big"),
    (CAN_MOVE, "can_move"),
    (CHECKED, "checked"),
];

/// The flags of a load, store or atomic access, printed before its address:
/// `load.i64 notrap aligned readonly can_move region0 v0+8`.
///
/// * Trapping: by default an access may trap with `heap_oob`; `notrap` says it never
///   traps; another trap code names the trap it raises instead.
/// * `aligned`: the address is aligned to the access size.
/// * `readonly`: the memory never changes while the function runs.
/// * `little` / `big`: the byte order, overriding the target's (at most one).
/// * `can_move`: the access may be hoisted or sunk past control flow.
/// * `checked`: the access was bounds-checked by the frontend (for sanitizers and
///   proof checkers).
/// * An alias region (`regionN`): accesses in different regions never alias.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MemFlags {
    bits: u8,
    /// `None` for `notrap`.
    trap: Option<TrapCode>,
    region: PackedOption<MemoryRegion>,
}

impl Default for MemFlags {
    fn default() -> Self {
        Self::new()
    }
}

impl MemFlags {
    /// No flags: may trap with `heap_oob`, no alignment or other guarantees.
    pub fn new() -> MemFlags {
        MemFlags {
            bits: 0,
            trap: Some(TrapCode::HEAP_OUT_OF_BOUNDS),
            region: None.into(),
        }
    }

    /// `notrap aligned`: the flags of accesses the code generator itself makes to memory
    /// it knows, such as spill slots.
    pub fn trusted() -> MemFlags {
        let mut f = MemFlags::new();
        f.set_notrap();
        f.set_aligned();
        f
    }

    /// The trap code raised if the access faults; `None` if it never traps (`notrap`).
    pub fn trap_code(self) -> Option<TrapCode> {
        self.trap
    }

    /// Whether the access never traps.
    pub fn notrap(self) -> bool {
        self.trap.is_none()
    }

    /// Marks the access as never trapping.
    pub fn set_notrap(&mut self) {
        self.trap = None;
    }

    /// Makes the access trap with `code` (or never, for `None`).
    pub fn set_trap_code(&mut self, code: Option<TrapCode>) {
        self.trap = code;
    }

    /// Whether the address is aligned to the access size.
    pub fn aligned(self) -> bool {
        self.bits & ALIGNED != 0
    }

    /// Sets `aligned`.
    pub fn set_aligned(&mut self) {
        self.bits |= ALIGNED;
    }

    /// Whether the memory is read-only for the function.
    pub fn readonly(self) -> bool {
        self.bits & READONLY != 0
    }

    /// Sets `readonly`.
    pub fn set_readonly(&mut self) {
        self.bits |= READONLY;
    }

    /// Whether the access may move past control flow.
    pub fn can_move(self) -> bool {
        self.bits & CAN_MOVE != 0
    }

    /// Sets `can_move`.
    pub fn set_can_move(&mut self) {
        self.bits |= CAN_MOVE;
    }

    /// Whether the access was bounds-checked by the frontend.
    pub fn checked(self) -> bool {
        self.bits & CHECKED != 0
    }

    /// Sets `checked`.
    pub fn set_checked(&mut self) {
        self.bits |= CHECKED;
    }

    /// The explicit byte order, if any.
    pub fn explicit_endianness(self) -> Option<Endianness> {
        if self.bits & LITTLE != 0 {
            Some(Endianness::Little)
        } else if self.bits & BIG != 0 {
            Some(Endianness::Big)
        } else {
            None
        }
    }

    /// Sets the byte order, replacing any earlier one.
    pub fn set_endianness(&mut self, e: Endianness) {
        self.bits &= !(LITTLE | BIG);
        self.bits |= match e {
            Endianness::Little => LITTLE,
            Endianness::Big => BIG,
        };
    }

    /// The byte order: the explicit one, else the target's `native`.
    pub fn endianness(self, native: Endianness) -> Endianness {
        self.explicit_endianness().unwrap_or(native)
    }

    /// The alias region, if any.
    pub fn alias_region(self) -> Option<MemoryRegion> {
        self.region.expand()
    }

    /// Sets the alias region.
    pub fn set_alias_region(&mut self, region: Option<MemoryRegion>) {
        self.region = region.into();
    }

    /// Applies the flag named `name` (`aligned`, `notrap`, `big`, a trap code, ...).
    ///
    /// # Errors
    /// If `name` is not a flag, or it sets a second byte order.
    pub fn set_by_name(&mut self, name: &str) -> Result<(), MemFlagError> {
        if name == "notrap" {
            self.set_notrap();
            return Ok(());
        }
        if let Some(&(bit, _)) = NAMED_BITS.iter().find(|(_, n)| *n == name) {
            if bit & (LITTLE | BIG) != 0 && self.bits & (LITTLE | BIG) & !bit != 0 {
                return Err(MemFlagError::ConflictingEndianness);
            }
            self.bits |= bit;
            return Ok(());
        }
        if let Some(code) = TrapCode::parse(name) {
            self.trap = Some(code);
            return Ok(());
        }
        Err(MemFlagError::Unknown)
    }
}

/// Why a memory flag name was rejected.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MemFlagError {
    /// Not a memory flag.
    Unknown,
    /// Both `little` and `big`.
    ConflictingEndianness,
}

impl fmt::Display for MemFlagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemFlagError::Unknown => f.write_str("unknown memory flag"),
            MemFlagError::ConflictingEndianness => f.write_str("both `little` and `big`"),
        }
    }
}

impl fmt::Display for MemFlags {
    /// Each flag followed by a space (`notrap aligned `), so it can precede an operand;
    /// empty for the default flags.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.trap {
            None => f.write_str("notrap ")?,
            Some(TrapCode::HEAP_OUT_OF_BOUNDS) => {}
            Some(code) => write!(f, "{code} ")?,
        }
        for (bit, name) in NAMED_BITS {
            if self.bits & bit != 0 {
                write!(f, "{name} ")?;
            }
        }
        if let Some(region) = self.region.expand() {
            write!(f, "{region} ")?;
        }
        Ok(())
    }
}

impl fmt::Debug for MemFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemFlags({})", self.to_string_trimmed())
    }
}

impl MemFlags {
    fn to_string_trimmed(self) -> alloc::string::String {
        use alloc::string::ToString;
        self.to_string().trim_end().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn names_round_trip() {
        let mut f = MemFlags::new();
        for name in [
            "notrap", "aligned", "readonly", "big", "can_move", "checked",
        ] {
            f.set_by_name(name).unwrap();
        }
        assert_eq!(
            f.to_string(),
            "notrap aligned readonly big can_move checked "
        );
        assert_eq!(
            f.set_by_name("little"),
            Err(MemFlagError::ConflictingEndianness)
        );
        assert_eq!(f.set_by_name("bogus"), Err(MemFlagError::Unknown));
        let mut g = MemFlags::new();
        g.set_by_name("user5").unwrap();
        assert_eq!(g.to_string(), "user5 ");
        assert_eq!(MemFlags::new().to_string(), "");
        assert!(MemFlags::trusted().notrap() && MemFlags::trusted().aligned());
    }
}
