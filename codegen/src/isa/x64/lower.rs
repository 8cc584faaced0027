//! Lowering CLIF to x86-64 instructions: the Rust side of the ISLE rules in
//! `lower.isle`, the System V argument and return registers, and the terminators.

use super::abi::{ArgLoc, Conv, SigAbi, is_float};
use super::inst::FrameRegKind;
use super::inst::args::OperandSize;
use super::inst::regs::{Gpr, Xmm};
use super::inst::{
    Addr, AluOp, BitCountOp, CallInfo, Cc, Inst as MInst, MoveKind, RegOrImm, ShiftOp, UnaryOp,
    XmmOp, XmmUnaryOp,
};
use crate::entity::SecondaryMap;
use crate::ir::{
    FloatCC, InstructionData, IntCC, LibCall, MemFlags, Opcode, StackSlot, TrapCode, Type, Value,
};
use crate::machinst::CodegenError;
use crate::machinst::lower::{Lower, LowerBackend};
use crate::machinst::reg::{Reg, ValueRegs, Writable};
use crate::settings::X64Flags;
use alloc::vec::Vec;
use regalloc2::RegClass;

#[allow(dead_code, missing_docs, unused_imports, unused_variables)]
mod generated {
    use super::{AluOp, ShiftOp, UnaryOp, XmmOp};
    use crate::ir::{FloatCC, Inst, IntCC, MemFlags, Opcode, StackSlot, TrapCode, Type, Value};
    const F16: Type = Type::F16;
    const F32: Type = Type::F32;
    const F64: Type = Type::F64;
    type RegPair = (Reg, Reg);
    const I8: Type = Type::I8;
    const I16: Type = Type::I16;
    const I32: Type = Type::I32;
    const I64: Type = Type::I64;
    use crate::machinst::reg::Reg;
    include!(concat!(env!("OUT_DIR"), "/isle_x64.rs"));
}

// The ISLE constructors, callable as methods from the helpers below.
use generated::Context as _;

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

/// Whether `ty` is `f32` or `f64`: what an xmm register holds as a scalar.
fn f32_or_f64(ty: Type) -> bool {
    ty == Type::F32 || ty == Type::F64
}

/// The sign bit of a float type, as raw bits.
fn sign_bit(ty: Type) -> u128 {
    1 << (ty.bits() - 1)
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

/// The ISLE context: the lowering state plus the first error a term ran into.
struct IsleCtx<'a, 'f> {
    lower: &'a mut Lower<'f, MInst>,
    flags: X64Flags,
    error: Option<CodegenError>,
}

impl IsleCtx<'_, '_> {
    fn tmp(&mut self) -> Reg {
        self.lower.vcode.alloc_vreg(RegClass::Int)
    }

    fn ftmp(&mut self) -> Reg {
        self.lower.vcode.alloc_vreg(RegClass::Float)
    }

    fn xmm_unary(&mut self, op: XmmUnaryOp, double: bool, src: Reg) -> Reg {
        let dst = self.ftmp();
        self.push(MInst::XmmUnary {
            op,
            double,
            src,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    /// Calls a C library function taking floats in xmm0.. and returning one in xmm0,
    /// through its absolute address (it may be anywhere in the address space).
    fn float_libcall(&mut self, lc: LibCall, args: &[Reg]) -> Reg {
        let callee = self.tmp();
        self.push(MInst::LoadExtName {
            name: crate::ir::ExternalName::LibCall(lc),
            offset: 0,
            colocated: false,
            dst: Writable::from_reg(callee),
        });
        let uses = args
            .iter()
            .enumerate()
            .map(|(i, &r)| (r, Xmm::new(i as u8).preg()))
            .collect();
        let dst = self.ftmp();
        let mut clobbers = Conv::SystemV.clobbers();
        clobbers.remove(Xmm::new(0).preg());
        let info = alloc::boxed::Box::new(CallInfo {
            uses,
            defs: alloc::vec![(Writable::from_reg(dst), Xmm::new(0).preg())],
            clobbers,
            callee_pop: 0,
        });
        self.push(MInst::CallUnknown { callee, info });
        dst
    }

    fn push(&mut self, inst: MInst) {
        self.lower.vcode.push(inst);
    }

    /// Float to `i8`/`i16` (`ity`): through a signed 32-bit conversion, which holds every
    /// in-range value of both signednesses; then clamped (`sat`) or range-checked, trapping
    /// with `int_ovf` outside `ity`'s range (the 32-bit conversion itself traps for NaN
    /// and values beyond 32 bits).
    fn float_to_narrow_int(
        &mut self,
        signed: bool,
        sat: bool,
        fty: Type,
        ity: Type,
        x: Reg,
    ) -> Reg {
        let bits = ity.bits();
        let (lo, hi): (i64, i64) = if signed {
            (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
        } else {
            (0, (1 << bits) - 1)
        };
        let wide = generated::Context::x64_float_to_int(self, true, sat, fty, Type::I32, x);
        if sat {
            let l = generated::Context::x64_imm(self, Type::I32, lo as u64);
            let h = generated::Context::x64_imm(self, Type::I32, hi as u64);
            let r =
                generated::Context::x64_cmp_cmov(self, Type::I32, IntCC::SignedLessThan, wide, l);
            return generated::Context::x64_cmp_cmov(
                self,
                Type::I32,
                IntCC::SignedGreaterThan,
                r,
                h,
            );
        }
        // In range iff (wide - lo) as u32 <= hi - lo.
        let t = generated::Context::x64_alu_imm(self, AluOp::Sub, Type::I32, wide, lo as i32);
        let span = generated::Context::x64_imm(self, Type::I32, (hi - lo) as u64);
        let out =
            generated::Context::x64_cmp_setcc(self, Type::I32, IntCC::UnsignedGreaterThan, t, span);
        self.push(MInst::TrapIf {
            nonzero: true,
            size: OperandSize::Size8,
            c: out,
            code: TrapCode::INTEGER_OVERFLOW,
        });
        wide
    }

    /// `op mem, x` (or `imul` without `op`) with the folded load `load`'s address.
    fn alu_mem(&mut self, op: Option<AluOp>, ty: Type, x: Reg, load: crate::ir::Inst) -> Reg {
        let (flags, addr, offset) = match self.lower.func.dfg.insts[load] {
            InstructionData::Load {
                flags, arg, offset, ..
            } => (flags, arg, offset.bytes()),
            _ => unreachable!("can_sink_load accepts plain loads only"),
        };
        let addr = self.mem_operand(addr, offset);
        let dst = self.tmp();
        self.push(MInst::AluRM {
            op,
            size: size_of(ty),
            src1: x,
            addr,
            dst: Writable::from_reg(dst),
            trap: flags.trap_code(),
        });
        dst
    }

    /// `rdx:rax = a * b` (unsigned, 64-bit): the low and high halves.
    fn mul_wide64(&mut self, a: Reg, b: Reg) -> (Reg, Reg) {
        let (lo, hi) = (self.tmp(), self.tmp());
        self.push(MInst::MulWide {
            signed: false,
            size: OperandSize::Size64,
            a,
            b,
            lo: Writable::from_reg(lo),
            hi: Writable::from_reg(hi),
            overflow: None,
        });
        (lo, hi)
    }

    /// Calls a C runtime function taking `i128` arguments (each in two integer registers,
    /// System V) and returning an `i128` in `rax:rdx`, through its absolute address.
    fn int128_libcall(&mut self, lc: LibCall, args: &[(Reg, Reg)]) -> (Reg, Reg) {
        let callee = self.tmp();
        self.push(MInst::LoadExtName {
            name: crate::ir::ExternalName::LibCall(lc),
            offset: 0,
            colocated: false,
            dst: Writable::from_reg(callee),
        });
        let regs = [Gpr::RDI, Gpr::RSI, Gpr::RDX, Gpr::RCX, Gpr::R8, Gpr::R9];
        let uses = args
            .iter()
            .flat_map(|&(lo, hi)| [lo, hi])
            .zip(regs)
            .map(|(r, g)| (r, g.preg()))
            .collect();
        let (lo, hi) = (self.tmp(), self.tmp());
        let mut clobbers = Conv::SystemV.clobbers();
        clobbers.remove(Gpr::RAX.preg());
        clobbers.remove(Gpr::RDX.preg());
        let info = alloc::boxed::Box::new(CallInfo {
            uses,
            defs: alloc::vec![
                (Writable::from_reg(lo), Gpr::RAX.preg()),
                (Writable::from_reg(hi), Gpr::RDX.preg()),
            ],
            clobbers,
            callee_pop: 0,
        });
        self.push(MInst::CallUnknown { callee, info });
        (lo, hi)
    }

    /// The i128 additions and subtractions with an overflow flag (`uadd_overflow` & co;
    /// CLIF has no i128 `*mul_overflow`): the
    /// result pair and the 0/1 flag, or `None` for other instructions.
    fn overflow128(&mut self, inst: crate::ir::Inst) -> Option<((Reg, Reg), Reg)> {
        let (opcode, a, b, cin) = match self.lower.func.dfg.insts[inst] {
            InstructionData::Binary { opcode, args } => (opcode, args[0], args[1], None),
            InstructionData::Ternary { opcode, args } => (opcode, args[0], args[1], Some(args[2])),
            _ => return None,
        };
        let (a, b) = (self.put_in_pair(a), self.put_in_pair(b));
        if let Some(c) = cin {
            return Some(self.carry_chain128(opcode, a, b, c));
        }
        let sign_flag = |ctx: &mut Self, x: (Reg, Reg)| {
            ctx.shift_imm(ShiftOp::Shr, OperandSize::Size64, x.1, 63)
        };
        Some(match opcode {
            Opcode::UaddOverflow => {
                let sum = self.x64_alu128(AluOp::Add, a, b);
                (sum, self.x64_icmp128(IntCC::UnsignedLessThan, sum, a))
            }
            Opcode::UsubOverflow => {
                let diff = self.x64_alu128(AluOp::Sub, a, b);
                (diff, self.x64_icmp128(IntCC::UnsignedLessThan, a, b))
            }
            Opcode::SaddOverflow => {
                // Overflow iff the sum's sign differs from both operands' signs.
                let sum = self.x64_alu128(AluOp::Add, a, b);
                let x = self.x64_logic128(AluOp::Xor, a, sum);
                let y = self.x64_logic128(AluOp::Xor, b, sum);
                let both = self.x64_logic128(AluOp::And, x, y);
                (sum, sign_flag(self, both))
            }
            Opcode::SsubOverflow => {
                // Overflow iff the operands' signs differ and the result's differs from a's.
                let diff = self.x64_alu128(AluOp::Sub, a, b);
                let x = self.x64_logic128(AluOp::Xor, a, b);
                let y = self.x64_logic128(AluOp::Xor, a, diff);
                let both = self.x64_logic128(AluOp::And, x, y);
                (diff, sign_flag(self, both))
            }
            _ => return None,
        })
    }

    /// i128 add/sub with a carry or borrow in (`uadd_overflow_cin` & co): `a ± b ± c`
    /// (`c` 0 or 1) and the carry, borrow or signed overflow out.
    fn carry_chain128(
        &mut self,
        opcode: Opcode,
        a: (Reg, Reg),
        b: (Reg, Reg),
        c: Value,
    ) -> ((Reg, Reg), Reg) {
        let c = self.put_in_reg(c);
        let c = self.zext64(Type::I8, c);
        let zero = self.imm64(0);
        let add = matches!(opcode, Opcode::UaddOverflowCin | Opcode::SaddOverflowCin);
        let op = if add { AluOp::Add } else { AluOp::Sub };
        let r1 = self.x64_alu128(op, a, b);
        let r2 = self.x64_alu128(op, r1, (c, zero));
        let flag = match opcode {
            Opcode::UaddOverflowCin | Opcode::UsubOverflowBin => {
                // A carry (borrow) out of either step: r1 < a (a < b) or r2 < r1 (r1 < c).
                let (x1, y1, x2, y2) = if add {
                    (r1, a, r2, r1)
                } else {
                    (a, b, r1, (c, zero))
                };
                let o1 = self.x64_icmp128(IntCC::UnsignedLessThan, x1, y1);
                let o2 = self.x64_icmp128(IntCC::UnsignedLessThan, x2, y2);
                self.alu64(AluOp::Or, o1, o2)
            }
            _ => {
                // Signed overflow of the whole: add when a and b agree in sign and r2 does
                // not; subtract when a and b differ and r2 differs from a.
                let x = if add {
                    self.x64_logic128(AluOp::Xor, a, r2)
                } else {
                    self.x64_logic128(AluOp::Xor, a, b)
                };
                let y = if add {
                    self.x64_logic128(AluOp::Xor, b, r2)
                } else {
                    self.x64_logic128(AluOp::Xor, a, r2)
                };
                let both = self.x64_logic128(AluOp::And, x, y);
                self.shift_imm(ShiftOp::Shr, OperandSize::Size64, both.1, 63)
            }
        };
        (r2, flag)
    }

    /// The sign bit of float type `ty` alone, in an xmm register.
    fn sign_mask(&mut self, ty: Type) -> Reg {
        if ty == Type::F128 {
            self.xmm_const128(sign_bit(ty))
        } else {
            generated::Context::x64_fconst(self, ty, sign_bit(ty) as u64)
        }
    }

    /// `movq` of a general register into the low 64 bits of a new xmm register.
    fn gpr64_to_xmm(&mut self, src: Reg) -> Reg {
        let dst = self.ftmp();
        self.push(MInst::GprToXmm {
            wide: true,
            src,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    /// `movq` of the low 64 bits of an xmm register into a new general register.
    fn xmm_to_gpr64(&mut self, src: Reg) -> Reg {
        let dst = self.tmp();
        self.push(MInst::XmmToGpr {
            wide: true,
            src,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    /// A 128-bit constant in an xmm register: two 64-bit halves joined by `punpcklqdq`.
    fn xmm_const128(&mut self, bits: u128) -> Reg {
        let lo = self.imm64(bits as u64);
        let hi = self.imm64((bits >> 64) as u64);
        generated::Context::x64_pair_to_f128(self, (lo, hi))
    }

    /// The memory operand for `addr + offset` (see [`plan_addr`]).
    fn mem_operand(&mut self, addr: Value, offset: i32) -> Addr {
        match amode(self.lower, addr, offset) {
            Ok(a) => a,
            Err(e) => {
                self.error.get_or_insert(e);
                Addr::Slot { offset: 0 }
            }
        }
    }

    /// `x` with only its low `ty` bits, zero-extended to 64 bits.
    fn zext64(&mut self, ty: Type, x: Reg) -> Reg {
        generated::Context::x64_extend(self, false, ty, x)
    }

    fn shift_imm(&mut self, op: ShiftOp, size: OperandSize, src: Reg, imm: u8) -> Reg {
        let dst = self.tmp();
        self.push(MInst::ShiftRI {
            op,
            size,
            src,
            imm,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn alu64(&mut self, op: AluOp, a: Reg, b: Reg) -> Reg {
        generated::Context::x64_alu(self, op, Type::I64, a, b)
    }

    fn imm64(&mut self, bits: u64) -> Reg {
        generated::Context::x64_imm(self, Type::I64, bits)
    }

    /// Population count of a 64-bit register without POPCNT (the SWAR method).
    fn popcnt_swar(&mut self, x: Reg) -> Reg {
        let (m1, m2, m4, h01) = (
            self.imm64(0x5555_5555_5555_5555),
            self.imm64(0x3333_3333_3333_3333),
            self.imm64(0x0f0f_0f0f_0f0f_0f0f),
            self.imm64(0x0101_0101_0101_0101),
        );
        let t = self.shift_imm(ShiftOp::Shr, OperandSize::Size64, x, 1);
        let t = self.alu64(AluOp::And, t, m1);
        let x = self.alu64(AluOp::Sub, x, t);
        let a = self.alu64(AluOp::And, x, m2);
        let t = self.shift_imm(ShiftOp::Shr, OperandSize::Size64, x, 2);
        let t = self.alu64(AluOp::And, t, m2);
        let x = self.alu64(AluOp::Add, a, t);
        let t = self.shift_imm(ShiftOp::Shr, OperandSize::Size64, x, 4);
        let x = self.alu64(AluOp::Add, x, t);
        let x = self.alu64(AluOp::And, x, m4);
        let x = generated::Context::x64_imul(self, Type::I64, x, h01);
        self.shift_imm(ShiftOp::Shr, OperandSize::Size64, x, 56)
    }

    /// Swaps the bit groups of `width` selected by `mask` with their neighbours.
    fn swap_bits(&mut self, x: Reg, width: u8, mask: u64) -> Reg {
        let m = self.imm64(mask);
        let hi = self.shift_imm(ShiftOp::Shr, OperandSize::Size64, x, width);
        let hi = self.alu64(AluOp::And, hi, m);
        let lo = self.alu64(AluOp::And, x, m);
        let lo = self.shift_imm(ShiftOp::Shl, OperandSize::Size64, lo, width);
        self.alu64(AluOp::Or, hi, lo)
    }
}

impl generated::Context for IsleCtx<'_, '_> {
    fn value_type(&mut self, v: Value) -> Type {
        self.lower.func.dfg.value_type(v)
    }

    fn ty_bits_le64(&mut self, ty: Type) -> Option<u32> {
        int_le64(ty).then(|| ty.bits())
    }

    fn inst_opcode(&mut self, inst: crate::ir::Inst) -> crate::ir::Opcode {
        self.lower.func.dfg.insts[inst].opcode()
    }

    fn result_type(&mut self, inst: crate::ir::Inst) -> Option<Type> {
        let dfg = &self.lower.func.dfg;
        dfg.inst_results(inst).first().map(|&v| dfg.value_type(v))
    }

    fn fits_in_64(&mut self, ty: Type) -> Option<Type> {
        int_le64(ty).then_some(ty)
    }

    fn zero_upper32(&mut self, ty: Type, v: Value) -> Option<Reg> {
        let dfg = &self.lower.func.dfg;
        let inst = dfg.value_def(dfg.resolve_aliases(v)).inst()?;
        // An icmp's 0/1 is set and zero-extended to 32 bits (setcc, movzx), which clears
        // the upper half too: any extension of it is free.
        if let InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            args: [a, _],
            ..
        } = dfg.insts[inst]
        {
            if int_le64(dfg.value_type(a)) && int_le64(ty) {
                return Some(self.put_in_reg(v));
            }
        }
        if ty != Type::I64 || dfg.value_type(v) != Type::I32 {
            return None;
        }
        // Instructions whose i32 lowering is always a 32-bit operation or a zero-extending
        // load writing the whole register (Intel SDM vol. 1, 3.4.1.1: 32-bit results are
        // zero-extended to 64 bits). Shifts are left out: a shift by 0 need not write.
        let zeroes_upper = match dfg.insts[inst].opcode() {
            Opcode::Iadd
            | Opcode::Isub
            | Opcode::Imul
            | Opcode::Band
            | Opcode::Bor
            | Opcode::Bxor
            | Opcode::Iconst
            | Opcode::Uload8
            | Opcode::Uload16 => true,
            Opcode::Load => self.lower.sunk_load(v).is_none(),
            _ => false,
        };
        if !zeroes_upper {
            return None;
        }
        Some(self.put_in_reg(v))
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

    fn sunk_load(&mut self, v: Value) -> Option<crate::ir::Inst> {
        self.lower.sunk_load(v)
    }

    fn x64_alu_mem(&mut self, op: AluOp, ty: Type, x: Reg, load: crate::ir::Inst) -> Reg {
        self.alu_mem(Some(op), ty, x, load)
    }

    fn x64_imul_mem(&mut self, ty: Type, x: Reg, load: crate::ir::Inst) -> Reg {
        self.alu_mem(None, ty, x, load)
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
        let addr = self.mem_operand(addr, offset);
        let dst = self.tmp();
        self.lower.vcode.push(MInst::Load {
            size: size_of(ty),
            signed,
            addr,
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

    fn select_icmp(&mut self, c: Value) -> Option<Value> {
        icmp_cond(&self.lower.func.dfg, c)
    }

    fn x64_select_icmp(&mut self, cmp: Value, t: Value, f: Value) -> Reg {
        let Some((cc, a, b, cty)) = icmp_operands(self.lower, cmp) else {
            unreachable!("matched by select_icmp");
        };
        let plan = plan_icmp(&self.lower.func.dfg, cc, a, b);
        let lhs = self.put_in_reg(plan.lhs);
        let rhs = match rhs_operand(self.lower, plan.rhs) {
            Ok(r) => r,
            Err(e) => {
                self.error.get_or_insert(e);
                RegOrImm::Imm(0)
            }
        };
        let (t, f) = (self.put_in_reg(t), self.put_in_reg(f));
        let dst = self.tmp();
        self.lower.vcode.push(MInst::CmpSelect {
            size: size_of(cty),
            cc: cc_of(plan.cond),
            a: lhs,
            b: rhs,
            t,
            f,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_imul_imm(&mut self, ty: Type, a: Reg, imm: i32) -> Reg {
        let dst = self.tmp();
        self.lower.vcode.push(MInst::ImulRI {
            size: size_of(ty),
            src: a,
            imm,
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

    fn reg_pair(&mut self, a: Reg, b: Reg) -> (Reg, Reg) {
        (a, b)
    }

    fn def_inst(&mut self, v: Value) -> Option<crate::ir::Inst> {
        let dfg = &self.lower.func.dfg;
        dfg.value_def(dfg.resolve_aliases(v)).inst()
    }

    fn int_add_trap(&mut self, inst: crate::ir::Inst) -> Option<(Value, Value, TrapCode)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::IntAddTrap {
                args: [a, b], code, ..
            } => Some((a, b, code)),
            _ => None,
        }
    }

    fn x64_shift_imm(&mut self, op: ShiftOp, ty: Type, src: Reg, k: u64) -> Reg {
        let k = (k % u64::from(ty.bits())) as u8;
        if k == 0 {
            return src;
        }
        self.shift_imm(op, size_of(ty), src, k)
    }

    fn x64_clz(&mut self, ty: Type, x: Reg) -> Reg {
        let dst = self.tmp();
        if ty.bits() >= 32 && self.flags.has_lzcnt {
            self.push(MInst::BitCount {
                op: BitCountOp::Lzcnt,
                size: size_of(ty),
                src: x,
                dst: Writable::from_reg(dst),
            });
        } else {
            let src = self.zext64(ty, x);
            let tmp = self.tmp();
            self.push(MInst::BitScan {
                leading: true,
                bits: ty.bits() as u8,
                src,
                tmp: Writable::from_reg(tmp),
                dst: Writable::from_reg(dst),
            });
        }
        dst
    }

    fn x64_ctz(&mut self, ty: Type, x: Reg) -> Reg {
        let dst = self.tmp();
        if ty.bits() >= 32 && self.flags.has_bmi1 {
            self.push(MInst::BitCount {
                op: BitCountOp::Tzcnt,
                size: size_of(ty),
                src: x,
                dst: Writable::from_reg(dst),
            });
        } else {
            let src = self.zext64(ty, x);
            let tmp = self.tmp();
            self.push(MInst::BitScan {
                leading: false,
                bits: ty.bits() as u8,
                src,
                tmp: Writable::from_reg(tmp),
                dst: Writable::from_reg(dst),
            });
        }
        dst
    }

    fn x64_popcnt(&mut self, ty: Type, x: Reg) -> Reg {
        let src = self.zext64(ty, x);
        if self.flags.has_popcnt {
            let dst = self.tmp();
            self.push(MInst::BitCount {
                op: BitCountOp::Popcnt,
                size: OperandSize::Size64,
                src,
                dst: Writable::from_reg(dst),
            });
            dst
        } else {
            self.popcnt_swar(src)
        }
    }

    fn x64_bswap(&mut self, ty: Type, x: Reg) -> Reg {
        if ty.bits() == 8 {
            return x;
        }
        let dst = self.tmp();
        self.push(MInst::Bswap {
            size: size_of(ty),
            src: x,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_bitrev(&mut self, ty: Type, x: Reg) -> Reg {
        // Reverse the bits within each byte, then the bytes. Working on 64 bits is safe:
        // the masks keep bits from above the type out of its low bits.
        let x = self.swap_bits(x, 1, 0x5555_5555_5555_5555);
        let x = self.swap_bits(x, 2, 0x3333_3333_3333_3333);
        let x = self.swap_bits(x, 4, 0x0f0f_0f0f_0f0f_0f0f);
        self.x64_bswap(ty, x)
    }

    fn x64_bmask(&mut self, xty: Type, x: Reg) -> Reg {
        let dst = self.tmp();
        self.push(MInst::Bmask {
            size: size_of(xty),
            src: x,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_mulhi(&mut self, signed: bool, ty: Type, a: Reg, b: Reg) -> Reg {
        if ty.bits() == 8 {
            // The 16-bit product of the extended bytes; its high byte.
            let a = self.x64_extend(signed, ty, a);
            let b = self.x64_extend(signed, ty, b);
            let p = self.x64_imul(Type::I32, a, b);
            let op = if signed { ShiftOp::Sar } else { ShiftOp::Shr };
            return self.shift_imm(op, OperandSize::Size32, p, 8);
        }
        let (lo, hi) = (self.tmp(), self.tmp());
        self.push(MInst::MulWide {
            signed,
            size: size_of(ty),
            a,
            b,
            lo: Writable::from_reg(lo),
            hi: Writable::from_reg(hi),
            overflow: None,
        });
        hi
    }

    fn x64_alu_flag(&mut self, op: AluOp, signed: bool, ty: Type, a: Reg, b: Reg) -> (Reg, Reg) {
        let (dst, flag) = (self.tmp(), self.tmp());
        let cc = if signed { Cc::O } else { Cc::B };
        self.push(MInst::AluFlag {
            op,
            size: size_of(ty),
            cc,
            a,
            b,
            dst: Writable::from_reg(dst),
            flag: Writable::from_reg(flag),
        });
        (dst, flag)
    }

    fn x64_mul_overflow(&mut self, signed: bool, ty: Type, a: Reg, b: Reg) -> (Reg, Reg) {
        let (lo, hi, flag) = (self.tmp(), self.tmp(), self.tmp());
        self.push(MInst::MulWide {
            signed,
            size: size_of(ty),
            a,
            b,
            lo: Writable::from_reg(lo),
            hi: Writable::from_reg(hi),
            overflow: Some(Writable::from_reg(flag)),
        });
        (lo, flag)
    }

    fn x64_add_trap(&mut self, ty: Type, a: Reg, b: Reg, code: TrapCode) -> Reg {
        let dst = self.tmp();
        self.push(MInst::AddTrap {
            size: size_of(ty),
            a,
            b,
            dst: Writable::from_reg(dst),
            code,
        });
        dst
    }

    fn float_ty(&mut self, ty: Type) -> Option<Type> {
        f32_or_f64(ty).then_some(ty)
    }

    fn float_compare(&mut self, inst: crate::ir::Inst) -> Option<(FloatCC, Value, Value)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::FloatCompare {
                cond, args: [a, b], ..
            } => Some((cond, a, b)),
            _ => None,
        }
    }

    fn xmm_data_ty(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::F16 || ty == Type::F128).then_some(ty)
    }

    fn f16_bits(&mut self, inst: crate::ir::Inst) -> Option<u64> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::UnaryIeee16 { imm, .. } => Some(u64::from(imm.bits())),
            _ => None,
        }
    }

    fn x64_f128const(&mut self, inst: crate::ir::Inst) -> Reg {
        let bits = match self.lower.func.dfg.insts[inst] {
            InstructionData::UnaryConst { constant, .. } => {
                let bytes = self
                    .lower
                    .func
                    .dfg
                    .constants
                    .get(constant)
                    .map_or(&[][..], |c| c.as_slice());
                let mut le = [0u8; 16];
                let n = bytes.len().min(16);
                le[..n].copy_from_slice(&bytes[..n]);
                u128::from_le_bytes(le)
            }
            _ => 0,
        };
        self.xmm_const128(bits)
    }

    fn x64_f128_to_pair(&mut self, x: Reg) -> (Reg, Reg) {
        let lo = self.xmm_to_gpr64(x);
        let high = self.ftmp();
        self.push(MInst::XmmRR {
            op: XmmOp::MoveHighToLow,
            double: false,
            src1: x,
            src2: x,
            dst: Writable::from_reg(high),
        });
        (lo, self.xmm_to_gpr64(high))
    }

    fn x64_pair_to_f128(&mut self, p: (Reg, Reg)) -> Reg {
        let (lo, hi) = (self.gpr64_to_xmm(p.0), self.gpr64_to_xmm(p.1));
        let dst = self.ftmp();
        self.push(MInst::XmmRR {
            op: XmmOp::UnpackLowQ,
            double: false,
            src1: lo,
            src2: hi,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn f32_bits(&mut self, inst: crate::ir::Inst) -> Option<u64> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::UnaryIeee32 { imm, .. } => Some(u64::from(imm.bits())),
            _ => None,
        }
    }

    fn f64_bits(&mut self, inst: crate::ir::Inst) -> Option<u64> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::UnaryIeee64 { imm, .. } => Some(imm.bits()),
            _ => None,
        }
    }

    fn bitcast_arg(&mut self, inst: crate::ir::Inst) -> Option<Value> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::LoadNoOffset { arg, .. } => Some(arg),
            _ => None,
        }
    }

    fn x64_fconst(&mut self, ty: Type, bits: u64) -> Reg {
        let double = ty == Type::F64;
        let g = self.x64_imm(if double { Type::I64 } else { Type::I32 }, bits);
        let dst = self.ftmp();
        self.push(MInst::GprToXmm {
            wide: double,
            src: g,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_xmm_rr(&mut self, op: XmmOp, ty: Type, a: Reg, b: Reg) -> Reg {
        let dst = self.ftmp();
        self.push(MInst::XmmRR {
            op,
            double: ty == Type::F64,
            src1: a,
            src2: b,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_sqrt(&mut self, ty: Type, x: Reg) -> Reg {
        self.xmm_unary(XmmUnaryOp::Sqrt, ty == Type::F64, x)
    }

    fn x64_round(&mut self, ty: Type, mode: u8, x: Reg) -> Reg {
        if self.flags.has_sse41 {
            return self.xmm_unary(XmmUnaryOp::Round(mode), ty == Type::F64, x);
        }
        // Without SSE4.1: the C library's ceil/floor/trunc/nearbyint.
        let double = ty == Type::F64;
        let lc = match (mode, double) {
            (0, false) => LibCall::NearestF32,
            (0, true) => LibCall::NearestF64,
            (1, false) => LibCall::FloorF32,
            (1, true) => LibCall::FloorF64,
            (2, false) => LibCall::CeilF32,
            (2, true) => LibCall::CeilF64,
            (_, false) => LibCall::TruncF32,
            (_, true) => LibCall::TruncF64,
        };
        self.float_libcall(lc, &[x])
    }

    fn x64_fma(&mut self, ty: Type, a: Reg, b: Reg, c: Reg) -> Reg {
        let lc = if ty == Type::F64 {
            LibCall::FmaF64
        } else {
            LibCall::FmaF32
        };
        self.float_libcall(lc, &[a, b, c])
    }

    fn x64_fneg(&mut self, ty: Type, x: Reg) -> Reg {
        let sign = self.sign_mask(ty);
        self.x64_xmm_rr(XmmOp::Xor, ty, x, sign)
    }

    fn x64_fabs(&mut self, ty: Type, x: Reg) -> Reg {
        let sign = self.sign_mask(ty);
        // andnps: !sign & x
        self.x64_xmm_rr(XmmOp::AndNot, ty, sign, x)
    }

    fn x64_fcopysign(&mut self, ty: Type, a: Reg, b: Reg) -> Reg {
        let magnitude = self.x64_fabs(ty, a);
        let sign = self.sign_mask(ty);
        let sign = self.x64_xmm_rr(XmmOp::And, ty, sign, b);
        self.x64_xmm_rr(XmmOp::Or, ty, magnitude, sign)
    }

    fn x64_fmin_max(&mut self, max: bool, ty: Type, a: Reg, b: Reg) -> Reg {
        let dst = self.ftmp();
        self.push(MInst::FminMax {
            max,
            double: ty == Type::F64,
            a,
            b,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_fcmp(&mut self, ty: Type, cc: FloatCC, a: Reg, b: Reg) -> Reg {
        let (dst, tmp) = (self.tmp(), self.tmp());
        self.push(MInst::Fcmp {
            double: ty == Type::F64,
            cc,
            a,
            b,
            dst: Writable::from_reg(dst),
            tmp: Writable::from_reg(tmp),
        });
        dst
    }

    fn x64_float_to_int(&mut self, signed: bool, sat: bool, fty: Type, ity: Type, x: Reg) -> Reg {
        if ity.bits() < 32 {
            return self.float_to_narrow_int(signed, sat, fty, ity, x);
        }
        let (dst, tmp_gpr, tmp_xmm, tmp_xmm2) = (self.tmp(), self.tmp(), self.ftmp(), self.ftmp());
        self.push(MInst::CvtFloatToInt {
            signed,
            sat,
            double: fty == Type::F64,
            wide: ity == Type::I64,
            src: x,
            dst: Writable::from_reg(dst),
            tmp_gpr: Writable::from_reg(tmp_gpr),
            tmp_xmm: Writable::from_reg(tmp_xmm),
            tmp_xmm2: Writable::from_reg(tmp_xmm2),
        });
        dst
    }

    fn x64_int_to_float(&mut self, signed: bool, ity: Type, fty: Type, x: Reg) -> Reg {
        let double = fty == Type::F64;
        let dst = self.ftmp();
        if !signed && ity == Type::I64 {
            let (t1, t2) = (self.tmp(), self.tmp());
            self.push(MInst::CvtU64ToFloat {
                double,
                src: x,
                dst: Writable::from_reg(dst),
                tmp1: Writable::from_reg(t1),
                tmp2: Writable::from_reg(t2),
            });
            return dst;
        }
        // Narrower integers are extended to 64 bits (unsigned 32-bit ones too, so they
        // convert as non-negative).
        let (src, wide) = if ity == Type::I32 && signed {
            (x, false)
        } else {
            (self.x64_extend(signed, ity, x), true)
        };
        self.push(MInst::CvtIntToFloat {
            wide,
            double,
            src,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_fconvert(&mut self, ty: Type, x: Reg) -> Reg {
        // To f32 means from f64 (cvtsd2ss) and the other way round.
        self.xmm_unary(XmmUnaryOp::Convert, ty == Type::F32, x)
    }

    fn x64_bitcast(&mut self, from: Type, to: Type, x: Reg) -> Reg {
        let is_float = |t: Type| f32_or_f64(t) || t == Type::F16 || t == Type::F128;
        let is_int = int_le64;
        if is_int(from) && is_float(to) {
            let dst = self.ftmp();
            self.push(MInst::GprToXmm {
                wide: to == Type::F64,
                src: x,
                dst: Writable::from_reg(dst),
            });
            dst
        } else if is_float(from) && is_int(to) {
            let dst = self.tmp();
            self.push(MInst::XmmToGpr {
                wide: from == Type::F64,
                src: x,
                dst: Writable::from_reg(dst),
            });
            dst
        } else if (is_int(from) && is_int(to)) || (is_float(from) && is_float(to)) {
            x
        } else {
            self.error.get_or_insert(CodegenError::Unsupported {
                feature: alloc::format!("bitcast from {from} to {to} on x86_64"),
            });
            x
        }
    }

    fn x64_xmm_select(&mut self, cty: Type, c: Reg, t: Reg, f: Reg) -> Reg {
        let dst = self.ftmp();
        self.push(MInst::XmmSelect {
            size: size_of(cty),
            c,
            t,
            f,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_xmm_load(&mut self, ty: Type, flags: MemFlags, addr: Value, offset: i32) -> Reg {
        if let Err(e) = check_native_endian(flags) {
            self.error.get_or_insert(e);
        }
        if ty == Type::F16 {
            // Exactly two bytes (a wider load could fault past the value).
            let bits = self.x64_load(Type::I16, false, flags, addr, offset);
            return self.x64_bitcast(Type::I16, Type::F16, bits);
        }
        let addr = self.mem_operand(addr, offset);
        let dst = self.ftmp();
        self.push(MInst::XmmLoad {
            kind: move_kind(ty),
            addr,
            dst: Writable::from_reg(dst),
            trap: flags.trap_code(),
        });
        dst
    }

    fn put_in_pair(&mut self, v: Value) -> (Reg, Reg) {
        match self.lower.value_regs(v).map(|r| r.regs().to_vec()) {
            Ok(regs) if regs.len() == 2 => (regs[0], regs[1]),
            Ok(_) => {
                self.error.get_or_insert(CodegenError::Unsupported {
                    feature: "a narrow value where i128 is expected".into(),
                });
                (self.tmp(), self.tmp())
            }
            Err(e) => {
                self.error.get_or_insert(e);
                (self.tmp(), self.tmp())
            }
        }
    }

    fn pair_lo(&mut self, p: (Reg, Reg)) -> Reg {
        p.0
    }

    fn pair_hi(&mut self, p: (Reg, Reg)) -> Reg {
        p.1
    }

    fn x64_shl128(&mut self, x: (Reg, Reg), n: Reg) -> (Reg, Reg) {
        // For n mod 64 (what shifts by cl use): lo' = lo << n, hi' = hi << n | lo >> (64 - n),
        // the latter as (lo >> 1) >> (63 - n) so that n = 0 gives 0. Bit 6 of n moves lo'
        // into hi' and clears lo'.
        let (lo, hi) = x;
        let t_lo = self.x64_shift(ShiftOp::Shl, Type::I64, lo, n);
        let t_hi = self.x64_shift(ShiftOp::Shl, Type::I64, hi, n);
        let inv = self.x64_unary(UnaryOp::Not, Type::I64, n);
        let half = self.shift_imm(ShiftOp::Shr, OperandSize::Size64, lo, 1);
        let carry = self.x64_shift(ShiftOp::Shr, Type::I64, half, inv);
        let small_hi = self.alu64(AluOp::Or, t_hi, carry);
        let big = self.x64_alu_imm(AluOp::And, Type::I64, n, 64);
        let zero = self.imm64(0);
        (
            self.x64_select(Type::I64, big, zero, t_lo),
            self.x64_select(Type::I64, big, t_lo, small_hi),
        )
    }

    fn x64_shr128(&mut self, signed: bool, x: (Reg, Reg), n: Reg) -> (Reg, Reg) {
        // The mirror image of `x64_shl128`; the vacated high half is the sign when signed.
        let (lo, hi) = x;
        let op = if signed { ShiftOp::Sar } else { ShiftOp::Shr };
        let t_hi = self.x64_shift(op, Type::I64, hi, n);
        let t_lo = self.x64_shift(ShiftOp::Shr, Type::I64, lo, n);
        let inv = self.x64_unary(UnaryOp::Not, Type::I64, n);
        let half = self.shift_imm(ShiftOp::Shl, OperandSize::Size64, hi, 1);
        let carry = self.x64_shift(ShiftOp::Shl, Type::I64, half, inv);
        let small_lo = self.alu64(AluOp::Or, t_lo, carry);
        let big = self.x64_alu_imm(AluOp::And, Type::I64, n, 64);
        let fill = if signed {
            self.shift_imm(ShiftOp::Sar, OperandSize::Size64, hi, 63)
        } else {
            self.imm64(0)
        };
        (
            self.x64_select(Type::I64, big, t_hi, small_lo),
            self.x64_select(Type::I64, big, fill, t_hi),
        )
    }

    fn x64_clz128(&mut self, trailing: bool, x: (Reg, Reg)) -> Reg {
        // Count in the first half (hi for leading zeros, lo for trailing); if it is all
        // zeros (count 64, bit 6 set), add the other half's count.
        let (first, second) = if trailing { (x.0, x.1) } else { (x.1, x.0) };
        let count = |ctx: &mut Self, r| {
            if trailing {
                ctx.x64_ctz(Type::I64, r)
            } else {
                ctx.x64_clz(Type::I64, r)
            }
        };
        let c1 = count(self, first);
        let c2 = count(self, second);
        let all = self.shift_imm(ShiftOp::Shr, OperandSize::Size64, c1, 6);
        let mask = self.x64_unary(UnaryOp::Neg, Type::I64, all);
        let extra = self.alu64(AluOp::And, c2, mask);
        self.alu64(AluOp::Add, c1, extra)
    }

    fn x64_popcnt128(&mut self, x: (Reg, Reg)) -> Reg {
        let (a, b) = (
            self.x64_popcnt(Type::I64, x.0),
            self.x64_popcnt(Type::I64, x.1),
        );
        self.alu64(AluOp::Add, a, b)
    }

    fn x64_cls128(&mut self, x: (Reg, Reg)) -> Reg {
        // cls(x) = clz(x ^ (x >> 127)) - 1.
        let sign = self.shift_imm(ShiftOp::Sar, OperandSize::Size64, x.1, 63);
        let lo = self.alu64(AluOp::Xor, x.0, sign);
        let hi = self.alu64(AluOp::Xor, x.1, sign);
        let clz = self.x64_clz128(false, (lo, hi));
        self.x64_alu_imm(AluOp::Add, Type::I64, clz, -1)
    }

    fn x64_nonzero128(&mut self, x: (Reg, Reg)) -> Reg {
        self.alu64(AluOp::Or, x.0, x.1)
    }

    fn x64_float_to_i128(&mut self, signed: bool, sat: bool, fty: Type, x: Reg) -> (Reg, Reg) {
        let double = fty == Type::F64;
        let fconst = |ctx: &mut Self, v: f64| {
            let bits = if double {
                v.to_bits()
            } else {
                u64::from((v as f32).to_bits())
            };
            ctx.x64_fconst(fty, bits)
        };
        // The range that converts: [lo, hi) with lo exact (-2^127, or above -1 when
        // unsigned) and hi = 2^127 or 2^128.
        let two127 = f64::from_bits((1023 + 127) << 52); // 2^127 (no `powi` in core)
        let hi_bound = fconst(self, if signed { two127 } else { two127 * 2.0 });
        let lo_bound = fconst(self, if signed { -two127 } else { -1.0 });
        let nan = self.x64_fcmp(fty, FloatCC::Unordered, x, x);
        let too_big = self.x64_fcmp(fty, FloatCC::GreaterThanOrEqual, x, hi_bound);
        let too_small = if signed {
            self.x64_fcmp(fty, FloatCC::LessThan, x, lo_bound)
        } else {
            self.x64_fcmp(fty, FloatCC::LessThanOrEqual, x, lo_bound)
        };
        if !sat {
            for (c, code) in [
                (nan, TrapCode::BAD_CONVERSION_TO_INTEGER),
                (too_big, TrapCode::INTEGER_OVERFLOW),
                (too_small, TrapCode::INTEGER_OVERFLOW),
            ] {
                self.push(MInst::TrapIf {
                    nonzero: true,
                    size: OperandSize::Size8,
                    c,
                    code,
                });
            }
        }
        // Out-of-range inputs never reach the runtime: they are replaced by 0 first.
        let bad = self.alu64(AluOp::Or, nan, too_big);
        let bad = self.alu64(AluOp::Or, bad, too_small);
        let zero_f = fconst(self, 0.0);
        let input = self.x64_xmm_select(Type::I64, bad, zero_f, x);
        let lc = match (signed, double) {
            (true, false) => LibCall::F32ToI128,
            (true, true) => LibCall::F64ToI128,
            (false, false) => LibCall::F32ToU128,
            (false, true) => LibCall::F64ToU128,
        };
        let callee = self.tmp();
        self.push(MInst::LoadExtName {
            name: crate::ir::ExternalName::LibCall(lc),
            offset: 0,
            colocated: false,
            dst: Writable::from_reg(callee),
        });
        let (lo, hi) = (self.tmp(), self.tmp());
        let mut clobbers = Conv::SystemV.clobbers();
        clobbers.remove(Gpr::RAX.preg());
        clobbers.remove(Gpr::RDX.preg());
        let info = alloc::boxed::Box::new(CallInfo {
            uses: alloc::vec![(input, Xmm::new(0).preg())],
            defs: alloc::vec![
                (Writable::from_reg(lo), Gpr::RAX.preg()),
                (Writable::from_reg(hi), Gpr::RDX.preg()),
            ],
            clobbers,
            callee_pop: 0,
        });
        self.push(MInst::CallUnknown { callee, info });
        if !sat {
            return (lo, hi);
        }
        // Saturate: too big gives the maximum, too small the minimum (0 when unsigned),
        // NaN gives 0 (the call already returned 0 for the replaced input).
        let (max, min) = if signed {
            ((u64::MAX, i64::MAX as u64), (0, 1u64 << 63))
        } else {
            ((u64::MAX, u64::MAX), (0, 0))
        };
        let max = (self.imm64(max.0), self.imm64(max.1));
        let min = (self.imm64(min.0), self.imm64(min.1));
        let r = self.x64_select128(Type::I8, too_big, max, (lo, hi));
        self.x64_select128(Type::I8, too_small, min, r)
    }

    fn x64_i128_to_float(&mut self, signed: bool, fty: Type, x: (Reg, Reg)) -> Reg {
        let lc = match (signed, fty == Type::F64) {
            (true, false) => LibCall::I128ToF32,
            (true, true) => LibCall::I128ToF64,
            (false, false) => LibCall::U128ToF32,
            (false, true) => LibCall::U128ToF64,
        };
        let callee = self.tmp();
        self.push(MInst::LoadExtName {
            name: crate::ir::ExternalName::LibCall(lc),
            offset: 0,
            colocated: false,
            dst: Writable::from_reg(callee),
        });
        let dst = self.ftmp();
        let mut clobbers = Conv::SystemV.clobbers();
        clobbers.remove(Xmm::new(0).preg());
        let info = alloc::boxed::Box::new(CallInfo {
            uses: alloc::vec![(x.0, Gpr::RDI.preg()), (x.1, Gpr::RSI.preg())],
            defs: alloc::vec![(Writable::from_reg(dst), Xmm::new(0).preg())],
            clobbers,
            callee_pop: 0,
        });
        self.push(MInst::CallUnknown { callee, info });
        dst
    }

    fn x64_mulhi128(&mut self, signed: bool, a: (Reg, Reg), b: (Reg, Reg)) -> (Reg, Reg) {
        // With 64-bit digits a = a1:a0, b = b1:b0 and pij = ai * bj (128-bit each), the
        // high half of the product is p11 + hi(p01) + hi(p10) + carry(hi(p00) + lo(p01)
        // + lo(p10)); no partial sum exceeds 128 bits.
        let (_, h00) = self.mul_wide64(a.0, b.0);
        let (l01, h01) = self.mul_wide64(a.0, b.1);
        let (l10, h10) = self.mul_wide64(a.1, b.0);
        let (l11, h11) = self.mul_wide64(a.1, b.1);
        let zero = self.imm64(0);
        let mid = self.x64_alu128(AluOp::Add, (h00, zero), (l01, zero));
        let mid = self.x64_alu128(AluOp::Add, mid, (l10, zero));
        let hi = self.x64_alu128(AluOp::Add, (l11, h11), (h01, zero));
        let hi = self.x64_alu128(AluOp::Add, hi, (h10, zero));
        let hi = self.x64_alu128(AluOp::Add, hi, (mid.1, zero));
        if !signed {
            return hi;
        }
        // Signed: subtract b if a < 0 and a if b < 0 (mod 2^128).
        let sa = self.shift_imm(ShiftOp::Sar, OperandSize::Size64, a.1, 63);
        let sb = self.shift_imm(ShiftOp::Sar, OperandSize::Size64, b.1, 63);
        let fix_a = self.x64_logic128(AluOp::And, b, (sa, sa));
        let fix_b = self.x64_logic128(AluOp::And, a, (sb, sb));
        let hi = self.x64_alu128(AluOp::Sub, hi, fix_a);
        self.x64_alu128(AluOp::Sub, hi, fix_b)
    }

    fn x64_divrem128(
        &mut self,
        signed: bool,
        rem: bool,
        a: (Reg, Reg),
        b: (Reg, Reg),
    ) -> (Reg, Reg) {
        // A zero divisor traps.
        let nonzero = self.x64_nonzero128(b);
        self.push(MInst::TrapIf {
            nonzero: false,
            size: OperandSize::Size64,
            c: nonzero,
            code: TrapCode::INTEGER_DIVISION_BY_ZERO,
        });
        let mut b = b;
        if signed {
            // not_m1 is zero exactly when b = -1.
            let ones = self.alu64(AluOp::And, b.0, b.1);
            let not_m1 = self.x64_alu_imm(AluOp::Add, Type::I64, ones, 1);
            if rem {
                // x % -1 = 0 = x % 1, without asking the runtime about MIN % -1.
                let one = self.imm64(1);
                let zero = self.imm64(0);
                b = (
                    self.x64_select(Type::I64, not_m1, b.0, one),
                    self.x64_select(Type::I64, not_m1, b.1, zero),
                );
            } else {
                // MIN / -1 overflows.
                let min = self.imm64(1 << 63);
                let hi = self.alu64(AluOp::Xor, a.1, min);
                let not_min = self.alu64(AluOp::Or, hi, a.0);
                let ok = self.alu64(AluOp::Or, not_min, not_m1);
                self.push(MInst::TrapIf {
                    nonzero: false,
                    size: OperandSize::Size64,
                    c: ok,
                    code: TrapCode::INTEGER_OVERFLOW,
                });
            }
        }
        let lc = match (signed, rem) {
            (false, false) => LibCall::UdivI128,
            (true, false) => LibCall::SdivI128,
            (false, true) => LibCall::UremI128,
            (true, true) => LibCall::SremI128,
        };
        self.int128_libcall(lc, &[a, b])
    }

    fn is_i128(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::I128).then_some(ty)
    }

    fn x64_alu128(&mut self, op: AluOp, a: (Reg, Reg), b: (Reg, Reg)) -> (Reg, Reg) {
        let (lo, hi) = (self.tmp(), self.tmp());
        self.push(MInst::Alu128 {
            op,
            a_lo: a.0,
            a_hi: a.1,
            b_lo: b.0,
            b_hi: b.1,
            dst_lo: Writable::from_reg(lo),
            dst_hi: Writable::from_reg(hi),
        });
        (lo, hi)
    }

    fn x64_logic128(&mut self, op: AluOp, a: (Reg, Reg), b: (Reg, Reg)) -> (Reg, Reg) {
        (self.alu64(op, a.0, b.0), self.alu64(op, a.1, b.1))
    }

    fn x64_not128(&mut self, a: (Reg, Reg)) -> (Reg, Reg) {
        (
            self.x64_unary(UnaryOp::Not, Type::I64, a.0),
            self.x64_unary(UnaryOp::Not, Type::I64, a.1),
        )
    }

    fn x64_neg128(&mut self, a: (Reg, Reg)) -> (Reg, Reg) {
        let zero = (self.imm64(0), self.imm64(0));
        self.x64_alu128(AluOp::Sub, zero, a)
    }

    fn x64_mul128(&mut self, a: (Reg, Reg), b: (Reg, Reg)) -> (Reg, Reg) {
        // lo:hi0 = a.lo * b.lo (unsigned, full width); hi = hi0 + a.lo*b.hi + a.hi*b.lo.
        let (lo, hi0) = (self.tmp(), self.tmp());
        self.push(MInst::MulWide {
            signed: false,
            size: OperandSize::Size64,
            a: a.0,
            b: b.0,
            lo: Writable::from_reg(lo),
            hi: Writable::from_reg(hi0),
            overflow: None,
        });
        let t1 = self.x64_imul(Type::I64, a.0, b.1);
        let t2 = self.x64_imul(Type::I64, a.1, b.0);
        let hi = self.alu64(AluOp::Add, hi0, t1);
        let hi = self.alu64(AluOp::Add, hi, t2);
        (lo, hi)
    }

    fn x64_extend128(&mut self, signed: bool, ty: Type, x: Reg) -> (Reg, Reg) {
        let lo = self.x64_extend(signed, ty, x);
        let hi = if signed {
            self.shift_imm(ShiftOp::Sar, OperandSize::Size64, lo, 63)
        } else {
            self.imm64(0)
        };
        (lo, hi)
    }

    fn x64_select128(&mut self, cty: Type, c: Reg, t: (Reg, Reg), f: (Reg, Reg)) -> (Reg, Reg) {
        (
            self.x64_select(cty, c, t.0, f.0),
            self.x64_select(cty, c, t.1, f.1),
        )
    }

    fn x64_load128(&mut self, flags: MemFlags, addr: Value, offset: i32) -> (Reg, Reg) {
        (
            self.x64_load(Type::I64, false, flags, addr, offset),
            self.x64_load(Type::I64, false, flags, addr, offset.wrapping_add(8)),
        )
    }

    fn x64_icmp128(&mut self, cc: IntCC, a: (Reg, Reg), b: (Reg, Reg)) -> Reg {
        let (dst, tmp) = (self.tmp(), self.tmp());
        self.push(MInst::Cmp128 {
            cc,
            a_lo: a.0,
            a_hi: a.1,
            b_lo: b.0,
            b_hi: b.1,
            dst: Writable::from_reg(dst),
            tmp: Writable::from_reg(tmp),
        });
        dst
    }

    fn x64_iconcat64(&mut self, ty: Type, lo: Reg, hi: Reg) -> Reg {
        let half = Type::int(ty.bits() / 2).unwrap_or(Type::I32);
        let lo = self.x64_extend(false, half, lo);
        let hi = self.shift_imm(ShiftOp::Shl, OperandSize::Size64, hi, half.bits() as u8);
        self.alu64(AluOp::Or, lo, hi)
    }

    fn x64_isplit64(&mut self, ty: Type, x: Reg) -> (Reg, Reg) {
        let hi = self.shift_imm(ShiftOp::Shr, OperandSize::Size64, x, (ty.bits() / 2) as u8);
        let lo = x;
        // Narrow values may carry garbage above their width; the high half must not.
        let hi = self.x64_extend(false, Type::int(ty.bits() / 2).unwrap_or(Type::I32), hi);
        (lo, hi)
    }

    fn x64_alu_carry(
        &mut self,
        op: AluOp,
        signed: bool,
        ty: Type,
        a: Reg,
        b: Reg,
        cin: Reg,
    ) -> (Reg, Reg) {
        let (dst, flag) = (self.tmp(), self.tmp());
        let cc = if signed { Cc::O } else { Cc::B };
        self.push(MInst::AluCarryIn {
            op,
            size: size_of(ty),
            cc,
            a,
            b,
            cin,
            dst: Writable::from_reg(dst),
            flag: Writable::from_reg(flag),
        });
        (dst, flag)
    }

    fn imm32_for(&mut self, ty: Type, bits: u64) -> Option<i32> {
        imm32_for(ty, bits)
    }

    fn x64_alu_imm(&mut self, op: AluOp, ty: Type, src: Reg, imm: i32) -> Reg {
        let dst = self.tmp();
        self.push(MInst::AluRI {
            op,
            size: size_of(ty),
            src,
            imm,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_icmp(&mut self, ty: Type, inst: crate::ir::Inst) -> Reg {
        let InstructionData::IntCompare {
            cond, args: [a, b], ..
        } = self.lower.func.dfg.insts[inst]
        else {
            unreachable!("matched as an icmp");
        };
        let plan = plan_icmp(&self.lower.func.dfg, cond, a, b);
        let lhs = self.put_in_reg(plan.lhs);
        let rhs = match rhs_operand(self.lower, plan.rhs) {
            Ok(r) => r,
            Err(e) => {
                self.error.get_or_insert(e);
                RegOrImm::Imm(0)
            }
        };
        let dst = self.tmp();
        self.lower.vcode.push(MInst::CmpSetcc {
            size: size_of(ty),
            cc: cc_of(plan.cond),
            a: lhs,
            b: rhs,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn x64_cmp_setcc(&mut self, ty: Type, cc: IntCC, a: Reg, b: Reg) -> Reg {
        let dst = self.tmp();
        self.lower.vcode.push(MInst::CmpSetcc {
            size: size_of(ty),
            cc: cc_of(cc),
            a,
            b: RegOrImm::Reg(b),
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

/// How the address `addr + offset` of a load or store becomes a memory operand: the
/// computation of `addr` is folded into the operand when it is a stack slot's address or
/// an `iadd` (of a constant, or of two registers). Both lowering and
/// [`LowerBackend::absorbed_operands`] use this one decision, so an address folded away
/// is never needed in a register.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum AddrPlan {
    /// `disp(base)`.
    Reg { base: Value, disp: i32 },
    /// `disp(base, index)`; `inner` is the `iadd` of base and index when the address
    /// was `iadd(iadd(base, index), disp)` and the inner sum is folded away too.
    RegReg {
        base: Value,
        index: Value,
        disp: i32,
        inner: Option<Value>,
    },
    /// A stack slot plus `offset`.
    Slot { slot: StackSlot, offset: i32 },
}

/// The value of `v` if an `iconst` defines it.
fn iconst_of(dfg: &crate::ir::DataFlowGraph, v: Value) -> Option<i64> {
    let inst = dfg.value_def(dfg.resolve_aliases(v)).inst()?;
    match dfg.insts[inst] {
        InstructionData::UnaryImm {
            opcode: Opcode::Iconst,
            imm,
        } => Some(imm.bits()),
        _ => None,
    }
}

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

/// See [`AddrPlan`].
fn plan_addr(
    func: &crate::ir::FunctionStencil,
    uses: &SecondaryMap<Value, u32>,
    addr: Value,
    offset: i32,
) -> AddrPlan {
    let dfg = &func.dfg;
    let addr = dfg.resolve_aliases(addr);
    let plain = AddrPlan::Reg {
        base: addr,
        disp: offset,
    };
    let Some(def) = dfg.value_def(addr).inst() else {
        return plain;
    };
    let with_disp = |k: i64| i32::try_from(k).ok().and_then(|k| k.checked_add(offset));
    match dfg.insts[def] {
        InstructionData::StackLoad {
            opcode: Opcode::StackAddr,
            stack_slot,
            offset: o,
        } => match with_disp(o.bytes().into()) {
            Some(offset) => AddrPlan::Slot {
                slot: stack_slot,
                offset,
            },
            None => plain,
        },
        InstructionData::Binary {
            opcode: Opcode::Iadd,
            args: [a, b],
        } if dfg.value_type(addr) == Type::I64 => {
            // `x + disp`, where `x` may itself be a sum of two registers used only here
            // (the usual form of a Wasm heap access: base + index + offset).
            let sum_plus = |x: Value, disp: i32| {
                let x = dfg.resolve_aliases(x);
                let inner = dfg.value_def(x).inst().and_then(|i| match dfg.insts[i] {
                    InstructionData::Binary {
                        opcode: Opcode::Iadd,
                        args: [c, d],
                    } if uses[addr] == 1
                        && uses[x] == 1
                        && iconst_of(dfg, c).is_none()
                        && iconst_of(dfg, d).is_none() =>
                    {
                        Some((c, d))
                    }
                    _ => None,
                });
                match inner {
                    Some((c, d)) => AddrPlan::RegReg {
                        base: c,
                        index: d,
                        disp,
                        inner: Some(x),
                    },
                    None => AddrPlan::Reg { base: x, disp },
                }
            };
            if let Some(disp) = iconst_of(dfg, b).and_then(with_disp) {
                sum_plus(a, disp)
            } else if let Some(disp) = iconst_of(dfg, a).and_then(with_disp) {
                sum_plus(b, disp)
            } else {
                AddrPlan::RegReg {
                    base: a,
                    index: b,
                    disp: offset,
                    inner: None,
                }
            }
        }
        _ => plain,
    }
}

/// The memory operand for `addr + offset`, following [`plan_addr`].
///
/// # Errors
/// A value of the address without a register (see [`Lower::value_reg`]).
fn amode(ctx: &Lower<'_, MInst>, addr: Value, offset: i32) -> Result<Addr, CodegenError> {
    Ok(
        match plan_addr(ctx.func, ctx.raw_use_counts(), addr, offset) {
            AddrPlan::Reg { base, disp } => Addr::Reg {
                base: ctx.value_reg(base)?,
                disp,
            },
            AddrPlan::RegReg {
                base, index, disp, ..
            } => Addr::RegReg {
                base: ctx.value_reg(base)?,
                index: ctx.value_reg(index)?,
                disp,
            },
            AddrPlan::Slot { slot, offset } => Addr::Slot {
                offset: (ctx.stack_slot_offset(slot) as i32).wrapping_add(offset),
            },
        },
    )
}

/// The registers of `values`, flattened (two for each `i128`).
fn flat_regs(ctx: &Lower<'_, MInst>, values: &[Value]) -> Result<Vec<Reg>, CodegenError> {
    let mut out = Vec::new();
    for &v in values {
        out.extend_from_slice(ctx.value_regs(v)?.regs());
    }
    Ok(out)
}

/// How a register part of type `ty` moves to and from memory.
fn move_kind(ty: Type) -> MoveKind {
    match ty {
        Type::F64 => MoveKind::F64,
        Type::F32 | Type::F16 => MoveKind::F32,
        Type::F128 => MoveKind::V128,
        _ => MoveKind::Int,
    }
}

fn check_int(ty: Type) -> Result<(), CodegenError> {
    if int_le64(ty) {
        Ok(())
    } else {
        Err(CodegenError::Unsupported {
            feature: alloc::format!("{ty} arguments and returns on x86_64"),
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

/// The offset in the outgoing area of the return area of a call to `abi`: above its
/// stack arguments, 16-byte aligned.
fn ret_area_offset(abi: &SigAbi) -> u32 {
    abi.stack_arg_bytes.div_ceil(16) * 16
}

/// Places the arguments of a call to `abi`: stack arguments are stored into the outgoing
/// area now (which grows to hold them and the return area); the register ones, and the
/// return area's address if the callee needs one, are returned for the call to use. A
/// tail call (`tail`) passes the caller's own return area on.
///
/// # Errors
/// [`CodegenError::Unsupported`] for tail calls that need stack arguments or a return
/// area the caller does not have.
fn call_args(
    ctx: &mut Lower<'_, MInst>,
    abi: &SigAbi,
    args: &[Value],
    tail: bool,
) -> Result<Vec<(Reg, regalloc2::PReg)>, CodegenError> {
    let regs = flat_regs(ctx, args)?;
    let mut uses = Vec::new();
    if tail && Conv::of(ctx.func.signature.call_conv)? != Conv::SystemV {
        // The epilogue would restore rsi/rdi over the callee's arguments.
        return Err(CodegenError::Unsupported {
            feature: "tail calls from windows_fastcall functions on x86_64".into(),
        });
    }
    if tail && abi.stack_arg_bytes > abi.callee_pop_bytes {
        // The callee would leave its arguments to a caller that did not push them.
        return Err(CodegenError::Unsupported {
            feature: "tail calls with stack arguments to a function of a caller-pops \
                      convention (system_v, windows_fastcall) on x86_64; use `tail`"
                .into(),
        });
    }
    ctx.vcode.note_outgoing_args(abi.stack_arg_bytes);
    for ((r, loc), &ty) in regs.into_iter().zip(&abi.args).zip(&abi.arg_parts) {
        match *loc {
            ArgLoc::Reg(p) => uses.push((r, p)),
            ArgLoc::Stack(offset) => {
                ctx.vcode.push(MInst::StoreStackArg {
                    offset,
                    kind: move_kind(ty),
                    src: r,
                });
            }
        }
    }
    if let Some(p) = abi.ret_area_ptr {
        let addr = if tail {
            ctx.ret_area_ptr.ok_or_else(|| CodegenError::Unsupported {
                feature: "a tail call needing a return area from a function without one".into(),
            })?
        } else {
            let offset = ret_area_offset(abi);
            ctx.vcode.note_outgoing_args(offset + abi.ret_area_bytes);
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::OutgoingAddr {
                offset,
                dst: Writable::from_reg(dst),
            });
            dst
        };
        uses.push((addr, p));
    }
    Ok(uses)
}

/// Lowers calls, `func_addr` and `symbol_value`; `false` if `inst` is none of them.
fn lower_call_like(
    ctx: &mut Lower<'_, MInst>,
    inst: crate::ir::Inst,
    tls_model: crate::settings::TlsModel,
    pic: bool,
) -> Result<bool, CodegenError> {
    let dfg = &ctx.func.dfg;
    match dfg.insts[inst] {
        InstructionData::Call {
            opcode: Opcode::Call,
            func_ref,
            args,
        } => {
            let ext = &dfg.ext_funcs[func_ref];
            let sig = dfg.signatures[ext.signature].clone();
            let dest = ext.name.clone();
            let args: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
            let (info, loads) = call_info(ctx, inst, &sig, &args)?;
            ctx.vcode.push(MInst::CallKnown { dest, info });
            loads.into_iter().for_each(|l| ctx.vcode.push(l));
            Ok(true)
        }
        InstructionData::CallIndirect {
            opcode: Opcode::CallIndirect,
            sig_ref,
            args,
        } => {
            let sig = dfg.signatures[sig_ref].clone();
            let all: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
            let callee = ctx.value_reg(all[0])?;
            let (info, loads) = call_info(ctx, inst, &sig, &all[1..])?;
            ctx.vcode.push(MInst::CallUnknown { callee, info });
            loads.into_iter().for_each(|l| ctx.vcode.push(l));
            Ok(true)
        }
        InstructionData::Nullary {
            opcode:
                opcode @ (Opcode::GetFramePointer
                | Opcode::GetStackPointer
                | Opcode::GetReturnAddress
                | Opcode::GetPinnedReg),
        } => {
            let which = match opcode {
                Opcode::GetFramePointer => FrameRegKind::FramePointer,
                Opcode::GetStackPointer => FrameRegKind::StackPointer,
                Opcode::GetPinnedReg => FrameRegKind::Pinned,
                _ => FrameRegKind::ReturnAddress,
            };
            let result = dfg.first_result(inst);
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::FrameReg {
                which,
                dst: Writable::from_reg(dst),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        InstructionData::ExceptionHandlerAddress { block, imm, .. } => {
            let target = ctx.edge_block(block, 1 + imm as usize).ok_or_else(|| {
                CodegenError::Unsupported {
                    feature: alloc::format!(
                        "get_exception_handler_address of a missing handler {imm} of {block}"
                    ),
                }
            })?;
            let result = dfg.first_result(inst);
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::LoadLabelAddr {
                target,
                dst: Writable::from_reg(dst),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        InstructionData::FuncAddr { func_ref, .. } => {
            let name = dfg.ext_funcs[func_ref].name.clone();
            let colocated = dfg.ext_funcs[func_ref].colocated;
            let result = dfg.first_result(inst);
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::LoadExtName {
                name,
                offset: 0,
                colocated,
                dst: Writable::from_reg(dst),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        InstructionData::UnaryGlobalValue {
            opcode: Opcode::TlsValue,
            global_value,
        } => {
            let crate::ir::GlobalValueData::Symbol {
                name,
                offset,
                tls: true,
                ..
            } = ctx.func.global_values[global_value].clone()
            else {
                return Err(CodegenError::Unsupported {
                    feature: alloc::format!("tls_value of {global_value}, not a TLS symbol"),
                });
            };
            if tls_model != crate::settings::TlsModel::ElfGd {
                return Err(CodegenError::Unsupported {
                    feature: alloc::format!(
                        "tls_value with tls_model={} on x86_64 (elf_gd is implemented)",
                        tls_model.name()
                    ),
                });
            }
            let result = dfg.first_result(inst);
            let addr = ctx.vcode.alloc_vreg(RegClass::Int);
            let rax = Gpr::RAX.preg();
            let mut clobbers = Conv::SystemV.clobbers();
            clobbers.remove(rax);
            ctx.vcode.push(MInst::ElfTlsGetAddr {
                symbol: name,
                info: alloc::boxed::Box::new(CallInfo {
                    uses: Vec::new(),
                    defs: alloc::vec![(Writable::from_reg(addr), rax)],
                    clobbers,
                    callee_pop: 0,
                }),
            });
            let dst = if offset.bits() == 0 {
                addr
            } else {
                let off = ctx.vcode.alloc_vreg(RegClass::Int);
                ctx.vcode.push(MInst::Imm {
                    value: offset.bits() as u64,
                    dst: Writable::from_reg(off),
                });
                let sum = ctx.vcode.alloc_vreg(RegClass::Int);
                ctx.vcode.push(MInst::AluRR {
                    op: AluOp::Add,
                    size: OperandSize::Size64,
                    src1: addr,
                    src2: off,
                    dst: Writable::from_reg(sum),
                });
                sum
            };
            ctx.set_result(result, dst);
            Ok(true)
        }
        InstructionData::UnaryGlobalValue {
            opcode: Opcode::SymbolValue,
            global_value,
        } => {
            let crate::ir::GlobalValueData::Symbol {
                name,
                offset,
                colocated,
                tls: false,
            } = ctx.func.global_values[global_value].clone()
            else {
                return Err(CodegenError::Unsupported {
                    feature: alloc::format!(
                        "symbol_value of {global_value} (thread-local or not a symbol) on x86_64"
                    ),
                });
            };
            if pic && i32::try_from(offset.bits()).is_err() {
                return Err(CodegenError::Unsupported {
                    feature: alloc::format!(
                        "symbol_value of {global_value} with an offset beyond 32 bits in \
                         position-independent code on x86_64"
                    ),
                });
            }
            let result = dfg.first_result(inst);
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::LoadExtName {
                name,
                offset: offset.bits(),
                colocated,
                dst: Writable::from_reg(dst),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// The registers of a call's results (one entry per result), the fixed defs behind them,
/// the registers the call clobbers besides those, and the loads of results from the
/// return area to emit after the call.
struct CallResults {
    values: Vec<ValueRegs>,
    defs: Vec<(Writable<Reg>, regalloc2::PReg)>,
    clobbers: regalloc2::PRegSet,
    loads: Vec<MInst>,
}

/// The result registers of a call to `abi`: fresh vregs, defined by the call in the
/// return registers or loaded from the return area after it (two for an `i128`).
fn call_results(ctx: &mut Lower<'_, MInst>, abi: &SigAbi) -> CallResults {
    let mut out = CallResults {
        values: Vec::new(),
        defs: Vec::new(),
        clobbers: abi.call_clobbers(),
        loads: Vec::new(),
    };
    let area = ret_area_offset(abi);
    let mut parts = abi.ret_parts.iter().zip(&abi.rets);
    let mut part = |ctx: &mut Lower<'_, MInst>, out: &mut CallResults| {
        let (&ty, loc) = parts.next().expect("one location per part");
        let class = if is_float(ty) {
            RegClass::Float
        } else {
            RegClass::Int
        };
        let r = ctx.vcode.alloc_vreg(class);
        match *loc {
            ArgLoc::Reg(p) => out.defs.push((Writable::from_reg(r), p)),
            ArgLoc::Stack(offset) => out.loads.push(MInst::LoadOutgoing {
                offset: area + offset,
                kind: move_kind(ty),
                dst: Writable::from_reg(r),
            }),
        }
        r
    };
    for &ret in &abi.ret_types {
        let regs = if ret == Type::I128 {
            let lo = part(ctx, &mut out);
            ValueRegs::two(lo, part(ctx, &mut out))
        } else {
            ValueRegs::one(part(ctx, &mut out))
        };
        out.values.push(regs);
    }
    out
}

/// Argument and result registers of a call instruction, defining its results; returns
/// the call's registers and the loads to emit after it.
fn call_info(
    ctx: &mut Lower<'_, MInst>,
    inst: crate::ir::Inst,
    sig: &crate::ir::Signature,
    args: &[Value],
) -> Result<(alloc::boxed::Box<CallInfo>, Vec<MInst>), CodegenError> {
    let abi = SigAbi::new(sig)?;
    let uses = call_args(ctx, &abi, args, false)?;
    let r = call_results(ctx, &abi);
    let results: Vec<Value> = ctx.func.dfg.inst_results(inst).to_vec();
    for (v, regs) in results.into_iter().zip(r.values) {
        ctx.set_result_regs(v, regs);
    }
    let info = alloc::boxed::Box::new(CallInfo {
        uses,
        defs: r.defs,
        clobbers: r.clobbers,
        callee_pop: abi.callee_pop_bytes,
    });
    Ok((info, r.loads))
}

/// A `try_call`: arguments as for a call, results defined by the call and handed to the
/// normal-return edge, then the branch to every edge.
#[allow(clippy::too_many_arguments)]
fn lower_try_call(
    ctx: &mut Lower<'_, MInst>,
    inst: crate::ir::Inst,
    sig: &crate::ir::Signature,
    dest: Option<crate::ir::ExternalName>,
    callee: Option<Reg>,
    args: &[Value],
    exception: crate::ir::ExceptionTable,
    targets: &[usize],
) -> Result<(), CodegenError> {
    let abi = SigAbi::new(sig)?;
    if abi.ret_area_ptr.is_some() {
        return Err(CodegenError::Unsupported {
            feature: "try_call to a function returning results in a return area on x86_64".into(),
        });
    }
    let uses = call_args(ctx, &abi, args, false)?;
    let r = call_results(ctx, &abi);
    ctx.set_try_call_rets(inst, r.values);
    let info = alloc::boxed::Box::new(CallInfo {
        uses,
        defs: r.defs,
        clobbers: r.clobbers,
        callee_pop: abi.callee_pop_bytes,
    });
    let tags = ctx.func.dfg.exception_tables[exception]
        .items
        .iter()
        .filter_map(|item| match item {
            crate::ir::ExceptionTableItem::Tag(tag, _) => Some(Some(tag.as_u32())),
            crate::ir::ExceptionTableItem::Default(_) => Some(None),
            crate::ir::ExceptionTableItem::Context(_) => None,
        })
        .collect();
    ctx.vcode.push(MInst::TryCall {
        dest,
        callee,
        info,
        normal: targets[0],
        handlers: targets[1..].to_vec(),
        tags,
    });
    for (succ, &t) in targets.iter().enumerate() {
        ctx.add_succ(inst, succ, t)?;
    }
    Ok(())
}

/// The access size of an atomic operation on `ty`.
///
/// # Errors
/// [`CodegenError::Unsupported`] for `i128` (it would need `cmpxchg16b`).
fn atomic_size(ty: Type) -> Result<OperandSize, CodegenError> {
    if int_le64(ty) {
        Ok(size_of(ty))
    } else {
        Err(CodegenError::Unsupported {
            feature: alloc::format!("atomic operations on {ty} on x86_64"),
        })
    }
}

/// Lowers atomic loads, read-modify-writes and compare-and-swaps; `false` for other
/// instructions. Every access is sequentially consistent, as x86-64 makes cheap.
fn lower_atomic(ctx: &mut Lower<'_, MInst>, inst: crate::ir::Inst) -> Result<bool, CodegenError> {
    let dfg = &ctx.func.dfg;
    match dfg.insts[inst] {
        InstructionData::LoadNoOffset {
            opcode: Opcode::AtomicLoad,
            flags,
            arg,
        } => {
            let result = dfg.first_result(inst);
            let ty = dfg.value_type(result);
            let size = atomic_size(ty)?;
            let base = ctx.value_reg(arg)?;
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::Load {
                size,
                signed: false,
                addr: Addr::Reg { base, disp: 0 },
                dst: Writable::from_reg(dst),
                trap: flags.trap_code(),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        InstructionData::AtomicRmw {
            op,
            args: [addr, v],
            ..
        } => {
            let result = dfg.first_result(inst);
            let size = atomic_size(dfg.value_type(result))?;
            let (addr, operand) = (ctx.value_reg(addr)?, ctx.value_reg(v)?);
            let (tmp, dst) = (
                ctx.vcode.alloc_vreg(RegClass::Int),
                ctx.vcode.alloc_vreg(RegClass::Int),
            );
            ctx.vcode.push(MInst::AtomicRmw {
                op,
                size,
                addr,
                operand,
                tmp: Writable::from_reg(tmp),
                dst: Writable::from_reg(dst),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        InstructionData::AtomicCas {
            args: [addr, expected, replacement],
            ..
        } => {
            let result = dfg.first_result(inst);
            let size = atomic_size(dfg.value_type(result))?;
            let (addr, expected, replacement) = (
                ctx.value_reg(addr)?,
                ctx.value_reg(expected)?,
                ctx.value_reg(replacement)?,
            );
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::AtomicCas {
                size,
                addr,
                expected,
                replacement,
                dst: Writable::from_reg(dst),
            });
            ctx.set_result(result, dst);
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// How an integer comparison is emitted: `lhs cond rhs` with a constant operand that fits
/// a sign-extended 32-bit immediate as the immediate (a constant on the left is moved to
/// the right with the condition mirrored). Lowering and `absorbed_operands` both use it.
struct IcmpPlan {
    cond: IntCC,
    lhs: Value,
    rhs: CmpRhs,
    /// The constant operand the immediate replaces.
    absorbed: Option<Value>,
}

/// The right operand of a planned comparison.
#[derive(Clone, Copy)]
enum CmpRhs {
    Value(Value),
    Imm(i32),
}

/// See [`IcmpPlan`].
fn plan_icmp(dfg: &crate::ir::DataFlowGraph, cond: IntCC, a: Value, b: Value) -> IcmpPlan {
    let imm = |v: Value| iconst_of(dfg, v).and_then(|k| imm32_for(dfg.value_type(v), k as u64));
    match (imm(a), imm(b)) {
        (_, Some(k)) => IcmpPlan {
            cond,
            lhs: a,
            rhs: CmpRhs::Imm(k),
            absorbed: Some(b),
        },
        (Some(k), None) => IcmpPlan {
            cond: cond.swap_args(),
            lhs: b,
            rhs: CmpRhs::Imm(k),
            absorbed: Some(a),
        },
        (None, None) => IcmpPlan {
            cond,
            lhs: a,
            rhs: CmpRhs::Value(b),
            absorbed: None,
        },
    }
}

/// The machine operand of a planned comparison's right side.
fn rhs_operand(ctx: &Lower<'_, MInst>, rhs: CmpRhs) -> Result<RegOrImm, CodegenError> {
    Ok(match rhs {
        CmpRhs::Value(v) => RegOrImm::Reg(ctx.value_reg(v)?),
        CmpRhs::Imm(k) => RegOrImm::Imm(k),
    })
}

/// Whether `inst` is an integer icmp (or an extension of one) whose only use is the
/// `brif` ending its block, which then branches on the comparison itself (so the 0/1
/// result is never materialized).
fn fused_into_branch(ctx: &Lower<'_, MInst>, inst: crate::ir::Inst) -> bool {
    let dfg = &ctx.func.dfg;
    let Some(&result) = dfg.inst_results(inst).first() else {
        return false;
    };
    let Some(block) = ctx.func.layout.inst_block(inst) else {
        return false;
    };
    let Some(term) = ctx.func.layout.last_inst(block) else {
        return false;
    };
    let InstructionData::Brif { arg, .. } = dfg.insts[term] else {
        return false;
    };
    // The values from the branch's condition down to the icmp, each used only by the
    // next one up and defined in this block.
    let mut v = dfg.resolve_aliases(arg);
    loop {
        let Some(def) = dfg.value_def(v).inst() else {
            return false;
        };
        if ctx.use_count(v) != 1 || ctx.func.layout.inst_block(def) != Some(block) {
            return false;
        }
        if v == result {
            return icmp_operands(ctx, branch_cond(ctx, v)).is_some();
        }
        match extended(ctx, v) {
            Some(inner) => v = inner,
            None => return false,
        }
    }
}

/// The operand of the `uextend`/`sextend` defining `v`, if one does.
fn extended(ctx: &Lower<'_, MInst>, v: Value) -> Option<Value> {
    extended_in(&ctx.func.dfg, v)
}

/// [`extended`] on a data flow graph.
fn extended_in(dfg: &crate::ir::DataFlowGraph, v: Value) -> Option<Value> {
    match dfg.insts[dfg.value_def(v).inst()?] {
        InstructionData::Unary {
            opcode: Opcode::Uextend | Opcode::Sextend,
            arg,
        } => Some(dfg.resolve_aliases(arg)),
        _ => None,
    }
}

/// The value a `brif` on `v` really tests: extensions preserve whether a value is zero,
/// so they are looked through.
fn branch_cond(ctx: &Lower<'_, MInst>, v: Value) -> Value {
    let mut v = ctx.func.dfg.resolve_aliases(v);
    while let Some(inner) = extended(ctx, v) {
        v = inner;
    }
    v
}

/// The values from a `select`'s condition `c` down to the integer icmp it tests through
/// extensions, if it tests one and each value is used only by the next one up (`uses`
/// counts every use), so the select can compare and move without them.
fn select_absorbs(
    dfg: &crate::ir::DataFlowGraph,
    uses: &SecondaryMap<Value, u32>,
    c: Value,
) -> Vec<Value> {
    let mut chain = Vec::new();
    let mut v = dfg.resolve_aliases(c);
    loop {
        if uses[v] != 1 {
            return Vec::new();
        }
        chain.push(v);
        if icmp_cond(dfg, v).is_some() {
            return chain;
        }
        match extended_in(dfg, v) {
            Some(inner) => v = inner,
            None => return Vec::new(),
        }
    }
}

/// The integer icmp (on at most 64 bits) that condition `c` tests, through extensions.
fn icmp_cond(dfg: &crate::ir::DataFlowGraph, c: Value) -> Option<Value> {
    let mut v = dfg.resolve_aliases(c);
    while let Some(inner) = extended_in(dfg, v) {
        v = inner;
    }
    match dfg.insts[dfg.value_def(v).inst()?] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            args: [a, _],
            ..
        } if int_le64(dfg.value_type(a)) => Some(v),
        _ => None,
    }
}

/// The condition, operands and operand type of the icmp defining `v`, if `v` is the
/// result of an icmp on integers of at most 64 bits.
fn icmp_operands(ctx: &Lower<'_, MInst>, v: Value) -> Option<(IntCC, Value, Value, Type)> {
    let dfg = &ctx.func.dfg;
    let inst = dfg.value_def(dfg.resolve_aliases(v)).inst()?;
    match dfg.insts[inst] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond,
            args: [a, b],
        } => {
            let ty = dfg.value_type(a);
            int_le64(ty).then_some((cond, a, b, ty))
        }
        _ => None,
    }
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
            if vty == Type::I128 && opcode == Opcode::Store {
                let regs = ctx.value_regs(value)?;
                let mem = amode(ctx, addr, offset.bytes())?;
                for (i, &src) in regs.regs().iter().enumerate() {
                    ctx.vcode.push(MInst::Store {
                        size: OperandSize::Size64,
                        src,
                        addr: mem.offset(8 * i as i32),
                        trap: flags.trap_code(),
                    });
                }
                return Ok(());
            }
            if vty == Type::F16 && opcode == Opcode::Store {
                // Exactly two bytes, through a general register.
                let (x, addr) = (ctx.value_reg(value)?, amode(ctx, addr, offset.bytes())?);
                let src = ctx.vcode.alloc_vreg(RegClass::Int);
                ctx.vcode.push(MInst::XmmToGpr {
                    wide: false,
                    src: x,
                    dst: Writable::from_reg(src),
                });
                ctx.vcode.push(MInst::Store {
                    size: OperandSize::Size16,
                    src,
                    addr,
                    trap: flags.trap_code(),
                });
                return Ok(());
            }
            if (f32_or_f64(vty) || vty == Type::F128) && opcode == Opcode::Store {
                let (src, addr) = (ctx.value_reg(value)?, amode(ctx, addr, offset.bytes())?);
                ctx.vcode.push(MInst::XmmStore {
                    kind: move_kind(vty),
                    src,
                    addr,
                    trap: flags.trap_code(),
                });
                return Ok(());
            }
            check_int(vty)?;
            let size = match opcode {
                Opcode::Istore8 => OperandSize::Size8,
                Opcode::Istore16 => OperandSize::Size16,
                Opcode::Istore32 => OperandSize::Size32,
                _ => size_of(vty),
            };
            let (src, addr) = (ctx.value_reg(value)?, amode(ctx, addr, offset.bytes())?);
            ctx.vcode.push(MInst::Store {
                size,
                src,
                addr,
                trap: flags.trap_code(),
            });
            Ok(())
        }
        InstructionData::Nullary {
            opcode: Opcode::Nop | Opcode::SequencePoint,
            ..
        } => Ok(()),
        InstructionData::Unary {
            opcode: Opcode::SetPinnedReg,
            arg,
        } => {
            let src = ctx.value_reg(arg)?;
            ctx.vcode.push(MInst::SetPinned { src });
            Ok(())
        }
        InstructionData::Nullary {
            opcode: Opcode::Fence,
        } => {
            ctx.vcode.push(MInst::Mfence);
            Ok(())
        }
        InstructionData::StoreNoOffset {
            opcode: Opcode::AtomicStore,
            flags,
            args: [value, addr],
        } => {
            // A plain store followed by mfence is sequentially consistent.
            let size = atomic_size(ctx.func.dfg.value_type(value))?;
            let (src, base) = (ctx.value_reg(value)?, ctx.value_reg(addr)?);
            ctx.vcode.push(MInst::Store {
                size,
                src,
                addr: Addr::Reg { base, disp: 0 },
                trap: flags.trap_code(),
            });
            ctx.vcode.push(MInst::Mfence);
            Ok(())
        }
        InstructionData::Nullary {
            opcode: Opcode::Debugtrap,
        } => {
            ctx.vcode.push(MInst::Debugtrap);
            Ok(())
        }
        InstructionData::CondTrap {
            opcode: opcode @ (Opcode::Trapz | Opcode::Trapnz),
            arg,
            code,
        } => {
            let ty = ctx.func.dfg.value_type(arg);
            check_int(ty)?;
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
        let abi = SigAbi::new(&ctx.func.signature)?;
        let mut args = Vec::new();
        let mut loads = Vec::new();
        if let Some(p) = abi.ret_area_ptr {
            let r = ctx.vcode.alloc_vreg(RegClass::Int);
            args.push((Writable::from_reg(r), p));
            ctx.ret_area_ptr = Some(r);
        }
        // Whether each parameter part is used: unused stack arguments are not loaded.
        let used: Vec<bool> = match ctx.func.layout.entry_block() {
            Some(entry) => ctx
                .func
                .dfg
                .block_params(entry)
                .iter()
                .flat_map(|&v| {
                    let parts = if ctx.func.dfg.value_type(v) == Type::I128 {
                        2
                    } else {
                        1
                    };
                    core::iter::repeat_n(ctx.use_count(v) > 0, parts)
                })
                .collect(),
            None => Vec::new(),
        };
        for (i, ((&r, loc), &ty)) in params.iter().zip(&abi.args).zip(&abi.arg_parts).enumerate() {
            match *loc {
                ArgLoc::Reg(p) => args.push((Writable::from_reg(r), p)),
                ArgLoc::Stack(_) if !used.get(i).copied().unwrap_or(true) => {}
                ArgLoc::Stack(offset) => loads.push(MInst::LoadStackArg {
                    offset,
                    kind: move_kind(ty),
                    dst: Writable::from_reg(r),
                }),
            }
        }
        if let Some(i) = abi.sret {
            // The register of the `sret` parameter: count the parts before it.
            let part: usize = ctx.func.signature.params[..i]
                .iter()
                .map(|p| if p.value_type == Type::I128 { 2 } else { 1 })
                .sum();
            ctx.sret = params.get(part).copied();
        }
        ctx.vcode.push(MInst::Args { args });
        for l in loads {
            ctx.vcode.push(l);
        }
        Ok(())
    }

    fn lower_inst(
        &self,
        ctx: &mut Lower<'_, MInst>,
        inst: crate::ir::Inst,
    ) -> Result<(), CodegenError> {
        if lower_call_like(ctx, inst, self.tls_model, self.pic)?
            || lower_atomic(ctx, inst)?
            || fused_into_branch(ctx, inst)
        {
            return Ok(());
        }
        let results = ctx.func.dfg.inst_results(inst);
        if results.is_empty() {
            return lower_effect(ctx, inst);
        }
        if results.len() == 2 && ctx.func.dfg.value_type(results[0]) == Type::I128 {
            let (r0, r1) = (results[0], results[1]);
            let mut isle = IsleCtx {
                lower: ctx,
                flags: self.flags,
                error: None,
            };
            let out = isle.overflow128(inst);
            if let Some(e) = isle.error {
                return Err(e);
            }
            let ((lo, hi), flag) = out.ok_or_else(|| unsupported(ctx, inst))?;
            ctx.set_result_regs(r0, ValueRegs::two(lo, hi));
            ctx.set_result(r1, flag);
            return Ok(());
        }
        if results.len() == 2 {
            let (r0, r1) = (results[0], results[1]);
            let mut isle = IsleCtx {
                lower: ctx,
                flags: self.flags,
                error: None,
            };
            let regs = generated::constructor_lower_pair(&mut isle, inst);
            if let Some(e) = isle.error {
                return Err(e);
            }
            let (a, b) = regs.ok_or_else(|| unsupported(ctx, inst))?;
            ctx.set_result(r0, a);
            ctx.set_result(r1, b);
            return Ok(());
        }
        if results.len() != 1 {
            return Err(unsupported(ctx, inst));
        }
        let result = results[0];
        if ctx.func.dfg.value_type(result) == Type::I128 {
            let mut isle = IsleCtx {
                lower: ctx,
                flags: self.flags,
                error: None,
            };
            let regs = generated::constructor_lower_i128(&mut isle, inst);
            if let Some(e) = isle.error {
                return Err(e);
            }
            let (lo, hi) = regs.ok_or_else(|| unsupported(ctx, inst))?;
            ctx.set_result_regs(result, ValueRegs::two(lo, hi));
            return Ok(());
        }
        let mut isle = IsleCtx {
            lower: ctx,
            flags: self.flags,
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
            InstructionData::Brif { arg, .. } if ctx.func.dfg.value_type(arg) == Type::I128 => {
                // Non-zero if either half is.
                let regs = ctx.value_regs(arg)?;
                let src = ctx.vcode.alloc_vreg(RegClass::Int);
                ctx.vcode.push(MInst::AluRR {
                    op: AluOp::Or,
                    size: OperandSize::Size64,
                    src1: regs.regs()[0],
                    src2: regs.regs()[1],
                    dst: Writable::from_reg(src),
                });
                ctx.vcode.push(MInst::TestBranch {
                    size: OperandSize::Size64,
                    src,
                    taken: targets[0],
                    not_taken: targets[1],
                });
                ctx.add_succ(inst, 0, targets[0])?;
                ctx.add_succ(inst, 1, targets[1])
            }
            InstructionData::Brif { arg, .. } => {
                let ty = ctx.func.dfg.value_type(arg);
                check_int(ty)?;
                // A condition computed by an integer icmp: branch on the comparison itself
                // (the icmp's own result is still computed if anything else uses it).
                if let Some((cc, a, b, cty)) = icmp_operands(ctx, branch_cond(ctx, arg)) {
                    let plan = plan_icmp(&ctx.func.dfg, cc, a, b);
                    let (a, b) = (ctx.value_reg(plan.lhs)?, rhs_operand(ctx, plan.rhs)?);
                    ctx.vcode.push(MInst::CmpBranch {
                        size: size_of(cty),
                        cc: cc_of(plan.cond),
                        a,
                        b,
                        taken: targets[0],
                        not_taken: targets[1],
                    });
                    ctx.add_succ(inst, 0, targets[0])?;
                    return ctx.add_succ(inst, 1, targets[1]);
                }
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
                let abi = SigAbi::new(&ctx.func.signature)?;
                let mut rets = Vec::new();
                let regs = flat_regs(ctx, &args)?;
                for ((r, loc), &ty) in regs.into_iter().zip(&abi.rets).zip(&abi.ret_parts) {
                    match *loc {
                        ArgLoc::Reg(p) => rets.push((r, p)),
                        ArgLoc::Stack(disp) => {
                            let base = ctx.ret_area_ptr.expect("lower_args defined it");
                            let (disp, trap) = (disp as i32, None);
                            let addr = Addr::Reg { base, disp };
                            ctx.vcode.push(match move_kind(ty) {
                                MoveKind::Int => MInst::Store {
                                    size: OperandSize::Size64,
                                    src: r,
                                    addr,
                                    trap,
                                },
                                kind => MInst::XmmStore {
                                    kind,
                                    src: r,
                                    addr,
                                    trap,
                                },
                            });
                        }
                    }
                }
                // System V: a function with an `sret` parameter returns its value in rax.
                let rax = Gpr::RAX.preg();
                if let Some(sret) = ctx.sret.filter(|_| rets.iter().all(|&(_, p)| p != rax)) {
                    rets.push((sret, rax));
                }
                ctx.vcode.push(MInst::Rets { rets });
                Ok(())
            }
            InstructionData::Call {
                opcode: Opcode::ReturnCall,
                func_ref,
                args,
            } => {
                let dfg = &ctx.func.dfg;
                let ext = &dfg.ext_funcs[func_ref];
                let (sig, dest) = (dfg.signatures[ext.signature].clone(), ext.name.clone());
                let args: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
                let abi = SigAbi::new(&sig)?;
                let uses = call_args(ctx, &abi, &args, true)?;
                let stack_bytes = abi.stack_arg_bytes;
                ctx.vcode.push(MInst::ReturnCallKnown {
                    dest,
                    uses,
                    stack_bytes,
                });
                Ok(())
            }
            InstructionData::CallIndirect {
                opcode: Opcode::ReturnCallIndirect,
                sig_ref,
                args,
            } => {
                let dfg = &ctx.func.dfg;
                let sig = dfg.signatures[sig_ref].clone();
                let all: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
                let callee = ctx.value_reg(all[0])?;
                let abi = SigAbi::new(&sig)?;
                let uses = call_args(ctx, &abi, &all[1..], true)?;
                let stack_bytes = abi.stack_arg_bytes;
                ctx.vcode.push(MInst::ReturnCallUnknown {
                    callee,
                    uses,
                    stack_bytes,
                });
                Ok(())
            }
            InstructionData::TryCall {
                func_ref,
                args,
                exception,
                ..
            } => {
                let dfg = &ctx.func.dfg;
                let ext = &dfg.ext_funcs[func_ref];
                let (sig, dest) = (dfg.signatures[ext.signature].clone(), ext.name.clone());
                let args: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
                lower_try_call(ctx, inst, &sig, Some(dest), None, &args, exception, targets)
            }
            InstructionData::TryCallIndirect {
                args, exception, ..
            } => {
                let dfg = &ctx.func.dfg;
                let sig = dfg.signatures[dfg.exception_tables[exception].sig].clone();
                let all: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
                let callee = ctx.value_reg(all[0])?;
                lower_try_call(
                    ctx,
                    inst,
                    &sig,
                    None,
                    Some(callee),
                    &all[1..],
                    exception,
                    targets,
                )
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

    fn can_sink_load(
        &self,
        func: &crate::ir::FunctionStencil,
        user: crate::ir::Inst,
        load: crate::ir::Inst,
    ) -> bool {
        // The memory forms of add, sub, and, or, xor and imul at 32 and 64 bits, for a
        // plain little-endian load of the operation's type whose other operand is in a
        // register (a constant takes the immediate form instead).
        let dfg = &func.dfg;
        let InstructionData::Load {
            opcode: Opcode::Load,
            flags,
            ..
        } = dfg.insts[load]
        else {
            return false;
        };
        let InstructionData::Binary { opcode, args } = dfg.insts[user] else {
            return false;
        };
        let commutative = match opcode {
            Opcode::Iadd | Opcode::Band | Opcode::Bor | Opcode::Bxor | Opcode::Imul => true,
            Opcode::Isub => false,
            _ => return false,
        };
        let ty = dfg.value_type(dfg.first_result(user));
        let loaded = dfg.first_result(load);
        let [a, b] = args.map(|v| dfg.resolve_aliases(v));
        let other = match (a == loaded, b == loaded) {
            (false, true) => a,
            (true, false) if commutative => b,
            _ => return false,
        };
        (ty == Type::I32 || ty == Type::I64)
            && dfg.value_type(loaded) == ty
            && flags.endianness(crate::ir::Endianness::Little) == crate::ir::Endianness::Little
            && iconst_of(dfg, other).is_none()
    }

    fn absorbed_operands(
        &self,
        func: &crate::ir::FunctionStencil,
        inst: crate::ir::Inst,
        uses: &SecondaryMap<Value, u32>,
    ) -> Vec<Value> {
        let dfg = &func.dfg;
        // An address folded into the memory operand of a load or store.
        let mem = match dfg.insts[inst] {
            InstructionData::Load { arg, offset, .. } => Some((arg, offset.bytes())),
            InstructionData::Store {
                args: [_, addr],
                offset,
                ..
            } => Some((addr, offset.bytes())),
            _ => None,
        };
        if let Some((addr, offset)) = mem {
            return match plan_addr(func, uses, addr, offset) {
                AddrPlan::Reg { base, .. } if base == dfg.resolve_aliases(addr) => Vec::new(),
                AddrPlan::RegReg {
                    inner: Some(inner), ..
                } => alloc::vec![addr, inner],
                _ => alloc::vec![addr],
            };
        }
        // A select on an integer comparison compares itself (see `select_icmp` in
        // lower.isle), for integer results of at most 64 bits.
        if let InstructionData::Ternary {
            opcode: Opcode::Select,
            args: [c, _, _],
        } = dfg.insts[inst]
        {
            let result_ty = dfg.value_type(dfg.first_result(inst));
            if int_le64(result_ty) && icmp_cond(dfg, c).is_some() {
                return select_absorbs(dfg, uses, c);
            }
            return Vec::new();
        }
        // Integer comparisons with a constant take it as an immediate.
        if let InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond,
            args: [a, b],
        } = dfg.insts[inst]
        {
            if !int_le64(dfg.value_type(a)) {
                return Vec::new();
            }
            return plan_icmp(dfg, cond, a, b).absorbed.into_iter().collect();
        }
        // Mirrors the immediate-form rules of lower.isle (same opcodes, operand order and
        // priorities).
        let InstructionData::Binary {
            opcode,
            args: [a, b],
        } = dfg.insts[inst]
        else {
            return Vec::new();
        };
        let Some(&result) = dfg.inst_results(inst).first() else {
            return Vec::new();
        };
        let ty = dfg.value_type(result);
        if !int_le64(ty) {
            return Vec::new();
        }
        let iconst = |v: Value| match dfg
            .value_def(dfg.resolve_aliases(v))
            .inst()
            .map(|i| dfg.insts[i])
        {
            Some(InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            }) => Some(imm.bits()),
            _ => None,
        };
        let simm32 = |v: Value| iconst(v).is_some_and(|k| imm32_for(ty, k as u64).is_some());
        match opcode {
            Opcode::Iadd | Opcode::Band | Opcode::Bor | Opcode::Bxor | Opcode::Imul
                if simm32(a) =>
            {
                alloc::vec![a]
            }
            Opcode::Iadd
            | Opcode::Band
            | Opcode::Bor
            | Opcode::Bxor
            | Opcode::Isub
            | Opcode::Imul
                if simm32(b) =>
            {
                alloc::vec![b]
            }
            Opcode::Ishl | Opcode::Ushr | Opcode::Sshr | Opcode::Rotl | Opcode::Rotr
                if iconst(b).is_some() =>
            {
                alloc::vec![b]
            }
            _ => Vec::new(),
        }
    }

    fn exception_payload(&self, ctx: &mut Lower<'_, MInst>) -> Result<Vec<Reg>, CodegenError> {
        // The unwinder delivers the payload in rax and rdx.
        let regs: Vec<Reg> = (0..2)
            .map(|_| ctx.vcode.alloc_vreg(RegClass::Int))
            .collect();
        let args = regs
            .iter()
            .zip([Gpr::RAX, Gpr::RDX])
            .map(|(&r, g)| (Writable::from_reg(r), g.preg()))
            .collect();
        ctx.vcode.push(MInst::Args { args });
        Ok(regs)
    }

    fn jump(&self, target: usize) -> MInst {
        MInst::Jmp { target }
    }
}
