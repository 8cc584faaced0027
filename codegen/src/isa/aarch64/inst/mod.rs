//! AArch64 machine instructions. The instruction type, its operands, emission and
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
use args::AMode;
use emit::Emit;
use frame::Frame;
use regalloc2::{Allocation, PReg, PRegSet, RegClass};

/// The generated instruction code (`OUT_DIR/aarch64_inst.rs`).
#[allow(missing_docs, clippy::all)]
pub mod generated {
    use super::args::{AMode, BlockTarget, Imm12, ImmLogic, OptionTrapCode};
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
    include!(concat!(env!("OUT_DIR"), "/aarch64_inst.rs"));
}

pub use generated::*;

/// The kinds of label references (Arm ARM C4.1.89, branches): their ranges are the
/// signed word offsets of their immediate fields.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LabelUse {
    /// B.cond, CBZ/CBNZ, LDR (literal): 19 bits at bit 5, ±1 MiB.
    Branch19,
    /// B, BL: 26 bits at bit 0, ±128 MiB.
    Branch26,
    /// A jump-table entry: the 32-bit offset from the entry to the label.
    PcRel32,
    /// ADR: 21 bits in two fields, ±1 MiB.
    Adr21,
    /// LDR (literal): 19 bits at bit 5, ±1 MiB, to data (no veneer).
    Ldr19,
}

impl crate::machinst::buffer::LabelUse for LabelUse {
    fn max_pos_range(self) -> u32 {
        match self {
            LabelUse::Branch19 | LabelUse::Ldr19 => (1 << 20) - 4,
            LabelUse::Branch26 => (1 << 27) - 4,
            LabelUse::PcRel32 => i32::MAX as u32,
            LabelUse::Adr21 => (1 << 20) - 1,
        }
    }

    fn max_neg_range(self) -> u32 {
        match self {
            LabelUse::Branch19 | LabelUse::Ldr19 => 1 << 20,
            LabelUse::Branch26 => 1 << 27,
            LabelUse::PcRel32 => i32::MAX as u32,
            LabelUse::Adr21 => 1 << 20,
        }
    }

    fn patch_size(self) -> u32 {
        4
    }

    fn patch(self, bytes: &mut [u8], use_offset: u32, label_offset: u32) {
        let delta = i64::from(label_offset) - i64::from(use_offset);
        let words = delta >> 2;
        let mut word = u32::from_le_bytes(bytes[..4].try_into().expect("four bytes"));
        word = match self {
            LabelUse::Branch19 | LabelUse::Ldr19 => {
                word & !(0x7ffff << 5) | ((words as u32) & 0x7ffff) << 5
            }
            LabelUse::Branch26 => word & !0x3ff_ffff | (words as u32) & 0x3ff_ffff,
            LabelUse::PcRel32 => delta as u32,
            LabelUse::Adr21 => {
                let d = delta as u32;
                word & !(3 << 29 | 0x7ffff << 5) | (d & 3) << 29 | ((d >> 2) & 0x7ffff) << 5
            }
        };
        bytes[..4].copy_from_slice(&word.to_le_bytes());
    }

    fn supports_veneer(self) -> bool {
        self == LabelUse::Branch19
    }

    fn veneer_size(self) -> u32 {
        4
    }

    fn generate_veneer(self, bytes: &mut [u8], veneer_offset: u32) -> (u32, LabelUse) {
        bytes[..4].copy_from_slice(&encode::b().to_le_bytes());
        (veneer_offset, LabelUse::Branch26)
    }

    fn align() -> u32 {
        4
    }
}

impl Inst {
    /// Emits `b label`.
    pub fn emit_jump_to(label: MachLabel, buf: &mut MachBuffer<LabelUse>) {
        let at = buf.cur_offset();
        buf.put4(encode::b(), false);
        buf.use_label_at_offset(at, label, LabelUse::Branch26);
    }
}

/// The load and store of a whole register of `class` (8 bytes, or 16 for vectors).
fn spill_ops(class: RegClass) -> (LoadOp, StoreOp) {
    match class {
        RegClass::Int => (LoadOp::Ldrx, StoreOp::Strx),
        _ => (LoadOp::Ldrq, StoreOp::Strq),
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
        let (load, store) = spill_ops(class);
        match (from.as_reg(), to.as_reg()) {
            (Some(f), Some(t)) => {
                let (f, t) = (f.hw_enc() as u32, t.hw_enc() as u32);
                let word = match class {
                    RegClass::Int => encode::mov(Size::X, t, f),
                    _ => encode::mov_vr(t, f),
                };
                e.put4(word);
            }
            (Some(f), None) => {
                let slot = to.as_stack().expect("a spill slot").index() as u32;
                let mem = args::AModeAlloc::Spill(slot);
                emit::store(&mut e, store, f.hw_enc() as u32, &mem, None);
            }
            (None, Some(t)) => {
                let slot = from.as_stack().expect("a spill slot").index() as u32;
                let mem = args::AModeAlloc::Spill(slot);
                emit::load(&mut e, load, t.hw_enc() as u32, &mem, None);
            }
            (None, None) => unreachable!("regalloc2 moves no slot to a slot"),
        }
    }

    fn gen_prologue(frame: &Frame) -> Vec<Inst> {
        frame.prologue()
    }

    fn gen_teardown(&self, frame: &Frame) -> Vec<Inst> {
        match self {
            Inst::ReturnCall { stack_bytes, .. } | Inst::ReturnCallInd { stack_bytes, .. } => {
                frame.tail_call_teardown(*stack_bytes)
            }
            Inst::Ret { .. } => frame.epilogue(),
            _ => Vec::new(),
        }
    }

    fn emit_jump(label: MachLabel, buf: &mut MachBuffer<LabelUse>) {
        Inst::emit_jump_to(label, buf);
    }

    fn emit_nops(buf: &mut MachBuffer<LabelUse>, bytes: u32) {
        for _ in 0..bytes / 4 {
            buf.put4(0xd503_201f, false);
        }
    }

    fn worst_case_size() -> u32 {
        // A load or store with a 64-bit offset built in x16 (5 words), a call with a stack
        // adjustment after it, or the frame record's teardown: well below 64 bytes.
        64
    }

    fn indirect_targets(&self) -> &[usize] {
        match self {
            Inst::BrTable { targets, .. } => targets,
            Inst::TryCall { handlers, .. } | Inst::TryCallInd { handlers, .. } => handlers,
            _ => &[],
        }
    }

    fn gen_landing_pad(frame: &Frame) -> Option<Inst> {
        frame.bti.then_some(Inst::Hint { op: HintOp::BtiJ })
    }

    fn call_writes(&self) -> Option<PRegSet> {
        // A callee keeps the low 64 bits of v8-v15, all that this function's callers
        // may rely on: a call alone does not make them need saving here.
        // A `try_call` (a branch) may come back through an unwinder, which restores
        // none of them: all its clobbers count.
        let is_try_call = self.is_branch();
        self.form_call_info().map(|i| {
            let mut set = i.clobbers;
            if !is_try_call {
                for n in super::abi::CALLEE_SAVED_FPRS {
                    set.remove(regs::vreg(n));
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

/// How a register part of type `ty` moves to and from memory: its own bytes (a narrow
/// integer's load zero-extends), as packed stack arguments and return areas need.
pub fn mem_ops(ty: Type) -> (LoadOp, StoreOp) {
    match ty {
        Type::I8 => (LoadOp::Ldrb, StoreOp::Strb),
        Type::I16 => (LoadOp::Ldrh, StoreOp::Strh),
        Type::I32 => (LoadOp::Ldrw, StoreOp::Strw),
        Type::F16 => (LoadOp::Ldrfh, StoreOp::Strfh),
        Type::F32 => (LoadOp::Ldrs, StoreOp::Strs),
        Type::F64 => (LoadOp::Ldrd, StoreOp::Strd),
        t if t.is_vector() && t.bits() == 64 => (LoadOp::Ldrd, StoreOp::Strd),
        t if t.is_vector() || t == Type::F128 => (LoadOp::Ldrq, StoreOp::Strq),
        _ => (LoadOp::Ldrx, StoreOp::Strx),
    }
}

/// A load of a register part of type `ty`.
pub fn gen_load(ty: Type, dst: Writable<Reg>, mem: AMode) -> Inst {
    let (op, _) = mem_ops(ty);
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
pub fn gen_store(ty: Type, src: Reg, mem: AMode) -> Inst {
    let (_, op) = mem_ops(ty);
    if src.class() == RegClass::Int {
        Inst::Store {
            op,
            rt: src,
            mem,
            trap: None,
        }
    } else {
        Inst::FpuStore {
            op,
            rt: src,
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
            AMode::IncomingArg {
                offset: i64::from(offset),
            },
        )
    }

    fn gen_load_from(ty: Type, dst: Writable<Reg>, base: Reg, offset: u32) -> Inst {
        gen_load(
            ty,
            dst,
            AMode::RegOffset {
                base,
                offset: i64::from(offset),
            },
        )
    }

    fn gen_store_to(ty: Type, src: Reg, base: Reg, offset: u32) -> Inst {
        gen_store(
            ty,
            src,
            AMode::RegOffset {
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
            AMode::Outgoing {
                offset: i64::from(offset),
            },
        )
    }

    fn gen_load_outgoing(offset: u32, ty: Type, dst: Writable<Reg>) -> Inst {
        gen_load(
            ty,
            dst,
            AMode::Outgoing {
                offset: i64::from(offset),
            },
        )
    }

    fn gen_outgoing_addr(offset: u32, dst: Writable<Reg>) -> Inst {
        Inst::LoadAddr {
            rd: dst,
            mem: AMode::Outgoing {
                offset: i64::from(offset),
            },
        }
    }

    fn gen_extend(signed: bool, ty: Type, src: Reg, dst: Writable<Reg>) -> Inst {
        let op = if signed {
            BitfieldOp::Sbfm
        } else {
            BitfieldOp::Ubfm
        };
        Inst::Bitfield {
            op,
            size: Size::X,
            rd: dst,
            rn: src,
            immr: 0,
            imms: (ty.bits() - 1) as u8,
        }
    }

    fn gen_load_ext_name(name: ExternalName, dst: Writable<Reg>) -> Inst {
        Inst::LoadExtName {
            rd: dst,
            name,
            offset: 0,
            colocated: false,
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
