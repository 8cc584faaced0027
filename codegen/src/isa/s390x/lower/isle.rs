//! The ISLE context of s390x lowering: the constructors and extractors `lower.isle`
//! declares `extern`, implemented on [`IsleCtx`] (the shared prelude's through
//! `isle_lower_prelude_methods!`).

use super::super::inst::args::MemArg;
use super::super::inst::{
    CmpBrImmOp, CmpBrOp, CmpImmOp, CmpMemOp, CmpOp, Cond, FpuToIntOp, Inst as MInst, IntToFpuOp,
    LaaOp, LoadOp, RiLoadOp, RilLoadOp, RilOp, StoreOp, UnOp,
};
use super::{IsleCtx, generated};
use crate::ir::{AtomicRmwOp, FloatCC, IntCC, MemFlags, Opcode, StackSlot, TrapCode, Type, Value};
use crate::machinst::isle::{sext, truncate};
use crate::machinst::reg::{Reg, Writable};
use regalloc2::RegClass;

impl generated::Context for IsleCtx<'_, '_> {
    crate::isle_lower_prelude_methods!(MInst, crate::isa::s390x::abi::S390xAbi);

    fn temp_gpr(&mut self) -> Writable<Reg> {
        Writable::from_reg(self.lower.vcode.alloc_vreg(RegClass::Int))
    }

    fn temp_vr(&mut self) -> Writable<Reg> {
        Writable::from_reg(self.lower.vcode.alloc_vreg(RegClass::Float))
    }

    fn temp_fpr(&mut self) -> Writable<Reg> {
        Writable::from_reg(self.lower.vcode.alloc_vreg(RegClass::Float))
    }

    fn s390_imm(&mut self, ty: Type, k: u64) -> Reg {
        let value = truncate(ty, k);
        let rd = self.temp_gpr();
        let push = |s: &mut Self, i: MInst| s.lower.vcode.push(i);
        let (hi, lo) = ((value >> 32) as u32, value as u32);
        if let Ok(v) = i16::try_from(value as i64) {
            push(
                self,
                MInst::RiLoad {
                    op: RiLoadOp::Lghi,
                    rd,
                    imm: v as u16,
                },
            );
            return rd.to_reg();
        }
        // One non-zero halfword: LLILL, LLILH, LLIHL or LLIHH.
        let ops = [
            RiLoadOp::Llill,
            RiLoadOp::Llilh,
            RiLoadOp::Llihl,
            RiLoadOp::Llihh,
        ];
        for (i, op) in ops.into_iter().enumerate() {
            if value & !(0xffff << (16 * i)) == 0 {
                push(
                    self,
                    MInst::RiLoad {
                        op,
                        rd,
                        imm: (value >> (16 * i)) as u16,
                    },
                );
                return rd.to_reg();
            }
        }
        let single = if i32::try_from(value as i64).is_ok() {
            Some((RilLoadOp::Lgfi, lo))
        } else if hi == 0 {
            Some((RilLoadOp::Llilf, lo))
        } else if lo == 0 {
            Some((RilLoadOp::Llihf, hi))
        } else {
            None
        };
        if let Some((op, imm)) = single {
            push(self, MInst::RilLoad { op, rd, imm });
            return rd.to_reg();
        }
        // LLIHF the high word, IILF the low one.
        push(
            self,
            MInst::RilLoad {
                op: RilLoadOp::Llihf,
                rd,
                imm: hi,
            },
        );
        let full = self.temp_gpr();
        push(
            self,
            MInst::Ril {
                op: RilOp::Iilf,
                rd: full,
                rn: rd.to_reg(),
                imm: lo,
            },
        );
        full.to_reg()
    }

    fn imm16(&mut self, ty: Type, k: u64) -> Option<i16> {
        i16::try_from(sext(ty, k)).ok()
    }

    fn imm32(&mut self, ty: Type, k: u64) -> Option<u32> {
        i32::try_from(sext(ty, k)).ok().map(|v| v as u32)
    }

    fn imm16_negated(&mut self, ty: Type, k: u64) -> Option<i16> {
        i16::try_from(sext(ty, k).checked_neg()?).ok()
    }

    fn uimm32_low(&mut self, ty: Type, k: u64, and: bool) -> Option<u32> {
        let hi = (k >> 32) as u32;
        let fits = ty.bits() < 64 || (and && hi == u32::MAX) || (!and && hi == 0);
        fits.then_some(k as u32)
    }

    fn i16_lit(&mut self, v: i64) -> i16 {
        v as i16
    }

    fn u32_lit(&mut self, v: u64) -> u32 {
        v as u32
    }

    fn u64_shl(&mut self, v: u64, n: u8) -> u64 {
        v << n
    }

    fn shift_mod(&mut self, ty: Type, k: u64) -> u8 {
        (k % u64::from(ty.bits())) as u8
    }

    fn is_64(&mut self, ty: Type) -> bool {
        ty.bits() == 64
    }

    fn ty_narrow(&mut self, ty: Type) -> Option<Type> {
        (ty.is_scalar_int() && ty.bits() < 32).then_some(ty)
    }

    fn ty_narrow_or_32(&mut self, ty: Type) -> Option<Type> {
        (ty.is_scalar_int() && ty.bits() <= 32).then_some(ty)
    }

    fn ty_32_or_64(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::I32 || ty == Type::I64).then_some(ty)
    }

    fn ty_bits_i64(&mut self, ty: Type) -> i64 {
        i64::from(ty.bits())
    }

    fn ty_extra_bits(&mut self, ty: Type) -> i64 {
        i64::from(ty.bits()) - 64
    }

    fn ty_cls_adjust(&mut self, ty: Type) -> i64 {
        i64::from(ty.bits()) - 65
    }

    fn cond_of_intcc(&mut self, cc: IntCC) -> Cond {
        match cc {
            IntCC::Equal => Cond::E,
            IntCC::NotEqual => Cond::Ne,
            IntCC::SignedLessThan | IntCC::UnsignedLessThan => Cond::L,
            IntCC::SignedGreaterThanOrEqual | IntCC::UnsignedGreaterThanOrEqual => Cond::He,
            IntCC::SignedGreaterThan | IntCC::UnsignedGreaterThan => Cond::H,
            IntCC::SignedLessThanOrEqual | IntCC::UnsignedLessThanOrEqual => Cond::Le,
        }
    }

    fn cond_of_floatcc(&mut self, cc: FloatCC) -> Cond {
        // The condition codes of a float compare: 0 equal, 1 low, 2 high, 3 unordered.
        match cc {
            FloatCC::Equal => Cond::E,
            FloatCC::NotEqual => Cond::Ne,
            FloatCC::LessThan => Cond::L,
            FloatCC::LessThanOrEqual => Cond::Le,
            FloatCC::GreaterThan => Cond::H,
            FloatCC::GreaterThanOrEqual => Cond::He,
            FloatCC::Ordered => Cond::No,
            FloatCC::Unordered => Cond::O,
            FloatCC::OrderedNotEqual => Cond::Lh,
            FloatCC::UnorderedOrEqual => Cond::Nlh,
            FloatCC::UnorderedOrLessThan => Cond::Nhe,
            FloatCC::UnorderedOrLessThanOrEqual => Cond::Nh,
            FloatCC::UnorderedOrGreaterThan => Cond::Nle,
            FloatCC::UnorderedOrGreaterThanOrEqual => Cond::Nl,
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

    fn cond_invert(&mut self, c: Cond) -> Cond {
        // Every mask but 0 is a condition; no rule inverts `al`.
        let mask = c.code() ^ 0xf;
        Cond::ALL
            .into_iter()
            .find(|c| c.code() == mask)
            .unwrap_or(Cond::Al)
    }

    fn extend_op(&mut self, ty: Type, signed: bool) -> UnOp {
        match (ty.bits(), signed) {
            (8, false) => UnOp::Llgcr,
            (8, true) => UnOp::Lgbr,
            (16, false) => UnOp::Llghr,
            (16, true) => UnOp::Lghr,
            (_, false) => UnOp::Llgfr,
            (_, true) => UnOp::Lgfr,
        }
    }

    fn cmp_imm(&mut self, cc: IntCC, ty: Type, k: u64) -> Option<u32> {
        if self.intcc_signed(cc) {
            self.imm32(ty, k)
        } else {
            u32::try_from(truncate(ty, k)).ok()
        }
    }

    fn intcc_for_chi(&mut self, cc: IntCC) -> IntCC {
        // Equality is signed-compatible on 32 bits; unsigned orders are not.
        match cc {
            IntCC::Equal | IntCC::NotEqual => IntCC::SignedLessThan,
            other => other,
        }
    }

    fn cmp_imm16(&mut self, cc: IntCC, ty: Type, k: u64) -> Option<i16> {
        let value = if self.intcc_signed(cc) {
            sext(ty, k)
        } else if matches!(cc, IntCC::Equal | IntCC::NotEqual) {
            // The operand is zero-extended; a 64-bit constant is its own extension.
            truncate(ty, k) as i64
        } else {
            return None;
        };
        i16::try_from(value).ok()
    }

    fn cmp_br_op(&mut self, cc: IntCC, ty: Type) -> CmpBrOp {
        use CmpBrOp::*;
        by_sign_width(
            self.intcc_signed(cc),
            ty.bits() != 32,
            [Crj, Cgrj, Clrj, Clgrj],
        )
    }

    fn cmp_br_imm_op(&mut self, cc: IntCC, ty: Type) -> CmpBrImmOp {
        use CmpBrImmOp::*;
        by_sign_width(
            self.intcc_signed(cc),
            ty.bits() != 32,
            [Cij, Cgij, Clij, Clgij],
        )
    }

    fn cmp_br_imm(&mut self, cc: IntCC, ty: Type, k: u64) -> Option<u8> {
        if self.intcc_signed(cc) {
            i8::try_from(sext(ty, k)).ok().map(|v| v as u8)
        } else {
            u8::try_from(truncate(ty, k)).ok()
        }
    }

    fn cmp_imm_op(&mut self, cc: IntCC) -> CmpImmOp {
        if self.intcc_signed(cc) {
            CmpImmOp::Cgfi
        } else {
            CmpImmOp::Clgfi
        }
    }

    fn cmp_mem_op(&mut self, cc: IntCC, ty: Type) -> CmpMemOp {
        use CmpMemOp::*;
        by_sign_width(self.intcc_signed(cc), ty.bits() == 64, [C, Cg, Cl, Clg])
    }

    fn cmp_op(&mut self, cc: IntCC, ty: Type) -> CmpOp {
        use CmpOp::*;
        by_sign_width(self.intcc_signed(cc), ty.bits() == 64, [Cr, Cgr, Clr, Clgr])
    }

    fn load_op(&mut self, ty: Type, little: bool) -> LoadOp {
        match (ty, little) {
            (Type::I16, true) => LoadOp::Lrvh,
            (Type::I32, true) => LoadOp::Lrv,
            (Type::I64, true) => LoadOp::Lrvg,
            _ => super::super::inst::mem_ops(ty).0,
        }
    }

    fn store_op(&mut self, ty: Type, little: bool) -> StoreOp {
        match (ty, little) {
            (Type::I16, true) => StoreOp::Strvh,
            (Type::I32, true) => StoreOp::Strv,
            (Type::I64, true) => StoreOp::Strvg,
            _ => super::super::inst::mem_ops(ty).1,
        }
    }

    fn int_to_fpu_op(&mut self, fty: Type, ty: Type, signed: bool) -> IntToFpuOp {
        match (fty == Type::F64, ty.bits() == 64, signed) {
            (false, false, true) => IntToFpuOp::Cefbra,
            (true, false, true) => IntToFpuOp::Cdfbra,
            (false, false, false) => IntToFpuOp::Celfbr,
            (true, false, false) => IntToFpuOp::Cdlfbr,
            (false, true, true) => IntToFpuOp::Cegbra,
            (true, true, true) => IntToFpuOp::Cdgbra,
            (false, true, false) => IntToFpuOp::Celgbr,
            (true, true, false) => IntToFpuOp::Cdlgbr,
        }
    }

    fn fpu_to_int_op(&mut self, fty: Type, ty: Type, signed: bool) -> FpuToIntOp {
        match (fty == Type::F64, ty.bits() == 64, signed) {
            (false, false, true) => FpuToIntOp::Cfebra,
            (true, false, true) => FpuToIntOp::Cfdbra,
            (false, false, false) => FpuToIntOp::Clfebr,
            (true, false, false) => FpuToIntOp::Clfdbr,
            (false, true, true) => FpuToIntOp::Cgebra,
            (true, true, true) => FpuToIntOp::Cgdbra,
            (false, true, false) => FpuToIntOp::Clgebr,
            (true, true, false) => FpuToIntOp::Clgdbr,
        }
    }

    fn intcc_unsigned(&mut self, cc: IntCC) -> IntCC {
        match cc {
            IntCC::SignedLessThan => IntCC::UnsignedLessThan,
            IntCC::SignedGreaterThanOrEqual => IntCC::UnsignedGreaterThanOrEqual,
            IntCC::SignedGreaterThan => IntCC::UnsignedGreaterThan,
            IntCC::SignedLessThanOrEqual => IntCC::UnsignedLessThanOrEqual,
            other => other,
        }
    }

    fn memarg_offset(&mut self, m: MemArg, by: i64) -> MemArg {
        m.offset(by)
    }

    fn laa_op(&mut self, ty: Type, op: AtomicRmwOp) -> Option<LaaOp> {
        let wide = ty.bits() == 64;
        Some(match (op, wide) {
            (AtomicRmwOp::Add | AtomicRmwOp::Sub, false) => LaaOp::Laa,
            (AtomicRmwOp::Add | AtomicRmwOp::Sub, true) => LaaOp::Laag,
            (AtomicRmwOp::And, false) => LaaOp::Lan,
            (AtomicRmwOp::And, true) => LaaOp::Lang,
            (AtomicRmwOp::Or, false) => LaaOp::Lao,
            (AtomicRmwOp::Or, true) => LaaOp::Laog,
            (AtomicRmwOp::Xor, false) => LaaOp::Lax,
            (AtomicRmwOp::Xor, true) => LaaOp::Laxg,
            _ => return None,
        })
    }

    fn vsize(&mut self, ty: Type) -> u8 {
        ty.lane_bits().trailing_zeros() as u8 - 3
    }

    fn vsize_wide(&mut self, ty: Type) -> u8 {
        ty.lane_bits().trailing_zeros() as u8 - 2
    }

    fn vsize_narrow(&mut self, ty: Type) -> u8 {
        ty.lane_bits().trailing_zeros() as u8 - 4
    }

    fn dw0_last_element(&mut self, ty: Type) -> u8 {
        (64 / ty.lane_bits() - 1) as u8
    }

    fn be_lanes(&mut self, ty: Type, bits: u128) -> u128 {
        let mut bytes = bits.to_le_bytes();
        for lane in bytes.chunks_mut(ty.lane_bits() as usize / 8) {
            lane.reverse();
        }
        u128::from_be_bytes(bytes)
    }

    fn vgbm_mask(&mut self, bits: u128) -> Option<u16> {
        let bytes = bits.to_be_bytes();
        let mut mask = 0u16;
        for (i, b) in bytes.iter().enumerate() {
            match b {
                0 => {}
                0xff => mask |= 0x8000 >> i,
                _ => return None,
            }
        }
        Some(mask)
    }

    fn vrepi_of(&mut self, bits: u128, size: u8) -> Option<i16> {
        let lane_bits = 8u32 << size;
        let lane = bits & (u128::MAX >> (128 - lane_bits));
        if crate::machinst::isle::splat_bits(lane_bits, lane) != bits {
            return None;
        }
        // The lane's value sign-extended from its width, as a 16-bit immediate.
        let shift = 128 - lane_bits;
        let value = ((lane << shift) as i128) >> shift;
        i16::try_from(value).ok()
    }

    fn lane_bswap_mask(&mut self, ty: Type) -> u128 {
        let lane = ty.lane_bits() as usize / 8;
        let sel: [u8; 16] = core::array::from_fn(|i| (i / lane * lane + lane - 1 - i % lane) as u8);
        u128::from_be_bytes(sel)
    }

    fn high_bit_weights(&mut self, ty: Type) -> u128 {
        let lanes = 128 / ty.lane_bits();
        let mut le = 0u128;
        for i in 0..lanes {
            le |= 1u128 << (i % 8) << (i * ty.lane_bits());
        }
        self.be_lanes(ty, le)
    }

    fn has_vxrs_ext1(&mut self) -> bool {
        self.isa.flags.has_vxrs_ext1 || self.isa.flags.has_vxrs_ext2
    }

    fn has_vxrs_ext2(&mut self) -> bool {
        self.isa.flags.has_vxrs_ext2
    }

    fn f32_lanes_native(&mut self, ty: Type) -> bool {
        ty.lane_bits() == 64 || self.has_vxrs_ext1()
    }

    fn byte_reversed_lanes(&mut self, flags: MemFlags, ty: Type) -> Option<u8> {
        let reversed = self.isa.flags.has_vxrs_ext2 && self.mem_little(flags) && ty.lane_bits() > 8;
        reversed.then(|| self.vsize(ty))
    }

    fn sign_bit_selector(&mut self, ty: Type) -> u128 {
        let (bits, lanes) = (ty.lane_bits(), 128 / ty.lane_bits());
        let sel: [u8; 16] = core::array::from_fn(|j| {
            let lane = 15 - j as u32;
            if lane < lanes {
                (lane * bits) as u8
            } else {
                128
            }
        });
        u128::from_be_bytes(sel)
    }

    fn u128_bswap(&mut self, v: u128) -> u128 {
        v.swap_bytes()
    }

    fn u128_hi(&mut self, v: u128) -> u64 {
        (v >> 64) as u64
    }

    fn u128_lo(&mut self, v: u128) -> u64 {
        v as u64
    }

    fn sinkable_load(&mut self, v: Value) -> Option<crate::ir::Inst> {
        // The memory forms take a big-endian load of 32 or 64 bits.
        let load = self.lower.sinkable_load(v)?;
        let ty = self.lower.func.dfg.value_type(v);
        let crate::ir::InstructionData::Load { flags, .. } = self.lower.func.dfg.insts[load] else {
            return None;
        };
        let big = !self.mem_little(flags);
        (big && matches!(ty, Type::I32 | Type::I64)).then_some(load)
    }

    fn bit_run(&mut self, k: u64) -> Option<(u8, u8)> {
        if k == 0 || k == u64::MAX {
            return None;
        }
        // The ones, shifted down, must all sit at the bottom.
        let lo = k.trailing_zeros();
        let run = k >> lo;
        let len = run.trailing_ones();
        (run.count_ones() == len).then(|| ((63 - (lo + len - 1)) as u8, (63 - lo) as u8))
    }

    fn shifted_run(&mut self, ty: Type, m: u64, k: u64, right: bool) -> Option<(u8, u8)> {
        let bits = u64::from(ty.bits());
        let (m, k) = (truncate(ty, m), k % bits);
        let (start, end) = self.bit_run(m)?;
        // The value's own bits, in RISBG's numbering (bit 0 the leftmost of 64).
        let first = (64 - bits) as u8;
        let fits = if right {
            start >= first + k as u8
        } else {
            start >= first && u64::from(end) <= 63 - k
        };
        fits.then_some((start, end))
    }

    fn shift_rotation(&mut self, ty: Type, k: u64, right: bool) -> u8 {
        let k = k % u64::from(ty.bits());
        (if right { (64 - k) % 64 } else { k }) as u8
    }

    fn bit_run_start(&mut self, run: (u8, u8)) -> u8 {
        run.0
    }

    fn bit_run_end(&mut self, run: (u8, u8)) -> u8 {
        run.1
    }

    fn has_mie3(&mut self) -> bool {
        self.isa.flags.has_mie3
    }

    fn scalar_float(&mut self, ty: Type) -> Option<Type> {
        (ty.is_scalar() && ty.is_float()).then_some(ty)
    }

    fn f16_or_f128(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::F16 || ty == Type::F128).then_some(ty)
    }

    fn mem_trap(&mut self, flags: MemFlags) -> Option<TrapCode> {
        flags.trap_code()
    }

    fn mem_little(&mut self, flags: MemFlags) -> bool {
        flags.endianness(crate::ir::Endianness::Big) == crate::ir::Endianness::Little
    }

    fn memarg_reg_offset(&mut self, base: Reg, offset: i32) -> MemArg {
        MemArg::RegOffset {
            base,
            offset: i64::from(offset),
        }
    }

    fn memarg_reg_reg(&mut self, base: Reg, index: Reg) -> MemArg {
        MemArg::RegReg {
            base,
            index,
            offset: 0,
        }
    }

    fn memarg_slot(&mut self, ss: StackSlot, offset: i32) -> MemArg {
        MemArg::Slot {
            offset: i64::from(self.lower.stack_slot_offset(ss)) + i64::from(offset),
        }
    }

    fn value_is_iconst(&mut self, v: Value) -> bool {
        let dfg = &self.lower.func.dfg;
        dfg.value_def(dfg.resolve_aliases(v))
            .inst()
            .is_some_and(|i| dfg.insts[i].opcode() == Opcode::Iconst)
    }

    fn defined_by_compare(&mut self, v: Value) -> bool {
        let dfg = &self.lower.func.dfg;
        let v = crate::machinst::isle::strip_all_extends(dfg, v);
        dfg.value_def(v)
            .inst()
            .is_some_and(|i| matches!(dfg.insts[i].opcode(), Opcode::Icmp | Opcode::Fcmp))
    }

    fn int_min_sext(&mut self, ty: Type) -> u64 {
        (-(1i128 << (ty.bits() - 1))) as u64
    }

    fn fcvt_low_bound(&mut self, fty: Type, ty: Type, signed: bool) -> u64 {
        crate::machinst::isle::fcvt_low_bound(fty, ty, signed).0
    }

    fn fcvt_low_cond(&mut self, fty: Type, ty: Type, signed: bool) -> Cond {
        if crate::machinst::isle::fcvt_low_bound(fty, ty, signed).1 {
            Cond::Le
        } else {
            Cond::L
        }
    }

    fn int_min_f64(&mut self, ty: Type, signed: bool) -> u64 {
        if signed {
            // -2^(bits-1): the sign, and the biased exponent of 2^(bits-1).
            1 << 63 | u64::from(1023 + ty.bits() - 1) << 52
        } else {
            0
        }
    }

    fn fcvt_high_bound(&mut self, fty: Type, ty: Type, signed: bool) -> u64 {
        crate::machinst::isle::fcvt_high_bound(fty, ty, signed)
    }

    fn int_max(&mut self, ty: Type, signed: bool) -> u64 {
        crate::machinst::isle::int_max(ty, signed)
    }
}

/// The compare of `ops` for a signed (else logical) compare of 64 bits (else 32):
/// `ops` lists the signed 32- and 64-bit forms, then the logical ones.
fn by_sign_width<T: Copy>(signed: bool, wide: bool, ops: [T; 4]) -> T {
    ops[usize::from(!signed) * 2 + usize::from(wide)]
}
