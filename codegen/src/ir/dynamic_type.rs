//! Dynamic vector types and alias regions declared in a function's preamble.

use super::entities::GlobalValue;
use super::types::Type;
use alloc::string::String;
use core::fmt;

/// A dynamic vector type: a fixed vector scaled by a runtime factor (`dt0 = i32x4*gv0`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DynamicTypeData {
    /// The fixed vector type that is the minimum size.
    pub base_vector_ty: Type,
    /// The global value holding the scale factor.
    pub dynamic_scale: GlobalValue,
}

impl DynamicTypeData {
    /// The dynamic vector type this declares (`i32x4xN`).
    pub fn concrete(&self) -> Option<Type> {
        self.base_vector_ty.vector_to_dynamic()
    }
}

impl fmt::Display for DynamicTypeData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}*{}", self.base_vector_ty, self.dynamic_scale)
    }
}

/// An alias region: memory accesses in different regions never alias
/// (`region0 = 8 "VMContext+0x8"`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MemoryRegionData {
    /// The frontend's identifier for the region.
    pub id: u64,
    /// A description for humans.
    pub description: String,
}

impl fmt::Display for MemoryRegionData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} \"", self.id)?;
        for c in self.description.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("\"")
    }
}
