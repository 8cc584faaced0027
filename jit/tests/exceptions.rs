//! Exceptions through `try_call`: the compiled code lists, for each call site, where each
//! exception tag resumes; a runtime that throws restores the catching frame (stack and
//! frame pointers), puts the payload in `rax` and jumps there. This test plays that
//! runtime with a few instructions of inline assembly.

#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use gantry_codegen::isa;
use gantry_codegen::machinst::buffer::MachExceptionHandler;
use gantry_jit::{JITBuilder, JITModule};
use gantry_module::{Linkage, Module};
use std::sync::Mutex;

/// What the thrower needs: the catcher's code address, its handlers and its frame size.
static CATCHER: Mutex<(usize, Vec<MachExceptionHandler>, u32)> = Mutex::new((0, Vec::new(), 0));

/// Returns `x` for 0..=100; throws tag 7 with payload `x` below, tag 9 above.
extern "C" fn thrower(x: i64, fp: u64) -> i64 {
    if (0..=100).contains(&x) {
        return x;
    }
    let tag = if x < 0 { 7 } else { 9 };
    let (start, handlers, frame_size) = CATCHER.lock().unwrap().clone();
    let handler = handlers
        .iter()
        .find(|h| h.tag == Some(tag))
        .or_else(|| handlers.iter().find(|h| h.tag.is_none()))
        .expect("a handler");
    let pc = start + handler.offset as usize;
    // The catcher's stack pointer during the call: the return address is 8 bytes above
    // the saved frame pointer, and the frame extends `frame_size` bytes below it.
    let sp = fp + 8 - u64::from(frame_size);
    // SAFETY: the catcher's frame is live below us on this stack; resuming there with its
    // stack and frame pointers is exactly what its handler expects (everything else is
    // clobbered on the exceptional edge), and no frame in between needs cleanup.
    unsafe {
        std::arch::asm!(
            "mov rsp, {sp}",
            "mov rbp, {fp}",
            "jmp {pc}",
            sp = in(reg) sp,
            fp = in(reg) fp,
            pc = in(reg) pc,
            in("rax") x,
            options(noreturn)
        )
    }
}

const CATCHER_CLIF: &str = "
function %catcher(i64) -> i64 {
    sig0 = (i64, i64) -> i64 system_v
    fn0 = %thrower sig0
block0(v0: i64):
    v1 = get_frame_pointer.i64
    v2 = iconst.i64 1000
    v3 = iadd v0, v2
    try_call fn0(v0, v1), sig0, block1(ret0), [ tag7: block2(exn0), default: block3(exn0) ]
block1(v4: i64):
    v5 = iadd_imm v4, 1
    return v5
block2(v6: i64):
    v7 = imul_imm v6, 2
    return v7
block3(v8: i64):
    v9 = iadd_imm v8, 1000
    return v9
}
";

#[test]
fn thrown_exceptions_resume_at_the_try_call_handlers() {
    let flags = gantry_codegen::settings::Flags {
        preserve_frame_pointers: true,
        ..Default::default()
    };
    let isa = isa::lookup("x86_64").unwrap().finish_with(flags).unwrap();
    let mut builder = JITBuilder::with_isa(isa);
    builder.symbol("thrower", thrower as *const u8);
    let mut module = JITModule::new(builder);
    let parsed = gantry_reader::parse_functions(CATCHER_CLIF).unwrap();
    let mut ctx = module.make_context();
    ctx.func = parsed[0].clone();
    let id = module
        .declare_function("catcher", Linkage::Export, &ctx.func.signature)
        .unwrap();
    module.define_function(id, &mut ctx).unwrap();
    let code = ctx.compiled_code().unwrap();
    let sites: Vec<_> = code
        .call_sites
        .iter()
        .filter(|s| !s.handlers.is_empty())
        .collect();
    assert_eq!(sites.len(), 1, "{:?}", code.call_sites);
    let handlers = sites[0].handlers.clone();
    assert_eq!(
        handlers.iter().map(|h| h.tag).collect::<Vec<_>>(),
        [Some(7), None]
    );
    let frame_size = code.frame_size;
    module.finalize_definitions().unwrap();
    let f = module.get_finalized_function(id);
    *CATCHER.lock().unwrap() = (f as usize, handlers, frame_size);
    // SAFETY: compiled for this host with signature (i64) -> i64.
    let catcher: extern "C" fn(i64) -> i64 = unsafe { std::mem::transmute(f) };
    assert_eq!(catcher(5), 6, "normal return");
    assert_eq!(catcher(-4), -8, "tag 7");
    assert_eq!(catcher(500), 1500, "the default handler");
    assert_eq!(catcher(100), 101, "normal return again");
}
