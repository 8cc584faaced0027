//! What every ISA's ISLE lowering context shares: the Rust side of the terms
//! `prelude.isle` and `prelude_lower.isle` declare `extern` (taking instructions apart,
//! putting values in registers, runtime library calls), and the helpers they use.
//!
//! Each ISA's ISLE program generates its own `Context` trait, so the shared terms are a
//! macro expanded inside each ISA's `impl Context`: `isle_lower_prelude_methods!`. The
//! context itself ([`IsleCtx`]), running an entry point ([`run_isle`]) and choosing one by
//! the shape of an instruction's results ([`lower_by_shape`]) are the same for all.

use crate::ir::{DataFlowGraph, Inst, InstructionData, Opcode, Type, Value};
use crate::machinst::CodegenError;
use crate::machinst::lower::{Lower, LowerBackend};
use crate::machinst::reg::{Reg, ValueRegs};
use alloc::vec::Vec;

/// Whether `ty` is a scalar integer of at most 64 bits: what one general register holds.
pub fn int_le64(ty: Type) -> bool {
    ty.is_scalar_int() && ty.bits() <= 64
}

/// The 128 bits of a vector whose every `lane_bits`-bit lane holds `v`.
pub fn splat_bits(lane_bits: u32, v: u128) -> u128 {
    (0..128 / lane_bits).fold(0, |acc, i| acc | v << (i * lane_bits))
}

/// The low bound of a conversion from float type `fty` to integer type `ty` (Cranelift's
/// trapping `fcvt_to_*int`), as the float's bits, and whether values equal to it are out
/// of range too: the integer minimum less one when the float type holds it exactly
/// (`<=`), else the minimum itself (`<`); -1 for unsigned targets (`<=`).
pub fn fcvt_low_bound(fty: Type, ty: Type, signed: bool) -> (u64, bool) {
    let (value, inclusive) = if !signed {
        (-1.0, true)
    } else {
        let min = -pow2(ty.bits() - 1);
        let mantissa = match fty {
            Type::F128 => 113,
            Type::F64 => 53,
            _ => 24,
        };
        if ty.bits() < mantissa {
            (min - 1.0, true)
        } else {
            (min, false)
        }
    };
    (float_bits(fty, value), inclusive)
}

/// The high bound of a conversion from `fty` to `ty` as the float's bits: values at or
/// above it are out of range (2^bits, or 2^(bits-1) for signed targets).
pub fn fcvt_high_bound(fty: Type, ty: Type, signed: bool) -> u64 {
    float_bits(fty, pow2(ty.bits() - u32::from(signed)))
}

/// 2^n as an f64 (exact; `n` at most 1023).
fn pow2(n: u32) -> f64 {
    f64::from_bits(u64::from(1023 + n) << 52)
}

/// The bits of `value` as a float of type `fty` (f32 or f64; for f128, the f64 bits of
/// the same value, which the ISA lengthens).
fn float_bits(fty: Type, value: f64) -> u64 {
    if fty == Type::F64 || fty == Type::F128 {
        value.to_bits()
    } else {
        u64::from((value as f32).to_bits())
    }
}

/// The low bits of `k` that integer type `ty` holds.
pub fn truncate(ty: Type, k: u64) -> u64 {
    if ty.bits() >= 64 {
        k
    } else {
        k & ((1u64 << ty.bits()) - 1)
    }
}

/// `k`, a constant of integer type `ty`, sign-extended to 64 bits.
pub fn sext(ty: Type, k: u64) -> i64 {
    let shift = 64 - ty.bits().min(64);
    ((k << shift) as i64) >> shift
}

/// The largest value of integer type `ty`, signed or not, zero-extended to 64 bits.
pub fn int_max(ty: Type, signed: bool) -> u64 {
    if signed {
        (1u64 << (ty.bits() - 1)) - 1
    } else {
        truncate(ty, u64::MAX)
    }
}

/// The smallest signed value of integer type `ty`, sign-extended to 64 bits.
pub fn int_min(ty: Type) -> u64 {
    (-(1i64 << (ty.bits() - 1))) as u64
}

/// The bits of `v` if an `f32const` or `f64const` defines it.
pub fn float_const_bits(dfg: &DataFlowGraph, v: Value) -> Option<u64> {
    let inst = dfg.value_def(dfg.resolve_aliases(v)).inst()?;
    match dfg.insts[inst] {
        InstructionData::UnaryIeee32 { imm, .. } => Some(u64::from(imm.bits())),
        InstructionData::UnaryIeee64 { imm, .. } => Some(imm.bits()),
        _ => None,
    }
}

/// The operand of the `uextend`/`sextend` defining `v`, if one does (extensions keep
/// whether a value is zero, which is what conditions test).
pub fn extended(dfg: &DataFlowGraph, v: Value) -> Option<Value> {
    match dfg.insts[dfg.value_def(v).inst()?] {
        InstructionData::Unary {
            opcode: Opcode::Uextend | Opcode::Sextend,
            arg,
        } => Some(dfg.resolve_aliases(arg)),
        _ => None,
    }
}

/// `v` with every `uextend`/`sextend` that defines it looked through.
pub fn strip_all_extends(dfg: &DataFlowGraph, v: Value) -> Value {
    let mut v = dfg.resolve_aliases(v);
    while let Some(inner) = extended(dfg, v) {
        v = inner;
    }
    v
}

/// The context an ISA's generated ISLE rules run in: the lowering state, the ISA's
/// lowering backend (its flags and options) and the first error a term ran into (the
/// term then returns a placeholder register). Each ISA implements its generated
/// `Context` trait on `IsleCtx<'_, '_, ItsBackend>`.
pub struct IsleCtx<'a, 'f, B: LowerBackend> {
    /// The lowering state.
    pub lower: &'a mut Lower<'f, B::MInst>,
    /// The ISA's lowering backend.
    pub isa: &'a B,
    /// The first error a term ran into.
    pub error: Option<CodegenError>,
}

/// Runs an ISLE entry point `term` for `inst` on a fresh context.
///
/// # Errors
/// The first error a term ran into, or [`CodegenError::UnsupportedOpcode`] naming the
/// ISA when no rule matched.
pub fn run_isle<B: LowerBackend, T>(
    isa: &B,
    ctx: &mut Lower<'_, B::MInst>,
    inst: Inst,
    term: impl FnOnce(&mut IsleCtx<'_, '_, B>) -> Option<T>,
) -> Result<T, CodegenError> {
    let mut isle = IsleCtx {
        lower: ctx,
        isa,
        error: None,
    };
    let out = term(&mut isle);
    if let Some(e) = isle.error {
        return Err(e);
    }
    out.ok_or_else(|| ctx.unsupported(inst, isa.name()))
}

/// The entry points of an ISA's lowering rules by the shape of an instruction's results
/// (each runs the generated constructor of that name); [`lower_by_shape`] picks one.
pub trait IsleLowering: LowerBackend + Sized {
    /// An instruction without results (`lower_effect`).
    fn lower_effect(isle: &mut IsleCtx<'_, '_, Self>, inst: Inst) -> Option<()>;
    /// One result in one register (`lower`).
    fn lower_value(isle: &mut IsleCtx<'_, '_, Self>, inst: Inst) -> Option<Reg>;
    /// One `i128` result in two registers, low half first (`lower_i128`).
    fn lower_i128(isle: &mut IsleCtx<'_, '_, Self>, inst: Inst) -> Option<(Reg, Reg)>;
    /// Two results of one register each (`lower_pair`).
    fn lower_pair(isle: &mut IsleCtx<'_, '_, Self>, inst: Inst) -> Option<(Reg, Reg)>;
    /// An `i128` and a flag: the halves, then the flag (`lower_i128_overflow`).
    fn lower_i128_overflow(isle: &mut IsleCtx<'_, '_, Self>, inst: Inst) -> Option<Vec<Reg>>;
}

/// Implements [`IsleLowering`] for `$backend` with the entry points of the ISA's
/// generated ISLE module `$generated` (`lower_effect`, `lower`, `lower_i128`,
/// `lower_pair`, `lower_i128_overflow`).
#[macro_export]
#[doc(hidden)]
macro_rules! isle_lowering_entries {
    ($backend:ty, $generated:path) => {
        impl $crate::machinst::isle::IsleLowering for $backend {
            fn lower_effect(
                isle: &mut $crate::machinst::isle::IsleCtx<'_, '_, Self>,
                inst: $crate::ir::Inst,
            ) -> Option<()> {
                use $generated as g;
                g::constructor_lower_effect(isle, inst)
            }

            fn lower_value(
                isle: &mut $crate::machinst::isle::IsleCtx<'_, '_, Self>,
                inst: $crate::ir::Inst,
            ) -> Option<$crate::machinst::reg::Reg> {
                use $generated as g;
                g::constructor_lower(isle, inst)
            }

            fn lower_i128(
                isle: &mut $crate::machinst::isle::IsleCtx<'_, '_, Self>,
                inst: $crate::ir::Inst,
            ) -> Option<($crate::machinst::reg::Reg, $crate::machinst::reg::Reg)> {
                use $generated as g;
                g::constructor_lower_i128(isle, inst)
            }

            fn lower_pair(
                isle: &mut $crate::machinst::isle::IsleCtx<'_, '_, Self>,
                inst: $crate::ir::Inst,
            ) -> Option<($crate::machinst::reg::Reg, $crate::machinst::reg::Reg)> {
                use $generated as g;
                g::constructor_lower_pair(isle, inst)
            }

            fn lower_i128_overflow(
                isle: &mut $crate::machinst::isle::IsleCtx<'_, '_, Self>,
                inst: $crate::ir::Inst,
            ) -> Option<alloc::vec::Vec<$crate::machinst::reg::Reg>> {
                use $generated as g;
                g::constructor_lower_i128_overflow(isle, inst)
            }
        }
    };
}

/// Lowers `inst` (not a call or branch) through the entry point of its results' shape,
/// recording the registers of its results.
///
/// # Errors
/// As [`run_isle`]; an instruction of another shape is unsupported.
pub fn lower_by_shape<B: IsleLowering>(
    isa: &B,
    ctx: &mut Lower<'_, B::MInst>,
    inst: Inst,
) -> Result<(), CodegenError> {
    let results = ctx.func.dfg.inst_results(inst);
    let types: Vec<Type> = results
        .iter()
        .map(|&v| ctx.func.dfg.value_type(v))
        .collect();
    let results = results.to_vec();
    match (results.as_slice(), types.as_slice()) {
        ([], _) => run_isle(isa, ctx, inst, |isle| B::lower_effect(isle, inst)),
        (&[r0, r1], &[Type::I128, _]) => {
            let regs = run_isle(isa, ctx, inst, |isle| B::lower_i128_overflow(isle, inst))?;
            ctx.set_result_regs(r0, ValueRegs::two(regs[0], regs[1]));
            ctx.set_result(r1, regs[2]);
            Ok(())
        }
        (&[r0, r1], _) => {
            let (a, b) = run_isle(isa, ctx, inst, |isle| B::lower_pair(isle, inst))?;
            ctx.set_result(r0, a);
            ctx.set_result(r1, b);
            Ok(())
        }
        (&[r], &[Type::I128]) => {
            let (lo, hi) = run_isle(isa, ctx, inst, |isle| B::lower_i128(isle, inst))?;
            ctx.set_result_regs(r, ValueRegs::two(lo, hi));
            Ok(())
        }
        (&[r], _) => {
            let reg = run_isle(isa, ctx, inst, |isle| B::lower_value(isle, inst))?;
            ctx.set_result(r, reg);
            Ok(())
        }
        _ => Err(ctx.unsupported(inst, isa.name())),
    }
}

/// Implements the lowering prelude's extern terms inside an ISA's
/// `impl generated::Context for ...`: `$inst` is the ISA's machine instruction and
/// `$abi` its [`crate::machinst::abi::AbiSpec`] (for `libcall`). The context type must
/// have the fields `lower: &mut Lower<$inst>` and `error: Option<CodegenError>` (the
/// first error a term ran into; the term then returns a placeholder register).
#[macro_export]
#[doc(hidden)]
macro_rules! isle_lower_prelude_methods {
    ($inst:ty, $abi:ty) => {
        fn unit(&mut self) {}

        fn box_inst(&mut self, inst: $inst) -> alloc::boxed::Box<$inst> {
            alloc::boxed::Box::new(inst)
        }

        fn value_type(&mut self, v: $crate::ir::Value) -> $crate::ir::Type {
            self.lower.func.dfg.value_type(v)
        }

        fn ty_bits_le64(&mut self, ty: $crate::ir::Type) -> Option<u32> {
            $crate::machinst::isle::int_le64(ty).then(|| ty.bits())
        }

        fn u64_to_u128(&mut self, x: u64) -> u128 {
            u128::from(x)
        }

        fn float_ty(&mut self, ty: $crate::ir::Type) -> Option<$crate::ir::Type> {
            (ty == $crate::ir::Type::F32 || ty == $crate::ir::Type::F64).then_some(ty)
        }

        fn reg_pair(
            &mut self,
            a: $crate::machinst::reg::Reg,
            b: $crate::machinst::reg::Reg,
        ) -> ($crate::machinst::reg::Reg, $crate::machinst::reg::Reg) {
            (a, b)
        }

        fn put_in_pair(
            &mut self,
            v: $crate::ir::Value,
        ) -> ($crate::machinst::reg::Reg, $crate::machinst::reg::Reg) {
            match self.lower.value_regs(v).map(|r| r.regs().to_vec()) {
                Ok(regs) if regs.len() == 2 => (regs[0], regs[1]),
                Ok(_) => {
                    self.error
                        .get_or_insert($crate::machinst::CodegenError::Unsupported {
                            feature: "a narrow value where i128 is expected".into(),
                        });
                    (
                        self.lower.vcode.alloc_vreg(regalloc2::RegClass::Int),
                        self.lower.vcode.alloc_vreg(regalloc2::RegClass::Int),
                    )
                }
                Err(e) => {
                    self.error.get_or_insert(e);
                    (
                        self.lower.vcode.alloc_vreg(regalloc2::RegClass::Int),
                        self.lower.vcode.alloc_vreg(regalloc2::RegClass::Int),
                    )
                }
            }
        }

        fn pair_lo(
            &mut self,
            p: ($crate::machinst::reg::Reg, $crate::machinst::reg::Reg),
        ) -> $crate::machinst::reg::Reg {
            p.0
        }

        fn pair_hi(
            &mut self,
            p: ($crate::machinst::reg::Reg, $crate::machinst::reg::Reg),
        ) -> $crate::machinst::reg::Reg {
            p.1
        }

        fn is_i128(&mut self, ty: $crate::ir::Type) -> Option<$crate::ir::Type> {
            (ty == $crate::ir::Type::I128).then_some(ty)
        }

        fn def_inst(&mut self, v: $crate::ir::Value) -> Option<$crate::ir::Inst> {
            let dfg = &self.lower.func.dfg;
            dfg.value_def(dfg.resolve_aliases(v)).inst()
        }

        fn inst_opcode(&mut self, inst: $crate::ir::Inst) -> $crate::ir::Opcode {
            self.lower.func.dfg.insts[inst].opcode()
        }

        fn result_type(&mut self, inst: $crate::ir::Inst) -> Option<$crate::ir::Type> {
            let dfg = &self.lower.func.dfg;
            dfg.inst_results(inst).first().map(|&v| dfg.value_type(v))
        }

        fn fits_in_64(&mut self, ty: $crate::ir::Type) -> Option<$crate::ir::Type> {
            $crate::machinst::isle::int_le64(ty).then_some(ty)
        }

        fn put_in_reg(&mut self, v: $crate::ir::Value) -> $crate::machinst::reg::Reg {
            match self.lower.value_reg(v) {
                Ok(r) => r,
                Err(e) => {
                    self.error.get_or_insert(e);
                    self.lower.vcode.alloc_vreg(regalloc2::RegClass::Int)
                }
            }
        }

        fn load_args(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::MemFlags, $crate::ir::Value, i32)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::Load {
                    flags, arg, offset, ..
                } => Some((flags, arg, offset.bytes())),
                _ => None,
            }
        }

        fn stack_slot_args(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::StackSlot, i32)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::StackLoad {
                    stack_slot, offset, ..
                } => Some((stack_slot, offset.bytes())),
                _ => None,
            }
        }

        fn int_add_trap(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::Value, $crate::ir::Value, $crate::ir::TrapCode)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::IntAddTrap {
                    args: [a, b], code, ..
                } => Some((a, b, code)),
                _ => None,
            }
        }

        fn float_compare(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::FloatCC, $crate::ir::Value, $crate::ir::Value)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::FloatCompare {
                    cond, args: [a, b], ..
                } => Some((cond, a, b)),
                _ => None,
            }
        }

        fn f32_bits(&mut self, inst: $crate::ir::Inst) -> Option<u64> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::UnaryIeee32 { imm, .. } => Some(u64::from(imm.bits())),
                _ => None,
            }
        }

        fn f16_bits(&mut self, inst: $crate::ir::Inst) -> Option<u64> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::UnaryIeee16 { imm, .. } => Some(u64::from(imm.bits())),
                _ => None,
            }
        }

        fn f64_bits(&mut self, inst: $crate::ir::Inst) -> Option<u64> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::UnaryIeee64 { imm, .. } => Some(imm.bits()),
                _ => None,
            }
        }

        fn unary(&mut self, inst: $crate::ir::Inst) -> Option<$crate::ir::Value> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::Unary { arg, .. } => Some(arg),
                _ => None,
            }
        }

        fn ternary(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::Value, $crate::ir::Value, $crate::ir::Value)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::Ternary {
                    args: [a, b, c], ..
                } => Some((a, b, c)),
                _ => None,
            }
        }

        fn unary_imm(&mut self, inst: $crate::ir::Inst) -> Option<u64> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::UnaryImm { imm, .. } => Some(imm.bits() as u64),
                _ => None,
            }
        }

        fn binary_args(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::Value, $crate::ir::Value)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::Binary { args: [a, b], .. }
                | $crate::ir::InstructionData::Shuffle { args: [a, b], .. } => Some((a, b)),
                _ => None,
            }
        }

        fn int_compare(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::IntCC, $crate::ir::Value, $crate::ir::Value)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::IntCompare {
                    cond, args: [a, b], ..
                } => Some((cond, a, b)),
                _ => None,
            }
        }

        fn store_args(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<(
            $crate::ir::MemFlags,
            $crate::ir::Value,
            $crate::ir::Value,
            i32,
        )> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::Store {
                    flags,
                    args: [v, a],
                    offset,
                    ..
                } => Some((flags, v, a, offset.bytes())),
                _ => None,
            }
        }

        fn store_no_offset_args(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::MemFlags, $crate::ir::Value, $crate::ir::Value)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::StoreNoOffset {
                    flags,
                    args: [v, a],
                    ..
                } => Some((flags, v, a)),
                _ => None,
            }
        }

        fn atomic_rmw_args(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<(
            $crate::ir::MemFlags,
            $crate::ir::AtomicRmwOp,
            $crate::ir::Value,
            $crate::ir::Value,
        )> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::AtomicRmw {
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
            inst: $crate::ir::Inst,
        ) -> Option<(
            $crate::ir::MemFlags,
            $crate::ir::Value,
            $crate::ir::Value,
            $crate::ir::Value,
        )> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::AtomicCas {
                    flags,
                    args: [a, e, r],
                    ..
                } => Some((flags, a, e, r)),
                _ => None,
            }
        }

        fn load_no_offset_flags(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::MemFlags, $crate::ir::Value)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::LoadNoOffset { flags, arg, .. } => Some((flags, arg)),
                _ => None,
            }
        }

        fn cond_trap_args(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::Value, $crate::ir::TrapCode)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::CondTrap { arg, code, .. } => Some((arg, code)),
                _ => None,
            }
        }

        fn lane_args(&mut self, inst: $crate::ir::Inst) -> Option<($crate::ir::Value, u8)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::BinaryImm8 { arg, imm, .. } => Some((arg, imm)),
                _ => None,
            }
        }

        fn lane_args2(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::Value, $crate::ir::Value, u8)> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::TernaryImm8 {
                    args: [v, x], imm, ..
                } => Some((v, x, imm)),
                _ => None,
            }
        }

        fn const_data(&mut self, inst: $crate::ir::Inst) -> Option<u128> {
            let dfg = &self.lower.func.dfg;
            let $crate::ir::InstructionData::UnaryConst { constant, .. } = dfg.insts[inst] else {
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

        fn bitcast_moves_no_bytes(
            &mut self,
            flags: $crate::ir::MemFlags,
            from: $crate::ir::Type,
            to: $crate::ir::Type,
        ) -> bool {
            use $crate::ir::Endianness::Little;
            flags.endianness(Little) == Little || from.lane_bits() == to.lane_bits()
        }

        fn shuffle_imm(&mut self, inst: $crate::ir::Inst) -> Option<u128> {
            let dfg = &self.lower.func.dfg;
            let $crate::ir::InstructionData::Shuffle { imm, .. } = dfg.insts[inst] else {
                return None;
            };
            let mask: [u8; 16] = dfg.immediates.get(imm)?.as_slice().try_into().ok()?;
            Some(u128::from_le_bytes(mask))
        }

        fn load_no_offset_arg(&mut self, inst: $crate::ir::Inst) -> Option<$crate::ir::Value> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::LoadNoOffset { arg, .. } => Some(arg),
                _ => None,
            }
        }

        fn emit(&mut self, inst: $inst) {
            self.lower.vcode.push(inst);
        }

        fn writable_to_reg(
            &mut self,
            r: $crate::machinst::reg::Writable<$crate::machinst::reg::Reg>,
        ) -> $crate::machinst::reg::Reg {
            r.to_reg()
        }

        fn libcall(
            &mut self,
            lc: $crate::ir::LibCall,
            args: alloc::vec::Vec<$crate::machinst::reg::Reg>,
        ) -> alloc::vec::Vec<$crate::machinst::reg::Reg> {
            match $crate::machinst::call::libcall::<$inst, $abi>(
                self.lower,
                lc,
                $crate::ir::CallConv::SystemV,
                &args,
            ) {
                Ok(rets) => rets,
                Err(e) => {
                    self.error.get_or_insert(e);
                    alloc::vec![
                        self.lower.vcode.alloc_vreg(regalloc2::RegClass::Int),
                        self.lower.vcode.alloc_vreg(regalloc2::RegClass::Int)
                    ]
                }
            }
        }

        fn regs1(
            &mut self,
            a: $crate::machinst::reg::Reg,
        ) -> alloc::vec::Vec<$crate::machinst::reg::Reg> {
            alloc::vec![a]
        }

        fn regs2(
            &mut self,
            a: $crate::machinst::reg::Reg,
            b: $crate::machinst::reg::Reg,
        ) -> alloc::vec::Vec<$crate::machinst::reg::Reg> {
            alloc::vec![a, b]
        }

        fn regs3(
            &mut self,
            a: $crate::machinst::reg::Reg,
            b: $crate::machinst::reg::Reg,
            c: $crate::machinst::reg::Reg,
        ) -> alloc::vec::Vec<$crate::machinst::reg::Reg> {
            alloc::vec![a, b, c]
        }

        fn regs4(
            &mut self,
            a: $crate::machinst::reg::Reg,
            b: $crate::machinst::reg::Reg,
            c: $crate::machinst::reg::Reg,
            d: $crate::machinst::reg::Reg,
        ) -> alloc::vec::Vec<$crate::machinst::reg::Reg> {
            alloc::vec![a, b, c, d]
        }

        fn regs_first(
            &mut self,
            r: alloc::vec::Vec<$crate::machinst::reg::Reg>,
        ) -> $crate::machinst::reg::Reg {
            r[0]
        }

        fn regs_pair(
            &mut self,
            r: alloc::vec::Vec<$crate::machinst::reg::Reg>,
        ) -> ($crate::machinst::reg::Reg, $crate::machinst::reg::Reg) {
            (r[0], r[1])
        }

        fn float_sign_bit(&mut self, ty: $crate::ir::Type) -> u128 {
            // The top bit of every lane (a scalar is one lane).
            let w = ty.lane_bits();
            (1..=ty.lane_count()).fold(0, |m, i| m | 1 << (w * i - 1))
        }

        fn lane_is_64(&mut self, ty: $crate::ir::Type) -> bool {
            ty.lane_bits() == 64
        }

        fn ty_is_vector(&mut self, ty: $crate::ir::Type) -> bool {
            ty.is_vector()
        }

        fn intcc_swap_args(&mut self, cc: $crate::ir::IntCC) -> $crate::ir::IntCC {
            cc.swap_args()
        }

        fn strip_extends(&mut self, v: $crate::ir::Value) -> $crate::ir::Value {
            let mut v = self.lower.func.dfg.resolve_aliases(v);
            while let Some(inner) = $crate::machinst::isle::extended(&self.lower.func.dfg, v) {
                v = inner;
            }
            v
        }

        fn vec128(&mut self, ty: $crate::ir::Type) -> Option<$crate::ir::Type> {
            ty.is_vector128().then_some(ty)
        }

        fn vec_lanes_of(&mut self, ty: $crate::ir::Type) -> Option<u8> {
            ty.is_vector128().then(|| ty.lane_bits() as u8)
        }

        fn vec_int_lanes(&mut self, ty: $crate::ir::Type) -> Option<u8> {
            (ty.is_vector128() && ty.is_int()).then(|| ty.lane_bits() as u8)
        }

        fn vec_float_lanes(&mut self, ty: $crate::ir::Type) -> Option<u8> {
            // f32 and f64 lanes: no ISA here computes on f16 or f128 lanes.
            (ty.is_vector128() && ty.is_float() && matches!(ty.lane_bits(), 32 | 64))
                .then(|| ty.lane_bits() as u8)
        }

        fn lane_type(&mut self, ty: $crate::ir::Type) -> $crate::ir::Type {
            ty.lane_type()
        }

        fn lane_bits(&mut self, ty: $crate::ir::Type) -> u8 {
            ty.lane_bits() as u8
        }

        fn lane_is_float(&mut self, ty: $crate::ir::Type) -> bool {
            ty.lane_type().is_float()
        }

        fn splat_bits(&mut self, bits: u8, value: u64) -> u128 {
            $crate::machinst::isle::splat_bits(u32::from(bits), u128::from(value))
        }

        fn lane_sign_mask(&mut self, ty: $crate::ir::Type) -> u128 {
            let bits = ty.lane_bits();
            $crate::machinst::isle::splat_bits(bits, 1 << (bits - 1))
        }

        fn lane_quiet_nan(&mut self, ty: $crate::ir::Type) -> u128 {
            let quiet = if ty.lane_bits() == 64 {
                0x7ff8_0000_0000_0000
            } else {
                0x7fc0_0000
            };
            $crate::machinst::isle::splat_bits(ty.lane_bits(), quiet)
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

        fn u128_from_u8(&mut self, v: u8) -> u128 {
            u128::from(v)
        }

        fn low_ones(&mut self, n: u8) -> u64 {
            u64::MAX >> (64 - u32::from(n.clamp(1, 64)))
        }

        fn u64_from_u8(&mut self, v: u8) -> u64 {
            u64::from(v)
        }

        fn u8_sub(&mut self, a: u8, b: u8) -> u8 {
            a.wrapping_sub(b)
        }

        fn u8_add(&mut self, a: u8, b: u8) -> u8 {
            a.wrapping_add(b)
        }

        fn u8_lt(&mut self, a: u8, b: u8) -> bool {
            a < b
        }

        fn u128_byte(&mut self, v: u128, i: u8) -> u8 {
            (v >> (8 * u32::from(i & 15))) as u8
        }

        fn sink_inst(&mut self, inst: $crate::ir::Inst) {
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

        fn brif_cond(&mut self, inst: $crate::ir::Inst) -> Option<$crate::ir::Value> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::Brif { arg, .. } => Some(arg),
                _ => None,
            }
        }

        fn single_use_extends(&mut self, v: $crate::ir::Value) -> Option<$crate::ir::Value> {
            let mut v = self.lower.func.dfg.resolve_aliases(v);
            let mut single = self.lower.use_count(v) == 1;
            while let Some(inner) = $crate::machinst::isle::extended(&self.lower.func.dfg, v) {
                v = inner;
                single &= self.lower.use_count(v) == 1;
            }
            single.then_some(v)
        }

        fn ty_bits(&mut self, ty: $crate::ir::Type) -> u8 {
            ty.bits() as u8
        }

        fn truncate_to_type(&mut self, ty: $crate::ir::Type, bits: u64) -> u64 {
            if ty.bits() >= 64 {
                bits
            } else {
                bits & ((1u64 << ty.bits()) - 1)
            }
        }

        fn little_endian(&mut self, flags: $crate::ir::MemFlags) -> bool {
            flags.endianness($crate::ir::Endianness::Little) == $crate::ir::Endianness::Little
        }

        fn stack_slot_disp(&mut self, ss: $crate::ir::StackSlot, offset: i32) -> i32 {
            (self.lower.stack_slot_offset(ss) as i32).wrapping_add(offset)
        }

        fn single_use(&mut self, v: $crate::ir::Value) -> Option<$crate::ir::Value> {
            (self.lower.use_count(v) == 1).then_some(v)
        }

        fn fconst_value(&mut self, v: $crate::ir::Value) -> Option<u64> {
            $crate::machinst::isle::float_const_bits(&self.lower.func.dfg, v)
        }

        fn br_table_index(&mut self, inst: $crate::ir::Inst) -> Option<$crate::ir::Value> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::BranchTable { arg, .. } => Some(arg),
                _ => None,
            }
        }

        fn trap_code(&mut self, inst: $crate::ir::Inst) -> Option<$crate::ir::TrapCode> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::Trap { code, .. } => Some(code),
                _ => None,
            }
        }

        fn func_addr_name(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::ExternalName, bool)> {
            let dfg = &self.lower.func.dfg;
            match dfg.insts[inst] {
                $crate::ir::InstructionData::FuncAddr { func_ref, .. } => {
                    let ext = &dfg.ext_funcs[func_ref];
                    Some((ext.name.clone(), ext.colocated))
                }
                _ => None,
            }
        }

        fn symbol_value_data(
            &mut self,
            inst: $crate::ir::Inst,
        ) -> Option<($crate::ir::ExternalName, i64, bool)> {
            let $crate::ir::InstructionData::UnaryGlobalValue { global_value, .. } =
                self.lower.func.dfg.insts[inst]
            else {
                return None;
            };
            match &self.lower.func.global_values[global_value] {
                $crate::ir::GlobalValueData::Symbol {
                    name,
                    offset,
                    colocated,
                    tls: false,
                } => Some((name.clone(), offset.bits(), *colocated)),
                _ => None,
            }
        }

        fn handler_target(&mut self, inst: $crate::ir::Inst) -> Option<usize> {
            match self.lower.func.dfg.insts[inst] {
                $crate::ir::InstructionData::ExceptionHandlerAddress { block, imm, .. } => {
                    self.lower.edge_block(block, 1 + imm as usize)
                }
                _ => None,
            }
        }
    };
}

/// The `Type` constants the ISLE preludes declare `extern const`, defined in an ISA's
/// generated lowering module (the generated code names them bare).
#[macro_export]
macro_rules! isle_type_consts {
    () => {
        $crate::isle_type_consts!(
            I8 I16 I32 I64 I128 F16 F32 F64 F128 I8X16 I16X8 I32X4 I64X2 F32X4 F64X2 F16X8
        );
    };
    ($($name:ident)*) => {
        $(
            #[allow(dead_code)]
            const $name: $crate::ir::Type = $crate::ir::Type::$name;
        )*
    };
}
