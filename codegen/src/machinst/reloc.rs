//! Relocation kinds: what a relocation computes and how many bytes it patches, for every
//! ISA in one enum. Object files map each kind to their format's relocation type; the JIT
//! resolves each in memory.
//!
//! `S` is the target's address, `A` the addend, `P` the patched field's address.

use core::fmt;

/// A kind of relocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Reloc {
    /// An 8-byte absolute address, `S + A` (ELF: `R_X86_64_64`, `R_AARCH64_ABS64`,
    /// `R_390_64`).
    Abs8,
    /// x86-64: a 4-byte PC-relative operand, `S + A - P` (`R_X86_64_PC32`).
    X86PCRel4,
    /// x86-64: a 4-byte PC-relative call or jump, through a PLT entry or stub when the
    /// target is out of reach (`R_X86_64_PLT32`).
    X86CallPLTRel4,
    /// x86-64: the 4-byte PC-relative address of the target's GOT entry
    /// (`R_X86_64_GOTPCREL`).
    X86GOTPCRel4,
    /// x86-64 ELF TLS, general dynamic: the 4-byte PC-relative address of the target's
    /// `tls_index` pair in the GOT (`R_X86_64_TLSGD`).
    ElfX86_64TlsGd,
    /// AArch64: a BL or B's 26-bit word offset, `(S + A - P) >> 2`, through a PLT entry or
    /// veneer when out of ±128 MiB (`R_AARCH64_CALL26`).
    Arm64Call,
    /// AArch64: the ADRP of the page of the target's GOT entry (`R_AARCH64_ADR_GOT_PAGE`).
    Aarch64AdrGotPage21,
    /// AArch64: the ADRP of the target's own page, `Page(S + A) - Page(P)`
    /// (`R_AARCH64_ADR_PREL_PG_HI21`; a colocated symbol in position-independent code).
    Aarch64AdrPrelPgHi21,
    /// AArch64: the ADD of the low 12 bits of `S + A` (`R_AARCH64_ADD_ABS_LO12_NC`).
    Aarch64AddAbsLo12Nc,
    /// AArch64: the LDR of the GOT entry from the low 12 bits of its address
    /// (`R_AARCH64_LD64_GOT_LO12_NC`).
    Aarch64Ld64GotLo12Nc,
    /// AArch64 TLS descriptors (ELF for the Arm 64-bit Architecture, §5.7.12): the ADRP of
    /// the descriptor's page (`R_AARCH64_TLSDESC_ADR_PAGE21`), ...
    Aarch64TlsDescAdrPage21,
    /// ... the LDR of its function from the low 12 bits (`R_AARCH64_TLSDESC_LD64_LO12`),
    Aarch64TlsDescLd64Lo12,
    /// ... the ADD of the low 12 bits (`R_AARCH64_TLSDESC_ADD_LO12`),
    Aarch64TlsDescAddLo12,
    /// ... and the marker on the BLR (`R_AARCH64_TLSDESC_CALL`).
    Aarch64TlsDescCall,
    /// s390x: a call's 4-byte PC-relative halfword offset, `(S + A - P) / 2`, through a
    /// PLT entry when needed (`R_390_PLT32DBL`).
    S390xPLTRel32Dbl,
    /// s390x: a 4-byte PC-relative halfword offset, `(S + A - P) / 2` (`R_390_PC32DBL`;
    /// LARL of `_GLOBAL_OFFSET_TABLE_`).
    S390xPCRel32Dbl,
    /// s390x: a 4-byte PC-relative halfword offset to the target's GOT entry,
    /// `(G + GOT + A - P) / 2` (`R_390_GOTENT`; LGRL of an address under `is_pic`).
    S390xGotEnt,
    /// s390x ELF TLS, general dynamic: the 8-byte GOT offset of the variable's
    /// `tls_index` pair, in a literal (`R_390_TLS_GD64`).
    S390xTlsGd64,
    /// s390x ELF TLS: the marker on the BRASL to `__tls_get_offset` (`R_390_TLS_GDCALL`;
    /// patches nothing the linker keeps the call).
    S390xTlsGdCall,
}

impl Reloc {
    /// The bytes the relocation patches.
    pub fn patch_size(self) -> u32 {
        match self {
            Reloc::Abs8 => 8,
            Reloc::X86PCRel4 | Reloc::X86CallPLTRel4 | Reloc::X86GOTPCRel4 => 4,
            Reloc::ElfX86_64TlsGd | Reloc::S390xPLTRel32Dbl | Reloc::Arm64Call => 4,
            Reloc::S390xPCRel32Dbl | Reloc::S390xGotEnt => 4,
            Reloc::S390xTlsGd64 => 8,
            Reloc::S390xTlsGdCall => 6,
            Reloc::Aarch64AdrGotPage21 | Reloc::Aarch64Ld64GotLo12Nc => 4,
            Reloc::Aarch64AdrPrelPgHi21 | Reloc::Aarch64AddAbsLo12Nc => 4,
            Reloc::Aarch64TlsDescAdrPage21
            | Reloc::Aarch64TlsDescLd64Lo12
            | Reloc::Aarch64TlsDescAddLo12
            | Reloc::Aarch64TlsDescCall => 4,
        }
    }
}

impl fmt::Display for Reloc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
