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

    fn select_cmp(&mut self, c: Value) -> Option<Value> {
        select_cond(&self.lower.func.dfg, c)
    }

    fn x64_select_cmp(&mut self, cmp: Value, t: Value, f: Value) -> Reg {
        if let Some((cc, a, b, double)) = fcmp_operands(self.lower, cmp) {
            let (a, b) = (self.put_in_reg(a), self.put_in_reg(b));
            let (t, f) = (self.put_in_reg(t), self.put_in_reg(f));
            let dst = self.tmp();
            self.lower.vcode.push(MInst::FcmpSelect {
                double,
                cc,
                a,
                b,
                t,
                f,
                dst: Writable::from_reg(dst),
            });
            return dst;
        }
        let Some((cc, a, b, cty)) = icmp_operands(self.lower, cmp) else {
            unreachable!("matched by select_cmp");
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
        let cmp = MInst::Cmp {
            size: size_of(cty),
            a: lhs,
            b: rhs,
        };
        let cmov = MInst::Cmov {
            cc: cc_of(plan.cond),
            t,
            f,
            dst: Writable::from_reg(dst),
        };
        with_flags(self.lower, cmp, cmov);
        dst
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

    fn has_fma_flag(&mut self, ty: Type) -> Option<Type> {
        self.flags.has_fma.then_some(ty)
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

    fn load_no_offset_arg(&mut self, inst: crate::ir::Inst) -> Option<Value> {
        match self.lower.func.dfg.insts[inst] {
            InstructionData::LoadNoOffset { arg, .. } => Some(arg),
            _ => None,
        }
    }

    fn x64_fconst(&mut self, ty: Type, bits: u64) -> Reg {
        let kind = if ty == Type::F64 {
            MoveKind::F64
        } else {
            MoveKind::F32
        };
        self.xmm_const(kind, u128::from(bits))
    }

    fn x64_xmm_rr(&mut self, op: XmmOp, ty: Type, a: Reg, b: Reg) -> Reg {
        let dst = self.ftmp();
        // With AVX the result may go to a register of its own.
        let three_operand = matches!(
            op,
            XmmOp::Add
                | XmmOp::Sub
                | XmmOp::Mul
                | XmmOp::Div
                | XmmOp::And
                | XmmOp::AndNot
                | XmmOp::Or
                | XmmOp::Xor
        );
        if self.flags.has_avx && three_operand {
            self.push(MInst::XmmRRR {
                op,
                double: ty == Type::F64,
                src1: a,
                src2: b,
                dst: Writable::from_reg(dst),
            });
            return dst;
        }
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
        if self.flags.has_fma {
            let dst = self.ftmp();
            self.push(MInst::Fma {
                double: ty.lane_bits() == 64,
                packed: ty.is_vector(),
                a,
                b,
                c,
                dst: Writable::from_reg(dst),
            });
            return dst;
        }
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
            (
                generated::constructor_x64_extend(self, signed, ity, x),
                true,
            )
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
        // Values in xmm registers; a bitcast between two of them moves no bits (128-bit
        // vectors of any lanes included, little-endian lane order).
        let is_float =
            |t: Type| f32_or_f64(t) || t == Type::F16 || t == Type::F128 || t.is_vector128();
        let is_int = int_le64;
        if is_int(from) && is_float(to) {
            self.gpr_to_xmm(to == Type::F64, x)
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
            stack_map: Vec::new(),
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
        let r = generated::constructor_x64_select128(self, Type::I8, too_big, max, (lo, hi));
        generated::constructor_x64_select128(self, Type::I8, too_small, min, r)
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
            stack_map: Vec::new(),
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
        let mid = generated::constructor_x64_alu128(self, AluOp::Add, (h00, zero), (l01, zero));
        let mid = generated::constructor_x64_alu128(self, AluOp::Add, mid, (l10, zero));
        let hi = generated::constructor_x64_alu128(self, AluOp::Add, (l11, h11), (h01, zero));
        let hi = generated::constructor_x64_alu128(self, AluOp::Add, hi, (h10, zero));
        let hi = generated::constructor_x64_alu128(self, AluOp::Add, hi, (mid.1, zero));
        if !signed {
            return hi;
        }
        // Signed: subtract b if a < 0 and a if b < 0 (mod 2^128).
        let sa = self.shift_imm(ShiftOp::Sar, OperandSize::Size64, a.1, 63);
        let sb = self.shift_imm(ShiftOp::Sar, OperandSize::Size64, b.1, 63);
        let fix_a = generated::constructor_x64_logic128(self, AluOp::And, b, (sa, sa));
        let fix_b = generated::constructor_x64_logic128(self, AluOp::And, a, (sb, sb));
        let hi = generated::constructor_x64_alu128(self, AluOp::Sub, hi, fix_a);
        generated::constructor_x64_alu128(self, AluOp::Sub, hi, fix_b)
    }

    fn x64_divrem128(
        &mut self,
        signed: bool,
        rem: bool,
        a: (Reg, Reg),
        b: (Reg, Reg),
    ) -> (Reg, Reg) {
        // A zero divisor traps.
        let nonzero = generated::constructor_x64_nonzero128(self, b);
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
            let not_m1 = generated::constructor_x64_alu_imm(self, AluOp::Add, Type::I64, ones, 1);
            if rem {
                // x % -1 = 0 = x % 1, without asking the runtime about MIN % -1.
                let one = self.imm64(1);
                let zero = self.imm64(0);
                b = (
                    generated::constructor_x64_select(self, Type::I64, not_m1, b.0, one),
                    generated::constructor_x64_select(self, Type::I64, not_m1, b.1, zero),
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

    fn x64_load128(&mut self, flags: MemFlags, addr: Value, offset: i32) -> (Reg, Reg) {
        (
            self.x64_load(Type::I64, false, flags, addr, offset),
            self.x64_load(Type::I64, false, flags, addr, offset.wrapping_add(8)),
        )
    }

    fn imm32_for(&mut self, ty: Type, bits: u64) -> Option<i32> {
        imm32_for(ty, bits)
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
        self.cmp_setcc(size_of(ty), plan.cond, lhs, rhs)
    }

    fn x64_cmp_setcc(&mut self, ty: Type, cc: IntCC, a: Reg, b: Reg) -> Reg {
        self.cmp_setcc(size_of(ty), cc, a, RegOrImm::Reg(b))
    }
}
