//! Running functions: frames, control flow, memory access, calls and exceptions.

use crate::bits::{lane, mask, sext, with_lane};
use crate::ops::{self, Fail, Inputs};
use crate::{InterpError, Interpreter};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use gantry_codegen::entity::EntityRef;
use gantry_codegen::ir::instructions::{BlockArg, BlockCall, ExceptionTableItem, InstructionData};
use gantry_codegen::ir::memflags::Endianness;
use gantry_codegen::ir::{
    AbiParam, ArgumentExtension, ArgumentPurpose, AtomicRmwOp, Block, ExternalName, FuncRef,
    Function, GlobalValue, GlobalValueData, Inst, LibCall, MemFlags, Opcode, TrapCode, Type, Value,
};

/// Why a call stopped early.
pub enum Stop {
    /// An error that ends the outermost call.
    Error(InterpError),
    /// An exception in flight, with its tag and payloads.
    Throw {
        /// The tag `%__cranelift_throw` was given.
        tag: u32,
        /// The two payload values.
        payloads: [u128; 2],
    },
}

impl From<InterpError> for Stop {
    fn from(e: InterpError) -> Stop {
        Stop::Error(e)
    }
}

impl From<TrapCode> for Stop {
    fn from(t: TrapCode) -> Stop {
        Stop::Error(InterpError::Trap(t))
    }
}

impl From<Fail> for Stop {
    fn from(f: Fail) -> Stop {
        Stop::Error(f.into())
    }
}

fn unsupported(what: impl Into<alloc::string::String>) -> Stop {
    Stop::Error(InterpError::Unsupported { what: what.into() })
}

/// Where functions' addresses (`func_addr`) start; function `i` is at `FUNC_BASE + 16 i`.
const FUNC_BASE: u128 = 0x5000_0000_0000;

/// Where library functions' addresses start, in the order of `LibCall::ALL`.
const LIBCALL_BASE: u128 = 0x5100_0000_0000;

/// The address of `%__cranelift_throw`.
const THROW_ADDRESS: u128 = 0x5200_0000_0000;

/// A fake return address for a frame at call depth `depth`.
fn return_address(depth: u32) -> u128 {
    0x5300_0000_0000 + 16 * u128::from(depth)
}

/// What an instruction does to control.
enum Control {
    /// Go on with the next instruction.
    Next,
    /// Continue in a block with these parameter values.
    Jump(Block, Vec<u128>),
    /// Return these values.
    Return(Vec<u128>),
    /// Replace the frame with a call of function `.0` with arguments `.1`.
    Tail(usize, Vec<u128>),
}

/// What a call resolves to.
#[derive(Clone, Copy)]
enum Callee {
    /// One of the interpreter's functions.
    Func(usize),
    /// A runtime library function.
    LibCall(LibCall),
    /// `%__cranelift_throw`.
    Throw,
}

/// One active function.
struct Frame<'a> {
    func: &'a Function,
    vals: Vec<u128>,
    slots: Vec<u64>,
    vmctx: u128,
    fp: u64,
}

impl Frame<'_> {
    fn get(&self, v: Value) -> u128 {
        self.vals[self.func.dfg.resolve_aliases(v).index()]
    }
}

impl<'a> Interpreter<'a> {
    /// Runs function `index` with `args` (tail calls replace it); returns its results.
    pub(crate) fn run(&mut self, mut index: usize, mut args: Vec<u128>) -> Result<Vec<u128>, Stop> {
        if self.depth >= self.max_depth {
            return Err(TrapCode::STACK_OVERFLOW.into());
        }
        self.depth += 1;
        let result = loop {
            let top = self.memory.sp();
            let r = self.run_frame(self.funcs[index], args);
            self.memory.pop_to(top);
            match r {
                Ok(Control::Tail(i, a)) => (index, args) = (i, a),
                Ok(Control::Return(v)) => {
                    break Ok(extend(&self.funcs[index].signature.returns, v));
                }
                Ok(_) => unreachable!("a frame ends in a return or a tail call"),
                Err(e) => break Err(e),
            }
        };
        self.depth -= 1;
        result
    }

    /// [`Interpreter::run`] for a call from interpreted code: with `std`, on a host stack
    /// extended as needed, so the call depth limit, not the host, bounds recursion.
    fn run_nested(&mut self, index: usize, args: Vec<u128>) -> Result<Vec<u128>, Stop> {
        #[cfg(feature = "std")]
        {
            stacker::maybe_grow(256 << 10, 4 << 20, || self.run(index, args))
        }
        #[cfg(not(feature = "std"))]
        {
            self.run(index, args)
        }
    }

    fn run_frame(&mut self, func: &'a Function, args: Vec<u128>) -> Result<Control, Stop> {
        // The frame record: the caller's frame address and a return address.
        let fp = self.memory.push(16, 16)?;
        self.memory.write(fp, 8, u128::from(self.fp))?;
        self.memory.write(fp + 8, 8, return_address(self.depth))?;
        // A function with an `sret` parameter returns its value as well (as System V and
        // the other ABIs do), for callers whose signature declares it.
        let sret = func
            .signature
            .params
            .iter()
            .position(|p| p.purpose == ArgumentPurpose::StructReturn)
            .and_then(|i| args.get(i).copied());
        let caller_fp = core::mem::replace(&mut self.fp, fp);
        let r = self.run_body(func, args, fp);
        self.fp = caller_fp;
        match (r, sret) {
            (Ok(Control::Return(v)), Some(p)) if v.is_empty() => Ok(Control::Return(vec![p])),
            (r, _) => r,
        }
    }

    fn run_body(&mut self, func: &'a Function, args: Vec<u128>, fp: u64) -> Result<Control, Stop> {
        let mut slots = Vec::with_capacity(func.sized_stack_slots.len());
        for (_, data) in func.sized_stack_slots.iter() {
            slots.push(
                self.memory
                    .push(data.size as usize, 1 << data.align_shift)?,
            );
        }
        let entry = func
            .layout
            .entry_block()
            .ok_or_else(|| unsupported("a function without blocks"))?;
        let params = func.dfg.block_params(entry);
        if params.len() != args.len() {
            return Err(InterpError::BadArguments(format!(
                "{} arguments for {} parameters",
                args.len(),
                params.len()
            ))
            .into());
        }
        let vmctx = func
            .signature
            .params
            .iter()
            .position(|p| p.purpose == ArgumentPurpose::VMContext)
            .map_or(0, |i| args[i]);
        let mut fr = Frame {
            func,
            vals: vec![0; func.dfg.num_values()],
            slots,
            vmctx,
            fp,
        };
        let mut block = entry;
        let mut incoming = args;
        loop {
            for (&p, v) in func.dfg.block_params(block).iter().zip(incoming) {
                fr.vals[p.index()] = v & mask(func.dfg.value_type(p).bits());
            }
            let mut next = None;
            for inst in func.layout.block_insts(block) {
                self.steps += 1;
                if self.steps > self.step_limit {
                    return Err(InterpError::Timeout.into());
                }
                match self.step(&mut fr, inst)? {
                    Control::Next => {}
                    Control::Jump(b, a) => {
                        next = Some((b, a));
                        break;
                    }
                    end => return Ok(end),
                }
            }
            (block, incoming) = next.ok_or_else(|| unsupported("a block without a terminator"))?;
        }
    }

    /// The values a block call passes (`rets`: a `try_call`'s results, `exn`: the
    /// exception payloads).
    fn block_args(fr: &Frame<'_>, call: &BlockCall, rets: &[u128], exn: &[u128]) -> Vec<u128> {
        call.args(&fr.func.dfg.value_lists)
            .map(|a| match a {
                BlockArg::Value(v) => fr.get(v),
                BlockArg::TryCallRet(i) => rets.get(i as usize).copied().unwrap_or(0),
                BlockArg::TryCallExn(i) => exn.get(i as usize).copied().unwrap_or(0),
            })
            .collect()
    }

    fn step(&mut self, fr: &mut Frame<'a>, inst: Inst) -> Result<Control, Stop> {
        let func = fr.func;
        let dfg = &func.dfg;
        let data = &dfg.insts[inst];
        let op = data.opcode();
        let arg_values = dfg.inst_args(inst);
        let args: Vec<u128> = arg_values.iter().map(|&v| fr.get(v)).collect();
        let arg_tys: Vec<Type> = arg_values.iter().map(|&v| dfg.value_type(v)).collect();
        let results = dfg.inst_results(inst);
        let res_tys: Vec<Type> = results.iter().map(|&v| dfg.value_type(v)).collect();
        let inputs = Inputs {
            data,
            dfg,
            args: &args,
            arg_tys: &arg_tys,
            res_tys: &res_tys,
        };
        if let Some(vals) = ops::eval(op, &inputs)? {
            for (i, &r) in results.iter().enumerate() {
                fr.vals[r.index()] = vals[i] & mask(res_tys[i].bits());
            }
            return Ok(Control::Next);
        }
        let set = |fr: &mut Frame<'_>, vals: &[u128]| {
            for (i, &r) in results.iter().enumerate() {
                fr.vals[r.index()] = vals.get(i).copied().unwrap_or(0) & mask(res_tys[i].bits());
            }
        };
        use Opcode as O;
        match *data {
            InstructionData::Jump { destination, .. } => Ok(Control::Jump(
                destination.block,
                Self::block_args(fr, &destination, &[], &[]),
            )),
            InstructionData::Brif { blocks, .. } => {
                let target = &blocks[usize::from(args[0] == 0)];
                Ok(Control::Jump(
                    target.block,
                    Self::block_args(fr, target, &[], &[]),
                ))
            }
            InstructionData::BranchTable { table, .. } => {
                let jt = &dfg.jump_tables[table];
                let target = usize::try_from(args[0])
                    .ok()
                    .and_then(|i| jt.table.get(i))
                    .unwrap_or(&jt.default);
                Ok(Control::Jump(
                    target.block,
                    Self::block_args(fr, target, &[], &[]),
                ))
            }
            InstructionData::Trap { code, .. } => Err(code.into()),
            InstructionData::CondTrap { code, .. } => {
                if (args[0] != 0) == (op == O::Trapnz) {
                    Err(code.into())
                } else {
                    Ok(Control::Next)
                }
            }
            InstructionData::MultiAry { .. } if op == O::Return => Ok(Control::Return(args)),
            InstructionData::Nullary { .. } => match op {
                O::Nop | O::Debugtrap | O::Fence | O::SequencePoint => Ok(Control::Next),
                O::GetPinnedReg => {
                    set(fr, &[self.pinned]);
                    Ok(Control::Next)
                }
                // The frame record's address, the stack's lowest live byte, the record's
                // return address.
                O::GetFramePointer => {
                    set(fr, &[u128::from(fr.fp)]);
                    Ok(Control::Next)
                }
                O::GetStackPointer => {
                    set(fr, &[u128::from(self.memory.sp())]);
                    Ok(Control::Next)
                }
                O::GetReturnAddress => {
                    let ra = self.memory.read(fr.fp + 8, 8)?;
                    set(fr, &[ra]);
                    Ok(Control::Next)
                }
                _ => Err(unsupported(format!("`{op}`"))),
            },
            InstructionData::Unary { .. } if op == O::SetPinnedReg => {
                self.pinned = args[0];
                Ok(Control::Next)
            }
            InstructionData::Load { flags, offset, .. } => {
                let addr = (args[0] as u64).wrapping_add(i64::from(offset.bytes()) as u64);
                let rty = res_tys[0];
                let v = match op {
                    O::Load => self.load(addr, rty, flags)?,
                    O::Uload8 | O::Uload16 | O::Uload32 | O::Sload8 | O::Sload16 | O::Sload32 => {
                        let w = match op {
                            O::Uload8 | O::Sload8 => 8,
                            O::Uload16 | O::Sload16 => 16,
                            _ => 32,
                        };
                        let x = self.load(addr, Type::int(w).expect("an int type"), flags)?;
                        let signed = matches!(op, O::Sload8 | O::Sload16 | O::Sload32);
                        if signed { sext(x, w) as u128 } else { x }
                    }
                    _ => {
                        // uload8x8 and co.: 64 bits of half-width lanes, each extended.
                        let half = rty.lane_bits() / 2;
                        let ty = Type::int(half).expect("an int type").by(rty.lane_count());
                        let x = self.load(addr, ty.expect("a vector type"), flags)?;
                        let signed = matches!(op, O::Sload8x8 | O::Sload16x4 | O::Sload32x2);
                        (0..rty.lane_count()).fold(0, |r, i| {
                            let l = lane(x, half, i);
                            let l = if signed { sext(l, half) as u128 } else { l };
                            with_lane(r, rty.lane_bits(), i, l)
                        })
                    }
                };
                set(fr, &[v]);
                Ok(Control::Next)
            }
            InstructionData::Store { flags, offset, .. } => {
                let addr = (args[1] as u64).wrapping_add(i64::from(offset.bytes()) as u64);
                let ty = match op {
                    O::Istore8 => Type::I8,
                    O::Istore16 => Type::I16,
                    O::Istore32 => Type::I32,
                    _ => arg_tys[0],
                };
                self.store(addr, ty, flags, args[0])?;
                Ok(Control::Next)
            }
            InstructionData::LoadNoOffset { flags, .. } if op == O::AtomicLoad => {
                let v = self.atomic_load(args[0] as u64, res_tys[0], flags)?;
                set(fr, &[v]);
                Ok(Control::Next)
            }
            InstructionData::StoreNoOffset { flags, .. } if op == O::AtomicStore => {
                self.check_atomic(args[1] as u64, arg_tys[0], flags)?;
                self.store(args[1] as u64, arg_tys[0], flags, args[0])?;
                Ok(Control::Next)
            }
            InstructionData::AtomicRmw { flags, op: rmw, .. } => {
                let (addr, ty) = (args[0] as u64, res_tys[0]);
                let old = self.atomic_load(addr, ty, flags)?;
                let (w, x) = (ty.bits(), args[1]);
                let new = match rmw {
                    AtomicRmwOp::Add => old.wrapping_add(x),
                    AtomicRmwOp::Sub => old.wrapping_sub(x),
                    AtomicRmwOp::And => old & x,
                    AtomicRmwOp::Nand => !(old & x),
                    AtomicRmwOp::Or => old | x,
                    AtomicRmwOp::Xor => old ^ x,
                    AtomicRmwOp::Xchg => x,
                    AtomicRmwOp::Umin => old.min(x),
                    AtomicRmwOp::Umax => old.max(x),
                    AtomicRmwOp::Smin => {
                        if sext(old, w) <= sext(x, w) {
                            old
                        } else {
                            x
                        }
                    }
                    AtomicRmwOp::Smax => {
                        if sext(old, w) >= sext(x, w) {
                            old
                        } else {
                            x
                        }
                    }
                };
                self.store(addr, ty, flags, new & mask(w))?;
                set(fr, &[old]);
                Ok(Control::Next)
            }
            InstructionData::AtomicCas { flags, .. } => {
                let (addr, ty) = (args[0] as u64, res_tys[0]);
                let old = self.atomic_load(addr, ty, flags)?;
                if old == args[1] {
                    self.store(addr, ty, flags, args[2])?;
                }
                set(fr, &[old]);
                Ok(Control::Next)
            }
            InstructionData::StackLoad {
                stack_slot, offset, ..
            } if op == O::StackAddr => {
                let base = fr.slots[stack_slot.index()];
                set(
                    fr,
                    &[u128::from(
                        base.wrapping_add(i64::from(offset.bytes()) as u64),
                    )],
                );
                Ok(Control::Next)
            }
            InstructionData::UnaryGlobalValue { global_value, .. }
                if op == O::SymbolValue || op == O::TlsValue =>
            {
                let v = self.global_value(fr, global_value)?;
                set(fr, &[v]);
                Ok(Control::Next)
            }
            InstructionData::FuncAddr { func_ref, .. } => {
                let callee = self.callee(func, func_ref)?;
                set(fr, &[address_of(callee)]);
                Ok(Control::Next)
            }
            InstructionData::Call { func_ref, .. } => {
                let callee = self.callee(func, func_ref)?;
                let sig = &dfg.signatures[dfg.ext_funcs[func_ref].signature];
                let args = extend(&sig.params, args);
                if op == O::ReturnCall {
                    return self.tail(callee, args);
                }
                let rets = self.call_callee(callee, args)?;
                set(fr, &rets);
                Ok(Control::Next)
            }
            InstructionData::CallIndirect { sig_ref, .. } => {
                let callee = self.address_to_callee(args[0])?;
                let rest = extend(&dfg.signatures[sig_ref].params, args[1..].to_vec());
                if op == O::ReturnCallIndirect {
                    return self.tail(callee, rest);
                }
                let rets = self.call_callee(callee, rest)?;
                set(fr, &rets);
                Ok(Control::Next)
            }
            InstructionData::TryCall {
                func_ref,
                exception,
                ..
            } => {
                let callee = self.callee(func, func_ref)?;
                self.try_call(fr, callee, args, exception)
            }
            InstructionData::TryCallIndirect { exception, .. } => {
                let callee = self.address_to_callee(args[0])?;
                self.try_call(fr, callee, args[1..].to_vec(), exception)
            }
            InstructionData::ExceptionHandlerAddress { imm, .. } => {
                // A stand-in: handlers have no addresses here.
                set(fr, &[0xe000_0000 + u128::from(imm)]);
                Ok(Control::Next)
            }
            _ => Err(unsupported(match op {
                O::X86Pshufb | O::X86Pmulhrsw | O::X86Pmaddubsw | O::X86Cvtt2dq => {
                    format!("`{op}` (ISA-specific)")
                }
                O::DynamicStackAddr | O::ExtractVector => format!("`{op}` (dynamic vectors)"),
                _ => format!("`{op}`"),
            })),
        }
    }

    /// A tail call: the frame ends, the callee takes its place.
    fn tail(&mut self, callee: Callee, args: Vec<u128>) -> Result<Control, Stop> {
        match callee {
            Callee::Func(i) => Ok(Control::Tail(i, args)),
            other => Ok(Control::Return(self.call_callee(other, args)?)),
        }
    }

    fn try_call(
        &mut self,
        fr: &Frame<'a>,
        callee: Callee,
        args: Vec<u128>,
        exception: gantry_codegen::ir::ExceptionTable,
    ) -> Result<Control, Stop> {
        let et = &fr.func.dfg.exception_tables[exception];
        let tags = et
            .items
            .iter()
            .filter_map(|item| match item {
                ExceptionTableItem::Tag(t, _) => Some(Some(t.as_u32())),
                ExceptionTableItem::Default(_) => Some(None),
                ExceptionTableItem::Context(_) => None,
            })
            .collect();
        self.handlers.push(tags);
        let r = self.call_callee(callee, args);
        self.handlers.pop();
        match r {
            Ok(rets) => {
                let to = &et.normal_return;
                Ok(Control::Jump(
                    to.block,
                    Self::block_args(fr, to, &rets, &[]),
                ))
            }
            Err(Stop::Throw { tag, payloads }) => {
                let handler = et.items.iter().find_map(|item| match item {
                    ExceptionTableItem::Tag(t, call) if t.as_u32() == tag => Some(call),
                    ExceptionTableItem::Default(call) => Some(call),
                    _ => None,
                });
                match handler {
                    Some(call) => Ok(Control::Jump(
                        call.block,
                        Self::block_args(fr, call, &[], &payloads),
                    )),
                    None => Err(Stop::Throw { tag, payloads }),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// What `func`'s `func_ref` names.
    fn callee(&self, func: &Function, func_ref: FuncRef) -> Result<Callee, Stop> {
        let name = match &func.dfg.ext_funcs[func_ref].name {
            ExternalName::TestCase(n) if n.as_str() == "__cranelift_throw" => {
                return Ok(Callee::Throw);
            }
            ExternalName::TestCase(n) => n.as_str().into(),
            ExternalName::User(r) => match func.user_name(*r) {
                Some(u) => alloc::string::ToString::to_string(&u),
                None => return Err(unsupported(format!("a call of undeclared {r}"))),
            },
            ExternalName::LibCall(lc) => return Ok(Callee::LibCall(*lc)),
            ExternalName::KnownSymbol(k) => return Err(unsupported(format!("a call of {k:?}"))),
        };
        match self.by_name.get(&name) {
            Some(&i) => Ok(Callee::Func(i)),
            None => Err(InterpError::UnknownFunction(name).into()),
        }
    }

    /// What an address made by `func_addr` (or `symbol_value`) calls.
    fn address_to_callee(&self, addr: u128) -> Result<Callee, Stop> {
        let index = |base: u128, n: usize| {
            let i = addr.wrapping_sub(base) / 16;
            (addr >= base && addr % 16 == 0 && i < n as u128).then_some(i as usize)
        };
        if addr == THROW_ADDRESS {
            Ok(Callee::Throw)
        } else if let Some(i) = index(FUNC_BASE, self.funcs.len()) {
            Ok(Callee::Func(i))
        } else if let Some(i) = index(LIBCALL_BASE, LibCall::ALL.len()) {
            Ok(Callee::LibCall(LibCall::ALL[i]))
        } else {
            Err(unsupported(format!(
                "an indirect call of address {addr:#x}"
            )))
        }
    }

    fn call_callee(&mut self, callee: Callee, args: Vec<u128>) -> Result<Vec<u128>, Stop> {
        match callee {
            Callee::Func(i) => self.run_nested(i, args),
            Callee::LibCall(lc) => self.libcall(lc, &args),
            Callee::Throw => {
                // (entry_fp, exit_fp, exit_pc, tag, payload1, payload2): thrown only if an
                // active try_call would catch it, else the thrower returns.
                let tag = args.get(3).copied().unwrap_or(0) as u32;
                let payloads = [
                    args.get(4).copied().unwrap_or(0),
                    args.get(5).copied().unwrap_or(0),
                ];
                let caught = self
                    .handlers
                    .iter()
                    .any(|tags| tags.iter().any(|t| t.is_none_or(|t| t == tag)));
                if caught {
                    Err(Stop::Throw { tag, payloads })
                } else {
                    Ok(Vec::new())
                }
            }
        }
    }

    fn libcall(&mut self, lc: LibCall, args: &[u128]) -> Result<Vec<u128>, Stop> {
        use crate::float::{Un, fma, unary};
        let un = |u, w| unary(u, w, args[0]).ok_or_else(|| unsupported("f128 arithmetic"));
        let r = match lc {
            LibCall::CeilF32 => un(Un::Ceil, 32)?,
            LibCall::CeilF64 => un(Un::Ceil, 64)?,
            LibCall::FloorF32 => un(Un::Floor, 32)?,
            LibCall::FloorF64 => un(Un::Floor, 64)?,
            LibCall::TruncF32 => un(Un::Trunc, 32)?,
            LibCall::TruncF64 => un(Un::Trunc, 64)?,
            LibCall::NearestF32 => un(Un::Nearest, 32)?,
            LibCall::NearestF64 => un(Un::Nearest, 64)?,
            LibCall::FmaF32 | LibCall::FmaF64 => {
                let w = if lc == LibCall::FmaF32 { 32 } else { 64 };
                fma(w, args[0], args[1], args[2]).expect("f32 and f64 are implemented")
            }
            LibCall::Probestack => return Ok(Vec::new()),
            _ => return Err(unsupported(format!("the library call {lc:?}"))),
        };
        Ok(vec![r])
    }

    /// The value of global value `gv` in frame `fr`.
    fn global_value(&mut self, fr: &Frame<'a>, gv: GlobalValue) -> Result<u128, Stop> {
        match fr.func.global_values[gv].clone() {
            GlobalValueData::VMContext => Ok(fr.vmctx),
            GlobalValueData::IAddImm {
                base,
                offset,
                global_type,
            } => {
                let b = self.global_value(fr, base)?;
                Ok(b.wrapping_add(offset.bits() as u128) & mask(global_type.bits()))
            }
            GlobalValueData::Load {
                base,
                offset,
                global_type,
                flags,
            } => {
                let b = self.global_value(fr, base)? as u64;
                let addr = b.wrapping_add(i64::from(offset.bytes()) as u64);
                Ok(self.load(addr, global_type, flags)?)
            }
            GlobalValueData::Symbol {
                name: ExternalName::TestCase(n),
                offset,
                tls: false,
                ..
            } => match self.by_name.get(n.as_str()) {
                Some(&i) => {
                    Ok(address_of(Callee::Func(i)).wrapping_add(offset.bits() as u128) & mask(64))
                }
                None => Err(unsupported(format!(
                    "the address of data symbol %{}",
                    n.as_str()
                ))),
            },
            // A thread-local variable: a static block of 64 bytes per name, the same for
            // every call (one thread).
            GlobalValueData::Symbol {
                name,
                offset,
                tls: true,
                ..
            } => {
                let key = match &name {
                    ExternalName::User(r) => format!("{:?}", fr.func.user_name(*r)),
                    ExternalName::TestCase(n) => n.as_str().into(),
                    other => format!("{other:?}"),
                };
                let base = match self.tls.get(&key) {
                    Some(&a) => a,
                    None => {
                        let a = self.memory.alloc_static(64)?;
                        self.tls.insert(key, a);
                        a
                    }
                };
                Ok(u128::from(base.wrapping_add(offset.bits() as u64)))
            }
            other => Err(unsupported(format!("the global value {other:?}"))),
        }
    }

    /// Reads a `ty` at `addr` with `flags`' byte order (each lane in that order).
    fn load(&mut self, addr: u64, ty: Type, flags: MemFlags) -> Result<u128, Stop> {
        let code = flags.trap_code().unwrap_or(TrapCode::HEAP_OUT_OF_BOUNDS);
        let bytes = ty.bytes() as u64;
        if flags.aligned() && addr % bytes.max(1) != 0 {
            return Err(code.into());
        }
        let raw = self.memory.read(addr, bytes as usize).map_err(|_| code)?;
        Ok(order(raw, ty, flags))
    }

    /// Writes `value`, a `ty`, at `addr` with `flags`' byte order.
    fn store(&mut self, addr: u64, ty: Type, flags: MemFlags, value: u128) -> Result<(), Stop> {
        let code = flags.trap_code().unwrap_or(TrapCode::HEAP_OUT_OF_BOUNDS);
        let bytes = ty.bytes() as u64;
        if flags.aligned() && addr % bytes.max(1) != 0 {
            return Err(code.into());
        }
        let raw = order(value & mask(ty.bits()), ty, flags);
        self.memory
            .write(addr, bytes as usize, raw)
            .map_err(|_| code)?;
        Ok(())
    }

    /// Atomic accesses must be naturally aligned.
    fn check_atomic(&self, addr: u64, ty: Type, flags: MemFlags) -> Result<(), Stop> {
        if addr % u64::from(ty.bytes()) != 0 {
            return Err(flags
                .trap_code()
                .unwrap_or(TrapCode::HEAP_OUT_OF_BOUNDS)
                .into());
        }
        Ok(())
    }

    fn atomic_load(&mut self, addr: u64, ty: Type, flags: MemFlags) -> Result<u128, Stop> {
        self.check_atomic(addr, ty, flags)?;
        self.load(addr, ty, flags)
    }
}

/// `values` as their producer passes them: each with a `sext` or `uext` attribute in
/// `params` extended to 64 bits (so a callee or caller that declares them wider sees the
/// whole register).
fn extend(params: &[AbiParam], mut values: Vec<u128>) -> Vec<u128> {
    for (v, p) in values.iter_mut().zip(params) {
        let bits = p.value_type.bits();
        if p.extension == ArgumentExtension::Sext && bits < 64 {
            *v = sext(*v, bits) as u128 & mask(64);
        }
    }
    values
}

/// The address `func_addr` gives `callee`.
fn address_of(callee: Callee) -> u128 {
    match callee {
        Callee::Func(i) => FUNC_BASE + 16 * i as u128,
        Callee::LibCall(lc) => {
            let k = LibCall::ALL.iter().position(|&l| l == lc).unwrap_or(0);
            LIBCALL_BASE + 16 * k as u128
        }
        Callee::Throw => THROW_ADDRESS,
    }
}

/// `raw` (a `ty` read little-endian) in the byte order `flags` asks for.
fn order(raw: u128, ty: Type, flags: MemFlags) -> u128 {
    let big = flags.endianness(Endianness::Little) == Endianness::Big;
    crate::bits::byte_order(raw, ty, big)
}
