//! Objects for a big-endian target (s390x): the ELF header, the byte order of section
//! contents and the relocation types follow the target. A stand-in ISA supplies the
//! target's facts; the code is given as bytes.

use gantry_codegen::ir::{Endianness, FunctionStencil, TrapCode};
use gantry_codegen::isa::TargetIsa;
use gantry_codegen::machinst::CodegenError;
use gantry_codegen::machinst::buffer::MachTrap;
use gantry_codegen::machinst::compiled::CompiledCodeStencil;
use gantry_codegen::settings::Flags;
use gantry_codegen::target_lexicon::Triple;
use gantry_module::{DataDescription, Linkage, Module, ModuleReloc, RelocTarget};
use gantry_object::{ObjectBuilder, ObjectModule};
use object::{Object as _, ObjectSection as _, ObjectSymbol as _, elf};

/// s390x as far as the object writer is concerned; it compiles nothing.
struct S390xFacts(Flags, Triple);

impl TargetIsa for S390xFacts {
    fn name(&self) -> &'static str {
        "s390x"
    }
    fn shared_flags(&self) -> &Flags {
        &self.0
    }
    fn triple(&self) -> &Triple {
        &self.1
    }
    fn isa_flags(&self) -> gantry_codegen::settings::IsaFlags {
        gantry_codegen::settings::IsaFlags::S390x(Default::default())
    }
    fn endianness(&self) -> Endianness {
        Endianness::Big
    }
    fn compile_stencil(
        &self,
        _: &FunctionStencil,
        _: bool,
    ) -> Result<CompiledCodeStencil, CodegenError> {
        Err(CodegenError::Unsupported {
            feature: "compiling (a stand-in ISA)".into(),
        })
    }
}

#[test]
fn big_endian_objects_use_the_targets_byte_order_and_relocations() {
    let triple = "s390x-unknown-linux-gnu".parse().unwrap();
    let isa = Box::new(S390xFacts(Flags::default(), triple));
    let mut module = ObjectModule::new(ObjectBuilder::new(isa)).unwrap();
    let sig = module.make_signature();
    let f = module
        .declare_function("get", Linkage::Export, &sig)
        .unwrap();
    let callee = module
        .declare_function("ext", Linkage::Import, &sig)
        .unwrap();
    // brasl %r14, ext (R_390_PLT32DBL at offset 2, addend 2); lg %r2, 0(%r2) (a trap
    // site); br %r14.
    let code = [
        0xc0, 0xe5, 0, 0, 0, 0, 0xe3, 0x20, 0x20, 0x00, 0x00, 0x04, 0x07, 0xfe,
    ];
    let relocs = [ModuleReloc {
        offset: 2,
        kind: gantry_codegen::machinst::reloc::Reloc::S390xPLTRel32Dbl,
        target: RelocTarget::Func(callee),
        addend: 2,
    }];
    let traps = [MachTrap {
        offset: 6,
        code: TrapCode::HEAP_OUT_OF_BOUNDS,
    }];
    module
        .define_function_bytes(f, 8, &code, &relocs, &traps)
        .unwrap();
    // A table holding the function's address and a 32-bit big-endian constant.
    let table = module
        .declare_data("table", Linkage::Export, false, false)
        .unwrap();
    let mut desc = DataDescription::new();
    let mut bytes = vec![0u8; 12];
    bytes[8..].copy_from_slice(&0x0102_0304u32.to_be_bytes());
    desc.define(bytes.into_boxed_slice());
    desc.write_function_addr(0, f);
    module.define_data(table, &desc).unwrap();
    let bytes = module.finish().unwrap();

    // The ELF header: 64-bit, big-endian (EI_DATA = ELFDATA2MSB), machine EM_S390.
    assert_eq!(&bytes[..6], b"\x7fELF\x02\x02");
    assert_eq!(u16::from_be_bytes([bytes[18], bytes[19]]), elf::EM_S390);
    let file = object::File::parse(&*bytes).unwrap();
    assert!(!file.is_little_endian());
    let kinds = |name: &str| -> Vec<u32> {
        let section = file.section_by_name(name).unwrap();
        section
            .relocations()
            .map(|(_, r)| match r.flags() {
                object::RelocationFlags::Elf { r_type } => r_type,
                other => panic!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(kinds(".text"), [elf::R_390_PLT32DBL]);
    assert_eq!(kinds(".data.rel.ro"), [elf::R_390_64]);
    assert_eq!(kinds(".gantry_traps"), [elf::R_390_64]);
    let text = file.section_by_name(".text").unwrap();
    assert_eq!(&text.data().unwrap()[..code.len()], code);
    let symbol = file.symbols().find(|s| s.name() == Ok("table")).unwrap();
    let data = file
        .section_by_name(".data.rel.ro")
        .unwrap()
        .data()
        .unwrap();
    let at = symbol.address() as usize;
    assert_eq!(data[at + 8..at + 12], [1, 2, 3, 4]);
}

/// A relocation kind of another architecture is an error naming it, not a wrong ELF type.
#[test]
fn relocations_of_another_architecture_are_rejected() {
    let triple = "s390x-unknown-linux-gnu".parse().unwrap();
    let isa = Box::new(S390xFacts(Flags::default(), triple));
    let mut module = ObjectModule::new(ObjectBuilder::new(isa)).unwrap();
    let sig = module.make_signature();
    let f = module.declare_function("f", Linkage::Export, &sig).unwrap();
    let relocs = [ModuleReloc {
        offset: 2,
        kind: gantry_codegen::machinst::reloc::Reloc::X86CallPLTRel4,
        target: RelocTarget::Func(f),
        addend: -4,
    }];
    module
        .define_function_bytes(f, 8, &[0; 8], &relocs, &[])
        .unwrap();
    let err = module.finish().unwrap_err();
    assert!(err.to_string().contains("X86CallPLTRel4"), "{err}");
}
