//! What compilation produces: [`CompiledCodeStencil`] from the function's stencil alone
//! (the unit a compilation cache stores), and [`CompiledCode`], the stencil finalized with
//! the function's [`FunctionParameters`] (user names resolved, source locations absolute).

use crate::ir::{
    ExternalName, FunctionParameters, KnownSymbol, LibCall, SourceLoc, TestcaseName,
    UserExternalName,
};
use crate::machinst::buffer::{MachBufferFinalized, MachCallSite, MachTrap, RelocTarget};
use crate::machinst::reloc::Reloc;
use crate::machinst::unwind::UnwindInfo;
use alloc::string::String;
use alloc::vec::Vec;

/// Machine code compiled from a `FunctionStencil`: relocations still name user functions
/// by `UserExternalNameRef` and source locations are relative to the base location, so
/// equal stencils give equal results.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CompiledCodeStencil {
    /// The code, relocations, trap records, call sites and source-location ranges.
    pub buffer: MachBufferFinalized,
    /// The VCode as text (block by block, on virtual registers), if it was asked for.
    pub vcode: Option<String>,
    /// The frame size in bytes below the return address (saved registers, spill slots,
    /// stack slots and the outgoing-argument area).
    pub frame_size: u32,
    /// How to unwind the function's frame, if the ISA describes it.
    pub unwind: Option<UnwindInfo>,
}

/// What a finalized relocation refers to.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum FinalizedRelocTarget {
    /// A user function or symbol `(namespace, index)`.
    User(UserExternalName),
    /// A test name (`%foo` in CLIF text).
    TestCase(TestcaseName),
    /// A runtime library function.
    LibCall(LibCall),
    /// A linker-defined symbol.
    KnownSymbol(KnownSymbol),
}

/// A relocation with its target resolved: patch the field at `offset` (bytes from the
/// start of the code) with relocation `kind` (an ELF relocation type of the target) for
/// `target` plus `addend`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FinalizedReloc {
    /// The offset of the patched field, in bytes.
    pub offset: u32,
    /// What the relocation computes.
    pub kind: Reloc,
    /// What it refers to.
    pub target: FinalizedRelocTarget,
    /// Added to the target's address.
    pub addend: i64,
}

/// A range of code bytes `[start, end)` that comes from source location `loc`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FinalizedSrcLoc {
    /// The first byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// The absolute source location.
    pub loc: SourceLoc,
}

/// Machine code ready for a JIT or an object file.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct CompiledCode {
    /// The machine code, then its constants.
    pub code: Vec<u8>,
    /// Where the constants after the code begin, in bytes (the length of `code` when
    /// there are none).
    pub code_len: u32,
    /// The relocations to apply when placing it.
    pub relocs: Vec<FinalizedReloc>,
    /// The instructions that may trap, with their trap codes.
    pub traps: Vec<MachTrap>,
    /// The call sites (return-address offsets).
    pub call_sites: Vec<MachCallSite>,
    /// Source-location ranges.
    pub srclocs: Vec<FinalizedSrcLoc>,
    /// The VCode as text, if it was asked for.
    pub vcode: Option<String>,
    /// The frame size in bytes (see [`CompiledCodeStencil::frame_size`]).
    pub frame_size: u32,
    /// How to unwind the function's frame, if the ISA describes it.
    pub unwind: Option<UnwindInfo>,
    /// Data inside the code before `code_len` (literals, jump tables, islands'
    /// constants), as `(start, end)` byte ranges in code order.
    pub data_ranges: Vec<(u32, u32)>,
}

impl CompiledCodeStencil {
    /// Resolves user names through `params`' name table and makes source locations
    /// absolute with its base location.
    ///
    /// # Panics
    /// If a relocation names a `UserExternalNameRef` missing from `params` (the stencil
    /// came from another function).
    pub fn apply_params(self, params: &FunctionParameters) -> CompiledCode {
        let names = params.user_named_funcs();
        let base = params.base_srcloc();
        let b = self.buffer;
        CompiledCode {
            code_len: b.code_len,
            relocs: b
                .relocs
                .into_iter()
                .map(|r| {
                    let RelocTarget::ExternalName(name) = r.target;
                    let target = match name {
                        ExternalName::User(u) => FinalizedRelocTarget::User(names[u]),
                        ExternalName::TestCase(t) => FinalizedRelocTarget::TestCase(t),
                        ExternalName::LibCall(l) => FinalizedRelocTarget::LibCall(l),
                        ExternalName::KnownSymbol(k) => FinalizedRelocTarget::KnownSymbol(k),
                    };
                    FinalizedReloc {
                        offset: r.offset,
                        kind: r.kind,
                        target,
                        addend: r.addend,
                    }
                })
                .collect(),
            srclocs: b
                .srclocs
                .iter()
                .map(|s| FinalizedSrcLoc {
                    start: s.start,
                    end: s.end,
                    loc: s.loc.expand(base),
                })
                .collect(),
            code: b.data,
            traps: b.traps,
            call_sites: b.call_sites,
            vcode: self.vcode,
            frame_size: self.frame_size,
            unwind: self.unwind,
            data_ranges: b.data_ranges,
        }
    }
}
