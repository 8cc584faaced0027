//! The ISLE context of x86-64 lowering: the constructors and extractors `lower.isle`
//! declares `extern`, implemented on [`IsleCtx`].

use super::*;

impl generated::Context for IsleCtx<'_, '_> {
    fn emit(&mut self, inst: MInst) {
        self.lower.vcode.push(inst);
    }

    fn temp_gpr(&mut self) -> Writable<Reg> {
        Writable::from_reg(self.tmp())
    }

    fn temp_xmm(&mut self) -> Writable<Reg> {
        Writable::from_reg(self.ftmp())
    }

    fn writable_to_reg(&mut self, r: Writable<Reg>) -> Reg {
        r.to_reg()
    }

    fn no_writable_reg(&mut self) -> Option<Writable<Reg>> {
        None
    }

    fn some_writable_reg(&mut self, r: Writable<Reg>) -> Option<Writable<Reg>> {
        Some(r)
    }

    fn operand_size(&mut self, ty: Type) -> OperandSize {
        size_of(ty)
    }

    fn cc_of(&mut self, cc: IntCC) -> Cc {
        cc_of(cc)
    }

    fn ty_bits(&mut self, ty: Type) -> u8 {
        ty.bits() as u8
    }

    fn shift_mask(&mut self, ty: Type) -> i32 {
        ty.bits() as i32 - 1
    }

    fn shift_imm_mod(&mut self, ty: Type, k: u64) -> u8 {
        (k % u64::from(ty.bits())) as u8
    }

    fn truncate_to_type(&mut self, ty: Type, bits: u64) -> u64 {
        if ty.bits() >= 64 {
            bits
        } else {
            bits & ((1u64 << ty.bits()) - 1)
        }
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
        self.flags.has_bmi1
    }

    fn has_bmi2(&mut self) -> bool {
        self.flags.has_bmi2
    }

    fn has_lzcnt(&mut self) -> bool {
        self.flags.has_lzcnt
    }

    fn has_popcnt(&mut self) -> bool {
        self.flags.has_popcnt
    }

    fn has_sse41(&mut self) -> bool {
        self.flags.has_sse41
    }

    fn has_avx(&mut self) -> bool {
        self.flags.has_avx
    }

    fn has_fma(&mut self) -> bool {
        self.flags.has_fma
    }

    fn unit(&mut self) {}

    fn br_table_index(&mut self, inst: crate::ir::Inst) -> Option<Value> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::BranchTable { arg, .. } => Some(arg),
            _ => None,
        }
    }

    fn trap_code(&mut self, inst: crate::ir::Inst) -> Option<TrapCode> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::Trap { code, .. } => Some(code),
            _ => None,
        }
    }

    fn bits128(&mut self, v: u128) -> Bits128 {
        v.into()
    }

    fn func_addr_name(&mut self, inst: crate::ir::Inst) -> Option<(crate::ir::ExternalName, bool)> {
        let dfg = &self.lower.func.dfg;
        match dfg.insts[inst] {
            InstructionData::FuncAddr { func_ref, .. } => {
                let ext = &dfg.ext_funcs[func_ref];
                Some((ext.name.clone(), ext.colocated))
            }
            _ => None,
        }
    }

    fn symbol_value_data(
        &mut self,
        inst: crate::ir::Inst,
    ) -> Option<(crate::ir::ExternalName, i64, bool)> {
        let InstructionData::UnaryGlobalValue { global_value, .. } =
            self.lower.func.dfg.insts[inst]
        else {
            return None;
        };
        match &self.lower.func.global_values[global_value] {
            crate::ir::GlobalValueData::Symbol {
                name,
                offset,
                colocated,
                tls: false,
            } => Some((name.clone(), offset.bits(), *colocated)),
            _ => None,
        }
    }

    fn symbol_offset_encodable(&mut self, offset: i64) -> bool {
        !self.pic || i32::try_from(offset).is_ok()
    }

    fn handler_target(&mut self, inst: crate::ir::Inst) -> Option<usize> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::ExceptionHandlerAddress { block, imm, .. } => {
                self.lower.edge_block(block, 1 + imm as usize)
            }
            _ => None,
        }
    }

    fn has_cmpxchg16b(&mut self) -> bool {
        self.flags.has_cmpxchg16b
    }

    fn atomic_rmw_args(
        &mut self,
        inst: crate::ir::Inst,
    ) -> Option<(MemFlags, crate::ir::AtomicRmwOp, Value, Value)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::AtomicRmw {
                flags,
                op,
                args: [a, v],
                ..
            } => Some((flags, op, a, v)),
            _ => None,
        }
    }

    fn atomic_cas_args(
        &mut self,
        inst: crate::ir::Inst,
    ) -> Option<(MemFlags, Value, Value, Value)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::AtomicCas {
                flags,
                args: [a, e, r],
                ..
            } => Some((flags, a, e, r)),
            _ => None,
        }
    }

    fn load_no_offset_flags(&mut self, inst: crate::ir::Inst) -> Option<(MemFlags, Value)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::LoadNoOffset { flags, arg, .. } => Some((flags, arg)),
            _ => None,
        }
    }

    fn atomic128_rmw(&mut self, op: crate::ir::AtomicRmwOp) -> Atomic128Op {
        Atomic128Op::Rmw(op)
    }

    fn atomic128_needs_tmp(&mut self, op: Atomic128Op) -> bool {
        use crate::ir::AtomicRmwOp::{Smax, Smin, Umax, Umin};
        matches!(op, Atomic128Op::Rmw(Umin | Umax | Smin | Smax))
    }

    fn some_reg_pair(&mut self, p: (Reg, Reg)) -> Option<(Reg, Reg)> {
        Some(p)
    }

    fn writable_pair(
        &mut self,
        a: Writable<Reg>,
        b: Writable<Reg>,
    ) -> (Writable<Reg>, Writable<Reg>) {
        (a, b)
    }

    fn some_writable_pair(
        &mut self,
        p: (Writable<Reg>, Writable<Reg>),
    ) -> Option<(Writable<Reg>, Writable<Reg>)> {
        Some(p)
    }

    fn mergeable_load(&mut self, v: Value) -> Option<crate::ir::Inst> {
        self.lower.sinkable_load(v)
    }

    fn brif_cond(&mut self, inst: crate::ir::Inst) -> Option<Value> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::Brif { arg, .. } => Some(arg),
            _ => None,
        }
    }

    fn single_use_extends(&mut self, v: Value) -> Option<Value> {
        let mut v = self.lower.func.dfg.resolve_aliases(v);
        let mut single = self.lower.use_count(v) == 1;
        while let Some(inner) = extended(self.lower, v) {
            v = inner;
            single &= self.lower.use_count(v) == 1;
        }
        single.then_some(v)
    }

    fn box_inst(&mut self, inst: MInst) -> alloc::boxed::Box<MInst> {
        alloc::boxed::Box::new(inst)
    }

    fn sink_inst(&mut self, inst: crate::ir::Inst) {
        self.lower.sink_inst(inst);
    }

    fn i32_checked_add(&mut self, a: i32, b: i32) -> Option<i32> {
        a.checked_add(b)
    }

    fn disp_add(&mut self, k: u64, offset: i32) -> Option<i32> {
        i32::try_from(k as i64).ok()?.checked_add(offset)
    }

    fn i32_wrapping_add(&mut self, a: i32, b: i32) -> i32 {
        a.wrapping_add(b)
    }

    fn little_endian(&mut self, flags: MemFlags) -> bool {
        flags.endianness(crate::ir::Endianness::Little) == crate::ir::Endianness::Little
    }

    fn move_kind(&mut self, ty: Type) -> MoveKind {
        move_kind(ty)
    }

    fn stack_slot_disp(&mut self, ss: StackSlot, offset: i32) -> i32 {
        (self.lower.stack_slot_offset(ss) as i32).wrapping_add(offset)
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

    fn store_args(&mut self, inst: crate::ir::Inst) -> Option<(MemFlags, Value, Value, i32)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::Store {
                flags,
                args: [v, a],
                offset,
                ..
            } => Some((flags, v, a, offset.bytes())),
            _ => None,
        }
    }

    fn store_no_offset_args(&mut self, inst: crate::ir::Inst) -> Option<(MemFlags, Value, Value)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::StoreNoOffset {
                flags,
                args: [v, a],
                ..
            } => Some((flags, v, a)),
            _ => None,
        }
    }

    fn cond_trap_args(&mut self, inst: crate::ir::Inst) -> Option<(Value, TrapCode)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::CondTrap { arg, code, .. } => Some((arg, code)),
            _ => None,
        }
    }

    fn lane_args(&mut self, inst: crate::ir::Inst) -> Option<(Value, u8)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::BinaryImm8 { arg, imm, .. } => Some((arg, imm)),
            _ => None,
        }
    }

    fn lane_args2(&mut self, inst: crate::ir::Inst) -> Option<(Value, Value, u8)> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::TernaryImm8 {
                args: [v, x], imm, ..
            } => Some((v, x, imm)),
            _ => None,
        }
    }

    fn has_ssse3(&mut self) -> bool {
        self.flags.has_ssse3
    }

    fn has_sse42(&mut self) -> bool {
        self.flags.has_sse42
    }

    fn some_u8(&mut self, x: u8) -> Option<u8> {
        Some(x)
    }

    fn vec128(&mut self, ty: Type) -> Option<Type> {
        ty.is_vector128().then_some(ty)
    }

    fn vec_int_lanes(&mut self, ty: Type) -> Option<u8> {
        (ty.is_vector128() && ty.is_int()).then(|| ty.lane_bits() as u8)
    }

    fn vec_float_lanes(&mut self, ty: Type) -> Option<u8> {
        (ty.is_vector128() && ty.is_float()).then(|| ty.lane_bits() as u8)
    }

    fn lane_type(&mut self, ty: Type) -> Type {
        ty.lane_type()
    }

    fn lane_bits(&mut self, ty: Type) -> u8 {
        ty.lane_bits() as u8
    }

    fn lane_is_float(&mut self, ty: Type) -> bool {
        ty.lane_type().is_float()
    }

    fn splat_bits(&mut self, bits: u8, value: u64) -> u128 {
        splat_bits(u32::from(bits), u128::from(value))
    }

    fn lane_sign_mask(&mut self, ty: Type) -> u128 {
        let bits = ty.lane_bits();
        splat_bits(bits, 1 << (bits - 1))
    }

    fn lane_quiet_nan(&mut self, ty: Type) -> u128 {
        let quiet = if ty.lane_bits() == 64 {
            0x7ff8_0000_0000_0000
        } else {
            0x7fc0_0000
        };
        splat_bits(ty.lane_bits(), quiet)
    }

    fn u8_and(&mut self, a: u8, b: u8) -> u8 {
        a & b
    }

    fn u8_shr(&mut self, a: u8, b: u8) -> u8 {
        a >> b
    }

    fn u8_shl(&mut self, a: u8, b: u8) -> u8 {
        a << b
    }

    fn u8_or(&mut self, a: u8, b: u8) -> u8 {
        a | b
    }

    fn const_data(&mut self, inst: crate::ir::Inst) -> Option<u128> {
        let dfg = &self.lower.func.dfg;
        let InstructionData::UnaryConst { constant, .. } = dfg.insts[inst] else {
            return None;
        };
        let bytes = dfg
            .constants
            .get(constant)
            .map_or(&[][..], |c| c.as_slice());
        let mut le = [0u8; 16];
        let n = bytes.len().min(16);
        le[..n].copy_from_slice(&bytes[..n]);
        Some(u128::from_le_bytes(le))
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

    fn u64_to_u128(&mut self, x: u64) -> u128 {
        u128::from(x)
    }

    fn float_sign_bit(&mut self, ty: Type) -> u128 {
        sign_bit(ty)
    }

    fn lane_is_64(&mut self, ty: Type) -> bool {
        ty.lane_bits() == 64
    }

    fn ty_is_vector(&mut self, ty: Type) -> bool {
        ty.is_vector()
    }

    fn intcc_swap_args(&mut self, cc: IntCC) -> IntCC {
        cc.swap_args()
    }

    fn strip_extends(&mut self, v: Value) -> Value {
        let mut v = self.lower.func.dfg.resolve_aliases(v);
        while let Some(inner) = extended(self.lower, v) {
            v = inner;
        }
        v
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

    fn libcall(&mut self, lc: LibCall, args: Vec<Reg>) -> Vec<Reg> {
        match crate::machinst::call::libcall::<MInst, crate::isa::x64::abi::X64Abi>(
            self.lower,
            lc,
            crate::ir::CallConv::SystemV,
            &args,
        ) {
            Ok(rets) => rets,
            Err(e) => {
                self.error.get_or_insert(e);
                alloc::vec![self.tmp(), self.tmp()]
            }
        }
    }

    fn regs1(&mut self, a: Reg) -> Vec<Reg> {
        alloc::vec![a]
    }

    fn regs2(&mut self, a: Reg, b: Reg) -> Vec<Reg> {
        alloc::vec![a, b]
    }

    fn regs3(&mut self, a: Reg, b: Reg, c: Reg) -> Vec<Reg> {
        alloc::vec![a, b, c]
    }

    fn regs4(&mut self, a: Reg, b: Reg, c: Reg, d: Reg) -> Vec<Reg> {
        alloc::vec![a, b, c, d]
    }

    fn regs_first(&mut self, r: Vec<Reg>) -> Reg {
        r[0]
    }

    fn regs_pair(&mut self, r: Vec<Reg>) -> (Reg, Reg) {
        (r[0], r[1])
    }

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

    fn put_in_reg(&mut self, v: Value) -> Reg {
        match self.lower.value_reg(v) {
            Ok(r) => r,
            Err(e) => {
                self.error.get_or_insert(e);
                self.tmp()
            }
        }
    }

    fn single_use(&mut self, v: Value) -> Option<Value> {
        (self.lower.use_count(v) == 1).then_some(v)
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

    fn fconst_value(&mut self, v: Value) -> Option<u64> {
        float_const_bits(&self.lower.func.dfg, v)
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
            InstructionData::Binary { args: [a, b], .. }
            | InstructionData::Shuffle { args: [a, b], .. } => Some((a, b)),
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
        (ty == Type::F16 || ty == Type::F128 || ty.is_vector128()).then_some(ty)
    }

    fn vec128_int(&mut self, ty: Type) -> Option<Type> {
        (ty.is_vector128() && ty.is_int()).then_some(ty)
    }

    fn vec128_float(&mut self, ty: Type) -> Option<Type> {
        (ty.is_vector128() && ty.is_float()).then_some(ty)
    }

    fn xmm_bits_ty(&mut self, ty: Type) -> Option<Type> {
        ((ty.is_scalar() && ty.is_float()) || ty.is_vector128()).then_some(ty)
    }

    fn xmm_scalar_data_ty(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::F16 || ty == Type::F128).then_some(ty)
    }

    fn f16_bits(&mut self, inst: crate::ir::Inst) -> Option<u64> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::UnaryIeee16 { imm, .. } => Some(u64::from(imm.bits())),
            _ => None,
        }
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

    fn load_no_offset_arg(&mut self, inst: crate::ir::Inst) -> Option<Value> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::LoadNoOffset { arg, .. } => Some(arg),
            _ => None,
        }
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

    fn is_i128(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::I128).then_some(ty)
    }

    fn imm32_for(&mut self, ty: Type, bits: u64) -> Option<i32> {
        imm32_for(ty, bits)
    }
}
