//! User stack maps: a call's `stack_map=[...]` entries come back with the call site as
//! offsets from the stack pointer at the call, where a garbage collector finds the values
//! while the callee runs. The callee here reads them through those offsets.

#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use gantry_codegen::ir::Type;
use gantry_codegen::isa;
use gantry_codegen::machinst::buffer::MachStackMapEntry;
use gantry_jit::{JITBuilder, JITModule};
use gantry_module::{Linkage, Module};
use std::sync::Mutex;

static MAP: Mutex<Vec<MachStackMapEntry>> = Mutex::new(Vec::new());

/// Sums the stack map's values found from `sp` (the caller's stack pointer at the call),
/// weighting each by its position so that a wrong order or offset shows.
extern "C" fn inspect(sp: u64) -> i64 {
    let map = MAP.lock().unwrap().clone();
    let mut sum = 0i64;
    for (i, e) in map.iter().enumerate() {
        let at = (sp + u64::from(e.sp_offset)) as *const u8;
        // SAFETY: the caller keeps these slots alive and initialized across the call.
        let v = unsafe {
            match e.ty {
                Type::I64 => std::ptr::read_unaligned(at as *const i64),
                Type::I32 => i64::from(std::ptr::read_unaligned(at as *const i32)),
                other => panic!("unexpected {other}"),
            }
        };
        sum += v * (i as i64 + 1);
    }
    sum
}

const GC_CLIF: &str = "
function %gc(i64, i32, i64) -> i64 {
    ss0 = explicit_slot 24
    ss1 = explicit_slot 8
    sig0 = (i64) -> i64 system_v
    fn0 = %inspect sig0
block0(v0: i64, v1: i32, v2: i64):
    stack_store v0, ss0+16
    stack_store v1, ss1+4
    stack_store v2, ss0
    v3 = get_stack_pointer.i64
    v4 = call fn0(v3), stack_map=[i64 @ ss0+16, i32 @ ss1+4, i64 @ ss0+0]
    return v4
}
";

#[test]
fn stack_map_offsets_find_the_values_during_the_call() {
    let isa = isa::lookup("x86_64").unwrap().finish().unwrap();
    let mut builder = JITBuilder::with_isa(isa);
    builder.symbol("inspect", inspect as *const u8);
    let mut module = JITModule::new(builder);
    let mut ctx = module.make_context();
    ctx.func = gantry_reader::parse_functions(GC_CLIF).unwrap().remove(0);
    let id = module
        .declare_function("gc", Linkage::Export, &ctx.func.signature)
        .unwrap();
    module.define_function(id, &mut ctx).unwrap();
    let code = ctx.compiled_code().unwrap();
    assert_eq!(code.call_sites.len(), 1);
    let map = code.call_sites[0].stack_map.clone();
    assert_eq!(
        map.iter().map(|e| e.ty).collect::<Vec<_>>(),
        [Type::I64, Type::I32, Type::I64]
    );
    *MAP.lock().unwrap() = map;
    module.finalize_definitions().unwrap();
    // SAFETY: compiled for this host with signature (i64, i32, i64) -> i64.
    let gc: extern "C" fn(i64, i32, i64) -> i64 =
        unsafe { std::mem::transmute(module.get_finalized_function(id)) };
    assert_eq!(gc(100, 7, -3), 100 + 2 * 7 + 3 * -3);
    assert_eq!(gc(-1, -1, 1 << 40), -1 - 2 + 3 * (1 << 40));
}
