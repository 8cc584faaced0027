//! Relocations applied in memory, for every ISA's kinds: calls out of direct reach go
//! through a stub placed after the function's code, and GOT references of
//! position-independent code through an 8-byte entry placed there (one per target).
//! Formulas as in the ELF psABIs: x86-64 (§4.4), AArch64 (ELF for the Arm 64-bit
//! Architecture, §5.7), s390x (ELF Application Binary Interface s390x Supplement, §3.4).

use gantry_codegen::machinst::reloc::Reloc;
use gantry_module::{ModuleError, ModuleReloc, ModuleResult};

/// The size of one far-call stub: `jmp *0(%rip)` (x86-64), `ldr x16, #8; br x16`
/// (aarch64) or `lgrl %r1, .+8; br %r1` (s390x), then the 8-byte address.
pub(crate) const STUB: usize = 16;
/// Bytes of a GOT entry (an absolute address).
pub(crate) const GOT_ENTRY: usize = 8;

/// The bytes to reserve after a definition for relocation `kind` (a stub or a GOT
/// entry).
pub(crate) fn room_for(kind: Reloc) -> usize {
    match kind {
        Reloc::X86CallPLTRel4 | Reloc::Arm64Call | Reloc::S390xPLTRel32Dbl => STUB,
        Reloc::X86GOTPCRel4 | Reloc::Aarch64AdrGotPage21 | Reloc::S390xGotEnt => GOT_ENTRY,
        _ => 0,
    }
}

/// One definition's writable memory while its relocations are applied.
pub(crate) struct Patcher<'a> {
    /// The code or data, then the room for stubs and GOT entries.
    pub bytes: &'a mut [u8],
    /// Where the next stub or GOT entry goes (8-byte aligned).
    pub next_stub: &'a mut usize,
    /// The GOT entries made so far: the target address and the entry's offset.
    pub got: &'a mut Vec<(i64, usize)>,
    /// Whether the target stores addresses big-endian (s390x).
    pub big_endian: bool,
}

impl Patcher<'_> {
    /// The address of offset `at`.
    fn addr(&self, at: usize) -> i64 {
        self.bytes.as_ptr() as i64 + at as i64
    }

    /// Writes the 8-byte address `value` at `at` in the target's byte order.
    fn put_u64(&mut self, at: usize, value: i64) {
        let b = if self.big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        self.bytes[at..at + 8].copy_from_slice(&b);
    }

    /// Writes a 4-byte field in the target's byte order.
    fn put_u32(&mut self, at: usize, value: u32) {
        let b = if self.big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        self.bytes[at..at + 4].copy_from_slice(&b);
    }

    /// The little-endian instruction word at `at` (aarch64).
    fn word(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.bytes[at..at + 4].try_into().expect("4 bytes"))
    }

    /// Room for `size` bytes after the code.
    fn reserve(&mut self, size: usize, what: &str) -> ModuleResult<usize> {
        let at = *self.next_stub;
        if at + size > self.bytes.len() {
            return Err(ModuleError::Backend(format!("no room for a {what}")));
        }
        *self.next_stub += size;
        Ok(at)
    }

    /// The offset of the GOT entry holding `address`, made on first use.
    fn got_entry(&mut self, address: i64) -> ModuleResult<usize> {
        if let Some(&(_, at)) = self.got.iter().find(|&&(a, _)| a == address) {
            return Ok(at);
        }
        let at = self.reserve(GOT_ENTRY, "GOT entry")?;
        self.put_u64(at, address);
        self.got.push((address, at));
        Ok(at)
    }

    /// Patches relocation `r` with its target at `address`.
    ///
    /// # Errors
    /// A target out of reach of a relocation without a stub, no room left, or a kind the
    /// JIT does not resolve (TLS: the JIT has no thread-local storage of its own).
    pub fn apply(&mut self, r: &ModuleReloc, address: *const u8) -> ModuleResult<()> {
        let at = r.offset as usize;
        let p = self.addr(at);
        let s = address as i64 + r.addend;
        match r.kind {
            Reloc::Abs8 => self.put_u64(at, s),
            Reloc::X86GOTPCRel4 => {
                let entry = self.got_entry(address as i64)?;
                let rel = self.addr(entry) + r.addend - p;
                self.put_u32(at, rel as u32);
            }
            Reloc::X86PCRel4 => {
                // A RIP-relative data or function address: a stub would change its meaning.
                let rel = i32::try_from(s - p).map_err(|_| {
                    ModuleError::Backend(format!(
                        "{:?} is more than 2 GiB away from the code referring to it \
                         (R_X86_64_PC32); declare it without `colocated`",
                        r.target
                    ))
                })?;
                self.put_u32(at, rel as u32);
            }
            Reloc::X86CallPLTRel4 => {
                let mut rel = s - p;
                if i32::try_from(rel).is_err() {
                    // jmp *0(%rip) (FF 25 00000000) and the address.
                    let stub = self.reserve(STUB, "far-call stub")?;
                    self.bytes[stub..stub + 6].copy_from_slice(&[0xff, 0x25, 0, 0, 0, 0]);
                    self.put_u64(stub + 6, address as i64);
                    rel = self.addr(stub) + (r.addend + 4) - 4 - p;
                }
                self.put_u32(at, rel as u32);
            }
            Reloc::Arm64Call => {
                // BL/B: a 26-bit word offset (±128 MiB), else through a stub after the
                // code (`ldr x16, #8; br x16; .quad address`).
                let mut rel = s - p;
                if !(-(1 << 27)..(1 << 27)).contains(&rel) {
                    let stub = self.reserve(STUB, "far-call stub")?;
                    self.put_u32(stub, 0x5800_0050);
                    self.put_u32(stub + 4, 0xd61f_0200);
                    self.put_u64(stub + 8, s);
                    rel = stub as i64 - at as i64;
                }
                let word = self.word(at) & !0x3ff_ffff | ((rel >> 2) as u32) & 0x3ff_ffff;
                self.put_u32(at, word);
            }
            Reloc::Aarch64AdrGotPage21 => {
                // ADRP: the 4 KiB page of the GOT entry, relative to this page, in immlo
                // (bits 29-30) and immhi (bits 5-23).
                let slot = self.got_entry(address as i64)?;
                let entry = self.addr(slot);
                let pages = ((entry + r.addend) >> 12) - (p >> 12);
                let imm = pages as u32;
                let word = self.word(at) & !(3 << 29 | 0x7_ffff << 5)
                    | (imm & 3) << 29
                    | ((imm >> 2) & 0x7_ffff) << 5;
                self.put_u32(at, word);
            }
            Reloc::Aarch64AdrPrelPgHi21 => {
                // ADRP of the target's own page (a colocated symbol).
                let pages = (s >> 12) - (p >> 12);
                if !(-(1 << 20)..(1 << 20)).contains(&pages) {
                    return Err(ModuleError::Backend(format!(
                        "{:?} is more than 4 GiB away from the code referring to it \
                         (R_AARCH64_ADR_PREL_PG_HI21); declare it without `colocated`",
                        r.target
                    )));
                }
                let imm = pages as u32;
                let word = self.word(at) & !(3 << 29 | 0x7_ffff << 5)
                    | (imm & 3) << 29
                    | ((imm >> 2) & 0x7_ffff) << 5;
                self.put_u32(at, word);
            }
            Reloc::Aarch64AddAbsLo12Nc => {
                let word = self.word(at) & !(0xfff << 10) | ((s & 0xfff) as u32) << 10;
                self.put_u32(at, word);
            }
            Reloc::Aarch64Ld64GotLo12Nc => {
                // LDR (unsigned offset, 8-byte scale): the entry's offset in its page / 8
                // in bits 10-21.
                let slot = self.got_entry(address as i64)?;
                let entry = self.addr(slot) + r.addend;
                let word = self.word(at) & !(0xfff << 10) | (((entry & 0xfff) >> 3) as u32) << 10;
                self.put_u32(at, word);
            }
            Reloc::S390xPLTRel32Dbl | Reloc::S390xPCRel32Dbl => {
                // BRASL/LARL: a halfword offset from the instruction (the field is at
                // offset 2 of it, and the addend says so: A is +2).
                let mut rel = s - p;
                if r.kind == Reloc::S390xPLTRel32Dbl && i32::try_from(rel >> 1).is_err() {
                    // lgrl %r1, .+8 (C4 18, +4 halfwords); br %r1 (07 F1); the address.
                    let stub = self.reserve(STUB, "far-call stub")?;
                    self.bytes[stub..stub + 8]
                        .copy_from_slice(&[0xc4, 0x18, 0, 0, 0, 4, 0x07, 0xf1]);
                    self.put_u64(stub + 8, address as i64);
                    rel = self.addr(stub) + r.addend - p;
                }
                let half = i32::try_from(rel >> 1).map_err(|_| {
                    ModuleError::Backend(format!(
                        "{:?} is more than 4 GiB away from the code referring to it",
                        r.target
                    ))
                })?;
                self.put_u32(at, half as u32);
            }
            Reloc::S390xGotEnt => {
                let slot = self.got_entry(address as i64)?;
                let entry = self.addr(slot);
                let half = i32::try_from((entry + r.addend - p) >> 1)
                    .map_err(|_| ModuleError::Backend("a GOT entry out of reach".into()))?;
                self.put_u32(at, half as u32);
            }
            k => {
                return Err(ModuleError::UnsupportedRelocation(format!(
                    "{k} at offset {} for {:?}",
                    r.offset, r.target
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_module::RelocTarget;

    /// Applies `kind` at offset 0 of `code` (with room for two stubs after 64 bytes) for
    /// a target `distance` bytes from the code; returns the bytes and the code's address.
    fn patched(code: &[u8], kind: Reloc, addend: i64, distance: i64, big: bool) -> (Vec<u8>, i64) {
        let mut bytes = vec![0u8; 64 + 2 * STUB];
        bytes[..code.len()].copy_from_slice(code);
        let base = bytes.as_ptr() as i64;
        let (mut next, mut got) = (64, Vec::new());
        let mut p = Patcher {
            bytes: &mut bytes,
            next_stub: &mut next,
            got: &mut got,
            big_endian: big,
        };
        let r = ModuleReloc {
            offset: 0,
            kind,
            target: RelocTarget::LibCall(gantry_codegen::ir::LibCall::Memcpy),
            addend,
        };
        p.apply(&r, (base + distance) as *const u8).unwrap();
        (bytes, base)
    }

    /// An aarch64 call resolved in place when the target is near, through a stub after
    /// the code when it is not.
    #[test]
    fn aarch64_calls_resolve_near_and_through_stubs() {
        let bl = 0x9400_0000u32.to_le_bytes();
        let (m, _) = patched(&bl, Reloc::Arm64Call, 0, 0x100, false);
        assert_eq!(u32::from_le_bytes(m[..4].try_into().unwrap()), 0x9400_0040);
        let (m, base) = patched(&bl, Reloc::Arm64Call, 0, 1 << 30, false);
        // bl to the stub at 64 (imm26 = 16), which loads the address.
        assert_eq!(u32::from_le_bytes(m[..4].try_into().unwrap()), 0x9400_0010);
        assert_eq!(
            u32::from_le_bytes(m[64..68].try_into().unwrap()),
            0x5800_0050
        );
        assert_eq!(
            u32::from_le_bytes(m[68..72].try_into().unwrap()),
            0xd61f_0200
        );
        let target = u64::from_le_bytes(m[72..80].try_into().unwrap());
        assert_eq!(target as i64, base + (1 << 30));
    }

    /// ADRP and LDR of a GOT entry: the entry holds the address, and the pair computes
    /// the entry's address from the instructions' own.
    #[test]
    fn aarch64_got_references_make_one_entry() {
        // adrp x16, 0; ldr x16, [x16]
        let mut code = Vec::new();
        code.extend_from_slice(&0x9000_0010u32.to_le_bytes());
        code.extend_from_slice(&0xf940_0210u32.to_le_bytes());
        let mut bytes = vec![0u8; 64 + STUB];
        bytes[..8].copy_from_slice(&code);
        let base = bytes.as_ptr() as i64;
        let (mut next, mut got) = (64, Vec::new());
        let mut p = Patcher {
            bytes: &mut bytes,
            next_stub: &mut next,
            got: &mut got,
            big_endian: false,
        };
        let target = RelocTarget::LibCall(gantry_codegen::ir::LibCall::Memcpy);
        let at = |offset, kind| ModuleReloc {
            offset,
            kind,
            target: target.clone(),
            addend: 0,
        };
        let address = 0x1234_5678_9abc_def0u64 as *const u8;
        p.apply(&at(0, Reloc::Aarch64AdrGotPage21), address)
            .unwrap();
        p.apply(&at(4, Reloc::Aarch64Ld64GotLo12Nc), address)
            .unwrap();
        assert_eq!(got.len(), 1, "one entry for both");
        let entry = base + 64;
        assert_eq!(
            u64::from_le_bytes(bytes[64..72].try_into().unwrap()),
            0x1234_5678_9abc_def0
        );
        let adrp = u32::from_le_bytes(bytes[..4].try_into().unwrap());
        let imm = ((adrp >> 5) & 0x7_ffff) << 2 | (adrp >> 29) & 3;
        let page = ((base >> 12) + i64::from((imm << 11) as i32 >> 11)) << 12;
        let ldr = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
        assert_eq!(page + i64::from((ldr >> 10) & 0xfff) * 8, entry);
        assert_eq!(adrp & 0x9f00_001f, 0x9000_0010, "the rest of ADRP is kept");
        assert_eq!(ldr & !(0xfff << 10), 0xf940_0210 & !(0xfff << 10));
    }

    /// ADRP and ADD of a colocated symbol's own address.
    #[test]
    fn aarch64_page_and_low_bits_address_the_target() {
        let mut code = Vec::new();
        code.extend_from_slice(&0x9000_0003u32.to_le_bytes()); // adrp x3, 0
        code.extend_from_slice(&0x9100_0063u32.to_le_bytes()); // add x3, x3, #0
        let mut bytes = vec![0u8; 64];
        bytes[..8].copy_from_slice(&code);
        let base = bytes.as_ptr() as i64;
        let (mut next, mut got) = (64, Vec::new());
        let mut p = Patcher {
            bytes: &mut bytes,
            next_stub: &mut next,
            got: &mut got,
            big_endian: false,
        };
        let target = base + 0x12_3456;
        let at = |offset, kind| ModuleReloc {
            offset,
            kind,
            target: RelocTarget::LibCall(gantry_codegen::ir::LibCall::Memcpy),
            addend: 8,
        };
        let address = target as *const u8;
        p.apply(&at(0, Reloc::Aarch64AdrPrelPgHi21), address)
            .unwrap();
        p.apply(&at(4, Reloc::Aarch64AddAbsLo12Nc), address)
            .unwrap();
        let adrp = u32::from_le_bytes(bytes[..4].try_into().unwrap());
        let imm = ((adrp >> 5) & 0x7_ffff) << 2 | (adrp >> 29) & 3;
        let page = ((base >> 12) + i64::from((imm << 11) as i32 >> 11)) << 12;
        let add = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
        assert_eq!(page + i64::from((add >> 10) & 0xfff), target + 8);
    }

    /// s390x BRASL and LARL: big-endian halfword offsets from the instruction; a far call
    /// through a stub; a GOT entry for LGRL.
    #[test]
    fn s390x_pc_relative_fields_are_big_endian_halfwords() {
        // The field is at offset 2 of the instruction: the addend is +2.
        let (m, _) = patched(&[0; 4], Reloc::S390xPCRel32Dbl, 2, 0x1000, true);
        assert_eq!(
            i32::from_be_bytes(m[..4].try_into().unwrap()),
            (0x1000 + 2) >> 1
        );
        let (m, base) = patched(&[0; 4], Reloc::S390xPLTRel32Dbl, 2, 1 << 40, true);
        let rel = i32::from_be_bytes(m[..4].try_into().unwrap());
        assert_eq!(i64::from(rel) * 2, 64 + 2, "to the stub at 64");
        assert_eq!(&m[64..72], &[0xc4, 0x18, 0, 0, 0, 4, 0x07, 0xf1]);
        assert_eq!(
            i64::from_be_bytes(m[72..80].try_into().unwrap()),
            base + (1 << 40)
        );
        let (m, base) = patched(&[0; 4], Reloc::S390xGotEnt, 2, 0x40, true);
        let rel = i32::from_be_bytes(m[..4].try_into().unwrap());
        assert_eq!(i64::from(rel) * 2, 64 + 2, "to the entry at 64");
        assert_eq!(
            i64::from_be_bytes(m[64..72].try_into().unwrap()),
            base + 0x40
        );
    }
}
