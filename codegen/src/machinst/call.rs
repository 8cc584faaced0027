//! Call lowering shared by every ISA: one path from a call's arguments to the registers
//! and stack slots its convention wants, and from its results back to registers, used by
//! calls, tail calls, `try_call` and runtime library calls alike. The ISA supplies the
//! few instructions it needs ([`CallInsts`]) and its convention facts ([`AbiSpec`]).

use super::abi::{AbiSpec, ArgLoc, INDIRECT_COPY_BYTES, PtrLoc, SigLocations};
use super::lower::Lower;
use super::reg::{Reg, ValueRegs, Writable};
use super::{CodegenError, MachInst};
use crate::ir::{ArgumentExtension, ExternalName, Inst, LibCall, Signature, Type, Value};
use alloc::boxed::Box;
use alloc::vec::Vec;
use regalloc2::{PReg, PRegSet, RegClass};

/// The registers of a call: arguments in, results out, the rest it may overwrite.
#[derive(Clone, Debug, PartialEq)]
pub struct CallInfo {
    /// Each argument and the register it is passed in.
    pub uses: Vec<(Reg, PReg)>,
    /// Each result and the register it comes back in.
    pub defs: Vec<(Writable<Reg>, PReg)>,
    /// The caller-saved registers not among `defs`.
    pub clobbers: PRegSet,
    /// Bytes of stack arguments the callee pops (a callee-pops convention); the caller
    /// moves its stack pointer back right after the call.
    pub callee_pop: u32,
    /// The call's user stack map: each value's type and offset in bytes in the
    /// stack-slot area.
    pub stack_map: Vec<(Type, u32)>,
}

/// The instructions shared call lowering asks an ISA for.
pub trait CallInsts: MachInst + Sized {
    /// The register class of a register-sized part of type `ty`.
    fn part_class(ty: Type) -> RegClass;
    /// Stores `src`, a part of type `ty`, to the outgoing-argument area `offset` bytes
    /// above the stack pointer.
    fn gen_store_stack_arg(offset: u32, ty: Type, src: Reg) -> Self;
    /// Loads a result part of type `ty` from the outgoing area at `offset` (the return
    /// area), after the call.
    fn gen_load_outgoing(offset: u32, ty: Type, dst: Writable<Reg>) -> Self;
    /// The address of the outgoing area at `offset` (a return area for the callee).
    fn gen_outgoing_addr(offset: u32, dst: Writable<Reg>) -> Self;
    /// `src`, of integer type `ty` narrower than 64 bits, sign- or zero-extended to 64.
    fn gen_extend(signed: bool, ty: Type, src: Reg, dst: Writable<Reg>) -> Self;
    /// The absolute address of `name` into `dst`.
    fn gen_load_ext_name(name: ExternalName, dst: Writable<Reg>) -> Self;
    /// A call through the address in `callee`.
    fn gen_call_indirect(callee: Reg, info: Box<CallInfo>) -> Self;
    /// A call with exception handlers, to `dest` or through the address in `callee`,
    /// ending its block: `normal` is the normal return's block, `handlers` the
    /// handlers' blocks with their `tags` (`None` for the default), in table order.
    fn gen_try_call(
        dest: Option<ExternalName>,
        callee: Option<Reg>,
        info: Box<CallInfo>,
        normal: usize,
        handlers: Vec<usize>,
        tags: Vec<Option<u32>>,
    ) -> Self;
}

/// The memory accesses of a function's own arguments and results that the shared
/// [`lower_args`] and [`lower_return`] ask of an ISA whose addressing reaches the
/// incoming stack arguments and any register plus offset.
pub trait FrameInsts: CallInsts {
    /// A call of `dest`.
    fn gen_call(dest: ExternalName, info: Box<CallInfo>) -> Self;
    /// Loads a part of type `ty` from the incoming stack arguments, `offset` bytes in.
    fn gen_load_incoming(offset: u32, ty: Type, dst: Writable<Reg>) -> Self;
    /// Loads a part of type `ty` from `base` + `offset`.
    fn gen_load_from(ty: Type, dst: Writable<Reg>, base: Reg, offset: u32) -> Self;
    /// Stores `src`, a part of type `ty`, to `base` + `offset`.
    fn gen_store_to(ty: Type, src: Reg, base: Reg, offset: u32) -> Self;
    /// The pseudo-instruction defining registers that arrive in physical ones (the
    /// function's arguments, an exception's payload); it emits nothing.
    fn gen_args(args: Vec<(Writable<Reg>, PReg)>) -> Self;
}

/// Emits the function's incoming arguments (see [`lower_args`]): the argument
/// pseudo-instruction, then the loads.
///
/// # Errors
/// As [`lower_args`].
pub fn emit_args<I: FrameInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    params: &[Reg],
) -> Result<(), CodegenError> {
    let (args, loads) = lower_args::<I, S>(ctx, params)?;
    ctx.vcode.push(I::gen_args(args));
    for l in loads {
        ctx.vcode.push(l);
    }
    Ok(())
}

/// The registers of an exception's payload at a handler, which the unwinder delivers in
/// `regs` (integer registers).
pub fn exception_payload<I: FrameInsts>(ctx: &mut Lower<'_, I>, regs: &[PReg]) -> Vec<Reg> {
    let vregs: Vec<Reg> = regs
        .iter()
        .map(|_| ctx.vcode.alloc_vreg(RegClass::Int))
        .collect();
    let args = vregs
        .iter()
        .zip(regs)
        .map(|(&r, &p)| (Writable::from_reg(r), p))
        .collect();
    ctx.vcode.push(I::gen_args(args));
    vregs
}

/// The function's incoming arguments, `params` being the registers of their parts: the
/// `(register, physical register)` definitions an ISA's argument pseudo-instruction
/// makes (the return area's address first), and the loads to emit after it (stack
/// arguments, and the parts of arguments passed by reference through their address;
/// none for an argument the function never reads).
///
/// # Errors
/// What [`SigLocations::new`] reports.
#[allow(clippy::type_complexity)]
pub fn lower_args<I: FrameInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    params: &[Reg],
) -> Result<(Vec<(Writable<Reg>, PReg)>, Vec<I>), CodegenError> {
    let abi = SigLocations::<S>::new(&ctx.func.signature)?;
    let (mut args, mut loads) = (Vec::new(), Vec::new());
    if let Some(p) = abi.ret_area_ptr {
        args.push((Writable::from_reg(ctx.ret_area_ptr()), p));
    }
    // Whether each part's argument is read (lowering is done: uses are counted).
    let used: Vec<bool> = match ctx.func.layout.entry_block() {
        Some(entry) => ctx
            .func
            .dfg
            .block_params(entry)
            .iter()
            .flat_map(|&v| {
                let parts = super::abi::parts::<S>(&[ctx.func.dfg.value_type(v)]).len();
                core::iter::repeat_n(ctx.is_used(v), parts)
            })
            .collect(),
        None => Vec::new(),
    };
    // The addresses of arguments passed by reference, one per copy.
    let mut ptrs: Vec<(PtrLoc, Reg)> = Vec::new();
    for (i, ((&r, loc), &ty)) in params.iter().zip(&abi.args).zip(&abi.arg_parts).enumerate() {
        let read = used.get(i).copied().unwrap_or(true);
        match *loc {
            ArgLoc::Reg(p) => args.push((Writable::from_reg(r), p)),
            ArgLoc::Stack(_) | ArgLoc::Indirect { .. } if !read => {}
            ArgLoc::Stack(offset) => {
                loads.push(I::gen_load_incoming(offset, ty, Writable::from_reg(r)))
            }
            ArgLoc::Indirect { ptr, offset } => {
                let base = match ptrs.iter().find(|(p, _)| *p == ptr) {
                    Some(&(_, b)) => b,
                    None => {
                        let b = ctx.vcode.alloc_vreg(RegClass::Int);
                        match ptr {
                            PtrLoc::Reg(p) => args.push((Writable::from_reg(b), p)),
                            PtrLoc::Stack(o) => loads.push(I::gen_load_incoming(
                                o,
                                Type::I64,
                                Writable::from_reg(b),
                            )),
                        }
                        ptrs.push((ptr, b));
                        b
                    }
                };
                loads.push(I::gen_load_from(ty, Writable::from_reg(r), base, offset));
            }
        }
    }
    Ok((args, loads))
}

/// The results of `return` `inst`: stored to the return area where the convention puts
/// them (emitted now), and the `(register, physical register)` pairs of the others for
/// the ISA's return instruction.
///
/// # Errors
/// What [`SigLocations::new`] reports; a value without registers.
pub fn lower_return<I: FrameInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    inst: Inst,
) -> Result<Vec<(Reg, PReg)>, CodegenError> {
    let args: Vec<Value> = ctx.func.dfg.inst_args(inst).to_vec();
    let abi = SigLocations::<S>::new(&ctx.func.signature)?;
    let regs = flat_regs(ctx, &args)?;
    let regs = widen_parts(ctx, regs, &abi.ret_parts, &abi.ret_exts);
    let mut rets = Vec::new();
    for ((r, loc), &ty) in regs.into_iter().zip(&abi.rets).zip(&abi.ret_parts) {
        match *loc {
            ArgLoc::Reg(p) => rets.push((r, p)),
            ArgLoc::Stack(offset) => {
                let base = ctx.ret_area_ptr();
                ctx.vcode.push(I::gen_store_to(ty, r, base, offset));
            }
            ArgLoc::Indirect { .. } => unreachable!("results are never by reference"),
        }
    }
    Ok(rets)
}

/// Lowers `call` and `call_indirect` `inst` (its results defined); `false` for other
/// instructions.
///
/// # Errors
/// What [`call_info`] reports; a callee value without a register.
pub fn lower_call<I: FrameInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    inst: Inst,
) -> Result<bool, CodegenError> {
    let dfg = &ctx.func.dfg;
    let (sig, dest, callee, args) = match dfg.insts[inst] {
        crate::ir::InstructionData::Call {
            opcode: crate::ir::Opcode::Call,
            func_ref,
            args,
        } => {
            let ext = &dfg.ext_funcs[func_ref];
            let sig = dfg.signatures[ext.signature].clone();
            let args: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
            (sig, Some(ext.name.clone()), None, args)
        }
        crate::ir::InstructionData::CallIndirect {
            opcode: crate::ir::Opcode::CallIndirect,
            sig_ref,
            args,
        } => {
            let sig = dfg.signatures[sig_ref].clone();
            let all: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
            let callee = ctx.value_reg(all[0])?;
            (sig, None, Some(callee), all[1..].to_vec())
        }
        _ => return Ok(false),
    };
    let (info, loads) = call_info::<I, S>(ctx, inst, &sig, &args)?;
    ctx.vcode.push(match (dest, callee) {
        (Some(dest), _) => I::gen_call(dest, info),
        (None, Some(callee)) => I::gen_call_indirect(callee, info),
        (None, None) => unreachable!("a callee"),
    });
    loads.into_iter().for_each(|l| ctx.vcode.push(l));
    Ok(true)
}

/// Lowers `try_call` or `try_call_indirect` `inst` with successor blocks `targets` (the
/// normal return first): arguments as for a call, results defined by the call and
/// handed to the normal-return edge, then the branch to every edge.
///
/// # Errors
/// What [`try_call_regs`] reports; `inst` not being a `try_call`.
pub fn lower_try_call<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    inst: Inst,
    targets: &[usize],
) -> Result<(), CodegenError> {
    let dfg = &ctx.func.dfg;
    let (sig, dest, callee, args, exception) = match dfg.insts[inst] {
        crate::ir::InstructionData::TryCall {
            func_ref,
            args,
            exception,
            ..
        } => {
            let ext = &dfg.ext_funcs[func_ref];
            let sig = dfg.signatures[ext.signature].clone();
            let args: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
            (sig, Some(ext.name.clone()), None, args, exception)
        }
        crate::ir::InstructionData::TryCallIndirect {
            args, exception, ..
        } => {
            let sig = dfg.signatures[dfg.exception_tables[exception].sig].clone();
            let all: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
            let callee = ctx.value_reg(all[0])?;
            (sig, None, Some(callee), all[1..].to_vec(), exception)
        }
        _ => {
            return Err(CodegenError::Unsupported {
                feature: alloc::format!("{} lowered as a try_call", dfg.insts[inst].opcode()),
            });
        }
    };
    let (info, tags) = try_call_regs::<I, S>(ctx, inst, &sig, &args, exception)?;
    let (normal, handlers) = (targets[0], targets[1..].to_vec());
    ctx.vcode
        .push(I::gen_try_call(dest, callee, info, normal, handlers, tags));
    for (succ, &t) in targets.iter().enumerate() {
        ctx.add_succ(inst, succ, t)?;
    }
    Ok(())
}

/// The offset in the outgoing area of the return area of a call to `abi`: above its
/// stack arguments, at the stack alignment.
pub fn ret_area_offset<S: AbiSpec>(abi: &SigLocations<S>) -> u32 {
    let align = S::stack_align();
    abi.stack_arg_bytes.div_ceil(align) * align
}

/// The registers of `values`, flattened (one per register-sized part).
///
/// # Errors
/// A value without registers (see [`Lower::value_regs`]).
pub fn flat_regs<I: MachInst>(
    ctx: &mut Lower<'_, I>,
    values: &[Value],
) -> Result<Vec<Reg>, CodegenError> {
    let mut out = Vec::new();
    for &v in values {
        out.extend_from_slice(ctx.value_regs(v)?.regs());
    }
    Ok(out)
}

/// `regs`, the parts of values of types `tys`, with each narrow integer whose extension
/// is `uext` or `sext` widened to 64 bits (what the convention's other side may rely on
/// for such a parameter or result).
pub fn widen_parts<I: CallInsts>(
    ctx: &mut Lower<'_, I>,
    regs: Vec<Reg>,
    tys: &[Type],
    exts: &[ArgumentExtension],
) -> Vec<Reg> {
    regs.into_iter()
        .zip(tys.iter().zip(exts))
        .map(|(r, (&ty, &ext))| {
            let signed = match ext {
                ArgumentExtension::Sext => true,
                ArgumentExtension::Uext => false,
                ArgumentExtension::None => return r,
            };
            if !ty.is_scalar_int() || ty.bits() >= 64 {
                return r;
            }
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode
                .push(I::gen_extend(signed, ty, r, Writable::from_reg(dst)));
            dst
        })
        .collect()
}

/// Places the arguments of a call to `abi`: stack arguments are stored into the outgoing
/// area now (which grows to hold them and the return area); the register ones, and the
/// return area's address if the callee needs one, are returned for the call to use. A
/// tail call (`tail`) passes the caller's own return area on.
///
/// # Errors
/// [`CodegenError::Unsupported`] for a tail call needing a return area the caller does
/// not have, or passing arguments by reference; a value without registers.
pub fn call_args<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    abi: &SigLocations<S>,
    args: &[Value],
    tail: bool,
) -> Result<Vec<(Reg, PReg)>, CodegenError> {
    let regs = flat_regs(ctx, args)?;
    let regs = widen_parts(ctx, regs, &abi.arg_parts, &abi.arg_exts);
    place_parts(ctx, abi, regs, tail)
}

/// Places `regs`, the register parts of a call's arguments (widened as the convention
/// says), as [`call_args`] describes. Arguments passed by reference are copied into the
/// outgoing area, above the return area, and their copies' addresses passed.
///
/// # Errors
/// As [`call_args`].
pub fn place_parts<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    abi: &SigLocations<S>,
    regs: Vec<Reg>,
    tail: bool,
) -> Result<Vec<(Reg, PReg)>, CodegenError> {
    let mut uses = Vec::new();
    ctx.vcode.note_outgoing_args(abi.stack_arg_bytes);
    // The copies of arguments passed by reference: where each address goes, and the
    // copy's offset in the outgoing area.
    let copies_base = (ret_area_offset(abi) + abi.ret_area_bytes).div_ceil(8) * 8;
    let mut copies: Vec<(PtrLoc, u32)> = Vec::new();
    for (((r, loc), &ty), &ext) in regs
        .into_iter()
        .zip(&abi.args)
        .zip(&abi.arg_parts)
        .zip(&abi.arg_exts)
    {
        match *loc {
            ArgLoc::Reg(p) => uses.push((r, p)),
            ArgLoc::Stack(offset) => {
                let widened =
                    ext != ArgumentExtension::None && ty.is_scalar_int() && ty.bits() < 64;
                let (offset, ty) = if widened {
                    S::widened_stack_arg(abi.call_conv, offset, ty)
                } else {
                    (offset, ty)
                };
                ctx.vcode.push(I::gen_store_stack_arg(offset, ty, r))
            }
            ArgLoc::Indirect { ptr, offset } => {
                if tail {
                    return Err(CodegenError::Unsupported {
                        feature: alloc::format!(
                            "a tail call passing arguments by reference on {}",
                            S::ISA
                        ),
                    });
                }
                let copy = match copies.iter().find(|(p, _)| *p == ptr) {
                    Some(&(_, c)) => c,
                    None => {
                        let c = copies_base + INDIRECT_COPY_BYTES * copies.len() as u32;
                        copies.push((ptr, c));
                        c
                    }
                };
                ctx.vcode.push(I::gen_store_stack_arg(copy + offset, ty, r));
            }
        }
    }
    if !copies.is_empty() {
        ctx.vcode
            .note_outgoing_args(copies_base + INDIRECT_COPY_BYTES * copies.len() as u32);
    }
    for (ptr, copy) in copies {
        let addr = ctx.vcode.alloc_vreg(RegClass::Int);
        ctx.vcode
            .push(I::gen_outgoing_addr(copy, Writable::from_reg(addr)));
        match ptr {
            PtrLoc::Reg(p) => uses.push((addr, p)),
            PtrLoc::Stack(offset) => {
                ctx.vcode
                    .push(I::gen_store_stack_arg(offset, Type::I64, addr))
            }
        }
    }
    if let Some(p) = abi.ret_area_ptr {
        let addr = if tail {
            if SigLocations::<S>::new(&ctx.func.signature)?
                .ret_area_ptr
                .is_none()
            {
                return Err(CodegenError::Unsupported {
                    feature: "a tail call needing a return area from a function without one".into(),
                });
            }
            ctx.ret_area_ptr()
        } else {
            let offset = ret_area_offset(abi);
            ctx.vcode.note_outgoing_args(offset + abi.ret_area_bytes);
            let dst = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode
                .push(I::gen_outgoing_addr(offset, Writable::from_reg(dst)));
            dst
        };
        uses.push((addr, p));
    }
    Ok(uses)
}

/// The registers of a call's results (one entry per result), the fixed defs behind them,
/// the registers the call clobbers besides those, and the loads of results from the
/// return area to emit after the call.
pub struct CallResults<I> {
    /// The registers of each result.
    pub values: Vec<ValueRegs>,
    /// The results the call defines, in their fixed registers.
    pub defs: Vec<(Writable<Reg>, PReg)>,
    /// What the call clobbers besides `defs`.
    pub clobbers: PRegSet,
    /// Loads of results from the return area, after the call.
    pub loads: Vec<I>,
}

/// The result registers of a call to `abi`: fresh vregs, defined by the call in the
/// return registers or loaded from the return area after it (one per part).
pub fn call_results<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    abi: &SigLocations<S>,
) -> CallResults<I> {
    let mut out = CallResults {
        values: Vec::new(),
        defs: Vec::new(),
        clobbers: abi.call_clobbers(),
        loads: Vec::new(),
    };
    let area = ret_area_offset(abi);
    let mut parts = abi.ret_parts.iter().zip(&abi.rets);
    let mut value_parts = Vec::new();
    for &ret in &abi.ret_types {
        value_parts.clear();
        S::parts(ret, &mut value_parts);
        let mut regs = Vec::with_capacity(value_parts.len());
        for _ in 0..value_parts.len() {
            let (&ty, loc) = parts.next().expect("one location per part");
            let r = ctx.vcode.alloc_vreg(I::part_class(ty));
            match *loc {
                ArgLoc::Reg(p) => out.defs.push((Writable::from_reg(r), p)),
                ArgLoc::Stack(offset) => out.loads.push(I::gen_load_outgoing(
                    area + offset,
                    ty,
                    Writable::from_reg(r),
                )),
                ArgLoc::Indirect { .. } => unreachable!("results are never by reference"),
            }
            regs.push(r);
        }
        out.values.push(match regs[..] {
            [one] => ValueRegs::one(one),
            [lo, hi] => ValueRegs::two(lo, hi),
            _ => unreachable!("a value is one or two parts"),
        });
    }
    out
}

/// The user stack map of call `inst`: each value's type and offset in the stack-slot
/// area.
pub fn stack_map<I: MachInst>(ctx: &Lower<'_, I>, inst: Inst) -> Vec<(Type, u32)> {
    ctx.func
        .user_stack_maps
        .get(&inst)
        .map(|entries| {
            entries
                .iter()
                .map(|e| (e.ty, ctx.stack_slot_offset(e.slot) + e.offset))
                .collect()
        })
        .unwrap_or_default()
}

/// A call's registers: its `CallInfo`, the registers of each result, and the loads of
/// results to emit after it. The caller hands the results on (to the call's values, or
/// to a `try_call`'s normal edge).
pub struct CallRegs<I> {
    /// The call's argument, result and clobbered registers.
    pub info: Box<CallInfo>,
    /// The registers of each result.
    pub values: Vec<ValueRegs>,
    /// Loads of results from the return area, after the call.
    pub loads: Vec<I>,
}

/// The registers of call `inst` to `abi` with arguments `args` (see [`CallRegs`]).
///
/// # Errors
/// What [`call_args`] reports.
pub fn call_regs<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    inst: Inst,
    abi: &SigLocations<S>,
    args: &[Value],
) -> Result<CallRegs<I>, CodegenError> {
    let uses = call_args(ctx, abi, args, false)?;
    let r = call_results(ctx, abi);
    let info = Box::new(CallInfo {
        uses,
        defs: r.defs,
        clobbers: r.clobbers,
        callee_pop: abi.callee_pop_bytes,
        stack_map: stack_map(ctx, inst),
    });
    Ok(CallRegs {
        info,
        values: r.values,
        loads: r.loads,
    })
}

/// The registers of `try_call` `inst` to `sig` with arguments `args` (see
/// [`call_regs`]), its results handed to the normal-return edge
/// ([`Lower::set_try_call_rets`]), and the tags of the handlers of `exception`, in
/// order (`None` for the default).
///
/// # Errors
/// [`CodegenError::Unsupported`] for results in a return area (no loads can follow the
/// call on the exceptional edge's way), and what [`call_regs`] reports.
pub fn try_call_regs<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    inst: Inst,
    sig: &Signature,
    args: &[Value],
    exception: crate::ir::ExceptionTable,
) -> Result<(Box<CallInfo>, Vec<Option<u32>>), CodegenError> {
    let abi = SigLocations::<S>::new(sig)?;
    if abi.ret_area_ptr.is_some() {
        return Err(CodegenError::Unsupported {
            feature: alloc::format!(
                "try_call to a function returning results in a return area on {}",
                S::ISA
            ),
        });
    }
    let mut call = call_regs(ctx, inst, &abi, args)?;
    let mut clobbers = S::exception_clobbers();
    for &(_, p) in &call.info.defs {
        clobbers.remove(p);
    }
    call.info.clobbers = clobbers;
    ctx.set_try_call_rets(inst, call.values);
    let tags = ctx.func.dfg.exception_tables[exception]
        .items
        .iter()
        .filter_map(|item| match item {
            crate::ir::ExceptionTableItem::Tag(tag, _) => Some(Some(tag.as_u32())),
            crate::ir::ExceptionTableItem::Default(_) => Some(None),
            crate::ir::ExceptionTableItem::Context(_) => None,
        })
        .collect();
    Ok((call.info, tags))
}

/// The argument and result registers of call `inst` to a function of signature `sig`,
/// defining its results; returns the call's registers and the loads to emit after it.
///
/// # Errors
/// What [`SigLocations::new`] and [`call_args`] report.
pub fn call_info<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    inst: Inst,
    sig: &Signature,
    args: &[Value],
) -> Result<(Box<CallInfo>, Vec<I>), CodegenError> {
    let abi = SigLocations::<S>::new(sig)?;
    let call = call_regs(ctx, inst, &abi, args)?;
    let results: Vec<Value> = ctx.func.dfg.inst_results(inst).to_vec();
    for (v, regs) in results.into_iter().zip(call.values) {
        ctx.set_result_regs(v, regs);
    }
    Ok((call.info, call.loads))
}

/// Calls runtime library function `lc` (its C signature in the convention `S` calls
/// `conv`, through its absolute address: it may be anywhere in the address space) on
/// `args`, the register parts of its parameters; returns the register parts of its
/// results.
///
/// # Errors
/// [`CodegenError::Unsupported`] for a helper without a C signature, or one whose
/// arguments or results would not all travel in registers.
pub fn libcall<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    lc: LibCall,
    conv: crate::ir::CallConv,
    args: &[Reg],
) -> Result<Vec<Reg>, CodegenError> {
    let unsupported = || CodegenError::Unsupported {
        feature: alloc::format!("a call of {lc} with these arguments on {}", S::ISA),
    };
    let sig = lc.signature(conv).ok_or_else(unsupported)?;
    let abi = SigLocations::<S>::new(&sig)?;

    let callee = ctx.vcode.alloc_vreg(RegClass::Int);
    ctx.vcode.push(I::gen_load_ext_name(
        ExternalName::LibCall(lc),
        Writable::from_reg(callee),
    ));
    if args.len() != abi.arg_parts.len() {
        return Err(unsupported());
    }
    let uses = place_parts(ctx, &abi, args.to_vec(), false)?;
    let r = call_results(ctx, &abi);
    let info = Box::new(CallInfo {
        uses,
        defs: r.defs,
        clobbers: r.clobbers,
        callee_pop: 0,
        stack_map: Vec::new(),
    });
    ctx.vcode.push(I::gen_call_indirect(callee, info));
    for l in r.loads {
        ctx.vcode.push(l);
    }
    Ok(r.values.iter().flat_map(|v| v.regs().to_vec()).collect())
}

/// The operands of `stack_switch store, load, payload` `inst` for an ISA whose switch
/// takes the store and load context pointers and the payload in the fixed registers
/// `regs` (in that order), and returns the other side's payload in the payload's
/// register: the call record (code on the other stack may use any register, so every
/// allocatable one but that is clobbered, and the frame saves the callee-saved ones for
/// this function's caller). The result is defined; the ISA wraps the record in its
/// switch instruction.
///
/// # Errors
/// An argument without a register.
pub fn stack_switch_info<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    inst: Inst,
    regs: [PReg; 3],
) -> Result<Box<CallInfo>, CodegenError> {
    let args = ctx.func.dfg.inst_args(inst).to_vec();
    let mut uses = Vec::with_capacity(3);
    for (v, p) in args.into_iter().zip(regs) {
        uses.push((ctx.value_reg(v)?, p));
    }
    let out = ctx.vcode.alloc_vreg(RegClass::Int);
    let mut clobbers = S::exception_clobbers();
    clobbers.remove(regs[2]);
    let result = ctx.func.dfg.first_result(inst);
    ctx.set_result(result, out);
    Ok(Box::new(CallInfo {
        uses,
        defs: alloc::vec![(Writable::from_reg(out), regs[2])],
        clobbers,
        callee_pop: 0,
        stack_map: Vec::new(),
    }))
}

/// The callee of a tail call: a function by name, or an address in a register.
pub enum TailCallee {
    /// `return_call` of a named function.
    Name(ExternalName),
    /// `return_call_indirect` of an address.
    Reg(Reg),
}

/// A tail call, `return_call` or `return_call_indirect` `inst`: its callee, its register
/// arguments (the stack ones stored by [`call_args`]) and the bytes of its stack
/// arguments; `None` for other instructions.
///
/// # Errors
/// [`CodegenError::Unsupported`] for stack arguments to a caller-pops convention (the
/// callee would leave them to a caller that did not push them); what [`call_args`]
/// reports.
#[allow(clippy::type_complexity)]
pub fn tail_call<I: CallInsts, S: AbiSpec>(
    ctx: &mut Lower<'_, I>,
    inst: Inst,
) -> Result<Option<(TailCallee, Vec<(Reg, PReg)>, u32)>, CodegenError> {
    let dfg = &ctx.func.dfg;
    let (sig, callee, args) = match dfg.insts[inst] {
        crate::ir::InstructionData::Call {
            opcode: crate::ir::Opcode::ReturnCall,
            func_ref,
            args,
        } => {
            let ext = &dfg.ext_funcs[func_ref];
            let args: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
            (
                dfg.signatures[ext.signature].clone(),
                Err(ext.name.clone()),
                args,
            )
        }
        crate::ir::InstructionData::CallIndirect {
            opcode: crate::ir::Opcode::ReturnCallIndirect,
            sig_ref,
            args,
        } => {
            let all: Vec<Value> = args.as_slice(&dfg.value_lists).to_vec();
            (
                dfg.signatures[sig_ref].clone(),
                Ok(all[0]),
                all[1..].to_vec(),
            )
        }
        _ => return Ok(None),
    };
    let abi = SigLocations::<S>::new(&sig)?;
    if abi.stack_arg_bytes > abi.callee_pop_bytes {
        return Err(CodegenError::Unsupported {
            feature: alloc::format!(
                "tail calls with stack arguments to a function of a caller-pops convention \
                 on {}; use `tail`",
                S::ISA
            ),
        });
    }
    let callee = match callee {
        Ok(v) => TailCallee::Reg(ctx.value_reg(v)?),
        Err(name) => TailCallee::Name(name),
    };
    let uses = call_args(ctx, &abi, &args, true)?;
    Ok(Some((callee, uses, abi.stack_arg_bytes)))
}
