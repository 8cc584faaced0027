//! Emission of the AArch64 forms that need more than one word from `encode.rs`: memory
//! operands (picking the scaled, unscaled or register-offset encoding), branches and
//! their label uses, calls with relocations, traps, and the frame's stack adjustments.

use super::args::{AModeAlloc, BlockTarget, Imm12, OptionTrapCode};
use super::encode;
use super::frame::Frame;
use super::generated::{
    AluOp, Atomic128Op, Cond, CselOp, ExtendOp, LoadOp, LseOp, MoveWideOp, Size, StoreOp,
};
use super::{CallInfo, LabelUse};
use crate::ir::{AtomicRmwOp, ExternalName, TrapCode};
use crate::machinst::abi::{LimitBase, LimitStep, StackLimit};
use crate::machinst::buffer::{MachBuffer, MachLabel, RelocTarget};
use crate::machinst::reloc::Reloc;
use crate::machinst::unwind::UnwindOp;

/// x16 (IP0): the scratch register emission uses for large offsets; never allocated.
pub const SCRATCH: u32 = 16;

/// The scratch register for a constant beside register `rn`: x16, or x17 when `rn`
/// is x16 (the stack-limit check computes in x16).
fn scratch_besides(rn: u32) -> u32 {
    if rn == SCRATCH { SCRATCH + 1 } else { SCRATCH }
}

/// What emitting one instruction has at hand.
pub struct Emit<'a> {
    /// The code buffer.
    pub buf: &'a mut MachBuffer<LabelUse>,
    /// The blocks' labels.
    pub labels: &'a [MachLabel],
    /// The label of the code after this block (a jump there falls through).
    pub next: Option<MachLabel>,
    /// The function's frame.
    pub frame: &'a Frame,
}

impl Emit<'_> {
    /// Appends one instruction word (what the table's `emit word` forms call).
    pub fn put_word(&mut self, word: u32) {
        self.put4(word);
    }

    /// Appends one instruction word.
    pub fn put4(&mut self, word: u32) {
        self.buf.put4(word, false);
    }

    /// The hardware number of the next allocation (a register operand).
    pub fn reg(&self, allocs: &mut core::slice::Iter<'_, regalloc2::Allocation>) -> u32 {
        allocs
            .next()
            .and_then(|a| a.as_reg())
            .map_or(31, |p| p.hw_enc() as u32)
    }

    fn branch(&mut self, word: u32, label: MachLabel, kind: LabelUse) {
        let at = self.buf.cur_offset();
        self.put4(word);
        self.buf.use_label_at_offset(at, label, kind);
    }
}

/// Emits nothing (the `args` pseudo-instruction).
pub fn nothing(_e: &mut Emit<'_>) {}

/// Puts the 64-bit `value` into register `rd` with MOVZ/MOVN and MOVKs.
pub fn load_constant(e: &mut Emit<'_>, rd: u32, value: u64) {
    let chunks: [u16; 4] = core::array::from_fn(|i| (value >> (16 * i)) as u16);
    let ones = chunks.iter().filter(|&&c| c == 0xffff).count();
    let zeros = chunks.iter().filter(|&&c| c == 0).count();
    let (op, skip) = if ones > zeros {
        (MoveWideOp::Movn, 0xffff)
    } else {
        (MoveWideOp::Movz, 0)
    };
    let mut first = true;
    for (i, &c) in chunks.iter().enumerate() {
        if c == skip && !(first && i == 3) {
            continue;
        }
        let shift = (16 * i) as u8;
        if first {
            let imm = if op == MoveWideOp::Movn { !c } else { c };
            e.put4(encode::mov_wide(op, Size::X, rd, imm, shift));
            first = false;
        } else {
            e.put4(encode::movk(Size::X, rd, c, shift));
        }
    }
}

/// The base-register offset of a frame-relative operand.
fn frame_base(e: &Emit<'_>, mem: &AModeAlloc) -> AModeAlloc {
    let f = e.frame;
    match *mem {
        AModeAlloc::Slot(off) => AModeAlloc::RegOffset(31, i64::from(f.stack_slot_base()) + off),
        AModeAlloc::Outgoing(off) => AModeAlloc::RegOffset(31, off),
        AModeAlloc::IncomingArg(off) => AModeAlloc::RegOffset(29, 16 + off),
        AModeAlloc::Spill(slot) => {
            AModeAlloc::RegOffset(31, i64::from(f.spill_base()) + 8 * i64::from(slot))
        }
        other => other,
    }
}

/// The unsigned-offset opcode and access size in bytes of a load or store.
fn mem_op(load: Option<LoadOp>, store: Option<StoreOp>) -> (u32, i64) {
    if let Some(op) = load {
        return match op {
            LoadOp::Ldrb => (0x3940_0000, 1),
            LoadOp::Ldrh => (0x7940_0000, 2),
            LoadOp::Ldrw => (0xb940_0000, 4),
            LoadOp::Ldrx => (0xf940_0000, 8),
            LoadOp::Ldrsbw => (0x39c0_0000, 1),
            LoadOp::Ldrsbx => (0x3980_0000, 1),
            LoadOp::Ldrshw => (0x79c0_0000, 2),
            LoadOp::Ldrshx => (0x7980_0000, 2),
            LoadOp::Ldrsw => (0xb980_0000, 4),
            LoadOp::Ldrfh => (0x7d40_0000, 2),
            LoadOp::Ldrs => (0xbd40_0000, 4),
            LoadOp::Ldrd => (0xfd40_0000, 8),
            LoadOp::Ldrq => (0x3dc0_0000, 16),
        };
    }
    match store.expect("a load or a store") {
        StoreOp::Strb => (0x3900_0000, 1),
        StoreOp::Strh => (0x7900_0000, 2),
        StoreOp::Strw => (0xb900_0000, 4),
        StoreOp::Strx => (0xf900_0000, 8),
        StoreOp::Strfh => (0x7d00_0000, 2),
        StoreOp::Strs => (0xbd00_0000, 4),
        StoreOp::Strd => (0xfd00_0000, 8),
        StoreOp::Strq => (0x3d80_0000, 16),
    }
}

/// Emits a load or store (C4.1.94, loads and stores): the scaled unsigned 12-bit
/// offset, the unscaled signed 9-bit offset, or the register offset (with a large
/// offset built in x16).
fn mem_access(
    e: &mut Emit<'_>,
    op: u32,
    bytes: i64,
    rt: u32,
    mem: &AModeAlloc,
    trap: OptionTrapCode,
) {
    let unscaled = op & !(1 << 24);
    let word = match frame_base(e, mem) {
        AModeAlloc::RegOffset(rn, off) if off >= 0 && off % bytes == 0 && off / bytes < 4096 => {
            op | ((off / bytes) as u32) << 10 | rn << 5 | rt
        }
        AModeAlloc::RegOffset(rn, off) if (-256..256).contains(&off) => {
            unscaled | ((off as u32) & 0x1ff) << 12 | rn << 5 | rt
        }
        AModeAlloc::RegOffset(rn, off) => {
            let scratch = scratch_besides(rn);
            load_constant(e, scratch, off as u64);
            unscaled | 1 << 21 | scratch << 16 | 0b011 << 13 | 0b10 << 10 | rn << 5 | rt
        }
        AModeAlloc::RegReg(rn, rm, scaled, ext) => {
            let option = match ext {
                None => 0b011,
                Some(false) => 0b010,
                Some(true) => 0b110,
            };
            unscaled
                | 1 << 21
                | rm << 16
                | option << 13
                | u32::from(scaled) << 12
                | 0b10 << 10
                | rn << 5
                | rt
        }
        _ => unreachable!("frame operands are resolved"),
    };
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put4(word);
}

/// A load into `rd`.
pub fn load(e: &mut Emit<'_>, op: LoadOp, rd: u32, mem: &AModeAlloc, trap: OptionTrapCode) {
    let (word, bytes) = mem_op(Some(op), None);
    mem_access(e, word, bytes, rd, mem, trap);
}

/// A store of `rt`.
pub fn store(e: &mut Emit<'_>, op: StoreOp, rt: u32, mem: &AModeAlloc, trap: OptionTrapCode) {
    let (word, bytes) = mem_op(None, Some(op));
    mem_access(e, word, bytes, rt, mem, trap);
}

/// `rd` = `rn` + `off` (rn may be the stack pointer), through x16 when `off` is not an
/// ADD/SUB immediate.
pub fn add_offset(e: &mut Emit<'_>, rd: u32, rn: u32, off: i64) {
    let (op, mag) = if off < 0 {
        (AluOp::Sub, off.unsigned_abs())
    } else {
        (AluOp::Add, off as u64)
    };
    if let Some(imm) = Imm12::maybe_from_u64(mag) {
        e.put4(encode::alu_rr_imm12(op, Size::X, rd, rn, imm));
    } else {
        let scratch = scratch_besides(rn);
        load_constant(e, scratch, off as u64);
        // ADD (extended register, UXTX) accepts the stack pointer as rn.
        e.put4(encode::alu_rrr_extend(
            AluOp::Add,
            Size::X,
            rd,
            rn,
            scratch,
            super::generated::ExtendOp::Uxtx,
        ));
    }
}

/// The address of a memory operand into `rd`.
pub fn load_addr(e: &mut Emit<'_>, rd: u32, mem: &AModeAlloc) {
    match frame_base(e, mem) {
        AModeAlloc::RegOffset(rn, off) => add_offset(e, rd, rn, off),
        AModeAlloc::RegReg(rn, rm, scaled, ext) => {
            assert!(
                !scaled && ext.is_none(),
                "lea of a scaled or extended index"
            );
            e.put4(encode::alu_rrr(AluOp::Add, Size::X, rd, rn, rm));
        }
        _ => unreachable!("frame operands are resolved"),
    }
}

/// `ldr rd, #8; b #12; .quad name+offset` with an absolute relocation; in
/// position-independent code `adrp rd, name+offset; add rd, rd, :lo12:name+offset` for a
/// colocated symbol, else `adrp rd, :got:name; ldr rd, [rd, :got_lo12:name]` plus the
/// offset.
pub fn load_ext_name(e: &mut Emit<'_>, rd: u32, name: &ExternalName, offset: i64, colocated: bool) {
    if e.frame.pic && colocated {
        let target = || RelocTarget::ExternalName(name.clone());
        e.buf
            .add_reloc(Reloc::Aarch64AdrPrelPgHi21, target(), offset);
        e.put4(0x9000_0000 | rd);
        e.buf
            .add_reloc(Reloc::Aarch64AddAbsLo12Nc, target(), offset);
        e.put4(0x9100_0000 | rd << 5 | rd);
        return;
    }
    if e.frame.pic {
        let target = || RelocTarget::ExternalName(name.clone());
        e.buf.add_reloc(Reloc::Aarch64AdrGotPage21, target(), 0);
        e.put4(0x9000_0000 | rd);
        e.buf.add_reloc(Reloc::Aarch64Ld64GotLo12Nc, target(), 0);
        e.put4(0xf940_0000 | rd << 5 | rd);
        if offset != 0 {
            add_offset(e, rd, rd, offset);
        }
        return;
    }
    e.put4(0x5800_0040 | rd);
    e.put4(encode::b() | 3);
    e.buf
        .add_reloc(Reloc::Abs8, RelocTarget::ExternalName(name.clone()), offset);
    e.buf.put_inline_data(&[0; 8]);
}

/// `adr rd, target`.
pub fn adr_label(e: &mut Emit<'_>, rd: u32, target: BlockTarget) {
    let label = e.labels[target];
    e.branch(0x1000_0000 | rd, label, LabelUse::Adr21);
}

/// A jump to `target`, nothing if it is next.
pub fn jump(e: &mut Emit<'_>, target: BlockTarget) {
    let label = e.labels[target];
    if Some(label) != e.next {
        e.branch(encode::b(), label, LabelUse::Branch26);
    }
}

/// `b.cond taken`, then a jump to `not_taken` unless it is next (if `taken` is next,
/// the inverted condition branches to `not_taken`).
pub fn cond_br(e: &mut Emit<'_>, cond: Cond, taken: BlockTarget, not_taken: BlockTarget) {
    let (t, n) = (e.labels[taken], e.labels[not_taken]);
    if Some(t) == e.next {
        e.branch(encode::b_cond(cond.invert()), n, LabelUse::Branch19);
    } else {
        e.branch(encode::b_cond(cond), t, LabelUse::Branch19);
        jump(e, not_taken);
    }
}

/// A jump table on the 32-bit index `idx`: out of range goes to `default` (and, under
/// speculation, the index becomes 0); in range, through the 32-bit offset from the
/// table entry to its target.
pub fn br_table(e: &mut Emit<'_>, idx: u32, default: BlockTarget, targets: &[BlockTarget]) {
    let size = 40 + 4 * targets.len() as u32;
    if e.buf.island_needed(size) {
        let after = e.buf.get_label();
        super::Inst::emit_jump_to(after, e.buf);
        e.buf.emit_island(size);
        e.buf.bind_label(after);
    }
    let n = targets.len() as u64;
    match Imm12::maybe_from_u64(n) {
        Some(imm) => e.put4(encode::alu_rr_imm12(AluOp::Subs, Size::W, 31, idx, imm)),
        None => {
            load_constant(e, SCRATCH + 1, n);
            e.put4(encode::alu_rrr(AluOp::Subs, Size::W, 31, idx, SCRATCH + 1));
        }
    }
    let label = e.labels[default];
    e.branch(encode::b_cond(Cond::Hs), label, LabelUse::Branch19);
    // w17 = hs ? 0 : idx; x16 = the table (five instructions on); x16 += w17 * 4.
    e.put4(encode::csel(
        CselOp::Csel,
        Cond::Hs,
        Size::W,
        SCRATCH + 1,
        31,
        idx,
    ));
    e.put4(0x1000_0000 | 5 << 5 | SCRATCH);
    let uxtw = super::generated::ExtendOp::Uxtw;
    e.put4(
        encode::alu_rrr_extend(AluOp::Add, Size::X, SCRATCH, SCRATCH, SCRATCH + 1, uxtw) | 2 << 10,
    );
    // ldrsw x17, [x16]; add x16, x16, x17; br x16.
    e.put4(0xb980_0000 | SCRATCH << 5 | (SCRATCH + 1));
    e.put4(encode::alu_rrr(
        AluOp::Add,
        Size::X,
        SCRATCH,
        SCRATCH,
        SCRATCH + 1,
    ));
    e.put4(0xd61f_0000 | SCRATCH << 5);
    let table = e.buf.cur_offset();
    for &t in targets {
        let label = e.labels[t];
        e.branch(0, label, LabelUse::PcRel32);
    }
    e.buf.mark_data(table);
}

/// `cbz`/`cbnz rn, taken`, then a jump to `not_taken` unless it is next.
pub fn cbz(
    e: &mut Emit<'_>,
    nonzero: bool,
    size: Size,
    rn: u32,
    taken: BlockTarget,
    not_taken: BlockTarget,
) {
    let (t, n) = (e.labels[taken], e.labels[not_taken]);
    if Some(t) == e.next {
        e.branch(encode::cbz(!nonzero, size, rn), n, LabelUse::Branch19);
    } else {
        e.branch(encode::cbz(nonzero, size, rn), t, LabelUse::Branch19);
        jump(e, not_taken);
    }
}

fn after_call(e: &mut Emit<'_>, info: &CallInfo) {
    e.buf.add_call_site();
    after_call_site(e, info);
}

/// The stack map of the call just emitted, and the stack pointer moved back down by
/// what a callee-pops callee popped.
fn after_call_site(e: &mut Emit<'_>, info: &CallInfo) {
    e.buf
        .set_stack_map(&info.stack_map, e.frame.stack_slot_base());
    if info.callee_pop > 0 {
        sp_adjust(e, true, info.callee_pop);
    }
}

/// `bl dest`.
pub fn call(e: &mut Emit<'_>, dest: &ExternalName, info: &CallInfo) {
    e.buf
        .add_reloc(Reloc::Arm64Call, RelocTarget::ExternalName(dest.clone()), 0);
    e.put4(0x9400_0000);
    after_call(e, info);
}

/// `blr rn`.
pub fn call_ind(e: &mut Emit<'_>, rn: u32, info: &CallInfo) {
    e.put4(0xd63f_0000 | rn << 5);
    after_call(e, info);
}

/// `b dest` (after the frame's teardown).
pub fn return_call(e: &mut Emit<'_>, dest: &ExternalName) {
    e.buf
        .add_reloc(Reloc::Arm64Call, RelocTarget::ExternalName(dest.clone()), 0);
    e.put4(encode::b());
}

/// `br rn` (after the frame's teardown).
pub fn return_call_ind(e: &mut Emit<'_>, rn: u32) {
    e.put4(0xd61f_0000 | rn << 5);
}

/// A stack switch (see the table's `stack_switch`): the new context is read before the
/// current one is written, so both pointers may be the same. x3-x5 are free: the switch
/// clobbers every allocatable register but x0-x2, its operands.
pub fn stack_switch(e: &mut Emit<'_>) {
    for word in [
        0xf940_0050, // ldr x16, [x2]: the new stack pointer
        0xf940_0443, // ldr x3, [x2, #8]: the new frame pointer
        0xf940_0851, // ldr x17, [x2, #16]: where to go
        0x9100_03e4, // mov x4, sp
        0xf900_0024, // str x4, [x1]
        0xf900_043d, // str x29, [x1, #8]
        0x1000_00a5, // adr x5, resume (20 bytes on)
        0xf900_0825, // str x5, [x1, #16]
        0x9100_021f, // mov sp, x16
        0xaa03_03fd, // mov x29, x3
        0xd61f_0220, // br x17
    ] {
        e.put4(word);
    }
    // resume: whoever switches back to the stored context lands here.
    if e.frame.bti {
        e.put4(encode::hint(super::generated::HintOp::BtiJ));
    }
}

/// A call with exception handlers: `bl dest` or `blr callee`, the handler table, then a
/// jump to the normal return unless it follows.
pub fn try_call(
    e: &mut Emit<'_>,
    dest: Option<&ExternalName>,
    callee: Option<u32>,
    info: &CallInfo,
    normal: BlockTarget,
    handlers: &[BlockTarget],
    tags: &[Option<u32>],
) {
    match (dest, callee) {
        (Some(name), _) => {
            e.buf
                .add_reloc(Reloc::Arm64Call, RelocTarget::ExternalName(name.clone()), 0);
            e.put4(0x9400_0000);
        }
        (None, Some(rn)) => e.put4(0xd63f_0000 | rn << 5),
        (None, None) => unreachable!("a callee"),
    }
    let table = tags
        .iter()
        .zip(handlers)
        .map(|(&tag, &h)| (tag, e.labels[h]))
        .collect();
    e.buf.add_try_call_site(table);
    after_call_site(e, info);
    jump(e, normal);
}

/// Moves one 8-byte stack argument of a tail call from the outgoing area into the
/// caller's argument area (through x17).
pub fn copy_stack_arg(e: &mut Emit<'_>, from_sp: u32, to_fp: i32) {
    let ldr = mem_op(Some(LoadOp::Ldrx), None).0;
    let str = mem_op(None, Some(StoreOp::Strx)).0;
    mem_access(
        e,
        ldr,
        8,
        9,
        &AModeAlloc::RegOffset(31, i64::from(from_sp)),
        None,
    );
    mem_access(
        e,
        str,
        8,
        9,
        &AModeAlloc::RegOffset(29, i64::from(to_fp)),
        None,
    );
}

/// x30 and the caller's frame pointer (into x10) from the frame record.
pub fn tail_frame_load(e: &mut Emit<'_>) {
    let ldr = mem_op(Some(LoadOp::Ldrx), None).0;
    mem_access(e, ldr, 8, 30, &AModeAlloc::RegOffset(29, 8), None);
    mem_access(e, ldr, 8, 10, &AModeAlloc::RegOffset(29, 0), None);
}

/// The end of a tail call's teardown: the stack pointer at `x29 + sp_from_fp`, x29
/// restored from x10.
pub fn tail_frame_exit(e: &mut Emit<'_>, sp_from_fp: i32) {
    add_offset(e, 31, 29, i64::from(sp_from_fp));
    e.put4(encode::mov(Size::X, 29, 10));
}

/// LDAR/STLR of `1 << size` bytes (`base` is the 8-bit form's word).
pub fn acquire_release(
    e: &mut Emit<'_>,
    base: u32,
    size: u8,
    rt: u32,
    rn: u32,
    trap: OptionTrapCode,
) {
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put4(base | u32::from(size) << 30 | rn << 5 | rt);
}

/// An LSE atomic operation: `rt = [rn]; [rn] = op([rn], rs)`.
pub fn lse_rmw(
    e: &mut Emit<'_>,
    op: LseOp,
    size: u8,
    rt: u32,
    rs: u32,
    rn: u32,
    trap: OptionTrapCode,
) {
    let (o3, opc) = match op {
        LseOp::Ldaddal => (0, 0),
        LseOp::Ldclral => (0, 1),
        LseOp::Ldeoral => (0, 2),
        LseOp::Ldsetal => (0, 3),
        LseOp::Ldsmaxal => (0, 4),
        LseOp::Ldsminal => (0, 5),
        LseOp::Ldumaxal => (0, 6),
        LseOp::Lduminal => (0, 7),
        LseOp::Swpal => (1, 0),
    };
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put4(0x38e0_0000 | u32::from(size) << 30 | rs << 16 | o3 << 15 | opc << 12 | rn << 5 | rt);
}

/// CASAL: `rs` (expected, then the old value) against `[rn]`, storing `rt`.
pub fn lse_cas(e: &mut Emit<'_>, size: u8, rs: u32, rt: u32, rn: u32, trap: OptionTrapCode) {
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put4(0x08e0_fc00 | u32::from(size) << 30 | rs << 16 | rn << 5 | rt);
}

/// The width of a `size` (log2 bytes) operation in general registers.
fn atomic_size(size: u8) -> Size {
    if size == 3 { Size::X } else { Size::W }
}

/// LDAXR `rt` from `[rn]`.
fn ldaxr(e: &mut Emit<'_>, size: u8, rt: u32, rn: u32, trap: OptionTrapCode) {
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put4(0x085f_fc00 | u32::from(size) << 30 | rn << 5 | rt);
}

/// STLXR `rt` to `[rn]`, the status in `rs`.
fn stlxr(e: &mut Emit<'_>, size: u8, rs: u32, rt: u32, rn: u32) {
    e.put4(0x0800_fc00 | u32::from(size) << 30 | rs << 16 | rn << 5 | rt);
}

/// The read-modify-write loop: `old = [rn]; new = op(old, v); [rn] = new`, retried
/// until the exclusive store succeeds.
#[allow(clippy::too_many_arguments)]
pub fn llsc_rmw(
    e: &mut Emit<'_>,
    op: AtomicRmwOp,
    size: u8,
    rn: u32,
    v: u32,
    old: u32,
    new: u32,
    status: u32,
    trap: OptionTrapCode,
) {
    let w = atomic_size(size);
    let again = e.buf.get_label();
    e.buf.bind_label(again);
    ldaxr(e, size, old, rn, trap);
    let stored = match op {
        AtomicRmwOp::Xchg => v,
        AtomicRmwOp::Add => alu(e, AluOp::Add, w, new, old, v),
        AtomicRmwOp::Sub => alu(e, AluOp::Sub, w, new, old, v),
        AtomicRmwOp::And => alu(e, AluOp::And, w, new, old, v),
        AtomicRmwOp::Or => alu(e, AluOp::Orr, w, new, old, v),
        AtomicRmwOp::Xor => alu(e, AluOp::Eor, w, new, old, v),
        AtomicRmwOp::Nand => {
            alu(e, AluOp::And, w, new, old, v);
            e.put4(encode::alu_rrr(AluOp::Orn, w, new, 31, new));
            new
        }
        AtomicRmwOp::Umin | AtomicRmwOp::Umax | AtomicRmwOp::Smin | AtomicRmwOp::Smax => {
            let signed = matches!(op, AtomicRmwOp::Smin | AtomicRmwOp::Smax);
            // The loaded value is zero-extended; signed narrow compares need it
            // sign-extended (v already is).
            let a = if signed && size < 2 {
                let bits = 8u8 << size;
                e.put4(encode::bitfield(
                    super::generated::BitfieldOp::Sbfm,
                    Size::W,
                    new,
                    old,
                    0,
                    bits - 1,
                ));
                new
            } else {
                old
            };
            e.put4(encode::alu_rrr(AluOp::Subs, w, 31, a, v));
            let cond = match op {
                AtomicRmwOp::Umin => Cond::Lo,
                AtomicRmwOp::Umax => Cond::Hi,
                AtomicRmwOp::Smin => Cond::Lt,
                _ => Cond::Gt,
            };
            e.put4(encode::csel(CselOp::Csel, cond, w, new, a, v));
            new
        }
    };
    stlxr(e, size, status, stored, rn);
    e.branch(
        encode::cbz(true, Size::W, status),
        again,
        LabelUse::Branch19,
    );
}

fn alu(e: &mut Emit<'_>, op: AluOp, size: Size, rd: u32, rn: u32, rm: u32) -> u32 {
    e.put4(encode::alu_rrr(op, size, rd, rn, rm));
    rd
}

/// The compare-and-swap loop: `old = [rn]`; if it equals `expected` (compared in the
/// access width), store `replacement`, retrying until the exclusive store succeeds.
#[allow(clippy::too_many_arguments)]
pub fn llsc_cas(
    e: &mut Emit<'_>,
    size: u8,
    rn: u32,
    expected: u32,
    replacement: u32,
    old: u32,
    status: u32,
    trap: OptionTrapCode,
) {
    let again = e.buf.get_label();
    let out = e.buf.get_label();
    e.buf.bind_label(again);
    ldaxr(e, size, old, rn, trap);
    let word = match size {
        0 => encode::alu_rrr_extend(AluOp::Subs, Size::W, 31, old, expected, ExtendOp::Uxtb),
        1 => encode::alu_rrr_extend(AluOp::Subs, Size::W, 31, old, expected, ExtendOp::Uxth),
        _ => encode::alu_rrr(AluOp::Subs, atomic_size(size), 31, old, expected),
    };
    e.put4(word);
    e.branch(encode::b_cond(Cond::Ne), out, LabelUse::Branch19);
    stlxr(e, size, status, replacement, rn);
    e.branch(
        encode::cbz(true, Size::W, status),
        again,
        LabelUse::Branch19,
    );
    e.buf.bind_label(out);
}

/// `ldr qN, =bits`: the constant in the next island.
pub fn vec_const(e: &mut Emit<'_>, rd: u32, bits: u128) {
    let label = e.buf.register_constant(&bits.to_le_bytes(), 16);
    e.branch(0x9c00_0000 | rd, label, LabelUse::Ldr19);
}

/// The 128-bit atomic loop (see the `atomic128` form).
#[allow(clippy::too_many_arguments)]
pub fn atomic128(
    e: &mut Emit<'_>,
    op: Atomic128Op,
    rn: u32,
    a_lo: u32,
    a_hi: u32,
    b_lo: u32,
    b_hi: u32,
    old_lo: u32,
    old_hi: u32,
    new_lo: u32,
    new_hi: u32,
    status: u32,
    trap: OptionTrapCode,
) {
    use Atomic128Op as A;
    let x = Size::X;
    let again = e.buf.get_label();
    let done = e.buf.get_label();
    e.buf.bind_label(again);
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    // LDAXP old_lo, old_hi, [rn]
    e.put4(0xc87f_8000 | old_hi << 10 | rn << 5 | old_lo);
    let (lo, hi) = match op {
        A::Load => (old_lo, old_hi),
        A::Store | A::Xchg => (a_lo, a_hi),
        A::Add | A::Sub => {
            let (first, second) = if op == A::Add {
                (AluOp::Adds, AluOp::Adc)
            } else {
                (AluOp::Subs, AluOp::Sbc)
            };
            e.put4(encode::alu_rrr(first, x, new_lo, old_lo, a_lo));
            e.put4(encode::alu_rrr(second, x, new_hi, old_hi, a_hi));
            (new_lo, new_hi)
        }
        A::And | A::Or | A::Xor | A::Nand => {
            let alu = match op {
                A::Or => AluOp::Orr,
                A::Xor => AluOp::Eor,
                _ => AluOp::And,
            };
            e.put4(encode::alu_rrr(alu, x, new_lo, old_lo, a_lo));
            e.put4(encode::alu_rrr(alu, x, new_hi, old_hi, a_hi));
            if op == A::Nand {
                e.put4(encode::alu_rrr(AluOp::Orn, x, new_lo, 31, new_lo));
                e.put4(encode::alu_rrr(AluOp::Orn, x, new_hi, 31, new_hi));
            }
            (new_lo, new_hi)
        }
        A::Umin | A::Umax | A::Smin | A::Smax => {
            // The flags of old - a over 128 bits; keep old where the condition holds.
            e.put4(encode::alu_rrr(AluOp::Subs, x, 31, old_lo, a_lo));
            e.put4(encode::alu_rrr(AluOp::Sbcs, x, 31, old_hi, a_hi));
            let cond = match op {
                A::Umin => Cond::Lo,
                A::Umax => Cond::Hs,
                A::Smin => Cond::Lt,
                _ => Cond::Ge,
            };
            e.put4(encode::csel(CselOp::Csel, cond, x, new_lo, old_lo, a_lo));
            e.put4(encode::csel(CselOp::Csel, cond, x, new_hi, old_hi, a_hi));
            (new_lo, new_hi)
        }
        A::Cas => {
            // Different from the expected value: release the monitor and stop.
            let fail = e.buf.get_label();
            e.put4(encode::alu_rrr(AluOp::Eor, x, new_lo, old_lo, a_lo));
            e.put4(encode::alu_rrr(AluOp::Eor, x, new_hi, old_hi, a_hi));
            e.put4(encode::alu_rrr(AluOp::Orr, x, new_lo, new_lo, new_hi));
            e.branch(encode::cbz(true, x, new_lo), fail, LabelUse::Branch19);
            e.put4(0xc820_8000 | status << 16 | b_hi << 10 | rn << 5 | b_lo);
            e.branch(
                encode::cbz(true, Size::W, status),
                again,
                LabelUse::Branch19,
            );
            e.branch(encode::b(), done, LabelUse::Branch26);
            e.buf.bind_label(fail);
            e.put4(0xd503_305f);
            e.buf.bind_label(done);
            return;
        }
    };
    // STLXP status, lo, hi, [rn]
    e.put4(0xc820_8000 | status << 16 | hi << 10 | rn << 5 | lo);
    e.branch(
        encode::cbz(true, Size::W, status),
        again,
        LabelUse::Branch19,
    );
    e.buf.bind_label(done);
}

/// `mov x17, x30; add x16, x29, #16; autia1716; mov x30, x17` (AUTIB1716 with the B
/// key): in the hint space, so a NOP on a CPU without pointer authentication, as the
/// prologue's PACIASP is.
pub fn auth_lr_cfa(e: &mut Emit<'_>, bkey: bool) {
    let x17 = SCRATCH + 1;
    e.put4(encode::mov(Size::X, x17, 30));
    e.put4(encode::alu_rr_imm12(
        AluOp::Add,
        Size::X,
        SCRATCH,
        29,
        Imm12 {
            bits: 16,
            shift12: false,
        },
    ));
    e.put4(if bkey { 0xd503_21df } else { 0xd503_219f });
    e.put4(encode::mov(Size::X, 30, x17));
}

/// The TLS descriptor sequence: the variable's address into `rd`.
pub fn tls_desc(e: &mut Emit<'_>, rd: u32, symbol: &ExternalName, info: &CallInfo) {
    let target = || RelocTarget::ExternalName(symbol.clone());
    e.buf.add_reloc(Reloc::Aarch64TlsDescAdrPage21, target(), 0);
    e.put4(0x9000_0000); // adrp x0, :tlsdesc:symbol
    e.buf.add_reloc(Reloc::Aarch64TlsDescLd64Lo12, target(), 0);
    e.put4(0xf940_0001); // ldr x1, [x0, :tlsdesc_lo12:symbol]
    e.buf.add_reloc(Reloc::Aarch64TlsDescAddLo12, target(), 0);
    e.put4(0x9100_0000); // add x0, x0, :tlsdesc_lo12:symbol
    e.buf.add_reloc(Reloc::Aarch64TlsDescCall, target(), 0);
    e.put4(0xd63f_0020); // blr x1
    after_call(e, info);
    e.put4(0xd53b_d040 | rd); // mrs rd, tpidr_el0
    e.put4(encode::alu_rrr(AluOp::Add, Size::X, rd, 0, rd));
}

/// `udf` with a trap record.
pub fn trap(e: &mut Emit<'_>, code: TrapCode) {
    e.buf.add_trap(code);
    e.put4(encode::udf(0xc11f));
}

/// `b.!cond` over a trapping `udf`.
pub fn trap_if(e: &mut Emit<'_>, cond: Cond, code: TrapCode) {
    e.put4(encode::b_cond(cond.invert()) | 2 << 5);
    trap(e, code);
}

/// Moves the stack pointer down (`sub`) or up by `bytes`, in at most two 12-bit steps
/// (the shifted one first), or through x16 beyond 16 MiB.
pub fn sp_adjust(e: &mut Emit<'_>, sub: bool, bytes: u32) {
    let op = if sub { AluOp::Sub } else { AluOp::Add };
    if bytes >= 1 << 24 {
        load_constant(e, SCRATCH, u64::from(bytes));
        let word = encode::alu_rrr_extend(
            op,
            Size::X,
            31,
            31,
            SCRATCH,
            super::generated::ExtendOp::Uxtx,
        );
        e.put4(word);
        return;
    }
    let (hi, lo) = (bytes >> 12, bytes & 0xfff);
    if hi != 0 {
        let imm = Imm12 {
            bits: hi as u16,
            shift12: true,
        };
        e.put4(encode::alu_rr_imm12(op, Size::X, 31, 31, imm));
    }
    if lo != 0 {
        let imm = Imm12 {
            bits: lo as u16,
            shift12: false,
        };
        e.put4(encode::alu_rr_imm12(op, Size::X, 31, 31, imm));
    }
}

/// Records an unwind rule at the current offset.
pub fn unwind(e: &mut Emit<'_>, op: UnwindOp) {
    e.buf.add_unwind(op);
}

/// The stack-limit check at the start of the prologue: the limit into x16 from the
/// `vmctx` argument, plus the `needed` bytes of the frame; below it, trap.
pub fn stack_check(e: &mut Emit<'_>, limit: &StackLimit, needed: u32) {
    match limit.base {
        LimitBase::Reg(p) => e.put4(encode::mov(Size::X, SCRATCH, p.hw_enc() as u32)),
        // Before the frame record is pushed, sp is where the caller left it.
        LimitBase::StackArg(off) => {
            let mem = AModeAlloc::RegOffset(31, i64::from(off));
            mem_access(
                e,
                mem_op(Some(LoadOp::Ldrx), None).0,
                8,
                SCRATCH,
                &mem,
                None,
            );
        }
    }
    for step in &limit.steps {
        match *step {
            LimitStep::Load(d) => {
                let mem = AModeAlloc::RegOffset(SCRATCH, i64::from(d));
                mem_access(
                    e,
                    mem_op(Some(LoadOp::Ldrx), None).0,
                    8,
                    SCRATCH,
                    &mem,
                    None,
                );
            }
            LimitStep::Add(d) => add_offset(e, SCRATCH, SCRATCH, i64::from(d)),
        }
    }
    add_offset(e, SCRATCH, SCRATCH, i64::from(needed));
    // cmp sp, x16 (SUBS XZR, SP, X16, UXTX); b.hs over the trap.
    e.put4(encode::alu_rrr_extend(
        AluOp::Subs,
        Size::X,
        31,
        31,
        SCRATCH,
        super::generated::ExtendOp::Uxtx,
    ));
    e.put4(encode::b_cond(Cond::Hs) | 2 << 5);
    trap(e, TrapCode::STACK_OVERFLOW);
}
