//! The machine-code buffer: bytes, labels and the fixups that refer to them, veneers
//! and constant islands for short-range references, relocations, trap sites, call sites
//! and source-location ranges.
//!
//! Code is emitted front to back. A reference to a label records a fixup; it is patched
//! when the label is bound (or at `finish`). A reference kind with a short range (e.g. a
//! conditional branch on AArch64) has a deadline: before the code grows past it, the
//! emitter asks [`MachBuffer::island_needed`] and calls [`MachBuffer::emit_island`],
//! which places veneers (longer-range jumps) for still-unbound labels and the pending
//! constants.
//!
//! Branch simplification (fallthrough removal, inversion, jump threading) is done on the
//! block order before emission, where the layout is known. The buffer resolves labels
//! and, at `finish`, shortens the branches that have a short form
//! ([`MachBuffer::add_short_form`]) and reach their targets with it, moving the code
//! after them up (data such as jump tables keeps its bytes, not its alignment).

use crate::ir::{ExternalName, RelSourceLoc, TrapCode};
use crate::machinst::reloc::Reloc;
use alloc::vec::Vec;
use core::fmt;

/// A position in the code, bound once.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct MachLabel(u32);

impl MachLabel {
    /// The label's number.
    pub fn index(self) -> u32 {
        self.0
    }
}

impl fmt::Display for MachLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "label{}", self.0)
    }
}

/// A kind of reference to a label inside an instruction: how far it reaches and how to
/// patch it. Each ISA defines its kinds.
pub trait LabelUse: Copy + fmt::Debug {
    /// The largest forward distance in bytes, from the use's offset to the label.
    fn max_pos_range(self) -> u32;
    /// The largest backward distance in bytes.
    fn max_neg_range(self) -> u32;
    /// The bytes the patched field covers, from the use's offset.
    fn patch_size(self) -> u32;
    /// Writes the reference to `label_offset` into `bytes`, the `patch_size` bytes at
    /// `use_offset`.
    fn patch(self, bytes: &mut [u8], use_offset: u32, label_offset: u32);
    /// Whether a veneer can extend this reference when the label is out of reach.
    fn supports_veneer(self) -> bool;
    /// The size in bytes of a veneer.
    fn veneer_size(self) -> u32;
    /// Writes a veneer into `bytes` (`veneer_size` bytes at `veneer_offset`) and patches
    /// nothing; returns where in it the onward reference is and its kind.
    fn generate_veneer(self, bytes: &mut [u8], veneer_offset: u32) -> (u32, Self);
    /// The byte alignment veneers and constants in islands need.
    fn align() -> u32 {
        1
    }
    /// Whether the ISA's branches may have short forms
    /// ([`MachBuffer::add_short_form`]): then the buffer keeps what patching references
    /// again after shortening needs.
    const SHORT_FORMS: bool = false;
}

/// What a relocation refers to.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum RelocTarget {
    /// An external function or symbol.
    ExternalName(ExternalName),
}

/// A relocation the linker or JIT applies: `kind` at `offset`, to `target` plus `addend`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MachReloc {
    /// The offset of the patched field.
    pub offset: u32,
    /// What the relocation computes.
    pub kind: Reloc,
    /// What it refers to.
    pub target: RelocTarget,
    /// Added to the target's address.
    pub addend: i64,
}

/// An instruction that may trap: its offset and the trap code reported.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MachTrap {
    /// The offset of the faulting instruction.
    pub offset: u32,
    /// Why it traps.
    pub code: TrapCode,
}

/// A call: the return address (offset after the call instruction) and, for a
/// `try_call`, its exception handlers.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MachCallSite {
    /// The offset of the return address.
    pub ret_addr: u32,
    /// Where exceptions thrown by the callee resume, in exception-table order (empty
    /// for plain calls).
    pub handlers: Vec<MachExceptionHandler>,
    /// The values the frontend keeps in stack slots across the call for a garbage
    /// collector (the call's user stack map), where they are during the call.
    pub stack_map: Vec<MachStackMapEntry>,
}

/// One value of a call site's user stack map.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MachStackMapEntry {
    /// Its type.
    pub ty: crate::ir::Type,
    /// Its address, in bytes above the stack pointer at the call (before the call pushes
    /// anything).
    pub sp_offset: u32,
}

/// One exception handler of a call site. An unwinder delivering an exception resumes at
/// `offset` with the frame of the calling function restored (its stack and frame
/// pointers as during the call) and the payload in the ISA's payload registers; every
/// other register is considered clobbered.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MachExceptionHandler {
    /// The exception tag it catches; `None` for the default handler (any tag).
    pub tag: Option<u32>,
    /// The offset of the handler's code.
    pub offset: u32,
}

/// A range of code that comes from one source location.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MachSrcLoc {
    /// The first byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// The location, relative to the function's base.
    pub loc: RelSourceLoc,
}

/// Why a buffer could not be finished.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum BufferError {
    /// A label was used but never bound.
    UnboundLabel(MachLabel),
    /// A reference cannot reach its label and no veneer can extend it.
    OutOfRange {
        /// The offset of the reference.
        offset: u32,
        /// The label.
        label: MachLabel,
    },
    /// The code is larger than the 4 GiB offsets can address.
    CodeTooLarge,
}

impl fmt::Display for BufferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BufferError::UnboundLabel(l) => write!(f, "{l} is used but never bound"),
            BufferError::OutOfRange { offset, label } => {
                write!(
                    f,
                    "the reference at offset {offset:#x} cannot reach {label}"
                )
            }
            BufferError::CodeTooLarge => write!(f, "the code is too large"),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Fixup<L: LabelUse> {
    label: MachLabel,
    offset: u32,
    kind: L,
}

impl<L: LabelUse> Fixup<L> {
    /// The last offset at which the label may still be bound for this fixup to reach it.
    fn deadline(&self) -> u32 {
        self.offset.saturating_add(self.kind.max_pos_range())
    }
}

const UNBOUND: u32 = u32::MAX;

/// A branch that also has a two-byte form `opcode rel8` (x86's `EB` and `70+cc`), for
/// [`MachBuffer::add_short_form`].
#[derive(Clone, Copy, Debug)]
struct ShortForm {
    /// The offset of the branch instruction.
    start: u32,
    /// The offset of its 32-bit displacement, the instruction's last four bytes.
    field: u32,
    /// Its target.
    label: MachLabel,
    /// The short form's opcode.
    opcode: u8,
}

/// A `try_call`'s handlers before their labels are placed: (tag, handler label).
type HandlerLabels = Vec<(Option<u32>, MachLabel)>;

/// Machine code being emitted. `L` is the ISA's kind of label reference.
#[derive(Clone, Debug)]
pub struct MachBuffer<L: LabelUse> {
    data: Vec<u8>,
    label_offsets: Vec<u32>,
    fixups: Vec<Fixup<L>>,
    /// Constants waiting for the next island: (label, bytes, alignment).
    pending_constants: Vec<(MachLabel, Vec<u8>, u32)>,
    relocs: Vec<MachReloc>,
    traps: Vec<MachTrap>,
    call_sites: Vec<MachCallSite>,
    /// Handler labels of call sites (by index), resolved by `finish`.
    pending_handlers: Vec<(usize, HandlerLabels)>,
    srclocs: Vec<MachSrcLoc>,
    open_srcloc: Option<(u32, RelSourceLoc)>,
    unwind: Vec<(u32, crate::machinst::unwind::UnwindOp)>,
    /// Data inside the code (literals, jump tables, islands' constants), as byte ranges.
    data_ranges: Vec<(u32, u32)>,
    short_forms: Vec<ShortForm>,
    /// The references patched so far, with their fields' bytes before patching (at most
    /// eight), so they can be patched again when branch shortening moves code.
    patched: Vec<(Fixup<L>, u64)>,
}

/// The finished code and its metadata.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MachBufferFinalized {
    /// The code and constants.
    pub data: Vec<u8>,
    /// Where the constants placed after the code begin, in bytes (the length of `data`
    /// when there are none).
    pub code_len: u32,
    /// Relocations, by offset.
    pub relocs: Vec<MachReloc>,
    /// Trap sites, by offset.
    pub traps: Vec<MachTrap>,
    /// Call sites, by offset.
    pub call_sites: Vec<MachCallSite>,
    /// Source-location ranges, by start.
    pub srclocs: Vec<MachSrcLoc>,
    /// Data inside the code before `code_len` (inline literals, jump tables, islands'
    /// constants): `(start, end)` byte ranges in code order, for disassemblers.
    pub data_ranges: Vec<(u32, u32)>,
}

impl<L: LabelUse> Default for MachBuffer<L> {
    fn default() -> Self {
        MachBuffer::new()
    }
}

impl<L: LabelUse> MachBuffer<L> {
    /// An empty buffer.
    pub fn new() -> MachBuffer<L> {
        MachBuffer {
            data: Vec::new(),
            label_offsets: Vec::new(),
            fixups: Vec::new(),
            pending_constants: Vec::new(),
            relocs: Vec::new(),
            traps: Vec::new(),
            call_sites: Vec::new(),
            pending_handlers: Vec::new(),
            srclocs: Vec::new(),
            open_srcloc: None,
            unwind: Vec::new(),
            data_ranges: Vec::new(),
            short_forms: Vec::new(),
            patched: Vec::new(),
        }
    }

    /// The offset the next byte goes to.
    pub fn cur_offset(&self) -> u32 {
        self.data.len() as u32
    }

    /// Appends bytes.
    pub fn put_data(&mut self, bytes: &[u8]) {
        self.data.extend_from_slice(bytes);
    }

    /// Appends one byte.
    pub fn put1(&mut self, b: u8) {
        self.data.push(b);
    }

    /// Appends a 32-bit value in the given byte order.
    pub fn put4(&mut self, v: u32, big_endian: bool) {
        let bytes = if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.data.extend_from_slice(&bytes);
    }

    /// Appends zero bytes until the offset is a multiple of `align` (a power of two).
    pub fn align_to(&mut self, align: u32) {
        debug_assert!(align.is_power_of_two());
        while self.cur_offset() % align != 0 {
            self.data.push(0);
        }
    }

    /// A new, unbound label.
    pub fn get_label(&mut self) -> MachLabel {
        let l = MachLabel(self.label_offsets.len() as u32);
        self.label_offsets.push(UNBOUND);
        l
    }

    /// The offset `label` is bound to, if it is.
    pub fn label_offset(&self, label: MachLabel) -> Option<u32> {
        self.label_offsets
            .get(label.0 as usize)
            .copied()
            .filter(|&o| o != UNBOUND)
    }

    /// Binds `label` to the current offset, and patches the references to it that can
    /// reach it.
    ///
    /// # Panics
    /// If the label is already bound.
    pub fn bind_label(&mut self, label: MachLabel) {
        let slot = &mut self.label_offsets[label.0 as usize];
        assert_eq!(*slot, UNBOUND, "{label} is bound twice");
        *slot = self.data.len() as u32;
        // Patch what can be patched now; the rest waits for `finish`.
        let offset = *slot;
        let mut keep = Vec::with_capacity(self.fixups.len());
        for f in core::mem::take(&mut self.fixups) {
            if f.label == label && Self::in_range(f, offset) {
                self.patch(f, offset);
            } else {
                keep.push(f);
            }
        }
        self.fixups = keep;
    }

    fn in_range(f: Fixup<L>, target: u32) -> bool {
        if target >= f.offset {
            target - f.offset <= f.kind.max_pos_range()
        } else {
            f.offset - target <= f.kind.max_neg_range()
        }
    }

    fn patch(&mut self, f: Fixup<L>, target: u32) {
        let start = f.offset as usize;
        let end = start + f.kind.patch_size() as usize;
        if L::SHORT_FORMS {
            let mut orig = [0u8; 8];
            let n = (end - start).min(8);
            orig[..n].copy_from_slice(&self.data[start..start + n]);
            self.patched.push((f, u64::from_le_bytes(orig)));
        }
        f.kind.patch(&mut self.data[start..end], f.offset, target);
    }

    /// Records that the branch emitted at `start`, whose last four bytes are a 32-bit
    /// displacement referring to a label (already recorded with
    /// [`MachBuffer::use_label_at_offset`]), also has the two-byte form `opcode rel8`.
    /// `finish` uses it when the label is within the short form's reach. Only for label
    /// uses with [`LabelUse::SHORT_FORMS`].
    pub fn add_short_form(&mut self, start: u32, opcode: u8) {
        debug_assert!(L::SHORT_FORMS, "short forms need LabelUse::SHORT_FORMS");
        let field = self.cur_offset() - 4;
        // The reference was just recorded: pending, or patched at once.
        let label = [self.fixups.last(), self.patched.last().map(|(f, _)| f)]
            .into_iter()
            .flatten()
            .find(|f| f.offset == field)
            .map(|f| f.label);
        if let Some(label) = label {
            self.short_forms.push(ShortForm {
                start,
                field,
                label,
                opcode,
            });
        }
    }

    /// Branch shortening: every branch with a short form whose target lies within
    /// -128..=127 bytes of the long form's end takes the short form, and the code after
    /// it moves up. Moving code only brings other branches' ends closer to their targets
    /// (padding bytes move with the code), so every short displacement still fits.
    /// Everything recorded by offset moves along, and patched references are patched
    /// again.
    fn shorten_branches(&mut self) {
        let forms = core::mem::take(&mut self.short_forms);
        let relaxed: Vec<ShortForm> = forms
            .into_iter()
            .filter(|sf| {
                self.label_offset(sf.label).is_some_and(|t| {
                    let disp = i64::from(t) - i64::from(sf.field + 4);
                    (-128..=127).contains(&disp)
                })
            })
            .collect();
        if relaxed.is_empty() {
            return;
        }
        // Deleted ranges, in code order: each branch's bytes after its first two.
        let deleted: Vec<(u32, u32)> = relaxed
            .iter()
            .map(|sf| (sf.start + 2, sf.field + 4))
            .collect();
        let mut removed_before = Vec::with_capacity(deleted.len());
        let mut total = 0;
        for &(from, to) in &deleted {
            total += to - from;
            removed_before.push(total);
        }
        let map = |o: u32| -> u32 {
            // The ranges that end at or before `o` are gone from before it.
            let k = deleted.partition_point(|&(_, to)| to <= o);
            if k == 0 { o } else { o - removed_before[k - 1] }
        };
        let mut data = Vec::with_capacity(self.data.len() - total as usize);
        let mut at = 0usize;
        for &(from, to) in &deleted {
            data.extend_from_slice(&self.data[at..from as usize]);
            at = to as usize;
        }
        data.extend_from_slice(&self.data[at..]);
        self.data = data;
        for o in self.label_offsets.iter_mut().filter(|o| **o != UNBOUND) {
            *o = map(*o);
        }
        for sf in &relaxed {
            let start = map(sf.start);
            let target = self.label_offsets[sf.label.0 as usize];
            let disp = i64::from(target) - i64::from(start + 2);
            let rel = i8::try_from(disp).expect("shortening only brings targets closer");
            self.data[start as usize] = sf.opcode;
            self.data[start as usize + 1] = rel as u8;
        }
        // (Short forms are recorded in code order.)
        let gone = |offset: u32| relaxed.binary_search_by_key(&offset, |sf| sf.field).is_ok();
        self.fixups = core::mem::take(&mut self.fixups)
            .into_iter()
            .filter(|f| !gone(f.offset))
            .map(|f| Fixup {
                offset: map(f.offset),
                ..f
            })
            .collect();
        for (f, orig) in core::mem::take(&mut self.patched) {
            if gone(f.offset) {
                continue;
            }
            let moved = Fixup {
                offset: map(f.offset),
                ..f
            };
            let size = moved.kind.patch_size().min(8) as usize;
            let at = moved.offset as usize;
            self.data[at..at + size].copy_from_slice(&orig.to_le_bytes()[..size]);
            let target = self.label_offsets[moved.label.0 as usize];
            self.patch(moved, target);
        }
        for r in &mut self.relocs {
            r.offset = map(r.offset);
        }
        for t in &mut self.traps {
            t.offset = map(t.offset);
        }
        for c in &mut self.call_sites {
            c.ret_addr = map(c.ret_addr);
        }
        for l in &mut self.srclocs {
            l.start = map(l.start);
            l.end = map(l.end);
        }
        for (o, _) in &mut self.unwind {
            *o = map(*o);
        }
        for (start, end) in &mut self.data_ranges {
            (*start, *end) = (map(*start), map(*end));
        }
    }

    /// Records that the field at `offset` (already emitted, `kind.patch_size()` bytes)
    /// refers to `label`. A bound label in range is patched at once.
    pub fn use_label_at_offset(&mut self, offset: u32, label: MachLabel, kind: L) {
        let f = Fixup {
            label,
            offset,
            kind,
        };
        match self.label_offset(label) {
            Some(target) if Self::in_range(f, target) => self.patch(f, target),
            _ => self.fixups.push(f),
        }
    }

    /// A label for the constant `bytes` (aligned to `align`), placed in the next island.
    /// The same bytes and alignment registered twice share one copy.
    pub fn register_constant(&mut self, bytes: &[u8], align: u32) -> MachLabel {
        if let Some((l, _, _)) = self
            .pending_constants
            .iter()
            .find(|(_, b, a)| b == bytes && *a == align)
        {
            return *l;
        }
        let l = self.get_label();
        self.pending_constants.push((l, bytes.to_vec(), align));
        l
    }

    /// The bytes an island emitted now would take at most: a veneer for every
    /// extendable reference, plus the constants, with alignment padding.
    fn island_size(&self) -> u32 {
        let veneers: u32 = self
            .fixups
            .iter()
            .filter(|f| f.kind.supports_veneer())
            .map(|f| f.kind.veneer_size() + L::align())
            .sum();
        let constants: u32 = self
            .pending_constants
            .iter()
            .map(|(_, b, a)| b.len() as u32 + a)
            .sum();
        veneers + constants
    }

    /// Whether an island must be emitted before `distance` more bytes of code, for the
    /// pending short-range references to stay in reach.
    pub fn island_needed(&self, distance: u32) -> bool {
        let horizon = self
            .cur_offset()
            .saturating_add(distance)
            .saturating_add(self.island_size());
        self.fixups.iter().any(|f| {
            if f.kind.supports_veneer() {
                self.needs_veneer(f, horizon)
            } else {
                // A reference without a veneer (a literal load) reaches a pending
                // constant only if the island places it in time.
                self.label_offset(f.label).is_none()
                    && f.deadline() < horizon
                    && self.pending_constants.iter().any(|(l, _, _)| *l == f.label)
            }
        })
    }

    /// Whether `f` must go through a veneer if its label is not reachable by `horizon`:
    /// its label is bound out of range behind, or unbound with a deadline before it.
    fn needs_veneer(&self, f: &Fixup<L>, horizon: u32) -> bool {
        match self.label_offset(f.label) {
            Some(target) => !Self::in_range(*f, target),
            None => f.deadline() < horizon,
        }
    }

    /// Emits an island here: the pending constants, and veneers for the references that
    /// could not reach their labels if the next island is `distance` bytes away. The
    /// caller makes sure execution does not fall into it (a jump around it).
    pub fn emit_island(&mut self, distance: u32) {
        let horizon = self
            .cur_offset()
            .saturating_add(distance)
            .saturating_add(self.island_size());
        let constants = core::mem::take(&mut self.pending_constants);
        let start = self.cur_offset();
        for (label, bytes, align) in constants {
            self.align_to(align);
            self.bind_label(label);
            self.put_data(&bytes);
        }
        self.mark_data(start);
        let fixups = core::mem::take(&mut self.fixups);
        for f in fixups {
            match self.label_offset(f.label) {
                Some(target) if Self::in_range(f, target) => self.patch(f, target),
                // A reference that would fall out of reach: send it to a veneer, whose
                // own, longer reference is resolved like any other.
                // (An island placed too late for the reference to reach its veneer
                // leaves it to `finish`, which reports it out of range.)
                _ if f.kind.supports_veneer()
                    && self.needs_veneer(&f, horizon)
                    && Self::in_range(f, self.cur_offset().next_multiple_of(L::align())) =>
                {
                    self.align_to(L::align());
                    let at = self.cur_offset();
                    self.data
                        .resize(self.data.len() + f.kind.veneer_size() as usize, 0);
                    let end = self.data.len();
                    let (use_offset, kind) =
                        f.kind.generate_veneer(&mut self.data[at as usize..end], at);
                    self.patch(f, at);
                    self.use_label_at_offset(use_offset, f.label, kind);
                }
                _ => self.fixups.push(f),
            }
        }
    }

    /// Records that the bytes from `start` to the current offset are data, not
    /// instructions (a literal, a jump table); nothing for an empty range.
    pub fn mark_data(&mut self, start: u32) {
        let end = self.cur_offset();
        match self.data_ranges.last_mut() {
            _ if end <= start => {}
            Some((_, last_end)) if *last_end == start => *last_end = end,
            _ => self.data_ranges.push((start, end)),
        }
    }

    /// Appends `bytes` of data inside the code (a literal the code reads or branches
    /// over), marked for disassemblers.
    pub fn put_inline_data(&mut self, bytes: &[u8]) {
        let start = self.cur_offset();
        self.put_data(bytes);
        self.mark_data(start);
    }

    /// Records a relocation at the current offset.
    pub fn add_reloc(&mut self, kind: Reloc, target: RelocTarget, addend: i64) {
        let offset = self.cur_offset();
        self.relocs.push(MachReloc {
            offset,
            kind,
            target,
            addend,
        });
    }

    /// Records a relocation at `offset`.
    pub fn add_reloc_at_offset(
        &mut self,
        offset: u32,
        kind: Reloc,
        target: RelocTarget,
        addend: i64,
    ) {
        self.relocs.push(MachReloc {
            offset,
            kind,
            target,
            addend,
        });
    }

    /// Records that the unwind rules change by `op` at the current offset (an unwind
    /// pseudo-instruction of the prologue).
    pub fn add_unwind(&mut self, op: crate::machinst::unwind::UnwindOp) {
        let offset = self.cur_offset();
        self.unwind.push((offset, op));
    }

    /// The unwind rule changes recorded so far, in code order; the buffer keeps none.
    pub fn take_unwind(&mut self) -> Vec<(u32, crate::machinst::unwind::UnwindOp)> {
        core::mem::take(&mut self.unwind)
    }

    /// Records that the instruction at the current offset may trap with `code`.
    pub fn add_trap(&mut self, code: TrapCode) {
        let offset = self.cur_offset();
        self.traps.push(MachTrap { offset, code });
    }

    /// Records a call whose return address is the current offset.
    pub fn add_call_site(&mut self) {
        let ret_addr = self.cur_offset();
        self.call_sites.push(MachCallSite {
            ret_addr,
            handlers: Vec::new(),
            stack_map: Vec::new(),
        });
    }

    /// Gives the call site recorded last its user stack map: `map` holds each value's
    /// type and offset in bytes in the stack-slot area, which starts `slot_base` bytes
    /// above the stack pointer at the call.
    pub fn set_stack_map(&mut self, map: &[(crate::ir::Type, u32)], slot_base: u32) {
        if map.is_empty() {
            return;
        }
        if let Some(site) = self.call_sites.last_mut() {
            site.stack_map = map
                .iter()
                .map(|&(ty, off)| MachStackMapEntry {
                    ty,
                    sp_offset: slot_base + off,
                })
                .collect();
        }
    }

    /// Records a `try_call` whose return address is the current offset, with its
    /// exception handlers: (tag, or `None` for the default handler; handler label).
    pub fn add_try_call_site(&mut self, handlers: Vec<(Option<u32>, MachLabel)>) {
        self.add_call_site();
        self.pending_handlers
            .push((self.call_sites.len() - 1, handlers));
    }

    /// Starts a range of code from source location `loc` (ending any open one).
    pub fn start_srcloc(&mut self, loc: RelSourceLoc) {
        self.end_srcloc();
        self.open_srcloc = Some((self.cur_offset(), loc));
    }

    /// Ends the open source-location range, if any; empty ranges are dropped.
    pub fn end_srcloc(&mut self) {
        if let Some((start, loc)) = self.open_srcloc.take() {
            let end = self.cur_offset();
            if end > start {
                self.srclocs.push(MachSrcLoc { start, end, loc });
            }
        }
    }

    /// Emits the pending constants, resolves every reference, and returns the code.
    ///
    /// # Errors
    /// A label used but never bound, or a reference that cannot reach its label.
    pub fn finish(mut self) -> Result<MachBufferFinalized, BufferError> {
        self.end_srcloc();
        if !self.short_forms.is_empty() {
            self.shorten_branches();
        }
        let code_len = self.cur_offset();
        if !self.pending_constants.is_empty() || !self.fixups.is_empty() {
            self.emit_island(u32::MAX);
        }
        // What follows the code is data anyway.
        self.data_ranges.retain(|&(start, _)| start < code_len);
        for f in core::mem::take(&mut self.fixups) {
            let Some(target) = self.label_offset(f.label) else {
                return Err(BufferError::UnboundLabel(f.label));
            };
            if !Self::in_range(f, target) {
                return Err(BufferError::OutOfRange {
                    offset: f.offset,
                    label: f.label,
                });
            }
            self.patch(f, target);
        }
        for (site, handlers) in core::mem::take(&mut self.pending_handlers) {
            for (tag, label) in handlers {
                let offset = self
                    .label_offset(label)
                    .ok_or(BufferError::UnboundLabel(label))?;
                self.call_sites[site]
                    .handlers
                    .push(MachExceptionHandler { tag, offset });
            }
        }
        if self.data.len() > u32::MAX as usize {
            return Err(BufferError::CodeTooLarge);
        }
        Ok(MachBufferFinalized {
            data: self.data,
            code_len,
            relocs: self.relocs,
            traps: self.traps,
            call_sites: self.call_sites,
            srclocs: self.srclocs,
            data_ranges: self.data_ranges,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{RelSourceLoc, TrapCode};

    /// A toy ISA: `Rel8` fields reach ±127 bytes from their end and can be extended by a
    /// 5-byte `jmp rel32` veneer; `Rel32` fields reach anywhere.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Use {
        Rel8,
        Rel32,
    }

    impl LabelUse for Use {
        fn max_pos_range(self) -> u32 {
            match self {
                Use::Rel8 => 128,
                Use::Rel32 => i32::MAX as u32,
            }
        }
        fn max_neg_range(self) -> u32 {
            match self {
                Use::Rel8 => 127,
                Use::Rel32 => i32::MAX as u32,
            }
        }
        fn patch_size(self) -> u32 {
            match self {
                Use::Rel8 => 1,
                Use::Rel32 => 4,
            }
        }
        fn patch(self, bytes: &mut [u8], use_offset: u32, label_offset: u32) {
            let rel = label_offset as i64 - (use_offset as i64 + self.patch_size() as i64);
            match self {
                Use::Rel8 => bytes[0] = i8::try_from(rel).expect("in range") as u8,
                Use::Rel32 => bytes.copy_from_slice(&(rel as i32).to_le_bytes()),
            }
        }
        fn supports_veneer(self) -> bool {
            self == Use::Rel8
        }
        fn veneer_size(self) -> u32 {
            5
        }
        fn generate_veneer(self, bytes: &mut [u8], veneer_offset: u32) -> (u32, Use) {
            bytes[0] = 0xe9;
            (veneer_offset + 1, Use::Rel32)
        }
        const SHORT_FORMS: bool = true;
    }

    /// Where the field at `offset` points directly.
    fn target(data: &[u8], offset: u32, kind: Use) -> u32 {
        match kind {
            Use::Rel8 => (offset as i64 + 1 + data[offset as usize] as i8 as i64) as u32,
            Use::Rel32 => {
                let b = &data[offset as usize..offset as usize + 4];
                (offset as i64 + 4 + i32::from_le_bytes(b.try_into().unwrap()) as i64) as u32
            }
        }
    }

    /// Whether the reference at `offset` reaches `expected`, directly or through a veneer.
    fn reaches(data: &[u8], offset: u32, kind: Use, expected: u32) -> bool {
        let t = target(data, offset, kind);
        t == expected
            || (kind == Use::Rel8
                && data[t as usize] == 0xe9
                && target(data, t + 1, Use::Rel32) == expected)
    }

    /// Emits `E9 rel32` to `label` with its short form `EB rel8`.
    fn long_jump(buf: &mut MachBuffer<Use>, label: MachLabel) {
        let start = buf.cur_offset();
        buf.put1(0xe9);
        let at = buf.cur_offset();
        buf.put_data(&[0; 4]);
        buf.use_label_at_offset(at, label, Use::Rel32);
        buf.add_short_form(start, 0xeb);
    }

    /// Data inside the code is recorded as ranges (adjacent pieces merged, islands'
    /// constants included), and they move with the code when branches shrink.
    #[test]
    fn data_ranges_follow_the_code() {
        let mut buf = MachBuffer::<Use>::new();
        let after = buf.get_label();
        long_jump(&mut buf, after); // 0: shortened to 2 bytes
        buf.put_inline_data(&[1; 4]); // 5
        buf.put_inline_data(&[2; 4]); // 9: merged with the one before
        buf.put1(0x90); // 13
        let start = buf.cur_offset();
        buf.mark_data(start); // empty: nothing recorded
        buf.register_constant(&[7; 8], 8); // in the final island, after the code
        buf.put1(0x90); // 14
        buf.bind_label(after); // 15
        buf.put1(0xc3);
        let out = buf.finish().unwrap();
        assert_eq!(out.data_ranges, alloc::vec![(2, 10)]);
        assert_eq!(out.code_len, 13);
    }

    /// Branch shortening: near jumps (forward and backward) take the two-byte form, a far
    /// one keeps the long form and still reaches its label, and what is recorded by
    /// offset (traps, relocations, call sites, source ranges, labels of other
    /// references) moves with the code.
    #[test]
    fn near_branches_take_their_short_form() {
        let mut buf = MachBuffer::<Use>::new();
        let (top, near, far) = (buf.get_label(), buf.get_label(), buf.get_label());
        buf.bind_label(top);
        buf.put_data(&[0x90; 3]);
        long_jump(&mut buf, near); // 3: near, forward
        long_jump(&mut buf, far); // 8: far, forward
        buf.start_srcloc(RelSourceLoc::from_base_offset(
            crate::ir::SourceLoc::new(0),
            crate::ir::SourceLoc::new(7),
        ));
        buf.add_trap(TrapCode::user(1).unwrap());
        buf.put_data(&[0xcc; 2]); // 13: a trap site
        buf.end_srcloc();
        buf.bind_label(near); // 15
        long_jump(&mut buf, top); // 15: near, backward
        let lea = buf.cur_offset(); // 20: a 32-bit reference to `far`, not a branch
        buf.put_data(&[0; 4]);
        buf.use_label_at_offset(lea, far, Use::Rel32);
        buf.add_reloc(
            Reloc::Abs8,
            RelocTarget::ExternalName(ExternalName::LibCall(crate::ir::LibCall::CeilF32)),
            0,
        );
        buf.put_data(&[0; 8]); // 24: relocated
        buf.add_call_site(); // 32
        buf.put_data(&[0x90; 200]);
        buf.bind_label(far); // 232
        buf.put1(0xc3);
        let out = buf.finish().unwrap();
        // Two jumps shortened, three bytes each (the far one stays long).
        assert_eq!(out.data.len(), 233 - 6);
        let d = &out.data;
        // 3: `jmp 15` became `jmp 12`, from the short form's end at 5.
        assert_eq!(d[3..5], [0xeb, 7]);
        assert_eq!(d[5], 0xe9, "the far jump keeps its long form");
        assert_eq!(target(d, 6, Use::Rel32), 232 - 6);
        assert_eq!(out.traps[0].offset, 10);
        assert_eq!((out.srclocs[0].start, out.srclocs[0].end), (10, 12));
        // The backward jump, now at 12, to offset 0.
        assert_eq!(d[12..14], [0xeb, (-14i8) as u8]);
        assert_eq!(
            target(d, 14, Use::Rel32),
            232 - 6,
            "other references are repatched"
        );
        assert_eq!(out.relocs[0].offset, 18);
        assert_eq!(out.call_sites[0].ret_addr, 26);
        assert_eq!(d[232 - 6], 0xc3);
    }

    #[test]
    fn forward_and_backward_references() {
        let mut buf = MachBuffer::<Use>::new();
        let back = buf.get_label();
        let fwd = buf.get_label();
        buf.bind_label(back);
        buf.put_data(&[0x90; 10]);
        let u1 = buf.cur_offset();
        buf.put_data(&[0; 4]);
        buf.use_label_at_offset(u1, back, Use::Rel32);
        let u2 = buf.cur_offset();
        buf.put_data(&[0; 1]);
        buf.use_label_at_offset(u2, fwd, Use::Rel8);
        buf.put_data(&[0x90; 20]);
        buf.bind_label(fwd);
        let bound = buf.cur_offset();
        let out = buf.finish().unwrap();
        assert_eq!(target(&out.data, u1, Use::Rel32), 0);
        assert_eq!(target(&out.data, u2, Use::Rel8), bound);
    }

    #[test]
    fn far_short_reference_goes_through_a_veneer() {
        let mut buf = MachBuffer::<Use>::new();
        let far = buf.get_label();
        buf.put_data(&[0]);
        buf.use_label_at_offset(0, far, Use::Rel8);
        // Emit code until an island is needed, then the island, then more code.
        let mut emitted_island = false;
        for _ in 0..300 {
            if buf.island_needed(4) {
                buf.emit_island(4);
                emitted_island = true;
            }
            buf.put_data(&[0x90; 4]);
        }
        assert!(emitted_island);
        buf.bind_label(far);
        let bound = buf.cur_offset();
        let out = buf.finish().unwrap();
        assert_ne!(
            target(&out.data, 0, Use::Rel8),
            bound,
            "too far for a direct reference"
        );
        assert!(reaches(&out.data, 0, Use::Rel8, bound));
    }

    #[test]
    fn unbound_and_unreachable_labels_are_errors() {
        let mut buf = MachBuffer::<Use>::new();
        let l = buf.get_label();
        buf.put_data(&[0; 4]);
        buf.use_label_at_offset(0, l, Use::Rel32);
        assert_eq!(buf.finish().unwrap_err(), BufferError::UnboundLabel(l));
        // An island that comes too late to hold a veneer the reference reaches: an
        // error from `finish`, not a panic.
        let mut buf = MachBuffer::<Use>::new();
        let far = buf.get_label();
        buf.put_data(&[0]);
        buf.use_label_at_offset(0, far, Use::Rel8);
        buf.put_data(&[0x90; 300]);
        buf.emit_island(4);
        buf.bind_label(far);
        assert_eq!(
            buf.finish().unwrap_err(),
            BufferError::OutOfRange {
                offset: 0,
                label: far
            }
        );
    }

    #[test]
    fn constants_are_shared_and_aligned() {
        let mut buf = MachBuffer::<Use>::new();
        let a = buf.register_constant(&[1, 2, 3, 4, 5, 6, 7, 8], 8);
        let b = buf.register_constant(&[1, 2, 3, 4, 5, 6, 7, 8], 8);
        let c = buf.register_constant(&[9; 16], 16);
        assert_eq!(a, b);
        assert_ne!(a, c);
        buf.put_data(&[0x90; 3]);
        buf.put_data(&[0; 4]);
        buf.use_label_at_offset(3, c, Use::Rel32);
        let out = buf.finish().unwrap();
        let at = target(&out.data, 3, Use::Rel32);
        assert_eq!(at % 16, 0);
        assert_eq!(&out.data[at as usize..at as usize + 16], &[9; 16]);
    }

    #[test]
    fn metadata_is_recorded_at_offsets() {
        let mut buf = MachBuffer::<Use>::new();
        buf.put_data(&[0x90; 2]);
        buf.start_srcloc(RelSourceLoc::default());
        buf.add_trap(TrapCode::INTEGER_DIVISION_BY_ZERO);
        buf.put_data(&[0x0f, 0x0b]);
        buf.add_reloc(
            Reloc::X86CallPLTRel4,
            RelocTarget::ExternalName(crate::ir::ExternalName::LibCall(crate::ir::LibCall::Memcpy)),
            -4,
        );
        buf.put_data(&[0; 4]);
        buf.add_call_site();
        buf.end_srcloc();
        buf.start_srcloc(RelSourceLoc::default());
        buf.end_srcloc();
        let out = buf.finish().unwrap();
        assert_eq!(
            out.traps,
            [MachTrap {
                offset: 2,
                code: TrapCode::INTEGER_DIVISION_BY_ZERO
            }]
        );
        assert_eq!(out.relocs[0].offset, 4);
        assert_eq!(
            out.call_sites,
            [MachCallSite {
                ret_addr: 8,
                handlers: Vec::new(),
                stack_map: Vec::new()
            }]
        );
        assert_eq!(out.srclocs.len(), 1, "the empty range is dropped");
        assert_eq!((out.srclocs[0].start, out.srclocs[0].end), (2, 8));
    }

    #[test]
    fn random_programs_resolve_every_reference() {
        // A deterministic stream of random choices.
        let mut x: u64 = 0x1234_5678;
        let mut next = |n: u32| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % u64::from(n)) as u32
        };
        for _ in 0..200 {
            let mut buf = MachBuffer::<Use>::new();
            let labels: Vec<MachLabel> = (0..8).map(|_| buf.get_label()).collect();
            let mut uses = Vec::new();
            for _ in 0..60 {
                match next(4) {
                    0 => buf.put_data(&alloc::vec![0x90; next(80) as usize]),
                    1 => {
                        let l = labels[next(8) as usize];
                        if buf.label_offset(l).is_none() {
                            buf.bind_label(l);
                        }
                    }
                    _ => {
                        let l = labels[next(8) as usize];
                        let kind = if next(2) == 0 { Use::Rel8 } else { Use::Rel32 };
                        let at = buf.cur_offset();
                        buf.put_data(&alloc::vec![0; kind.patch_size() as usize]);
                        buf.use_label_at_offset(at, l, kind);
                        uses.push((at, l, kind));
                    }
                }
                if buf.island_needed(100) {
                    buf.emit_island(100);
                }
            }
            for &l in &labels {
                if buf.label_offset(l).is_none() {
                    buf.bind_label(l);
                }
            }
            let offsets: Vec<u32> = labels
                .iter()
                .map(|&l| buf.label_offset(l).unwrap())
                .collect();
            let out = buf.finish().expect("every label is bound and reachable");
            for (at, l, kind) in uses {
                assert!(
                    reaches(&out.data, at, kind, offsets[l.index() as usize]),
                    "use at {at:#x} of {l}"
                );
            }
        }
    }
}
