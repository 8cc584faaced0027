//! Stack slots: fixed-size and dynamically sized areas of the function's frame.

use super::entities::DynamicType;
use core::fmt;

/// The kind of a fixed stack slot.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum StackSlotKind {
    /// An area the function uses explicitly through `stack_addr`, loads and stores.
    ExplicitSlot,
}

impl fmt::Display for StackSlotKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StackSlotKind::ExplicitSlot => f.write_str("explicit_slot"),
        }
    }
}

/// A fixed-size stack slot: `ss0 = explicit_slot 16, align = 8, key = 3`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StackSlotData {
    /// The kind.
    pub kind: StackSlotKind,
    /// The size in bytes.
    pub size: u32,
    /// log2 of the alignment in bytes (0: byte aligned).
    pub align_shift: u8,
    /// An opaque key a frontend attaches to find the slot again in debug info, if any.
    pub key: Option<u64>,
}

impl StackSlotData {
    /// An explicit slot of `size` bytes aligned to `1 << align_shift` bytes.
    pub fn new(kind: StackSlotKind, size: u32, align_shift: u8) -> StackSlotData {
        StackSlotData {
            kind,
            size,
            align_shift,
            key: None,
        }
    }
}

impl fmt::Display for StackSlotData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.size)?;
        if self.align_shift != 0 {
            write!(f, ", align = {}", 1u64 << self.align_shift)?;
        }
        if let Some(key) = self.key {
            write!(f, ", key = {key}")?;
        }
        Ok(())
    }
}

/// A stack slot sized by a dynamic vector type: `dss0 = explicit_dynamic_slot dt0`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DynamicStackSlotData {
    /// The kind.
    pub kind: StackSlotKind,
    /// The dynamic type whose size the slot has.
    pub dyn_ty: DynamicType,
}

impl fmt::Display for DynamicStackSlotData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            StackSlotKind::ExplicitSlot => write!(f, "explicit_dynamic_slot {}", self.dyn_ty),
        }
    }
}
