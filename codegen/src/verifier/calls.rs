//! Branch arguments against block parameters; calls and returns against signatures.

use super::{Ctx, Rule};
use crate::ir::entities::AnyEntity;
use crate::ir::instructions::{BlockArg, BlockCall, ExceptionTableItem, InstructionData};
use crate::ir::{Inst, Opcode, Signature, Type, Value};
use alloc::format;
use alloc::vec::Vec;

/// The number of exception payload registers (`exn0`, `exn1`) a handler receives.
const EXCEPTION_PAYLOADS: u32 = 2;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let func = ctx.func;
    // Extensions apply to integers only.
    for (what, list) in [
        ("Parameter", &func.signature.params),
        ("Return value", &func.signature.returns),
    ] {
        for (i, p) in list.iter().enumerate() {
            if p.extension != crate::ir::ArgumentExtension::None && !p.value_type.is_scalar_int() {
                ctx.report(
                    AnyEntity::Function,
                    Rule::Call,
                    format!(
                        "{what} at position {i} has invalid extension {:?}: {} is not an integer",
                        p.extension, p.value_type
                    ),
                );
            }
        }
    }
    let mut region_ids: Vec<u64> = func.memory_regions.values().map(|r| r.id).collect();
    region_ids.sort_unstable();
    for pair in region_ids.windows(2).filter(|w| w[0] == w[1]) {
        ctx.report(
            AnyEntity::Function,
            Rule::Entity,
            format!("duplicate alias region user_id {}", pair[0]),
        );
    }
    if let Some(message) = convention_error(&func.signature) {
        ctx.report(AnyEntity::Function, Rule::Call, message);
    }
    for (sig_ref, sig) in func.dfg.signatures.iter() {
        if let Some(message) = convention_error(sig) {
            ctx.report(AnyEntity::SigRef(sig_ref), Rule::Call, message);
        }
    }
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            check_branches(ctx, inst);
            check_call_or_return(ctx, inst);
            check_exceptions(ctx, inst);
            check_debug_tags(ctx, inst);
        }
    }
}

/// What a signature's calling convention cannot express, if anything: struct arguments
/// cannot be copied into a `tail` caller's own argument area, and a `preserve_all`
/// callee preserves every register, leaving none for a result.
fn convention_error(sig: &Signature) -> Option<&'static str> {
    use crate::ir::{ArgumentPurpose, CallConv};
    match sig.call_conv {
        CallConv::Tail
            if sig
                .params
                .iter()
                .any(|p| matches!(p.purpose, ArgumentPurpose::StructArgument(_))) =>
        {
            Some("Signature with `tail` ABI cannot have struct arguments (`sarg`)")
        }
        CallConv::PreserveAll if !sig.returns.is_empty() => {
            Some("Signature with `preserve_all` ABI cannot have return values")
        }
        _ => None,
    }
}

/// Where a block call sits, which decides the `retN`/`exnN` arguments it may pass.
#[derive(Clone, Copy, PartialEq)]
enum Edge {
    Plain,
    NormalReturn,
    Handler,
}

fn check_branches(ctx: &mut Ctx<'_>, inst: Inst) {
    let dfg = &ctx.func.dfg;
    let data = dfg.insts[inst];
    let mut edges: Vec<(BlockCall, Edge)> = data
        .inline_block_calls()
        .iter()
        .map(|c| (*c, Edge::Plain))
        .collect();
    if let Some(jt) = data.jump_table() {
        edges.extend(dfg.jump_tables[jt].all_calls().map(|c| (*c, Edge::Plain)));
    }
    let mut callee_returns = Vec::new();
    if let Some(et) = data.exception_table() {
        let table = &dfg.exception_tables[et];
        callee_returns = dfg.signatures[table.sig]
            .returns
            .iter()
            .map(|r| r.value_type)
            .collect();
        edges.push((table.normal_return, Edge::NormalReturn));
        for item in &table.items {
            if let ExceptionTableItem::Tag(_, c) | ExceptionTableItem::Default(c) = item {
                edges.push((*c, Edge::Handler));
            }
        }
    }
    for (call, edge) in edges {
        let params: Vec<Type> = dfg.block_param_types(call.block).collect();
        let args: Vec<BlockArg> = call.args(&dfg.value_lists).collect();
        let target = call.block;
        if params.len() != args.len() {
            ctx.report(
                AnyEntity::Inst(inst),
                Rule::Branch,
                format!(
                    "mismatched argument count: {target} takes {} argument(s), {} given",
                    params.len(),
                    args.len()
                ),
            );
            continue;
        }
        for (i, (arg, &want)) in args.iter().zip(&params).enumerate() {
            let got = match *arg {
                BlockArg::Value(v) => Some(dfg.value_type(v)),
                BlockArg::TryCallRet(n) => {
                    if edge != Edge::NormalReturn {
                        ctx.report(
                            AnyEntity::Inst(inst),
                            Rule::Branch,
                            format!(
                                "`retN` block argument used outside normal-return target of \
                                 `try_call` (ret{n} is only available on that edge)"
                            ),
                        );
                        None
                    } else if let Some(&t) = callee_returns.get(n as usize) {
                        Some(t)
                    } else {
                        ctx.report(
                            AnyEntity::Inst(inst),
                            Rule::Branch,
                            format!(
                                "ret{n}: the callee returns only {} value(s)",
                                callee_returns.len()
                            ),
                        );
                        None
                    }
                }
                BlockArg::TryCallExn(n) => {
                    if edge != Edge::Handler {
                        ctx.report(
                            AnyEntity::Inst(inst),
                            Rule::Branch,
                            format!(
                                "`exnN` block argument used outside normal-return target of \
                                 `try_call` (exn{n} is only available on handler edges)"
                            ),
                        );
                        None
                    } else if n >= EXCEPTION_PAYLOADS {
                        ctx.report(
                            AnyEntity::Inst(inst),
                            Rule::Branch,
                            format!(
                                "out-of-bounds `exnN` block argument: handlers receive only \
                                 {EXCEPTION_PAYLOADS} payloads"
                            ),
                        );
                        None
                    } else {
                        // A payload is a pointer-sized integer (64 bits on every ISA).
                        Some(Type::I64)
                    }
                }
            };
            if let Some(got) = got {
                if got != want {
                    ctx.report(
                        AnyEntity::Inst(inst),
                        Rule::Branch,
                        match arg {
                            BlockArg::Value(v) => format!(
                                "arg {i} ({v}) has type {got}, expected {want} (a parameter of {target})"
                            ),
                            _ => format!(
                                "arg {arg} has type {got}, expected {want} (argument {i} to {target})"
                            ),
                        },
                    );
                }
            }
        }
    }
}

/// A `try_call`: its exception table's signature is the callee's, whose calling
/// convention must support unwinding (Windows x64's does not here).
fn check_exceptions(ctx: &mut Ctx<'_>, inst: Inst) {
    let dfg = &ctx.func.dfg;
    let Some(et) = dfg.insts[inst].exception_table() else {
        return;
    };
    let table_sig = dfg.exception_tables[et].sig;
    if let InstructionData::TryCall { func_ref, .. } = dfg.insts[inst] {
        let callee_sig = dfg.ext_funcs[func_ref].signature;
        if dfg.signatures[callee_sig] != dfg.signatures[table_sig] {
            ctx.report(
                AnyEntity::Inst(inst),
                Rule::Call,
                format!(
                    "exception table signature {table_sig} did not match function \
                     {func_ref}'s signature {callee_sig}"
                ),
            );
        }
    }
    let conv = dfg.signatures[table_sig].call_conv;
    if conv == crate::ir::CallConv::WindowsFastcall {
        ctx.report(
            AnyEntity::Inst(inst),
            Rule::Call,
            format!("calling convention `{conv}` of callee does not support exceptions"),
        );
    }
}

/// Debug tags belong on calls (for the stack maps and frames they describe) and on
/// `sequence_point`s.
fn check_debug_tags(ctx: &mut Ctx<'_>, inst: Inst) {
    let opcode = ctx.func.dfg.insts[inst].opcode();
    if ctx.func.debug_tags.contains_key(&inst)
        && !opcode.is_call()
        && opcode != Opcode::SequencePoint
    {
        ctx.report(
            AnyEntity::Inst(inst),
            Rule::Call,
            "debug tags present on non-call, non-sequence point instruction",
        );
    }
}

/// The values a return or call passes against the signature's types (`returning`: a
/// return's values, else a call's arguments).
fn check_values(ctx: &mut Ctx<'_>, inst: Inst, returning: bool, values: &[Value], types: &[Type]) {
    let dfg = &ctx.func.dfg;
    if values.len() != types.len() {
        let message = if returning {
            format!(
                "arguments of return must match function signature: {} value(s) given, {} \
                 expected",
                values.len(),
                types.len()
            )
        } else {
            let mut text = alloc::string::String::new();
            let _ = crate::write::write_instruction(&mut text, ctx.func, inst);
            format!(
                "mismatched argument count for `{}`: got {}, expected {}",
                text.trim(),
                values.len(),
                types.len()
            )
        };
        ctx.report(AnyEntity::Inst(inst), Rule::Call, message);
        return;
    }
    for (i, (&v, &t)) in values.iter().zip(types).enumerate() {
        let got = dfg.value_type(v);
        if got != t {
            let message = if returning {
                format!("arg {i} ({v}) has type {got}, must match function signature of {t}")
            } else {
                format!("arg {i} ({v}) has type {got}, expected {t}")
            };
            ctx.report(AnyEntity::Inst(inst), Rule::Call, message);
        }
    }
}

fn types_of(sig: &Signature, params: bool) -> Vec<Type> {
    let list = if params { &sig.params } else { &sig.returns };
    list.iter().map(|p| p.value_type).collect()
}

fn check_call_or_return(ctx: &mut Ctx<'_>, inst: Inst) {
    let func = ctx.func;
    let dfg = &func.dfg;
    let data = dfg.insts[inst];
    let opcode = data.opcode();
    let args: Vec<Value> = data.arguments(&dfg.value_lists).to_vec();
    if opcode == Opcode::Return {
        check_values(ctx, inst, true, &args, &types_of(&func.signature, false));
        return;
    }
    // A `try_call`'s arguments follow its exception table's signature (which
    // `check_exceptions` compares with the callee's).
    let table_sig = data
        .exception_table()
        .map(|et| dfg.exception_tables[et].sig);
    let Some(sig_ref) = table_sig.or_else(|| dfg.call_signature(inst)) else {
        return;
    };
    let sig = dfg.signatures[sig_ref].clone();
    let indirect = matches!(
        data,
        InstructionData::CallIndirect { .. } | InstructionData::TryCallIndirect { .. }
    );
    let call_args = if indirect {
        let Some((&callee, rest)) = args.split_first() else {
            ctx.report(
                AnyEntity::Inst(inst),
                Rule::Call,
                "an indirect call needs a callee",
            );
            return;
        };
        let t = dfg.value_type(callee);
        if t != Type::I64 && t != Type::I32 {
            ctx.report(
                AnyEntity::Inst(inst),
                Rule::Call,
                format!("the callee {callee} has type {t}, expected an address type"),
            );
        }
        rest.to_vec()
    } else {
        args
    };
    check_values(ctx, inst, false, &call_args, &types_of(&sig, true));
    if opcode.is_return() {
        let (callee_rets, caller_rets) = (types_of(&sig, false), types_of(&func.signature, false));
        if callee_rets.len() != caller_rets.len() {
            ctx.report(
                AnyEntity::Inst(inst),
                Rule::Call,
                "results of callee must match caller (a tail call returns its callee's results)",
            );
        } else {
            for (i, (got, want)) in callee_rets.iter().zip(&caller_rets).enumerate() {
                if got != want {
                    ctx.report(
                        AnyEntity::Inst(inst),
                        Rule::Call,
                        format!(
                            "result {i} has type {got}, must match function signature of {want}"
                        ),
                    );
                }
            }
        }
        if sig.call_conv != func.signature.call_conv {
            ctx.report(
                AnyEntity::Inst(inst),
                Rule::Call,
                format!(
                    "callee's calling convention must match caller: callee is {}, caller is {}",
                    sig.call_conv, func.signature.call_conv
                ),
            );
        }
    }
}
