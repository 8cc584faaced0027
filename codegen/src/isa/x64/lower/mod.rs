//! Lowering CLIF to x86-64 instructions: the Rust side of the ISLE rules in
//! `lower.isle`, the System V argument and return registers, and the terminators.

use super::abi::{Conv, SigAbi, is_float};
use super::inst::FrameRegKind;
use super::inst::args::OperandSize;
use super::inst::regs::Gpr;
use super::inst::{
    Addr, AluOp, Atomic128Op, BitCountOp, Bits128, BranchCond, CallInfo, Cc, EvexOp, Inst as MInst,
    MoveKind, PackedOp, RegOrImm, ShiftOp, UnaryOp, XmmMem, XmmOp, XmmUnaryOp,
};
use crate::ir::{FloatCC, InstructionData, IntCC, MemFlags, Opcode, TrapCode, Type, Value};
use crate::machinst::CodegenError;
use crate::machinst::isle::{lower_by_shape, run_isle};
use crate::machinst::lower::{Lower, LowerBackend};
use crate::machinst::reg::{Reg, Writable};
use crate::settings::X64Flags;
use alloc::vec::Vec;
use regalloc2::RegClass;

mod calls;
mod isle;

use calls::*;

#[allow(dead_code, missing_docs, unused_imports, unused_variables)]
mod generated {
    use super::{
        AluOp, BitCountOp, Cc, MInst, MoveKind, OperandSize, RegOrImm, ShiftOp, UnaryOp, XmmOp,
        XmmUnaryOp,
    };
    use crate::ir::LibCall;
    use crate::machinst::reg::Writable;
    type WritableReg = Writable<Reg>;
    type OptionWritableReg = Option<Writable<Reg>>;
    type Unit = ();
    type Regs = alloc::vec::Vec<Reg>;
    type OptionU8 = Option<u8>;
    type BlockTarget = usize;
    type BlockTargets = alloc::vec::Vec<usize>;
    use super::FrameRegKind;
    use crate::ir::ExternalName;
    type OptionRegPair = Option<(Reg, Reg)>;
    type WritablePair = (Writable<Reg>, Writable<Reg>);
    type OptionWritablePair = Option<(Writable<Reg>, Writable<Reg>)>;
    const NO_REG_PAIR: OptionRegPair = None;
    const NO_WRITABLE_PAIR: OptionWritablePair = None;
    const ATOMIC128_LOAD: Atomic128Op = Atomic128Op::Load;
    const ATOMIC128_STORE: Atomic128Op = Atomic128Op::Store;
    const ATOMIC128_CAS: Atomic128Op = Atomic128Op::Cas;
    use super::Atomic128Op;
    use crate::ir::AtomicRmwOp;
    type BoxedMInst = alloc::boxed::Box<MInst>;
    type OptionTrapCode = Option<TrapCode>;
    type OptionAluOp = Option<AluOp>;
    const NO_TRAP: Option<TrapCode> = None;
    const IMUL_OP: Option<AluOp> = None;
    const NO_PREFIX: Option<u8> = None;
    const ALL_ONES: u128 = u128::MAX;
    const LOW_DWORD_SIGNS: u128 = 0x0000_0000_8000_0000_0000_0000_8000_0000;
    /// The number of set bits of each nibble value, as a pshufb table.
    const POPCNT_NIBBLES: u128 =
        u128::from_le_bytes([0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4]);
    crate::isle_type_consts!();
    const XMM_SQRT: XmmUnaryOp = XmmUnaryOp::Sqrt;
    const XMM_CONVERT: XmmUnaryOp = XmmUnaryOp::Convert;
    const TRAP_INTEGER_OVERFLOW: TrapCode = TrapCode::INTEGER_OVERFLOW;
    const TRAP_INTEGER_DIVISION_BY_ZERO: TrapCode = TrapCode::INTEGER_DIVISION_BY_ZERO;
    const TRAP_BAD_CONVERSION_TO_INTEGER: TrapCode = TrapCode::BAD_CONVERSION_TO_INTEGER;
    use crate::ir::{FloatCC, Inst, IntCC, MemFlags, Opcode, StackSlot, TrapCode, Type, Value};
    type RegPair = (Reg, Reg);
    use crate::machinst::reg::Reg;
    include!(concat!(env!("OUT_DIR"), "/isle_x64.rs"));
}

/// The operand size of an integer type of at most 64 bits.
pub(crate) fn size_of(ty: Type) -> OperandSize {
    match ty.bits() {
        8 => OperandSize::Size8,
        16 => OperandSize::Size16,
        32 => OperandSize::Size32,
        _ => OperandSize::Size64,
    }
}

/// Whether `ty` is a scalar integer of at most 64 bits: what one general register holds.
fn int_le64(ty: Type) -> bool {
    ty.is_scalar_int() && ty.bits() <= 64
}

fn cc_of(cc: IntCC) -> Cc {
    match cc {
        IntCC::Equal => Cc::Z,
        IntCC::NotEqual => Cc::Nz,
        IntCC::SignedLessThan => Cc::L,
        IntCC::SignedGreaterThanOrEqual => Cc::Nl,
        IntCC::SignedGreaterThan => Cc::Nle,
        IntCC::SignedLessThanOrEqual => Cc::Le,
        IntCC::UnsignedLessThan => Cc::B,
        IntCC::UnsignedGreaterThanOrEqual => Cc::Nb,
        IntCC::UnsignedGreaterThan => Cc::Nbe,
        IntCC::UnsignedLessThanOrEqual => Cc::Be,
    }
}

/// The x86-64 lowering backend, for a CPU with the features in `flags`.
pub struct X64Lower {
    /// The ISA flags: which optional instructions may be used.
    pub flags: X64Flags,
    /// How `tls_value` reaches thread-local variables.
    pub tls_model: crate::settings::TlsModel,
    /// Position-independent code: symbol addresses come from the GOT.
    pub pic: bool,
}

type IsleCtx<'a, 'f> = crate::machinst::isle::IsleCtx<'a, 'f, X64Lower>;

crate::isle_lowering_entries!(X64Lower, generated);

/// The 32-bit immediate standing for constant `bits` of integer type `ty` in an
/// operation of that type: types of 32 bits or fewer use the low bits (an `i32` constant
/// with its top bit set included), 64-bit ones need a sign-extended 32-bit value.
fn imm32_for(ty: Type, bits: u64) -> Option<i32> {
    if ty.bits() <= 32 {
        Some(bits as u32 as i32)
    } else {
        i32::try_from(bits as i64).ok()
    }
}

/// How a register part of type `ty` moves to and from memory.
fn move_kind(ty: Type) -> MoveKind {
    match ty {
        Type::F64 => MoveKind::F64,
        Type::F32 | Type::F16 => MoveKind::F32,
        Type::F128 => MoveKind::V128,
        t if t.is_vector128() => MoveKind::V128,
        _ => MoveKind::Int,
    }
}

impl LowerBackend for X64Lower {
    type MInst = MInst;

    fn name(&self) -> &'static str {
        "x86_64"
    }

    fn lower_args(&self, ctx: &mut Lower<'_, MInst>, params: &[Reg]) -> Result<(), CodegenError> {
        crate::machinst::call::emit_args::<MInst, crate::isa::x64::abi::X64Abi>(ctx, params)
    }

    fn lower_inst(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<(), CodegenError> {
        if lower_call_like(ctx, inst, self.tls_model)? {
            return Ok(());
        }
        lower_by_shape(self, ctx, inst)
    }

    fn lower_branch(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
        targets: &[usize],
    ) -> Result<(), CodegenError> {
        let tail_call = matches!(
            ctx.func.dfg.insts[inst].opcode(),
            Opcode::ReturnCall | Opcode::ReturnCallIndirect
        );
        if tail_call && matches!(Conv::of(ctx.func.signature.call_conv), Ok(Conv::Fastcall)) {
            // The epilogue would restore rsi/rdi over the callee's arguments.
            return Err(CodegenError::Unsupported {
                feature: "tail calls from windows_fastcall functions on x86_64".into(),
            });
        }
        crate::machinst::terminator::lower_terminator(self, ctx, inst, targets)
    }

    fn exception_payload(&self, ctx: &mut Lower<'_, MInst>) -> Result<Vec<Reg>, CodegenError> {
        // The unwinder delivers the payload in rax and rdx.
        Ok(crate::machinst::call::exception_payload(
            ctx,
            &[Gpr::RAX.preg(), Gpr::RDX.preg()],
        ))
    }

    fn jump(&self, target: usize) -> MInst {
        MInst::Jmp { target }
    }
}

impl crate::machinst::terminator::Terminators for X64Lower {
    type Abi = crate::isa::x64::abi::X64Abi;

    fn gen_tail_call(
        &self,
        callee: crate::machinst::call::TailCallee,
        uses: Vec<(Reg, regalloc2::PReg)>,
        stack_bytes: u32,
    ) -> Result<MInst, CodegenError> {
        Ok(match callee {
            crate::machinst::call::TailCallee::Name(dest) => MInst::ReturnCallKnown {
                dest,
                uses,
                stack_bytes,
            },
            crate::machinst::call::TailCallee::Reg(callee) => MInst::ReturnCallUnknown {
                callee,
                uses,
                stack_bytes,
            },
        })
    }

    fn lower_brif(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
        taken: usize,
        not_taken: usize,
    ) -> Result<(), CodegenError> {
        run_isle(self, ctx, inst, |isle| {
            generated::constructor_lower_brif(isle, inst, taken, not_taken)
        })
    }

    fn lower_br_table(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
        default: usize,
        table: &[usize],
    ) -> Result<(), CodegenError> {
        let table = table.to_vec();
        run_isle(self, ctx, inst, |isle| {
            generated::constructor_lower_br_table(isle, inst, default, table)
        })
    }

    fn lower_trap(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<(), CodegenError> {
        run_isle(self, ctx, inst, |isle| {
            generated::constructor_lower_trap(isle, inst)
        })
    }

    fn lower_return(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<(), CodegenError> {
        let abi = SigAbi::new(&ctx.func.signature)?;
        let mut rets =
            crate::machinst::call::lower_return::<MInst, crate::isa::x64::abi::X64Abi>(ctx, inst)?;
        // System V: a function with an `sret` parameter returns its value in rax.
        let rax = Gpr::RAX.preg();
        if let Some(i) = abi.sret.filter(|_| rets.iter().all(|&(_, p)| p != rax)) {
            let entry = ctx.func.layout.entry_block().expect("a function has one");
            let sret = ctx.func.dfg.block_params(entry)[i];
            let sret = ctx.value_reg(sret)?;
            rets.push((sret, rax));
        }
        ctx.vcode.push(MInst::Rets { rets });
        Ok(())
    }
}
