//! The x86-64 backend.
//!
//! `inst/` holds the machine instructions and their encoding, `lower` the lowering from
//! CLIF (ISLE rules in `lower.isle`), and this module what the shared pipeline
//! (`machinst::compile`) asks of the ISA: lowering, the register environment, the frame
//! and the prologue.

pub mod abi;
pub mod inst;
pub mod lower;
pub mod unwind;

use crate::ir::FunctionStencil;
use crate::isa::TargetIsa;
use crate::machinst::CodegenError;
use crate::machinst::compile::Backend;
use crate::machinst::compiled::CompiledCodeStencil;
use crate::machinst::vcode::VCode;
use crate::settings::X64Flags;
use abi::Conv;
use alloc::vec::Vec;
use inst::frame::Frame;
use inst::regs::Gpr;
use regalloc2::{MachineEnv, PRegSet};

/// The x86-64 target with its flags.
#[derive(Clone, Debug)]
pub struct X64Isa {
    triple: target_lexicon::Triple,
    flags: X64Flags,
    shared: crate::settings::Flags,
}

impl X64Isa {
    /// The target `triple` with ISA flags `flags` and shared settings `shared`.
    pub fn new(
        triple: target_lexicon::Triple,
        flags: X64Flags,
        shared: crate::settings::Flags,
    ) -> X64Isa {
        X64Isa {
            triple,
            flags,
            shared,
        }
    }

    /// The ISA flags.
    pub fn flags(&self) -> &X64Flags {
        &self.flags
    }
}

/// The registers regalloc2 may use in a function of convention `conv`: caller-saved
/// ones first, then callee-saved ones (which cost a save and restore). `rsp` and `rbp`
/// are never allocated. With `pinned`, `r15` is reserved for
/// `get_pinned_reg`/`set_pinned_reg`.
fn machine_env(pinned: bool, conv: Conv) -> MachineEnv {
    let saved = conv.callee_saved_gprs();
    let kept = conv.callee_saved_xmms();
    let usable = |g: &Gpr| *g != Gpr::RSP && *g != Gpr::RBP && !(pinned && *g == Gpr::R15);
    let xmms = |keep: bool| {
        (0..16u8)
            .filter(|i| kept.contains(i) == keep)
            .map(|i| inst::regs::Xmm::new(i).preg())
            .collect()
    };
    MachineEnv {
        preferred_regs_by_class: [
            Gpr::ALL
                .iter()
                .filter(|g| usable(g) && !saved.contains(g))
                .map(|g| g.preg())
                .collect(),
            xmms(false),
            Vec::new(),
        ],
        non_preferred_regs_by_class: [
            saved
                .iter()
                .filter(|g| usable(g))
                .map(|g| g.preg())
                .collect(),
            xmms(true),
            Vec::new(),
        ],
        scratch_by_class: [None, None, None],
        fixed_stack_slots: Vec::new(),
    }
}

impl TargetIsa for X64Isa {
    fn name(&self) -> &'static str {
        "x86_64"
    }

    fn shared_flags(&self) -> &crate::settings::Flags {
        &self.shared
    }

    fn unwind_cie(&self) -> Option<crate::machinst::unwind::CieInfo> {
        Some(unwind::cie())
    }

    fn isa_flags(&self) -> crate::settings::IsaFlags {
        crate::settings::IsaFlags::X64(self.flags)
    }

    fn endianness(&self) -> crate::ir::Endianness {
        crate::ir::Endianness::Little
    }

    fn triple(&self) -> &target_lexicon::Triple {
        &self.triple
    }

    fn compile_stencil(
        &self,
        func: &FunctionStencil,
        want_vcode: bool,
    ) -> Result<CompiledCodeStencil, CodegenError> {
        crate::machinst::compile::compile(self, func, &self.shared, want_vcode)
    }
}

impl Backend for X64Isa {
    fn small_vectors_widened(&self) -> Option<crate::ir::memflags::Endianness> {
        Some(crate::ir::memflags::Endianness::Little)
    }

    type Inst = inst::Inst;

    fn lower(&self, func: &FunctionStencil) -> Result<VCode<inst::Inst>, CodegenError> {
        let backend = lower::X64Lower {
            flags: self.flags,
            tls_model: self.shared.tls_model,
            pic: self.shared.is_pic,
        };
        crate::machinst::lower::lower(&backend, func)
    }

    fn machine_env(&self, func: &FunctionStencil) -> Result<MachineEnv, CodegenError> {
        let conv = Conv::of(func.signature.call_conv)?;
        Ok(machine_env(self.shared.enable_pinned_reg, conv))
    }

    fn frame(
        &self,
        func: &FunctionStencil,
        vcode: &VCode<inst::Inst>,
        written: PRegSet,
        spill_slots: u32,
    ) -> Result<Frame, CodegenError> {
        // The callee-saved registers the code writes need saving (a Windows x64 function
        // calling a System V one loses rsi, rdi and xmm6-15 to the call).
        let conv = Conv::of(func.signature.call_conv)?;
        // (A register carrying a result is the caller's to read, not to get back.)
        let sig = abi::SigAbi::new(&func.signature)?;
        let results: Vec<regalloc2::PReg> = sig
            .rets
            .iter()
            .filter_map(|l| match l {
                abi::ArgLoc::Reg(p) => Some(*p),
                _ => None,
            })
            .collect();
        let callee_saved: Vec<regalloc2::PReg> = conv
            .callee_saved_gprs()
            .iter()
            .map(|g| g.preg())
            .chain(
                conv.callee_saved_xmms()
                    .map(|x| inst::regs::Xmm::new(x).preg()),
            )
            .filter(|p| !results.contains(p))
            .collect();
        let (_, stack_slot_bytes) = crate::machinst::lower::stack_slot_layout(func)?;
        let mut frame = Frame::new(crate::machinst::abi::FrameAreas::new(
            &callee_saved,
            written,
            spill_slots,
            8,
            stack_slot_bytes,
            vcode.outgoing_args_bytes(),
            16,
        ));
        // A leaf function without frame storage pushes no more than its saved
        // registers: like Cranelift, it leaves the stack-limit check out (the limit
        // keeps that much slack).
        let leaf_without_storage = stack_slot_bytes == 0
            && spill_slots == 0
            && vcode.outgoing_args_bytes() == 0
            && !vcode.insts().iter().any(inst::Inst::is_call);
        if let Some(gv) = func.stack_limit.filter(|_| !leaf_without_storage) {
            frame.stack_limit = Some(crate::machinst::abi::StackLimit::of::<abi::X64Abi>(
                func, gv,
            )?);
        }
        frame.pic = self.shared.is_pic;
        frame.callee_pop = abi::SigAbi::new(&func.signature)?.callee_pop_bytes;
        if frame.callee_pop > u32::from(u16::MAX) {
            // `ret imm16` pops at most 65535 bytes.
            return Err(CodegenError::Unsupported {
                feature: "more than 65535 bytes of stack arguments in the tail convention on \
                          x86_64"
                    .into(),
            });
        }
        if self.shared.enable_probestack {
            frame.probe_guard = Some(1 << self.shared.probestack_size_log2.clamp(12, 30));
            frame.probe_outline =
                self.shared.probestack_strategy == crate::settings::ProbestackStrategy::Outline;
        }
        Ok(frame)
    }
}
