//! The interpreter's memory, at fake addresses: a stack that grows down, holding each
//! live frame's record (the caller's frame address and a return address, as real frames
//! have) and stack slots; and static blocks that live as long as the interpreter
//! (thread-local variables). An access must lie inside one live allocation (a frame
//! record, a stack slot, a static block): past a slot's end, in alignment padding, in a
//! returned frame's slots or at any host address it traps with `heap_oob`, never
//! touching host memory.

use alloc::vec;
use alloc::vec::Vec;
use gantry_codegen::ir::TrapCode;

/// The address just above the stack: frames are pushed below it.
pub const STACK_TOP: u64 = 0x7fff_0000_0000;

/// The most bytes all live frames may hold: 8 MiB.
pub const STACK_LIMIT: usize = 8 << 20;

/// Where static blocks start.
pub const STATIC_BASE: u64 = 0x6000_0000_0000;

/// The most bytes of static blocks: 1 MiB.
pub const STATIC_LIMIT: usize = 1 << 20;

/// The interpreter's memory.
pub struct Memory {
    /// The whole stack; byte `i` is at address `STACK_TOP - STACK_LIMIT + i`.
    bytes: Vec<u8>,
    /// The index of the lowest live byte.
    sp: usize,
    /// The live stack allocations as byte index ranges, the newest (lowest) last.
    allocs: Vec<(usize, usize)>,
    /// The static blocks; byte `i` is at address `STATIC_BASE + i`.
    statics: Vec<u8>,
}

impl Default for Memory {
    fn default() -> Memory {
        Memory {
            bytes: vec![0; STACK_LIMIT],
            sp: STACK_LIMIT,
            allocs: Vec::new(),
            statics: Vec::new(),
        }
    }
}

/// Unallocated bytes left above each stack allocation.
const GAP: usize = 16;

/// The address of the stack's first byte.
const BASE: u64 = STACK_TOP - STACK_LIMIT as u64;

impl Memory {
    /// The stack pointer: the address of the lowest live byte.
    pub fn sp(&self) -> u64 {
        BASE + self.sp as u64
    }

    /// Reserves `bytes` zeroed bytes aligned to `align` (a power of two) below the live
    /// stack; returns their address.
    ///
    /// # Errors
    /// `stk_ovf` past [`STACK_LIMIT`].
    pub fn push(&mut self, bytes: usize, align: usize) -> Result<u64, TrapCode> {
        // A gap of GAP bytes above each allocation, so running off its end traps.
        let start = self
            .sp
            .checked_sub(bytes + GAP)
            .map(|s| s & !(align.max(1) - 1))
            .ok_or(TrapCode::STACK_OVERFLOW)?;
        self.bytes[start..self.sp].fill(0);
        self.sp = start;
        self.allocs.push((start, start + bytes));
        Ok(BASE + start as u64)
    }

    /// A new zeroed static block of `bytes` bytes, 16-byte aligned; returns its address.
    ///
    /// # Errors
    /// `heap_oob` past [`STATIC_LIMIT`].
    pub fn alloc_static(&mut self, bytes: usize) -> Result<u64, TrapCode> {
        let start = self.statics.len().next_multiple_of(16);
        if start + bytes > STATIC_LIMIT {
            return Err(TrapCode::HEAP_OUT_OF_BOUNDS);
        }
        self.statics.resize(start + bytes, 0);
        Ok(STATIC_BASE + start as u64)
    }

    /// Frees everything below address `sp` (a returning frame's part).
    pub fn pop_to(&mut self, sp: u64) {
        self.sp = (sp - BASE) as usize;
        let live = self.allocs.partition_point(|&(start, _)| start >= self.sp);
        self.allocs.truncate(live);
    }

    /// The live bytes `[addr, addr + len)`, in the stack or a static block.
    fn bytes_at(&mut self, addr: u64, len: usize) -> Result<&mut [u8], TrapCode> {
        let within = |base: u64, lo: usize, hi: usize| {
            let start = addr.checked_sub(base)?;
            let end = start.checked_add(len as u64)?;
            (start >= lo as u64 && end <= hi as u64).then_some(start as usize..end as usize)
        };
        if let Some(r) = within(BASE, self.sp, STACK_LIMIT) {
            // Inside one allocation: the newest one starting at or below the address.
            let i = self.allocs.partition_point(|&(start, _)| start > r.start);
            match self.allocs.get(i) {
                Some(&(_, end)) if r.end <= end => Ok(&mut self.bytes[r]),
                _ => Err(TrapCode::HEAP_OUT_OF_BOUNDS),
            }
        } else if let Some(r) = within(STATIC_BASE, 0, self.statics.len()) {
            Ok(&mut self.statics[r])
        } else {
            Err(TrapCode::HEAP_OUT_OF_BOUNDS)
        }
    }

    /// Reads `len` bytes (at most 16) at `addr`, little-endian, as a number.
    ///
    /// # Errors
    /// `heap_oob` outside live memory.
    pub fn read(&mut self, addr: u64, len: usize) -> Result<u128, TrapCode> {
        let mut bytes = [0u8; 16];
        bytes[..len].copy_from_slice(self.bytes_at(addr, len)?);
        Ok(u128::from_le_bytes(bytes))
    }

    /// Writes the low `len` bytes of `value` at `addr`, little-endian.
    ///
    /// # Errors
    /// `heap_oob` outside live memory.
    pub fn write(&mut self, addr: u64, len: usize, value: u128) -> Result<(), TrapCode> {
        self.bytes_at(addr, len)?
            .copy_from_slice(&value.to_le_bytes()[..len]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_and_foreign_addresses_trap() {
        let mut m = Memory::default();
        let sp = m.sp();
        let a = m.push(16, 8).unwrap();
        assert!(a < sp && a % 8 == 0);
        m.write(a + 8, 8, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(m.read(a + 8, 4), Ok(0x5566_7788));
        assert_eq!(m.read(a + 12, 8), Err(TrapCode::HEAP_OUT_OF_BOUNDS));
        assert_eq!(m.read(a - 1, 1), Err(TrapCode::HEAP_OUT_OF_BOUNDS));
        // Two allocations: an access may not span them, nor touch the padding.
        let b = m.push(4, 16).unwrap();
        assert_eq!(m.read(b, 4), Ok(0));
        assert_eq!(m.read(b + 4, 1), Err(TrapCode::HEAP_OUT_OF_BOUNDS));
        assert_eq!(m.read(a - 4, 8), Err(TrapCode::HEAP_OUT_OF_BOUNDS));
        assert_eq!(m.read(0, 1), Err(TrapCode::HEAP_OUT_OF_BOUNDS));
        m.pop_to(sp);
        assert_eq!(m.read(a, 1), Err(TrapCode::HEAP_OUT_OF_BOUNDS));
        assert_eq!(m.push(STACK_LIMIT + 1, 1), Err(TrapCode::STACK_OVERFLOW));
        let s = m.alloc_static(8).unwrap();
        m.write(s, 8, 42).unwrap();
        assert_eq!(m.read(s, 8), Ok(42));
        assert_eq!(m.read(s + 4, 8), Err(TrapCode::HEAP_OUT_OF_BOUNDS));
    }
}
