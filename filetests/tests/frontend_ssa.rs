//! SSA construction by `FunctionBuilder`: loops, nested loops, a loop entered at two
//! places, variables defined on some paths only, trivial parameters removed; every built
//! function verifies and, compiled, computes what the same program computes in Rust.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::{
    AbiParam, BlockArg, CallConv, Function, InstBuilder, InstBuilderExt, IntCC, Signature, Type,
    UserFuncName,
};
use gantry_codegen::isa;
use gantry_frontend::{
    DefVariableError, FunctionBuilder, FunctionBuilderContext, UseVariableError,
};

fn new_function(name: &str, params: usize) -> Function {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params = vec![AbiParam::new(Type::I64); params];
    sig.returns = vec![AbiParam::new(Type::I64)];
    Function::with_name_signature(UserFuncName::testcase(name), sig)
}

fn run(f: &Function, args: &[i64]) -> i64 {
    gantry_codegen::verifier::verify_function(f).unwrap_or_else(|e| panic!("{e}\n{f}"));
    if !gantry_filetests::run::host_runs("x86_64") {
        return 0;
    }
    let isa = isa::lookup("x86_64").unwrap().finish().unwrap();
    let args: Vec<DataValue> = args.iter().map(|&a| DataValue::I64(a)).collect();
    match gantry_filetests::run::compile_and_call(isa.as_ref(), f, &args).unwrap()[..] {
        [DataValue::I64(r)] => r,
        ref other => panic!("{other:?}"),
    }
}

/// sum = 0; i = 0; while i < n { sum += i; i += 1 }; return sum
fn sum_loop() -> Function {
    let mut f = new_function("sum", 1);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let (entry, header, body, exit) = (
        b.create_block(),
        b.create_block(),
        b.create_block(),
        b.create_block(),
    );
    b.append_block_params_for_function_params(entry);
    let (sum, i, n) = (
        b.declare_var(Type::I64),
        b.declare_var(Type::I64),
        b.declare_var(Type::I64),
    );
    b.switch_to_block(entry);
    b.seal_block(entry);
    let p = b.block_params(entry)[0];
    b.def_var(n, p);
    let zero = b.ins().iconst(Type::I64, 0);
    b.def_var(sum, zero);
    b.def_var(i, zero);
    b.ins().jump(header, &[]);

    b.switch_to_block(header);
    let (iv, nv) = (b.use_var(i), b.use_var(n));
    let more = b.ins().icmp(IntCC::SignedLessThan, iv, nv);
    b.ins().brif(more, body, &[], exit, &[]);

    b.switch_to_block(body);
    b.seal_block(body);
    let (s, iv) = (b.use_var(sum), b.use_var(i));
    let s2 = b.ins().iadd(s, iv);
    b.def_var(sum, s2);
    let i2 = b.ins().iadd_imm(iv, 1);
    b.def_var(i, i2);
    b.ins().jump(header, &[]);
    b.seal_block(header);

    b.switch_to_block(exit);
    b.seal_block(exit);
    let s = b.use_var(sum);
    b.ins().return_(&[s]);
    b.finalize();
    f
}

#[test]
fn loops() {
    let f = sum_loop();
    // n is loop-invariant: its header parameter is trivial and removed; sum and i stay.
    let header = f.layout.blocks().nth(1).unwrap();
    assert_eq!(f.dfg.block_params(header).len(), 2, "{f}");
    for n in [0, 1, 10, 1000] {
        assert_eq!(run(&f, &[n]), (0..n).sum::<i64>(), "{f}");
    }
}

/// acc = 0; for i in 0..n { for j in 0..i { acc += i * j } }; return acc
#[test]
fn nested_loops() {
    let mut f = new_function("nested", 1);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let blocks: Vec<_> = (0..6).map(|_| b.create_block()).collect();
    let [entry, outer, inner_head, inner_body, outer_next, exit] = [
        blocks[0], blocks[1], blocks[2], blocks[3], blocks[4], blocks[5],
    ];
    b.append_block_params_for_function_params(entry);
    let (acc, i, j) = (
        b.declare_var(Type::I64),
        b.declare_var(Type::I64),
        b.declare_var(Type::I64),
    );
    b.switch_to_block(entry);
    let n = b.block_params(entry)[0];
    let zero = b.ins().iconst(Type::I64, 0);
    b.def_var(acc, zero);
    b.def_var(i, zero);
    b.ins().jump(outer, &[]);

    b.switch_to_block(outer);
    let iv = b.use_var(i);
    let more = b.ins().icmp(IntCC::SignedLessThan, iv, n);
    let zero = b.ins().iconst(Type::I64, 0);
    b.def_var(j, zero);
    b.ins().brif(more, inner_head, &[], exit, &[]);

    b.switch_to_block(inner_head);
    let (jv, iv) = (b.use_var(j), b.use_var(i));
    let more = b.ins().icmp(IntCC::SignedLessThan, jv, iv);
    b.ins().brif(more, inner_body, &[], outer_next, &[]);

    b.switch_to_block(inner_body);
    let (a, iv, jv) = (b.use_var(acc), b.use_var(i), b.use_var(j));
    let prod = b.ins().imul(iv, jv);
    let a2 = b.ins().iadd(a, prod);
    b.def_var(acc, a2);
    let j2 = b.ins().iadd_imm(jv, 1);
    b.def_var(j, j2);
    b.ins().jump(inner_head, &[]);

    b.switch_to_block(outer_next);
    let iv = b.use_var(i);
    let i2 = b.ins().iadd_imm(iv, 1);
    b.def_var(i, i2);
    b.ins().jump(outer, &[]);

    b.switch_to_block(exit);
    let a = b.use_var(acc);
    b.ins().return_(&[a]);
    b.seal_all_blocks();
    b.finalize();
    for n in [0, 1, 5, 30] {
        let want: i64 = (0..n).map(|i| (0..i).map(|j| i * j).sum::<i64>()).sum();
        assert_eq!(run(&f, &[n]), want, "{f}");
    }
}

/// x = 1; if c { x = 2 }; y is defined on no path and reads as 0; return x * 10 + y
#[test]
fn variables_defined_on_some_paths() {
    let mut f = new_function("some_paths", 1);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let (entry, then, join) = (b.create_block(), b.create_block(), b.create_block());
    b.append_block_params_for_function_params(entry);
    let (x, y) = (b.declare_var(Type::I64), b.declare_var(Type::I64));
    b.switch_to_block(entry);
    b.seal_block(entry);
    let c = b.block_params(entry)[0];
    let one = b.ins().iconst(Type::I64, 1);
    b.def_var(x, one);
    b.ins().brif(c, then, &[], join, &[]);
    b.switch_to_block(then);
    b.seal_block(then);
    let two = b.ins().iconst(Type::I64, 2);
    b.def_var(x, two);
    b.ins().jump(join, &[]);
    b.switch_to_block(join);
    b.seal_block(join);
    let (xv, yv) = (b.use_var(x), b.use_var(y));
    let t = b.ins().imul_imm(xv, 10);
    let r = b.ins().iadd(t, yv);
    b.ins().return_(&[r]);
    b.finalize();
    // x merges two values: one parameter; y's zero comes from the entry block.
    assert_eq!(f.dfg.block_params(join).len(), 1, "{f}");
    assert_eq!(run(&f, &[0]), 10);
    assert_eq!(run(&f, &[5]), 20);
}

/// A loop entered at two places (block1 and block2 jump to each other; the entry
/// reaches either): counts down x to 0, adding 1 per step taken in block1 and 100 per
/// step in block2.
#[test]
fn loop_entered_at_two_places() {
    let mut f = new_function("irreducible", 2);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let blocks: Vec<_> = (0..4).map(|_| b.create_block()).collect();
    let [entry, b1, b2, exit] = [blocks[0], blocks[1], blocks[2], blocks[3]];
    b.append_block_params_for_function_params(entry);
    let (x, acc) = (b.declare_var(Type::I64), b.declare_var(Type::I64));
    b.switch_to_block(entry);
    let (p, start) = (b.block_params(entry)[0], b.block_params(entry)[1]);
    b.def_var(x, p);
    let zero = b.ins().iconst(Type::I64, 0);
    b.def_var(acc, zero);
    b.ins().brif(start, b1, &[], b2, &[]);
    for (here, there, add) in [(b1, b2, 1), (b2, b1, 100)] {
        b.switch_to_block(here);
        let xv = b.use_var(x);
        let done = b.ins().icmp_imm(IntCC::Equal, xv, 0);
        let next = b.create_block();
        b.ins().brif(done, exit, &[], next, &[]);
        b.switch_to_block(next);
        let (xv, a) = (b.use_var(x), b.use_var(acc));
        let x2 = b.ins().iadd_imm(xv, -1);
        let a2 = b.ins().iadd_imm(a, add);
        b.def_var(x, x2);
        b.def_var(acc, a2);
        b.ins().jump(there, &[]);
    }
    b.switch_to_block(exit);
    let a = b.use_var(acc);
    b.ins().return_(&[a]);
    b.seal_all_blocks();
    b.finalize();
    assert_eq!(run(&f, &[0, 1]), 0);
    assert_eq!(run(&f, &[3, 1]), 1 + 100 + 1);
    assert_eq!(run(&f, &[4, 0]), 100 + 1 + 100 + 1);
}

#[test]
fn block_arguments_and_ssa_parameters_coexist() {
    // An explicit block parameter plus a variable merged into the same block.
    let mut f = new_function("explicit", 1);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let (entry, left, right, join) = (
        b.create_block(),
        b.create_block(),
        b.create_block(),
        b.create_block(),
    );
    b.append_block_params_for_function_params(entry);
    let k = b.append_block_param(join, Type::I64);
    let v = b.declare_var(Type::I64);
    b.switch_to_block(entry);
    let c = b.block_params(entry)[0];
    b.ins().brif(c, left, &[], right, &[]);
    b.switch_to_block(left);
    let seven = b.ins().iconst(Type::I64, 7);
    b.def_var(v, seven);
    let one = b.ins().iconst(Type::I64, 1);
    b.ins().jump(join, &[BlockArg::Value(one)]);
    b.switch_to_block(right);
    let nine = b.ins().iconst(Type::I64, 9);
    b.def_var(v, nine);
    let two = b.ins().iconst(Type::I64, 2);
    b.ins().jump(join, &[BlockArg::Value(two)]);
    b.switch_to_block(join);
    b.seal_all_blocks();
    let vv = b.use_var(v);
    let t = b.ins().imul_imm(k, 100);
    let r = b.ins().iadd(t, vv);
    b.ins().return_(&[r]);
    b.finalize();
    assert_eq!(run(&f, &[1]), 107);
    assert_eq!(run(&f, &[0]), 209);
}

#[test]
fn variable_errors_are_reported() {
    let mut f = new_function("errors", 0);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let entry = b.create_block();
    let var = gantry_frontend::Variable::from_u32(7);
    assert_eq!(
        b.try_use_var(var),
        Err(UseVariableError::UsedBeforeDeclared(var))
    );
    b.try_declare_var(var, Type::I32).unwrap();
    assert!(b.try_declare_var(var, Type::I32).is_err());
    b.switch_to_block(entry);
    let wide = b.ins().iconst(Type::I64, 1);
    let err = b.try_def_var(var, wide).unwrap_err();
    assert!(matches!(err, DefVariableError::TypeMismatch { .. }));
    assert_eq!(
        err.to_string(),
        format!("variable {var} has type i32, but {wide} has type i64")
    );
}

#[test]
#[should_panic(expected = "is not sealed at finalize")]
fn finalize_requires_sealed_blocks() {
    let mut f = new_function("unsealed", 0);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let z = b.ins().iconst(Type::I64, 0);
    b.ins().return_(&[z]);
    b.finalize();
}

#[test]
#[should_panic(expected = "after its terminator")]
fn no_instruction_after_a_terminator() {
    let mut f = new_function("after", 0);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let z = b.ins().iconst(Type::I64, 0);
    b.ins().return_(&[z]);
    b.ins().iconst(Type::I64, 1);
}

/// A switch returning `10 * case + 1` for each case value, or 0 by default, on an index
/// of type `ty`.
fn switch_function(ty: Type, cases: &[u128]) -> Function {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params = vec![AbiParam::new(ty)];
    sig.returns = vec![AbiParam::new(Type::I64)];
    let mut f = Function::with_name_signature(UserFuncName::testcase("switch"), sig);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let x = b.block_params(entry)[0];
    let mut switch = gantry_frontend::Switch::new();
    let targets: Vec<_> = cases.iter().map(|_| b.create_block()).collect();
    for (&c, &t) in cases.iter().zip(&targets) {
        switch.set_entry(c, t);
    }
    let otherwise = b.create_block();
    switch.emit(&mut b, x, otherwise);
    for (&c, &t) in cases.iter().zip(&targets) {
        b.switch_to_block(t);
        b.seal_block(t);
        let r = b.ins().iconst(Type::I64, 10 * c as i64 + 1);
        b.ins().return_(&[r]);
    }
    b.switch_to_block(otherwise);
    b.seal_block(otherwise);
    let z = b.ins().iconst(Type::I64, 0);
    b.ins().return_(&[z]);
    b.finalize();
    f
}

#[test]
fn switches_dense_and_sparse() {
    let isa = isa::lookup("x86_64").unwrap().finish().unwrap();
    let dense: Vec<u128> = (3..40).collect();
    let sparse: Vec<u128> = vec![1, 5, 7, 100, 1000, 1 << 20, 0xffff_fff0];
    let mixed: Vec<u128> = (0..5).chain(50..60).chain([90, 120, 121]).collect();
    for (ty, cases) in [
        (Type::I32, &dense),
        (Type::I64, &dense),
        (Type::I8, &mixed),
        (Type::I64, &sparse),
        (Type::I32, &sparse),
        (Type::I16, &mixed),
    ] {
        let f = switch_function(ty, cases);
        gantry_codegen::verifier::verify_function(&f).unwrap_or_else(|e| panic!("{e}\n{f}"));
        let text = f.to_string();
        let runs_of_four = cases.windows(4).any(|w| w[3] == w[0] + 3);
        assert_eq!(text.contains("br_table"), runs_of_four, "{text}");
        if !gantry_filetests::run::host_runs("x86_64") {
            continue;
        }
        let mask = u128::from(u64::MAX >> (64 - ty.bits()));
        let probes = cases
            .iter()
            .flat_map(|&c| [c, c.wrapping_add(1), c.wrapping_sub(1)])
            .chain([0, mask, 2, 41, 0x8000_0000]);
        for x in probes {
            let x = x & mask;
            let want = if cases.contains(&x) {
                10 * x as i64 + 1
            } else {
                0
            };
            let arg = DataValue::from_integer(x as i128, ty).unwrap();
            let got = gantry_filetests::run::compile_and_call(isa.as_ref(), &f, &[arg]).unwrap();
            assert_eq!(got, [DataValue::I64(want)], "{ty} switch on {x}\n{text}");
        }
    }
}

/// Memory helpers: inline fills and copies up to 64 bytes, library calls beyond.
#[test]
fn memory_copies_and_fills() {
    use gantry_codegen::ir::{InstBuilderExt, MemFlags, StackSlotData, StackSlotKind};
    let mut f = new_function("memory", 1);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let n = b.block_params(entry)[0];
    let (s1, s2) = (
        b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 256, 4)),
        b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 256, 4)),
    );
    let (p1, p2) = (
        b.ins().stack_addr(Type::I64, s1, 0),
        b.ins().stack_addr(Type::I64, s2, 0),
    );
    let flags = MemFlags::trusted();
    b.emit_small_memset(Type::I64, p1, 0x11, 200, flags); // memset call
    b.emit_small_memset(Type::I64, p2, 0x22, 256, flags);
    b.emit_small_memset(Type::I64, p1, 0x33, 13, flags); // inline
    b.emit_small_memory_copy(Type::I64, p2, p1, 13, flags); // inline: 13 x 0x33
    let p2_20 = b.ins().iadd_imm(p2, 20);
    b.emit_small_memory_copy(Type::I64, p2_20, p1, 100, flags); // memmove: 13x33, 87x11
    let ch = b.ins().iconst(Type::I8, 0x44);
    let p2_150 = b.ins().iadd_imm(p2, 150);
    b.call_memset(Type::I64, p2_150, ch, n); // n bytes of 0x44 at 150
    // Sum of all 256 bytes of slot 2.
    let mut sum = b.ins().iconst(Type::I64, 0);
    for i in 0..256 {
        let byte = b.ins().uload8(Type::I64, flags, p2, i);
        sum = b.ins().iadd(sum, byte);
    }
    b.ins().return_(&[sum]);
    b.finalize();
    for n in [0i64, 1, 50, 106] {
        let mut mem = [0x22u8; 256];
        mem[..13].fill(0x33);
        mem[20..33].fill(0x33);
        mem[33..120].fill(0x11);
        mem[150..150 + n as usize].fill(0x44);
        let want: i64 = mem.iter().map(|&b| i64::from(b)).sum();
        assert_eq!(run(&f, &[n]), want, "n = {n}\n{f}");
    }
}
