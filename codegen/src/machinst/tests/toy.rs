//! Toy: a test ISA of a few fixed-width instructions with short-range branches, so the
//! shared pipeline (lowering, regalloc2, frame, islands and veneers, emission) is tested
//! without x86-64.
//!
//! Every instruction is one 32-bit word, `[opcode, a, b, c]`, except the long jump:
//! - `1 rd imm16`: `li rd, imm` (imm sign-extended from 16 bits)
//! - `2 rd ra rb`: `add`; `3 rd ra rb`: `sub`; `4 rd ra`: `mov`
//! - `5 ra slot`: store `ra` to spill slot `slot`; `6 rd slot`: load it back
//! - `7 ra off8`: branch if `ra` is not zero, `off8` words from the instruction
//! - `8 0 off8`: jump `off8` words from the instruction (both reach -128..127 words)
//! - `9 0 0 0 off32`: jump `off32` bytes from the instruction (8 bytes; veneers)
//! - `10`: return (the result in `r0`)
//! - `11`: enter the frame (the prologue); `12`: leave it (before each return)
//!
//! Arguments arrive in `r0`, `r1`, ...; registers `r0`-`r5` are allocatable.

use crate::ir::{Block, FunctionStencil, Inst as IrInst, InstructionData, Opcode};
use crate::machinst::buffer::{LabelUse, MachBuffer, MachLabel};
use crate::machinst::compile::Backend;
use crate::machinst::lower::{Lower, LowerBackend};
use crate::machinst::reg::{Reg, Writable};
use crate::machinst::vcode::{OperandCollector, VCode};
use crate::machinst::{CodegenError, FrameLayout, MachInst};
use alloc::vec;
use alloc::vec::Vec;
use regalloc2::{Allocation, MachineEnv, PReg, PRegSet, RegClass};

/// A Toy instruction on virtual registers.
#[derive(Clone, Debug)]
pub enum Toy {
    /// Defines the arguments in their registers.
    Args(Vec<(Writable<Reg>, PReg)>),
    /// `li`.
    Const(Writable<Reg>, i16),
    /// `add`.
    Add(Writable<Reg>, Reg, Reg),
    /// Two-address `add`: the result reuses the first input's register.
    AddInPlace(Writable<Reg>, Reg, Reg),
    /// `sub`.
    Sub(Writable<Reg>, Reg, Reg),
    /// Jump to block.
    Jump(usize),
    /// Branch to the first block if the register is not zero, else to the second.
    Brif(Reg, usize, usize),
    /// Return the values in their registers.
    Ret(Vec<(Reg, PReg)>),
    /// The prologue's one instruction.
    Enter,
    /// The epilogue's one instruction.
    Leave,
    /// An unwind pseudo-instruction (emits nothing).
    Unwind(crate::machinst::unwind::UnwindOp),
}

/// The unwind rule the prologue records after `enter`.
pub const PROLOGUE_UNWIND: crate::machinst::unwind::UnwindOp =
    crate::machinst::unwind::UnwindOp::DefCfa { reg: 7, offset: 8 };

/// The allocatable registers.
pub const REGS: usize = 6;

fn r(i: usize) -> PReg {
    PReg::new(i, RegClass::Int)
}

/// Toy's register environment with `regs` registers.
pub fn env(regs: usize) -> MachineEnv {
    MachineEnv {
        preferred_regs_by_class: [(0..regs).map(r).collect(), vec![], vec![]],
        non_preferred_regs_by_class: [vec![], vec![], vec![]],
        scratch_by_class: [None, None, None],
        fixed_stack_slots: vec![],
    }
}

/// Toy's references to labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToyUse {
    /// The word offset in byte 2 of a branch (the use is at that byte).
    Short8,
    /// The byte offset in bytes 4..8 of a long jump (the use is at byte 4).
    Long32,
}

impl ToyUse {
    /// How far the field lies into its instruction.
    fn field_at(self) -> u32 {
        match self {
            ToyUse::Short8 => 2,
            ToyUse::Long32 => 4,
        }
    }
}

impl LabelUse for ToyUse {
    fn max_pos_range(self) -> u32 {
        match self {
            ToyUse::Short8 => 127 * 4 - 2,
            ToyUse::Long32 => i32::MAX as u32 / 2,
        }
    }
    fn max_neg_range(self) -> u32 {
        match self {
            ToyUse::Short8 => 128 * 4 + 2,
            ToyUse::Long32 => i32::MAX as u32 / 2,
        }
    }
    fn patch_size(self) -> u32 {
        match self {
            ToyUse::Short8 => 1,
            ToyUse::Long32 => 4,
        }
    }
    fn patch(self, bytes: &mut [u8], use_offset: u32, label_offset: u32) {
        let rel = i64::from(label_offset) - i64::from(use_offset - self.field_at());
        match self {
            ToyUse::Short8 => bytes[0] = i8::try_from(rel / 4).expect("in range") as u8,
            ToyUse::Long32 => bytes.copy_from_slice(&(rel as i32).to_le_bytes()),
        }
    }
    fn supports_veneer(self) -> bool {
        self == ToyUse::Short8
    }
    fn veneer_size(self) -> u32 {
        8
    }
    fn generate_veneer(self, bytes: &mut [u8], veneer_offset: u32) -> (u32, ToyUse) {
        bytes[..4].copy_from_slice(&[9, 0, 0, 0]);
        (veneer_offset + 4, ToyUse::Long32)
    }
    fn align() -> u32 {
        4
    }
}

/// Toy's frame: only spill slots (the simulator gives them their own memory).
#[derive(Clone, Debug)]
pub struct ToyFrame {
    spill_slots: u32,
}

impl FrameLayout for ToyFrame {
    fn size(&self) -> u32 {
        4 * self.spill_slots
    }
}

fn reg(a: Allocation) -> u8 {
    a.as_reg().expect("a register").hw_enc() as u8
}

/// A branch word with a short reference to `label`.
fn branch(buf: &mut MachBuffer<ToyUse>, op: u8, ra: u8, label: MachLabel) {
    let at = buf.cur_offset();
    buf.put_data(&[op, ra, 0, 0]);
    buf.use_label_at_offset(at + 2, label, ToyUse::Short8);
}

impl MachInst for Toy {
    type LabelUse = ToyUse;
    type Frame = ToyFrame;

    fn get_operands(&self, c: &mut OperandCollector) {
        match self {
            Toy::Args(defs) => defs.iter().for_each(|&(r, p)| c.reg_fixed_def(r, p)),
            Toy::Const(d, _) => c.reg_def(*d),
            Toy::Add(d, a, b) | Toy::Sub(d, a, b) => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_def(*d);
            }
            Toy::AddInPlace(d, a, b) => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_reuse_def(*d, 0);
            }
            Toy::Jump(_) => {}
            Toy::Brif(r, ..) => c.reg_use(*r),
            Toy::Ret(uses) => uses.iter().for_each(|&(r, p)| c.reg_fixed_use(r, p)),
            Toy::Enter | Toy::Leave | Toy::Unwind(_) => {}
        }
    }
    fn is_ret(&self) -> bool {
        matches!(self, Toy::Ret(_))
    }
    fn is_branch(&self) -> bool {
        matches!(self, Toy::Jump(_) | Toy::Brif(..))
    }
    fn jump_target(&self) -> Option<usize> {
        match self {
            Toy::Jump(t) => Some(*t),
            _ => None,
        }
    }
    fn spillslot_size(_: RegClass) -> usize {
        1
    }
    fn preg_name(p: PReg) -> alloc::string::String {
        alloc::format!("r{}", p.hw_enc())
    }

    fn emit(
        &self,
        allocs: &[Allocation],
        buf: &mut MachBuffer<ToyUse>,
        labels: &[MachLabel],
        next: Option<MachLabel>,
        _frame: &ToyFrame,
    ) {
        match self {
            Toy::Args(_) => {}
            Toy::Const(_, imm) => {
                let [lo, hi] = imm.to_le_bytes();
                buf.put_data(&[1, reg(allocs[0]), lo, hi]);
            }
            Toy::Add(..) | Toy::AddInPlace(..) => {
                buf.put_data(&[2, reg(allocs[2]), reg(allocs[0]), reg(allocs[1])]);
            }
            Toy::Sub(..) => buf.put_data(&[3, reg(allocs[2]), reg(allocs[0]), reg(allocs[1])]),
            Toy::Jump(t) => {
                if next != Some(labels[*t]) {
                    branch(buf, 8, 0, labels[*t]);
                }
            }
            Toy::Brif(_, taken, not_taken) => {
                branch(buf, 7, reg(allocs[0]), labels[*taken]);
                if next != Some(labels[*not_taken]) {
                    branch(buf, 8, 0, labels[*not_taken]);
                }
            }
            Toy::Ret(_) => buf.put_data(&[10, 0, 0, 0]),
            Toy::Enter => buf.put_data(&[11, 0, 0, 0]),
            Toy::Leave => buf.put_data(&[12, 0, 0, 0]),
            Toy::Unwind(op) => buf.add_unwind(*op),
        }
    }

    fn emit_move(
        from: Allocation,
        to: Allocation,
        _class: RegClass,
        buf: &mut MachBuffer<ToyUse>,
        _frame: &ToyFrame,
    ) {
        let slot = |a: Allocation| a.as_stack().expect("a slot").index() as u8;
        match (from.as_reg(), to.as_reg()) {
            (Some(_), Some(_)) => buf.put_data(&[4, reg(to), reg(from), 0]),
            (Some(_), None) => buf.put_data(&[5, reg(from), slot(to), 0]),
            (None, Some(_)) => buf.put_data(&[6, reg(to), slot(from), 0]),
            (None, None) => unreachable!("regalloc2 never moves stack to stack"),
        }
    }

    fn gen_prologue(_: &ToyFrame) -> Vec<Toy> {
        vec![Toy::Enter, Toy::Unwind(PROLOGUE_UNWIND)]
    }

    fn gen_teardown(&self, _: &ToyFrame) -> Vec<Toy> {
        match self {
            Toy::Ret(_) => vec![Toy::Leave],
            _ => Vec::new(),
        }
    }

    fn emit_jump(label: MachLabel, buf: &mut MachBuffer<ToyUse>) {
        branch(buf, 8, 0, label);
    }

    fn worst_case_size() -> u32 {
        8
    }

    /// A jump to the next word.
    fn emit_nops(buf: &mut MachBuffer<ToyUse>, bytes: u32) {
        for _ in 0..bytes / 4 {
            buf.put_data(&[8, 0, 1, 0]);
        }
    }

    fn call_clobbers(&self) -> Option<PRegSet> {
        None
    }
}

/// Lowers the integer subset of CLIF Toy has: `iconst` (16-bit), `iadd`, `isub`, `jump`,
/// `brif`, `return` of one value.
pub struct ToyLower;

fn unsupported(func: &FunctionStencil, inst: IrInst) -> CodegenError {
    CodegenError::UnsupportedOpcode {
        opcode: func.dfg.insts[inst].opcode(),
        ty: func.dfg.ctrl_typevar(inst),
        isa: "toy",
    }
}

impl LowerBackend for ToyLower {
    type MInst = Toy;

    fn name(&self) -> &'static str {
        "toy"
    }

    fn lower_args(&self, ctx: &mut Lower<'_, Toy>, params: &[Reg]) -> Result<(), CodegenError> {
        let defs = params
            .iter()
            .enumerate()
            .map(|(i, &p)| (Writable::from_reg(p), r(i)))
            .collect();
        ctx.vcode.push(Toy::Args(defs));
        Ok(())
    }

    fn lower_inst(&self, ctx: &mut Lower<'_, Toy>, inst: IrInst) -> Result<(), CodegenError> {
        let func = ctx.func;
        let result = |ctx: &mut Lower<'_, Toy>| {
            let v = func.dfg.first_result(inst);
            let d = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.set_result(v, d);
            Writable::from_reg(d)
        };
        match func.dfg.insts[inst] {
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            } => {
                let imm = i16::try_from(imm.bits()).map_err(|_| unsupported(func, inst))?;
                let d = result(ctx);
                ctx.vcode.push(Toy::Const(d, imm));
            }
            InstructionData::Binary { opcode, args } => {
                let (a, b) = (ctx.value_reg(args[0])?, ctx.value_reg(args[1])?);
                let d = result(ctx);
                ctx.vcode.push(match opcode {
                    Opcode::Iadd => Toy::Add(d, a, b),
                    Opcode::Isub => Toy::Sub(d, a, b),
                    _ => return Err(unsupported(func, inst)),
                });
            }
            _ => return Err(unsupported(func, inst)),
        }
        Ok(())
    }

    fn lower_branch(
        &self,
        ctx: &mut Lower<'_, Toy>,
        inst: IrInst,
        targets: &[usize],
    ) -> Result<(), CodegenError> {
        let func = ctx.func;
        match func.dfg.insts[inst] {
            InstructionData::Jump { .. } => ctx.vcode.push(Toy::Jump(targets[0])),
            InstructionData::Brif { arg, .. } => {
                let c = ctx.value_reg(arg)?;
                ctx.vcode.push(Toy::Brif(c, targets[0], targets[1]));
            }
            InstructionData::MultiAry {
                opcode: Opcode::Return,
                args,
            } if args.len(&func.dfg.value_lists) == 1 => {
                let v = ctx.value_reg(args.as_slice(&func.dfg.value_lists)[0])?;
                ctx.vcode.push(Toy::Ret(vec![(v, r(0))]));
                return Ok(());
            }
            _ => return Err(unsupported(func, inst)),
        }
        for (succ, &t) in targets.iter().enumerate() {
            ctx.add_succ(inst, succ, t)?;
        }
        Ok(())
    }

    fn exception_payload(&self, _: &mut Lower<'_, Toy>) -> Result<Vec<Reg>, CodegenError> {
        Err(CodegenError::Unsupported {
            feature: "exceptions on toy".into(),
        })
    }

    fn jump(&self, target: usize) -> Toy {
        Toy::Jump(target)
    }
}

/// The Toy target for [`crate::machinst::compile::compile`], with `regs` allocatable
/// registers.
pub struct ToyBackend {
    /// How many registers regalloc2 may use (fewer force spills).
    pub regs: usize,
}

impl Backend for ToyBackend {
    type Inst = Toy;

    fn lower(&self, func: &FunctionStencil) -> Result<VCode<Toy>, CodegenError> {
        crate::machinst::lower::lower(&ToyLower, func)
    }

    fn machine_env(&self, _: &FunctionStencil) -> Result<MachineEnv, CodegenError> {
        Ok(env(self.regs))
    }

    fn frame(
        &self,
        _: &FunctionStencil,
        _: &VCode<Toy>,
        _: PRegSet,
        spill_slots: u32,
    ) -> Result<ToyFrame, CodegenError> {
        Ok(ToyFrame { spill_slots })
    }
}

/// Runs Toy machine code from offset 0 with `args` in `r0`, `r1`, ...; returns `r0` at
/// `ret`, or `None` for an undecodable word, after `fuel` instructions, or for a `ret`
/// reached with the frame not entered exactly once and left again.
pub fn simulate(code: &[u8], args: &[i64], fuel: usize) -> Option<i64> {
    let (mut entered, mut depth) = (0, 0i32);
    let mut regs = [0i64; 8];
    regs[..args.len()].copy_from_slice(args);
    let mut slots = [0i64; 256];
    let mut pc = 0usize;
    for _ in 0..fuel {
        let w = code.get(pc..pc + 4)?;
        let (a, b, c) = (w[1] as usize, w[2] as usize, w[3] as usize);
        let short = |pc: usize| (pc as i64 + 4 * i64::from(w[2] as i8)) as usize;
        pc = match w[0] {
            1 => {
                regs[a] = i64::from(i16::from_le_bytes([w[2], w[3]]));
                pc + 4
            }
            2 => {
                regs[a] = regs[b].wrapping_add(regs[c]);
                pc + 4
            }
            3 => {
                regs[a] = regs[b].wrapping_sub(regs[c]);
                pc + 4
            }
            4 => {
                regs[a] = regs[b];
                pc + 4
            }
            5 => {
                slots[b] = regs[a];
                pc + 4
            }
            6 => {
                regs[a] = slots[b];
                pc + 4
            }
            7 if regs[a] != 0 => short(pc),
            7 => pc + 4,
            8 => short(pc),
            9 => {
                let off = i32::from_le_bytes(code.get(pc + 4..pc + 8)?.try_into().ok()?);
                (pc as i64 + i64::from(off)) as usize
            }
            10 => return (entered == 1 && depth == 0).then_some(regs[0]),
            11 => {
                entered += 1;
                depth += 1;
                pc + 4
            }
            12 => {
                depth -= 1;
                pc + 4
            }
            _ => return None,
        };
    }
    None
}

/// Appends the blocks `n` to a function under construction, for the tests.
pub fn blocks(func: &mut FunctionStencil, n: usize) -> Vec<Block> {
    (0..n)
        .map(|_| {
            let b = func.dfg.make_block();
            func.layout.append_block(b);
            b
        })
        .collect()
}
