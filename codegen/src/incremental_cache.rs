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
//! [`FunctionParameters`]: crate::ir::FunctionParameters

use crate::ir::FunctionStencil;
use crate::isa::TargetIsa;
use alloc::string::ToString;
use core::fmt;
use core::hash::{Hash, Hasher};
use sha2::{Digest, Sha256};

/// The version of the key's and the cached values' layout; bumped when either changes,
/// so old cache entries are never read as new ones.
pub const CACHE_FORMAT_VERSION: u32 = 1;

/// The key of one function's compiled code in the cache: 32 bytes of SHA-256.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(pub [u8; 32]);

impl CacheKey {
    /// The key of compiling `stencil` for `isa` (with its flags and shared settings) with
    /// this version of Gantry.
    pub fn new(isa: &dyn TargetIsa, stencil: &FunctionStencil) -> CacheKey {
        let mut h = StableHasher(Sha256::new());
        "gantry".hash(&mut h);
        env!("CARGO_PKG_VERSION").hash(&mut h);
        CACHE_FORMAT_VERSION.hash(&mut h);
        isa.name().hash(&mut h);
        isa.triple().to_string().hash(&mut h);
        isa.isa_flags().hash(&mut h);
        isa.shared_flags().hash(&mut h);
        stencil.hash(&mut h);
        CacheKey(h.0.finalize().into())
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
/// little-endian bytes, `usize` (lengths) as 64 bits.
pub struct StableHasher(Sha256);

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn write_u8(&mut self, i: u8) {
        self.0.update([i]);
    }

    fn write_u16(&mut self, i: u16) {
        self.0.update(i.to_le_bytes());
    }

    fn write_u32(&mut self, i: u32) {
        self.0.update(i.to_le_bytes());
    }

    fn write_u64(&mut self, i: u64) {
        self.0.update(i.to_le_bytes());
    }

    fn write_u128(&mut self, i: u128) {
        self.0.update(i.to_le_bytes());
    }

    fn write_usize(&mut self, i: usize) {
        self.0.update((i as u64).to_le_bytes());
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
    }
}
