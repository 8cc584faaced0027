//! The s390x backend (z/Architecture, big-endian; the z13 is the baseline and newer
//! facilities are used only when their flags are set).
//!
//! `inst/` holds the machine instructions (generated from `inst/table.def`) and their
//! encoding, `lower` the lowering from CLIF (ISLE rules in `lower.isle`), `abi` the ELF
//! ABI conventions, and this module what the shared pipeline (`machinst::compile`) asks
//! of the ISA: lowering, the register environment and the frame.

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
use crate::settings::S390xFlags;
use alloc::vec::Vec;
use inst::frame::Frame;
use inst::regs::{gpr, vr};
use regalloc2::{MachineEnv, PRegSet};

/// The s390x target with its flags.
#[derive(Clone, Debug)]
pub struct S390xIsa {
    triple: target_lexicon::Triple,
    flags: S390xFlags,
    shared: crate::settings::Flags,
}

impl S390xIsa {
    /// The target `triple` with ISA flags `flags` and shared settings `shared`.
    pub fn new(
        triple: target_lexicon::Triple,
        flags: S390xFlags,
        shared: crate::settings::Flags,
    ) -> S390xIsa {
        S390xIsa {
            triple,
            flags,
            shared,
        }
    }

    /// The ISA flags.
    pub fn flags(&self) -> &S390xFlags {
        &self.flags
    }
}

/// The registers regalloc2 may use: caller-saved ones first, then callee-saved ones.
/// Never allocated: r0 and r1 (emission scratch), r14 (the return address) and r15
/// (the stack pointer). Float instructions limited to f0-f15 say so per operand.
fn machine_env() -> MachineEnv {
    let high: &[u8] = &[
        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    ];
    MachineEnv {
        preferred_regs_by_class: [
            (2..6).map(gpr).collect(),
            (0..8).chain(high.iter().copied()).map(vr).collect(),
            Vec::new(),
        ],
        non_preferred_regs_by_class: [
            abi::CALLEE_SAVED_GPRS.iter().map(|&n| gpr(n)).collect(),
            abi::CALLEE_SAVED_FPRS.iter().map(|&n| vr(n)).collect(),
            Vec::new(),
        ],
        scratch_by_class: [None, None, None],
        fixed_stack_slots: Vec::new(),
    }
}

/// Whether `func` has a stack slot aligned to more than the ABI's 8 bytes (its frame is
/// then realigned).
fn needs_realign(func: &FunctionStencil) -> bool {
    func.sized_stack_slots.values().any(|s| s.align_shift > 3)
}

impl TargetIsa for S390xIsa {
    fn name(&self) -> &'static str {
        "s390x"
    }

    fn shared_flags(&self) -> &crate::settings::Flags {
        &self.shared
    }

    fn unwind_cie(&self) -> Option<crate::machinst::unwind::CieInfo> {
        Some(unwind::cie())
    }

    fn isa_flags(&self) -> crate::settings::IsaFlags {
        crate::settings::IsaFlags::S390x(self.flags)
    }

    fn endianness(&self) -> crate::ir::Endianness {
        crate::ir::Endianness::Big
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

impl Backend for S390xIsa {
    fn small_vectors_widened(&self) -> Option<crate::ir::memflags::Endianness> {
        Some(crate::ir::memflags::Endianness::Big)
    }

    type Inst = inst::Inst;

    fn lower(&self, func: &FunctionStencil) -> Result<VCode<inst::Inst>, CodegenError> {
        let backend = lower::S390xLower {
            flags: self.flags,
            tls_model: self.shared.tls_model,
        };
        crate::machinst::lower::lower(&backend, func)
    }

    fn machine_env(&self, func: &FunctionStencil) -> Result<MachineEnv, CodegenError> {
        <abi::S390xAbi as crate::machinst::abi::AbiSpec>::check_conv(func.signature.call_conv)?;
        let mut env = machine_env();
        if needs_realign(func) {
            // r11 holds the entry stack pointer.
            env.non_preferred_regs_by_class[0].retain(|&p| p != gpr(inst::frame::ENTRY_SP));
        }
        if self.shared.enable_pinned_reg {
            env.non_preferred_regs_by_class[0].retain(|&p| p != gpr(inst::frame::PINNED));
        }
        Ok(env)
    }

    fn frame(
        &self,
        func: &FunctionStencil,
        vcode: &VCode<inst::Inst>,
        written: PRegSet,
        spill_slots: u32,
    ) -> Result<Frame, CodegenError> {
        let (_, stack_slot_bytes) = crate::machinst::lower::stack_slot_layout(func)?;
        let calls = vcode.insts().iter().any(|i| i.form_call_info().is_some());
        let realign = needs_realign(func);
        let preserve_all = func.signature.call_conv == crate::ir::CallConv::PreserveAll;
        let (saved, written) = if preserve_all {
            if vcode.insts().iter().any(|i| {
                matches!(
                    i,
                    inst::Inst::ReturnCall { .. } | inst::Inst::ReturnCallInd { .. }
                )
            }) {
                return Err(CodegenError::Unsupported {
                    feature: "tail calls from a preserve_all function on s390x".into(),
                });
            }
            // Its results are the caller's to read; a call it makes may change the right
            // halves of v8-v15, which it must give back too.
            let results: Vec<regalloc2::PReg> = abi::SigAbi::new(&func.signature)?
                .rets
                .iter()
                .filter_map(|l| match l {
                    abi::ArgLoc::Reg(p) => Some(*p),
                    _ => None,
                })
                .collect();
            let mut written = written;
            if calls {
                for n in abi::CALLEE_SAVED_FPRS {
                    written.add(inst::regs::vr(n));
                }
            }
            let saved: Vec<regalloc2::PReg> = abi::preserve_all_saved()
                .into_iter()
                .filter(|p| !results.contains(p))
                .collect();
            (saved, written)
        } else {
            (abi::callee_saved(), written)
        };
        let mut frame = Frame::new(
            crate::machinst::abi::FrameAreas::new(
                &saved,
                written,
                spill_slots,
                8,
                stack_slot_bytes,
                vcode.outgoing_args_bytes(),
                if realign { 16 } else { 8 },
            ),
            calls,
            self.shared.preserve_frame_pointers,
            realign,
        );
        frame.callee_pop = abi::SigAbi::new(&func.signature)?.callee_pop_bytes;
        frame.pic = self.shared.is_pic;
        frame.pinned = self.shared.enable_pinned_reg;
        frame.full_vectors = preserve_all;
        let tail_calls = vcode.insts().iter().any(|i| {
            matches!(
                i,
                inst::Inst::ReturnCall { .. } | inst::Inst::ReturnCallInd { .. }
            )
        });
        if tail_calls && realign {
            return Err(CodegenError::Unsupported {
                feature: "a tail call from a function with 16-byte aligned stack slots on s390x"
                    .into(),
            });
        }
        // A tail call's teardown addresses the whole frame and the incoming arguments
        // with 20-bit displacements.
        if tail_calls && u64::from(frame.incoming_base()) + u64::from(frame.callee_pop) >= 1 << 18 {
            return Err(CodegenError::Unsupported {
                feature: alloc::format!(
                    "a tail call from a frame of {} bytes on s390x",
                    crate::machinst::FrameLayout::size(&frame)
                ),
            });
        }
        // A leaf function without frame storage needs no more stack than the limit's
        // slack: like Cranelift, it skips the check.
        let leaf_without_storage =
            stack_slot_bytes == 0 && spill_slots == 0 && vcode.outgoing_args_bytes() == 0 && !calls;
        if let Some(gv) = func.stack_limit.filter(|_| !leaf_without_storage) {
            frame.stack_limit = Some(crate::machinst::abi::StackLimit::of::<abi::S390xAbi>(
                func, gv,
            )?);
        }
        Ok(frame)
    }
}
