//! Source locations attached to instructions.

use core::fmt;

/// An absolute source location chosen by the frontend (e.g. a bytecode offset).
/// `SourceLoc::default()` means "no location".
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SourceLoc(u32);

impl SourceLoc {
    /// The location `bits`. `u32::MAX` is reserved for "no location".
    pub fn new(bits: u32) -> SourceLoc {
        SourceLoc(bits)
    }

    /// Whether this is "no location".
    pub fn is_default(self) -> bool {
        self.0 == u32::MAX
    }

    /// The raw value.
    pub fn bits(self) -> u32 {
        self.0
    }
}

impl Default for SourceLoc {
    fn default() -> Self {
        SourceLoc(u32::MAX)
    }
}

impl fmt::Display for SourceLoc {
    /// `@` and four or more hex digits, or `@-` for no location.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_default() {
            write!(f, "@-")
        } else {
            write!(f, "@{:04x}", self.0)
        }
    }
}

/// A source location relative to the function's base location, as stored in the stencil
/// so that moving a function in its source file does not change its stencil.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RelSourceLoc(u32);

impl Default for RelSourceLoc {
    fn default() -> Self {
        RelSourceLoc(u32::MAX)
    }
}

impl RelSourceLoc {
    /// `loc` relative to `base`. The default location stays the default.
    pub fn from_base_offset(base: SourceLoc, loc: SourceLoc) -> RelSourceLoc {
        if loc.is_default() || base.is_default() {
            RelSourceLoc::default()
        } else {
            RelSourceLoc(loc.0.wrapping_sub(base.0))
        }
    }

    /// The absolute location, given the base.
    pub fn expand(self, base: SourceLoc) -> SourceLoc {
        if self.is_default() || base.is_default() {
            SourceLoc::default()
        } else {
            SourceLoc(self.0.wrapping_add(base.0))
        }
    }

    /// Whether this is "no location".
    pub fn is_default(self) -> bool {
        self.0 == u32::MAX
    }
}
