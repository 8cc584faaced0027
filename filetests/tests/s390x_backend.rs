//! The s390x backend end to end: typed errors for what it cannot compile, random
//! functions that must never make it panic (with regalloc2's checker on), traps run
//! under qemu reported with their codes, and the z13 baseline: the code of every run
//! file, disassembled, must assemble with `s390x-linux-gnu-as -march=z13` (qemu runs
//! newer instructions without complaint, the assembler does not).

use gantry_codegen::ir::{Opcode, Type};
use gantry_codegen::isa::{self, TargetIsa};
use gantry_codegen::machinst::CodegenError;
use gantry_codegen::settings::{Flags, OptLevel};

fn s390x(opt_level: OptLevel) -> Box<dyn TargetIsa> {
    let flags = Flags {
        opt_level,
        regalloc_checker: true,
        ..Default::default()
    };
    isa::lookup("s390x").unwrap().finish_with(flags).unwrap()
}

fn parse(text: &str) -> gantry_codegen::ir::Function {
    gantry_reader::parse_functions(text).unwrap().remove(0)
}

#[test]
fn unsupported_opcode_is_a_typed_error_naming_s390x() {
    let f = parse(
        "function %f(i64, i64, i64) -> i64 {\nblock0(v0: i64, v1: i64, v2: i64):\n    v3 = stack_switch v0, v1, v2\n    return v3\n}",
    );
    let err = s390x(OptLevel::None).compile_function(&f).unwrap_err();
    assert_eq!(
        err,
        CodegenError::UnsupportedOpcode {
            opcode: Opcode::StackSwitch,
            ty: Type::I64,
            isa: "s390x"
        }
    );
    assert_eq!(err.to_string(), "unsupported on s390x: `stack_switch.i64`");
}

#[test]
fn unsupported_convention_and_tail_call_are_errors() {
    let f = parse("function %f(i64) -> i64 windows_fastcall {\nblock0(v0: i64):\n    return v0\n}");
    let err = s390x(OptLevel::None).compile_function(&f).unwrap_err();
    assert!(err.to_string().contains("windows_fastcall"), "{err}");
    // A system_v tail call with an argument in r6 cannot restore r6 for the caller.
    let f = parse(
        "function %f(i64) -> i64 {
    sig0 = (i64, i64, i64, i64, i64) -> i64
    fn0 = %g sig0
block0(v0: i64):
    return_call fn0(v0, v0, v0, v0, v0)
}",
    );
    let err = s390x(OptLevel::None).compile_function(&f).unwrap_err();
    assert!(err.to_string().contains("r6"), "{err}");
}

/// Every valid random function (scalar and vector operations) compiles for s390x at
/// `none` and `speed`, checked by regalloc2's checker; an unsupported construct fails the
/// test.
#[test]
fn random_functions_compile_for_s390x() {
    let (none, speed) = (s390x(OptLevel::None), s390x(OptLevel::Speed));
    let seeds: u64 = std::env::var("GANTRY_RANDOM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500);
    let (mut compiled, mut invalid, mut vector) = (0u64, 0u64, 0u64);
    let mut unsupported = Vec::new();
    for seed in 0..seeds {
        let f = gantry_filetests::random::random_function(seed);
        if f.dfg.values().any(|v| f.dfg.value_type(v).is_vector()) {
            vector += 1;
        }
        for (level, isa) in [("none", &none), ("speed", &speed)] {
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| isa.compile_function(&f)))
                    .unwrap_or_else(|_| panic!("s390x panicked on seed {seed} at {level}:\n{f}"));
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
    eprintln!(
        "{seeds} random functions ({vector} with vectors): {compiled} compiled, {invalid} invalid"
    );
    assert!(unsupported.is_empty(), "{}", unsupported.join("\n"));
    assert_eq!(compiled, seeds - invalid);
}

/// Traps that fire under qemu come back with their trap codes: division by zero and
/// overflow, a failed conversion, a user trap.
#[test]
fn traps_fire_with_their_codes_under_qemu() {
    let text = "test run
target s390x

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
    let isa = s390x(OptLevel::None);
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

/// Every function of the run files that name s390x, compiled at the z13 baseline and
/// disassembled by `s390x-linux-gnu-objdump`, assembles with `s390x-linux-gnu-as
/// -march=z13`: nothing newer than the baseline is emitted. (scripts/test.sh installs
/// binutils-s390x-linux-gnu; missing, the test fails.)
#[test]
fn baseline_code_assembles_for_z13() {
    use std::process::Command;
    let isa = s390x(OptLevel::Speed);
    let dir = std::env::temp_dir().join(format!("gantry-z13-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let suite = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("suite/runtests");
    let mut code = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&suite).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.lines().any(|l| l.trim() == "target s390x") {
            continue;
        }
        files += 1;
        let file = gantry_reader::parse_test(&text).unwrap();
        for f in &file.functions {
            if let Ok(compiled) = isa.compile_function(&f.func) {
                code.extend_from_slice(&compiled.code);
            }
        }
    }
    assert!(files > 40, "only {files} run files name s390x");
    let bin = dir.join("code.bin");
    std::fs::write(&bin, &code).unwrap();
    let dump = Command::new("s390x-linux-gnu-objdump")
        .args(["-D", "-b", "binary", "-m", "s390:64-bit", "-M", "zarch"])
        .arg(&bin)
        .output()
        .expect("s390x-linux-gnu-objdump runs");
    assert!(dump.status.success());
    // The instruction texts; PC-relative targets (printed as absolute 0x offsets) become
    // `.`, since the text is assembled without the data objdump shows as `.long`.
    let mut asm = String::new();
    let mut count = 0;
    for line in String::from_utf8_lossy(&dump.stdout).lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 || !fields[0].trim().ends_with(':') {
            continue;
        }
        let text = fields[2..].join(" ");
        let text = text.split('<').next().unwrap().trim();
        if text.starts_with('.') || text.is_empty() {
            continue;
        }
        let text = match text.rsplit_once([',', ' ']) {
            Some((head, last)) if last.starts_with("0x") => {
                format!("{head}{}.", &text[head.len()..head.len() + 1])
            }
            _ => text.to_string(),
        };
        asm.push_str(&z13_spelling(&text));
        asm.push('\n');
        count += 1;
    }
    let src = dir.join("code.s");
    std::fs::write(&src, &asm).unwrap();
    let out = Command::new("s390x-linux-gnu-as")
        .args(["-march=z13", "-o"])
        .arg(dir.join("code.o"))
        .arg(&src)
        .output()
        .expect("s390x-linux-gnu-as runs");
    std::fs::remove_dir_all(&dir).unwrap();
    let errors: Vec<&str> = std::str::from_utf8(&out.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.contains("Error"))
        .take(20)
        .collect();
    assert!(
        out.status.success(),
        "{count} instructions; rejected:\n{}",
        errors.join("\n")
    );
    eprintln!("{count} instructions of {files} run files assemble for the z13");
}

/// `text` with the mnemonics objdump gives z13 instructions since the z14 renamed them
/// spelled the z13 way: VLDE and VLED of the formats the z13 has (the z14 calls them
/// VFLL and VFLR, `vflls`/`vflrd`), VPOPCT of bytes (`vpopctb`). The other element sizes
/// of those instructions keep the z14 names, which the z13 assembler rejects.
fn z13_spelling(text: &str) -> String {
    let (mnemonic, operands) = text.split_once(' ').unwrap_or((text, ""));
    match mnemonic {
        "vflls" => format!("vldeb {operands}"),
        "vflrd" => format!("vledb {operands}"),
        "vpopctb" => format!("vpopct {operands},0"),
        _ => text.to_string(),
    }
}
