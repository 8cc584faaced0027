//! s390x machine instructions. The instruction type, its operands, emission and
//! printing are generated from `table.def` (see `codegen/meta/inst_table.rs`); this
//! module adds the `MachInst` glue: moves, spills, the prologue and epilogue, label uses.

pub mod args;
pub mod emit;
#[cfg(test)]
mod emit_tests;
pub mod encode;
pub mod frame;
pub mod regs;

use crate::ir::{ExternalName, Type};
use crate::machinst::buffer::{MachBuffer, MachLabel};
pub use crate::machinst::call::CallInfo;
use crate::machinst::reg::{Reg, Writable};
use crate::machinst::{MachInst, call::CallInsts};
use alloc::boxed::Box;
use alloc::vec::Vec;
use args::{MemAlloc, MemArg};
use emit::Emit;
use frame::Frame;
use regalloc2::{Allocation, PReg, PRegSet, RegClass};

/// The generated instruction code (`OUT_DIR/s390x_inst.rs`).
#[allow(missing_docs, clippy::all)]
pub mod generated {
    use super::args::{BlockTarget, MemArg, OptionTrapCode};
    use super::emit::{self, Emit};
    use super::{CallInfo, encode};
    use crate::ir::{AtomicRmwOp, ExternalName, TrapCode};
    use crate::machinst::abi::StackLimit;
    use crate::machinst::reg::{Reg, Writable};
    use crate::machinst::unwind::UnwindOp;
    use crate::machinst::vcode::OperandCollector;
    use alloc::boxed::Box;
    use alloc::vec::Vec;
    #[allow(unused_imports)]
    use regalloc2::{PReg, PRegSet};
    include!(concat!(env!("OUT_DIR"), "/s390x_inst.rs"));
}

pub use generated::*;

/// The kinds of label references: PC-relative offsets in halfwords from the
/// instruction's start (z/Architecture Principles of Operation, "Relative-Immediate
/// Addressing"), and jump-table entries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LabelUse {
    /// BRC (RI-c): a signed 16-bit halfword offset in bytes 2-3, ±64 KiB; out of reach,
    /// through a veneer (a BRCL).
    Rel16,
    /// BRCL, LARL (RIL-b/c): a signed 32-bit halfword offset in bytes 2-5, ±4 GiB.
    Rel32,
    /// A jump-table entry: the 32-bit offset in bytes from the entry to the label.
    PcRel32,
}

impl crate::machinst::buffer::LabelUse for LabelUse {
    fn max_pos_range(self) -> u32 {
        match self {
            LabelUse::Rel16 => (1 << 16) - 2,
            _ => i32::MAX as u32,
        }
    }

    fn max_neg_range(self) -> u32 {
        match self {
            LabelUse::Rel16 => 1 << 16,
            _ => i32::MAX as u32,
        }
    }

    fn patch_size(self) -> u32 {
        match self {
            LabelUse::Rel32 => 6,
            LabelUse::Rel16 | LabelUse::PcRel32 => 4,
        }
    }

    fn patch(self, bytes: &mut [u8], use_offset: u32, label_offset: u32) {
        let delta = i64::from(label_offset) - i64::from(use_offset);
        match self {
            LabelUse::Rel16 => bytes[2..4].copy_from_slice(&((delta >> 1) as i16).to_be_bytes()),
            LabelUse::Rel32 => bytes[2..6].copy_from_slice(&((delta >> 1) as i32).to_be_bytes()),
            LabelUse::PcRel32 => bytes[..4].copy_from_slice(&(delta as i32).to_be_bytes()),
        }
    }

    fn supports_veneer(self) -> bool {
        self == LabelUse::Rel16
    }

    fn veneer_size(self) -> u32 {
        6
    }

    fn generate_veneer(self, bytes: &mut [u8], veneer_offset: u32) -> (u32, LabelUse) {
        // BRCL 15 to the label.
        let (insn, len) = encode::ril(0xc04, 15, 0).bytes();
        bytes[..len].copy_from_slice(&insn[..len]);
        (veneer_offset, LabelUse::Rel32)
    }

    fn align() -> u32 {
        2
    }
}

impl Inst {
    /// Emits `jg label`.
    pub fn emit_jump_to(label: MachLabel, buf: &mut MachBuffer<LabelUse>) {
        let at = buf.cur_offset();
        let (bytes, len) = encode::ril(0xc04, 15, 0).bytes();
        buf.put_data(&bytes[..len]);
        buf.use_label_at_offset(at, label, LabelUse::Rel32);
    }
}

impl MachInst for Inst {
    crate::table_mach_inst_methods!();

    type LabelUse = LabelUse;
    type Frame = Frame;

    fn emit(
        &self,
        allocs: &[Allocation],
        buf: &mut MachBuffer<LabelUse>,
        labels: &[MachLabel],
        next: Option<MachLabel>,
        frame: &Frame,
    ) {
        let mut e = Emit {
            buf,
            labels,
            next,
            frame,
        };
        self.emit_form(allocs, &mut e);
    }

    fn emit_move(
        from: Allocation,
        to: Allocation,
        class: RegClass,
        buf: &mut MachBuffer<LabelUse>,
        frame: &Frame,
    ) {
        let mut e = Emit {
            buf,
            labels: &[],
            next: None,
            frame,
        };
        match (from.as_reg(), to.as_reg()) {
            (Some(f), Some(t)) => {
                let (f, t) = (f.hw_enc() as u32, t.hw_enc() as u32);
                e.put_word(match class {
                    RegClass::Int => encode::rr(0xb904, t, f),
                    _ => encode::vrr(0xe756, t, f, 0, 0, 0, 0, 0),
                });
            }
            (Some(f), None) => {
                let slot = to.as_stack().expect("a spill slot").index() as u32;
                spill(&mut e, false, class, f.hw_enc() as u32, slot);
            }
            (None, Some(t)) => {
                let slot = from.as_stack().expect("a spill slot").index() as u32;
                spill(&mut e, true, class, t.hw_enc() as u32, slot);
            }
            (None, None) => unreachable!("regalloc2 moves no slot to a slot"),
        }
    }

    fn gen_prologue(frame: &Frame) -> Vec<Inst> {
        frame.prologue()
    }

    fn gen_teardown(&self, frame: &Frame) -> Vec<Inst> {
        match self {
            Inst::Ret { .. } => frame.epilogue(),
            _ => Vec::new(),
        }
    }

    fn emit_jump(label: MachLabel, buf: &mut MachBuffer<LabelUse>) {
        Inst::emit_jump_to(label, buf);
    }

    fn emit_nops(buf: &mut MachBuffer<LabelUse>, bytes: u32) {
        // BCR 0, 0: a two-byte no-op.
        for _ in 0..bytes / 2 {
            buf.put_data(&[0x07, 0x00]);
        }
    }

    fn worst_case_size() -> u32 {
        // A jump table's header (38 bytes) or a load of an external name (18), a
        // memory access with its offset built in r1 (18): well below 64 bytes.
        64
    }

    fn indirect_targets(&self) -> &[usize] {
        match self {
            Inst::BrTable { targets, .. } => targets,
            Inst::TryCall { handlers, .. } | Inst::TryCallInd { handlers, .. } => handlers,
            _ => &[],
        }
    }

    fn call_writes(&self) -> Option<PRegSet> {
        // A callee keeps f8-f15 (the leftmost 64 bits of v8-v15), all that this
        // function's callers may rely on: a call alone does not make them need saving.
        // A `try_call` (a branch) may come back through an unwinder, which restores
        // none of them: all its clobbers count.
        let is_try_call = self.is_branch();
        self.form_call_info().map(|i| {
            let mut set = i.clobbers;
            if !is_try_call {
                for n in super::abi::CALLEE_SAVED_FPRS {
                    set.remove(regs::vr(n));
                }
            }
            set
        })
    }

    fn spillslot_size(class: RegClass) -> usize {
        match class {
            RegClass::Int => 1,
            _ => 2,
        }
    }

    fn preg_name(p: PReg) -> alloc::string::String {
        regs::name(p)
    }
}

/// A spill (`load` false) or reload of register `r` of `class` to or from spill slot
/// `slot`: STG/LG, or VST/VL of the whole vector register.
fn spill(e: &mut Emit<'_>, load: bool, class: RegClass, r: u32, slot: u32) {
    let mem = MemAlloc::Spill(slot);
    match (class, load) {
        (RegClass::Int, true) => emit::load(e, LoadOp::Lg, r, &mem, None),
        (RegClass::Int, false) => emit::store(e, StoreOp::Stg, r, &mem, None),
        (_, load) => emit::vector_access(e, load, r, &mem),
    }
}

/// How a register part of type `ty` moves to and from memory.
pub fn mem_ops(ty: Type) -> (LoadOp, StoreOp) {
    match ty {
        Type::F32 => (LoadOp::Le, StoreOp::Ste),
        Type::F64 => (LoadOp::Ld, StoreOp::Std),
        Type::I8 => (LoadOp::Llgc, StoreOp::Stc),
        Type::I16 => (LoadOp::Llgh, StoreOp::Sth),
        Type::I32 => (LoadOp::Llgf, StoreOp::St),
        _ => (LoadOp::Lg, StoreOp::Stg),
    }
}

/// The vector load and store of a register part of type `ty` that FPR forms do not
/// move: f16 (element 0's halfword) and 128-bit values.
fn vec_mem_ops(ty: Type) -> Option<(VecMemOp, VecMemOp)> {
    match ty {
        Type::F16 => Some((VecMemOp::Vleh, VecMemOp::Vsteh)),
        t if t.bits() == 128 && !t.is_int() || t.is_vector() => Some((VecMemOp::Vl, VecMemOp::Vst)),
        _ => None,
    }
}

/// A load of a register part of type `ty`.
pub fn gen_load(ty: Type, dst: Writable<Reg>, mem: MemArg) -> Inst {
    let (op, _) = mem_ops(ty);
    if let Some((op, _)) = vec_mem_ops(ty) {
        return Inst::VecLoad {
            op,
            rd: dst,
            mem,
            trap: None,
        };
    }
    if dst.to_reg().class() == RegClass::Int {
        Inst::Load {
            op,
            rd: dst,
            mem,
            trap: None,
        }
    } else {
        Inst::FpuLoad {
            op,
            rd: dst,
            mem,
            trap: None,
        }
    }
}

/// A store of a register part of type `ty`.
pub fn gen_store(ty: Type, src: Reg, mem: MemArg) -> Inst {
    let (_, op) = mem_ops(ty);
    if let Some((_, op)) = vec_mem_ops(ty) {
        return Inst::VecStore {
            op,
            rs: src,
            mem,
            trap: None,
        };
    }
    if src.class() == RegClass::Int {
        Inst::Store {
            op,
            rs: src,
            mem,
            trap: None,
        }
    } else {
        Inst::FpuStore {
            op,
            rs: src,
            mem,
            trap: None,
        }
    }
}

impl crate::machinst::call::FrameInsts for Inst {
    fn gen_args(args: alloc::vec::Vec<(Writable<Reg>, regalloc2::PReg)>) -> Inst {
        Inst::Args { args }
    }

    fn gen_call(dest: ExternalName, info: Box<CallInfo>) -> Inst {
        Inst::Call { dest, info }
    }

    fn gen_load_incoming(offset: u32, ty: Type, dst: Writable<Reg>) -> Inst {
        gen_load(
            ty,
            dst,
            MemArg::IncomingArg {
                offset: i64::from(offset),
            },
        )
    }

    fn gen_load_from(ty: Type, dst: Writable<Reg>, base: Reg, offset: u32) -> Inst {
        gen_load(
            ty,
            dst,
            MemArg::RegOffset {
                base,
                offset: i64::from(offset),
            },
        )
    }

    fn gen_store_to(ty: Type, src: Reg, base: Reg, offset: u32) -> Inst {
        gen_store(
            ty,
            src,
            MemArg::RegOffset {
                base,
                offset: i64::from(offset),
            },
        )
    }
}

impl CallInsts for Inst {
    fn part_class(ty: Type) -> RegClass {
        if ty.is_int() && !ty.is_vector() {
            RegClass::Int
        } else {
            RegClass::Float
        }
    }

    fn gen_store_stack_arg(offset: u32, ty: Type, src: Reg) -> Inst {
        gen_store(
            ty,
            src,
            MemArg::Outgoing {
                offset: i64::from(offset),
            },
        )
    }

    fn gen_load_outgoing(offset: u32, ty: Type, dst: Writable<Reg>) -> Inst {
        gen_load(
            ty,
            dst,
            MemArg::Outgoing {
                offset: i64::from(offset),
            },
        )
    }

    fn gen_outgoing_addr(offset: u32, dst: Writable<Reg>) -> Inst {
        Inst::LoadAddr {
            rd: dst,
            mem: MemArg::Outgoing {
                offset: i64::from(offset),
            },
        }
    }

    fn gen_extend(signed: bool, ty: Type, src: Reg, dst: Writable<Reg>) -> Inst {
        let op = match (ty.bits(), signed) {
            (8, false) => UnOp::Llgcr,
            (8, true) => UnOp::Lgbr,
            (16, false) => UnOp::Llghr,
            (16, true) => UnOp::Lghr,
            (_, false) => UnOp::Llgfr,
            (_, true) => UnOp::Lgfr,
        };
        Inst::Unary {
            op,
            rd: dst,
            rn: src,
        }
    }

    fn gen_load_ext_name(name: ExternalName, dst: Writable<Reg>) -> Inst {
        Inst::LoadExtName {
            rd: dst,
            name,
            offset: 0,
        }
    }

    fn gen_call_indirect(callee: Reg, info: Box<CallInfo>) -> Inst {
        Inst::CallInd { rn: callee, info }
    }

    fn gen_try_call(
        dest: Option<ExternalName>,
        callee: Option<Reg>,
        info: Box<CallInfo>,
        normal: usize,
        handlers: Vec<usize>,
        tags: Vec<Option<u32>>,
    ) -> Inst {
        match (dest, callee) {
            (Some(dest), _) => Inst::TryCall {
                dest,
                info,
                normal,
                handlers,
                tags,
            },
            (None, Some(rn)) => Inst::TryCallInd {
                rn,
                info,
                normal,
                handlers,
                tags,
            },
            (None, None) => unreachable!("a try_call has a callee"),
        }
    }
}
