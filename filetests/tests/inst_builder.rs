//! `InstBuilder`: functions built through the generated per-opcode methods and the
//! convenience forms verify, print as the CLIF they were meant to be, and compute the
//! right results when compiled and run.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::{
    AbiParam, AppendBuilder, Block, BlockArg, CallConv, Function, InstBuilder, InstBuilderExt,
    IntCC, MemFlags, Signature, StackSlotData, StackSlotKind, Type, UserFuncName,
};
use gantry_codegen::isa;

fn ins(f: &mut Function, block: Block) -> AppendBuilder<'_> {
    AppendBuilder::new(&mut f.stencil, block)
}

fn signature(params: &[Type], returns: &[Type]) -> Signature {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params = params.iter().map(|&t| AbiParam::new(t)).collect();
    sig.returns = returns.iter().map(|&t| AbiParam::new(t)).collect();
    sig
}

/// gcd(a, b) by Euclid's algorithm, with a stack-slot round trip on the way in.
fn gcd() -> Function {
    let sig = signature(&[Type::I64, Type::I64], &[Type::I64]);
    let mut f = Function::with_name_signature(UserFuncName::testcase("gcd"), sig);
    let slot = f
        .sized_stack_slots
        .push(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
    let blocks: Vec<Block> = (0..4).map(|_| f.dfg.make_block()).collect();
    for &b in &blocks {
        f.layout.append_block(b);
    }
    let [b0, b1, b2, b3] = [blocks[0], blocks[1], blocks[2], blocks[3]];
    let a = f.dfg.append_block_param(b0, Type::I64);
    let b = f.dfg.append_block_param(b0, Type::I64);
    let x = f.dfg.append_block_param(b1, Type::I64);
    let y = f.dfg.append_block_param(b1, Type::I64);

    ins(&mut f, b0).stack_store(b, Type::I64, slot, 0);
    let b = ins(&mut f, b0).stack_load(Type::I64, Type::I64, slot, 0);
    ins(&mut f, b0).jump(b1, &[BlockArg::Value(a), BlockArg::Value(b)]);

    let done = ins(&mut f, b1).icmp_imm(IntCC::Equal, y, 0);
    ins(&mut f, b1).brif(done, b3, &[], b2, &[]);

    let r = ins(&mut f, b2).urem(x, y);
    ins(&mut f, b2).jump(b1, &[BlockArg::Value(y), BlockArg::Value(r)]);

    ins(&mut f, b3).return_(&[x]);
    f
}

/// Exercises typed constructors: constants, a load and store with flags, i128 and
/// two-result opcodes, a select and a float conversion.
fn mixed() -> Function {
    let sig = signature(&[Type::I64, Type::I32], &[Type::I64, Type::I8, Type::F64]);
    let mut f = Function::with_name_signature(UserFuncName::testcase("mixed"), sig);
    let b0 = f.dfg.make_block();
    f.layout.append_block(b0);
    let p = f.dfg.append_block_param(b0, Type::I64);
    let n = f.dfg.append_block_param(b0, Type::I32);
    let slot = f
        .sized_stack_slots
        .push(StackSlotData::new(StackSlotKind::ExplicitSlot, 16, 3));
    let addr = ins(&mut f, b0).stack_addr(Type::I64, slot, 0);
    let wide = ins(&mut f, b0).sextend(Type::I64, n);
    ins(&mut f, b0).store(MemFlags::trusted(), wide, addr, 8);
    let back = ins(&mut f, b0).load(Type::I64, MemFlags::trusted(), addr, 8);
    let (sum, carry) = ins(&mut f, b0).uadd_overflow(p, back);
    let big = ins(&mut f, b0).uextend(Type::I128, sum);
    let shifted = ins(&mut f, b0).ishl_imm(big, 70);
    let (lo, hi) = ins(&mut f, b0).isplit(shifted);
    let ten = ins(&mut f, b0).iconst(Type::I64, 10);
    let picked = ins(&mut f, b0).select(carry, ten, lo);
    let combined = ins(&mut f, b0).bor(picked, hi);
    let as_float = ins(&mut f, b0).fcvt_from_sint(Type::F64, combined);
    let half = ins(&mut f, b0).f64const(0.5);
    let result = ins(&mut f, b0).fadd(as_float, half);
    ins(&mut f, b0).return_(&[combined, carry, result]);
    f
}

#[test]
fn built_functions_verify_and_print() {
    let text = gcd().to_string();
    for needle in [
        "block1(v2: i64, v3: i64):",
        "icmp eq v3,",
        "brif v",
        "urem",
        "jump block1(v3,",
        "return v2",
        "stack_addr.i64 ss0",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
    // The printed text reads back to the same function.
    let again = gantry_reader::parse_functions(&text).unwrap().remove(0);
    assert!(again == gcd(), "{text}");
    gantry_codegen::verifier::verify_function(&gcd()).unwrap();
    gantry_codegen::verifier::verify_function(&mixed()).unwrap();
}

#[test]
fn built_functions_compile_and_run() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let isa = isa::lookup("x86_64").unwrap().finish().unwrap();
    let call = |f: &Function, args: &[DataValue]| {
        gantry_filetests::run::compile_and_call(isa.as_ref(), f, args).unwrap()
    };
    assert_eq!(
        call(&gcd(), &[DataValue::I64(1071), DataValue::I64(462)]),
        [DataValue::I64(21)]
    );
    assert_eq!(
        call(&gcd(), &[DataValue::I64(17), DataValue::I64(0)]),
        [DataValue::I64(17)]
    );
    // p + n overflows: carry 1, picked 10; hi = (sum << 70) >> 64 = sum << 6.
    let sum = 5u64.wrapping_add(u64::MAX);
    let hi = (sum << 6) as i64;
    let combined = 10 | hi;
    let out = call(&mixed(), &[DataValue::I64(5), DataValue::I32(-1)]);
    assert_eq!(out[0], DataValue::I64(combined));
    assert_eq!(out[1], DataValue::I8(1));
    let DataValue::F64(r) = out[2] else {
        panic!("{out:?}")
    };
    assert_eq!(f64::from_bits(r.bits()), combined as f64 + 0.5);
}
