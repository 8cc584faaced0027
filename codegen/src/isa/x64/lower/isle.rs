//! The ISLE context of x86-64 lowering: the constructors and extractors `lower.isle`
//! declares `extern`, implemented on [`IsleCtx`].

use super::*;

impl generated::Context for IsleCtx<'_, '_> {
    crate::isle_lower_prelude_methods!(MInst, crate::isa::x64::abi::X64Abi);

    fn temp_gpr(&mut self) -> Writable<Reg> {
        Writable::from_reg(self.lower.vcode.alloc_vreg(RegClass::Int))
    }

    fn temp_vr(&mut self) -> Writable<Reg> {
        Writable::from_reg(self.lower.vcode.alloc_vreg(RegClass::Float))
    }

    fn operand_size(&mut self, ty: Type) -> OperandSize {
        size_of(ty)
    }

    fn cc_of(&mut self, cc: IntCC) -> Cc {
        cc_of(cc)
    }

    fn shift_mask(&mut self, ty: Type) -> i32 {
        ty.bits() as i32 - 1
    }

    fn shift_imm_mod(&mut self, ty: Type, k: u64) -> u8 {
        (k % u64::from(ty.bits())) as u8
    }

    fn half_int_type(&mut self, ty: Type) -> Type {
        Type::int(ty.bits() / 2).unwrap_or(Type::I32)
    }

    fn ty_8_or_16(&mut self, ty: Type) -> Option<Type> {
        (int_le64(ty) && ty.bits() < 32).then_some(ty)
    }

    fn ty_32_or_64(&mut self, ty: Type) -> Option<Type> {
        (int_le64(ty) && ty.bits() >= 32).then_some(ty)
    }

    fn has_bmi1(&mut self) -> bool {
        self.isa.flags.has_bmi1
    }

    fn has_bmi2(&mut self) -> bool {
        self.isa.flags.has_bmi2
    }

    fn has_lzcnt(&mut self) -> bool {
        self.isa.flags.has_lzcnt
    }

    fn has_popcnt(&mut self) -> bool {
        self.isa.flags.has_popcnt
    }

    fn has_sse41(&mut self) -> bool {
        self.isa.flags.has_sse41
    }

    fn has_avx(&mut self) -> bool {
        self.isa.flags.has_avx
    }

    fn has_fma(&mut self) -> bool {
        self.isa.flags.has_fma
    }

    // The EVEX forms on 128-bit vectors need AVX512VL besides their own feature (and
    // AVX512F under every one).
    fn has_avx512vl(&mut self) -> bool {
        self.isa.flags.has_avx512vl && self.isa.flags.has_avx512f
    }

    fn has_avx512dq(&mut self) -> bool {
        self.isa.flags.has_avx512dq
    }

    fn has_avx512bitalg(&mut self) -> bool {
        self.isa.flags.has_avx512bitalg
    }

    fn bits128(&mut self, v: u128) -> Bits128 {
        v.into()
    }

    fn symbol_offset_encodable(&mut self, offset: i64) -> bool {
        !self.isa.pic || i32::try_from(offset).is_ok()
    }

    fn has_cmpxchg16b(&mut self) -> bool {
        self.isa.flags.has_cmpxchg16b
    }

    fn atomic128_needs_tmp(&mut self, op: crate::ir::AtomicRmwOp) -> bool {
        use crate::ir::AtomicRmwOp::{Smax, Smin, Umax, Umin};
        matches!(op, Umin | Umax | Smin | Smax)
    }

    fn three_operand_add(&mut self, op: AluOp, size: OperandSize, imm: i32) -> bool {
        crate::isa::x64::inst::three_operand_add(op, size, imm)
    }

    fn mergeable_load(&mut self, v: Value) -> Option<crate::ir::Inst> {
        self.lower.sinkable_load(v)
    }

    fn move_kind(&mut self, ty: Type) -> MoveKind {
        move_kind(ty)
    }

    fn addr_offset(&mut self, addr: Addr, by: i32) -> Addr {
        addr.offset(by)
    }

    fn mem_trap(&mut self, flags: MemFlags) -> Option<TrapCode> {
        flags.trap_code()
    }

    fn some_alu_op(&mut self, op: AluOp) -> Option<AluOp> {
        Some(op)
    }

    fn xmm_mem_addr(&mut self, addr: Addr) -> XmmMem {
        XmmMem::Mem(addr)
    }

    fn xmm_mem_const(&mut self, bits: u64) -> XmmMem {
        XmmMem::Const(bits)
    }

    fn has_ssse3(&mut self) -> bool {
        self.isa.flags.has_ssse3
    }

    fn has_sse42(&mut self) -> bool {
        self.isa.flags.has_sse42
    }

    fn some_u8(&mut self, x: u8) -> Option<u8> {
        Some(x)
    }

    fn packed_has_vex_form(&mut self, op: PackedOp) -> bool {
        op.has_vex_form()
    }

    fn shuffle_masks(&mut self, inst: crate::ir::Inst) -> Option<(u128, u128)> {
        let dfg = &self.lower.func.dfg;
        let InstructionData::Shuffle { imm, .. } = dfg.insts[inst] else {
            return None;
        };
        let mask = dfg.immediates.get(imm)?.as_slice();
        if mask.len() != 16 {
            return None;
        }
        // Lanes 0-15 come from the first operand, 16-31 from the second; 0x80 zeroes.
        let pick = |from_b: bool| {
            let lanes: [u8; 16] = core::array::from_fn(|i| match mask[i] {
                m @ 0..16 if !from_b => m,
                m @ 16..32 if from_b => m - 16,
                _ => 0x80,
            });
            u128::from_le_bytes(lanes)
        };
        Some((pick(false), pick(true)))
    }

    fn reg_or_imm_reg(&mut self, r: Reg) -> RegOrImm {
        RegOrImm::Reg(r)
    }

    fn reg_or_imm_imm(&mut self, imm: i32) -> RegOrImm {
        RegOrImm::Imm(imm)
    }

    fn xmm_round(&mut self, mode: u8) -> XmmUnaryOp {
        XmmUnaryOp::Round(mode)
    }

    fn float_cc_flag(&mut self, cc: FloatCC) -> Option<Cc> {
        crate::isa::x64::inst::float_cc_flag(cc).map(|(_, flag)| flag)
    }

    fn float_cc_swapped(&mut self, cc: FloatCC) -> bool {
        crate::isa::x64::inst::float_cc_flag(cc).is_some_and(|(swap, _)| swap)
    }

    fn sinkable_load(&mut self, v: Value) -> Option<crate::ir::Inst> {
        // The memory forms take a little-endian load of 32 or 64 bits (integers) or of a
        // float.
        let load = self.lower.sinkable_load(v)?;
        let ty = self.lower.func.dfg.value_type(v);
        let InstructionData::Load { flags, .. } = self.lower.func.dfg.insts[load] else {
            return None;
        };
        let little =
            flags.endianness(crate::ir::Endianness::Little) == crate::ir::Endianness::Little;
        (little && matches!(ty, Type::I32 | Type::I64 | Type::F32 | Type::F64)).then_some(load)
    }

    fn xmm_data_ty(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::F16 || ty == Type::F128 || ty.is_vector128()).then_some(ty)
    }

    fn vec128_int(&mut self, ty: Type) -> Option<Type> {
        (ty.is_vector128() && ty.is_int()).then_some(ty)
    }

    fn vec128_float(&mut self, ty: Type) -> Option<Type> {
        // f32x4 and f64x2: SSE has no arithmetic on f16 lanes.
        (ty.is_vector128() && ty.is_float() && matches!(ty.lane_bits(), 32 | 64)).then_some(ty)
    }

    fn xmm_bits_ty(&mut self, ty: Type) -> Option<Type> {
        ((ty.is_scalar() && ty.is_float()) || ty.is_vector128()).then_some(ty)
    }

    fn xmm_scalar_data_ty(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::F16 || ty == Type::F128).then_some(ty)
    }

    fn imm32_for(&mut self, ty: Type, bits: u64) -> Option<i32> {
        imm32_for(ty, bits)
    }
}
