//! [`ObjectModule`]: a [`Module`] written as an ELF relocatable object file, for a
//! system linker to combine into a program or library.
//!
//! Functions go to `.text`, read-only data to `.rodata`, writable data to `.data` (or
//! `.bss` when zero-initialized); relocations keep the ELF types the backend emits.
//! Trap sites go to a `.gantry_traps` section: one 16-byte entry per site, the site's
//! address (8 bytes, relocated) then its trap code (1 byte) and 7 bytes of padding.
//! The byte order follows the target ISA (little-endian x86-64 and aarch64, big-endian
//! s390x).

#![warn(missing_docs)]

use gantry_codegen::entity::EntityRef;
use gantry_codegen::ir::{Endianness, LibCall};
use gantry_codegen::isa::TargetIsa;
use gantry_codegen::machinst::buffer::MachTrap;
use gantry_codegen::machinst::reloc::Reloc;
use gantry_codegen::machinst::unwind::UnwindInfo;

use gantry_module::eh_frame::{CodeAddresses, eh_frame};
use gantry_module::{
    DataDescription, DataId, FuncId, Init, Linkage, Module, ModuleDeclarations, ModuleError,
    ModuleReloc, ModuleResult, RelocTarget,
};
use object::write::{
    Object, Relocation, SectionId, StandardSection, Symbol, SymbolId, SymbolSection,
};
use object::{Architecture, BinaryFormat, RelocationFlags, SymbolFlags, SymbolKind, SymbolScope};
use std::collections::HashMap;

/// The ELF relocation types of one architecture: System V AMD64 ABI §4.4, ELF for the
/// Arm 64-bit Architecture §5.7, and the s390x ELF ABI supplement's relocation table.
#[derive(Clone, Copy)]
struct ElfRelocs {
    arch: Architecture,
    /// An 8-byte absolute address (data holding addresses, trap sites).
    abs64: u32,
    /// A 4-byte PC-relative address (unwind entries' function starts).
    pc32: u32,
}

impl ElfRelocs {
    /// The types of `arch`.
    fn of(arch: Architecture) -> ElfRelocs {
        use object::elf;
        let (abs64, pc32) = match arch {
            Architecture::Aarch64 => (elf::R_AARCH64_ABS64, elf::R_AARCH64_PREL32),
            Architecture::S390x => (elf::R_390_64, elf::R_390_PC32),
            _ => (elf::R_X86_64_64, elf::R_X86_64_PC32),
        };
        ElfRelocs { arch, abs64, pc32 }
    }

    /// The ELF type of relocation kind `kind` on this architecture.
    ///
    /// # Errors
    /// [`ModuleError::UnsupportedRelocation`] for a kind of another architecture.
    fn of_kind(&self, kind: Reloc) -> ModuleResult<u32> {
        use object::elf;
        Ok(match (self.arch, kind) {
            (_, Reloc::Abs8) => self.abs64,
            (Architecture::X86_64, Reloc::X86PCRel4) => elf::R_X86_64_PC32,
            (Architecture::X86_64, Reloc::X86CallPLTRel4) => elf::R_X86_64_PLT32,
            (Architecture::X86_64, Reloc::X86GOTPCRel4) => elf::R_X86_64_GOTPCREL,
            (Architecture::X86_64, Reloc::ElfX86_64TlsGd) => elf::R_X86_64_TLSGD,
            (Architecture::Aarch64, Reloc::Arm64Call) => elf::R_AARCH64_CALL26,
            (Architecture::Aarch64, Reloc::Aarch64AdrGotPage21) => elf::R_AARCH64_ADR_GOT_PAGE,
            (Architecture::Aarch64, Reloc::Aarch64Ld64GotLo12Nc) => elf::R_AARCH64_LD64_GOT_LO12_NC,
            (Architecture::Aarch64, Reloc::Aarch64AdrPrelPgHi21) => elf::R_AARCH64_ADR_PREL_PG_HI21,
            (Architecture::Aarch64, Reloc::Aarch64AddAbsLo12Nc) => elf::R_AARCH64_ADD_ABS_LO12_NC,
            (Architecture::Aarch64, Reloc::Aarch64TlsDescAdrPage21) => {
                elf::R_AARCH64_TLSDESC_ADR_PAGE21
            }
            (Architecture::Aarch64, Reloc::Aarch64TlsDescLd64Lo12) => {
                elf::R_AARCH64_TLSDESC_LD64_LO12
            }
            (Architecture::Aarch64, Reloc::Aarch64TlsDescAddLo12) => {
                elf::R_AARCH64_TLSDESC_ADD_LO12
            }
            (Architecture::Aarch64, Reloc::Aarch64TlsDescCall) => elf::R_AARCH64_TLSDESC_CALL,
            (Architecture::S390x, Reloc::S390xPLTRel32Dbl) => elf::R_390_PLT32DBL,
            (Architecture::S390x, Reloc::S390xPCRel32Dbl) => elf::R_390_PC32DBL,
            (Architecture::S390x, Reloc::S390xGotEnt) => elf::R_390_GOTENT,
            (Architecture::S390x, Reloc::S390xTlsGd64) => elf::R_390_TLS_GD64,
            (Architecture::S390x, Reloc::S390xTlsGdCall) => elf::R_390_TLS_GDCALL,
            (arch, kind) => {
                return Err(ModuleError::UnsupportedRelocation(format!(
                    "{kind} in an object for {arch:?}"
                )));
            }
        })
    }
}

/// Configures an [`ObjectModule`].
pub struct ObjectBuilder {
    isa: Box<dyn TargetIsa>,
}

impl ObjectBuilder {
    /// A builder for code compiled by `isa`.
    pub fn new(isa: Box<dyn TargetIsa>) -> ObjectBuilder {
        ObjectBuilder { isa }
    }
}

/// A [`Module`] that becomes an object file ([`ObjectModule::finish`]).
pub struct ObjectModule {
    isa: Box<dyn TargetIsa>,
    declarations: ModuleDeclarations,
    object: Object<'static>,
    functions: HashMap<FuncId, (SymbolId, bool)>,
    data: HashMap<DataId, (SymbolId, bool)>,
    libcalls: HashMap<LibCall, SymbolId>,
    named: HashMap<String, SymbolId>,
    /// Relocations to add at the end, when every symbol exists: the section, the offset
    /// of the definition in it, and the relocation.
    relocs: Vec<(SectionId, u64, ModuleReloc)>,
    /// Trap sites: the function's symbol, the offset in it, and the code.
    traps: Vec<(SymbolId, u32, u8)>,
    /// Unwind rules: the function's symbol, its code length, the rules.
    unwind: Vec<(SymbolId, u32, UnwindInfo)>,
    /// Each function's code length, for its unwind entry.
    code_len: HashMap<FuncId, u32>,
    elf_relocs: ElfRelocs,
}

/// The ELF architecture and byte order of `isa`.
fn target_of(isa: &dyn TargetIsa) -> ModuleResult<(Architecture, object::Endianness)> {
    let arch = match isa.name() {
        "x86_64" => Architecture::X86_64,
        "aarch64" => Architecture::Aarch64,
        "s390x" => Architecture::S390x,
        other => {
            return Err(ModuleError::Backend(format!(
                "no object format for {other}"
            )));
        }
    };
    let endian = match isa.endianness() {
        Endianness::Big => object::Endianness::Big,
        Endianness::Little => object::Endianness::Little,
    };
    Ok((arch, endian))
}

impl ObjectModule {
    /// An empty module.
    ///
    /// # Errors
    /// An ISA with no ELF architecture.
    pub fn new(builder: ObjectBuilder) -> ModuleResult<ObjectModule> {
        let (arch, endian) = target_of(builder.isa.as_ref())?;
        let mut object = Object::new(BinaryFormat::Elf, arch, endian);
        // An empty .note.GNU-stack: the code needs no executable stack.
        object.add_section(
            Vec::new(),
            b".note.GNU-stack".to_vec(),
            object::SectionKind::Elf(object::elf::SHT_PROGBITS),
        );
        Ok(ObjectModule {
            isa: builder.isa,
            declarations: ModuleDeclarations::default(),
            object,
            functions: HashMap::new(),
            data: HashMap::new(),
            libcalls: HashMap::new(),
            named: HashMap::new(),
            relocs: Vec::new(),
            traps: Vec::new(),
            unwind: Vec::new(),
            code_len: HashMap::new(),
            elf_relocs: ElfRelocs::of(arch),
        })
    }

    fn scope(linkage: Linkage) -> (SymbolScope, bool) {
        match linkage {
            Linkage::Import => (SymbolScope::Unknown, false),
            Linkage::Local => (SymbolScope::Compilation, false),
            Linkage::Hidden => (SymbolScope::Linkage, false),
            Linkage::Export => (SymbolScope::Dynamic, false),
            Linkage::Preemptible => (SymbolScope::Dynamic, true),
        }
    }

    fn new_symbol(&mut self, name: String, kind: SymbolKind, linkage: Linkage) -> SymbolId {
        let (scope, weak) = Self::scope(linkage);
        self.object.add_symbol(Symbol {
            name: name.into_bytes(),
            value: 0,
            size: 0,
            kind,
            scope,
            weak,
            section: SymbolSection::Undefined,
            flags: SymbolFlags::None,
        })
    }

    fn func_symbol(&mut self, id: FuncId) -> SymbolId {
        if let Some(&(s, _)) = self.functions.get(&id) {
            return s;
        }
        let decl = &self.declarations.functions[id];
        let name = decl
            .name
            .clone()
            .unwrap_or_else(|| format!(".Lgantry_fn{}", id.index()));
        let s = self.new_symbol(name, SymbolKind::Text, decl.linkage);
        self.functions.insert(id, (s, false));
        s
    }

    fn data_symbol(&mut self, id: DataId) -> SymbolId {
        if let Some(&(s, _)) = self.data.get(&id) {
            return s;
        }
        let decl = &self.declarations.data_objects[id];
        let name = decl
            .name
            .clone()
            .unwrap_or_else(|| format!(".Lgantry_data{}", id.index()));
        let kind = if decl.tls {
            SymbolKind::Tls
        } else {
            SymbolKind::Data
        };
        let s = self.new_symbol(name, kind, decl.linkage);
        self.data.insert(id, (s, false));
        s
    }

    fn target_symbol(&mut self, target: &RelocTarget) -> SymbolId {
        match target {
            RelocTarget::Func(id) => self.func_symbol(*id),
            RelocTarget::Data(id) => self.data_symbol(*id),
            RelocTarget::LibCall(lc) => {
                if let Some(&s) = self.libcalls.get(lc) {
                    return s;
                }
                let s = self.new_symbol(lc.symbol().to_string(), SymbolKind::Text, Linkage::Import);
                self.libcalls.insert(*lc, s);
                s
            }
            RelocTarget::Symbol(name) => {
                if let Some(&s) = self.named.get(name) {
                    return s;
                }
                let s = self.new_symbol(name.clone(), SymbolKind::Unknown, Linkage::Import);
                self.named.insert(name.clone(), s);
                s
            }
        }
    }

    /// Adds the relocations and returns the object file's bytes.
    ///
    /// # Errors
    /// A relocation the object format rejects.
    pub fn finish(mut self) -> ModuleResult<Vec<u8>> {
        self.write_eh_frame()?;
        if !self.traps.is_empty() {
            let section = self.object.add_section(
                Vec::new(),
                b".gantry_traps".to_vec(),
                object::SectionKind::ReadOnlyDataWithRel,
            );
            for &(symbol, offset, code) in &self.traps.clone() {
                let mut entry = [0u8; 16];
                entry[8] = code;
                let at = self.object.append_section_data(section, &entry, 8);
                self.object
                    .add_relocation(
                        section,
                        Relocation {
                            offset: at,
                            symbol,
                            addend: i64::from(offset),
                            flags: RelocationFlags::Elf {
                                r_type: self.elf_relocs.abs64,
                            },
                        },
                    )
                    .map_err(|e| ModuleError::Backend(format!("trap relocation: {e}")))?;
            }
        }
        let relocs = std::mem::take(&mut self.relocs);
        for (section, base, r) in relocs {
            let symbol = self.target_symbol(&r.target);
            let r_type = self.elf_relocs.of_kind(r.kind)?;
            self.object
                .add_relocation(
                    section,
                    Relocation {
                        offset: base + u64::from(r.offset),
                        symbol,
                        addend: r.addend,
                        flags: RelocationFlags::Elf { r_type },
                    },
                )
                .map_err(|e| ModuleError::Backend(format!("relocation: {e}")))?;
        }
        self.object
            .write()
            .map_err(|e| ModuleError::Backend(format!("writing the object: {e}")))
    }
}

impl ObjectModule {
    /// Adds `.eh_frame` for the functions with unwind rules.
    fn write_eh_frame(&mut self) -> ModuleResult<()> {
        let Some(cie) = self.isa.unwind_cie() else {
            return Ok(());
        };
        if self.unwind.is_empty() {
            return Ok(());
        }
        // Symbols are numbered by their position in `self.unwind`.
        let functions: Vec<(u64, u32, &UnwindInfo)> = self
            .unwind
            .iter()
            .enumerate()
            .map(|(i, (_, len, u))| (i as u64, *len, u))
            .collect();
        let big = self.isa.endianness() == Endianness::Big;
        let (bytes, relocs) = eh_frame(&cie, big, CodeAddresses::Relocated, &functions)
            .map_err(|e| ModuleError::Backend(format!("unwind information: {e}")))?;
        let section = self.object.add_section(
            Vec::new(),
            b".eh_frame".to_vec(),
            object::SectionKind::ReadOnlyData,
        );
        self.object.append_section_data(section, &bytes, 8);
        for r in relocs {
            self.object
                .add_relocation(
                    section,
                    Relocation {
                        offset: r.offset,
                        symbol: self.unwind[r.symbol].0,
                        addend: r.addend,
                        flags: RelocationFlags::Elf {
                            r_type: self.elf_relocs.pc32,
                        },
                    },
                )
                .map_err(|e| ModuleError::Backend(format!("unwind relocation: {e}")))?;
        }
        Ok(())
    }
}

impl Module for ObjectModule {
    fn define_function_unwind(&mut self, func: FuncId, unwind: &UnwindInfo) -> ModuleResult<()> {
        let symbol = self.func_symbol(func);
        let len = self.code_len.get(&func).copied().unwrap_or(0);
        self.unwind.push((symbol, len, unwind.clone()));
        Ok(())
    }

    fn isa(&self) -> &dyn TargetIsa {
        self.isa.as_ref()
    }

    fn declarations(&self) -> &ModuleDeclarations {
        &self.declarations
    }

    fn declarations_mut(&mut self) -> &mut ModuleDeclarations {
        &mut self.declarations
    }

    fn define_function_bytes(
        &mut self,
        func: FuncId,
        alignment: u64,
        bytes: &[u8],
        relocs: &[ModuleReloc],
        traps: &[MachTrap],
    ) -> ModuleResult<()> {
        let defined = self.functions.get(&func).is_some_and(|&(_, d)| d);
        self.declarations.check_function_definable(func, defined)?;
        let symbol = self.func_symbol(func);
        let text = self.object.section_id(StandardSection::Text);
        let offset = self
            .object
            .add_symbol_data(symbol, text, bytes, alignment.max(1));
        self.functions.insert(func, (symbol, true));
        self.code_len.insert(func, bytes.len() as u32);
        self.traps
            .extend(traps.iter().map(|t| (symbol, t.offset, t.code.as_raw())));
        self.relocs
            .extend(relocs.iter().map(|r| (text, offset, r.clone())));
        Ok(())
    }

    fn define_data(&mut self, data: DataId, desc: &DataDescription) -> ModuleResult<()> {
        let decl = self.declarations.data_objects[data].clone();
        let defined = self.data.get(&data).is_some_and(|&(_, d)| d);
        self.declarations.check_data_definable(data, defined)?;
        if decl.tls {
            return Err(ModuleError::Backend(
                "thread-local data objects are not supported by the object writer yet".into(),
            ));
        }
        let symbol = self.data_symbol(data);
        let align = desc.align.unwrap_or(8).max(1);
        let no_relocs = desc.function_relocs.is_empty() && desc.data_relocs.is_empty();
        let (section, offset) = match &desc.init {
            Init::Uninitialized => {
                return Err(ModuleError::Backend(format!(
                    "data {data} is defined without contents"
                )));
            }
            Init::Zeros { size } if decl.writable && no_relocs => {
                let bss = self.object.section_id(StandardSection::UninitializedData);
                (
                    bss,
                    self.object.add_symbol_bss(symbol, bss, *size as u64, align),
                )
            }
            init => {
                let bytes = match init {
                    Init::Bytes { contents } => contents.to_vec(),
                    _ => vec![0; init.size()],
                };
                let kind = if decl.writable {
                    StandardSection::Data
                } else if no_relocs {
                    StandardSection::ReadOnlyData
                } else {
                    // Read-only after relocation (the linker's `.data.rel.ro`).
                    StandardSection::ReadOnlyDataWithRel
                };
                let section = self.object.section_id(kind);
                (
                    section,
                    self.object.add_symbol_data(symbol, section, &bytes, align),
                )
            }
        };
        self.data.insert(data, (symbol, true));
        self.relocs
            .extend(desc.relocs().into_iter().map(|r| (section, offset, r)));
        Ok(())
    }
}
