//! The `.eh_frame` section: the functions' unwind rules as DWARF call frame information
//! (with the `.eh_frame` encoding of the System V ABI, §4.2.4), written with `gimli`.

use gantry_codegen::machinst::unwind::{CieInfo, UnwindInfo, UnwindOp};
use gimli::write::{
    Address, CallFrameInstruction, CommonInformationEntry, EhFrame, EndianVec,
    FrameDescriptionEntry, FrameTable, Writer,
};
use gimli::{Encoding, Format, Register, RunTimeEndian};

/// A relocation the section needs: a 4-byte PC-relative field at `offset` for symbol
/// number `symbol` (the caller's numbering) plus `addend`.
pub(crate) struct EhReloc {
    pub offset: u64,
    pub symbol: usize,
    pub addend: i64,
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
    }
}

/// The `.eh_frame` bytes for `functions` (symbol number, code length, unwind rules) and
/// the relocations of their start addresses.
///
/// # Errors
/// What gimli reports for rules it cannot encode.
pub(crate) fn eh_frame(
    cie: &CieInfo,
    big_endian: bool,
    functions: &[(usize, u32, UnwindInfo)],
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
    entry.fde_address_encoding = pcrel_sdata4();
    for &op in &cie.initial {
        entry.add_instruction(instruction(op));
    }
    let mut table = FrameTable::default();
    let cie_id = table.add_cie(entry);
    for (symbol, len, unwind) in functions {
        let mut fde = FrameDescriptionEntry::new(
            Address::Symbol {
                symbol: *symbol,
                addend: 0,
            },
            *len,
        );
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
