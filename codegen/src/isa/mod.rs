//! Target ISAs: finding one by name, and its flags and basic facts.
//!
//! The code generators of each ISA live in `isa/<isa>/` (they arrive with the backend
//! issues); this module resolves `target` lines and triples to an ISA and its flags.

pub mod aarch64;
#[cfg(feature = "std")]
pub mod native;
pub mod s390x;
pub mod x64;

use crate::ir::{CallConv, Endianness, Function, FunctionStencil, Type};
use crate::machinst::CodegenError;
use crate::machinst::compiled::{CompiledCode, CompiledCodeStencil};
use crate::settings::{Aarch64Flags, Flags, IsaFlags, S390xFlags, SetError, X64Flags};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use core::fmt;
use core::str::FromStr;
use target_lexicon::{Architecture, OperatingSystem, Triple};

/// Why no ISA could be found for a name.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum LookupError {
    /// The name is not a target triple or architecture.
    Unknown(String),
    /// A real architecture Gantry does not generate code for (riscv64, pulley, ...).
    Unsupported(String),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::Unknown(n) => write!(f, "`{n}` is not a target triple or architecture"),
            LookupError::Unsupported(n) => write!(f, "Gantry does not support the target `{n}`"),
        }
    }
}

/// A target ISA with its flags, ready to compile functions.
pub trait TargetIsa: Send + Sync {
    /// The ISA's short name (`x86_64`, `aarch64`, `s390x`).
    fn name(&self) -> &'static str;

    /// The shared settings it was built with.
    fn shared_flags(&self) -> &Flags;

    /// The target triple (architecture, operating system, ...).
    fn triple(&self) -> &Triple;

    /// The calling convention of the target's C functions, from its triple.
    fn default_call_conv(&self) -> CallConv {
        c_call_conv(self.triple())
    }

    /// The ISA flags the target was built with.
    fn isa_flags(&self) -> IsaFlags;

    /// The byte order of the target's memory.
    fn endianness(&self) -> Endianness;

    /// The unwind rules all its functions share, if it produces unwind information.
    fn unwind_cie(&self) -> Option<crate::machinst::unwind::CieInfo> {
        None
    }

    /// Compiles a function's stencil to machine code: lowering, register allocation and
    /// emission, including the prologue and epilogue. It reads nothing but `stencil`, so
    /// equal stencils give equal results. With `want_vcode`, the result carries the
    /// VCode as text. The stencil is assumed valid (see [`TargetIsa::compile_function`]).
    ///
    /// # Errors
    /// [`CodegenError::UnsupportedOpcode`] or [`CodegenError::Unsupported`] for what this
    /// backend does not handle, and allocation or emission failures.
    fn compile_stencil(
        &self,
        stencil: &FunctionStencil,
        want_vcode: bool,
    ) -> Result<CompiledCodeStencil, CodegenError>;

    /// Verifies `func` (with the shared settings' verifier flags), compiles its stencil
    /// and finalizes the result with its parameters.
    ///
    /// # Errors
    /// [`CodegenError::Verifier`] for invalid IR, and those of
    /// [`TargetIsa::compile_stencil`].
    fn compile_function(&self, func: &Function) -> Result<CompiledCode, CodegenError> {
        crate::verifier::verify_for_settings(func, self.shared_flags())
            .map_err(CodegenError::Verifier)?;
        Ok(self
            .compile_stencil(&func.stencil, false)?
            .apply_params(&func.params))
    }
}

/// An ISA chosen by name, with its flags being set.
#[derive(Clone, Debug)]
pub struct IsaBuilder {
    triple: Triple,
    flags: IsaFlags,
}

/// Finds the ISA for `name`: an architecture (`x86_64`, `aarch64`, `s390x`) or a full
/// triple (`aarch64-apple-darwin`). A bare architecture means Linux.
///
/// # Errors
/// [`LookupError::Unknown`] for names that are no target; [`LookupError::Unsupported`]
/// for targets Gantry has no backend for.
pub fn lookup(name: &str) -> Result<IsaBuilder, LookupError> {
    let mut triple = Triple::from_str(name).map_err(|_| LookupError::Unknown(name.to_string()))?;
    if !name.contains('-') {
        triple.operating_system = OperatingSystem::Linux;
    }
    let flags = match triple.architecture {
        Architecture::X86_64 => IsaFlags::X64(X64Flags::default()),
        Architecture::Aarch64(_) => IsaFlags::Aarch64(Aarch64Flags::default()),
        Architecture::S390x => IsaFlags::S390x(S390xFlags::default()),
        Architecture::Unknown => return Err(LookupError::Unknown(name.to_string())),
        _ => return Err(LookupError::Unsupported(name.to_string())),
    };
    Ok(IsaBuilder { triple, flags })
}

impl IsaBuilder {
    /// Applies a word of a `target` line: an ISA flag, `flag=value`, or a preset.
    ///
    /// # Errors
    /// An unknown flag or preset, or a bad value.
    pub fn apply(&mut self, word: &str) -> Result<(), SetError> {
        self.flags.apply(word)
    }

    /// The target triple.
    pub fn triple(&self) -> &Triple {
        &self.triple
    }

    /// The ISA's flags.
    pub fn flags(&self) -> &IsaFlags {
        &self.flags
    }

    /// The finished target, able to compile.
    ///
    /// # Errors
    /// [`LookupError::Unsupported`] for ISAs whose backend is not written yet (aarch64
    /// and s390x so far).
    pub fn finish(self) -> Result<Box<dyn TargetIsa>, LookupError> {
        self.finish_with(crate::settings::Flags::default())
    }

    /// The finished target, compiling with the shared settings `shared`.
    ///
    /// # Errors
    /// As [`IsaBuilder::finish`].
    pub fn finish_with(
        self,
        shared: crate::settings::Flags,
    ) -> Result<Box<dyn TargetIsa>, LookupError> {
        match self.flags {
            IsaFlags::X64(flags) => Ok(Box::new(x64::X64Isa::new(self.triple, flags, shared))),
            IsaFlags::Aarch64(flags) => Ok(Box::new(aarch64::Aarch64Isa::new(
                self.triple,
                flags,
                shared,
            ))),
            IsaFlags::S390x(flags) => {
                Ok(Box::new(s390x::S390xIsa::new(self.triple, flags, shared)))
            }
        }
    }

    /// The ISA's short name (`x86_64`, `aarch64`, `s390x`).
    pub fn name(&self) -> &'static str {
        match self.flags {
            IsaFlags::X64(_) => "x86_64",
            IsaFlags::Aarch64(_) => "aarch64",
            IsaFlags::S390x(_) => "s390x",
        }
    }

    /// The type of a pointer (all three ISAs are 64-bit).
    pub fn pointer_type(&self) -> Type {
        Type::I64
    }

    /// The byte order of memory.
    pub fn endianness(&self) -> Endianness {
        match self.flags {
            IsaFlags::S390x(_) => Endianness::Big,
            _ => Endianness::Little,
        }
    }

    /// The calling convention of functions that name none: the platform's C convention.
    pub fn default_call_conv(&self) -> CallConv {
        c_call_conv(&self.triple)
    }
}

/// The C calling convention of `triple`: Windows x64 on Windows, Apple's variant of the
/// Arm procedure call standard on aarch64 Apple systems, System V elsewhere.
pub fn c_call_conv(triple: &Triple) -> CallConv {
    match (triple.architecture, triple.operating_system) {
        (_, OperatingSystem::Windows) => CallConv::WindowsFastcall,
        (Architecture::Aarch64(_), OperatingSystem::Darwin(_) | OperatingSystem::MacOSX(_)) => {
            CallConv::AppleAarch64
        }
        _ => CallConv::SystemV,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_name_and_triple() {
        let x = lookup("x86_64").unwrap();
        assert_eq!(
            (x.name(), x.default_call_conv(), x.endianness()),
            ("x86_64", CallConv::SystemV, Endianness::Little)
        );
        let mac = lookup("aarch64-apple-darwin").unwrap();
        assert_eq!(mac.default_call_conv(), CallConv::AppleAarch64);
        let win = lookup("x86_64-pc-windows-msvc").unwrap();
        assert_eq!(win.default_call_conv(), CallConv::WindowsFastcall);
        // The finished target keeps its triple and takes its C convention from it.
        let win = win.finish().unwrap();
        assert_eq!(win.triple().to_string(), "x86_64-pc-windows-msvc");
        assert_eq!(win.default_call_conv(), CallConv::WindowsFastcall);
        let linux = lookup("x86_64").unwrap().finish().unwrap();
        assert_eq!(linux.default_call_conv(), CallConv::SystemV);
        let z = lookup("s390x").unwrap();
        assert_eq!(z.endianness(), Endianness::Big);
        assert!(matches!(
            lookup("riscv64"),
            Err(LookupError::Unsupported(_))
        ));
        assert!(matches!(
            lookup("pulley64"),
            Err(LookupError::Unknown(_)) | Err(LookupError::Unsupported(_))
        ));
        assert!(matches!(lookup("not_an_isa"), Err(LookupError::Unknown(_))));
    }

    #[test]
    fn target_words_apply_flags() {
        let mut b = lookup("x86_64").unwrap();
        b.apply("has_avx").unwrap();
        b.apply("sse42").unwrap();
        assert_eq!(
            b.flags().describe(),
            "has_sse3 has_ssse3 has_sse41 has_sse42 has_avx"
        );
        assert!(b.apply("has_lse").is_err());
    }
}
