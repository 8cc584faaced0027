//! Calls, tail calls, `try_call`, function and symbol addresses, TLS and frame registers:
//! argument placement, results, and the return area.

use super::*;

/// The offset in the outgoing area of the return area of a call to `abi`: above its
/// stack arguments, 16-byte aligned.
pub(super) fn ret_area_offset(abi: &SigAbi) -> u32 {
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
pub(super) fn call_args(
    ctx: &mut Lower<'_, MInst>,
    abi: &SigAbi,
    args: &[Value],
    tail: bool,
) -> Result<Vec<(Reg, regalloc2::PReg)>, CodegenError> {
    let regs = flat_regs(ctx, args)?;
    let regs = widen_parts(ctx, regs, &abi.arg_parts, &abi.arg_exts);
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
            if SigAbi::new(&ctx.func.signature)?.ret_area_ptr.is_none() {
                return Err(CodegenError::Unsupported {
                    feature: "a tail call needing a return area from a function without one".into(),
                });
            }
            ctx.ret_area_ptr()
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
pub(super) fn lower_call_like(
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
                    stack_map: Vec::new(),
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
pub(super) struct CallResults {
    /// The registers of each result.
    pub(super) values: Vec<ValueRegs>,
    /// The results the call defines, in their fixed registers.
    pub(super) defs: Vec<(Writable<Reg>, regalloc2::PReg)>,
    /// What the call clobbers besides `defs`.
    pub(super) clobbers: regalloc2::PRegSet,
    /// Loads of results from the return area, after the call.
    pub(super) loads: Vec<MInst>,
}

/// The result registers of a call to `abi`: fresh vregs, defined by the call in the
/// return registers or loaded from the return area after it (two for an `i128`).
pub(super) fn call_results(ctx: &mut Lower<'_, MInst>, abi: &SigAbi) -> CallResults {
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
pub(super) fn call_info(
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
        stack_map: stack_map(ctx, inst),
    });
    Ok((info, r.loads))
}

/// A `try_call`: arguments as for a call, results defined by the call and handed to the
/// normal-return edge, then the branch to every edge.
#[allow(clippy::too_many_arguments)]
pub(super) fn lower_try_call(
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
        stack_map: stack_map(ctx, inst),
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

/// The user stack map of call `inst`: each value's type and offset in the stack-slot
/// area.
fn stack_map(ctx: &Lower<'_, MInst>, inst: crate::ir::Inst) -> Vec<(Type, u32)> {
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

/// Calls runtime library function `lc` (System V, through its absolute address: it may
/// be anywhere in the address space) on `args`, the register parts of its parameters
/// (two for an `i128`); returns the register parts of its results.
///
/// # Errors
/// [`CodegenError::Unsupported`] for a helper without a C signature or one whose
/// arguments would not all travel in registers.
pub(super) fn libcall(
    ctx: &mut Lower<'_, MInst>,
    lc: crate::ir::LibCall,
    args: &[Reg],
) -> Result<Vec<Reg>, CodegenError> {
    let unsupported = || CodegenError::Unsupported {
        feature: alloc::format!("a call of {lc} with these arguments on x86_64"),
    };
    let sig = lc
        .signature(crate::ir::CallConv::SystemV)
        .ok_or_else(unsupported)?;
    let abi = SigAbi::new(&sig)?;
    if args.len() != abi.args.len() || abi.ret_area_ptr.is_some() {
        return Err(unsupported());
    }
    let callee = ctx.vcode.alloc_vreg(RegClass::Int);
    ctx.vcode.push(MInst::LoadExtName {
        name: crate::ir::ExternalName::LibCall(lc),
        offset: 0,
        colocated: false,
        dst: Writable::from_reg(callee),
    });
    let mut uses = Vec::new();
    for (&r, loc) in args.iter().zip(&abi.args) {
        match *loc {
            ArgLoc::Reg(p) => uses.push((r, p)),
            ArgLoc::Stack(_) => return Err(unsupported()),
        }
    }
    let r = call_results(ctx, &abi);
    if !r.loads.is_empty() {
        return Err(unsupported());
    }
    let info = alloc::boxed::Box::new(CallInfo {
        uses,
        defs: r.defs,
        clobbers: r.clobbers,
        callee_pop: 0,
        stack_map: Vec::new(),
    });
    ctx.vcode.push(MInst::CallUnknown { callee, info });
    Ok(r.values.iter().flat_map(|v| v.regs().to_vec()).collect())
}
