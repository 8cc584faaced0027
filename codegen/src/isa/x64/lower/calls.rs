//! Calls, tail calls, `try_call`, function and symbol addresses, TLS and frame registers:
//! argument placement, results, and the return area.

use super::*;
use crate::isa::x64::abi::X64Abi;
use crate::machinst;

/// Lowers calls (through the shared call lowering) and `tls_value`; `false` if `inst` is
/// neither.
pub(super) fn lower_call_like(
    ctx: &mut Lower<'_, MInst>,
    inst: crate::ir::Inst,
    tls_model: crate::settings::TlsModel,
) -> Result<bool, CodegenError> {
    if ctx.func.dfg.insts[inst].opcode() == crate::ir::Opcode::StackSwitch {
        lower_stack_switch(ctx, inst)?;
        return Ok(true);
    }
    if let Some((name, offset)) = ctx.tls_symbol(inst, tls_model, "x86_64")? {
        let result = ctx.func.dfg.first_result(inst);
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
        let dst = if offset == 0 {
            addr
        } else {
            let off = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::MovImm {
                value: offset as u64,
                dst: Writable::from_reg(off),
            });
            let sum = ctx.vcode.alloc_vreg(RegClass::Int);
            ctx.vcode.push(MInst::AddLeaRr {
                size: OperandSize::Size64,
                src1: addr,
                src2: off,
                dst: Writable::from_reg(sum),
            });
            sum
        };
        ctx.set_result(result, dst);
        return Ok(true);
    }
    machinst::call::lower_call::<MInst, X64Abi>(ctx, inst)
}

/// `stack_switch store, load, payload` (see the `stack_switch` form): the two context
/// pointers in RSI and RDX, the payload in RDI both ways.
fn lower_stack_switch(
    ctx: &mut Lower<'_, MInst>,
    inst: crate::ir::Inst,
) -> Result<(), CodegenError> {
    let regs = [Gpr::RSI, Gpr::RDX, Gpr::RDI].map(Gpr::preg);
    let info = machinst::call::stack_switch_info::<MInst, X64Abi>(ctx, inst, regs)?;
    ctx.vcode.push(MInst::StackSwitch { info });
    Ok(())
}

/// The instructions the shared call lowering needs, in x86-64's forms.
impl machinst::call::CallInsts for MInst {
    fn part_class(ty: Type) -> RegClass {
        if is_float(ty) {
            RegClass::Float
        } else {
            RegClass::Int
        }
    }

    fn gen_store_stack_arg(offset: u32, ty: Type, src: Reg) -> MInst {
        MInst::StoreStackArg {
            offset,
            kind: move_kind(ty),
            src,
        }
    }

    fn gen_load_outgoing(offset: u32, ty: Type, dst: Writable<Reg>) -> MInst {
        MInst::LoadOutgoing {
            offset,
            kind: move_kind(ty),
            dst,
        }
    }

    fn gen_outgoing_addr(offset: u32, dst: Writable<Reg>) -> MInst {
        MInst::OutgoingAddr { offset, dst }
    }

    fn gen_extend(signed: bool, ty: Type, src: Reg, dst: Writable<Reg>) -> MInst {
        MInst::Movx {
            signed,
            from: size_of(ty),
            src,
            dst,
        }
    }

    fn gen_load_ext_name(name: crate::ir::ExternalName, dst: Writable<Reg>) -> MInst {
        MInst::LoadExtName {
            name,
            offset: 0,
            colocated: false,
            dst,
        }
    }

    fn gen_call_indirect(callee: Reg, info: alloc::boxed::Box<CallInfo>) -> MInst {
        MInst::CallUnknown { callee, info }
    }

    fn gen_try_call(
        dest: Option<crate::ir::ExternalName>,
        callee: Option<Reg>,
        info: alloc::boxed::Box<CallInfo>,
        normal: usize,
        handlers: alloc::vec::Vec<usize>,
        tags: alloc::vec::Vec<Option<u32>>,
    ) -> MInst {
        match (dest, callee) {
            (Some(dest), _) => MInst::TryCall {
                dest: alloc::boxed::Box::new(dest),
                info,
                normal,
                handlers: handlers.into(),
                tags: tags.into(),
            },
            (None, Some(callee)) => MInst::TryCallInd {
                callee,
                info,
                normal,
                handlers: handlers.into(),
                tags: tags.into(),
            },
            (None, None) => unreachable!("a call has a callee"),
        }
    }
}

/// The frame accesses the shared argument, result and call lowering needs.
impl machinst::call::FrameInsts for MInst {
    fn gen_args(args: alloc::vec::Vec<(Writable<Reg>, regalloc2::PReg)>) -> MInst {
        MInst::Args { args }
    }

    fn gen_call(dest: crate::ir::ExternalName, info: alloc::boxed::Box<CallInfo>) -> MInst {
        MInst::CallKnown { dest, info }
    }

    fn gen_load_incoming(offset: u32, ty: Type, dst: Writable<Reg>) -> MInst {
        MInst::LoadStackArg {
            offset,
            kind: move_kind(ty),
            dst,
        }
    }

    fn gen_load_from(ty: Type, dst: Writable<Reg>, base: Reg, offset: u32) -> MInst {
        let addr = Addr::Reg {
            base,
            disp: offset as i32,
        };
        match move_kind(ty) {
            MoveKind::Int => MInst::LoadRm {
                size: OperandSize::Size64,
                signed: false,
                addr,
                dst,
                trap: None,
            },
            kind => MInst::XmmLoadRm {
                kind,
                addr,
                dst,
                trap: None,
            },
        }
    }

    fn gen_store_to(ty: Type, src: Reg, base: Reg, offset: u32) -> MInst {
        let addr = Addr::Reg {
            base,
            disp: offset as i32,
        };
        match move_kind(ty) {
            // An integer's own bytes: a return area may pack results (`winch`).
            MoveKind::Int => MInst::StoreRm {
                size: match ty.bits() {
                    8 => OperandSize::Size8,
                    16 => OperandSize::Size16,
                    32 => OperandSize::Size32,
                    _ => OperandSize::Size64,
                },
                src,
                addr,
                trap: None,
            },
            kind => MInst::XmmStoreRm {
                kind,
                src,
                addr,
                trap: None,
            },
        }
    }
}
