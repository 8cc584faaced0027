//! The mid-end: rewrites of a function before lowering, run when `opt_level` is not
//! `none` (and NaN canonicalization whenever `enable_nan_canonicalization` is set). Each
//! optimization keeps the function valid and its behaviour unchanged.
//!
//! Passes, in order: [`simplify`] (comparisons of comparisons, identities),
//! [`div_const`] (division by constants as multiplications),
//! [`redundant_loads`] (loads whose value a block already knows), [`gvn`] (global value
//! numbering over the dominator tree), [`licm`] (loop-invariant code motion to loop
//! preheaders), then [`remat`] (cheap operations with a constant recomputed in the
//! blocks that use them).

pub mod div_const;
pub mod dynamic_vectors;
pub mod gvn;
pub mod licm;
pub mod nan_canonicalize;
pub mod redundant_loads;
pub mod remat;
pub mod simplify;
pub mod small_vectors;

use crate::ir::{FunctionStencil, Opcode};

/// Whether `op` makes a constant (GVN merges constants only within a block, and LICM
/// moves them only along with a user that leaves the loop).
fn is_constant(op: Opcode) -> bool {
    matches!(
        op,
        Opcode::Iconst
            | Opcode::F16const
            | Opcode::F32const
            | Opcode::F64const
            | Opcode::F128const
            | Opcode::Vconst
    )
}
use crate::machinst::CodegenError;
use crate::settings::{Flags, OptLevel};
use alloc::borrow::Cow;

/// `stencil` as the backend should compile it: unchanged at `opt_level=none`, else a
/// copy the mid-end rewrote. With `small_vectors` (the byte order of an ISA without
/// vectors narrower than 128 bits) such vectors are widened first ([`small_vectors`]). The result depends only on `stencil` and `flags`, so equal
/// stencils still compile to equal code.
///
/// # Errors
/// [`CodegenError::Verifier`] if a pass produced invalid IR (checked in debug builds and
/// with `enable_verifier`): a bug in Gantry, reported rather than compiled.
pub fn optimize<'a>(
    stencil: &'a FunctionStencil,
    flags: &Flags,
    small_vectors: Option<crate::ir::memflags::Endianness>,
) -> Result<Cow<'a, FunctionStencil>, CodegenError> {
    let optimizing = flags.opt_level != OptLevel::None;
    let dynamic = dynamic_vectors::needed(stencil);
    let small = small_vectors.filter(|_| small_vectors::needed(stencil));
    if !optimizing && !flags.enable_nan_canonicalization && !dynamic && small.is_none() {
        return Ok(Cow::Borrowed(stencil));
    }
    let mut func = stencil.clone();
    let mut changed = 0;
    if dynamic {
        changed += dynamic_vectors::run(&mut func);
    }
    if let Some(native) = small {
        changed += small_vectors::run(&mut func, native);
    }
    if flags.enable_nan_canonicalization {
        changed += nan_canonicalize::run(&mut func);
    }
    if optimizing {
        changed += simplify::run(&mut func);
        changed += div_const::run(&mut func) + redundant_loads::run(&mut func);
        let cfg = crate::flowgraph::ControlFlowGraph::with_function(&func);
        let domtree = crate::dominator_tree::DominatorTree::with_function(&func, &cfg);
        changed += gvn::run(&mut func, &domtree) + licm::run(&mut func, &cfg, &domtree);
        let loops = crate::loop_analysis::LoopAnalysis::compute(&cfg, &domtree);
        changed += remat::run(&mut func, &loops);
    }
    if changed > 0 && (cfg!(debug_assertions) || flags.enable_verifier) {
        let whole = crate::ir::Function {
            name: crate::ir::UserFuncName::default(),
            stencil: func,
            params: crate::ir::FunctionParameters::default(),
        };
        let vflags = crate::verifier::VerifierFlags {
            preserve_frame_pointers: flags.preserve_frame_pointers,
            enable_pinned_reg: flags.enable_pinned_reg,
            stencil_only: true,
        };
        crate::verifier::verify_function_with(&whole, vflags).map_err(CodegenError::Verifier)?;
        func = whole.stencil;
    }
    Ok(Cow::Owned(func))
}
