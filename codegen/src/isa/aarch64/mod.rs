//! The AArch64 backend.
//!
//! `inst/` holds the machine instructions (generated from `inst/table.def`) and their
//! encoding, `lower` the lowering from CLIF (ISLE rules in `lower.isle`), `abi` the
//! AAPCS64 conventions, and this module what the shared pipeline (`machinst::compile`)
//! asks of the ISA: lowering, the register environment and the frame.

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
use crate::settings::Aarch64Flags;
use alloc::vec::Vec;
use inst::frame::Frame;
use inst::regs::{vreg, xreg};
use regalloc2::{MachineEnv, PRegSet};

/// The AArch64 target with its flags.
#[derive(Clone, Debug)]
pub struct Aarch64Isa {
    triple: target_lexicon::Triple,
    flags: Aarch64Flags,
    shared: crate::settings::Flags,
}

impl Aarch64Isa {
    /// The target `triple` with ISA flags `flags` and shared settings `shared`.
    pub fn new(
        triple: target_lexicon::Triple,
        flags: Aarch64Flags,
        shared: crate::settings::Flags,
    ) -> Aarch64Isa {
        Aarch64Isa {
            triple,
            flags,
            shared,
        }
    }

    /// The ISA flags.
    pub fn flags(&self) -> &Aarch64Flags {
        &self.flags
    }
}

/// The registers regalloc2 may use: caller-saved ones first, then callee-saved ones.
/// Never allocated: x16 and x17 (scratch for emission and veneers), x18 (the platform
/// register), x29 (frame pointer), x30 (link register), and x21 when it is the pinned
/// register.
fn machine_env(pinned: bool) -> MachineEnv {
    let gprs = |ns: &[u8]| ns.iter().map(|&n| xreg(n)).collect::<Vec<_>>();
    let saved: Vec<u8> = abi::CALLEE_SAVED_GPRS
        .iter()
        .copied()
        .filter(|&n| !(pinned && n == 21))
        .collect();
    MachineEnv {
        preferred_regs_by_class: [
            gprs(&(0..16).collect::<Vec<u8>>()),
            (0..8).chain(16..32).map(vreg).collect(),
            Vec::new(),
        ],
        non_preferred_regs_by_class: [
            gprs(&saved),
            abi::CALLEE_SAVED_FPRS.iter().map(|&n| vreg(n)).collect(),
            Vec::new(),
        ],
        scratch_by_class: [None, None, None],
        fixed_stack_slots: Vec::new(),
    }
}

impl TargetIsa for Aarch64Isa {
    fn name(&self) -> &'static str {
        "aarch64"
    }

    fn shared_flags(&self) -> &crate::settings::Flags {
        &self.shared
    }

    fn unwind_cie(&self) -> Option<crate::machinst::unwind::CieInfo> {
        Some(unwind::cie())
    }

    fn isa_flags(&self) -> crate::settings::IsaFlags {
        crate::settings::IsaFlags::Aarch64(self.flags)
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

impl Backend for Aarch64Isa {
    fn small_vectors_widened(&self) -> Option<crate::ir::memflags::Endianness> {
        // One treatment of 64-bit vectors on every ISA: the lane-crossing operations
        // are exact on the low lanes of 128-bit ones.
        Some(crate::ir::memflags::Endianness::Little)
    }

    type Inst = inst::Inst;

    fn lower(&self, func: &FunctionStencil) -> Result<VCode<inst::Inst>, CodegenError> {
        let backend = lower::A64Lower {
            flags: self.flags,
            pic: self.shared.is_pic,
            tls_model: self.shared.tls_model,
        };
        crate::machinst::lower::lower(&backend, func)
    }

    fn machine_env(&self, func: &FunctionStencil) -> Result<MachineEnv, CodegenError> {
        <abi::Aarch64Abi as crate::machinst::abi::AbiSpec>::check_conv(func.signature.call_conv)?;
        Ok(machine_env(self.shared.enable_pinned_reg))
    }

    fn frame(
        &self,
        func: &FunctionStencil,
        vcode: &VCode<inst::Inst>,
        written: PRegSet,
        spill_slots: u32,
    ) -> Result<Frame, CodegenError> {
        let (_, stack_slot_bytes) = crate::machinst::lower::stack_slot_layout(func)?;
        let preserve_all = func.signature.call_conv == crate::ir::CallConv::PreserveAll;
        let calls = vcode.insts().iter().any(|i| i.form_call_info().is_some());
        let (saved, written) = if preserve_all {
            if vcode.insts().iter().any(|i| {
                matches!(
                    i,
                    inst::Inst::ReturnCall { .. } | inst::Inst::ReturnCallInd { .. }
                )
            }) {
                return Err(CodegenError::Unsupported {
                    feature: "tail calls from a preserve_all function on aarch64".into(),
                });
            }
            // Its results are the caller's to read; a call it makes may change the high
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
                    written.add(inst::regs::vreg(n));
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
        let mut frame = Frame::new(crate::machinst::abi::FrameAreas::new(
            &saved,
            written,
            spill_slots,
            8,
            stack_slot_bytes,
            vcode.outgoing_args_bytes(),
            16,
        ));
        frame.callee_pop = abi::SigAbi::new(&func.signature)?.callee_pop_bytes;
        frame.full_vectors = preserve_all;
        let sign = self.flags.sign_return_address_all || (self.flags.sign_return_address && calls);
        frame.sign_return_address = sign.then_some(self.flags.sign_return_address_with_bkey);
        frame.bti = self.flags.use_bti;
        frame.pic = self.shared.is_pic;
        // A leaf using no stack and no callee-saved register needs no frame record
        // (unless frame pointers are to be kept; incoming stack arguments are addressed
        // from x29, a stack limit is checked against the frame).
        frame.frameless = !calls
            && !self.shared.preserve_frame_pointers
            && frame.areas == crate::machinst::abi::FrameAreas::default()
            && frame.callee_pop == 0
            && abi::SigAbi::new(&func.signature)?.stack_arg_bytes == 0
            && frame.stack_limit.is_none()
            && frame.sign_return_address.is_none()
            && !vcode.insts().iter().any(|i| {
                matches!(
                    i,
                    inst::Inst::ReturnCall { .. } | inst::Inst::ReturnCallInd { .. }
                )
            });
        // A leaf function without frame storage needs no more stack than the limit's
        // slack: like Cranelift, it skips the check.
        let leaf_without_storage = stack_slot_bytes == 0
            && spill_slots == 0
            && vcode.outgoing_args_bytes() == 0
            && !vcode.insts().iter().any(|i| i.form_call_info().is_some());
        if let Some(gv) = func.stack_limit.filter(|_| !leaf_without_storage) {
            frame.stack_limit = Some(crate::machinst::abi::StackLimit::of::<abi::Aarch64Abi>(
                func, gv,
            )?);
        }
        Ok(frame)
    }
}
