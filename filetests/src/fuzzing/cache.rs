//! The incremental cache's properties on one generated function: it hits exactly when
//! only the function's parameters changed, and a hit or a damaged entry never gives code
//! other than a fresh compilation's.

use crate::random::{Rng, random_function};
use gantry_codegen::Context;
use gantry_codegen::entity::EntityRef;
use gantry_codegen::incremental_cache::{CacheKey, CacheKvStore, MemoryStore};
use gantry_codegen::ir::{
    Function, FunctionParameters, GlobalValueData, InstructionData, Opcode, RelSourceLoc,
    SourceLoc, StackSlotData, StackSlotKind, UserExternalName, UserFuncName,
};
use gantry_codegen::isa::{self, TargetIsa};
use gantry_codegen::machinst::compiled::CompiledCode;
use gantry_codegen::settings;

/// What one [`check_cache_input`] found, so a caller can see the checks had something
/// to compare.
#[derive(Clone, Copy, Debug, Default)]
pub struct CacheCase {
    /// The function compiled (generated functions a target rejects are skipped).
    pub compiled: bool,
    /// Finalizing with the new parameters changed the relocations or source locations.
    pub params_mattered: bool,
}

/// Checks the cache on the function, target and settings `bytes` choose:
/// - a fresh store misses, and the code equals [`Context::compile`]'s;
/// - compiling again hits with the same code;
/// - new parameters only (function name, user names called, base source location) hit,
///   and the result equals a fresh compilation of the renamed function;
/// - one changed stencil field (a stack slot, a global value, an instruction's relative
///   source location, a `nop`) changes the key and misses;
/// - the stored entry damaged at a chosen byte is a miss with the same code.
///
/// # Panics
/// When a property fails.
pub fn check_cache_input(bytes: &[u8]) -> CacheCase {
    let seed = crate::random::seed_of(bytes, 0x9e37_79b9_7f4a_7c15);
    let mut rng = Rng::new(seed);
    let func = random_function(seed);
    let isa = target(&mut rng);
    let isa = isa.as_ref();
    let fresh = |f: &Function| Context::for_function(f.clone()).compile(isa).cloned();
    let Ok(plain) = fresh(&func) else {
        return CacheCase::default();
    };
    let mut store = MemoryStore::default();
    let cached = |f: &Function, store: &mut MemoryStore| -> (CompiledCode, bool) {
        let mut ctx = Context::for_function(f.clone());
        let (code, hit) = ctx
            .compile_with_cache(isa, store)
            .unwrap_or_else(|e| panic!("{e}\n{f}"));
        (code.clone(), hit)
    };
    let (first, hit) = cached(&func, &mut store);
    assert!(!hit, "a hit in an empty store\n{func}");
    assert_eq!(first, plain, "a miss differs from compiling\n{func}");
    let (again, hit) = cached(&func, &mut store);
    assert!(hit, "the same function missed\n{func}");
    assert_eq!(again, plain, "a hit differs from compiling\n{func}");

    let renamed = with_new_params(&func, &mut rng);
    let (from_cache, hit) = cached(&renamed, &mut store);
    assert!(hit, "new parameters missed\n{renamed}");
    let expected = fresh(&renamed).expect("compiles as before renaming");
    assert_eq!(from_cache, expected, "a renamed hit differs\n{renamed}");
    let params_mattered = from_cache.relocs != plain.relocs || from_cache.srclocs != plain.srclocs;

    let changed = with_changed_stencil(&func, &mut rng);
    assert_ne!(
        CacheKey::new(isa, &changed.stencil),
        CacheKey::new(isa, &func.stencil),
        "a changed stencil kept its key\n{changed}"
    );
    if let Ok(expected) = fresh(&changed) {
        let (code, hit) = cached(&changed, &mut store);
        assert!(!hit, "a changed stencil hit\n{changed}");
        assert_eq!(code, expected, "{changed}");
    }

    // Damage the entry: flip, cut or extend at a chosen place.
    let key = CacheKey::new(isa, &func.stencil);
    let mut entry = store.get(&key.0).expect("stored").into_owned();
    let at = rng.below(entry.len());
    match rng.below(3) {
        0 => entry[at] ^= 1 << rng.below(8),
        1 => entry.truncate(at),
        _ => entry.insert(at, rng.next_u64() as u8),
    }
    store.insert(&key.0, entry);
    let (code, hit) = cached(&func, &mut store);
    assert!(!hit, "a damaged entry hit\n{func}");
    assert_eq!(code, plain, "a damaged entry changed the code\n{func}");
    CacheCase {
        compiled: true,
        params_mattered,
    }
}

/// One of the three targets, with settings chosen by `rng`.
fn target(rng: &mut Rng) -> Box<dyn TargetIsa> {
    let mut shared = settings::Builder::new();
    let opt = ["none", "speed", "speed_and_size"][rng.below(3)];
    shared.set("opt_level", opt).expect("a known setting");
    if rng.one_in(4) {
        shared
            .set("enable_incremental_compilation_cache_checks", "true")
            .expect("a known setting");
    }
    let (name, flags): (&str, &[&str]) = match rng.below(4) {
        0 => ("x86_64", &[]),
        1 => (
            "x86_64",
            &["has_avx", "has_bmi2", "has_popcnt", "has_sse41"],
        ),
        2 => ("aarch64", &[]),
        _ => ("s390x", &[]),
    };
    let mut builder = isa::lookup(name).expect("a known ISA");
    for f in flags {
        builder.apply(f).expect("a known flag");
    }
    builder
        .finish_with(shared.finish())
        .expect("valid settings")
}

/// `func` with a new name, new user names for what it calls (the same references) and
/// a new base source location: a new [`FunctionParameters`], the same stencil.
fn with_new_params(func: &Function, rng: &mut Rng) -> Function {
    let mut f = func.clone();
    f.name = UserFuncName::user(9, rng.next_u64() as u32);
    let mut params = FunctionParameters::new();
    let base = func.params.base_srcloc().bits();
    params.ensure_base_srcloc(SourceLoc::new(
        base.wrapping_add(1 + rng.below(1000) as u32),
    ));
    for (r, _) in func.params.user_named_funcs().iter() {
        let name = UserExternalName::new(7, 7000 + r.index() as u32);
        assert_eq!(
            params.ensure_user_func_name(name),
            r,
            "references keep their order"
        );
    }
    f.params = params;
    f
}

/// `func` with one stencil field changed, chosen by `rng`.
fn with_changed_stencil(func: &Function, rng: &mut Rng) -> Function {
    let mut f = func.clone();
    let entry = f.layout.entry_block().expect("an entry block");
    let first = f.layout.first_inst(entry).expect("a terminator at least");
    match rng.below(4) {
        0 => {
            let size = 8 * (1 + rng.below(8) as u32);
            f.stencil.create_sized_stack_slot(StackSlotData::new(
                StackSlotKind::ExplicitSlot,
                size,
                3,
            ));
        }
        1 => {
            f.stencil.create_global_value(GlobalValueData::VMContext);
        }
        2 => {
            let old = f.stencil.srclocs[first];
            let new = if old.is_default() {
                RelSourceLoc::from_base_offset(
                    SourceLoc::new(1),
                    SourceLoc::new(2 + rng.below(100) as u32),
                )
            } else {
                RelSourceLoc::default()
            };
            f.stencil.srclocs[first] = new;
        }
        _ => {
            let nop = f.stencil.dfg.make_inst(InstructionData::Nullary {
                opcode: Opcode::Nop,
            });
            f.stencil.layout.insert_inst(nop, first);
        }
    }
    f
}
