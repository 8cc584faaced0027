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
        match libcall(self.lower, lc, &args) {
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
            // A load used only here is not merged anywhere else: lowered on its own, it
            // zero-extends.
            Opcode::Load => true,
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

    fn x64_alu_mem(&mut self, op: AluOp, ty: Type, x: Reg, load: crate::ir::Inst) -> Reg {
        self.alu_mem(Some(op), ty, x, load)
    }

    fn x64_xmm_mem(&mut self, op: XmmOp, ty: Type, x: Reg, load: crate::ir::Inst) -> Reg {
        self.lower.sink_inst(load);
        let (flags, addr, offset) = match self.lower.func.dfg.insts[load] {
            InstructionData::Load {
                flags, arg, offset, ..
            } => (flags, arg, offset.bytes()),
            _ => unreachable!("sinkable_load finds plain loads only"),
        };
        let addr = self.mem_operand(addr, offset);
        self.xmm_rm(op, ty, x, XmmMem::Mem(addr), flags.trap_code())
    }

    fn x64_xmm_const(&mut self, op: XmmOp, ty: Type, x: Reg, bits: u64) -> Reg {
        self.xmm_rm(op, ty, x, XmmMem::Const(bits), None)
    }

    fn scaled_add(&mut self, inst: crate::ir::Inst) -> Option<(Value, Value, u8)> {
        let uses = self.lower.raw_use_counts();
        scaled_add(&self.lower.func.dfg, inst, Some(uses)).map(|(x, y, k, _)| (x, y, k))
    }

    fn x64_lea_scaled(&mut self, ty: Type, base: Reg, index: Reg, shift: u8) -> Reg {
        let dst = self.tmp();
        self.push(MInst::LeaScaled {
            size: size_of(ty),
            base,
            index,
            shift,
            dst: Writable::from_reg(dst),
        });
        dst
    }

    fn fconst_value(&mut self, v: Value) -> Option<u64> {
        float_const_bits(&self.lower.func.dfg, v)
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

    fn x64_vec_op(&mut self, op: XmmOp, ty: Type, a: Reg, b: Reg) -> Reg {
        let bits = ty.lane_bits() as u8;
        let packed = match (op, ty.is_float()) {
            (XmmOp::Add, false) => PackedOp::Add(bits),
            (XmmOp::Sub, false) => PackedOp::Sub(bits),
            (XmmOp::Add, true) => PackedOp::FAdd(bits == 64),
            (XmmOp::Sub, true) => PackedOp::FSub(bits == 64),
            (XmmOp::Mul, true) => PackedOp::FMul(bits == 64),
            (XmmOp::Div, true) => PackedOp::FDiv(bits == 64),
            // Bitwise operations ignore lanes (f16 and f128 included).
            (XmmOp::And, _) => PackedOp::And,
            (XmmOp::AndNot, _) => PackedOp::AndNot,
            (XmmOp::Or, _) => PackedOp::Or,
            (XmmOp::Xor, _) => PackedOp::Xor,
            _ => unreachable!("no rule makes {op:?} on {ty}"),
        };
        self.packed(packed, a, b)
    }

    fn x64_vec_bnot(&mut self, x: Reg) -> Reg {
        let ones = self.xmm_const(MoveKind::V128, u128::MAX);
        self.packed(PackedOp::Xor, x, ones)
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

    fn x64_splat(&mut self, ty: Type, x: Value) -> Reg {
        let r = self.put_in_reg(x);
        self.splat_reg(ty, r)
    }

    fn x64_vec_shift(&mut self, op: ShiftOp, ty: Type, x: Reg, amount: Reg) -> Option<Reg> {
        let bits = ty.lane_bits() as u8;
        if bits == 8 {
            return Some(self.shift_bytes(op, x, amount));
        }
        let packed = match (op, bits) {
            (ShiftOp::Sar, 64) => return None,
            (ShiftOp::Shl, _) => PackedOp::Shl(bits),
            (ShiftOp::Shr, _) => PackedOp::Shr(bits),
            (ShiftOp::Sar, _) => PackedOp::Sar(bits),
            _ => return None,
        };
        let count = self.masked_count(amount, bits);
        Some(self.packed(packed, x, count))
    }
    fn x64_extractlane(&mut self, ty: Type, v: Reg, lane: u8) -> Reg {
        let lty = ty.lane_type();
        match (lty.bits(), lty.is_float()) {
            (64, _) | (32, _) => {
                // The lane moved into the low position (32-bit lanes, or a quadword).
                let moved = if lane == 0 {
                    v
                } else if lty.bits() == 64 {
                    self.pshuf(false, 0xee, v)
                } else {
                    self.pshuf(false, lane, v)
                };
                if lty.is_float() {
                    moved
                } else {
                    let dst = self.tmp();
                    self.push(MInst::XmmToGpr {
                        wide: lty.bits() == 64,
                        src: moved,
                        dst: Writable::from_reg(dst),
                    });
                    dst
                }
            }
            (16, _) => self.pextrw(lane, v),
            _ => {
                let word = self.pextrw(lane / 2, v);
                if lane % 2 == 1 {
                    self.shift_imm(ShiftOp::Shr, OperandSize::Size32, word, 8)
                } else {
                    word
                }
            }
        }
    }

    fn x64_insertlane(&mut self, ty: Type, v: Reg, x: Reg, lane: u8) -> Option<Reg> {
        let lty = ty.lane_type();
        match (lty.bits(), lty.is_float()) {
            (16, false) => {
                let dst = self.ftmp();
                self.push(MInst::Pinsrw {
                    lane,
                    src1: v,
                    src2: x,
                    dst: Writable::from_reg(dst),
                });
                Some(dst)
            }
            (8 | 32, _) if self.flags.has_sse41 => {
                let float = lty.is_float();
                let (op, imm) = match (lty.bits(), float) {
                    (8, _) => (0x20, lane),
                    (_, false) => (0x22, lane),
                    // insertps: source lane 0 to destination lane `lane`.
                    (_, true) => (0x21, lane << 4),
                };
                let dst = self.ftmp();
                self.push(MInst::Insert41 {
                    op,
                    wide: false,
                    imm,
                    src1: v,
                    src2: x,
                    dst: Writable::from_reg(dst),
                });
                Some(dst)
            }
            (64, float) => {
                let low = if float { x } else { self.gpr64_to_xmm(x) };
                Some(if lane == 0 {
                    self.packed(PackedOp::MoveLowQuad, v, low)
                } else {
                    self.packed(PackedOp::UnpackLowQuads, v, low)
                })
            }
            _ => None,
        }
    }

    fn x64_vec_icmp(&mut self, cc: IntCC, ty: Type, a: Reg, b: Reg) -> Option<Reg> {
        let bits = ty.lane_bits() as u8;
        // 64-bit lanes: pcmpeqq (SSE4.1) and pcmpgtq (SSE4.2).
        let eq_ok = bits < 64 || self.flags.has_sse41;
        let gt_ok = bits < 64 || self.flags.has_sse42;
        let needs_gt = !matches!(cc, IntCC::Equal | IntCC::NotEqual);
        if !eq_ok || (needs_gt && !gt_ok) {
            return None;
        }
        // Unsigned orders compare with the sign bits flipped.
        let (a, b) = if matches!(
            cc,
            IntCC::UnsignedLessThan
                | IntCC::UnsignedLessThanOrEqual
                | IntCC::UnsignedGreaterThan
                | IntCC::UnsignedGreaterThanOrEqual
        ) {
            let sign = splat_bits(u32::from(bits), 1 << (bits - 1));
            let bias = self.xmm_const(MoveKind::V128, sign);
            (
                self.packed(PackedOp::Xor, a, bias),
                self.packed(PackedOp::Xor, b, bias),
            )
        } else {
            (a, b)
        };
        let gt = |this: &mut Self, x: Reg, y: Reg| {
            let op = if bits == 64 {
                PackedOp::Map38(0x37)
            } else {
                PackedOp::CmpGt(bits)
            };
            this.packed(op, x, y)
        };
        let eq_op = if bits == 64 {
            PackedOp::Map38(0x29)
        } else {
            PackedOp::CmpEq(bits)
        };
        Some(match cc {
            IntCC::Equal => self.packed(eq_op, a, b),
            IntCC::NotEqual => {
                let eq = self.packed(eq_op, a, b);
                self.x64_vec_bnot(eq)
            }
            IntCC::SignedGreaterThan | IntCC::UnsignedGreaterThan => gt(self, a, b),
            IntCC::SignedLessThan | IntCC::UnsignedLessThan => gt(self, b, a),
            IntCC::SignedLessThanOrEqual | IntCC::UnsignedLessThanOrEqual => {
                let g = gt(self, a, b);
                self.x64_vec_bnot(g)
            }
            IntCC::SignedGreaterThanOrEqual | IntCC::UnsignedGreaterThanOrEqual => {
                let l = gt(self, b, a);
                self.x64_vec_bnot(l)
            }
        })
    }

    fn x64_vec_ineg(&mut self, ty: Type, x: Reg) -> Reg {
        let zero = self.xmm_const(MoveKind::V128, 0);
        self.packed(PackedOp::Sub(ty.lane_bits() as u8), zero, x)
    }

    fn x64_vec_sign(&mut self, op: XmmOp, ty: Type, x: Reg, y: Reg) -> Reg {
        // The sign bit of every lane.
        let bits = ty.lane_bits();
        let sign = splat_bits(bits, 1 << (bits - 1));
        let mask = self.xmm_const(MoveKind::V128, sign);
        match op {
            XmmOp::Xor => self.packed(PackedOp::Xor, x, mask),
            XmmOp::AndNot => self.packed(PackedOp::AndNot, mask, x),
            _ => {
                // copysign: x's magnitude, y's sign.
                let magnitude = self.packed(PackedOp::AndNot, mask, x);
                let signs = self.packed(PackedOp::And, mask, y);
                self.packed(PackedOp::Or, magnitude, signs)
            }
        }
    }

    fn x64_vec_fmin_max(&mut self, max: bool, ty: Type, a: Reg, b: Reg) -> Reg {
        let d = ty.lane_bits() == 64;
        let bits = ty.lane_bits();
        let op = |d| {
            if max {
                PackedOp::FMax(d)
            } else {
                PackedOp::FMin(d)
            }
        };
        // x86 gives the second operand when either is NaN or both are zeros: both orders
        // together hold every case.
        let ab = self.packed(op(d), a, b);
        let ba = self.packed(op(d), b, a);
        let nan = self.packed(PackedOp::FCmp(d, 3), a, b);
        if !max {
            // Or: -0 wins over +0, a NaN stays a NaN; NaN lanes become all ones, then
            // the payload below the quiet bit is cleared (a negative quiet NaN).
            let either = self.packed(PackedOp::Or, ab, ba);
            let ones = self.packed(PackedOp::Or, either, nan);
            let count = self.xmm_const(MoveKind::V128, u128::from(if d { 13u8 } else { 10 }));
            let payload = self.packed(PackedOp::Shr(bits as u8), nan, count);
            return self.packed(PackedOp::AndNot, payload, ones);
        }
        // And: +0 wins over -0. NaN lanes: a quiet NaN with the sign of the or of both
        // orders (the NaN operand's, unless the other operand is negative).
        let both = self.packed(PackedOp::And, ab, ba);
        let either = self.packed(PackedOp::Or, ab, ba);
        let lane = |v: u128| splat_bits(bits, v);
        let sign = self.xmm_const(MoveKind::V128, lane(1 << (bits - 1)));
        let quiet = if d {
            0x7ff8_0000_0000_0000u128
        } else {
            0x7fc0_0000
        };
        let quiet = self.xmm_const(MoveKind::V128, lane(quiet));
        let nan_sign = self.packed(PackedOp::And, either, sign);
        let canonical = self.packed(PackedOp::Or, nan_sign, quiet);
        // Blend: the canonical NaN where either operand is NaN, else the and.
        let keep = self.packed(PackedOp::AndNot, nan, both);
        let put = self.packed(PackedOp::And, nan, canonical);
        self.packed(PackedOp::Or, keep, put)
    }

    fn x64_vec_bitselect(&mut self, c: Reg, x: Reg, y: Reg) -> Reg {
        let taken = self.packed(PackedOp::And, c, x);
        let others = self.packed(PackedOp::AndNot, c, y);
        self.packed(PackedOp::Or, taken, others)
    }

    fn x64_vec_test(&mut self, op: Opcode, ty: Type, x: Reg) -> Option<Reg> {
        if !ty.is_vector128() {
            return None;
        }
        let bits = ty.lane_bits() as u8;
        let movmsk = |this: &mut Self, lane_bits: u8, src: Reg| {
            let dst = this.tmp();
            this.push(MInst::Movmsk {
                lane_bits,
                src,
                dst: Writable::from_reg(dst),
            });
            dst
        };
        let setcc = |this: &mut Self, cc: IntCC, a: Reg, imm: i32| {
            this.cmp_setcc(OperandSize::Size32, cc, a, RegOrImm::Imm(imm))
        };
        match op {
            Opcode::VanyTrue => {
                // Some byte non-zero: not all sixteen compare equal to zero.
                let zero = self.xmm_const(MoveKind::V128, 0);
                let eq = self.packed(PackedOp::CmpEq(8), x, zero);
                let mask = movmsk(self, 8, eq);
                Some(setcc(self, IntCC::NotEqual, mask, 0xffff))
            }
            Opcode::VallTrue => {
                // No lane equal to zero. 64-bit lanes: neither 32-bit half pair is zero,
                // checked as both halves of a lane being zero.
                let zero = self.xmm_const(MoveKind::V128, 0);
                let eq = self.packed(PackedOp::CmpEq(bits.min(32)), x, zero);
                let eq = if bits == 64 {
                    // A lane is zero when both its halves are: and each half with the
                    // other (swapped within the lane).
                    let swapped = self.pshuf(false, 0xb1, eq);
                    self.packed(PackedOp::And, eq, swapped)
                } else {
                    eq
                };
                let mask = movmsk(self, 8, eq);
                Some(setcc(self, IntCC::Equal, mask, 0))
            }
            Opcode::VhighBits => Some(match bits {
                8 => movmsk(self, 8, x),
                16 => {
                    let packed = self.packed(PackedOp::PackSignedWords, x, x);
                    let m = movmsk(self, 8, packed);
                    let dst = self.tmp();
                    self.lower.vcode.push(MInst::AluRI {
                        op: AluOp::And,
                        size: OperandSize::Size32,
                        src: m,
                        imm: 0xff,
                        dst: Writable::from_reg(dst),
                    });
                    dst
                }
                _ => movmsk(self, bits, x),
            }),
            _ => None,
        }
    }

    fn x64_vec_narrow(&mut self, op: Opcode, ty: Type, a: Reg, b: Reg) -> Option<Reg> {
        // SSE4.1 (66 0F 38 map) forms first, when the flag allows them.
        if self.flags.has_sse41 {
            let map38 = match (op, ty.lane_bits()) {
                (Opcode::Imul, 32) => Some(0x40),
                (Opcode::Smin, 8) => Some(0x38),
                (Opcode::Smin, 32) => Some(0x39),
                (Opcode::Umin, 16) => Some(0x3a),
                (Opcode::Umin, 32) => Some(0x3b),
                (Opcode::Smax, 8) => Some(0x3c),
                (Opcode::Smax, 32) => Some(0x3d),
                (Opcode::Umax, 16) => Some(0x3e),
                (Opcode::Umax, 32) => Some(0x3f),
                _ => None,
            };
            if let Some(code) = map38 {
                return Some(self.packed(PackedOp::Map38(code), a, b));
            }
        }
        if op == Opcode::IaddPairwise && self.flags.has_ssse3 {
            // phaddw/phaddd: sums of adjacent lanes of `a`, then of `b`.
            let code = match ty.lane_bits() {
                16 => 0x01,
                32 => 0x02,
                _ => return None,
            };
            return Some(self.packed(PackedOp::Map38(code), a, b));
        }
        if op == Opcode::Swizzle && self.flags.has_ssse3 {
            // pshufb zeroes a lane whose index has its top bit set, and otherwise uses the
            // index's low four bits; CLIF zeroes every index from 16: a saturating add of
            // 0x70 sends those past 0x7f and keeps 0-15.
            let bias = self.xmm_const(MoveKind::V128, splat_bits(8, 0x70));
            let idx = self.packed(PackedOp::Narrow(0xdc), b, bias);
            return Some(self.packed(PackedOp::Map38(0x00), a, idx));
        }
        let byte = ty.lane_bits() == 8;
        let code = match (op, ty.lane_bits()) {
            (Opcode::UaddSat, 8 | 16) => [0xdc, 0xdd][usize::from(!byte)],
            (Opcode::SaddSat, 8 | 16) => [0xec, 0xed][usize::from(!byte)],
            (Opcode::UsubSat, 8 | 16) => [0xd8, 0xd9][usize::from(!byte)],
            (Opcode::SsubSat, 8 | 16) => [0xe8, 0xe9][usize::from(!byte)],
            (Opcode::AvgRound, 8 | 16) => [0xe0, 0xe3][usize::from(!byte)],
            (Opcode::Umin, 8) => 0xda,
            (Opcode::Umax, 8) => 0xde,
            (Opcode::Smin, 16) => 0xea,
            (Opcode::Smax, 16) => 0xee,
            (Opcode::Umulhi, 16) => 0xe4,
            (Opcode::Smulhi, 16) => 0xe5,
            _ => return None,
        };
        Some(self.packed(PackedOp::Narrow(code), a, b))
    }

    fn x64_vec_unary(&mut self, op: Opcode, ty: Type, rty: Type, x: Reg) -> Option<Reg> {
        if !ty.is_vector128() || !rty.is_vector128() {
            return None;
        }
        let raw = |this: &mut Self, p66: bool, code: u8, a: Reg, b: Reg| {
            this.packed(PackedOp::Raw(p66.then_some(0x66), code), a, b)
        };
        let bits = ty.lane_bits();
        Some(match op {
            Opcode::Sqrt if ty.is_float() => raw(self, bits == 64, 0x51, x, x),
            Opcode::FcvtFromSint if ty == Type::I32X4 && rty == Type::F32X4 => {
                raw(self, false, 0x5b, x, x)
            }
            Opcode::FcvtFromUint if ty == Type::I32X4 && rty == Type::F32X4 => {
                // The high and low 16 bits converted exactly, the high ones scaled by
                // 2^16, then one rounding in the sum.
                let low_mask = self.xmm_const(MoveKind::V128, splat_bits(32, 0xffff));
                let low = self.packed(PackedOp::And, x, low_mask);
                let sixteen = self.xmm_const(MoveKind::V128, 16);
                let high = self.packed(PackedOp::Shr(32), x, sixteen);
                let low = raw(self, false, 0x5b, low, low);
                let high = raw(self, false, 0x5b, high, high);
                // 2^16 as f32.
                let scale = self.xmm_const(MoveKind::V128, splat_bits(32, 0x4780_0000));
                let high = self.packed(PackedOp::FMul(false), high, scale);
                self.packed(PackedOp::FAdd(false), high, low)
            }
            Opcode::FvpromoteLow => raw(self, false, 0x5a, x, x),
            Opcode::Nearest | Opcode::Floor | Opcode::Ceil | Opcode::Trunc
                if ty.is_float() && self.flags.has_sse41 =>
            {
                // roundps/roundpd (66 0F 3A 08/09 /r ib) with the rounding mode.
                let mode = match op {
                    Opcode::Nearest => 0,
                    Opcode::Floor => 1,
                    Opcode::Ceil => 2,
                    _ => 3,
                };
                let dst = self.ftmp();
                self.push(MInst::Insert41 {
                    op: if bits == 64 { 0x09 } else { 0x08 },
                    wide: false,
                    imm: mode,
                    src1: x,
                    src2: x,
                    dst: Writable::from_reg(dst),
                });
                dst
            }
            Opcode::Popcnt if ty == Type::I8X16 && self.flags.has_ssse3 => {
                // Each nibble's count looked up with pshufb, the two halves added.
                let lut = u128::from_le_bytes([0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4]);
                let nibbles = self.xmm_const(MoveKind::V128, splat_bits(8, 0x0f));
                let low = self.packed(PackedOp::And, x, nibbles);
                let four = self.xmm_const(MoveKind::V128, 4);
                let shifted = self.packed(PackedOp::Shr(16), x, four);
                let high = self.packed(PackedOp::And, shifted, nibbles);
                let table = self.xmm_const(MoveKind::V128, lut);
                let low_count = self.packed(PackedOp::Map38(0x00), table, low);
                let table = self.xmm_const(MoveKind::V128, lut);
                let high_count = self.packed(PackedOp::Map38(0x00), table, high);
                self.packed(PackedOp::Add(8), low_count, high_count)
            }
            Opcode::FcvtToUintSat if ty == Type::F32X4 && rty == Type::I32X4 => {
                // maxps with zero as the second operand maps NaN and negative lanes to 0.
                // Below 2^31 cvttps2dq is exact; from 2^31 the lane less 2^31 is
                // converted and 2^31 added back; from 2^32 every bit is set.
                let splat = |v: u128| splat_bits(32, v);
                let zero = self.xmm_const(MoveKind::V128, 0);
                let clean = self.packed(PackedOp::FMax(false), x, zero);
                let low = self.packed(PackedOp::Raw(Some(0xf3), 0x5b), clean, clean);
                let two31 = self.xmm_const(MoveKind::V128, splat(0x4f00_0000));
                let rebased = self.packed(PackedOp::FSub(false), clean, two31);
                let high = self.packed(PackedOp::Raw(Some(0xf3), 0x5b), rebased, rebased);
                let bias = self.xmm_const(MoveKind::V128, splat(0x8000_0000));
                let high = self.packed(PackedOp::Xor, high, bias);
                let big = self.packed(PackedOp::FCmp(false, 2), two31, clean);
                let two32 = self.xmm_const(MoveKind::V128, splat(0x4f80_0000));
                let over = self.packed(PackedOp::FCmp(false, 2), two32, clean);
                let keep = self.packed(PackedOp::AndNot, big, low);
                let put = self.packed(PackedOp::And, big, high);
                let both = self.packed(PackedOp::Or, keep, put);
                self.packed(PackedOp::Or, both, over)
            }
            Opcode::FcvtToSintSat if ty == Type::F32X4 && rty == Type::I32X4 => {
                // NaN lanes to 0, then cvttps2dq (F3 0F 5B), which gives i32::MIN for every
                // lane out of range: flipped to i32::MAX where the input was >= 2^31.
                let ordered = self.packed(PackedOp::FCmp(false, 0), x, x);
                let clean = self.packed(PackedOp::And, x, ordered);
                let converted = self.packed(PackedOp::Raw(Some(0xf3), 0x5b), clean, clean);
                // 2^31 as f32.
                let limit = self.xmm_const(MoveKind::V128, splat_bits(32, 0x4f00_0000));
                let too_big = self.packed(PackedOp::FCmp(false, 2), limit, clean);
                self.packed(PackedOp::Xor, converted, too_big)
            }
            Opcode::Fvdemote => raw(self, true, 0x5a, x, x),
            Opcode::SwidenLow | Opcode::SwidenHigh | Opcode::UwidenLow | Opcode::UwidenHigh
                if bits <= 32 =>
            {
                let high = matches!(op, Opcode::SwidenHigh | Opcode::UwidenHigh);
                // punpckl/h bw, wd, dq (60-62, 68-6A).
                let unpack = (if high { 0x68 } else { 0x60 }) + (bits.trailing_zeros() - 3) as u8;
                let signed = matches!(op, Opcode::SwidenLow | Opcode::SwidenHigh);
                if !signed {
                    let zero = self.xmm_const(MoveKind::V128, 0);
                    raw(self, true, unpack, x, zero)
                } else if bits < 32 {
                    // Each lane doubled, then shifted right arithmetically by a lane.
                    let doubled = raw(self, true, unpack, x, x);
                    let count = self.xmm_const(MoveKind::V128, u128::from(bits));
                    self.packed(PackedOp::Sar(bits as u8 * 2), doubled, count)
                } else {
                    // 32-bit lanes: interleaved with their sign words.
                    let count = self.xmm_const(MoveKind::V128, 31);
                    let signs = self.packed(PackedOp::Sar(32), x, count);
                    raw(self, true, unpack, x, signs)
                }
            }
            _ => return None,
        })
    }

    fn x64_vec_load_extend(
        &mut self,
        op: Opcode,
        ty: Type,
        flags: MemFlags,
        addr: Value,
        offset: i32,
    ) -> Option<Reg> {
        let widen = match op {
            Opcode::Uload8x8 | Opcode::Uload16x4 | Opcode::Uload32x2 => Opcode::UwidenLow,
            Opcode::Sload8x8 | Opcode::Sload16x4 | Opcode::Sload32x2 => Opcode::SwidenLow,
            _ => return None,
        };
        // movsd: the eight bytes into the low quadword.
        let bytes = self.x64_xmm_load(Type::F64, flags, addr, offset);
        // The 128-bit vector of the narrow lanes, whose low half was loaded.
        let half = ty.lane_bits() / 2;
        let narrow = Type::int(half)?.by(128 / half)?;
        self.x64_vec_unary(widen, narrow, ty, bytes)
    }

    fn x64_scalar_to_vector(&mut self, ty: Type, x: Value) -> Reg {
        let lane = ty.lane_type();
        let r = self.put_in_reg(x);
        if lane.is_float() {
            // movss/movsd of the scalar into a zeroed register.
            let zero = self.xmm_const(MoveKind::V128, 0);
            let op = if lane.bits() == 64 {
                PackedOp::MoveLowQuad
            } else {
                PackedOp::Raw(Some(0xf3), 0x10)
            };
            return self.packed(op, zero, r);
        }
        // movd/movq zero the rest of the register; narrow lanes are zero-extended first.
        let src = if lane.bits() < 32 {
            self.zext64(lane, r)
        } else {
            r
        };
        self.gpr_to_xmm(lane.bits() == 64, src)
    }

    fn x64_vec_narrowing(&mut self, op: Opcode, ty: Type, a: Reg, b: Reg) -> Option<Reg> {
        let packed = match (op, ty.lane_bits()) {
            (Opcode::Snarrow, 16) => PackedOp::PackSignedWords,
            (Opcode::Snarrow, 32) => PackedOp::Raw(Some(0x66), 0x6b),
            (Opcode::Unarrow, 16) => PackedOp::Raw(Some(0x66), 0x67),
            (Opcode::Unarrow, 32) if self.flags.has_sse41 => PackedOp::Map38(0x2b),
            (Opcode::Uunarrow, 16 | 32) if self.flags.has_sse41 => {
                // Unsigned inputs: clamped to the narrow maximum (pminuw/pminud), then
                // packed with unsigned saturation, which leaves them unchanged.
                let bits = ty.lane_bits();
                let limit = splat_bits(bits, (1 << (bits / 2)) - 1);
                let limit = self.xmm_const(MoveKind::V128, limit);
                let (min, pack) = if bits == 16 {
                    (PackedOp::Map38(0x3a), PackedOp::Raw(Some(0x66), 0x67))
                } else {
                    (PackedOp::Map38(0x3b), PackedOp::Map38(0x2b))
                };
                let a = self.packed(min, a, limit);
                let b = self.packed(min, b, limit);
                return Some(self.packed(pack, a, b));
            }
            _ => return None,
        };
        Some(self.packed(packed, a, b))
    }

    fn x64_vec_iabs(&mut self, ty: Type, x: Reg) -> Option<Reg> {
        let code = match ty.lane_bits() {
            8 => 0x1c,
            16 => 0x1d,
            32 => 0x1e,
            _ => return None,
        };
        self.flags
            .has_ssse3
            .then(|| self.packed(PackedOp::Map38(code), x, x))
    }

    fn x64_shuffle(&mut self, a: Reg, b: Reg, inst: crate::ir::Inst) -> Option<Reg> {
        if !self.flags.has_ssse3 {
            return None;
        }
        let InstructionData::Shuffle { imm, .. } = self.lower.func.dfg.insts[inst] else {
            return None;
        };
        let mask = self.lower.func.dfg.immediates.get(imm)?.as_slice().to_vec();
        if mask.len() != 16 {
            return None;
        }
        // Each operand shuffled by the lanes it supplies (others zeroed by 0x80), then
        // the two combined.
        let pick = |from_b: bool| {
            let lanes: [u8; 16] = core::array::from_fn(|i| match mask[i] {
                m @ 0..16 if !from_b => m,
                m @ 16..32 if from_b => m - 16,
                _ => 0x80,
            });
            u128::from_le_bytes(lanes)
        };
        let (ma, mb) = (pick(false), pick(true));
        let ma = self.xmm_const(MoveKind::V128, ma);
        let mb = self.xmm_const(MoveKind::V128, mb);
        let from_a = self.packed(PackedOp::Map38(0x00), a, ma);
        let from_b = self.packed(PackedOp::Map38(0x00), b, mb);
        Some(self.packed(PackedOp::Or, from_a, from_b))
    }

    fn x64_vec_fcmp(&mut self, cc: FloatCC, ty: Type, a: Reg, b: Reg) -> Reg {
        use FloatCC::*;
        let d = ty.lane_bits() == 64;
        let cmp =
            |this: &mut Self, pred: u8, x: Reg, y: Reg| this.packed(PackedOp::FCmp(d, pred), x, y);
        match cc {
            Equal => cmp(self, 0, a, b),
            LessThan => cmp(self, 1, a, b),
            LessThanOrEqual => cmp(self, 2, a, b),
            Unordered => cmp(self, 3, a, b),
            NotEqual => cmp(self, 4, a, b),
            Ordered => cmp(self, 7, a, b),
            GreaterThan => cmp(self, 1, b, a),
            GreaterThanOrEqual => cmp(self, 2, b, a),
            // Unordered or ...: the negated ordered predicates.
            UnorderedOrGreaterThan => cmp(self, 6, a, b),
            UnorderedOrGreaterThanOrEqual => cmp(self, 5, a, b),
            UnorderedOrLessThan => cmp(self, 6, b, a),
            UnorderedOrLessThanOrEqual => cmp(self, 5, b, a),
            OrderedNotEqual => {
                let ord = cmp(self, 7, a, b);
                let ne = cmp(self, 4, a, b);
                self.packed(PackedOp::And, ord, ne)
            }
            UnorderedOrEqual => {
                let uno = cmp(self, 3, a, b);
                let eq = cmp(self, 0, a, b);
                self.packed(PackedOp::Or, uno, eq)
            }
        }
    }

    fn x64_vec_imul16(&mut self, a: Reg, b: Reg) -> Reg {
        self.packed(PackedOp::MulLow16, a, b)
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
        self.xmm_const(MoveKind::V128, bits)
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

    fn x64_xmm_load(&mut self, ty: Type, flags: MemFlags, addr: Value, offset: i32) -> Reg {
        if let Err(e) = check_native_endian(flags) {
            self.error.get_or_insert(e);
        }
        if ty == Type::F16 {
            // Exactly two bytes (a wider load could fault past the value).
            let bits = self.x64_load(Type::I16, false, flags, addr, offset);
            return generated::constructor_x64_gpr_to_xmm(self, false, bits);
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

    fn is_i128(&mut self, ty: Type) -> Option<Type> {
        (ty == Type::I128).then_some(ty)
    }

    fn x64_load128(&mut self, flags: MemFlags, addr: Value, offset: i32) -> (Reg, Reg) {
        (
            self.x64_load(Type::I64, false, flags, addr, offset),
            self.x64_load(Type::I64, false, flags, addr, offset.wrapping_add(8)),
        )
    }

    fn imm32_for(&mut self, ty: Type, bits: u64) -> Option<i32> {
        imm32_for(ty, bits)
    }
}
