//! Debug tags and user stack maps: metadata the frontend attaches to instructions and
//! gets back with the compiled code.

use super::entities::StackSlot;
use super::types::Type;
use core::fmt;

/// One item of an instruction's debug tags (`<ss0, 1, 0>`): opaque to the code
/// generator, passed through to the metadata of the compiled code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DebugTag {
    /// A number chosen by the frontend.
    User(u32),
    /// A stack slot, whose frame offset the metadata reports.
    StackSlot(StackSlot),
}

impl fmt::Display for DebugTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DebugTag::User(n) => write!(f, "{n}"),
            DebugTag::StackSlot(ss) => write!(f, "{ss}"),
        }
    }
}

/// One entry of a call's user stack map (`stack_map=[i64 @ ss0+8]`): a value of `ty`
/// that the frontend keeps at `slot + offset` across the call, for a garbage collector.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UserStackMapEntry {
    /// The type of the value.
    pub ty: Type,
    /// The slot holding it.
    pub slot: StackSlot,
    /// The byte offset in the slot.
    pub offset: u32,
}

impl fmt::Display for UserStackMapEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} @ {}+{}", self.ty, self.slot, self.offset)
    }
}
