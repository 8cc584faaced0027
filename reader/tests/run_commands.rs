//! Run commands parse against the signatures of the functions they call.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::{Ieee32, Ieee64, Ieee128};
use gantry_reader::{Comparison, RunCommand, parse_run_command, parse_test};

const FILE: &str = "test run
function %pair(i32, f64) -> i8, f64 {
block0(v0: i32, v1: f64):
    v2 = iconst.i8 1
    return v2, v1
}
; run: %pair(-1, 0x1.8p1) == [1, 0x1.8p1]
; run: %pair(0xffff_ffff, 2.5) != [0, 0.0]
; print: %pair(7, -0.0)

function %vec(i32x4) -> i8 {
block0(v0: i32x4):
    v1 = vall_true v0
    return v1
}
; run: %vec([1 2 3 4]) == 1

function %wide() -> f128, f32 {
block0:
    v0 = f128const 0x1.p0
    v1 = f32const -NaN
    return v0, v1
}
; run: %wide() == [0x1.p0, -NaN]
";

#[test]
fn run_commands_of_a_file() {
    let file = parse_test(FILE).unwrap();
    let sig_of = |name: &str| {
        file.functions
            .iter()
            .find(|f| f.func.name.to_string() == format!("%{name}"))
            .map(|f| &f.func.signature)
    };
    let mut commands = Vec::new();
    for f in &file.functions {
        for c in &f.comments {
            if let Some(cmd) = parse_run_command(c.text, c.line, None, sig_of).unwrap() {
                commands.push(cmd);
            }
        }
    }
    assert_eq!(commands.len(), 5);
    let RunCommand::Run(inv, Comparison::Equals, expected) = &commands[0] else {
        panic!("{:?}", commands[0])
    };
    assert_eq!(inv.func, "pair");
    assert_eq!(
        inv.args,
        [DataValue::I32(-1), DataValue::F64(Ieee64::from(3.0))]
    );
    assert_eq!(
        expected,
        &[DataValue::I8(1), DataValue::F64(Ieee64::from(3.0))]
    );
    let RunCommand::Run(inv, Comparison::NotEquals, _) = &commands[1] else {
        panic!("{:?}", commands[1])
    };
    assert_eq!(inv.args[0], DataValue::I32(-1));
    assert!(matches!(&commands[2], RunCommand::Print(i) if i.to_string() == "%pair(7, -0.0)"));
    let RunCommand::Run(inv, _, _) = &commands[3] else {
        panic!()
    };
    let mut bytes = [0u8; 16];
    for (i, x) in [1u32, 2, 3, 4].iter().enumerate() {
        bytes[4 * i..4 * i + 4].copy_from_slice(&x.to_le_bytes());
    }
    assert_eq!(inv.args, [DataValue::V128(bytes)]);
    let RunCommand::Run(_, _, expected) = &commands[4] else {
        panic!()
    };
    assert_eq!(
        expected[0],
        DataValue::F128(Ieee128::parse("0x1.0p0").unwrap())
    );
    assert!(expected[1].eq_or_both_nan(&DataValue::F32(Ieee32::from(f32::NAN))));
}

#[test]
fn malformed_run_commands_are_errors() {
    let file = parse_test(FILE).unwrap();
    let sig_of = |name: &str| {
        file.functions
            .iter()
            .find(|f| f.func.name.to_string() == format!("%{name}"))
            .map(|f| &f.func.signature)
    };
    for bad in [
        " run: %pair(1) == [1, 2.0]",
        " run: %pair(1, 2.0, 3) == [1, 2.0]",
        " run: %missing() == 1",
        " run: %pair(300000000000, 1.0) == [1, 1.0]",
        " run: %pair(1, 1.0) = [1, 1.0]",
        " run: %pair(1, 1.0) == [1]",
        " run: %vec([1 2 3]) == 1",
        " run %pair(1, 1.0) == [1, 1.0]",
        " run%pair(1, 1.0) == [1, 1.0]",
        " print %pair(1, 1.0)",
    ] {
        assert!(parse_run_command(bad, 1, None, sig_of).is_err(), "{bad}");
    }
    // A bare `; run` needs an owner taking no arguments and returning one integer.
    assert!(parse_run_command(" run", 1, None, sig_of).is_err());
    assert!(parse_run_command(" run", 1, Some("pair"), sig_of).is_err());
    assert!(parse_run_command(" run", 1, Some("wide"), sig_of).is_err());
    let colonless =
        parse_run_command(" run %pair(1, 1.0) == [1, 1.0]", 3, None, sig_of).unwrap_err();
    assert!(
        colonless.to_string().contains("needs a colon"),
        "{colonless}"
    );
    for prose in [" just a comment", " run the loop twice", " printing %x"] {
        assert_eq!(
            parse_run_command(prose, 1, None, sig_of).unwrap(),
            None,
            "{prose}"
        );
    }
}

/// A bare `; run` after a function without arguments returning one integer calls it and
/// expects a true (non-zero) result.
#[test]
fn a_bare_run_calls_the_function_above() {
    let file = parse_test(
        "test run\nfunction %t() -> i8 {\nblock0:\n    v0 = iconst.i8 1\n    return v0\n}\n; run\n",
    )
    .unwrap();
    let f = &file.functions[0];
    let sig_of = |name: &str| (name == "t").then_some(&f.func.signature);
    let c = &f.comments[0];
    let cmd = parse_run_command(c.text, c.line, Some("t"), sig_of)
        .unwrap()
        .unwrap();
    let RunCommand::Run(inv, Comparison::NotEquals, expected) = cmd else {
        panic!("{cmd:?}")
    };
    assert_eq!(inv.func, "t");
    assert!(inv.args.is_empty());
    assert_eq!(expected, [DataValue::I8(0)]);
}
