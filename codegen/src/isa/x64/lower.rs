//! Lowering CLIF to x86-64 instructions: the Rust side of the ISLE rules in
//! `lower.isle`, the System V argument and return registers, and the terminators.

use super::inst::args::OperandSize;
use super::inst::regs::Gpr;
use super::inst::{AluOp, Cc, Inst as MInst, ShiftOp, UnaryOp};
use crate::ir::{InstructionData, IntCC, MemFlags, Opcode, StackSlot, Type, Value};
use crate::machinst::CodegenError;
use crate::machinst::lower::{Lower, LowerBackend};
use crate::machinst::reg::{Reg, Writable};
use alloc::vec::Vec;
use regalloc2::RegClass;

#[allow(dead_code, missing_docs, unused_imports, unused_variables)]
mod generated {
    use super::{AluOp, ShiftOp, UnaryOp};
    use crate::ir::{Inst, IntCC, MemFlags, Opcode, StackSlot, Type, Value};
    const I8: Type = Type::I8;
    const I16: Type = Type::I16;
    const I32: Type = Type::I32;
    const I64: Type = Type::I64;
    use crate::machinst::reg::Reg;
    include!(concat!(env!("OUT_DIR"), "/isle_x64.rs"));
}

/// System V integer argument registers, in order (System V AMD64 ABI §3.2.3).
const ARG_REGS: [Gpr; 6] = [Gpr::RDI, Gpr::RSI, Gpr::RDX, Gpr::RCX, Gpr::R8, Gpr::R9];
/// System V integer return registers.
const RET_REGS: [Gpr; 2] = [Gpr::RAX, Gpr::RDX];

/// The operand size of an integer type of at most 64 bits.
pub(crate) fn size_of(ty: Type) -> OperandSize {
    match ty.bits() {
        8 => OperandSize::Size8,
        16 => OperandSize::Size16,
        32 => OperandSize::Size32,
        _ => OperandSize::Size64,
    }
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

/// The x86-64 lowering backend.
pub struct X64Lower;

/// The ISLE context: the lowering state plus the first error a term ran into.
struct IsleCtx<'a, 'f> {
    lower: &'a mut Lower<'f, MInst>,
    error: Option<CodegenError>,
}

impl IsleCtx<'_, '_> {
    fn tmp(&mut self) -> Reg {
        self.lower.vcode.alloc_vreg(RegClass::Int)
    }
}

impl generated::Context for IsleCtx<'_, '_> {
    fn value_type(&mut self, v: Value) -> Type {
        self.lower.func.dfg.value_type(v)
    }

    fn ty_bits_le64(&mut self, ty: Type) -> Option<u32> {
        (ty.is_int() && ty.bits() <= 64).then(|| ty.bits())
    }

    fn inst_opcode(&mut self, inst: crate::ir::Inst) -> crate::ir::Opcode {
        self.lower.func.dfg.insts[inst].opcode()
    }

    fn result_type(&mut self, inst: crate::ir::Inst) -> Option<Type> {
        let dfg = &self.lower.func.dfg;
        dfg.inst_results(inst).first().map(|&v| dfg.value_type(v))
    }

    fn fits_in_64(&mut self, ty: Type) -> Option<Type> {
        (ty.is_int() && ty.bits() <= 64).then_some(ty)
    }

    fn put_in_reg(&mut self, v: Value) -> Reg {
        match self.lower.value_reg(v) {
            Ok(r) => r,
            Err(e) => {
                self.error.get_or_insert(e);
                self.tmp()
            }
        }
    }

    fn load_args(&mut self, inst: crate::ir::Inst) -> Option<(MemFlags, Value, i32)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::Load {
                flags, arg, offset, ..
            } => Some((flags, arg, offset.bytes())),
            _ => None,
        }
    }

    fn stack_slot_args(&mut self, inst: crate::ir::Inst) -> Option<(StackSlot, i32)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::StackLoad {
                stack_slot, offset, ..
            } => Some((stack_slot, offset.bytes())),
            _ => None,
        }
    }

    fn x64_load(
        &mut self,
        ty: Type,
        signed: bool,
        flags: MemFlags,
        addr: Value,
        offset: i32,
    ) -> Reg {
        if let Err(e) = check_native_endian(flags) {
            self.error.get_or_insert(e);
        }
        let base = self.put_in_reg(addr);
        let dst = self.tmp();
        self.lower.vcode.push(MInst::Load {
            size: size_of(ty),
            signed,
            base,
            disp: offset,
            dst: Writable::from_reg(dst),
            trap: flags.trap_code(),
        });
        dst
    }

    fn x64_stack_addr(&mut self, ss: StackSlot, offset: i32) -> Reg {
        let dst = self.tmp();
        let offset = self.lower.stack_slot_offset(ss) as i32 + offset;
        self.lower.vcode.push(MInst::StackAddr {
            offset,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn unary(&mut self, inst: crate::ir::Inst) -> Option<Value> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::Unary { arg, .. } => Some(arg),
            _ => None,
        }
    }

    fn ternary(&mut self, inst: crate::ir::Inst) -> Option<(Value, Value, Value)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::Ternary {
                args: [a, b, c], ..
            } => Some((a, b, c)),
            _ => None,
        }
    }

    fn unary_imm(&mut self, inst: crate::ir::Inst) -> Option<u64> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::UnaryImm { imm, .. } => Some(imm.bits() as u64),
            _ => None,
        }
    }

    fn binary_args(&mut self, inst: crate::ir::Inst) -> Option<(Value, Value)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::Binary { args: [a, b], .. } => Some((a, b)),
            _ => None,
        }
    }

    fn int_compare(&mut self, inst: crate::ir::Inst) -> Option<(IntCC, Value, Value)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::IntCompare {
                cond, args: [a, b], ..
            } => Some((cond, a, b)),
            _ => None,
        }
    }

    fn x64_imm(&mut self, ty: Type, bits: u64) -> Reg {
        let dst = self.tmp();
        let mask = if ty.bits() >= 64 {
            u64::MAX
        } else {
            (1u64 << ty.bits()) - 1
        };
        self.lower.vcode.push(MInst::Imm {
            value: bits & mask,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_alu(&mut self, op: AluOp, ty: Type, a: Reg, b: Reg) -> Reg {
        let dst = self.tmp();
        self.lower.vcode.push(MInst::AluRR {
            op,
            size: size_of(ty),
            src1: a,
            src2: b,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_imul(&mut self, ty: Type, a: Reg, b: Reg) -> Reg {
        let dst = self.tmp();
        self.lower.vcode.push(MInst::Imul {
            size: size_of(ty),
            src1: a,
            src2: b,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_unary(&mut self, op: UnaryOp, ty: Type, src: Reg) -> Reg {
        let dst = self.tmp();
        self.lower.vcode.push(MInst::Unary {
            op,
            size: size_of(ty),
            src,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_shift(&mut self, op: ShiftOp, ty: Type, src: Reg, amount: Reg) -> Reg {
        // CLIF takes the amount modulo the width; x86 masks it to 5 bits (6 for 64-bit
        // operations), which is the same for 32 and 64 bits and for rotates.
        let amount = if ty.bits() < 32 && !matches!(op, ShiftOp::Rol | ShiftOp::Ror) {
            let masked = self.tmp();
            let imm = ty.bits() as i32 - 1;
            self.lower.vcode.push(MInst::AluRI {
                op: AluOp::And,
                size: OperandSize::Size32,
                src: amount,
                imm,
                dst: Writable::from_reg(masked),
            });
            masked
        } else {
            amount
        };
        let dst = self.tmp();
        self.lower.vcode.push(MInst::Shift {
            op,
            size: size_of(ty),
            src,
            amount,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_extend(&mut self, signed: bool, from: Type, src: Reg) -> Reg {
        if from.bits() >= 64 {
            return src;
        }
        let dst = self.tmp();
        self.lower.vcode.push(MInst::Extend {
            signed,
            from: size_of(from),
            src,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_select(&mut self, cty: Type, c: Reg, t: Reg, f: Reg) -> Reg {
        let dst = self.tmp();
        self.lower.vcode.push(MInst::Select {
            size: size_of(cty),
            c,
            t,
            f,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_cmp_cmov(&mut self, ty: Type, cc: IntCC, a: Reg, b: Reg) -> Reg {
        let dst = self.tmp();
        self.lower.vcode.push(MInst::CmpCmov {
            size: size_of(ty),
            cc: cc_of(cc),
            a,
            b,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_abs(&mut self, ty: Type, src: Reg) -> Reg {
        let dst = self.tmp();
        self.lower.vcode.push(MInst::Abs {
            size: size_of(ty),
            src,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_div(&mut self, signed: bool, rem: bool, ty: Type, x: Reg, y: Reg) -> Reg {
        // Narrow operands are extended and divided at 32 bits; the results fit.
        let (x, y, size) = if ty.bits() < 32 {
            (
                self.x64_extend(signed, ty, x),
                self.x64_extend(signed, ty, y),
                OperandSize::Size32,
            )
        } else {
            (x, y, size_of(ty))
        };
        let (quotient, remainder) = (self.tmp(), self.tmp());
        self.lower.vcode.push(MInst::Div {
            signed,
            size,
            narrow: size_of(ty),
            quotient_wanted: !rem,
            dividend: x,
            divisor: y,
            quotient: Writable::from_reg(quotient),
            remainder: Writable::from_reg(remainder),
        });
        if rem { remainder } else { quotient }
    }

    fn x64_cmp_setcc(&mut self, ty: Type, cc: IntCC, a: Reg, b: Reg) -> Reg {
        let dst = self.tmp();
        self.lower.vcode.push(MInst::CmpSetcc {
            size: size_of(ty),
            cc: cc_of(cc),
            a,
            b,
            dst: Writable::from_reg(dst),
        });
        dst
    }
}

fn unsupported(ctx: &Lower<'_, MInst>, inst: crate::ir::Inst) -> CodegenError {
    let dfg = &ctx.func.dfg;
    let ty = dfg
        .inst_results(inst)
        .first()
        .map_or(Type::INVALID, |&v| dfg.value_type(v));
    CodegenError::UnsupportedOpcode {
        opcode: dfg.insts[inst].opcode(),
        ty,
        isa: "x86_64",
    }
}

fn check_int(ctx: &Lower<'_, MInst>, ty: Type) -> Result<(), CodegenError> {
    if ty.is_int() && ty.bits() <= 64 {
        Ok(())
    } else {
        Err(CodegenError::Unsupported {
            feature: alloc::format!(
                "{ty} arguments and returns on x86_64 (function {})",
                ctx.func.name
            ),
        })
    }
}

/// Big-endian accesses would need byte swaps; x86-64 memory is little-endian.
fn check_native_endian(flags: MemFlags) -> Result<(), CodegenError> {
    if flags.endianness(crate::ir::Endianness::Little) == crate::ir::Endianness::Big {
        return Err(CodegenError::Unsupported {
            feature: "big-endian memory accesses on x86_64".into(),
        });
    }
    Ok(())
}

/// Lowers an instruction without results that is not a terminator.
fn lower_effect(ctx: &mut Lower<'_, MInst>, inst: crate::ir::Inst) -> Result<(), CodegenError> {
    match ctx.func.dfg.insts[inst] {
        InstructionData::Store {
            opcode,
            flags,
            args: [value, addr],
            offset,
        } => {
            check_native_endian(flags)?;
            let vty = ctx.func.dfg.value_type(value);
            check_int(ctx, vty)?;
            let size = match opcode {
                Opcode::Istore8 => OperandSize::Size8,
                Opcode::Istore16 => OperandSize::Size16,
                Opcode::Istore32 => OperandSize::Size32,
                _ => size_of(vty),
            };
            let (src, base) = (ctx.value_reg(value)?, ctx.value_reg(addr)?);
            ctx.vcode.push(MInst::Store {
                size,
                src,
                base,
                disp: offset.bytes(),
                trap: flags.trap_code(),
            });
            Ok(())
        }
        InstructionData::Nullary {
            opcode: Opcode::Nop,
            ..
        } => Ok(()),
        InstructionData::CondTrap {
            opcode: opcode @ (Opcode::Trapz | Opcode::Trapnz),
            arg,
            code,
        } => {
            let ty = ctx.func.dfg.value_type(arg);
            check_int(ctx, ty)?;
            let c = ctx.value_reg(arg)?;
            ctx.vcode.push(MInst::TrapIf {
                nonzero: opcode == Opcode::Trapnz,
                size: size_of(ty),
                c,
                code,
            });
            Ok(())
        }
        _ => Err(unsupported(ctx, inst)),
    }
}

impl LowerBackend for X64Lower {
    type MInst = MInst;

    fn name(&self) -> &'static str {
        "x86_64"
    }

    fn lower_args(&self, ctx: &mut Lower<'_, MInst>, params: &[Reg]) -> Result<(), CodegenError> {
        if params.len() > ARG_REGS.len() {
            return Err(CodegenError::Unsupported {
                feature: "more than 6 arguments (stack arguments) on x86_64".into(),
            });
        }
        for p in &ctx.func.signature.params {
            check_int(ctx, p.value_type)?;
        }
        let args = params
            .iter()
            .zip(ARG_REGS)
            .map(|(&r, g)| (Writable::from_reg(r), g.preg()))
            .collect();
        ctx.vcode.push(MInst::Args { args });
        Ok(())
    }

    fn lower_inst(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<(), CodegenError> {
        let results = ctx.func.dfg.inst_results(inst);
        if results.is_empty() {
            return lower_effect(ctx, inst);
        }
        if results.len() != 1 {
            return Err(unsupported(ctx, inst));
        }
        let result = results[0];
        let mut isle = IsleCtx {
            lower: ctx,
            error: None,
        };
        let reg = generated::constructor_lower(&mut isle, inst);
        if let Some(e) = isle.error {
            return Err(e);
        }
        let reg = reg.ok_or_else(|| unsupported(ctx, inst))?;
        ctx.set_result(result, reg);
        Ok(())
    }

    fn lower_branch(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
        targets: &[usize],
    ) -> Result<(), CodegenError> {
        match ctx.func.dfg.insts[inst] {
            InstructionData::Jump { .. } => {
                ctx.vcode.push(MInst::Jmp { target: targets[0] });
                ctx.add_succ(inst, 0, targets[0])
            }
            InstructionData::Brif { arg, .. } => {
                let ty = ctx.func.dfg.value_type(arg);
                check_int(ctx, ty)?;
                let src = ctx.value_reg(arg)?;
                ctx.vcode.push(MInst::TestBranch {
                    size: size_of(ty),
                    src,
                    taken: targets[0],
                    not_taken: targets[1],
                });
                ctx.add_succ(inst, 0, targets[0])?;
                ctx.add_succ(inst, 1, targets[1])
            }
            InstructionData::MultiAry {
                opcode: crate::ir::Opcode::Return,
                ..
            } => {
                let args: Vec<Value> = ctx.func.dfg.inst_args(inst).to_vec();
                if args.len() > RET_REGS.len() {
                    return Err(CodegenError::Unsupported {
                        feature: "more than 2 return values on x86_64".into(),
                    });
                }
                let mut rets = Vec::new();
                for (&v, g) in args.iter().zip(RET_REGS) {
                    check_int(ctx, ctx.func.dfg.value_type(v))?;
                    rets.push((ctx.value_reg(v)?, g.preg()));
                }
                ctx.vcode.push(MInst::Rets { rets });
                Ok(())
            }
            InstructionData::BranchTable { arg, .. } => {
                let ty = ctx.func.dfg.value_type(arg);
                if ty != Type::I32 {
                    return Err(unsupported(ctx, inst));
                }
                let idx = ctx.value_reg(arg)?;
                let tmp1 = ctx.vcode.alloc_vreg(RegClass::Int);
                let tmp2 = ctx.vcode.alloc_vreg(RegClass::Int);
                ctx.vcode.push(MInst::JmpTable {
                    idx,
                    tmp1: Writable::from_reg(tmp1),
                    tmp2: Writable::from_reg(tmp2),
                    default: targets[0],
                    targets: targets[1..].to_vec(),
                });
                for (succ, &t) in targets.iter().enumerate() {
                    ctx.add_succ(inst, succ, t)?;
                }
                Ok(())
            }
            InstructionData::Trap { code, .. } => {
                ctx.vcode.push(MInst::Trap { code });
                Ok(())
            }
            _ => Err(unsupported(ctx, inst)),
        }
    }

    fn jump(&self, target: usize) -> MInst {
        MInst::Jmp { target }
    }
}
