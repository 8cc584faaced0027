//! [`Context`]: one function and the state of compiling it, reusable across functions.

use crate::ir::Function;
use crate::isa::TargetIsa;
use crate::machinst::CodegenError;
use crate::machinst::compiled::CompiledCode;
use crate::verifier::verify_for_settings;

/// A function being compiled and, after [`Context::compile`], its machine code.
///
/// Frontends fill `func` (directly or through a `FunctionBuilder`), call `compile`, read
/// [`Context::compiled_code`], then [`Context::clear`] it for the next function.
#[derive(Default)]
pub struct Context {
    /// The function to compile.
    pub func: Function,
    /// Keep the VCode as text in the result (for `clif-util compile` and golden tests).
    pub want_vcode: bool,
    compiled: Option<CompiledCode>,
}

impl Context {
    /// A context with an empty function.
    pub fn new() -> Context {
        Context::default()
    }

    /// A context for `func`.
    pub fn for_function(func: Function) -> Context {
        Context {
            func,
            ..Context::default()
        }
    }

    /// Empties the function and the result, keeping `want_vcode`.
    pub fn clear(&mut self) {
        self.func = Function::default();
        self.compiled = None;
    }

    /// Verifies the function (unless `enable_verifier` is off), compiles its stencil for
    /// `isa`, and finalizes the code with the function's parameters.
    ///
    /// # Errors
    /// [`CodegenError::Verifier`] for invalid IR; otherwise what
    /// [`TargetIsa::compile_stencil`] returns.
    pub fn compile(&mut self, isa: &dyn TargetIsa) -> Result<&CompiledCode, CodegenError> {
        self.compiled = None;
        verify_for_settings(&self.func, isa.shared_flags()).map_err(CodegenError::Verifier)?;
        let stencil = isa.compile_stencil(&self.func.stencil, self.want_vcode)?;
        Ok(self
            .compiled
            .insert(stencil.apply_params(&self.func.params)))
    }

    /// As [`Context::compile`], through the incremental cache `store`: a function whose
    /// [`CacheKey`](crate::incremental_cache::CacheKey) (stencil, ISA, flags, version)
    /// is there is not compiled again, only finalized with its parameters. Returns the
    /// code and whether it came from the cache. With the shared setting
    /// `enable_incremental_compilation_cache_checks`, a hit is compiled again anyway and
    /// must be equal. A miss is verified as [`Context::compile`] does; a hit, whose stencil
    /// passed the verifier under the same settings when it was stored, only has its
    /// parameters' name table checked.
    ///
    /// # Errors
    /// Those of [`Context::compile`]; [`CodegenError::Unsupported`] naming the cache
    /// when a checked hit differs from a fresh compilation (a stale or foreign entry).
    #[cfg(feature = "incremental-cache")]
    pub fn compile_with_cache(
        &mut self,
        isa: &dyn TargetIsa,
        store: &mut dyn crate::incremental_cache::CacheKvStore,
    ) -> Result<(&CompiledCode, bool), CodegenError> {
        use crate::incremental_cache::{CacheKey, deserialize, serialize};
        self.compiled = None;
        // A hit's stencil equals one that passed the verifier with these settings (the
        // key covers both), so only its parameters are checked, for finalizing.
        let key = CacheKey::new(isa, &self.func.stencil);
        let cached = store.get(&key.0).and_then(|bytes| {
            let code = deserialize(&key, &bytes);
            if code.is_none() {
                log::warn!("cache: entry {key} is damaged or of another format; recompiling");
            }
            code
        });
        let (stencil, hit) = match cached {
            Some(stencil) => {
                crate::verifier::verify_name_table(&self.func).map_err(CodegenError::Verifier)?;
                if isa
                    .shared_flags()
                    .enable_incremental_compilation_cache_checks
                {
                    let fresh = isa.compile_stencil(&self.func.stencil, false)?;
                    if fresh.buffer != stencil.buffer || fresh.unwind != stencil.unwind {
                        return Err(CodegenError::Unsupported {
                            feature: alloc::format!(
                                "a cache entry ({key}) that differs from compiling its function again"
                            ),
                        });
                    }
                }
                (stencil, true)
            }
            None => {
                verify_for_settings(&self.func, isa.shared_flags())
                    .map_err(CodegenError::Verifier)?;
                let stencil = isa.compile_stencil(&self.func.stencil, self.want_vcode)?;
                store.insert(&key.0, serialize(&key, &stencil));
                (stencil, false)
            }
        };
        let code = self
            .compiled
            .insert(stencil.apply_params(&self.func.params));
        Ok((code, hit))
    }

    /// The result of the last successful [`Context::compile`].
    pub fn compiled_code(&self) -> Option<&CompiledCode> {
        self.compiled.as_ref()
    }
}
