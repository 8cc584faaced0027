//! A JIT module through the incremental cache: a second module defining the same
//! functions takes them from the store, and a hit's calls go to the functions the new
//! module names (the cached code is finalized with each module's own names).

use gantry_codegen::incremental_cache::MemoryStore;
use gantry_codegen::ir::{AbiParam, InstBuilder, InstBuilderExt, Type};
use gantry_codegen::isa;
use gantry_frontend::{FunctionBuilder, FunctionBuilderContext};
use gantry_jit::{JITBuilder, JITModule};
use gantry_module::{FuncId, Linkage, Module};

/// What a function's body does with its one `i64` argument.
#[derive(Clone, Copy)]
enum Body {
    Double,
    Triple,
    /// Calls the given function and adds one.
    CallPlusOne(FuncId),
}

/// Defines `id` with `body` through `store`; returns whether the store had it.
fn define(module: &mut JITModule, id: FuncId, body: Body, store: &mut MemoryStore) -> bool {
    let mut ctx = module.make_context();
    ctx.func.signature.params.push(AbiParam::new(Type::I64));
    ctx.func.signature.returns.push(AbiParam::new(Type::I64));
    let callee = match body {
        Body::CallPlusOne(f) => Some(module.declare_func_in_func(f, &mut ctx.func)),
        _ => None,
    };
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let x = b.block_params(entry)[0];
    let r = match body {
        Body::Double => b.ins().iadd(x, x),
        Body::Triple => b.ins().imul_imm(x, 3),
        Body::CallPlusOne(_) => {
            let call = b.ins().call(callee.unwrap(), &[x]);
            let y = b.func.dfg.first_result(call);
            b.ins().iadd_imm(y, 1)
        }
    };
    b.ins().return_(&[r]);
    b.finalize();
    module
        .define_function_with_cache(id, &mut ctx, store)
        .unwrap()
}

fn declare(module: &mut JITModule, name: &str) -> FuncId {
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(Type::I64));
    sig.returns.push(AbiParam::new(Type::I64));
    module
        .declare_function(name, Linkage::Export, &sig)
        .unwrap()
}

fn call(module: &JITModule, id: FuncId, x: i64) -> i64 {
    // SAFETY: every function here was compiled for this host as (i64) -> i64.
    let f: extern "C" fn(i64) -> i64 =
        unsafe { std::mem::transmute(module.get_finalized_function(id)) };
    f(x)
}

#[test]
fn a_second_module_hits_and_its_calls_go_to_its_own_functions() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let new_module = || {
        let isa = isa::lookup("x86_64")
            .unwrap()
            .finish_with(Default::default())
            .unwrap();
        JITModule::new(JITBuilder::with_isa(isa))
    };
    let mut store = MemoryStore::default();

    let mut a = new_module();
    let double = declare(&mut a, "double");
    let triple = declare(&mut a, "triple");
    let main = declare(&mut a, "main");
    assert!(!define(&mut a, double, Body::Double, &mut store));
    assert!(!define(&mut a, triple, Body::Triple, &mut store));
    assert!(!define(&mut a, main, Body::CallPlusOne(double), &mut store));
    a.finalize_definitions().unwrap();
    assert_eq!(call(&a, main, 20), 41);
    assert_eq!(store.len(), 3);

    // Declared in another order, so every function has another id; `main` calls
    // `triple` here, through the same stencil.
    let mut b = new_module();
    let main = declare(&mut b, "main");
    let triple = declare(&mut b, "triple");
    let double = declare(&mut b, "double");
    assert!(define(&mut b, main, Body::CallPlusOne(triple), &mut store));
    assert!(define(&mut b, triple, Body::Triple, &mut store));
    assert!(define(&mut b, double, Body::Double, &mut store));
    b.finalize_definitions().unwrap();
    assert_eq!(call(&b, main, 20), 61);
    assert_eq!(call(&b, double, 20), 40);
    assert_eq!(store.len(), 3);
}
