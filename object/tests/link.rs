//! An object file from `ObjectModule` links with the system C compiler into a program
//! that calls libc (`puts`), uses module data and calls between module functions.

use gantry_codegen::incremental_cache::MemoryStore;
use gantry_codegen::ir::{AbiParam, Function, InstBuilder, Type, Value};
use gantry_codegen::isa;
use gantry_frontend::{FunctionBuilder, FunctionBuilderContext};
use gantry_module::{DataDescription, Linkage, Module, ModuleError};
use gantry_object::{ObjectBuilder, ObjectModule};

fn build(func: &mut Function, body: impl FnOnce(&mut FunctionBuilder<'_>, &[Value]) -> Vec<Value>) {
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

/// The program's object; `pic` compiles it position-independent (`is_pic`: symbol
/// addresses from the GOT) for a PIE link.
fn object_with_main(target: &str, pic: bool) -> Vec<u8> {
    object_with_main_cached(target, pic, None).0
}

/// As [`object_with_main`], defining the functions through `store` if given; also
/// returns how many of the two functions the store had.
fn object_with_main_cached(
    target: &str,
    pic: bool,
    mut store: Option<&mut MemoryStore>,
) -> (Vec<u8>, usize) {
    let mut hits = 0;
    let mut define = |module: &mut ObjectModule, id, ctx: &mut gantry_codegen::Context| match store
        .as_deref_mut()
    {
        Some(store) => {
            hits += usize::from(module.define_function_with_cache(id, ctx, store).unwrap())
        }
        None => module.define_function(id, ctx).unwrap(),
    };
    let flags = gantry_codegen::settings::Flags {
        is_pic: pic,
        ..Default::default()
    };
    let isa = isa::lookup(target).unwrap().finish_with(flags).unwrap();
    let mut module = ObjectModule::new(ObjectBuilder::new(isa)).unwrap();
    let mut s_puts = module.make_signature();
    s_puts.params.push(AbiParam::new(Type::I64));
    s_puts.returns.push(AbiParam::new(Type::I32));
    let puts = module
        .declare_function("puts", Linkage::Import, &s_puts)
        .unwrap();
    let mut s_sq = module.make_signature();
    s_sq.params.push(AbiParam::new(Type::I32));
    s_sq.returns.push(AbiParam::new(Type::I32));
    let square = module
        .declare_function("square", Linkage::Local, &s_sq)
        .unwrap();
    let mut s_main = module.make_signature();
    s_main.returns.push(AbiParam::new(Type::I32));
    let main = module
        .declare_function("main", Linkage::Export, &s_main)
        .unwrap();
    let message = module
        .declare_data("message", Linkage::Local, false, false)
        .unwrap();
    let mut desc = DataDescription::new();
    desc.define(b"hello from gantry\0".to_vec().into_boxed_slice());
    module.define_data(message, &desc).unwrap();
    // A table holding the message's address (a data relocation, in .data.rel.ro).
    let table = module
        .declare_data("table", Linkage::Local, false, false)
        .unwrap();
    let mut desc = DataDescription::new();
    desc.define(vec![0u8; 8].into_boxed_slice());
    desc.write_data_addr(0, message, 0);
    module.define_data(table, &desc).unwrap();

    let mut ctx = module.make_context();
    ctx.func.signature = s_sq;
    build(&mut ctx.func, |b, p| vec![b.ins().imul(p[0], p[0])]);
    define(&mut module, square, &mut ctx);

    let mut ctx = module.make_context();
    ctx.func.signature = s_main;
    let f_puts = module.declare_func_in_func(puts, &mut ctx.func);
    let f_square = module.declare_func_in_func(square, &mut ctx.func);
    let gv = module.declare_data_in_func(table, &mut ctx.func);
    build(&mut ctx.func, |b, _| {
        let table = b.ins().symbol_value(Type::I64, gv);
        // A plain load: a trap site (heap_oob) recorded in .gantry_traps.
        let text = b
            .ins()
            .load(Type::I64, gantry_codegen::ir::MemFlags::new(), table, 0);
        // puts through its address: a GOT entry when position-independent.
        let puts_addr = b.ins().func_addr(Type::I64, f_puts);
        let sig = b.import_signature(s_puts.clone());
        b.ins().call_indirect(sig, puts_addr, &[text]);
        let seven = b.ins().iconst(Type::I32, 7);
        let call = b.ins().call(f_square, &[seven]);
        vec![b.func.dfg.first_result(call)]
    });
    define(&mut module, main, &mut ctx);
    assert!(matches!(
        module.define_function(main, &mut ctx),
        Err(ModuleError::DuplicateDefinition(_))
    ));
    (module.finish().unwrap(), hits)
}

/// Objects written through the incremental cache are the same bytes as without it, on
/// every ISA, whether the store was empty (misses) or full (hits).
#[test]
fn cached_objects_are_byte_identical() {
    for target in ["x86_64", "aarch64", "s390x"] {
        for pic in [false, true] {
            let plain = object_with_main(target, pic);
            let mut store = MemoryStore::default();
            let cold = object_with_main_cached(target, pic, Some(&mut store));
            let warm = object_with_main_cached(target, pic, Some(&mut store));
            assert_eq!((cold.1, warm.1), (0, 2), "{target} pic={pic}");
            assert!(cold.0 == plain && warm.0 == plain, "{target} pic={pic}");
        }
    }
}

#[test]
fn object_files_link_into_programs() {
    link_and_run(false);
}

/// Position-independent code links into a position-independent executable (the
/// default of most distributions' `cc`): data addresses through GOT entries, calls
/// through the PLT.
#[test]
fn pic_objects_link_into_pie_programs() {
    link_and_run(true);
}

fn link_and_run(pic: bool) {
    let bytes = object_with_main("x86_64", pic);
    assert_eq!(&bytes[..4], b"\x7fELF");
    // The trap sites: 16 bytes each, each with a relocation to its address.
    {
        use object::{Object as _, ObjectSection as _};
        let file = object::File::parse(&*bytes).unwrap();
        let traps = file
            .section_by_name(".gantry_traps")
            .expect("a trap section");
        assert!(
            traps.size() > 0 && traps.size() % 16 == 0,
            "{}",
            traps.size()
        );
        assert_eq!(traps.relocations().count() as u64, traps.size() / 16);
        let data = traps.data().unwrap();
        assert_eq!(
            data[8],
            gantry_codegen::ir::TrapCode::HEAP_OUT_OF_BOUNDS.as_raw()
        );
        // Code refers to the imported `puts` through the GOT exactly when it is
        // position-independent; to local data RIP-relatively then.
        let text = file.section_by_name(".text").expect("a text section");
        let kinds: Vec<_> = text
            .relocations()
            .map(|(_, r)| match r.flags() {
                object::RelocationFlags::Elf { r_type } => r_type,
                f => panic!("{f:?}"),
            })
            .collect();
        let (abs, got) = (object::elf::R_X86_64_64, object::elf::R_X86_64_GOTPCREL);
        assert_eq!(kinds.contains(&got), pic, "{kinds:?}");
        assert_eq!(kinds.contains(&abs), !pic, "{kinds:?}");
    }
    let dir = std::env::temp_dir().join(format!("gantry-object-{}-{pic}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let obj = dir.join("main.o");
    let exe = dir.join("main");
    std::fs::write(&obj, &bytes).unwrap();
    let cc = std::process::Command::new("cc")
        .arg(if pic { "-pie" } else { "-no-pie" })
        .arg(&obj)
        .arg("-o")
        .arg(&exe)
        .output();
    let Ok(cc) = cc else {
        eprintln!("no `cc` on this machine: the link is not checked");
        return;
    };
    assert!(
        cc.status.success(),
        "cc failed: {}",
        String::from_utf8_lossy(&cc.stderr)
    );
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let run = std::process::Command::new(&exe).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&run.stdout), "hello from gantry\n");
    assert_eq!(run.status.code(), Some(49));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An aarch64 object links with the cross gcc (statically, not position-independent)
/// into a program that runs under qemu: calls through R_AARCH64_CALL26, addresses of
/// functions and data through R_AARCH64_ABS64.
#[test]
fn aarch64_objects_link_and_run_under_qemu() {
    aarch64_link_and_run(false);
}

/// Position-independent: addresses through GOT entries (R_AARCH64_ADR_GOT_PAGE,
/// R_AARCH64_LD64_GOT_LO12_NC), linked as a static PIE.
#[test]
fn aarch64_pic_objects_link_into_pie_programs() {
    aarch64_link_and_run(true);
}

fn aarch64_link_and_run(pic: bool) {
    let bytes = object_with_main("aarch64", pic);
    let kinds = text_relocations(&bytes, object::Architecture::Aarch64);
    assert!(kinds.contains(&object::elf::R_AARCH64_CALL26), "{kinds:?}");
    assert_eq!(
        kinds.contains(&object::elf::R_AARCH64_ABS64),
        !pic,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.contains(&object::elf::R_AARCH64_ADR_GOT_PAGE),
        pic,
        "{kinds:?}"
    );
    let mode: &[&str] = if pic {
        &["-static-pie"]
    } else {
        &["-static", "-no-pie"]
    };
    let run = cross_link_and_run("aarch64", &[("main.o", &bytes)], mode);
    assert_eq!(String::from_utf8_lossy(&run.stdout), "hello from gantry\n");
    assert_eq!(run.status.code(), Some(49));
}

/// A big-endian s390x object links with the cross gcc into a static program that runs
/// under qemu: calls through R_390_PLT32DBL, addresses of functions and data through
/// R_390_64; position-independent, through GOT entries (R_390_GOTENT) into a PIE.
#[test]
fn s390x_objects_link_and_run_under_qemu() {
    for pic in [false, true] {
        let bytes = object_with_main("s390x", pic);
        let kinds = text_relocations(&bytes, object::Architecture::S390x);
        assert!(kinds.contains(&object::elf::R_390_PLT32DBL), "{kinds:?}");
        assert_eq!(kinds.contains(&object::elf::R_390_64), !pic, "{kinds:?}");
        assert_eq!(kinds.contains(&object::elf::R_390_GOTENT), pic, "{kinds:?}");
        let mode: &[&str] = if pic {
            &["-pie"]
        } else {
            &["-static", "-no-pie"]
        };
        let run = cross_link_and_run("s390x", &[("main.o", &bytes)], mode);
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            "hello from gantry\n",
            "pic: {pic}"
        );
        assert_eq!(run.status.code(), Some(49));
    }
}

/// The ELF relocation types of the `.text` section of object `bytes`, which must be for
/// `arch`.
fn text_relocations(bytes: &[u8], arch: object::Architecture) -> Vec<u32> {
    use object::{Object as _, ObjectSection as _};
    let file = object::File::parse(bytes).unwrap();
    assert_eq!(file.architecture(), arch);
    let text = file.section_by_name(".text").expect("a text section");
    text.relocations()
        .map(|(_, r)| match r.flags() {
            object::RelocationFlags::Elf { r_type } => r_type,
            f => panic!("{f:?}"),
        })
        .collect()
}

/// Links `files` (object files or C sources, by name and contents) with `target`'s cross
/// gcc and `args`, and runs the program under qemu. scripts/test.sh installs the cross
/// gcc and qemu: a missing one fails.
fn cross_link_and_run(
    target: &str,
    files: &[(&str, &[u8])],
    args: &[&str],
) -> std::process::Output {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "gantry-object-{target}-{}-{run}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join("prog");
    let mut cc = std::process::Command::new(format!("{target}-linux-gnu-gcc"));
    for (name, contents) in files {
        std::fs::write(dir.join(name), contents).unwrap();
        cc.arg(dir.join(name));
    }
    let cc = cc
        .args(args)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("{target}-linux-gnu-gcc runs: {e}"));
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    // Dynamically linked programs find their libraries in the cross sysroot.
    let run = std::process::Command::new(format!("qemu-{target}-static"))
        .arg("-L")
        .arg(format!("/usr/{target}-linux-gnu"))
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("qemu-{target}-static runs: {e}"));
    std::fs::remove_dir_all(&dir).unwrap();
    run
}

/// s390x thread-local storage in the general-dynamic model: a Gantry function adds to a
/// `__thread` variable C defines (through `__tls_get_offset`, R_390_TLS_GD64 and
/// R_390_TLS_GDCALL) and returns the new value; two threads each see their own copy.
#[test]
fn s390x_tls_variables_are_per_thread() {
    let flags = gantry_codegen::settings::Flags {
        tls_model: gantry_codegen::settings::TlsModel::ElfGd,
        ..Default::default()
    };
    let isa = isa::lookup("s390x").unwrap().finish_with(flags).unwrap();
    let mut module = ObjectModule::new(ObjectBuilder::new(isa)).unwrap();
    let counter = module
        .declare_data("counter", Linkage::Import, true, true)
        .unwrap();
    let mut s = module.make_signature();
    s.params.push(AbiParam::new(Type::I64));
    s.returns.push(AbiParam::new(Type::I64));
    let bump = module
        .declare_function("gantry_bump", Linkage::Export, &s)
        .unwrap();
    let mut ctx = module.make_context();
    ctx.func.signature = s;
    let gv = module.declare_data_in_func(counter, &mut ctx.func);
    build(&mut ctx.func, |b, p| {
        let addr = b.ins().tls_value(Type::I64, gv);
        let flags = gantry_codegen::ir::MemFlags::trusted();
        let old = b.ins().load(Type::I64, flags, addr, 0);
        let new = b.ins().iadd(old, p[0]);
        b.ins().store(flags, new, addr, 0);
        vec![new]
    });
    module.define_function(bump, &mut ctx).unwrap();
    let bytes = module.finish().unwrap();
    let kinds = text_relocations(&bytes, object::Architecture::S390x);
    for k in [
        object::elf::R_390_TLS_GD64,
        object::elf::R_390_TLS_GDCALL,
        object::elf::R_390_PLT32DBL,
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    let main = br#"#include <pthread.h>
#include <stdio.h>
__thread long counter = 100;
long gantry_bump(long);
static void *worker(void *arg) {
    long step = (long)arg, last = 0;
    for (int i = 0; i < 1000; i++) last = gantry_bump(step);
    return (void *)last;
}
int main(void) {
    pthread_t a, b;
    void *ra, *rb;
    pthread_create(&a, 0, worker, (void *)1);
    pthread_create(&b, 0, worker, (void *)3);
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    printf("%ld %ld %ld\n", (long)ra, (long)rb, gantry_bump(0));
    return 0;
}
"#;
    // Dynamically linked (the C library's __tls_get_offset runs), and statically (the
    // linker relaxes the sequence to the local-exec model).
    for mode in ["-pthread", "-static"] {
        let run = cross_link_and_run(
            "s390x",
            &[("tls_main.c", main), ("tls.o", &bytes)],
            &["-O1", "-pthread", mode],
        );
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            "1100 3100 100\n",
            "{mode}"
        );
    }
}

/// `.eh_frame` lets the C runtime's unwinder walk through Gantry frames: C `main` calls
/// a Gantry function that calls back into C, where `backtrace` must reach `main`.
#[test]
fn unwinding_walks_through_gantry_frames() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    unwind_through("x86_64", "cc", &["-no-pie"], None);
}

/// The same on aarch64: a static program from the cross gcc, run under qemu.
#[test]
fn unwinding_walks_through_aarch64_gantry_frames() {
    unwind_through(
        "aarch64",
        "aarch64-linux-gnu-gcc",
        &["-static", "-no-pie"],
        Some("qemu-aarch64-static"),
    );
}

/// The same on s390x (big-endian, CFA at r15 + 160).
#[test]
fn unwinding_walks_through_s390x_gantry_frames() {
    unwind_through(
        "s390x",
        "s390x-linux-gnu-gcc",
        &["-static", "-no-pie"],
        Some("qemu-s390x-static"),
    );
}

/// Links a C program calling a Gantry function of `target` that calls back into C, where
/// `backtrace` must walk through the Gantry frame; `runner` runs foreign programs.
fn unwind_through(target: &str, cc: &str, cc_args: &[&str], runner: Option<&str>) {
    let isa = isa::lookup(target).unwrap().finish().unwrap();
    let mut module = ObjectModule::new(ObjectBuilder::new(isa)).unwrap();
    let mut s = module.make_signature();
    s.params.push(AbiParam::new(Type::I64));
    s.returns.push(AbiParam::new(Type::I64));
    let callback = module
        .declare_function("callback", Linkage::Import, &s)
        .unwrap();
    let f = module
        .declare_function("gantry_fn", Linkage::Export, &s)
        .unwrap();
    let mut ctx = module.make_context();
    ctx.func.signature = s;
    let cb = module.declare_func_in_func(callback, &mut ctx.func);
    build(&mut ctx.func, |b, p| {
        // Keep values in callee-saved registers across the call, so their saves are
        // described too.
        let k = b.ins().iconst(Type::I64, 1000);
        let call = b.ins().call(cb, &[p[0]]);
        let r = b.func.dfg.first_result(call);
        let r = b.ins().iadd(r, k);
        vec![b.ins().iadd(r, p[0])]
    });
    module.define_function(f, &mut ctx).unwrap();
    let bytes = module.finish().unwrap();
    let dir = std::env::temp_dir().join(format!("gantry-unwind-{target}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("g.o"), &bytes).unwrap();
    std::fs::write(
        dir.join("main.c"),
        r#"#include <execinfo.h>
#include <stdio.h>
long gantry_fn(long);
long callback(long x) {
    void *frames[64];
    return backtrace(frames, 64);
}
int main(void) {
    printf("%ld\n", gantry_fn(0));
    return 0;
}
"#,
    )
    .unwrap();
    let Ok(cc) = std::process::Command::new(cc)
        .args(cc_args)
        .args(["-O0", "-fno-omit-frame-pointer"])
        .arg(dir.join("main.c"))
        .arg(dir.join("g.o"))
        .arg("-o")
        .arg(dir.join("prog"))
        .output()
    else {
        // The cross toolchain is installed by scripts/test.sh: missing, it fails.
        assert!(runner.is_none(), "{cc} is missing");
        eprintln!("no `cc` on this machine: unwinding is not checked");
        return;
    };
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    assert!(
        cc.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let run = match runner {
        Some(r) => std::process::Command::new(r).arg(dir.join("prog")).output(),
        None => std::process::Command::new(dir.join("prog")).output(),
    }
    .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    // callback, gantry_fn, main and the C runtime's frames below it: without unwind
    // rules for gantry_fn the walk would stop there (2 frames).
    let depth: i64 = out.trim().parse::<i64>().unwrap() - 1000;
    assert!(depth >= 4, "the backtrace stopped after {depth} frames");
    std::fs::remove_dir_all(&dir).unwrap();
}
