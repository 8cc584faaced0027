//! The [`Module`] trait and its errors.

use crate::{DataDescription, DataId, FuncId, FuncOrDataId, Linkage, ModuleDeclarations};
use gantry_codegen::Context;
use gantry_codegen::incremental_cache::CacheKvStore;
use gantry_codegen::ir::{
    ExtFuncData, ExternalName, FuncRef, Function, GlobalValue, GlobalValueData, Imm64, LibCall,
    Signature, UserExternalName,
};
use gantry_codegen::isa::TargetIsa;
use gantry_codegen::machinst::CodegenError;
use gantry_codegen::machinst::buffer::MachTrap;
use gantry_codegen::machinst::compiled::{CompiledCode, FinalizedReloc, FinalizedRelocTarget};
use std::fmt;

/// What a module operation can fail with.
#[derive(Clone, Debug, PartialEq)]
pub enum ModuleError {
    /// A name is declared as both a function and data, or data with other attributes.
    IncompatibleDeclaration(String),
    /// A function is declared again with another signature.
    IncompatibleSignature(String),
    /// A function or data object is defined twice.
    DuplicateDefinition(String),
    /// An imported symbol cannot be defined.
    InvalidImportDefinition(String),
    /// A symbol the code refers to is neither defined nor found.
    Undefined(String),
    /// Compilation failed.
    Compilation(CodegenError),
    /// A relocation the module cannot apply.
    UnsupportedRelocation(String),
    /// Allocating or protecting memory failed, or writing the output.
    Backend(String),
}

impl fmt::Display for ModuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModuleError::IncompatibleDeclaration(n) => {
                write!(
                    f,
                    "`{n}` is declared again with an incompatible kind or attributes"
                )
            }
            ModuleError::IncompatibleSignature(n) => {
                write!(f, "function `{n}` is declared again with another signature")
            }
            ModuleError::DuplicateDefinition(n) => write!(f, "`{n}` is defined twice"),
            ModuleError::InvalidImportDefinition(n) => {
                write!(f, "`{n}` is declared as an import and cannot be defined")
            }
            ModuleError::Undefined(n) => write!(f, "`{n}` is not defined and was not found"),
            ModuleError::Compilation(e) => write!(f, "compilation failed: {e}"),
            ModuleError::UnsupportedRelocation(r) => write!(f, "unsupported relocation: {r}"),
            ModuleError::Backend(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for ModuleError {}

/// The result of module operations.
pub type ModuleResult<T> = Result<T, ModuleError>;

/// What a relocation of a module's code or data refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelocTarget {
    /// A function of the module.
    Func(FuncId),
    /// A data object of the module.
    Data(DataId),
    /// A runtime library function (by its C symbol).
    LibCall(LibCall),
    /// Another symbol, by name.
    Symbol(String),
}

/// A relocation of compiled code in module terms: patch `offset` (bytes into the code)
/// with relocation `kind` for `target` plus `addend`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleReloc {
    /// The offset of the patched field.
    pub offset: u32,
    /// What the relocation computes.
    pub kind: gantry_codegen::machinst::reloc::Reloc,
    /// What it refers to.
    pub target: RelocTarget,
    /// Added to the target's address.
    pub addend: i64,
}

/// The module meaning of a finalized relocation target: user names in namespace 0 are
/// functions, in namespace 1 data.
///
/// # Errors
/// [`ModuleError::UnsupportedRelocation`] for other user namespaces.
pub fn resolve_name(target: &FinalizedRelocTarget) -> ModuleResult<RelocTarget> {
    use gantry_codegen::entity::EntityRef;
    Ok(match target {
        FinalizedRelocTarget::User(UserExternalName {
            namespace: 0,
            index,
        }) => RelocTarget::Func(FuncId::new(*index as usize)),
        FinalizedRelocTarget::User(UserExternalName {
            namespace: 1,
            index,
        }) => RelocTarget::Data(DataId::new(*index as usize)),
        FinalizedRelocTarget::LibCall(lc) => RelocTarget::LibCall(*lc),
        FinalizedRelocTarget::TestCase(name) => RelocTarget::Symbol(name.as_str().to_string()),
        FinalizedRelocTarget::KnownSymbol(k) => RelocTarget::Symbol(k.symbol().to_string()),
        other => return Err(ModuleError::UnsupportedRelocation(format!("{other:?}"))),
    })
}

/// A set of functions and data objects that refer to each other by name.
pub trait Module {
    /// The target the module's code is compiled for.
    fn isa(&self) -> &dyn TargetIsa;

    /// The declarations.
    fn declarations(&self) -> &ModuleDeclarations;

    /// The declarations, mutably (for the provided methods).
    fn declarations_mut(&mut self) -> &mut ModuleDeclarations;

    /// Places compiled (or given) code for `func`, with its relocations and its trap
    /// sites (offsets of instructions that may trap, with their codes).
    ///
    /// # Errors
    /// Redefinition, an import, or a relocation the module cannot handle.
    fn define_function_bytes(
        &mut self,
        func: FuncId,
        alignment: u64,
        bytes: &[u8],
        relocs: &[ModuleReloc],
        traps: &[MachTrap],
    ) -> ModuleResult<()>;

    /// Records how to unwind defined function `func` (modules that write unwind
    /// sections use it; the default ignores it).
    ///
    /// # Errors
    /// None by default.
    fn define_function_unwind(
        &mut self,
        _func: FuncId,
        _unwind: &gantry_codegen::machinst::unwind::UnwindInfo,
    ) -> ModuleResult<()> {
        Ok(())
    }

    /// Places the data object `data` as `desc` describes.
    ///
    /// # Errors
    /// Redefinition, an import, or uninitialized contents.
    fn define_data(&mut self, data: DataId, desc: &DataDescription) -> ModuleResult<()>;

    /// A signature with the target's default calling convention.
    fn make_signature(&self) -> Signature {
        Signature::new(self.isa().default_call_conv())
    }

    /// A context whose function has the target's default calling convention.
    fn make_context(&self) -> Context {
        let mut ctx = Context::new();
        ctx.func.signature = self.make_signature();
        ctx
    }

    /// Declares a function (see [`ModuleDeclarations::declare_function`]).
    ///
    /// # Errors
    /// An incompatible earlier declaration of `name`.
    fn declare_function(
        &mut self,
        name: &str,
        linkage: Linkage,
        signature: &Signature,
    ) -> ModuleResult<FuncId> {
        self.declarations_mut()
            .declare_function(name, linkage, signature)
    }

    /// Declares a function with no name.
    fn declare_anonymous_function(&mut self, signature: &Signature) -> ModuleResult<FuncId> {
        Ok(self
            .declarations_mut()
            .declare_anonymous_function(signature))
    }

    /// Declares a data object (see [`ModuleDeclarations::declare_data`]).
    ///
    /// # Errors
    /// An incompatible earlier declaration of `name`.
    fn declare_data(
        &mut self,
        name: &str,
        linkage: Linkage,
        writable: bool,
        tls: bool,
    ) -> ModuleResult<DataId> {
        self.declarations_mut()
            .declare_data(name, linkage, writable, tls)
    }

    /// Declares a data object with no name.
    fn declare_anonymous_data(&mut self, writable: bool, tls: bool) -> ModuleResult<DataId> {
        Ok(self
            .declarations_mut()
            .declare_anonymous_data(writable, tls))
    }

    /// What `name` is declared as.
    fn get_name(&self, name: &str) -> Option<FuncOrDataId> {
        self.declarations().get_name(name)
    }

    /// Makes module function `id` callable from `func` (with `call` or `func_addr`).
    fn declare_func_in_func(&mut self, id: FuncId, func: &mut Function) -> FuncRef {
        use gantry_codegen::entity::EntityRef;
        let decl = &self.declarations().functions[id];
        let signature = func.import_signature(decl.signature.clone());
        let name = func.declare_imported_user_function(UserExternalName::new(0, id.index() as u32));
        let colocated = decl.linkage.is_definable();
        func.import_function(ExtFuncData {
            name: ExternalName::User(name),
            signature,
            colocated,
            patchable: false,
        })
    }

    /// Makes data object `id` addressable from `func` (with `symbol_value`).
    fn declare_data_in_func(&mut self, id: DataId, func: &mut Function) -> GlobalValue {
        use gantry_codegen::entity::EntityRef;
        let decl = &self.declarations().data_objects[id];
        let name = func.declare_imported_user_function(UserExternalName::new(1, id.index() as u32));
        let colocated = decl.linkage.is_definable();
        let tls = decl.tls;
        func.create_global_value(GlobalValueData::Symbol {
            name: ExternalName::User(name),
            offset: Imm64::new(0),
            colocated,
            tls,
        })
    }

    /// Compiles `ctx.func` for the module's target and defines `func` with the code.
    ///
    /// # Errors
    /// Compilation failure, and those of [`Module::define_function_bytes`].
    fn define_function(&mut self, func: FuncId, ctx: &mut Context) -> ModuleResult<()> {
        let code = ctx
            .compile(self.isa())
            .map_err(ModuleError::Compilation)?
            .clone();
        self.define_compiled_function(func, &code)
    }

    /// As [`Module::define_function`], through the incremental compilation cache
    /// `store` (see [`Context::compile_with_cache`]): a function compiled before with
    /// the same stencil, target and settings is taken from the store, finalized with its
    /// own names. Returns whether it was a hit.
    ///
    /// # Errors
    /// As [`Module::define_function`].
    fn define_function_with_cache(
        &mut self,
        func: FuncId,
        ctx: &mut Context,
        store: &mut dyn CacheKvStore,
    ) -> ModuleResult<bool> {
        let (code, hit) = ctx
            .compile_with_cache(self.isa(), store)
            .map_err(ModuleError::Compilation)?;
        let code = code.clone();
        self.define_compiled_function(func, &code)?;
        Ok(hit)
    }

    /// Defines `func` with compiled `code`: its bytes, relocations, traps and unwind
    /// information.
    ///
    /// # Errors
    /// Those of [`Module::define_function_bytes`] and [`module_reloc`].
    fn define_compiled_function(&mut self, func: FuncId, code: &CompiledCode) -> ModuleResult<()> {
        let relocs = code
            .relocs
            .iter()
            .map(module_reloc)
            .collect::<ModuleResult<Vec<_>>>()?;
        self.define_function_bytes(func, 16, &code.code, &relocs, &code.traps)?;
        match &code.unwind {
            Some(unwind) => self.define_function_unwind(func, unwind),
            None => Ok(()),
        }
    }
}

/// A compiled relocation in module terms.
///
/// # Errors
/// As [`resolve_name`].
pub fn module_reloc(r: &FinalizedReloc) -> ModuleResult<ModuleReloc> {
    Ok(ModuleReloc {
        offset: r.offset,
        kind: r.kind,
        target: resolve_name(&r.target)?,
        addend: r.addend,
    })
}
