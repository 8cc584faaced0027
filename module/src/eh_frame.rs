//! `.eh_frame` contents: the functions' unwind rules as DWARF call frame information
//! (with the `.eh_frame` encoding of the System V ABI, §4.2.4), written with `gimli`,
//! for object files (relocated code addresses) and for the JIT (absolute addresses,
//! registered with the unwinder).

use gantry_codegen::machinst::unwind::{CieInfo, UnwindInfo, UnwindOp};
use gimli::write::{
    Address, CallFrameInstruction, CommonInformationEntry, EhFrame, EndianVec,
    FrameDescriptionEntry, FrameTable, Writer,
};
use gimli::{Encoding, Format, Register, RunTimeEndian};

/// A relocation the section needs: a 4-byte PC-relative field at `offset` (bytes into
/// the section) for symbol number `symbol` (the caller's numbering) plus `addend`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EhReloc {
    /// Where the field is, in bytes from the section start.
    pub offset: u64,
    /// The caller's number of the symbol.
    pub symbol: usize,
    /// Added to the symbol's address.
    pub addend: i64,
}

/// How the entries record where each function starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeAddresses {
    /// Function starts are symbol numbers, written as 4-byte PC-relative fields
    /// (`DW_EH_PE_pcrel | DW_EH_PE_sdata4`) with a relocation each: for object files.
    Relocated,
    /// Function starts are absolute addresses, written as 8-byte pointers
    /// (`DW_EH_PE_absptr`): for code already in memory.
    Absolute,
}

/// Collects the section's bytes and the relocations of its symbol addresses.
struct RelocWriter {
    out: EndianVec<RunTimeEndian>,
    relocs: Vec<EhReloc>,
}

impl Writer for RelocWriter {
    type Endian = RunTimeEndian;

    fn endian(&self) -> RunTimeEndian {
        self.out.endian()
    }

    fn len(&self) -> usize {
        self.out.len()
    }

    fn write(&mut self, bytes: &[u8]) -> gimli::write::Result<()> {
        self.out.write(bytes)
    }

    fn write_at(&mut self, offset: usize, bytes: &[u8]) -> gimli::write::Result<()> {
        self.out.write_at(offset, bytes)
    }

    fn write_eh_pointer(
        &mut self,
        address: Address,
        eh_pe: gimli::DwEhPe,
        size: u8,
    ) -> gimli::write::Result<()> {
        match address {
            Address::Symbol { symbol, addend } if eh_pe == pcrel_sdata4() => {
                self.relocs.push(EhReloc {
                    offset: self.out.len() as u64,
                    symbol,
                    addend,
                });
                self.out.write_u32(0)
            }
            Address::Symbol { .. } => Err(gimli::write::Error::InvalidAddress),
            Address::Constant(_) => {
                // Defer to the plain encoding for constants.
                let mut plain = EndianVec::new(self.out.endian());
                plain.write_eh_pointer(address, eh_pe, size)?;
                self.out.write(plain.slice())
            }
        }
    }
}

fn pcrel_sdata4() -> gimli::DwEhPe {
    gimli::DwEhPe(gimli::DW_EH_PE_pcrel.0 | gimli::DW_EH_PE_sdata4.0)
}

fn instruction(op: UnwindOp) -> CallFrameInstruction {
    match op {
        UnwindOp::DefCfa { reg, offset } => CallFrameInstruction::Cfa(Register(reg), offset),
        UnwindOp::DefCfaRegister { reg } => CallFrameInstruction::CfaRegister(Register(reg)),
        UnwindOp::SaveReg { reg, offset } => CallFrameInstruction::Offset(Register(reg), offset),
        UnwindOp::NegateRaState => CallFrameInstruction::NegateRaState,
    }
}

/// The `.eh_frame` bytes for `functions` (start, code length in bytes, unwind rules):
/// one CIE, one FDE per function, and, with [`CodeAddresses::Relocated`], the relocations
/// of the function starts. The bytes end without the zero terminator a registered
/// in-memory table needs.
///
/// # Errors
/// What gimli reports for rules it cannot encode.
pub fn eh_frame(
    cie: &CieInfo,
    big_endian: bool,
    addresses: CodeAddresses,
    functions: &[(u64, u32, &UnwindInfo)],
) -> gimli::write::Result<(Vec<u8>, Vec<EhReloc>)> {
    let encoding = Encoding {
        format: Format::Dwarf32,
        version: 1,
        address_size: 8,
    };
    let mut entry = CommonInformationEntry::new(
        encoding,
        cie.code_alignment,
        cie.data_alignment,
        Register(cie.return_address_register),
    );
    if addresses == CodeAddresses::Relocated {
        entry.fde_address_encoding = pcrel_sdata4();
    }
    for &op in &cie.initial {
        entry.add_instruction(instruction(op));
    }
    let mut table = FrameTable::default();
    let cie_id = table.add_cie(entry);
    for &(start, len, unwind) in functions {
        let start = match addresses {
            CodeAddresses::Relocated => Address::Symbol {
                symbol: start as usize,
                addend: 0,
            },
            CodeAddresses::Absolute => Address::Constant(start),
        };
        let mut fde = FrameDescriptionEntry::new(start, len);
        for &(offset, op) in &unwind.ops {
            fde.add_instruction(offset, instruction(op));
        }
        table.add_fde(cie_id, fde);
    }
    let endian = if big_endian {
        RunTimeEndian::Big
    } else {
        RunTimeEndian::Little
    };
    let mut eh = EhFrame(RelocWriter {
        out: EndianVec::new(endian),
        relocs: Vec::new(),
    });
    table.write_eh_frame(&mut eh)?;
    let w = eh.0;
    Ok((w.out.into_vec(), w.relocs))
}
