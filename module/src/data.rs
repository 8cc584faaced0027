//! [`DataDescription`]: the contents of a data object and the addresses it holds.

use crate::{DataId, FuncId, ModuleReloc, RelocTarget};

/// How a data object starts out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Init {
    /// Not given yet (defining it is an error).
    #[default]
    Uninitialized,
    /// `size` zero bytes.
    Zeros {
        /// The size in bytes.
        size: usize,
    },
    /// These bytes.
    Bytes {
        /// The contents.
        contents: Box<[u8]>,
    },
}

impl Init {
    /// The size in bytes.
    pub fn size(&self) -> usize {
        match self {
            Init::Uninitialized => 0,
            Init::Zeros { size } => *size,
            Init::Bytes { contents } => contents.len(),
        }
    }
}

/// The definition of a data object: its contents, alignment, and the 8-byte absolute
/// addresses of functions and data written into it.
#[derive(Clone, Debug, Default)]
pub struct DataDescription {
    /// The contents.
    pub init: Init,
    /// The alignment in bytes (at least 1; 8 if not set).
    pub align: Option<u64>,
    /// `(offset, function)`: the function's address is written at `offset`.
    pub function_relocs: Vec<(u32, FuncId)>,
    /// `(offset, data, addend)`: the data's address plus `addend` is written at `offset`.
    pub data_relocs: Vec<(u32, DataId, i64)>,
}

impl DataDescription {
    /// An empty description.
    pub fn new() -> DataDescription {
        DataDescription::default()
    }

    /// Sets the contents to `size` zero bytes.
    pub fn define_zeroinit(&mut self, size: usize) {
        self.init = Init::Zeros { size };
    }

    /// Sets the contents.
    pub fn define(&mut self, contents: Box<[u8]>) {
        self.init = Init::Bytes { contents };
    }

    /// Writes the address of `func` at `offset`.
    pub fn write_function_addr(&mut self, offset: u32, func: FuncId) {
        self.function_relocs.push((offset, func));
    }

    /// Writes the address of `data` plus `addend` at `offset`.
    pub fn write_data_addr(&mut self, offset: u32, data: DataId, addend: i64) {
        self.data_relocs.push((offset, data, addend));
    }

    /// The address writes as 8-byte absolute relocations.
    pub fn relocs(&self) -> Vec<ModuleReloc> {
        let absolute = gantry_codegen::machinst::reloc::Reloc::Abs8;
        let funcs = self.function_relocs.iter().map(|&(offset, f)| ModuleReloc {
            offset,
            kind: absolute,
            target: RelocTarget::Func(f),
            addend: 0,
        });
        let data = self
            .data_relocs
            .iter()
            .map(|&(offset, d, addend)| ModuleReloc {
                offset,
                kind: absolute,
                target: RelocTarget::Data(d),
                addend,
            });
        funcs.chain(data).collect()
    }
}
