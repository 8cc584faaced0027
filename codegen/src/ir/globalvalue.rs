//! Global values: addresses and values computed from the VM context or symbols.

use super::entities::GlobalValue;
use super::extname::ExternalName;
use super::immediates::{Imm64, Offset32};
use super::memflags::MemFlags;
use super::types::Type;
use core::fmt;

/// How a global value is computed (`gvN = ...` in the preamble).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum GlobalValueData {
    /// The VM context argument of the function (`vmctx`).
    VMContext,
    /// A value loaded from another global value plus an offset
    /// (`load.i64 notrap aligned gv0+8`).
    Load {
        /// The address base.
        base: GlobalValue,
        /// Added to the base.
        offset: Offset32,
        /// The type loaded.
        global_type: Type,
        /// The load's flags.
        flags: MemFlags,
    },
    /// Another global value plus a constant (`iadd_imm.i64 gv1, 16`).
    IAddImm {
        /// The base.
        base: GlobalValue,
        /// The constant added.
        offset: Imm64,
        /// The result type.
        global_type: Type,
    },
    /// The address of a symbol (`symbol colocated %table+8`, `symbol tls u0:3`).
    Symbol {
        /// The symbol.
        name: ExternalName,
        /// Added to the symbol's address.
        offset: Imm64,
        /// Whether the symbol is in the same linkage unit (reachable PC-relatively).
        colocated: bool,
        /// Whether the symbol is thread-local.
        tls: bool,
    },
    /// The scale of a dynamic vector type relative to its minimum
    /// (`dyn_scale_target_const.i32x4`).
    DynScaleTargetConst {
        /// The fixed vector type whose scale is computed.
        vector_type: Type,
    },
}

impl GlobalValueData {
    /// The type of the value, given the target's pointer type.
    pub fn global_type(&self, pointer: Type) -> Type {
        match *self {
            GlobalValueData::VMContext | GlobalValueData::Symbol { .. } => pointer,
            GlobalValueData::Load { global_type, .. }
            | GlobalValueData::IAddImm { global_type, .. } => global_type,
            GlobalValueData::DynScaleTargetConst { .. } => pointer,
        }
    }
}

/// Prints a global value declaration's right-hand side; external names need the
/// function's name table, so the printer passes a closure for them.
pub struct DisplayGlobalValue<'a, F: Fn(&ExternalName, &mut fmt::Formatter<'_>) -> fmt::Result> {
    /// The declaration.
    pub data: &'a GlobalValueData,
    /// Prints an external name.
    pub name: F,
}

impl<F: Fn(&ExternalName, &mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display
    for DisplayGlobalValue<'_, F>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.data {
            GlobalValueData::VMContext => f.write_str("vmctx"),
            GlobalValueData::Load {
                base,
                offset,
                global_type,
                flags,
            } => {
                write!(f, "load.{global_type} {flags}{base}{offset}")
            }
            GlobalValueData::IAddImm {
                base,
                offset,
                global_type,
            } => {
                write!(f, "iadd_imm.{global_type} {base}, {offset}")
            }
            GlobalValueData::Symbol {
                name,
                offset,
                colocated,
                tls,
            } => {
                f.write_str("symbol ")?;
                if *colocated {
                    f.write_str("colocated ")?;
                }
                if *tls {
                    f.write_str("tls ")?;
                }
                (self.name)(name, f)?;
                let off = offset.bits();
                if off > 0 {
                    write!(f, "+{off}")?;
                } else if off < 0 {
                    write!(f, "{off}")?;
                }
                Ok(())
            }
            GlobalValueData::DynScaleTargetConst { vector_type } => {
                write!(f, "dyn_scale_target_const.{vector_type}")
            }
        }
    }
}
