//! The aarch64 backend end to end: typed errors for what it cannot compile, random
//! functions that must never make it panic (with regalloc2's checker on), and traps run
//! under qemu reported with their codes.

use gantry_codegen::ir::{Opcode, Type};
use gantry_codegen::isa::{self, TargetIsa};
use gantry_codegen::machinst::CodegenError;
use gantry_codegen::settings::{Flags, OptLevel};

fn aarch64(opt_level: OptLevel) -> Box<dyn TargetIsa> {
    let flags = Flags {
        opt_level,
        regalloc_checker: true,
        ..Default::default()
    };
    isa::lookup("aarch64").unwrap().finish_with(flags).unwrap()
}

fn parse(text: &str) -> gantry_codegen::ir::Function {
    gantry_reader::parse_functions(text).unwrap().remove(0)
}

#[test]
fn unsupported_opcode_is_a_typed_error_naming_aarch64() {
    let f = parse(
        "function %f(i8x16, i8x16) -> i8x16 {\nblock0(v0: i8x16, v1: i8x16):\n    v2 = x86_pshufb v0, v1\n    return v2\n}",
    );
    let err = aarch64(OptLevel::None).compile_function(&f).unwrap_err();
    assert_eq!(
        err,
        CodegenError::UnsupportedOpcode {
            opcode: Opcode::X86Pshufb,
            ty: Type::I8X16,
            isa: "aarch64"
        }
    );
    assert_eq!(
        err.to_string(),
        "unsupported on aarch64: `x86_pshufb.i8x16`"
    );
}

#[test]
fn unsupported_convention_is_an_error() {
    let f = parse("function %f(i64) -> i64 windows_fastcall {\nblock0(v0: i64):\n    return v0\n}");
    let err = aarch64(OptLevel::None).compile_function(&f).unwrap_err();
    assert!(err.to_string().contains("windows_fastcall"), "{err}");
}

/// Every valid random function compiles for aarch64 at `none` and `speed`, checked by
/// regalloc2's checker; an unsupported construct is only ever a typed error.
#[test]
fn random_functions_compile_for_aarch64() {
    let (none, speed) = (aarch64(OptLevel::None), aarch64(OptLevel::Speed));
    let seeds: u64 = std::env::var("GANTRY_RANDOM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500);
    let (mut compiled, mut invalid) = (0u64, 0u64);
    let mut unsupported = Vec::new();
    for seed in 0..seeds {
        let f = gantry_filetests::random::random_function(seed);
        for (level, isa) in [("none", &none), ("speed", &speed)] {
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| isa.compile_function(&f)))
                    .unwrap_or_else(|_| panic!("aarch64 panicked on seed {seed} at {level}:\n{f}"));
            match result {
                Ok(_) if level == "none" => compiled += 1,
                Ok(_) => {}
                Err(CodegenError::Verifier(_)) if level == "none" => {
                    invalid += 1;
                    break;
                }
                Err(e @ CodegenError::UnsupportedOpcode { .. }) => {
                    unsupported.push(format!("seed {seed} at {level}: {e}"));
                }
                Err(e) => panic!("seed {seed} at opt_level={level}: {e}\n{f}"),
            }
        }
    }
    eprintln!("{seeds} random functions: {compiled} compiled, {invalid} invalid");
    assert!(unsupported.is_empty(), "{}", unsupported.join("\n"));
    assert_eq!(compiled, seeds - invalid);
}

/// Traps that fire under qemu come back with their trap codes: division by zero and
/// overflow, a failed conversion, a user trap, and the stack-limit check.
#[test]
fn traps_fire_with_their_codes_under_qemu() {
    let text = "test run
target aarch64

function %div(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
    v2 = sdiv v0, v1
    return v2
}
; run: %div(1, 0) == 0
; run: %div(0x8000000000000000, -1) == 0

function %conv(f64) -> i32 {
block0(v0: f64):
    v1 = fcvt_to_sint.i32 v0
    return v1
}
; run: %conv(+NaN) == 0
; run: %conv(0x1.0p40) == 0

function %user(i32) -> i32 {
block0(v0: i32):
    trapnz v0, user7
    return v0
}
; run: %user(1) == 1
";
    let file = gantry_reader::parse_test(text).unwrap();
    let isa = aarch64(OptLevel::None);
    let counts = gantry_filetests::run::run_with(&file, isa.as_ref(), false).unwrap();
    let failures = counts.failures.join("\n");
    for want in [
        "%div(1, 0): trap: int_divz",
        "trap: int_ovf",
        "%conv(+NaN): trap: bad_toint",
        "%conv(0x1.0000000000000p40): trap: int_ovf",
        "%user(1): trap: user7",
    ] {
        assert!(failures.contains(want), "no `{want}` in:\n{failures}");
    }
}
