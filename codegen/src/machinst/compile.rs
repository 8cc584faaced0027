//! The compile pipeline every ISA shares: mid-end, lowering, register allocation with
//! regalloc2, frame layout from the registers the code writes, jump threading, and
//! emission with islands (veneers and constants) where short-range references need them.
//!
//! An ISA plugs in through [`Backend`] (lowering, its register environment, its frame)
//! and its instruction type's [`MachInst`] (operands, emission, moves, the prologue and
//! epilogue as instruction lists); it writes no pipeline code of its own.

use super::buffer::MachBuffer;
use super::compiled::CompiledCodeStencil;
use super::unwind::UnwindInfo;
use super::vcode::VCode;
use super::{CodegenError, FrameLayout, MachInst};
use crate::ir::{FunctionStencil, RelSourceLoc};
use crate::settings::{Flags, RegallocAlgorithm};
use alloc::vec::Vec;
use regalloc2::{Edit, InstOrEdit, MachineEnv, PRegSet};

/// What an ISA supplies to [`compile`].
pub trait Backend {
    /// The ISA's machine instruction.
    type Inst: MachInst;

    /// The byte order of an ISA whose vector registers are 128 bits only, whose
    /// functions get vectors narrower than that widened before lowering
    /// ([`crate::opts::small_vectors`]); `None` (the default) if it has them.
    fn small_vectors_widened(&self) -> Option<crate::ir::memflags::Endianness> {
        None
    }

    /// Lowers `func` (already through the mid-end) to VCode on virtual registers.
    ///
    /// # Errors
    /// [`CodegenError::UnsupportedOpcode`] or [`CodegenError::Unsupported`] for what the
    /// ISA's rules do not handle.
    fn lower(&self, func: &FunctionStencil) -> Result<VCode<Self::Inst>, CodegenError>;

    /// The registers regalloc2 may use in `func` (by its calling convention).
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] for a convention the ISA does not have.
    fn machine_env(&self, func: &FunctionStencil) -> Result<MachineEnv, CodegenError>;

    /// The frame of `func`: `written` holds every physical register the allocated code
    /// writes (instructions, regalloc2's moves, and what calls clobber), and
    /// `spill_slots` the number of spill slots regalloc2 used.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] for a frame the ISA cannot build.
    fn frame(
        &self,
        func: &FunctionStencil,
        vcode: &VCode<Self::Inst>,
        written: PRegSet,
        spill_slots: u32,
    ) -> Result<<Self::Inst as MachInst>::Frame, CodegenError>;
}

/// Compiles `func` for `backend` with the shared settings `flags`; with `want_vcode` the
/// result carries the VCode as text.
///
/// # Errors
/// The backend's lowering and frame errors, [`CodegenError::Regalloc`] if allocation
/// fails (or its checker, on in debug builds and with `regalloc_checker`, rejects the
/// result), and [`CodegenError::Emission`] for references the buffer cannot resolve.
pub fn compile<B: Backend>(
    backend: &B,
    func: &FunctionStencil,
    flags: &Flags,
    want_vcode: bool,
) -> Result<CompiledCodeStencil, CodegenError> {
    let optimized = crate::opts::optimize(func, flags, backend.small_vectors_widened())?;
    let func: &FunctionStencil = &optimized;
    let mut vcode = backend.lower(func)?;
    let algorithm = match flags.regalloc_algorithm {
        RegallocAlgorithm::Backtracking => regalloc2::Algorithm::Ion,
        RegallocAlgorithm::SinglePass => {
            vcode.fix_limits();
            regalloc2::Algorithm::Fastalloc
        }
    };
    let out = vcode
        .regalloc(
            &backend.machine_env(func)?,
            cfg!(debug_assertions) || flags.regalloc_checker,
            algorithm,
        )
        .map_err(CodegenError::Regalloc)?;

    // Every register the code writes: by an instruction (uses too, a harmless superset),
    // by a move of the allocator, or by a call that does not preserve it.
    let mut written = PRegSet::empty();
    for p in out.allocs.iter().filter_map(|a| a.as_reg()) {
        written.add(p);
    }
    for (_, Edit::Move { to, .. }) in &out.edits {
        if let Some(p) = to.as_reg() {
            written.add(p);
        }
    }
    for clobbers in vcode.insts().iter().filter_map(B::Inst::call_writes) {
        written.union_from(clobbers);
    }
    let frame = backend.frame(func, &vcode, written, out.num_spillslots as u32)?;

    let mut buf: MachBuffer<<B::Inst as MachInst>::LabelUse> = MachBuffer::new();
    let own: Vec<_> = (0..vcode.num_blocks()).map(|_| buf.get_label()).collect();
    // Blocks that only jump are not emitted; references to them go to where they lead.
    let dest = vcode.thread_jumps(&out);
    let labels: Vec<_> = dest.iter().map(|&d| own[d]).collect();
    let emitted: Vec<usize> = (0..vcode.num_blocks()).filter(|&b| dest[b] == b).collect();
    // Blocks reached by indirect branches start with the ISA's landing pad, if any.
    let landing_pad = B::Inst::gen_landing_pad(&frame);
    let mut indirect = alloc::vec![false; vcode.num_blocks()];
    if landing_pad.is_some() {
        for inst in vcode.insts() {
            for &t in inst.indirect_targets() {
                indirect[dest[t]] = true;
            }
        }
    }
    // The prologue: instructions on physical registers, with their unwind rules.
    for inst in B::Inst::gen_prologue(&frame) {
        inst.emit(&[], &mut buf, &labels, None, &frame);
    }
    let worst = B::Inst::worst_case_size();
    // `bb_padding_log2_minus_one` = n > 0 pads each block with 2^(n-1) bytes of no-ops
    // (to test long branches, veneers and islands).
    let padding = match flags.bb_padding_log2_minus_one {
        0 => 0,
        n => 1u32 << (n - 1).min(24),
    };
    let mut open_loc = RelSourceLoc::default();
    for (k, &b) in emitted.iter().enumerate() {
        let next = emitted.get(k + 1).map(|&n| own[n]);
        let mut bound = false;
        for item in out.block_insts_and_edits(&vcode, regalloc2::Block::new(b)) {
            // Before anything that could carry a short-range reference out of reach, an
            // island with the veneers and constants pending, jumped around.
            if buf.island_needed(worst) {
                buf.end_srcloc();
                open_loc = RelSourceLoc::default();
                let after = buf.get_label();
                B::Inst::emit_jump(after, &mut buf);
                buf.emit_island(worst);
                buf.bind_label(after);
            }
            if !bound {
                if padding > 0 {
                    buf.end_srcloc();
                    open_loc = RelSourceLoc::default();
                    if buf.island_needed(padding + worst) {
                        let after = buf.get_label();
                        B::Inst::emit_jump(after, &mut buf);
                        buf.emit_island(padding + worst);
                        buf.bind_label(after);
                    }
                    B::Inst::emit_nops(&mut buf, padding);
                }
                buf.bind_label(own[b]);
                bound = true;
                if let Some(pad) = landing_pad.as_ref().filter(|_| indirect[b]) {
                    pad.emit(&[], &mut buf, &labels, None, &frame);
                }
            }
            match item {
                InstOrEdit::Inst(i) => {
                    let inst = &vcode.insts()[i.index()];
                    // One range per run of instructions from the same source location.
                    let loc = vcode.srcloc(i.index());
                    if loc != open_loc {
                        if loc.is_default() {
                            buf.end_srcloc();
                        } else {
                            buf.start_srcloc(loc);
                        }
                        open_loc = loc;
                    }
                    // A return or tail call: the epilogue or frame teardown first.
                    for t in inst.gen_teardown(&frame) {
                        t.emit(&[], &mut buf, &labels, None, &frame);
                    }
                    inst.emit(out.inst_allocs(i), &mut buf, &labels, next, &frame);
                }
                InstOrEdit::Edit(Edit::Move { from, to }) => {
                    // The allocator's moves belong to no source location.
                    buf.end_srcloc();
                    open_loc = RelSourceLoc::default();
                    let class = from
                        .as_reg()
                        .or(to.as_reg())
                        .map_or(regalloc2::RegClass::Int, |p| p.class());
                    B::Inst::emit_move(*from, *to, class, &mut buf, &frame);
                }
            }
        }
        if !bound {
            buf.bind_label(own[b]);
        }
    }
    let ops = buf.take_unwind();
    let unwind = (!ops.is_empty()).then_some(UnwindInfo { ops });
    Ok(CompiledCodeStencil {
        buffer: buf.finish().map_err(CodegenError::Emission)?,
        vcode: want_vcode.then(|| vcode.to_text()),
        frame_size: frame.size(),
        unwind,
    })
}
