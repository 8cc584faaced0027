//! The ISLE context of AArch64 lowering: the constructors and extractors `lower.isle`
//! declares `extern`, implemented on [`IsleCtx`] (the shared prelude's through
//! `isle_lower_prelude_methods!`).

use super::super::inst::args::{AMode, Imm12, ImmLogic};
use super::super::inst::{
    Atomic128Op, Cond, ExtendOp, FSize, Inst as MInst, LoadOp, LseOp, MoveWideOp, Size, StoreOp,
    VecLanes,
};
use super::{IsleCtx, generated};
use crate::ir::{AtomicRmwOp, FloatCC, IntCC, MemFlags, Opcode, StackSlot, TrapCode, Type, Value};
use crate::machinst::isle::truncate;
use crate::machinst::reg::{Reg, Writable};
use regalloc2::RegClass;

impl generated::Context for IsleCtx<'_, '_> {
    crate::isle_lower_prelude_methods!(MInst, crate::isa::aarch64::abi::Aarch64Abi);

    fn temp_gpr(&mut self) -> Writable<Reg> {
        Writable::from_reg(self.lower.vcode.alloc_vreg(RegClass::Int))
    }

    fn temp_vr(&mut self) -> Writable<Reg> {
        Writable::from_reg(self.lower.vcode.alloc_vreg(RegClass::Float))
    }

    fn size_of_ty(&mut self, ty: Type) -> Size {
        if ty.bits() > 32 { Size::X } else { Size::W }
    }

    fn fsize_of(&mut self, ty: Type) -> FSize {
        match ty {
            Type::F64 => FSize::D,
            Type::F16 => FSize::H,
            _ => FSize::S,
        }
    }

    fn imm12_from_u64(&mut self, ty: Type, k: u64) -> Option<Imm12> {
        Imm12::maybe_from_u64(truncate(ty, k))
    }

    fn imm12_from_negated(&mut self, ty: Type, k: u64) -> Option<Imm12> {
        let neg = truncate(ty, k.wrapping_neg());
        // Zero negates to itself; the positive form covers it.
        (neg != 0).then(|| Imm12::maybe_from_u64(neg)).flatten()
    }

    fn imm_logic(&mut self, ty: Type, k: u64) -> Option<ImmLogic> {
        let bits = if ty.bits() > 32 { 64 } else { 32 };
        ImmLogic::maybe_from_u64(truncate(ty, k), bits)
    }

    fn a64_imm(&mut self, ty: Type, k: u64) -> Reg {
        let value = truncate(ty, k);
        let size = if ty.bits() > 32 { Size::X } else { Size::W };
        let rd = self.temp_gpr();
        let width = size.bits();
        let chunks: alloc::vec::Vec<u16> = (0..width / 16)
            .map(|i| (value >> (16 * i)) as u16)
            .collect();
        let ones = chunks.iter().filter(|&&c| c == 0xffff).count();
        let zeros = chunks.iter().filter(|&&c| c == 0).count();
        // A logical immediate takes one instruction when MOVZ/MOVN would need more.
        if ones.max(zeros) + 1 < chunks.len() {
            if let Some(imm) = ImmLogic::maybe_from_u64(value, width) {
                self.lower.vcode.push(MInst::MovImmLogic { size, rd, imm });
                return rd.to_reg();
            }
        }
        let (op, skip) = if ones > zeros {
            (MoveWideOp::Movn, 0xffff)
        } else {
            (MoveWideOp::Movz, 0)
        };
        // Zero and all ones are one instruction: the chunk at bit 0.
        let only_skips = chunks.iter().all(|&c| c == skip);
        let mut cur: Option<Writable<Reg>> = None;
        for (i, &c) in chunks.iter().enumerate() {
            if c == skip && !(only_skips && i == 0) {
                continue;
            }
            let shift = (16 * i) as u8;
            match cur {
                None => {
                    let imm = if op == MoveWideOp::Movn { !c } else { c };
                    self.lower.vcode.push(MInst::MovWide {
                        op,
                        size,
                        rd,
                        imm,
                        shift,
                    });
                    cur = Some(rd);
                }
                Some(prev) => {
                    let next = self.temp_gpr();
                    self.lower.vcode.push(MInst::Movk {
                        size,
                        rd: next,
                        rn: prev.to_reg(),
                        imm: c,
                        shift,
                    });
                    cur = Some(next);
                }
            }
        }
        cur.expect("one instruction at least").to_reg()
    }

    fn amode_reg_offset(&mut self, base: Reg, offset: i32) -> AMode {
        AMode::RegOffset {
            base,
            offset: i64::from(offset),
        }
    }

    fn amode_reg_reg(&mut self, base: Reg, index: Reg, extend32: Option<bool>) -> AMode {
        AMode::RegReg {
            base,
            index,
            scaled: false,
            extend32,
        }
    }

    fn some_bool(&mut self, b: bool) -> Option<bool> {
        Some(b)
    }

    fn no_bool(&mut self) -> Option<bool> {
        None
    }

    fn value_is_iconst(&mut self, v: Value) -> bool {
        let dfg = &self.lower.func.dfg;
        dfg.value_def(dfg.resolve_aliases(v))
            .inst()
            .is_some_and(|i| dfg.insts[i].opcode() == Opcode::Iconst)
    }

    fn amode_slot(&mut self, ss: StackSlot, offset: i32) -> AMode {
        AMode::Slot {
            offset: i64::from(self.lower.stack_slot_offset(ss)) + i64::from(offset),
        }
    }

    fn cond_of_intcc(&mut self, cc: IntCC) -> Cond {
        match cc {
            IntCC::Equal => Cond::Eq,
            IntCC::NotEqual => Cond::Ne,
            IntCC::SignedLessThan => Cond::Lt,
            IntCC::SignedGreaterThanOrEqual => Cond::Ge,
            IntCC::SignedGreaterThan => Cond::Gt,
            IntCC::SignedLessThanOrEqual => Cond::Le,
            IntCC::UnsignedLessThan => Cond::Lo,
            IntCC::UnsignedGreaterThanOrEqual => Cond::Hs,
            IntCC::UnsignedGreaterThan => Cond::Hi,
            IntCC::UnsignedLessThanOrEqual => Cond::Ls,
        }
    }

    fn intcc_signed(&mut self, cc: IntCC) -> bool {
        matches!(
            cc,
            IntCC::SignedLessThan
                | IntCC::SignedGreaterThanOrEqual
                | IntCC::SignedGreaterThan
                | IntCC::SignedLessThanOrEqual
        )
    }

    fn cond_of_floatcc(&mut self, cc: FloatCC) -> Option<Cond> {
        // The flags FCMP sets: less 1000, equal 0110, greater 0010, unordered 0011.
        Some(match cc {
            FloatCC::Equal => Cond::Eq,
            FloatCC::NotEqual => Cond::Ne,
            FloatCC::LessThan => Cond::Mi,
            FloatCC::LessThanOrEqual => Cond::Ls,
            FloatCC::GreaterThan => Cond::Gt,
            FloatCC::GreaterThanOrEqual => Cond::Ge,
            FloatCC::Ordered => Cond::Vc,
            FloatCC::Unordered => Cond::Vs,
            FloatCC::UnorderedOrLessThan => Cond::Lt,
            FloatCC::UnorderedOrLessThanOrEqual => Cond::Le,
            FloatCC::UnorderedOrGreaterThan => Cond::Hi,
            FloatCC::UnorderedOrGreaterThanOrEqual => Cond::Pl,
            FloatCC::OrderedNotEqual | FloatCC::UnorderedOrEqual => return None,
        })
    }

    fn ty_narrow(&mut self, ty: Type) -> Option<Type> {
        (ty.is_scalar_int() && ty.bits() < 32).then_some(ty)
    }

    fn ty_32_or_64(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::I32 || ty == Type::I64).then_some(ty)
    }

    fn ty_mask(&mut self, ty: Type) -> u64 {
        truncate(ty, u64::MAX)
    }

    fn shift_mod(&mut self, ty: Type, k: u64) -> u8 {
        (k % u64::from(ty.bits())) as u8
    }

    fn imm12_small(&mut self, k: u64) -> Imm12 {
        Imm12::maybe_from_u64(k).expect("a small ADD/SUB immediate")
    }

    fn imm_logic_low_ones(&mut self, n: u8) -> ImmLogic {
        ImmLogic::maybe_from_u64((1u64 << n) - 1, 32).expect("a run of ones")
    }

    fn imm_logic_bit(&mut self, n: u8) -> ImmLogic {
        ImmLogic::maybe_from_u64(1u64 << n, 32).expect("a single bit")
    }

    fn ty_log2_bits(&mut self, ty: Type) -> u8 {
        ty.bits().trailing_zeros() as u8
    }

    fn mem_trap(&mut self, flags: MemFlags) -> Option<TrapCode> {
        flags.trap_code()
    }

    fn cond_invert(&mut self, c: Cond) -> Cond {
        c.invert()
    }

    fn defined_by_compare(&mut self, v: Value) -> bool {
        let dfg = &self.lower.func.dfg;
        let v = crate::machinst::isle::strip_all_extends(dfg, v);
        dfg.value_def(v)
            .inst()
            .is_some_and(|i| matches!(dfg.insts[i].opcode(), Opcode::Icmp | Opcode::Fcmp))
    }

    fn load_op(&mut self, ty: Type) -> LoadOp {
        super::super::inst::mem_ops(ty).0
    }

    fn store_op(&mut self, ty: Type) -> StoreOp {
        super::super::inst::mem_ops(ty).1
    }

    fn extend_op(&mut self, ty: Type, signed: bool) -> ExtendOp {
        match (ty.bits(), signed) {
            (8, false) => ExtendOp::Uxtb,
            (16, false) => ExtendOp::Uxth,
            (32, false) => ExtendOp::Uxtw,
            (8, true) => ExtendOp::Sxtb,
            (16, true) => ExtendOp::Sxth,
            (32, true) => ExtendOp::Sxtw,
            (_, false) => ExtendOp::Uxtx,
            (_, true) => ExtendOp::Sxtx,
        }
    }

    fn imm_logic_sign(&mut self, ty: Type, sign: bool) -> ImmLogic {
        let bit = 1u64 << (ty.bits() - 1);
        let value = if sign { bit } else { bit - 1 };
        ImmLogic::maybe_from_u64(value, ty.bits()).expect("a run of ones")
    }

    fn float_int_ty(&mut self, fty: Type) -> Type {
        if fty == Type::F64 {
            Type::I64
        } else {
            Type::I32
        }
    }

    fn fcvt_low_bound(&mut self, fty: Type, ty: Type, signed: bool) -> u64 {
        crate::machinst::isle::fcvt_low_bound(fty, ty, signed).0
    }

    fn fcvt_low_cond(&mut self, fty: Type, ty: Type, signed: bool) -> Cond {
        // `x <= bound` is LS after FCMP; `x < bound` is MI (both false for NaN).
        if crate::machinst::isle::fcvt_low_bound(fty, ty, signed).1 {
            Cond::Ls
        } else {
            Cond::Mi
        }
    }

    fn fcvt_high_bound(&mut self, fty: Type, ty: Type, signed: bool) -> u64 {
        crate::machinst::isle::fcvt_high_bound(fty, ty, signed)
    }

    fn int_max(&mut self, ty: Type, signed: bool) -> u64 {
        crate::machinst::isle::int_max(ty, signed)
    }

    fn int_min(&mut self, ty: Type) -> u64 {
        crate::machinst::isle::int_min(ty)
    }

    fn intcc_swaps128(&mut self, cc: IntCC) -> bool {
        matches!(
            cc,
            IntCC::SignedGreaterThan
                | IntCC::SignedLessThanOrEqual
                | IntCC::UnsignedGreaterThan
                | IntCC::UnsignedLessThanOrEqual
        )
    }

    fn amode_offset(&mut self, m: AMode, by: i64) -> AMode {
        m.offset(by)
    }

    fn regs_at(&mut self, regs: alloc::vec::Vec<Reg>, i: u8) -> Reg {
        regs[usize::from(i)]
    }

    fn has_lse(&mut self) -> bool {
        self.isa.flags.has_lse
    }

    fn scalar_float_ty(&mut self, ty: Type) -> Option<Type> {
        matches!(ty, Type::F16 | Type::F32 | Type::F64).then_some(ty)
    }

    fn has_fp16(&mut self) -> bool {
        self.isa.flags.has_fp16
    }

    fn use_csdb(&mut self) -> bool {
        self.isa.flags.use_csdb
    }

    fn log2_bytes(&mut self, ty: Type) -> u8 {
        ty.bytes().trailing_zeros() as u8
    }

    fn lse_op(&mut self, op: AtomicRmwOp) -> Option<LseOp> {
        Some(match op {
            AtomicRmwOp::Add | AtomicRmwOp::Sub => LseOp::Ldaddal,
            AtomicRmwOp::And => LseOp::Ldclral,
            AtomicRmwOp::Or => LseOp::Ldsetal,
            AtomicRmwOp::Xor => LseOp::Ldeoral,
            AtomicRmwOp::Xchg => LseOp::Swpal,
            AtomicRmwOp::Umin => LseOp::Lduminal,
            AtomicRmwOp::Umax => LseOp::Ldumaxal,
            AtomicRmwOp::Smin => LseOp::Ldsminal,
            AtomicRmwOp::Smax => LseOp::Ldsmaxal,
            AtomicRmwOp::Nand => return None,
        })
    }

    fn vec_lanes(&mut self, ty: Type) -> VecLanes {
        match (ty.lane_bits(), ty.bits() == 64) {
            (8, false) => VecLanes::B16,
            (16, false) => VecLanes::H8,
            (32, false) => VecLanes::S4,
            (8, true) => VecLanes::B8,
            (16, true) => VecLanes::H4,
            (32, true) => VecLanes::S2,
            _ => VecLanes::D2,
        }
    }

    fn avec(&mut self, ty: Type) -> Option<Type> {
        (ty.is_vector() && (ty.bits() == 64 || ty.bits() == 128) && ty.lane_bits() < ty.bits())
            .then_some(ty)
    }

    fn avec_int_lanes(&mut self, ty: Type) -> Option<u8> {
        let v = self.avec(ty)?;
        v.is_int().then(|| v.lane_bits() as u8)
    }

    fn avec_float_lanes(&mut self, ty: Type) -> Option<u8> {
        let v = self.avec(ty)?;
        // f32 and f64 lanes (f16 lanes would need FEAT_FP16's vector forms).
        (v.is_float() && matches!(v.lane_bits(), 32 | 64)).then(|| v.lane_bits() as u8)
    }

    fn vec64(&mut self, ty: Type) -> Option<Type> {
        (ty.is_vector() && ty.bits() == 64).then_some(ty)
    }

    fn half_lanes(&mut self, ty: Type) -> VecLanes {
        match ty.lane_bits() {
            16 => VecLanes::B16,
            32 => VecLanes::H8,
            _ => VecLanes::S4,
        }
    }

    fn f16_lanes(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::F16X8).then_some(ty)
    }

    fn f16_or_f128(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::F16 || ty == Type::F128).then_some(ty)
    }

    fn atomic128_op(&mut self, op: AtomicRmwOp) -> Atomic128Op {
        match op {
            AtomicRmwOp::Add => Atomic128Op::Add,
            AtomicRmwOp::Sub => Atomic128Op::Sub,
            AtomicRmwOp::And => Atomic128Op::And,
            AtomicRmwOp::Nand => Atomic128Op::Nand,
            AtomicRmwOp::Or => Atomic128Op::Or,
            AtomicRmwOp::Xor => Atomic128Op::Xor,
            AtomicRmwOp::Xchg => Atomic128Op::Xchg,
            AtomicRmwOp::Umin => Atomic128Op::Umin,
            AtomicRmwOp::Umax => Atomic128Op::Umax,
            AtomicRmwOp::Smin => Atomic128Op::Smin,
            AtomicRmwOp::Smax => Atomic128Op::Smax,
        }
    }

    fn int_min_magnitude(&mut self, ty: Type) -> u64 {
        1 << (ty.bits() - 1)
    }
}
