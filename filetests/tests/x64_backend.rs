//! The x86-64 backend end to end: typed errors for what it cannot compile, and a
//! differential property test running random integer expressions as machine code
//! against their evaluation in Rust.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::{Opcode, Type};
use gantry_codegen::isa::{self, TargetIsa};
use gantry_codegen::machinst::CodegenError;
use proptest::prelude::*;

fn x64() -> Box<dyn TargetIsa> {
    isa::lookup("x86_64").unwrap().finish().unwrap()
}

/// x86-64 at `opt_level=speed` (through the mid-end).
fn x64_speed() -> Box<dyn TargetIsa> {
    let flags = gantry_codegen::settings::Flags {
        opt_level: gantry_codegen::settings::OptLevel::Speed,
        ..Default::default()
    };
    isa::lookup("x86_64").unwrap().finish_with(flags).unwrap()
}

fn parse(text: &str) -> gantry_codegen::ir::Function {
    gantry_reader::parse_functions(text).unwrap().remove(0)
}

#[test]
fn unsupported_opcode_is_a_typed_error() {
    let f = parse(
        "function %f(f16x8, f16x8) -> f16x8 {\nblock0(v0: f16x8, v1: f16x8):\n    v2 = fadd v0, v1\n    return v2\n}",
    );
    let err = x64().compile_function(&f).unwrap_err();
    assert_eq!(
        err,
        CodegenError::UnsupportedOpcode {
            opcode: Opcode::Fadd,
            ty: Type::F16X8,
            isa: "x86_64"
        }
    );
    assert_eq!(err.to_string(), "unsupported on x86_64: `fadd.f16x8`");
}

#[test]
fn unsupported_type_is_an_error() {
    let f = parse(
        "function %f(f16x8, f16x8) -> f16x8 {\nblock0(v0: f16x8, v1: f16x8):\n    v2 = fmul v0, v1\n    return v2\n}",
    );
    let err = x64().compile_function(&f).unwrap_err();
    assert!(err.to_string().contains("f16x8"), "{err}");
}

#[test]
fn invalid_ir_is_a_verifier_error() {
    // The block parameter count does not match the signature.
    let f = parse("function %f(i64) -> i64 {\nblock0:\n    v0 = iconst.i64 1\n    return v0\n}");
    let err = x64().compile_function(&f).unwrap_err();
    assert!(matches!(err, CodegenError::Verifier(_)), "{err}");
}

#[test]
fn targets_without_backend_say_so() {
    let err = isa::lookup("riscv64").expect_err("no riscv64 backend");
    assert!(err.to_string().contains("riscv64"), "{err}");
}

/// A random straight-line function of three `ty` arguments and its expected result.
#[derive(Debug, Clone)]
struct Case {
    ty: Type,
    text: String,
    args: [i64; 3],
    expected: i64,
}

fn wrap(x: i128, bits: u32) -> i64 {
    let shift = 128 - bits;
    ((x << shift) >> shift) as i64
}

fn case(ty_index: usize, ops: Vec<(u8, usize, usize, i64)>, args: [i64; 3]) -> Case {
    let ty = [Type::I8, Type::I16, Type::I32, Type::I64][ty_index];
    let bits = ty.bits();
    let args = args.map(|a| wrap(a as i128, bits));
    let mut vals: Vec<i64> = args.to_vec();
    let mut text = format!(
        "function %f({ty}, {ty}, {ty}) -> {ty} {{\nblock0(v0: {ty}, v1: {ty}, v2: {ty}):\n"
    );
    for (op, a, b, imm) in ops {
        let (a, b) = (a % vals.len(), b % vals.len());
        let (x, y) = (vals[a] as i128, vals[b] as i128);
        let n = vals.len();
        let mask = (1i128 << bits) - 1;
        let (ux, uy) = (x & mask, y & mask);
        let k = (y as u64 % bits as u64) as u32;
        let (line, v) = match op % 17 {
            0 => (format!("iadd v{a}, v{b}"), x + y),
            1 => (format!("isub v{a}, v{b}"), x - y),
            2 => (format!("imul v{a}, v{b}"), x * y),
            3 => (format!("band v{a}, v{b}"), x & y),
            4 => (format!("bor v{a}, v{b}"), x | y),
            5 => (format!("bxor v{a}, v{b}"), x ^ y),
            6 => (format!("ishl v{a}, v{b}"), x << k),
            7 => (format!("ushr v{a}, v{b}"), ux >> k),
            8 => (format!("sshr v{a}, v{b}"), x >> k),
            9 => (
                format!("rotl v{a}, v{b}"),
                (ux << k) | (ux >> ((bits - k) % bits)),
            ),
            10 => (format!("ineg v{a}"), -x),
            11 => (format!("smin v{a}, v{b}"), x.min(y)),
            12 => (format!("umax v{a}, v{b}"), ux.max(uy)),
            // Divisions by a non-zero divisor (x86 faults on zero; CLIF traps).
            13 if uy != 0 => (format!("udiv v{a}, v{b}"), ux / uy),
            14 if y != 0 && !(y == -1 && x == -(1i128 << (bits - 1))) => {
                (format!("srem v{a}, v{b}"), x % y)
            }
            15 => (
                format!("select v{a}, v{b}, v{a}"),
                if x != 0 { y } else { x },
            ),
            _ => (
                format!("iconst.{ty} {}", wrap(imm as i128, bits)),
                imm as i128,
            ),
        };
        text.push_str(&format!("    v{n} = {line}\n"));
        vals.push(wrap(v, bits));
    }
    // Combine the last values so many stay live to the end.
    let mut acc = vals.len() - 1;
    let mut expected = vals[acc] as i128;
    for i in (vals.len().saturating_sub(8)..vals.len() - 1).rev() {
        let n = vals.len();
        text.push_str(&format!("    v{n} = bxor v{acc}, v{i}\n"));
        expected ^= vals[i] as i128;
        vals.push(wrap(expected, bits));
        acc = n;
    }
    text.push_str(&format!("    return v{acc}\n}}\n"));
    Case {
        ty,
        text,
        args,
        expected: wrap(expected, bits),
    }
}

fn cases() -> impl Strategy<Value = Case> {
    (
        0..4usize,
        prop::collection::vec(
            (any::<u8>(), any::<usize>(), any::<usize>(), any::<i64>()),
            1..40,
        ),
        any::<[i64; 3]>(),
    )
        .prop_map(|(t, ops, args)| case(t, ops, args))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_expressions_compute_what_rust_computes(c in cases()) {
        prop_assume!(gantry_filetests::run::host_runs("x86_64"));
        let f = parse(&c.text);
        let args: Vec<DataValue> = c.args.iter().map(|&a| DataValue::from_integer(a as i128, c.ty).unwrap()).collect();
        let want = vec![DataValue::from_integer(c.expected as i128, c.ty).unwrap()];
        for isa in [x64(), x64_speed()] {
            let got = gantry_filetests::run::compile_and_call(isa.as_ref(), &f, &args).map_err(TestCaseError::fail)?;
            prop_assert_eq!(&got, &want, "{}", c.text);
        }
    }
}

/// Traps in generated code come back as errors naming the trap code; the process lives.
#[test]
fn traps_are_reported_with_their_code() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let isa = x64();
    let call = |text: &str, args: &[i64]| {
        let f = parse(text);
        let args: Vec<DataValue> = args
            .iter()
            .zip(&f.signature.params)
            .map(|(&a, p)| DataValue::from_integer(a as i128, p.value_type).unwrap())
            .collect();
        gantry_filetests::run::compile_and_call(isa.as_ref(), &f, &args)
    };
    for ty in ["i8", "i16", "i32", "i64"] {
        let sdiv = format!(
            "function %f({ty}, {ty}) -> {ty} {{\nblock0(v0: {ty}, v1: {ty}):\n    v2 = sdiv v0, v1\n    return v2\n}}"
        );
        let bits = ty[1..].parse::<u32>().unwrap();
        let min = (-(1i128 << (bits - 1))) as i64;
        assert_eq!(
            call(&sdiv, &[7, 0]),
            Err("trap: int_divz".to_string()),
            "{ty}"
        );
        assert_eq!(
            call(&sdiv, &[min, -1]),
            Err("trap: int_ovf".to_string()),
            "{ty}"
        );
        let urem = sdiv.replace("sdiv", "urem");
        assert_eq!(
            call(&urem, &[7, 0]),
            Err("trap: int_divz".to_string()),
            "{ty}"
        );
        let srem = sdiv.replace("sdiv", "srem");
        let zero = DataValue::from_integer(0, f_ty(ty)).unwrap();
        assert_eq!(call(&srem, &[min, -1]), Ok(vec![zero]), "{ty}");
    }
    let trapz =
        "function %f(i64) -> i64 {\nblock0(v0: i64):\n    trapz v0, user3\n    return v0\n}";
    assert_eq!(call(trapz, &[0]), Err("trap: user3".to_string()));
    assert_eq!(call(trapz, &[5]), Ok(vec![DataValue::I64(5)]));
    // i128 conditions: zero only when both halves are.
    let wide = |op: &str| {
        format!(
            "function %f(i64, i64) -> i64 {{\nblock0(v0: i64, v1: i64):\n    v2 = iconcat v0, v1\n    {op} v2, user7\n    return v0\n}}"
        )
    };
    let (trapz128, trapnz128) = (wide("trapz"), wide("trapnz"));
    assert_eq!(call(&trapz128, &[0, 0]), Err("trap: user7".to_string()));
    assert_eq!(call(&trapz128, &[0, 1]), Ok(vec![DataValue::I64(0)]));
    assert_eq!(call(&trapz128, &[1, 0]), Ok(vec![DataValue::I64(1)]));
    assert_eq!(call(&trapnz128, &[0, 0]), Ok(vec![DataValue::I64(0)]));
    assert_eq!(call(&trapnz128, &[0, 1]), Err("trap: user7".to_string()));
    assert_eq!(call(&trapnz128, &[1, 0]), Err("trap: user7".to_string()));
    let trap = "function %f() -> i64 {\nblock0:\n    trap user9\n}";
    assert_eq!(call(trap, &[]), Err("trap: user9".to_string()));
    // A load from an unmapped address is a trap site with the default memory trap code.
    let load =
        "function %f(i64) -> i64 {\nblock0(v0: i64):\n    v1 = load.i64 v0\n    return v1\n}";
    assert_eq!(call(load, &[0]), Err("trap: heap_oob".to_string()));
    let store = "function %f(i64) -> i64 {\nblock0(v0: i64):\n    store.i64 user4 v0, v0+8\n    return v0\n}";
    assert_eq!(call(store, &[0]), Err("trap: user4".to_string()));
    // A load folded into its user keeps its trap code.
    let folded = "function %f(i64) -> i64 {\nblock0(v0: i64):\n    v1 = load.i64 user5 v0+8\n    v2 = iadd v0, v1\n    return v2\n}";
    assert_eq!(call(folded, &[0]), Err("trap: user5".to_string()));
    // Still alive and working after the traps.
    let ok = "function %f(i64) -> i64 {\nblock0(v0: i64):\n    return v0\n}";
    assert_eq!(call(ok, &[42]), Ok(vec![DataValue::I64(42)]));
}

fn f_ty(name: &str) -> Type {
    match name {
        "i8" => Type::I8,
        "i16" => Type::I16,
        "i32" => Type::I32,
        _ => Type::I64,
    }
}

/// `debugtrap` is an `int3`; the runner steps over it, as a debugger told to continue.
#[test]
fn debugtrap_is_a_breakpoint() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let f = parse(
        "function %f() -> i64 {\nblock0:\n    debugtrap\n    v0 = iconst.i64 1\n    return v0\n}",
    );
    let code = x64().compile_function(&f).unwrap();
    assert!(code.code.contains(&0xcc), "no int3 in {:02x?}", code.code);
    let out = gantry_filetests::run::compile_and_call(x64().as_ref(), &f, &[]).unwrap();
    assert_eq!(out, vec![DataValue::I64(1)]);
}

/// Generated code that never returns is stopped after the time limit and reported.
#[test]
fn infinite_loops_time_out() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    gantry_filetests::run::set_time_limit(std::time::Duration::from_secs(2));
    let f =
        parse("function %f() -> i64 {\nblock0:\n    jump block1\n\nblock1:\n    jump block1\n}");
    let start = std::time::Instant::now();
    let err = gantry_filetests::run::compile_and_call(x64().as_ref(), &f, &[]).unwrap_err();
    assert!(err.contains("timed out"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
}

/// 64-bit vectors are not scalar integers: lane-wise arithmetic on them wraps each lane
/// (no carry from one byte into the next), not a 64-bit scalar addition.
#[test]
fn small_vectors_are_lane_wise() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let f = parse(
        "function %f(i64) -> i64 {\nblock0(v0: i64):\n    v1 = bitcast.i8x8 little v0\n    v2 = iadd v1, v1\n    v3 = bitcast.i64 little v2\n    return v3\n}",
    );
    let x = DataValue::I64(0x80ff_0102_7f00_ff80_u64 as i64);
    let out = gantry_filetests::run::compile_and_call(x64().as_ref(), &f, &[x]).unwrap();
    assert_eq!(out, vec![DataValue::I64(0x00fe_0204_fe00_fe00_u64 as i64)]);
}

/// Recursion past a `stack_limit` traps with `stk_ovf` in the prologue, before the frame
/// crosses the limit; the same recursion within the budget returns (see
/// `suite/runtests/stack_limit.clif`).
#[test]
fn stack_limit_overflow_traps() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/suite/runtests/stack_limit.clif"
    ))
    .unwrap();
    // 1000 levels of at least 256 bytes do not fit in 100,000 bytes.
    let text = format!("{text}\n; run: %with_budget(1000, 100000) == 500500\n");
    let file = gantry_reader::parse_test(&text).unwrap();
    let counts = gantry_filetests::run::run_with(&file, x64().as_ref(), false).unwrap();
    assert_eq!(counts.failures.len(), 1, "{:?}", counts.failures);
    assert!(
        counts.failures[0].contains("trap: stk_ovf"),
        "{}",
        counts.failures[0]
    );
}

/// Trapping float conversions to i8/i16 trap with `int_ovf` just outside the type's
/// range and with `bad_toint` for NaN; the saturating ones never trap.
#[test]
fn narrow_float_conversions_trap_out_of_range() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let isa = x64();
    let call = |op: &str, ty: &str, x: f64| {
        let f = parse(&format!(
            "function %f(f64) -> {ty} {{\nblock0(v0: f64):\n    v1 = {op}.{ty} v0\n    return v1\n}}"
        ));
        let arg = DataValue::F64(gantry_codegen::ir::immediates::Ieee64::with_bits(
            x.to_bits(),
        ));
        gantry_filetests::run::compile_and_call(isa.as_ref(), &f, &[arg])
    };
    let ovf = Err("trap: int_ovf".to_string());
    assert_eq!(call("fcvt_to_sint", "i8", 128.0), ovf);
    assert_eq!(call("fcvt_to_sint", "i8", -129.0), ovf);
    assert_eq!(
        call("fcvt_to_sint", "i8", 127.99),
        Ok(vec![DataValue::I8(127)])
    );
    assert_eq!(call("fcvt_to_uint", "i8", 256.0), ovf);
    assert_eq!(call("fcvt_to_uint", "i8", -1.0), ovf);
    assert_eq!(
        call("fcvt_to_uint", "i8", -0.99),
        Ok(vec![DataValue::I8(0)])
    );
    assert_eq!(call("fcvt_to_sint", "i16", 32768.0), ovf);
    assert_eq!(call("fcvt_to_uint", "i16", 65536.0), ovf);
    assert_eq!(call("fcvt_to_sint", "i16", 1e10), ovf);
    assert_eq!(
        call("fcvt_to_uint", "i16", f64::NAN),
        Err("trap: bad_toint".to_string())
    );
    assert_eq!(
        call("fcvt_to_sint_sat", "i16", 1e10),
        Ok(vec![DataValue::I16(i16::MAX)])
    );
    // The same checks for i128, whose conversion goes through the C runtime.
    let two127 = 2f64.powi(127);
    assert_eq!(call("fcvt_to_sint", "i128", two127), ovf);
    assert_eq!(
        call("fcvt_to_sint", "i128", -two127),
        Ok(vec![DataValue::I128(i128::MIN)])
    );
    assert_eq!(call("fcvt_to_uint", "i128", -1.0), ovf);
    assert_eq!(call("fcvt_to_uint", "i128", two127 * 2.0), ovf);
    assert_eq!(
        call("fcvt_to_sint", "i128", f64::NAN),
        Err("trap: bad_toint".to_string())
    );
    assert_eq!(
        call("fcvt_to_uint_sat", "i128", f64::INFINITY),
        Ok(vec![DataValue::I128(-1)])
    );
}

/// i128 division traps like the narrower ones: a zero divisor with `int_divz`, and
/// `MIN / -1` with `int_ovf`, while `MIN % -1` is 0.
#[test]
fn i128_division_traps() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let isa = x64();
    let call = |op: &str, a: i128, b: i128| {
        let f = parse(&format!(
            "function %f(i128, i128) -> i128 {{\nblock0(v0: i128, v1: i128):\n    v2 = {op} v0, v1\n    return v2\n}}"
        ));
        gantry_filetests::run::compile_and_call(
            isa.as_ref(),
            &f,
            &[DataValue::I128(a), DataValue::I128(b)],
        )
    };
    for op in ["udiv", "sdiv", "urem", "srem"] {
        assert_eq!(call(op, 5, 0), Err("trap: int_divz".to_string()), "{op}");
        assert_eq!(
            call(op, 5, 1 << 64),
            Ok(vec![DataValue::I128(if op.ends_with("rem") {
                5
            } else {
                0
            })]),
            "{op}"
        );
    }
    assert_eq!(
        call("sdiv", i128::MIN, -1),
        Err("trap: int_ovf".to_string())
    );
    assert_eq!(call("srem", i128::MIN, -1), Ok(vec![DataValue::I128(0)]));
    assert_eq!(
        call("sdiv", i128::MIN, 1),
        Ok(vec![DataValue::I128(i128::MIN)])
    );
}

/// Random valid functions over the whole opcode set compile or fail with a typed
/// "unsupported" error; the backend never panics on them, and any other error (a
/// regalloc2 checker failure, an emission error) fails the test. Each function is also
/// checked by regalloc2's checker in debug builds. The counts are printed, and the share
/// that compiles may not fall below what it is today.
#[test]
fn random_functions_never_panic_the_backend() {
    let (isa, speed) = (x64(), x64_speed());
    let seeds: u64 = std::env::var("GANTRY_RANDOM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let (mut compiled, mut invalid) = (0u64, 0u64);
    let mut unsupported: std::collections::BTreeMap<String, u64> = Default::default();
    for seed in 0..seeds {
        let f = gantry_filetests::random::random_function(seed);
        for (level, isa) in [("none", &isa), ("speed", &speed)] {
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| isa.compile_function(&f)))
                    .unwrap_or_else(|_| {
                        panic!("the backend panicked on seed {seed} at {level}:\n{f}")
                    });
            match result {
                Ok(_) if level == "none" => compiled += 1,
                Ok(_) => {}
                // Invalid input is the verifier's business; at speed it would mean the
                // mid-end broke a valid function.
                Err(CodegenError::Verifier(_)) if level == "none" => {
                    invalid += 1;
                    break;
                }
                Err(
                    e @ (CodegenError::UnsupportedOpcode { .. } | CodegenError::Unsupported { .. }),
                ) => {
                    if level == "none" {
                        *unsupported.entry(unsupported_kind(&e)).or_default() += 1;
                    }
                }
                Err(e) => panic!("seed {seed} at opt_level={level}: {e}\n{f}"),
            }
        }
    }
    let total_unsupported: u64 = unsupported.values().sum();
    eprintln!(
        "{seeds} random functions: {compiled} compiled, {total_unsupported} unsupported, {invalid} invalid"
    );
    for (what, n) in &unsupported {
        eprintln!("  {n:6} {what}");
    }
    // The random functions draw from every opcode and type they use; since the SSE2
    // sequences (insertlane without SSE4.1 among them) every valid one compiles. A change
    // that makes any fail must say why by relaxing this.
    let valid = seeds - invalid;
    assert_eq!(
        compiled, valid,
        "only {compiled} of {valid} valid random functions compiled"
    );
}

/// The kind of an unsupported error, for the summary: the opcode and type, or the
/// feature with numbers left out.
fn unsupported_kind(e: &CodegenError) -> String {
    match e {
        CodegenError::UnsupportedOpcode { opcode, ty, .. } => format!("{}.{ty}", opcode.name()),
        other => other
            .to_string()
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect(),
    }
}

/// A function the backend cannot compile fails only the run lines that call it (directly
/// or through another function); the file's other run lines still run.
#[test]
fn unsupported_functions_fail_only_their_run_lines() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let text = "test run\ntarget x86_64\n\
        function %vec(i64) -> i64 {\nblock0(v0: i64):\n    v1 = f16const 0x1.0\n    v2 = splat.f16x8 v1\n    v3 = fadd v2, v2\n    v4 = bitcast.i128 little v3\n    v5 = ireduce.i64 v4\n    return v5\n}\n\
        ; run: %vec(0) == 0\n\
        function %scalar(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd v0, v0\n    return v1\n}\n\
        ; run: %scalar(21) == 42\n\
        ; run: %scalar(1) == 2\n\
        function %caller() -> i32 {\n    fn0 = %vec(i64) -> i64\n\
        block0:\n    v0 = iconst.i64 0\n    v1 = call fn0(v0)\n    v2 = iconst.i32 0\n    return v2\n}\n\
        ; run: %caller() == 0\n";
    let file = gantry_reader::parse_test(text).unwrap();
    let counts = gantry_filetests::run::run_with(&file, x64().as_ref(), false).unwrap();
    assert_eq!(counts.passed, 2, "{:?}", counts.failures);
    assert_eq!(counts.failures.len(), 2, "{:?}", counts.failures);
    assert!(
        counts.failures[0].contains("compiling %vec"),
        "{:?}",
        counts.failures
    );
    assert!(
        counts.failures[1].contains("%caller"),
        "{:?}",
        counts.failures
    );
}
