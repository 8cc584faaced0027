//! Calling conventions, the ISA-neutral part: from a signature to where each register-sized
//! part of its arguments and results goes (registers, stack slots, a return area with its
//! hidden pointer, `sret`, `uext`/`sext` widening, callee-popped stack arguments).
//!
//! An ISA states the facts of its conventions in an [`AbiSpec`]: which types it passes,
//! how a type splits into register-sized parts, the placement rules of each convention,
//! and what a call clobbers. [`SigLocations::new`] applies them the same way for every
//! ISA.

use super::CodegenError;
use crate::ir::{AbiParam, ArgumentExtension, ArgumentPurpose, CallConv, Signature, Type};
use alloc::vec::Vec;
use core::marker::PhantomData;
use regalloc2::{PReg, PRegSet};

/// Where a register-sized part of an argument or result goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ArgLoc {
    /// A register.
    Reg(PReg),
    /// For arguments: a stack slot this many bytes above the stack pointer at the call
    /// (so above the return address in the callee). For results: this many bytes into
    /// the return area.
    Stack(u32),
    /// An argument passed by reference (s390x's `i128`): the part lies `offset` bytes
    /// into a copy the caller makes, whose address travels in `ptr`. Every part of the
    /// value names the same `ptr`.
    Indirect {
        /// Where the copy's address goes.
        ptr: PtrLoc,
        /// The part's offset in the copy, in bytes.
        offset: u32,
    },
}

/// Where the address of an argument passed by reference goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PtrLoc {
    /// A register.
    Reg(PReg),
    /// A stack slot, as [`ArgLoc::Stack`].
    Stack(u32),
}

/// The bytes the caller reserves for each copy of an argument passed by reference.
pub const INDIRECT_COPY_BYTES: u32 = 16;

/// The facts of an ISA's calling conventions.
pub trait AbiSpec {
    /// The ISA's name, for messages.
    const ISA: &'static str;

    /// Whether the ISA has convention `conv`.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] naming the convention.
    fn check_conv(conv: CallConv) -> Result<(), CodegenError>;

    /// Whether convention `conv` passes values of `ty` (as an argument or result).
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] naming what is not supported.
    fn check_type(conv: CallConv, ty: Type) -> Result<(), CodegenError>;

    /// The register-sized parts of a value of type `ty`, appended to `out`. By default
    /// an `i128` is two `i64` halves (low first) and every other type one part; an ISA
    /// that keeps `i128` in one register overrides this.
    fn parts(ty: Type, out: &mut Vec<Type>) {
        if ty == Type::I128 {
            out.extend([Type::I64, Type::I64]);
        } else {
            out.push(ty);
        }
    }

    /// Places the parameters of types `types` (whole values, not parts), after a hidden
    /// return-area pointer when `hidden`: one location per part (the pointer first), and
    /// the bytes of the stack-argument area.
    fn place_args(conv: CallConv, types: &[Type], hidden: bool) -> (Vec<ArgLoc>, u32);

    /// Places the results of types `types` (whole values): one location per part
    /// (`Stack` ones in the return area), and the return area's size in bytes.
    fn place_rets(conv: CallConv, types: &[Type]) -> (Vec<ArgLoc>, u32);

    /// Places the results `returns` (of types `types`), for a convention whose placement
    /// depends on more than the types (x86-64's `winch`: on their extensions); by
    /// default [`AbiSpec::place_rets`].
    fn place_rets_of(conv: CallConv, returns: &[AbiParam], types: &[Type]) -> (Vec<ArgLoc>, u32) {
        let _ = returns;
        Self::place_rets(conv, types)
    }

    /// Whether the callee pops its stack arguments (then the area is rounded to the
    /// stack alignment, so tail calls keep it).
    fn callee_pops(conv: CallConv) -> bool;

    /// The stack alignment in bytes.
    fn stack_align() -> u32;

    /// The registers a call of convention `conv` may overwrite.
    fn clobbers(conv: CallConv) -> PRegSet;

    /// The registers a `try_call` may come back from with changed values: every register
    /// the allocator uses, callee-saved ones too, because an unwinder delivering an
    /// exception restores only the stack and frame pointers (the frames it skips never
    /// run their epilogues). So no value stays in a register across a `try_call`, and a
    /// function making one saves every callee-saved register for its own caller.
    fn exception_clobbers() -> PRegSet;

    /// Where a narrow integer argument widened by its `uext`/`sext` goes in its stack
    /// slot at `offset` under convention `conv`, and as what type: by default just its
    /// own bytes; a convention whose callee may read the whole widened slot (s390x,
    /// AAPCS64) stores all 8 bytes.
    fn widened_stack_arg(conv: CallConv, offset: u32, ty: Type) -> (u32, Type) {
        let _ = conv;
        (offset, ty)
    }

    /// The register of an `sret` parameter when the convention gives it one of its own
    /// (aarch64's x8), rather than the place of an ordinary pointer argument.
    fn sret_reg(_conv: CallConv) -> Option<PReg> {
        None
    }
}

/// Where everything of one signature goes, by the rules of `S`.
#[derive(Clone, Debug)]
pub struct SigLocations<S> {
    /// The calling convention.
    pub call_conv: CallConv,
    /// The register-sized parts of the parameters, in order.
    pub arg_parts: Vec<Type>,
    /// Where each parameter part goes.
    pub args: Vec<ArgLoc>,
    /// How each parameter part is widened by the caller (the parts of a split value
    /// never are).
    pub arg_exts: Vec<ArgumentExtension>,
    /// The bytes of the stack-argument area.
    pub stack_arg_bytes: u32,
    /// The bytes of stack arguments the callee pops when it returns.
    pub callee_pop_bytes: u32,
    /// The result types.
    pub ret_types: Vec<Type>,
    /// The register-sized parts of the results.
    pub ret_parts: Vec<Type>,
    /// Where each result part goes (`Stack` offsets are into the return area).
    pub rets: Vec<ArgLoc>,
    /// How each result part is widened by the callee.
    pub ret_exts: Vec<ArgumentExtension>,
    /// The register carrying the return area's address, if the results need one.
    pub ret_area_ptr: Option<PReg>,
    /// The size of the return area in bytes (0 without one).
    pub ret_area_bytes: u32,
    /// The index of the `sret` parameter.
    pub sret: Option<usize>,
    spec: PhantomData<S>,
}

impl<S: AbiSpec> SigLocations<S> {
    /// Assigns the locations of `sig`'s parameters and results.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] for what the ISA's conventions do not pass, and
    /// for `sarg` parameters.
    pub fn new(sig: &Signature) -> Result<SigLocations<S>, CodegenError> {
        let conv = sig.call_conv;
        S::check_conv(conv)?;
        let param_types = checked_types::<S>(conv, &sig.params)?;
        let ret_types = checked_types::<S>(conv, &sig.returns)?;
        let sret = sig
            .params
            .iter()
            .position(|p| p.purpose == ArgumentPurpose::StructReturn);
        let ret_parts = parts::<S>(&ret_types);
        let (rets, ret_area_bytes) = S::place_rets_of(conv, &sig.returns, &ret_types);
        let needs_area = rets.iter().any(|l| matches!(l, ArgLoc::Stack(_)));
        // An `sret` pointer with a register of its own is left out of the placement
        // and put back in that register (unless a return area already uses it).
        let sret_reg = sret.and_then(|_| S::sret_reg(conv)).filter(|_| !needs_area);
        let (mut args, mut stack_arg_bytes) = match (sret, sret_reg) {
            (Some(i), Some(reg)) => {
                let mut others = param_types.clone();
                others.remove(i);
                let (mut args, bytes) = S::place_args(conv, &others, needs_area);
                let part = usize::from(needs_area) + parts::<S>(&param_types[..i]).len();
                args.insert(part, ArgLoc::Reg(reg));
                (args, bytes)
            }
            _ => S::place_args(conv, &param_types, needs_area),
        };
        let callee_pops = S::callee_pops(conv);
        if callee_pops {
            let align = S::stack_align();
            stack_arg_bytes = stack_arg_bytes.div_ceil(align) * align;
        }
        let ret_area_ptr = needs_area.then(|| match args.remove(0) {
            ArgLoc::Reg(p) => p,
            ArgLoc::Stack(_) | ArgLoc::Indirect { .. } => {
                unreachable!("the hidden pointer is the first argument, in a register")
            }
        });
        Ok(SigLocations {
            call_conv: conv,
            arg_parts: parts::<S>(&param_types),
            args,
            arg_exts: part_extensions::<S>(&sig.params),
            stack_arg_bytes,
            callee_pop_bytes: if callee_pops { stack_arg_bytes } else { 0 },
            ret_types,
            ret_parts,
            rets,
            ret_exts: part_extensions::<S>(&sig.returns),
            ret_area_ptr,
            ret_area_bytes: if needs_area { ret_area_bytes } else { 0 },
            sret,
            spec: PhantomData,
        })
    }

    /// The registers a call to this signature may overwrite, except those carrying its
    /// results.
    pub fn call_clobbers(&self) -> PRegSet {
        let mut set = S::clobbers(self.call_conv);
        for l in &self.rets {
            if let ArgLoc::Reg(p) = l {
                set.remove(*p);
            }
        }
        set
    }
}

/// Places result parts `parts` in order: each in the next of `int_regs` or, for a part
/// `is_float` says goes in a float register, of `float_regs`; when those run out, in
/// 8-byte slots of the return area (16-byte aligned ones for 128-bit parts). Returns the
/// locations and the area's size, rounded to 16 bytes.
pub fn place_rets_in_order(
    parts: &[Type],
    int_regs: &[PReg],
    float_regs: &[PReg],
    is_float: impl Fn(Type) -> bool,
) -> (Vec<ArgLoc>, u32) {
    let (mut ints, mut floats, mut area) = (int_regs.iter(), float_regs.iter(), 0u32);
    let out = parts
        .iter()
        .map(|&ty| {
            let reg = if is_float(ty) {
                floats.next()
            } else {
                ints.next()
            };
            match reg {
                Some(&p) => ArgLoc::Reg(p),
                None => {
                    let size = if ty.bits() == 128 { 16 } else { 8 };
                    area = area.div_ceil(size) * size + size;
                    ArgLoc::Stack(area - size)
                }
            }
        })
        .collect();
    (out, area.div_ceil(16) * 16)
}

/// Winch's result placement of `parts` (the convention of Wasmtime's baseline
/// compiler): the last in `int_reg`, or `float_reg` when `is_float` says so; the others
/// in the return area at their own sizes, unaligned, when `packed` (else in aligned
/// slots of at least 8 bytes), then mirrored so the first is at the highest offset.
/// Returns the locations and the area's size in bytes (a multiple of 16).
pub fn place_winch_rets(
    parts: &[Type],
    packed: bool,
    int_reg: PReg,
    float_reg: PReg,
    is_float: impl Fn(Type) -> bool,
) -> (Vec<ArgLoc>, u32) {
    let mut next = 0u32;
    let mut slots = Vec::with_capacity(parts.len());
    for (i, &ty) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            let reg = if is_float(ty) { float_reg } else { int_reg };
            slots.push((ArgLoc::Reg(reg), 0));
            continue;
        }
        let size = if packed {
            ty.bytes()
        } else {
            let size = ty.bytes().max(8);
            next = next.div_ceil(size) * size;
            size
        };
        slots.push((ArgLoc::Stack(next), size));
        next += size;
    }
    let locs = slots
        .into_iter()
        .map(|(loc, size)| match loc {
            ArgLoc::Stack(offset) => ArgLoc::Stack(next - offset - size),
            other => other,
        })
        .collect();
    (locs, next.div_ceil(16) * 16)
}

/// The areas of a function's frame every ISA has, from the stack pointer up: outgoing
/// call arguments, spill slots, stack slots; and the callee-saved registers the code
/// writes, which the ISA's prologue saves (where and how is the ISA's choice, as are
/// the frame pointer and return address above).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameAreas {
    /// Bytes of outgoing call arguments at the stack pointer (rounded to the stack
    /// alignment).
    pub outgoing_args: u32,
    /// Bytes of spill slots above them (rounded likewise).
    pub spill_slots: u32,
    /// Bytes of the stack-slot area above those (rounded likewise).
    pub stack_slots: u32,
    /// The callee-saved registers of the convention that the code writes, in the
    /// convention's order.
    pub clobbered_callee_saves: Vec<PReg>,
}

impl FrameAreas {
    /// The areas for `spill_slots` slots of `slot_size` bytes, `stack_slot_bytes` of stack
    /// slots and `outgoing_bytes` of call arguments, each rounded up to `align` bytes; the
    /// registers of `callee_saved` found in `written` need saving.
    pub fn new(
        callee_saved: &[PReg],
        written: PRegSet,
        spill_slots: u32,
        slot_size: u32,
        stack_slot_bytes: u32,
        outgoing_bytes: u32,
        align: u32,
    ) -> FrameAreas {
        let round = |x: u32| x.div_ceil(align) * align;
        FrameAreas {
            outgoing_args: round(outgoing_bytes),
            spill_slots: round(spill_slots * slot_size),
            stack_slots: round(stack_slot_bytes),
            clobbered_callee_saves: callee_saved
                .iter()
                .copied()
                .filter(|&p| written.contains(p))
                .collect(),
        }
    }

    /// The bytes of the three areas together.
    pub fn size(&self) -> u32 {
        self.outgoing_args + self.spill_slots + self.stack_slots
    }

    /// The stack-pointer-relative offset of byte `offset` of the stack-slot area.
    pub fn stack_slot_offset(&self, offset: i32) -> i32 {
        (self.outgoing_args + self.spill_slots) as i32 + offset
    }

    /// The stack-pointer-relative offset of spill slot `index` of `slot_size` bytes.
    pub fn spill_slot_offset(&self, index: u32, slot_size: u32) -> i32 {
        (self.outgoing_args + index * slot_size) as i32
    }
}

/// The register-sized parts of values of `types`.
pub fn parts<S: AbiSpec>(types: &[Type]) -> Vec<Type> {
    let mut out = Vec::with_capacity(types.len());
    for &t in types {
        S::parts(t, &mut out);
    }
    out
}

/// The widening of each register-sized part of `params` (the parts of a value split in
/// several are never widened).
fn part_extensions<S: AbiSpec>(params: &[crate::ir::AbiParam]) -> Vec<ArgumentExtension> {
    let mut out = Vec::with_capacity(params.len());
    let mut p_parts = Vec::new();
    for p in params {
        p_parts.clear();
        S::parts(p.value_type, &mut p_parts);
        if p_parts.len() == 1 {
            out.push(p.extension);
        } else {
            out.extend(p_parts.iter().map(|_| ArgumentExtension::None));
        }
    }
    out
}

/// The value types of `params`, checked to be ones the convention passes.
fn checked_types<S: AbiSpec>(
    conv: CallConv,
    params: &[crate::ir::AbiParam],
) -> Result<Vec<Type>, CodegenError> {
    params
        .iter()
        .map(|p| {
            if let ArgumentPurpose::StructArgument(n) = p.purpose {
                return Err(CodegenError::Unsupported {
                    feature: alloc::format!("struct arguments (sarg({n})) on {}", S::ISA),
                });
            }
            S::check_type(conv, p.value_type)?;
            Ok(p.value_type)
        })
        .collect()
}

/// A signature of convention `conv` with plain parameters and results of the given
/// types, for the ISAs' ABI tests.
#[cfg(test)]
pub(crate) fn test_signature(conv: CallConv, params: &[Type], returns: &[Type]) -> Signature {
    let mut s = Signature::new(conv);
    s.params = params.iter().map(|&t| AbiParam::new(t)).collect();
    s.returns = returns.iter().map(|&t| AbiParam::new(t)).collect();
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::AbiParam;
    use alloc::string::ToString;

    /// A convention with two integer argument registers (r0, r1), one result register
    /// (r0), 8-byte stack slots; `i128` in two parts (the default); `tail` pops its
    /// arguments.
    #[derive(Debug)]
    struct Two;

    fn r(i: usize) -> PReg {
        PReg::new(i, regalloc2::RegClass::Int)
    }

    impl AbiSpec for Two {
        const ISA: &'static str = "two";
        fn check_conv(conv: CallConv) -> Result<(), CodegenError> {
            match conv {
                CallConv::SystemV | CallConv::Tail => Ok(()),
                other => Err(CodegenError::Unsupported {
                    feature: alloc::format!("{other} on two"),
                }),
            }
        }
        fn check_type(_: CallConv, ty: Type) -> Result<(), CodegenError> {
            if ty.is_scalar_int() {
                Ok(())
            } else {
                Err(CodegenError::Unsupported {
                    feature: alloc::format!("{ty} on two"),
                })
            }
        }
        fn place_args(_: CallConv, types: &[Type], hidden: bool) -> (Vec<ArgLoc>, u32) {
            let mut all = Vec::new();
            if hidden {
                all.push(Type::I64);
            }
            all.extend(parts::<Two>(types));
            let locs: Vec<ArgLoc> = all
                .iter()
                .enumerate()
                .map(|(i, _)| match i {
                    0 | 1 => ArgLoc::Reg(r(i)),
                    _ => ArgLoc::Stack(8 * (i as u32 - 2)),
                })
                .collect();
            let stack = 8 * all.len().saturating_sub(2) as u32;
            (locs, stack)
        }
        fn place_rets(_: CallConv, types: &[Type]) -> (Vec<ArgLoc>, u32) {
            let parts = parts::<Self>(types);
            let locs = (0..parts.len())
                .map(|i| match i {
                    0 => ArgLoc::Reg(r(0)),
                    _ => ArgLoc::Stack(8 * (i as u32 - 1)),
                })
                .collect();
            (locs, 8 * parts.len().saturating_sub(1) as u32)
        }
        fn callee_pops(conv: CallConv) -> bool {
            conv == CallConv::Tail
        }
        fn stack_align() -> u32 {
            16
        }
        fn clobbers(_: CallConv) -> PRegSet {
            let mut set = PRegSet::empty();
            set.add(r(0));
            set.add(r(1));
            set
        }
        fn exception_clobbers() -> PRegSet {
            Self::clobbers(CallConv::SystemV)
        }
    }

    fn sig(conv: CallConv, params: &[AbiParam], returns: &[Type]) -> Signature {
        let mut s = Signature::new(conv);
        s.params = params.to_vec();
        s.returns = returns.iter().map(|&t| AbiParam::new(t)).collect();
        s
    }

    #[test]
    fn placement_return_area_and_widening_follow_the_spec() {
        let narrow = AbiParam::new(Type::I8).sext();
        let params = [narrow, AbiParam::new(Type::I128), AbiParam::new(Type::I32)];
        // Two results: the second goes to a return area, whose pointer takes r0.
        let l = SigLocations::<Two>::new(&sig(CallConv::SystemV, &params, &[Type::I64, Type::I32]))
            .unwrap();
        assert_eq!(l.ret_area_ptr, Some(r(0)));
        assert_eq!(l.ret_area_bytes, 8);
        assert_eq!(l.arg_parts, [Type::I8, Type::I64, Type::I64, Type::I32]);
        assert_eq!(
            l.args,
            [
                ArgLoc::Reg(r(1)),
                ArgLoc::Stack(0),
                ArgLoc::Stack(8),
                ArgLoc::Stack(16)
            ]
        );
        // The narrow argument is widened; the halves of the i128 never are.
        assert_eq!(
            l.arg_exts,
            [
                ArgumentExtension::Sext,
                ArgumentExtension::None,
                ArgumentExtension::None,
                ArgumentExtension::None
            ]
        );
        assert_eq!((l.stack_arg_bytes, l.callee_pop_bytes), (24, 0));
        // Results in registers are not clobbered by the call.
        assert!(!l.call_clobbers().contains(r(0)) && l.call_clobbers().contains(r(1)));
        // `tail` pops its stack arguments, the area rounded to the stack alignment.
        let t = SigLocations::<Two>::new(&sig(CallConv::Tail, &params, &[])).unwrap();
        assert_eq!((t.stack_arg_bytes, t.callee_pop_bytes), (16, 16));
    }

    #[test]
    fn unsupported_conventions_types_and_struct_arguments_are_typed_errors() {
        let e = SigLocations::<Two>::new(&sig(CallConv::WindowsFastcall, &[], &[])).unwrap_err();
        assert!(e.to_string().contains("windows_fastcall"), "{e}");
        let f32 = [AbiParam::new(Type::F32)];
        let e = SigLocations::<Two>::new(&sig(CallConv::SystemV, &f32, &[])).unwrap_err();
        assert!(e.to_string().contains("f32"), "{e}");
        let mut sarg = AbiParam::new(Type::I64);
        sarg.purpose = ArgumentPurpose::StructArgument(16);
        let e = SigLocations::<Two>::new(&sig(CallConv::SystemV, &[sarg], &[])).unwrap_err();
        assert!(e.to_string().contains("(sarg(16)) on two"), "{e}");
    }
    /// The shared frame areas: each rounded to the alignment, stacked from the stack
    /// pointer up (outgoing arguments, spill slots, stack slots), and the callee-saved
    /// registers the code writes picked in the convention's order.
    #[test]
    fn frame_areas_round_stack_and_pick_written_saves() {
        let callee_saved = [r(5), r(3), r(4)];
        let mut written = PRegSet::empty();
        written.add(r(4));
        written.add(r(5));
        written.add(r(0));
        let a = FrameAreas::new(&callee_saved, written, 3, 8, 20, 8, 16);
        assert_eq!(
            (a.outgoing_args, a.spill_slots, a.stack_slots),
            (16, 32, 32)
        );
        assert_eq!(a.size(), 80);
        assert_eq!(a.clobbered_callee_saves, [r(5), r(4)]);
        assert_eq!(a.spill_slot_offset(2, 8), 16 + 16);
        assert_eq!(a.stack_slot_offset(4), 16 + 32 + 4);
    }
}

/// How the prologue computes a function's stack limit: from `base`, apply `steps`.
#[derive(Clone, Debug, PartialEq)]
pub struct StackLimit {
    /// Where the chain starts (the `vmctx` parameter).
    pub base: LimitBase,
    /// Loads and additions, in order.
    pub steps: Vec<LimitStep>,
}

/// The start of a stack-limit computation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LimitBase {
    /// An argument register.
    Reg(PReg),
    /// An incoming stack argument, this many bytes into the caller's argument area.
    StackArg(u32),
}

/// One step of a stack-limit computation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LimitStep {
    /// Load 64 bits from this displacement off the current value.
    Load(i32),
    /// Add this displacement.
    Add(i32),
}

impl StackLimit {
    /// How to compute the stack limit `gv` of `func` in the prologue: from the `vmctx`
    /// parameter's location by `S`'s convention, through loads and constant additions.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] for other global values (symbols, TLS) or offsets
    /// that do not fit 32 bits.
    pub fn of<S: AbiSpec>(
        func: &crate::ir::FunctionStencil,
        gv: crate::ir::GlobalValue,
    ) -> Result<StackLimit, CodegenError> {
        use crate::ir::GlobalValueData;
        let unsupported = |what: &str| CodegenError::Unsupported {
            feature: alloc::format!("a stack_limit computed from {what} on {}", S::ISA),
        };
        match &func.global_values[gv] {
            GlobalValueData::VMContext => {
                let sig = &func.signature;
                let index = sig
                    .params
                    .iter()
                    .position(|p| p.purpose == ArgumentPurpose::VMContext)
                    .ok_or_else(|| unsupported("vmctx without a vmctx parameter"))?;
                let mut before = Vec::new();
                for p in &sig.params[..index] {
                    S::parts(p.value_type, &mut before);
                }
                let base = match SigLocations::<S>::new(sig)?.args[before.len()] {
                    ArgLoc::Reg(p) if p.class() == regalloc2::RegClass::Int => LimitBase::Reg(p),
                    ArgLoc::Reg(_) => return Err(unsupported("a float vmctx")),
                    ArgLoc::Stack(off) => LimitBase::StackArg(off),
                    ArgLoc::Indirect { .. } => return Err(unsupported("a vmctx by reference")),
                };
                Ok(StackLimit {
                    base,
                    steps: Vec::new(),
                })
            }
            GlobalValueData::Load { base, offset, .. } => {
                let mut chain = StackLimit::of::<S>(func, *base)?;
                chain.steps.push(LimitStep::Load(offset.bytes()));
                Ok(chain)
            }
            GlobalValueData::IAddImm { base, offset, .. } => {
                let mut chain = StackLimit::of::<S>(func, *base)?;
                let disp =
                    i32::try_from(offset.bits()).map_err(|_| unsupported("a 64-bit offset"))?;
                chain.steps.push(LimitStep::Add(disp));
                Ok(chain)
            }
            _ => Err(unsupported("a symbol")),
        }
    }
}
