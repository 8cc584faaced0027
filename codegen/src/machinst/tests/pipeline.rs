//! Whole functions through `machinst::compile` for the Toy ISA, run in its simulator and
//! checked against a direct evaluation.

use super::toy::{PROLOGUE_UNWIND, REGS, ToyBackend, blocks, simulate};
use crate::ir::{
    AbiParam, AppendBuilder, BlockArg, FunctionStencil, InstBuilder, Signature, Type, Value,
};
use crate::machinst::compile::compile;
use crate::settings::Flags;
use alloc::vec::Vec;

/// A stencil of signature `(i64) -> i64`.
fn stencil() -> FunctionStencil {
    let mut sig = Signature::new(crate::ir::CallConv::SystemV);
    sig.params.push(AbiParam::new(Type::I64));
    sig.returns.push(AbiParam::new(Type::I64));
    crate::ir::Function::with_name_signature(Default::default(), sig).stencil
}

/// Appends `n` additions of small constants to `acc` in `block`; returns the last value
/// and what the chain adds.
fn chain(
    func: &mut FunctionStencil,
    block: crate::ir::Block,
    acc: Value,
    n: usize,
) -> (Value, i64) {
    let mut acc = acc;
    let mut total = 0i64;
    for k in 0..n {
        let c = (k % 13) as i64 - 6;
        let v = AppendBuilder::new(func, block).iconst(Type::I64, c);
        acc = AppendBuilder::new(func, block).iadd(acc, v);
        total += c;
    }
    (acc, total)
}

/// Compiles `func` for Toy with `regs` registers and returns the code.
fn code_of(func: &FunctionStencil, regs: usize) -> Vec<u8> {
    let code = compile(&ToyBackend { regs }, func, &Flags::default(), false)
        .unwrap_or_else(|e| panic!("{e}"));
    code.buffer.data
}

/// The number of long jumps (veneers) in Toy code, decoding word by word.
fn long_jumps(code: &[u8]) -> usize {
    let (mut pc, mut n) = (0, 0);
    while pc < code.len() {
        if code[pc] == 9 {
            n += 1;
            pc += 8;
        } else {
            pc += 4;
        }
    }
    n
}

/// A two-way branch whose arms are each longer than a short branch reaches: whichever arm
/// is laid out second is reached through a veneer in an island, and the function still
/// computes the right value on both paths.
#[test]
fn a_forward_branch_beyond_its_range_goes_through_a_veneer() {
    let mut f = stencil();
    let b = blocks(&mut f, 3);
    let x = f.dfg.append_block_param(b[0], Type::I64);
    AppendBuilder::new(&mut f, b[0]).brif(x, b[1], &[], b[2], &[]);
    let (then_v, then_add) = chain(&mut f, b[1], x, 200);
    AppendBuilder::new(&mut f, b[1]).return_(&[then_v]);
    let seven = AppendBuilder::new(&mut f, b[2]).iconst(Type::I64, 7);
    let (else_v, else_add) = chain(&mut f, b[2], seven, 200);
    AppendBuilder::new(&mut f, b[2]).return_(&[else_v]);

    let code = code_of(&f, REGS);
    assert!(
        code.len() > 1600,
        "both arms are long: {} bytes",
        code.len()
    );
    assert!(long_jumps(&code) >= 1, "no veneer in {} bytes", code.len());
    for arg in [0i64, 1, -5, 1 << 40] {
        let want = if arg != 0 {
            arg + then_add
        } else {
            7 + else_add
        };
        assert_eq!(
            simulate(&code, &[arg], 10_000),
            Some(want),
            "argument {arg}"
        );
    }
}

/// A loop whose body is longer than a short branch reaches: its back edge goes through a
/// veneer, and the loop runs the right number of times.
#[test]
fn a_backward_branch_beyond_its_range_goes_through_a_veneer() {
    let mut f = stencil();
    let b = blocks(&mut f, 3);
    let n = f.dfg.append_block_param(b[0], Type::I64);
    let zero = AppendBuilder::new(&mut f, b[0]).iconst(Type::I64, 0);
    AppendBuilder::new(&mut f, b[0]).jump(b[1], &[BlockArg::Value(n), BlockArg::Value(zero)]);
    let count = f.dfg.append_block_param(b[1], Type::I64);
    let acc = f.dfg.append_block_param(b[1], Type::I64);
    let (body, per_trip) = chain(&mut f, b[1], acc, 180);
    let one = AppendBuilder::new(&mut f, b[1]).iconst(Type::I64, 1);
    let left = AppendBuilder::new(&mut f, b[1]).isub(count, one);
    AppendBuilder::new(&mut f, b[1]).brif(
        left,
        b[1],
        &[BlockArg::Value(left), BlockArg::Value(body)],
        b[2],
        &[],
    );
    AppendBuilder::new(&mut f, b[2]).return_(&[body]);

    let code = code_of(&f, REGS);
    assert!(long_jumps(&code) >= 1, "no veneer in {} bytes", code.len());
    for trips in [1i64, 2, 9] {
        assert_eq!(
            simulate(&code, &[trips], 100_000),
            Some(trips * per_trip),
            "{trips} trips"
        );
    }
}

/// Many values live at once on two registers: the pipeline's spills and reloads (moves
/// emitted by the ISA) keep every value.
#[test]
fn spills_and_reloads_keep_every_value() {
    let mut f = stencil();
    let b = blocks(&mut f, 1);
    let x = f.dfg.append_block_param(b[0], Type::I64);
    let vals: Vec<Value> = (0..24)
        .map(|k| {
            let c = AppendBuilder::new(&mut f, b[0]).iconst(Type::I64, k * 3 - 20);
            AppendBuilder::new(&mut f, b[0]).iadd(x, c)
        })
        .collect();
    // Subtract them in reverse so all stay live until the end.
    let mut acc = x;
    for &v in vals.iter().rev() {
        acc = AppendBuilder::new(&mut f, b[0]).isub(acc, v);
    }
    AppendBuilder::new(&mut f, b[0]).return_(&[acc]);
    let code = code_of(&f, 2);
    let stores = code.chunks(4).filter(|w| w[0] == 5).count();
    assert!(
        stores > 0,
        "two registers cannot hold 24 values without spilling"
    );
    for arg in [0i64, 3, -100] {
        let want = arg - (0..24).map(|k| arg + k * 3 - 20).sum::<i64>();
        assert_eq!(
            simulate(&code, &[arg], 10_000),
            Some(want),
            "argument {arg}"
        );
    }
}

/// The prologue and epilogue are instruction lists the pipeline emits: the prologue
/// first, with its unwind rule recorded where its pseudo-instruction stands, and the
/// epilogue before each of two returns (the simulator rejects a `ret` with the frame
/// still entered).
#[test]
fn prologue_and_epilogue_come_from_instruction_lists() {
    let mut f = stencil();
    let b = blocks(&mut f, 3);
    let x = f.dfg.append_block_param(b[0], Type::I64);
    AppendBuilder::new(&mut f, b[0]).brif(x, b[1], &[], b[2], &[]);
    let (then_v, then_add) = chain(&mut f, b[1], x, 3);
    AppendBuilder::new(&mut f, b[1]).return_(&[then_v]);
    let (else_v, else_add) = chain(&mut f, b[2], x, 5);
    AppendBuilder::new(&mut f, b[2]).return_(&[else_v]);
    let compiled = compile(&ToyBackend { regs: REGS }, &f, &Flags::default(), false)
        .unwrap_or_else(|e| panic!("{e}"));
    let code = &compiled.buffer.data;
    assert_eq!(code[..4], [11, 0, 0, 0], "the prologue comes first");
    let unwind = compiled
        .unwind
        .expect("the prologue records an unwind rule");
    assert_eq!(unwind.ops, [(4, PROLOGUE_UNWIND)]);
    let words: Vec<&[u8]> = code.chunks(4).collect();
    let rets: Vec<usize> = (0..words.len()).filter(|&i| words[i][0] == 10).collect();
    assert_eq!(rets.len(), 2, "two returns");
    for i in rets {
        assert_eq!(words[i - 1][0], 12, "the epilogue right before each return");
    }
    assert_eq!(simulate(code, &[5], 1000), Some(5 + then_add));
    assert_eq!(simulate(code, &[0], 1000), Some(else_add));
}
