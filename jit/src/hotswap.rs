//! Hot-swapping: with [`crate::JITBuilder::hotswap`], every function of the module is
//! reached through a PLT entry, so redefining the function redirects all callers.
//!
//! Entries live in chunks of two pages: the first page holds 8-byte stubs
//! `jmp *slot(%rip)` (FF /4 with a RIP-relative operand, Intel SDM vol. 2 "JMP"),
//! read-execute; the second the slots, one absolute address each, read-write. A
//! redefinition is one atomic store to a slot: the stubs are never written again, so
//! no page changes protection while other threads may run through it.

use gantry_module::{ModuleError, ModuleResult};
use memmap2::MmapMut;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of a stub (`jmp *rel32(%rip)` and two bytes of padding).
const STUB: usize = 8;

/// The PLT entries of a hot-swapping module.
pub(crate) struct Plt {
    /// Chunks of `2 * page` bytes (stubs, then slots), with their base address: once
    /// made, a chunk is only reached through that raw pointer.
    chunks: Vec<(MmapMut, *mut u8)>,
    page: usize,
    used: usize,
}

impl Plt {
    /// No entries yet.
    pub(crate) fn new() -> Plt {
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        Plt {
            chunks: Vec::new(),
            page: usize::try_from(page).unwrap_or(4096).max(4096),
            used: 0,
        }
    }

    fn per_chunk(&self) -> usize {
        self.page / STUB
    }

    /// A new entry (jumping to address 0 until [`Plt::set`]), by index.
    ///
    /// # Errors
    /// `mmap` or `mprotect` failing.
    pub(crate) fn add(&mut self) -> ModuleResult<usize> {
        if self.used == self.chunks.len() * self.per_chunk() {
            let mut m = MmapMut::map_anon(2 * self.page)
                .map_err(|e| ModuleError::Backend(format!("mmap: {e}")))?;
            for i in 0..self.per_chunk() {
                let at = i * STUB;
                // rel32 from the end of the 6-byte jmp to slot i on the next page.
                let rel = (self.page + i * 8) as i64 - (at + 6) as i64;
                m[at..at + 2].copy_from_slice(&[0xff, 0x25]);
                m[at + 2..at + 6].copy_from_slice(&(rel as i32).to_le_bytes());
                m[at + 6..at + 8].copy_from_slice(&[0xcc, 0xcc]);
            }
            // SAFETY: the first page of the mapping, which no Rust reference writes
            // again, becomes read-execute.
            let rc = unsafe {
                libc::mprotect(
                    m.as_mut_ptr().cast(),
                    self.page,
                    libc::PROT_READ | libc::PROT_EXEC,
                )
            };
            if rc != 0 {
                let e = std::io::Error::last_os_error();
                return Err(ModuleError::Backend(format!("mprotect: {e}")));
            }
            let base = m.as_mut_ptr();
            self.chunks.push((m, base));
        }
        self.used += 1;
        Ok(self.used - 1)
    }

    /// The address callers use for entry `i`.
    pub(crate) fn stub(&self, i: usize) -> *const u8 {
        let base = self.chunks[i / self.per_chunk()].1;
        base.wrapping_add((i % self.per_chunk()) * STUB)
            .cast_const()
    }

    /// Points entry `i` at `target`.
    pub(crate) fn set(&self, i: usize, target: *const u8) {
        let base = self.chunks[i / self.per_chunk()].1;
        let slot = base.wrapping_add(self.page + (i % self.per_chunk()) * 8);
        // SAFETY: the slot is 8-aligned, inside the read-write page of a live mapping
        // that no reference covers, and only ever accessed atomically (by this store
        // and by the stub's load).
        let slot = unsafe { AtomicU64::from_ptr(slot.cast()) };
        slot.store(target as u64, Ordering::Release);
    }
}
