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

fn parse(text: &str) -> gantry_codegen::ir::Function {
    gantry_reader::parse_functions(text).unwrap().remove(0)
}

#[test]
fn unsupported_opcode_is_a_typed_error() {
    let f = parse(
        "function %f(i64, i64) -> i64 {\nblock0(v0: i64, v1: i64):\n    v2 = udiv v0, v1\n    return v2\n}",
    );
    let err = x64().compile_function(&f).unwrap_err();
    assert_eq!(
        err,
        CodegenError::UnsupportedOpcode {
            opcode: Opcode::Udiv,
            ty: Type::I64,
            isa: "x86_64"
        }
    );
    assert_eq!(err.to_string(), "unsupported on x86_64: `udiv.i64`");
}

#[test]
fn unsupported_type_is_an_error() {
    let f = parse(
        "function %f(i128, i128) -> i128 {\nblock0(v0: i128, v1: i128):\n    v2 = iadd v0, v1\n    return v2\n}",
    );
    let err = x64().compile_function(&f).unwrap_err();
    assert!(err.to_string().contains("i128"), "{err}");
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
    for name in ["aarch64", "s390x"] {
        let err = isa::lookup(name)
            .unwrap()
            .finish()
            .err()
            .expect("no backend yet");
        assert!(err.to_string().contains(name), "{err}");
    }
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
        let (line, v) = match op % 7 {
            0 => (format!("iadd v{a}, v{b}"), x + y),
            1 => (format!("isub v{a}, v{b}"), x - y),
            2 => (format!("imul v{a}, v{b}"), x * y),
            3 => (format!("band v{a}, v{b}"), x & y),
            4 => (format!("bor v{a}, v{b}"), x | y),
            5 => (format!("bxor v{a}, v{b}"), x ^ y),
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
        let got = gantry_filetests::run::compile_and_call(x64().as_ref(), &f, &args).map_err(TestCaseError::fail)?;
        prop_assert_eq!(got, vec![DataValue::from_integer(c.expected as i128, c.ty).unwrap()], "{}", c.text);
    }
}
