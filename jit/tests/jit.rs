//! The JIT module: functions calling each other, data holding a function's address,
//! imported libc functions, and the errors of bad definitions and missing symbols.

use gantry_codegen::ir::{AbiParam, Function, InstBuilder, MemFlags, Signature, Type};
use gantry_codegen::isa;
use gantry_frontend::{FunctionBuilder, FunctionBuilderContext};
use gantry_jit::{JITBuilder, JITModule};
use gantry_module::{DataDescription, Linkage, Module, ModuleError};

fn jit() -> JITModule {
    jit_with(false)
}

/// A JIT module for x86-64; `pic` compiles position-independent code (GOT entries).
fn jit_with(pic: bool) -> JITModule {
    let flags = gantry_codegen::settings::Flags {
        is_pic: pic,
        ..Default::default()
    };
    let isa = isa::lookup("x86_64").unwrap().finish_with(flags).unwrap();
    JITModule::new(JITBuilder::with_isa(isa))
}

fn sig(module: &JITModule, params: &[Type], returns: &[Type]) -> Signature {
    let mut s = module.make_signature();
    s.params = params.iter().map(|&t| AbiParam::new(t)).collect();
    s.returns = returns.iter().map(|&t| AbiParam::new(t)).collect();
    s
}

/// Builds the body of `func` with `body(builder, entry params)`, returning its values.
fn build(
    func: &mut Function,
    body: impl FnOnce(
        &mut FunctionBuilder<'_>,
        &[gantry_codegen::ir::Value],
    ) -> Vec<gantry_codegen::ir::Value>,
) {
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(func, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let rets = body(&mut b, &params);
    b.ins().return_(&rets);
    b.finalize();
}

#[test]
fn functions_call_each_other_and_data_holds_addresses() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let mut module = jit();
    let s1 = sig(&module, &[Type::I64], &[Type::I64]);
    let double = module
        .declare_function("double", Linkage::Local, &s1)
        .unwrap();
    let main = module
        .declare_function("main", Linkage::Export, &s1)
        .unwrap();
    let via_table = module
        .declare_function("via_table", Linkage::Export, &s1)
        .unwrap();
    let table = module
        .declare_data("table", Linkage::Local, false, false)
        .unwrap();

    let mut ctx = module.make_context();
    ctx.func.signature = s1.clone();
    build(&mut ctx.func, |b, p| vec![b.ins().iadd(p[0], p[0])]);
    module.define_function(double, &mut ctx).unwrap();

    let mut ctx = module.make_context();
    ctx.func.signature = s1.clone();
    let callee = module.declare_func_in_func(double, &mut ctx.func);
    build(&mut ctx.func, |b, p| {
        let call = b.ins().call(callee, &[p[0]]);
        let r = b.func.dfg.first_result(call);
        {
            use gantry_codegen::ir::InstBuilderExt;
            vec![b.ins().iadd_imm(r, 1)]
        }
    });
    module.define_function(main, &mut ctx).unwrap();

    // table: [0u64, &double]
    let mut desc = DataDescription::new();
    desc.define(vec![0u8; 16].into_boxed_slice());
    desc.write_function_addr(8, double);
    module.define_data(table, &desc).unwrap();

    let mut ctx = module.make_context();
    ctx.func.signature = s1.clone();
    let gv = module.declare_data_in_func(table, &mut ctx.func);
    let sigref = ctx.func.import_signature(s1.clone());
    build(&mut ctx.func, |b, p| {
        let base = b.ins().symbol_value(Type::I64, gv);
        let f = b.ins().load(Type::I64, MemFlags::trusted(), base, 8);
        let call = b.ins().call_indirect(sigref, f, &[p[0]]);
        vec![b.func.dfg.first_result(call)]
    });
    module.define_function(via_table, &mut ctx).unwrap();

    module.finalize_definitions().unwrap();
    // SAFETY: the functions were compiled for this host with signature (i64) -> i64.
    let main: extern "C" fn(i64) -> i64 =
        unsafe { std::mem::transmute(module.get_finalized_function(main)) };
    let via: extern "C" fn(i64) -> i64 =
        unsafe { std::mem::transmute(module.get_finalized_function(via_table)) };
    assert_eq!(main(20), 41);
    assert_eq!(via(21), 42);
    let (p, size) = module.get_finalized_data(table);
    assert_eq!(size, 16);
    // SAFETY: the data object is 16 bytes and finalized.
    let entry = unsafe { std::ptr::read_unaligned(p.add(8) as *const u64) };
    assert_eq!(
        entry as usize,
        module.get_finalized_function(double) as usize
    );
}

#[test]
fn imported_libc_functions_resolve() {
    imported_libc_functions_resolve_with(false);
}

/// Position-independent code in the JIT: the module gives each GOT reference an entry
/// beside the function.
#[test]
fn pic_code_resolves_through_got_entries() {
    imported_libc_functions_resolve_with(true);
}

fn imported_libc_functions_resolve_with(pic: bool) {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let mut module = jit_with(pic);
    let strlen_sig = sig(&module, &[Type::I64], &[Type::I64]);
    let strlen = module
        .declare_function("strlen", Linkage::Import, &strlen_sig)
        .unwrap();
    let hello = module
        .declare_data("hello", Linkage::Local, false, false)
        .unwrap();
    let mut desc = DataDescription::new();
    desc.define(b"hello, world\0".to_vec().into_boxed_slice());
    module.define_data(hello, &desc).unwrap();
    let s0 = sig(&module, &[], &[Type::I64]);
    let f = module
        .declare_function("len", Linkage::Export, &s0)
        .unwrap();
    let mut ctx = module.make_context();
    ctx.func.signature = s0;
    let callee = module.declare_func_in_func(strlen, &mut ctx.func);
    let gv = module.declare_data_in_func(hello, &mut ctx.func);
    let sigref = ctx.func.import_signature(strlen_sig.clone());
    build(&mut ctx.func, |b, _| {
        let p = b.ins().symbol_value(Type::I64, gv);
        let call = b.ins().call(callee, &[p]);
        let direct = b.func.dfg.first_result(call);
        // strlen through its address too (from a GOT entry when position-independent).
        let addr = b.ins().func_addr(Type::I64, callee);
        let call = b.ins().call_indirect(sigref, addr, &[p]);
        let indirect = b.func.dfg.first_result(call);
        vec![b.ins().iadd(direct, indirect)]
    });
    module.define_function(f, &mut ctx).unwrap();
    module.finalize_definitions().unwrap();
    // SAFETY: compiled for this host with signature () -> i64.
    let len: extern "C" fn() -> i64 =
        unsafe { std::mem::transmute(module.get_finalized_function(f)) };
    assert_eq!(len(), 24);
}

#[test]
fn bad_definitions_and_missing_symbols_are_errors() {
    let mut module = jit();
    let s = sig(&module, &[], &[]);
    let imported = module
        .declare_function("elsewhere", Linkage::Import, &s)
        .unwrap();
    assert!(matches!(
        module.define_function_bytes(imported, 16, &[0xc3], &[], &[]),
        Err(ModuleError::InvalidImportDefinition(_))
    ));
    let f = module.declare_function("f", Linkage::Local, &s).unwrap();
    module
        .define_function_bytes(f, 16, &[0xc3], &[], &[])
        .unwrap();
    assert!(matches!(
        module.define_function_bytes(f, 16, &[0xc3], &[], &[]),
        Err(ModuleError::DuplicateDefinition(_))
    ));
    let other = sig(&module, &[Type::I32], &[]);
    assert!(matches!(
        module.declare_function("f", Linkage::Export, &other),
        Err(ModuleError::IncompatibleSignature(_))
    ));
    // A call to a symbol nobody defines fails at finalize, naming it.
    let missing = module
        .declare_function("no_such_symbol_anywhere", Linkage::Import, &s)
        .unwrap();
    let g = module.declare_function("g", Linkage::Local, &s).unwrap();
    let mut ctx = module.make_context();
    ctx.func.signature = s.clone();
    let callee = module.declare_func_in_func(missing, &mut ctx.func);
    build(&mut ctx.func, |b, _| {
        b.ins().call(callee, &[]);
        vec![]
    });
    module.define_function(g, &mut ctx).unwrap();
    assert_eq!(
        module.finalize_definitions(),
        Err(ModuleError::Undefined("no_such_symbol_anywhere".into()))
    );
}

/// Functions compiled on several threads (each with its own `Context`) and defined in
/// the module afterwards.
#[test]
fn functions_compile_in_parallel_and_define_afterwards() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let mut module = jit();
    let s1 = sig(&module, &[Type::I64], &[Type::I64]);
    let ids: Vec<_> = (0..16)
        .map(|k| {
            module
                .declare_function(&format!("times{k}"), Linkage::Export, &s1)
                .unwrap()
        })
        .collect();
    // Build every function first (declarations need the module), then compile them in
    // parallel: compilation only reads the target.
    let funcs: Vec<Function> = (0..16)
        .map(|k| {
            let mut ctx = module.make_context();
            ctx.func.signature = s1.clone();
            build(&mut ctx.func, |b, p| {
                use gantry_codegen::ir::InstBuilderExt;
                vec![b.ins().imul_imm(p[0], k)]
            });
            ctx.func
        })
        .collect();
    let isa = module.isa();
    let compiled: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = funcs
            .chunks(4)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|f| {
                            let mut ctx = gantry_codegen::Context::for_function(f.clone());
                            ctx.compile(isa).unwrap().clone()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    for (&id, code) in ids.iter().zip(&compiled) {
        let relocs: Vec<_> = code
            .relocs
            .iter()
            .map(|r| gantry_module::module_reloc(r).unwrap())
            .collect();
        module
            .define_function_bytes(id, 16, &code.code, &relocs, &code.traps)
            .unwrap();
    }
    module.finalize_definitions().unwrap();
    for (k, &id) in ids.iter().enumerate() {
        // SAFETY: compiled for this host with signature (i64) -> i64.
        let f: extern "C" fn(i64) -> i64 =
            unsafe { std::mem::transmute(module.get_finalized_function(id)) };
        assert_eq!(f(3), 3 * k as i64);
    }
}

/// Trap sites given with the code can be looked up by address after finalization.
#[test]
fn trap_sites_are_looked_up_by_address() {
    let mut module = jit();
    let s1 = sig(&module, &[Type::I64], &[Type::I64]);
    let f = module
        .declare_function("load", Linkage::Local, &s1)
        .unwrap();
    let mut ctx = module.make_context();
    ctx.func.signature = s1;
    build(&mut ctx.func, |b, p| {
        vec![b.ins().load(Type::I64, MemFlags::new(), p[0], 0)]
    });
    let code = ctx.compile(module.isa()).unwrap().clone();
    assert_eq!(code.traps.len(), 1);
    let relocs: Vec<_> = code
        .relocs
        .iter()
        .map(|r| gantry_module::module_reloc(r).unwrap())
        .collect();
    module
        .define_function_bytes(f, 16, &code.code, &relocs, &code.traps)
        .unwrap();
    module.finalize_definitions().unwrap();
    let base = module.get_finalized_function(f);
    let site = base.wrapping_add(code.traps[0].offset as usize);
    assert_eq!(
        module.lookup_trap(site),
        Some(gantry_codegen::ir::TrapCode::HEAP_OUT_OF_BOUNDS)
    );
    assert_eq!(
        module.lookup_trap(base.wrapping_add(code.code.len() + 100)),
        None
    );
}

static CAPTURED: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

extern "C" fn capture_backtrace() {
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    *CAPTURED.lock().unwrap() = trace;
}

/// The JIT registers each function's unwind rules with the system unwinder: a backtrace
/// taken in a callback of JIT code walks past the JIT frame into this test function
/// (without the rules it stops at the JIT frame).
#[test]
fn backtraces_walk_through_jit_frames() {
    if !cfg!(all(
        target_os = "linux",
        target_arch = "x86_64",
        target_env = "gnu"
    )) {
        return;
    }
    let mut module = jit();
    let s = sig(&module, &[Type::I64], &[]);
    let f = module
        .declare_function("calls_back", Linkage::Export, &s)
        .unwrap();
    let mut ctx = module.make_context();
    ctx.func.signature = s;
    let callback_sig = ctx.func.import_signature(sig(&module, &[], &[]));
    build(&mut ctx.func, |b, p| {
        b.ins().call_indirect(callback_sig, p[0], &[]);
        vec![]
    });
    module.define_function(f, &mut ctx).unwrap();
    module.finalize_definitions().unwrap();
    // SAFETY: compiled for this host with signature (i64) -> (); the argument is a
    // function pointer of signature () -> ().
    let calls_back: extern "C" fn(extern "C" fn()) =
        unsafe { std::mem::transmute(module.get_finalized_function(f)) };
    calls_back(capture_backtrace);
    let trace = CAPTURED.lock().unwrap().clone();
    assert!(trace.contains("capture_backtrace"), "{trace}");
    assert!(
        trace.contains("backtraces_walk_through_jit_frames"),
        "the backtrace stops at the JIT frame:\n{trace}"
    );
}

/// With hot-swapping, redefining a function redirects its callers, the pointers handed
/// out before and function addresses stored in data; without it a redefinition is an
/// error (see `bad_definitions_and_missing_symbols_are_errors`).
#[test]
fn hotswapped_functions_redirect_their_callers() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let isa = isa::lookup("x86_64").unwrap().finish().unwrap();
    let mut builder = JITBuilder::with_isa(isa);
    builder.hotswap(true);
    let mut module = JITModule::new(builder);
    let s0 = sig(&module, &[], &[Type::I64]);
    let answer = module
        .declare_function("answer", Linkage::Local, &s0)
        .unwrap();
    let caller = module
        .declare_function("caller", Linkage::Export, &s0)
        .unwrap();
    let table = module
        .declare_data("table", Linkage::Local, false, false)
        .unwrap();
    let define_answer = |module: &mut JITModule, value: i64| {
        let mut ctx = module.make_context();
        ctx.func.signature = s0.clone();
        build(&mut ctx.func, |b, _| vec![b.ins().iconst(Type::I64, value)]);
        module.define_function(answer, &mut ctx).unwrap();
    };
    define_answer(&mut module, 1);
    let mut ctx = module.make_context();
    ctx.func.signature = s0.clone();
    let callee = module.declare_func_in_func(answer, &mut ctx.func);
    build(&mut ctx.func, |b, _| {
        let call = b.ins().call(callee, &[]);
        let r = b.func.dfg.first_result(call);
        vec![b.ins().iadd(r, r)]
    });
    module.define_function(caller, &mut ctx).unwrap();
    let mut desc = DataDescription::new();
    desc.define(vec![0u8; 8].into_boxed_slice());
    desc.write_function_addr(0, answer);
    module.define_data(table, &desc).unwrap();
    module.finalize_definitions().unwrap();

    type Fn0 = extern "C" fn() -> i64;
    // SAFETY: both functions were compiled for this host with signature () -> i64.
    let (old_answer, call): (Fn0, Fn0) = unsafe {
        (
            std::mem::transmute::<*const u8, Fn0>(module.get_finalized_function(answer)),
            std::mem::transmute::<*const u8, Fn0>(module.get_finalized_function(caller)),
        )
    };
    let (p, _) = module.get_finalized_data(table);
    // SAFETY: the table holds one function address of signature () -> i64.
    let from_table: Fn0 =
        unsafe { std::mem::transmute(std::ptr::read_unaligned(p as *const usize)) };
    assert_eq!((old_answer(), call(), from_table()), (1, 2, 1));

    // A second definition replaces the first once finalized; the one after it too.
    for value in [20, 300] {
        define_answer(&mut module, value);
        module.finalize_definitions().unwrap();
        assert_eq!(call(), 2 * value);
        assert_eq!(old_answer(), value);
        assert_eq!(from_table(), value);
    }
    // Imports still cannot be defined.
    let import = module
        .declare_function("strlen", Linkage::Import, &s0)
        .unwrap();
    let mut ctx = module.make_context();
    ctx.func.signature = s0.clone();
    build(&mut ctx.func, |b, _| vec![b.ins().iconst(Type::I64, 0)]);
    assert!(module.define_function(import, &mut ctx).is_err());
}

#[test]
fn the_native_builder_targets_this_cpu() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let builder = JITBuilder::native(gantry_codegen::settings::Flags::default()).unwrap();
    let mut module = JITModule::new(builder);
    let s = sig(&module, &[Type::I64], &[Type::I64]);
    let f = module
        .declare_function("popcount", Linkage::Export, &s)
        .unwrap();
    let mut ctx = module.make_context();
    ctx.func.signature = s;
    // With the CPU's POPCNT if it has one, else the fallback: the same result.
    build(&mut ctx.func, |b, p| vec![b.ins().popcnt(p[0])]);
    module.define_function(f, &mut ctx).unwrap();
    module.finalize_definitions().unwrap();
    let code = module.get_finalized_function(f);
    let popcount: extern "C" fn(i64) -> i64 = unsafe { std::mem::transmute(code) };
    assert_eq!(popcount(0x0f0f_0000_0000_0003), 10);
    assert_eq!(popcount(-1), 64);
}
