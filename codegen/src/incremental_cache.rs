//! The incremental compilation cache's key: a SHA-256 over everything compiling a
//! function reads (its [`FunctionStencil`], the ISA with its triple and flags, every
//! shared setting, and Gantry's version), never over its [`FunctionParameters`]
//! (the user's external name table and base source location). So renaming or moving a
//! function keeps its key, and any change that could change the code changes it.
//!
//! The digest is stable across runs, hosts and byte orders: the stencil's `Hash` impls
//! feed [`StableHasher`], which writes every integer little-endian and lengths as 64-bit
//! integers, and the IR holds no pointers or hash-map iteration orders.
//!
//! The cached value is the [`CompiledCodeStencil`], serialized with serde and bincode
//! behind a header (magic, [`CACHE_FORMAT_VERSION`] and a SHA-256 of the key and the
//! body); an entry that does not check out (truncated, corrupted, of another version, or
//! stored under another key) is a miss, never an error or wrong code. A store is any
//! [`CacheKvStore`]; [`MemoryStore`] keeps entries in memory, [`FileStore`] (with `std`)
//! in a folder. `Context::compile_with_cache` uses all of this, and `gantry-module`'s
//! `Module::define_function_with_cache` on top of it.
//!
//! [`FunctionParameters`]: crate::ir::FunctionParameters

use crate::ir::FunctionStencil;
use crate::isa::TargetIsa;
use crate::machinst::compiled::CompiledCodeStencil;
use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt;
use core::hash::{Hash, Hasher};
use sha2::{Digest, Sha256};

#[cfg(feature = "std")]
mod file_store;
#[cfg(feature = "std")]
pub use file_store::FileStore;

/// Where the cache keeps compiled code: bytes by key (a [`CacheKey`]'s 32 bytes).
pub trait CacheKvStore {
    /// The value stored under `key`, if any.
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>>;
    /// Stores `value` under `key`, replacing what was there.
    fn insert(&mut self, key: &[u8], value: Vec<u8>);
}

/// A [`CacheKvStore`] in memory.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl MemoryStore {
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl CacheKvStore for MemoryStore {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        self.entries.get(key).map(|v| Cow::Borrowed(v.as_slice()))
    }

    fn insert(&mut self, key: &[u8], value: Vec<u8>) {
        self.entries.insert(key.to_vec(), value);
    }
}

/// bincode's settings, with a limit on what a (corrupted) length may claim: 256 MiB.
const CONFIG: bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<{ 256 << 20 }>,
> = bincode::config::standard().with_limit::<{ 256 << 20 }>();

/// The first bytes of every cached value.
const MAGIC: &[u8; 4] = b"GNTC";

/// The digest guarding a value: SHA-256 of the key, then the body.
fn body_digest(key: &CacheKey, body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(key.0);
    h.update(body);
    h.finalize().into()
}

/// `code` as the cache value for `key`: the magic, [`CACHE_FORMAT_VERSION`] (4 bytes
/// little-endian), the SHA-256 of the key and the body (32 bytes), then the body (the
/// bincode of the stencil).
pub fn serialize(key: &CacheKey, code: &CompiledCodeStencil) -> Vec<u8> {
    let body =
        bincode::serde::encode_to_vec(code, CONFIG).expect("compiled code always serializes");
    let mut out = Vec::with_capacity(40 + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&CACHE_FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&body_digest(key, &body));
    out.extend_from_slice(&body);
    out
}

/// The compiled code in `bytes`, the value stored for `key`; `None` for anything else
/// (another format version, a truncated or corrupted entry, an entry made for another
/// key), which the cache treats as a miss.
pub fn deserialize(key: &CacheKey, bytes: &[u8]) -> Option<CompiledCodeStencil> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let (version, rest) = rest.split_at_checked(4)?;
    if version != CACHE_FORMAT_VERSION.to_le_bytes() {
        return None;
    }
    let (digest, body) = rest.split_at_checked(32)?;
    if digest != body_digest(key, body) {
        return None;
    }
    let (code, used) = bincode::serde::decode_from_slice(body, CONFIG).ok()?;
    (used == body.len()).then_some(code)
}

/// The version of the key's and the cached values' layout; bumped when either changes,
/// or what compilation puts in the values (2: source-location ranges are recorded), so
/// old cache entries are never read as new ones. 3: values carry a digest.
pub const CACHE_FORMAT_VERSION: u32 = 3;

/// The key of one function's compiled code in the cache: 32 bytes of SHA-256.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(pub [u8; 32]);

impl CacheKey {
    /// The key of compiling `stencil` for `isa` (with its flags and shared settings) with
    /// this version of Gantry.
    pub fn new(isa: &dyn TargetIsa, stencil: &FunctionStencil) -> CacheKey {
        let mut h = StableHasher::new();
        "gantry".hash(&mut h);
        env!("CARGO_PKG_VERSION").hash(&mut h);
        CACHE_FORMAT_VERSION.hash(&mut h);
        isa.name().hash(&mut h);
        isa.triple().to_string().hash(&mut h);
        isa.isa_flags().hash(&mut h);
        // Every shared setting but the one asking to check the cache, which changes no
        // code: a checked run must find the entries an unchecked one stored.
        let mut flags = isa.shared_flags().clone();
        flags.enable_incremental_compilation_cache_checks = false;
        flags.hash(&mut h);
        stencil.hash(&mut h);
        CacheKey(h.digest())
    }
}

impl fmt::Display for CacheKey {
    /// The key as 64 lowercase hex digits (a cache entry's file name).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({self})")
    }
}

/// A [`Hasher`] into SHA-256 whose input does not depend on the host: integers as
/// little-endian bytes, `usize` (lengths) as 64 bits. Small writes are gathered in a
/// buffer first (a `Hash` impl makes many writes of a few bytes each).
pub struct StableHasher {
    sha: Sha256,
    buf: [u8; 256],
    len: usize,
}

impl StableHasher {
    /// An empty hasher.
    pub fn new() -> StableHasher {
        StableHasher {
            sha: Sha256::new(),
            buf: [0; 256],
            len: 0,
        }
    }

    /// Appends `N` bytes (a fixed size, so the copy is a single store).
    #[inline(always)]
    fn push<const N: usize>(&mut self, bytes: [u8; N]) {
        if self.len + N > self.buf.len() {
            self.flush();
        }
        self.buf[self.len..self.len + N].copy_from_slice(&bytes);
        self.len += N;
    }

    /// Hashes the buffered bytes.
    #[cold]
    #[inline(never)]
    fn flush(&mut self) {
        self.sha.update(&self.buf[..self.len]);
        self.len = 0;
    }

    /// The SHA-256 of everything written.
    pub fn digest(mut self) -> [u8; 32] {
        self.sha.update(&self.buf[..self.len]);
        self.sha.finalize().into()
    }
}

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher::new()
    }
}

impl Hasher for StableHasher {
    /// The first 8 bytes of the digest so far, little-endian.
    fn finish(&self) -> u64 {
        let mut sha = self.sha.clone();
        sha.update(&self.buf[..self.len]);
        let digest = sha.finalize();
        u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buf.len() {
            self.flush();
            if bytes.len() > self.buf.len() {
                self.sha.update(bytes);
                return;
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.push([i]);
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.push(i.to_le_bytes());
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.push(i.to_le_bytes());
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.push(i.to_le_bytes());
    }

    #[inline]
    fn write_u128(&mut self, i: u128) {
        self.push(i.to_le_bytes());
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.push((i as u64).to_le_bytes());
    }

    fn write_i8(&mut self, i: i8) {
        self.write_u8(i as u8);
    }

    fn write_i16(&mut self, i: i16) {
        self.write_u16(i as u16);
    }

    fn write_i32(&mut self, i: i32) {
        self.write_u32(i as u32);
    }

    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }

    fn write_i128(&mut self, i: i128) {
        self.write_u128(i as u128);
    }

    fn write_isize(&mut self, i: isize) {
        self.write_usize(i as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{
        AbiParam, Function, InstBuilder, InstBuilderExt, Signature, Type, UserExternalName,
        UserFuncName,
    };
    use crate::isa;

    /// `fn(i64) -> i64 { x + k }` named `u0:<index>`.
    fn add_const(index: u32, k: i64) -> Function {
        let mut sig = Signature::new(crate::ir::CallConv::SystemV);
        sig.params.push(AbiParam::new(Type::I64));
        sig.returns.push(AbiParam::new(Type::I64));
        let mut f =
            Function::with_name_signature(UserFuncName::User(UserExternalName::new(0, index)), sig);
        let block = f.stencil.dfg.make_block();
        f.stencil.layout.append_block(block);
        let x = f.stencil.dfg.append_block_param(block, Type::I64);
        let y = crate::ir::AppendBuilder::new(&mut f.stencil, block).iadd_imm(x, k);
        crate::ir::AppendBuilder::new(&mut f.stencil, block).return_(&[y]);
        f
    }

    fn target(flags: &[&str], opt: &str) -> alloc::boxed::Box<dyn TargetIsa> {
        let mut b = isa::lookup("x86_64").unwrap();
        for f in flags {
            b.apply(f).unwrap();
        }
        let mut shared = crate::settings::Builder::new();
        shared.set("opt_level", opt).unwrap();
        b.finish_with(shared.finish()).unwrap()
    }

    #[test]
    fn values_round_trip_and_damaged_ones_are_misses() {
        let isa = target(&[], "none");
        let code = isa
            .compile_stencil(&add_const(1, 7).stencil, false)
            .unwrap();
        let key = CacheKey::new(isa.as_ref(), &add_const(1, 7).stencil);
        let bytes = serialize(&key, &code);
        assert_eq!(deserialize(&key, &bytes), Some(code));
        for cut in [0, 3, 8, 40, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(deserialize(&key, &bytes[..cut]), None, "truncated at {cut}");
        }
        let mut other_version = bytes.clone();
        other_version[4] ^= 1;
        assert_eq!(deserialize(&key, &other_version), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(deserialize(&key, &longer), None);
        // Any flipped byte is caught, by the header or the digest.
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x5a;
            assert_eq!(deserialize(&key, &flipped), None, "byte {i} flipped");
        }
        // The value of another key.
        let other = CacheKey::new(isa.as_ref(), &add_const(1, 8).stencil);
        assert_eq!(deserialize(&other, &bytes), None);
    }

    #[test]
    fn the_second_compilation_is_a_hit_with_the_same_code() {
        use crate::context::Context;
        let isa = target(&[], "speed");
        let mut store = MemoryStore::default();
        let mut ctx = Context::for_function(add_const(1, 7));
        let (first, hit) = ctx.compile_with_cache(isa.as_ref(), &mut store).unwrap();
        let first = first.clone();
        assert!(!hit);
        assert_eq!(store.len(), 1);
        // Renamed: the same entry.
        let mut ctx = Context::for_function(add_const(2, 7));
        let (second, hit) = ctx.compile_with_cache(isa.as_ref(), &mut store).unwrap();
        assert!(hit);
        assert_eq!(second.code, first.code);
        // Another ISA flag: a new entry.
        let mut ctx = Context::for_function(add_const(1, 7));
        let (_, hit) = ctx
            .compile_with_cache(target(&["has_avx"], "speed").as_ref(), &mut store)
            .unwrap();
        assert!(!hit);
        assert_eq!(store.len(), 2);
        // A corrupted entry is a miss, and is replaced.
        let key = CacheKey::new(isa.as_ref(), &add_const(1, 7).stencil);
        store.insert(&key.0, alloc::vec![1, 2, 3]);
        let mut ctx = Context::for_function(add_const(1, 7));
        let (third, hit) = ctx.compile_with_cache(isa.as_ref(), &mut store).unwrap();
        assert!(!hit);
        assert_eq!(third.code, first.code);
    }

    #[test]
    fn checked_hits_compare_with_a_fresh_compilation() {
        use crate::context::Context;
        let mut shared = crate::settings::Builder::new();
        shared
            .set("enable_incremental_compilation_cache_checks", "true")
            .unwrap();
        let isa = isa::lookup("x86_64")
            .unwrap()
            .finish_with(shared.finish())
            .unwrap();
        let mut store = MemoryStore::default();
        let mut ctx = Context::for_function(add_const(1, 7));
        ctx.compile_with_cache(isa.as_ref(), &mut store).unwrap();
        let (_, hit) = ctx.compile_with_cache(isa.as_ref(), &mut store).unwrap();
        assert!(hit);
        // An entry holding another function's code under this key is caught.
        let key = CacheKey::new(isa.as_ref(), &add_const(1, 7).stencil);
        let other = isa
            .compile_stencil(&add_const(1, 8).stencil, false)
            .unwrap();
        store.insert(&key.0, serialize(&key, &other));
        let err = ctx
            .compile_with_cache(isa.as_ref(), &mut store)
            .unwrap_err();
        assert!(err.to_string().contains("cache entry"), "{err}");
    }

    #[test]
    fn a_hit_with_a_missing_user_name_is_a_verifier_error() {
        use crate::context::Context;
        use crate::ir::{ExtFuncData, ExternalName};
        let isa = target(&[], "none");
        let mut sig = Signature::new(crate::ir::CallConv::SystemV);
        sig.params.push(AbiParam::new(Type::I64));
        let mut f = Function::with_name_signature(UserFuncName::testcase("f"), sig.clone());
        let sig = f.import_signature(sig);
        let name = f.declare_imported_user_function(UserExternalName::new(0, 5));
        let callee = f.import_function(ExtFuncData {
            name: ExternalName::User(name),
            signature: sig,
            colocated: true,
            patchable: false,
        });
        let block = f.stencil.dfg.make_block();
        f.stencil.layout.append_block(block);
        let x = f.stencil.dfg.append_block_param(block, Type::I64);
        crate::ir::AppendBuilder::new(&mut f.stencil, block).call(callee, &[x]);
        crate::ir::AppendBuilder::new(&mut f.stencil, block).return_(&[]);
        let mut store = MemoryStore::default();
        Context::for_function(f.clone())
            .compile_with_cache(isa.as_ref(), &mut store)
            .unwrap();
        // The same stencil without the name in its table: an error, not a panic.
        f.params = crate::ir::FunctionParameters::new();
        let err = Context::for_function(f)
            .compile_with_cache(isa.as_ref(), &mut store)
            .unwrap_err();
        assert!(err.to_string().contains("not in the name table"), "{err}");
    }

    #[test]
    fn names_do_not_change_the_key() {
        let isa = target(&[], "none");
        let a = CacheKey::new(isa.as_ref(), &add_const(1, 7).stencil);
        let b = CacheKey::new(isa.as_ref(), &add_const(99, 7).stencil);
        assert_eq!(a, b);
    }

    #[test]
    fn code_settings_and_flags_change_the_key() {
        let base = CacheKey::new(target(&[], "none").as_ref(), &add_const(1, 7).stencil);
        let other_code = CacheKey::new(target(&[], "none").as_ref(), &add_const(1, 8).stencil);
        let speed = CacheKey::new(target(&[], "speed").as_ref(), &add_const(1, 7).stencil);
        let avx = CacheKey::new(
            target(&["has_avx"], "none").as_ref(),
            &add_const(1, 7).stencil,
        );
        assert_ne!(base, other_code);
        assert_ne!(base, speed);
        assert_ne!(base, avx);
        assert_ne!(speed, avx);
        let checked = {
            let mut shared = crate::settings::Builder::new();
            shared
                .set("enable_incremental_compilation_cache_checks", "true")
                .unwrap();
            isa::lookup("x86_64")
                .unwrap()
                .finish_with(shared.finish())
                .unwrap()
        };
        assert_eq!(
            base,
            CacheKey::new(checked.as_ref(), &add_const(1, 7).stencil)
        );
    }
}
