//! Calls and small inline sequences for memory copies and fills.

use crate::FunctionBuilder;
use gantry_codegen::ir::{
    AbiParam, ExtFuncData, ExternalName, FuncRef, InstBuilder, LibCall, MemFlags, Signature, Type,
    Value,
};

/// Copies and fills up to this many bytes are inlined as loads and stores.
const INLINE_LIMIT: u64 = 64;

impl FunctionBuilder<'_> {
    /// Declares the C library function `lc` taking `params` pointer-sized arguments and
    /// returning a pointer, in the function's default convention.
    fn libcall(&mut self, lc: LibCall, ptr: Type, params: usize) -> FuncRef {
        let mut sig = Signature::new(self.func.signature.call_conv);
        sig.params = alloc::vec![AbiParam::new(ptr); params];
        sig.returns.push(AbiParam::new(ptr));
        let signature = self.import_signature(sig);
        self.import_function(ExtFuncData {
            name: ExternalName::LibCall(lc),
            signature,
            colocated: false,
            patchable: false,
        })
    }

    /// Calls `memcpy(dest, src, size)` (`ptr` is the pointer type; the regions must not
    /// overlap).
    pub fn call_memcpy(&mut self, ptr: Type, dest: Value, src: Value, size: Value) {
        let f = self.libcall(LibCall::Memcpy, ptr, 3);
        self.ins().call(f, &[dest, src, size]);
    }

    /// Calls `memmove(dest, src, size)` (the regions may overlap).
    pub fn call_memmove(&mut self, ptr: Type, dest: Value, src: Value, size: Value) {
        let f = self.libcall(LibCall::Memmove, ptr, 3);
        self.ins().call(f, &[dest, src, size]);
    }

    /// Calls `memset(buffer, byte, size)`; `byte` is converted to the pointer type.
    pub fn call_memset(&mut self, ptr: Type, buffer: Value, byte: Value, size: Value) {
        let ty = self.func.dfg.value_type(byte);
        let byte = if ty == ptr {
            byte
        } else {
            self.ins().uextend(ptr, byte)
        };
        let f = self.libcall(LibCall::Memset, ptr, 3);
        self.ins().call(f, &[buffer, byte, size]);
    }

    /// Copies `size` bytes from `src` to `dest`: inline loads then stores for up to 64
    /// bytes (all loads first, so overlapping regions copy correctly), else `memmove`.
    pub fn emit_small_memory_copy(
        &mut self,
        ptr: Type,
        dest: Value,
        src: Value,
        size: u64,
        flags: MemFlags,
    ) {
        if size > INLINE_LIMIT {
            let n = self.ins().iconst(ptr, size as i64);
            self.call_memmove(ptr, dest, src, n);
            return;
        }
        let mut chunks = alloc::vec::Vec::new();
        let mut offset = 0u64;
        while offset < size {
            let ty = chunk_type(size - offset);
            let v = self.ins().load(ty, flags, src, offset as i32);
            chunks.push((offset, v));
            offset += u64::from(ty.bytes());
        }
        for (offset, v) in chunks {
            self.ins().store(flags, v, dest, offset as i32);
        }
    }

    /// Fills `size` bytes at `buffer` with `byte`: inline stores for up to 64 bytes,
    /// else `memset`.
    pub fn emit_small_memset(
        &mut self,
        ptr: Type,
        buffer: Value,
        byte: u8,
        size: u64,
        flags: MemFlags,
    ) {
        if size > INLINE_LIMIT {
            let b = self.ins().iconst(ptr, i64::from(byte));
            let n = self.ins().iconst(ptr, size as i64);
            self.call_memset(ptr, buffer, b, n);
            return;
        }
        let mut offset = 0u64;
        while offset < size {
            let ty = chunk_type(size - offset);
            let pattern = u64::from_ne_bytes([byte; 8]) >> (64 - ty.bits());
            let v = self.ins().iconst(ty, pattern as i64);
            self.ins().store(flags, v, buffer, offset as i32);
            offset += u64::from(ty.bytes());
        }
    }
}

/// The widest integer type of at most `left` bytes.
fn chunk_type(left: u64) -> Type {
    match left {
        8.. => Type::I64,
        4..=7 => Type::I32,
        2..=3 => Type::I16,
        _ => Type::I8,
    }
}
