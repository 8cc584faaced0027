//! Emission of the s390x forms that need more than one instruction from `encode.rs`:
//! memory operands (the 12-bit or 20-bit displacement form, or a large offset built in
//! r1), branches and their label uses, calls with relocations, traps, and the frame's
//! stack adjustments.

use super::args::{BlockTarget, MemAlloc, OptionTrapCode};
use super::encode::{self, Insn};
use super::frame::Frame;
use super::generated::{Cond, CsOp, FmaOp, FpuRrOp, LaaOp, LoadOp, StoreOp, VecMemOp};
use super::regs::{SCRATCH, SCRATCH0, SP};
use super::{CallInfo, LabelUse};
use crate::ir::{AtomicRmwOp, ExternalName, TrapCode};
use crate::machinst::FrameLayout;
use crate::machinst::abi::{LimitBase, LimitStep, StackLimit};
use crate::machinst::buffer::{MachBuffer, MachLabel, RelocTarget};
use crate::machinst::reloc::Reloc;
use crate::machinst::unwind::UnwindOp;

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
    /// Appends one instruction (what the table's `emit word` forms call).
    pub fn put_word(&mut self, insn: Insn) {
        let (bytes, len) = insn.bytes();
        self.buf.put_data(&bytes[..len]);
    }

    /// The hardware number of the next allocation (a register operand).
    pub fn reg(&self, allocs: &mut core::slice::Iter<'_, regalloc2::Allocation>) -> u32 {
        allocs
            .next()
            .and_then(|a| a.as_reg())
            .map_or(0, |p| p.hw_enc() as u32)
    }

    /// Emits `insn`, a branch whose offset field `kind` patches, to `label`.
    fn branch(&mut self, insn: Insn, label: MachLabel, kind: LabelUse) {
        let at = self.buf.cur_offset();
        self.put_word(insn);
        self.buf.use_label_at_offset(at, label, kind);
    }
}

/// Emits nothing (the `args` pseudo-instruction).
pub fn nothing(_e: &mut Emit<'_>) {}

/// The base, index and displacement of an allocated address, frame places resolved
/// against the stack pointer.
fn resolve(e: &Emit<'_>, mem: &MemAlloc) -> (u32, u32, i64) {
    let f = e.frame;
    match *mem {
        MemAlloc::Bxd(b, x, d) => (b, x, d),
        MemAlloc::Slot(off) => (SP, 0, i64::from(f.stack_slot_base()) + off),
        MemAlloc::Outgoing(off) => (SP, 0, i64::from(f.outgoing_base()) + off),
        MemAlloc::IncomingArg(off) => {
            let (base, disp) = f.entry_sp();
            (base, 0, disp + i64::from(super::frame::SAVE_AREA) + off)
        }
        MemAlloc::Spill(slot) => (SP, 0, i64::from(f.spill_base()) + 8 * i64::from(slot)),
    }
}

/// The base, index and displacement of `mem` with the displacement reachable by a
/// `limit`-bit form: 12 unsigned bits (`short`) or 20 signed ones. A displacement out of
/// reach goes into r1 (plus the index), which becomes the index.
fn reachable(e: &mut Emit<'_>, mem: &MemAlloc, short: bool) -> (u32, u32, i64) {
    let (b, x, d) = resolve(e, mem);
    let fits = if short {
        (0..4096).contains(&d)
    } else {
        (-(1 << 19)..(1 << 19)).contains(&d)
    };
    if fits {
        return (b, x, d);
    }
    let d32 = i32::try_from(d).expect("a displacement within 2 GiB");
    e.put_word(encode::ril(0xc01, SCRATCH, d32 as u32));
    if x != 0 {
        e.put_word(encode::rr(0xb908, SCRATCH, x));
    }
    (b, SCRATCH, 0)
}

/// A load or store with the 0xSSLLLL opcode pair `code` of register `r` at `mem`,
/// recording `trap` on the access.
fn mem_access(e: &mut Emit<'_>, code: u32, r: u32, mem: &MemAlloc, trap: OptionTrapCode) {
    let (short, long) = (code >> 16, code & 0xffff);
    let (b, x, d) = resolve(e, mem);
    if short != 0 && (0..4096).contains(&d) {
        if let Some(code) = trap {
            e.buf.add_trap(code);
        }
        e.put_word(encode::rx(short, r, x, b, d as u32));
    } else {
        let (b, x, d) = reachable(e, mem, false);
        if let Some(code) = trap {
            e.buf.add_trap(code);
        }
        e.put_word(encode::rxy(long, r, x, b, d as i32));
    }
}

/// A load into register `rd` (general or float, as the opcode says).
pub fn load(e: &mut Emit<'_>, op: LoadOp, rd: u32, mem: &MemAlloc, trap: OptionTrapCode) {
    mem_access(e, op.code(), rd, mem, trap);
}

/// An operation with a memory operand (opcode pair `code`, as a load's) into `rd`.
pub fn load_op_mem(e: &mut Emit<'_>, code: u32, rd: u32, mem: &MemAlloc, trap: OptionTrapCode) {
    mem_access(e, code, rd, mem, trap);
}

/// A store of register `rs`.
pub fn store(e: &mut Emit<'_>, op: StoreOp, rs: u32, mem: &MemAlloc, trap: OptionTrapCode) {
    mem_access(e, op.code(), rs, mem, trap);
}

/// LA or LAY of the address `mem`.
pub fn load_addr(e: &mut Emit<'_>, rd: u32, mem: &MemAlloc) {
    mem_access(e, 0x41_e371, rd, mem, None);
}

/// VL or VST of the whole vector register `v` at `mem` (12-bit displacements only).
pub fn vector_access(e: &mut Emit<'_>, load: bool, v: u32, mem: &MemAlloc) {
    let op = if load { VecMemOp::Vl } else { VecMemOp::Vst };
    vector_mem(e, op, v, mem, None);
}

/// A vector load or store (element 0 for the element forms) of `v` at `mem`.
pub fn vector_mem(e: &mut Emit<'_>, op: VecMemOp, v: u32, mem: &MemAlloc, trap: OptionTrapCode) {
    let (b, x, d) = reachable(e, mem, true);
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put_word(encode::vrx(op.code(), v, x, b, d as u32, 0));
}

/// VLREP or VLLEZ (`code`) of an element of `size` (0 bytes .. 3 doublewords) at `mem`.
pub fn vector_elem_mem(
    e: &mut Emit<'_>,
    code: u32,
    size: u8,
    v: u32,
    mem: &MemAlloc,
    trap: OptionTrapCode,
) {
    let (b, x, d) = reachable(e, mem, true);
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put_word(encode::vrx(code, v, x, b, d as u32, u32::from(size)));
}

/// A callee-saved float register's save (`load` false) or restore at `offset` above
/// the stack pointer: its 64 bits (STD, LD), or in a `preserve_all` frame all 128 (VST,
/// VL).
pub fn fpr_slot(e: &mut Emit<'_>, load: bool, reg: u8, offset: u32) {
    let mem = MemAlloc::Bxd(SP, 0, i64::from(offset));
    if e.frame.full_vectors {
        vector_access(e, load, u32::from(reg), &mem);
        return;
    }
    let code = if load {
        LoadOp::Ld.code()
    } else {
        StoreOp::Std.code()
    };
    mem_access(e, code, u32::from(reg), &mem, None);
}

/// The address of `name` + `offset`: BRAS over an 8-byte literal (R_390_64), LG from it;
/// position-independent, LGRL of its GOT entry (R_390_GOTENT) and the offset added.
pub fn load_ext_name(e: &mut Emit<'_>, rd: u32, name: &ExternalName, offset: i64) {
    if e.frame.pic {
        let at = e.buf.cur_offset();
        e.buf.add_reloc_at_offset(
            at + 2,
            Reloc::S390xGotEnt,
            RelocTarget::ExternalName(name.clone()),
            2,
        );
        e.put_word(encode::ril(0xc48, rd, 0));
        if offset != 0 {
            let mem = MemAlloc::Bxd(rd, 0, offset);
            mem_access(e, 0x41_e371, rd, &mem, None);
        }
        return;
    }
    // BRAS %r1, .+12 puts the literal's address in r1.
    e.put_word(encode::ri(0xa75, SCRATCH, 6));
    e.buf
        .add_reloc(Reloc::Abs8, RelocTarget::ExternalName(name.clone()), offset);
    e.buf.put_inline_data(&[0; 8]);
    e.put_word(encode::rxy(0xe304, rd, 0, SCRATCH, 0));
}

/// The return address: from r14's slot (8 * 14 bytes into the caller's save area at
/// the frame's top) when the prologue saved it, else r14 itself.
pub fn get_ra(e: &mut Emit<'_>, rd: u32) {
    if e.frame.save_from.is_some_and(|f| f <= 14) {
        let (base, disp) = e.frame.entry_sp();
        let mem = MemAlloc::Bxd(base, 0, disp + 8 * 14);
        mem_access(e, LoadOp::Lg.code(), rd, &mem, None);
    } else {
        e.put_word(encode::rr(0xb904, rd, super::regs::RA));
    }
}

/// A float select: BRC on the inverted condition over `vlr rd, rt`.
pub fn select_vr(e: &mut Emit<'_>, cond: Cond, rd: u32, rt: u32) {
    e.put_word(encode::ri(0xa74, invert(cond), 5));
    e.put_word(encode::vrr(0xe756, rd, rt, 0, 0, 0, 0, 0));
}

/// A two-address float operation into a fresh register: LDR `rd`, `rn`, then the
/// operation on `rd` and `rm`.
pub fn fpu_rr(e: &mut Emit<'_>, op: FpuRrOp, rd: u32, rn: u32, rm: u32) {
    e.put_word(encode::rr(0x28, rd, rn));
    e.put_word(encode::rr(op.code(), rd, rm));
}

/// A fused multiply-add into a fresh register: LDR `rd`, `acc`, then `rd = x * y + rd`.
pub fn fpu_fma(e: &mut Emit<'_>, op: FmaOp, rd: u32, acc: u32, x: u32, y: u32) {
    e.put_word(encode::rr(0x28, rd, acc));
    e.put_word(encode::rrf(op.code(), rd, 0, x, y));
}

/// The mask of the opposite condition.
pub fn invert(cond: Cond) -> u32 {
    cond.code() ^ 0xf
}

/// A jump to `target`, nothing if it is next.
pub fn jump(e: &mut Emit<'_>, target: BlockTarget) {
    let label = e.labels[target];
    if Some(label) != e.next {
        e.branch(encode::ri(0xa74, 15, 0), label, LabelUse::Rel16);
    }
}

/// BRC on `cond` to `taken`, then a jump to `not_taken` unless it is next (if `taken`
/// is next, the inverted condition branches to `not_taken`).
pub fn cond_br(e: &mut Emit<'_>, cond: Cond, taken: BlockTarget, not_taken: BlockTarget) {
    let (t, n) = (e.labels[taken], e.labels[not_taken]);
    if Some(t) == e.next {
        e.branch(encode::ri(0xa74, invert(cond), 0), n, LabelUse::Rel16);
    } else {
        e.branch(encode::ri(0xa74, cond.code(), 0), t, LabelUse::Rel16);
        jump(e, not_taken);
    }
}

/// A compare and branch (RIE-b with register `rm`, RIE-c with the immediate `imm`) on
/// `cond` to `taken`, then a jump to `not_taken` unless it follows (if `taken` follows,
/// the inverted condition branches to `not_taken`).
#[allow(clippy::too_many_arguments)]
pub fn cmp_br(
    e: &mut Emit<'_>,
    op: u32,
    cond: Cond,
    rn: u32,
    rm: Option<u32>,
    imm: u8,
    taken: BlockTarget,
    not_taken: BlockTarget,
) {
    let (t, n) = (e.labels[taken], e.labels[not_taken]);
    let insn = |mask: u32| match rm {
        Some(rm) => encode::rie(op, rn, rm, 0, (mask << 4) as u8),
        None => encode::rie(op, rn, mask, 0, imm),
    };
    if Some(t) == e.next {
        e.branch(insn(invert(cond)), n, LabelUse::Rel16);
    } else {
        e.branch(insn(cond.code()), t, LabelUse::Rel16);
        jump(e, not_taken);
    }
}

/// A jump table on the 32-bit index `idx`, out of range to `default`; each entry holds
/// its target's offset from the entry.
pub fn br_table(
    e: &mut Emit<'_>,
    idx: u32,
    tmp: u32,
    default: BlockTarget,
    targets: &[BlockTarget],
) {
    e.put_word(encode::rr(0xb916, tmp, idx));
    e.put_word(encode::ril(0xc2e, tmp, targets.len() as u32));
    let d = e.labels[default];
    e.branch(encode::ril(0xc04, Cond::He.code(), 0), d, LabelUse::Rel32);
    e.put_word(encode::rxy(0xeb0d, tmp, tmp, 0, 2));
    let table = e.buf.get_label();
    e.branch(encode::ril(0xc00, SCRATCH, 0), table, LabelUse::Rel32);
    e.put_word(encode::rx(0x41, SCRATCH, tmp, SCRATCH, 0));
    e.put_word(encode::rxy(0xe314, tmp, 0, SCRATCH, 0));
    e.put_word(encode::rr(0xb908, SCRATCH, tmp));
    e.put_word(encode::rr(0x07, 15, SCRATCH));
    e.buf.bind_label(table);
    for &t in targets {
        let at = e.buf.cur_offset();
        e.buf.put_inline_data(&[0; 4]);
        e.buf
            .use_label_at_offset(at, e.labels[t], LabelUse::PcRel32);
    }
}

/// The call site and stack map of the call just emitted.
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
        sp_adjust(e, -(info.callee_pop as i32));
    }
}

/// `brasl %r14, dest`: R_390_PLT32DBL on the offset field (2 bytes in, so the addend
/// makes the offset relative to the instruction).
pub fn call(e: &mut Emit<'_>, dest: &ExternalName, info: &CallInfo) {
    let at = e.buf.cur_offset();
    e.buf.add_reloc_at_offset(
        at + 2,
        Reloc::S390xPLTRel32Dbl,
        RelocTarget::ExternalName(dest.clone()),
        2,
    );
    e.put_word(encode::ril(0xc05, 14, 0));
    after_call(e, info);
}

/// A call with exception handlers: `brasl %r14, dest` or `basr %r14, callee`, the
/// handler table, then a jump to the normal return unless it follows.
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
            let at = e.buf.cur_offset();
            e.buf.add_reloc_at_offset(
                at + 2,
                Reloc::S390xPLTRel32Dbl,
                RelocTarget::ExternalName(name.clone()),
                2,
            );
            e.put_word(encode::ril(0xc05, 14, 0));
        }
        (None, Some(rn)) => e.put_word(encode::rr(0x0d, 14, rn)),
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

/// `tls_value` in the general-dynamic model: the variable's offset from the thread
/// pointer from `__tls_get_offset` (the GOT address in r12, the GOT offset of its
/// `tls_index` in r2), plus the thread pointer (access registers a0:a1), in r2.
pub fn tls_gd(e: &mut Emit<'_>, symbol: &ExternalName) {
    let got = ExternalName::KnownSymbol(crate::ir::KnownSymbol::ElfGlobalOffsetTable);
    let at = e.buf.cur_offset();
    e.buf.add_reloc_at_offset(
        at + 2,
        Reloc::S390xPCRel32Dbl,
        RelocTarget::ExternalName(got),
        2,
    );
    e.put_word(encode::ril(0xc00, 12, 0));
    e.put_word(encode::ri(0xa75, SCRATCH, 6));
    e.buf.add_reloc(
        Reloc::S390xTlsGd64,
        RelocTarget::ExternalName(symbol.clone()),
        0,
    );
    e.buf.put_inline_data(&[0; 8]);
    e.put_word(encode::rxy(0xe304, 2, 0, SCRATCH, 0));
    let at = e.buf.cur_offset();
    e.buf.add_reloc(
        Reloc::S390xTlsGdCall,
        RelocTarget::ExternalName(symbol.clone()),
        0,
    );
    let get_offset = ExternalName::LibCall(crate::ir::LibCall::ElfTlsGetOffset);
    e.buf.add_reloc_at_offset(
        at + 2,
        Reloc::S390xPLTRel32Dbl,
        RelocTarget::ExternalName(get_offset),
        2,
    );
    e.put_word(encode::ril(0xc05, 14, 0));
    e.buf.add_call_site();
    // EAR %r1, %a0; SLLG %r1, %r1, 32; EAR %r1, %a1; AGR %r2, %r1.
    e.put_word(encode::rr(0xb24f, SCRATCH, 0));
    e.put_word(encode::rxy(0xeb0d, SCRATCH, SCRATCH, 0, 32));
    e.put_word(encode::rr(0xb24f, SCRATCH, 1));
    e.put_word(encode::rr(0xb908, 2, SCRATCH));
}

/// An interlocked operation: R1 the old value, memory the result.
pub fn atomic_laa(e: &mut Emit<'_>, op: LaaOp, rd: u32, v: u32, addr: u32, trap: OptionTrapCode) {
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put_word(encode::rxy(op.code(), rd, v, addr, 0));
}

/// CS or CSG of `old` (the expected value, then the one found) and `replacement`.
pub fn cas(
    e: &mut Emit<'_>,
    op: CsOp,
    old: u32,
    replacement: u32,
    addr: u32,
    trap: OptionTrapCode,
) {
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put_word(match op {
        CsOp::Cs => encode::rs(op.code(), old, replacement, addr, 0),
        CsOp::Csg => encode::rxy(op.code(), old, replacement, addr, 0),
    });
}

/// BRC 4 (CC 1: the compare and swap found another value) back to `loop_start`.
fn branch_back_if_changed(e: &mut Emit<'_>, loop_start: u32) {
    let delta = (i64::from(loop_start) - i64::from(e.buf.cur_offset())) / 2;
    e.put_word(encode::ri(0xa74, 4, delta as i16 as u16));
}

/// The aligned word holding the `bits`-bit field at `addr`, and the rotations that
/// bring the field to the low bits (`shift`) and back (`nshift`): big-endian, the field
/// at byte k of the word is rotated left by 8k + bits.
fn narrow_setup(e: &mut Emit<'_>, bits: u8, addr: u32, aligned: u32, shift: u32, nshift: u32) {
    e.put_word(encode::rr(0xb904, aligned, addr));
    e.put_word(encode::ri(0xa57, aligned, 0xfffc));
    e.put_word(encode::rxy(0xeb0d, shift, addr, 0, 3));
    e.put_word(encode::ri(0xa7b, shift, u16::from(bits)));
    e.put_word(encode::rr(0xb903, nshift, shift));
}

/// The low `bits` of `v` zero- or sign-extended into `rd`.
fn extend_field(e: &mut Emit<'_>, bits: u8, signed: bool, rd: u32, v: u32) {
    let op = match (bits, signed) {
        (8, false) => 0xb984,
        (8, true) => 0xb906,
        (16, false) => 0xb985,
        (16, true) => 0xb907,
        (32, false) => 0xb916,
        (32, true) => 0xb914,
        _ => 0xb904,
    };
    e.put_word(encode::rr(op, rd, v));
}

/// `new = op(cur, v)` on the low `bits` bits (the rest of `new` is unspecified);
/// `tmp` is a scratch register.
fn rmw_value(e: &mut Emit<'_>, op: AtomicRmwOp, bits: u8, new: u32, cur: u32, v: u32, tmp: u32) {
    let wide = bits == 64;
    let rrk = |e: &mut Emit<'_>, op32: u32, op64: u32, a: u32, b: u32| {
        e.put_word(encode::rrf(if wide { op64 } else { op32 }, b, 0, new, a));
    };
    match op {
        AtomicRmwOp::Add => rrk(e, 0xb9f8, 0xb9e8, cur, v),
        AtomicRmwOp::Sub => rrk(e, 0xb9f9, 0xb9e9, cur, v),
        AtomicRmwOp::And => rrk(e, 0xb9f4, 0xb9e4, cur, v),
        AtomicRmwOp::Or => rrk(e, 0xb9f6, 0xb9e6, cur, v),
        AtomicRmwOp::Xor => rrk(e, 0xb9f7, 0xb9e7, cur, v),
        AtomicRmwOp::Nand => {
            rrk(e, 0xb9f4, 0xb9e4, cur, v);
            e.put_word(encode::ril(0xc07, new, u32::MAX));
            if wide {
                e.put_word(encode::ril(0xc06, new, u32::MAX));
            }
        }
        AtomicRmwOp::Xchg => e.put_word(encode::rr(0xb904, new, v)),
        AtomicRmwOp::Umin | AtomicRmwOp::Umax | AtomicRmwOp::Smin | AtomicRmwOp::Smax => {
            let signed = matches!(op, AtomicRmwOp::Smin | AtomicRmwOp::Smax);
            extend_field(e, bits, signed, new, cur);
            extend_field(e, bits, signed, tmp, v);
            // CGR/CLGR new, tmp; take v when new is higher (min) or lower (max).
            e.put_word(encode::rr(if signed { 0xb920 } else { 0xb921 }, new, tmp));
            let take = match op {
                AtomicRmwOp::Umin | AtomicRmwOp::Smin => Cond::H,
                _ => Cond::L,
            };
            e.put_word(encode::rrf(0xb9e2, take.code(), 0, new, tmp));
        }
    }
}

/// A read-modify-write loop: load, compute, compare and swap, retry; `result` gets the
/// old value. 8- and 16-bit fields work on their aligned word. `temps` are aligned,
/// shift, nshift, word, t, new.
#[allow(clippy::too_many_arguments)]
pub fn atomic_loop(
    e: &mut Emit<'_>,
    op: AtomicRmwOp,
    bits: u8,
    result: u32,
    addr: u32,
    v: u32,
    temps: [u32; 6],
    trap: OptionTrapCode,
) {
    let [aligned, shift, nshift, word, t, new] = temps;
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    if bits >= 32 {
        let (load, cs) = if bits == 64 {
            (LoadOp::Lg.code(), CsOp::Csg)
        } else {
            (0x58_e358, CsOp::Cs)
        };
        mem_access(e, load, word, &MemAlloc::Bxd(addr, 0, 0), None);
        let start = e.buf.cur_offset();
        rmw_value(e, op, bits, new, word, v, t);
        cas(e, cs, word, new, addr, trap);
        branch_back_if_changed(e, start);
        e.put_word(encode::rr(0xb904, result, word));
        return;
    }
    narrow_setup(e, bits, addr, aligned, shift, nshift);
    mem_access(e, 0x58_e358, word, &MemAlloc::Bxd(aligned, 0, 0), None);
    let start = e.buf.cur_offset();
    e.put_word(encode::rxy(0xeb1d, t, word, shift, 0));
    rmw_value(e, op, bits, new, t, v, result);
    // RISBG t, new, 64-bits, 63, 0: the new field into the word's low bits.
    e.put_word(encode::rie(
        0xec55,
        t,
        new,
        u16::from(64 - bits) << 8 | 63,
        0,
    ));
    e.put_word(encode::rxy(0xeb1d, new, t, nshift, 0));
    cas(e, CsOp::Cs, word, new, aligned, trap);
    branch_back_if_changed(e, start);
    e.put_word(encode::rxy(0xeb1d, result, word, shift, 0));
}

/// An 8- or 16-bit compare and swap: a CS loop on the aligned word that gives up when
/// the field differs from `expected`; `result` gets the field found (zero-extended).
#[allow(clippy::too_many_arguments)]
pub fn atomic_cas_narrow(
    e: &mut Emit<'_>,
    bits: u8,
    result: u32,
    addr: u32,
    expected: u32,
    replacement: u32,
    temps: [u32; 6],
    trap: OptionTrapCode,
) {
    let [aligned, shift, nshift, word, t, new] = temps;
    narrow_setup(e, bits, addr, aligned, shift, nshift);
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    mem_access(e, 0x58_e358, word, &MemAlloc::Bxd(aligned, 0, 0), None);
    let start = e.buf.cur_offset();
    e.put_word(encode::rxy(0xeb1d, t, word, shift, 0));
    extend_field(e, bits, false, result, t);
    extend_field(e, bits, false, new, expected);
    e.put_word(encode::rr(0xb921, result, new));
    let done = e.buf.get_label();
    e.branch(
        encode::ril(0xc04, Cond::Ne.code(), 0),
        done,
        LabelUse::Rel32,
    );
    e.put_word(encode::rie(
        0xec55,
        t,
        replacement,
        u16::from(64 - bits) << 8 | 63,
        0,
    ));
    e.put_word(encode::rxy(0xeb1d, new, t, nshift, 0));
    cas(e, CsOp::Cs, word, new, aligned, trap);
    branch_back_if_changed(e, start);
    e.buf.bind_label(done);
}

/// LPQ or STPQ (RXY-a opcode `op`) of the pair r2:r3 at `addr`.
pub fn quad(e: &mut Emit<'_>, op: u32, addr: u32, trap: OptionTrapCode) {
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put_word(encode::rxy(op, 2, 0, addr, 0));
}

/// CDSG %r2, %r4, 0(addr).
pub fn cdsg(e: &mut Emit<'_>, addr: u32, trap: OptionTrapCode) {
    if let Some(code) = trap {
        e.buf.add_trap(code);
    }
    e.put_word(encode::rxy(0xeb3e, 2, 4, addr, 0));
}

/// A 16-byte read-modify-write: LPQ %r2, then r4:r5 = op(r2:r3, v) and CDSG until the
/// memory still held r2:r3 (a failed CDSG reloads it).
pub fn atomic128_loop(
    e: &mut Emit<'_>,
    op: AtomicRmwOp,
    addr: u32,
    v_hi: u32,
    v_lo: u32,
    trap: OptionTrapCode,
) {
    quad(e, 0xe38f, addr, trap);
    let start = e.buf.cur_offset();
    let lgr = |e: &mut Emit<'_>, d: u32, s: u32| e.put_word(encode::rr(0xb904, d, s));
    match op {
        AtomicRmwOp::Add | AtomicRmwOp::Sub => {
            // ALGRK/SLGRK of the low halves, then ALCGR/SLBGR of the high ones.
            let (low, high) = if op == AtomicRmwOp::Add {
                (0xb9ea, 0xb988)
            } else {
                (0xb9eb, 0xb989)
            };
            e.put_word(encode::rrf(low, v_lo, 0, 5, 3));
            lgr(e, 4, 2);
            e.put_word(encode::rr(high, 4, v_hi));
        }
        AtomicRmwOp::And | AtomicRmwOp::Or | AtomicRmwOp::Xor | AtomicRmwOp::Nand => {
            let rrk = match op {
                AtomicRmwOp::Or => 0xb9e6,
                AtomicRmwOp::Xor => 0xb9e7,
                _ => 0xb9e4,
            };
            e.put_word(encode::rrf(rrk, v_hi, 0, 4, 2));
            e.put_word(encode::rrf(rrk, v_lo, 0, 5, 3));
            if op == AtomicRmwOp::Nand {
                for r in [4, 5] {
                    e.put_word(encode::ril(0xc07, r, u32::MAX));
                    e.put_word(encode::ril(0xc06, r, u32::MAX));
                }
            }
        }
        AtomicRmwOp::Xchg => {
            lgr(e, 4, v_hi);
            lgr(e, 5, v_lo);
        }
        AtomicRmwOp::Umin | AtomicRmwOp::Umax | AtomicRmwOp::Smin | AtomicRmwOp::Smax => {
            // Compare the high halves (signed or not), then the low ones unsigned; take
            // v when the old value is higher (min) or lower (max).
            let signed = matches!(op, AtomicRmwOp::Smin | AtomicRmwOp::Smax);
            let take_if = match op {
                AtomicRmwOp::Umin | AtomicRmwOp::Smin => Cond::H,
                _ => Cond::L,
            };
            let keep_if = if take_if == Cond::H { Cond::L } else { Cond::H };
            let (take, keep, done) = (e.buf.get_label(), e.buf.get_label(), e.buf.get_label());
            e.put_word(encode::rr(if signed { 0xb920 } else { 0xb921 }, 2, v_hi));
            e.branch(encode::ril(0xc04, take_if.code(), 0), take, LabelUse::Rel32);
            e.branch(encode::ril(0xc04, keep_if.code(), 0), keep, LabelUse::Rel32);
            e.put_word(encode::rr(0xb921, 3, v_lo));
            e.branch(encode::ril(0xc04, take_if.code(), 0), take, LabelUse::Rel32);
            e.buf.bind_label(keep);
            lgr(e, 4, 2);
            lgr(e, 5, 3);
            e.branch(encode::ril(0xc04, 15, 0), done, LabelUse::Rel32);
            e.buf.bind_label(take);
            lgr(e, 4, v_hi);
            lgr(e, 5, v_lo);
            e.buf.bind_label(done);
        }
    }
    cdsg(e, addr, trap);
    branch_back_if_changed(e, start);
}

/// LARL of a block's address.
pub fn larl_label(e: &mut Emit<'_>, rd: u32, target: BlockTarget) {
    let label = e.labels[target];
    e.branch(encode::ril(0xc00, rd, 0), label, LabelUse::Rel32);
}

/// `basr %r14, rn`.
pub fn call_ind(e: &mut Emit<'_>, rn: u32, info: &CallInfo) {
    e.put_word(encode::rr(0x0d, 14, rn));
    after_call(e, info);
}

/// A tail call to `dest` (or to the address in register `target`) passing
/// `stack_bytes` of stack arguments: the callee-saved registers restored, the outgoing
/// arguments copied to where the callee expects them (ending where this function's
/// incoming area ends; the callee pops them), the stack pointer moved there, the jump.
pub fn return_call(
    e: &mut Emit<'_>,
    dest: Option<&ExternalName>,
    target: Option<u32>,
    stack_bytes: u32,
) {
    let f = e.frame;
    if let Some(t) = target {
        e.put_word(encode::rr(0xb904, SCRATCH, t));
    }
    for (reg, offset) in f.fpr_slots() {
        fpr_slot(e, true, reg, offset);
    }
    let size = i64::from(f.size());
    if let Some(from) = f.save_from {
        if f.pinned && from <= super::frame::PINNED {
            // LMG reloads the pinned register from its slot: put its value there.
            let slot = size + 8 * i64::from(super::frame::PINNED);
            e.put_word(encode::rxy(0xe324, 13, 0, SP, slot as i32));
        }
        let at = size + 8 * i64::from(from);
        e.put_word(encode::rxy(0xeb04, u32::from(from), 14, SP, at as i32));
    }
    let dest_base =
        size + i64::from(super::frame::SAVE_AREA + f.callee_pop) - i64::from(stack_bytes);
    for k in (0..stack_bytes).step_by(8) {
        let src = MemAlloc::Bxd(SP, 0, i64::from(f.outgoing_base() + k));
        mem_access(e, LoadOp::Lg.code(), SCRATCH0, &src, None);
        let dst = MemAlloc::Bxd(SP, 0, dest_base + i64::from(k));
        mem_access(e, StoreOp::Stg.code(), SCRATCH0, &dst, None);
    }
    let delta = size + i64::from(f.callee_pop) - i64::from(stack_bytes);
    if delta != 0 {
        sp_adjust(e, delta as i32);
    }
    match dest {
        Some(dest) => {
            let at = e.buf.cur_offset();
            e.buf.add_reloc_at_offset(
                at + 2,
                Reloc::S390xPLTRel32Dbl,
                RelocTarget::ExternalName(dest.clone()),
                2,
            );
            e.put_word(encode::ril(0xc04, 15, 0));
        }
        None => e.put_word(encode::rr(0x07, 15, SCRATCH)),
    }
}

/// The trapping opcode 0000, recorded as a trap with `code`.
pub fn trap(e: &mut Emit<'_>, code: TrapCode) {
    e.buf.add_trap(code);
    e.put_word(encode::trap());
}

/// The breakpoint opcode 0001.
pub fn debugtrap(e: &mut Emit<'_>) {
    e.buf.put_data(&[0x00, 0x01]);
}

/// BRC on the inverted condition over a trap.
pub fn trap_if(e: &mut Emit<'_>, cond: Cond, code: TrapCode) {
    e.put_word(encode::ri(0xa74, invert(cond), 3));
    trap(e, code);
}

/// Moves the stack pointer by `delta` bytes: AGHI, or AGFI.
pub fn sp_adjust(e: &mut Emit<'_>, delta: i32) {
    match i16::try_from(delta) {
        Ok(d) => e.put_word(encode::ri(0xa7b, SP, d as u16)),
        Err(_) => e.put_word(encode::ril(0xc28, SP, delta as u32)),
    }
}

/// The stack pointer moved by `delta` bytes with the old one stored at the new one
/// (the back chain of the s390x ELF ABI).
pub fn sp_adjust_chain(e: &mut Emit<'_>, delta: i32) {
    e.put_word(encode::rr(0xb904, SCRATCH, SP));
    sp_adjust(e, delta);
    e.put_word(encode::rxy(0xe324, SCRATCH, 0, SP, 0));
}

/// The prologue of a realigned frame: r11 = the entry stack pointer, the stack pointer
/// moved down by `size` bytes and aligned to 16, the back chain (r11) at 0(%r15).
pub fn sp_realign(e: &mut Emit<'_>, size: u32) {
    let entry = u32::from(super::frame::ENTRY_SP);
    e.put_word(encode::rr(0xb904, entry, SP));
    sp_adjust(e, -(size as i32));
    e.put_word(encode::ri(0xa57, SP, 0xfff0));
    e.put_word(encode::rxy(0xe324, entry, 0, SP, 0));
}

/// Records an unwind rule here.
pub fn unwind(e: &mut Emit<'_>, op: UnwindOp) {
    e.buf.add_unwind(op);
}

/// The stack-limit check at the start of the prologue: the limit into r1 from the
/// `vmctx` argument, plus the `needed` bytes of the frame; the stack pointer below it
/// traps.
pub fn stack_check(e: &mut Emit<'_>, limit: &StackLimit, needed: u32) {
    match limit.base {
        LimitBase::Reg(p) => e.put_word(encode::rr(0xb904, SCRATCH, p.hw_enc() as u32)),
        // Before the prologue, the stack pointer is where the caller left it.
        LimitBase::StackArg(off) => {
            let mem = MemAlloc::Bxd(SP, 0, i64::from(super::frame::SAVE_AREA + off));
            mem_access(e, LoadOp::Lg.code(), SCRATCH, &mem, None);
        }
    }
    for step in &limit.steps {
        match *step {
            LimitStep::Load(d) => {
                let mem = MemAlloc::Bxd(SCRATCH, 0, i64::from(d));
                mem_access(e, LoadOp::Lg.code(), SCRATCH, &mem, None);
            }
            LimitStep::Add(d) => e.put_word(encode::ril(0xc28, SCRATCH, d as u32)),
        }
    }
    if needed > 0 {
        e.put_word(encode::ril(0xc28, SCRATCH, needed));
    }
    // CLGR %r15, %r1; BRC "not low" over the trap.
    e.put_word(encode::rr(0xb921, SP, SCRATCH));
    e.put_word(encode::ri(0xa74, Cond::He.code(), 3));
    trap(e, TrapCode::STACK_OVERFLOW);
}
