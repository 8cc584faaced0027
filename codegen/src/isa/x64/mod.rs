//! The x86-64 backend.
//!
//! `inst/` holds the machine instructions and their encoding, `lower` the lowering from
//! CLIF (ISLE rules in `lower.isle`), and this module the pipeline: lower, allocate
//! registers with regalloc2, emit with the prologue and epilogue.

pub mod inst;
pub mod lower;

use crate::ir::{CallConv, FunctionStencil};
use crate::isa::TargetIsa;
use crate::machinst::CodegenError;
use crate::machinst::buffer::MachBuffer;
use crate::machinst::compiled::CompiledCodeStencil;
use crate::settings::X64Flags;
use alloc::vec::Vec;
use inst::emit::{Frame, Rel32, emit_inst, emit_move, prologue};
use inst::regs::Gpr;
use regalloc2::{Edit, InstOrEdit, MachineEnv, PReg};

/// Callee-saved registers of System V (besides `rbp`, which the frame uses).
const CALLEE_SAVED: [Gpr; 5] = [Gpr::RBX, Gpr::R12, Gpr::R13, Gpr::R14, Gpr::R15];

/// The x86-64 target with its flags.
#[derive(Clone, Debug)]
pub struct X64Isa {
    flags: X64Flags,
    shared: crate::settings::Flags,
}

impl X64Isa {
    /// The target with ISA flags `flags` and shared settings `shared`.
    pub fn new(flags: X64Flags, shared: crate::settings::Flags) -> X64Isa {
        X64Isa { flags, shared }
    }

    /// The ISA flags.
    pub fn flags(&self) -> &X64Flags {
        &self.flags
    }
}

/// The registers regalloc2 may use: caller-saved ones first, then callee-saved ones
/// (which cost a save and restore). `rsp` and `rbp` are never allocated.
/// With `pinned`, `r15` is reserved for `get_pinned_reg`/`set_pinned_reg`.
fn machine_env(pinned: bool) -> MachineEnv {
    let preferred = [
        Gpr::RAX,
        Gpr::RCX,
        Gpr::RDX,
        Gpr::RSI,
        Gpr::RDI,
        Gpr::R8,
        Gpr::R9,
        Gpr::R10,
        Gpr::R11,
    ];
    MachineEnv {
        // All 16 xmm registers are caller-saved in System V.
        preferred_regs_by_class: [
            preferred.iter().map(|g| g.preg()).collect(),
            (0..16).map(|i| inst::regs::Xmm::new(i).preg()).collect(),
            Vec::new(),
        ],
        non_preferred_regs_by_class: [
            CALLEE_SAVED
                .iter()
                .filter(|&&g| !(pinned && g == Gpr::R15))
                .map(|g| g.preg())
                .collect(),
            Vec::new(),
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

    fn compile_stencil(
        &self,
        func: &FunctionStencil,
        want_vcode: bool,
    ) -> Result<CompiledCodeStencil, CodegenError> {
        if func.signature.call_conv == CallConv::WindowsFastcall {
            return Err(CodegenError::Unsupported {
                feature: "the windows_fastcall calling convention on x86_64".into(),
            });
        }
        let vcode = crate::machinst::lower::lower(&lower::X64Lower { flags: self.flags }, func)?;
        let out = vcode
            .regalloc(
                &machine_env(self.shared.enable_pinned_reg),
                cfg!(debug_assertions),
            )
            .map_err(CodegenError::Regalloc)?;

        // The callee-saved registers written anywhere need saving.
        let mut used = [false; 16];
        let mut mark = |p: Option<PReg>| {
            if let Some(g) = p.and_then(Gpr::from_preg) {
                used[g.enc() as usize] = true;
            }
        };
        out.allocs.iter().for_each(|a| mark(a.as_reg()));
        for (_, edit) in &out.edits {
            let Edit::Move { to, .. } = edit;
            mark(to.as_reg());
        }
        let saved: Vec<Gpr> = CALLEE_SAVED
            .into_iter()
            .filter(|g| used[g.enc() as usize])
            .collect();
        let (_, stack_slot_bytes) = crate::machinst::lower::stack_slot_layout(func)?;
        let frame = Frame::new(
            saved,
            out.num_spillslots as u32,
            stack_slot_bytes,
            vcode.outgoing_args_bytes(),
        );

        let frame_size = frame.size();
        let mut buf: MachBuffer<Rel32> = MachBuffer::new();
        let labels: Vec<_> = (0..vcode.num_blocks()).map(|_| buf.get_label()).collect();
        buf.put_data(&prologue(&frame));
        for b in 0..vcode.num_blocks() {
            buf.bind_label(labels[b]);
            let next = (b + 1 < vcode.num_blocks()).then_some(b + 1);
            for item in out.block_insts_and_edits(&vcode, regalloc2::Block::new(b)) {
                match item {
                    InstOrEdit::Inst(i) => {
                        emit_inst(
                            &vcode.insts()[i.index()],
                            out.inst_allocs(i),
                            &mut buf,
                            &labels,
                            next,
                            &frame,
                        );
                    }
                    InstOrEdit::Edit(Edit::Move { from, to }) => {
                        let class = from
                            .as_reg()
                            .or(to.as_reg())
                            .map_or(regalloc2::RegClass::Int, |p| p.class());
                        emit_move(&mut buf, *from, *to, &frame, class)
                    }
                }
            }
        }
        Ok(CompiledCodeStencil {
            buffer: buf.finish().map_err(CodegenError::Emission)?,
            vcode: want_vcode.then(|| vcode.to_text()),
            frame_size,
        })
    }
}
