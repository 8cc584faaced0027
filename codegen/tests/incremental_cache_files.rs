//! The file-system cache store: entries survive the process (a new store on the same
//! folder hits), and damaged entries (truncated, corrupted, of another format version,
//! copied under another key) are misses that give the same code as a fresh compilation.

use gantry_codegen::Context;
use gantry_codegen::incremental_cache::{CacheKey, CacheKvStore, FileStore};
use gantry_codegen::ir::{
    AbiParam, AppendBuilder, CallConv, Function, InstBuilder, InstBuilderExt, Signature, Type,
    UserExternalName, UserFuncName,
};
use gantry_codegen::isa;
use gantry_codegen::settings::Flags;

/// `fn(i64) -> i64 { x * k + 1 }`.
fn func(k: i64) -> Function {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(Type::I64));
    sig.returns.push(AbiParam::new(Type::I64));
    let mut f = Function::with_name_signature(UserFuncName::User(UserExternalName::new(0, 0)), sig);
    let block = f.stencil.dfg.make_block();
    f.stencil.layout.append_block(block);
    let x = f.stencil.dfg.append_block_param(block, Type::I64);
    let y = AppendBuilder::new(&mut f.stencil, block).imul_imm(x, k);
    let z = AppendBuilder::new(&mut f.stencil, block).iadd_imm(y, 1);
    AppendBuilder::new(&mut f.stencil, block).return_(&[z]);
    f
}

#[test]
fn damaged_entries_are_misses_with_correct_code() {
    let dir = std::env::temp_dir().join(format!("gantry-file-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let isa = isa::lookup("x86_64")
        .unwrap()
        .finish_with(Flags::default())
        .unwrap();
    let ks = [3, 5, 7, 9, 11];
    let fresh: Vec<Vec<u8>> = ks
        .iter()
        .map(|&k| {
            Context::for_function(func(k))
                .compile(isa.as_ref())
                .unwrap()
                .code
                .clone()
        })
        .collect();
    let compile_all = |store: &mut FileStore| -> Vec<bool> {
        ks.iter()
            .zip(&fresh)
            .map(|(&k, fresh)| {
                let mut ctx = Context::for_function(func(k));
                let (code, hit) = ctx.compile_with_cache(isa.as_ref(), store).unwrap();
                assert_eq!(&code.code, fresh, "k = {k}");
                hit
            })
            .collect()
    };
    assert_eq!(compile_all(&mut FileStore::new(&dir).unwrap()), [false; 5]);
    // Another store on the folder, as another process would open it.
    let mut store = FileStore::new(&dir).unwrap();
    assert_eq!(compile_all(&mut store), [true; 5]);

    let key = |k| CacheKey::new(isa.as_ref(), &func(k).stencil);
    let read = |k| std::fs::read(store.path(&key(k).0)).unwrap();
    let write = |k, bytes: Vec<u8>| std::fs::write(store.path(&key(k).0), bytes).unwrap();
    let mut truncated = read(3);
    truncated.truncate(truncated.len() - 1);
    write(3, truncated);
    let mut corrupted = read(5);
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 0x01;
    write(5, corrupted);
    let mut foreign = read(7);
    foreign[4..8].copy_from_slice(&99u32.to_le_bytes());
    write(7, foreign);
    write(9, read(11)); // another function's entry under this key
    assert_eq!(compile_all(&mut store), [false, false, false, false, true]);
    // The misses rewrote their entries.
    assert_eq!(compile_all(&mut store), [true; 5]);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(store.get(&[0; 32]).is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}
