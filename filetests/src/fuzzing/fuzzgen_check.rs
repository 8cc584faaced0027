//! The differential checks on [`crate::fuzzgen`] cases: the interpreter's result of each
//! case against the code a backend compiled (natively on x86-64, under qemu for aarch64
//! and s390x, many cases per process): the same values, or the same trap.

use crate::fuzzgen::{TestCase, generate};
use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::Function;
use gantry_interpreter::{InterpError, Interpreter};

/// What a batch of cases gave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Cases whose values agreed.
    pub values: usize,
    /// Cases that trapped alike.
    pub traps: usize,
    /// Cases not compared: the interpreter ran out of steps, or the backend did not
    /// compile a function (a typed error).
    pub skipped: usize,
}

/// Whether the host has x86-64 ISA flag `flag` (for native runs).
fn host_has(flag: &str) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        match flag {
            "has_sse41" => std::is_x86_feature_detected!("sse4.1"),
            "has_avx" => std::is_x86_feature_detected!("avx"),
            "has_avx2" => std::is_x86_feature_detected!("avx2"),
            "has_fma" => std::is_x86_feature_detected!("fma"),
            "has_bmi1" => std::is_x86_feature_detected!("bmi1"),
            "has_bmi2" => std::is_x86_feature_detected!("bmi2"),
            "has_lzcnt" => std::is_x86_feature_detected!("lzcnt"),
            "has_popcnt" => std::is_x86_feature_detected!("popcnt"),
            _ => false,
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = flag;
        false
    }
}

/// The interpreter's outcome of `case`: its values, its trap, or `None` when it did not
/// finish within its steps.
fn interpret(case: &TestCase) -> Option<Result<Vec<DataValue>, String>> {
    let funcs: Vec<&Function> = case.functions.iter().collect();
    match Interpreter::new(funcs)
        .with_step_limit(2_000_000)
        .call(&case.entry(), &case.args)
    {
        Ok(v) => Some(Ok(v)),
        Err(InterpError::Trap(code)) => Some(Err(code.to_string())),
        Err(InterpError::Timeout) => None,
        Err(e) => panic!(
            "the interpreter failed on a valid case: {e}\n{}",
            case.functions_text()
        ),
    }
}

/// The cases `inputs` choose, each verified, interpreted, compiled for `isa_name` with
/// the first case's settings and run (one process for all on qemu), compared.
///
/// # Panics
/// On a generated function the verifier rejects, or a disagreement.
pub fn check_fuzzgen_inputs(isa_name: &str, inputs: &[Vec<u8>]) -> Counts {
    let mut counts = Counts::default();
    let mut cases = Vec::new();
    for (k, bytes) in inputs.iter().enumerate() {
        let mut u = arbitrary::Unstructured::new(bytes);
        let Ok(case) = generate(&mut u, &format!("c{k}_")) else {
            continue;
        };
        for f in &case.functions {
            if let Err(e) = gantry_codegen::verifier::verify_function(f) {
                panic!("fuzzgen made an invalid function:\n{e}\n{f}");
            }
        }
        match interpret(&case) {
            Some(expected) => cases.push((case, expected)),
            None => counts.skipped += 1,
        }
    }
    let Some((first, _)) = cases.first() else {
        return counts;
    };
    let flags = first.isa_flags(isa_name, host_has);
    let mut text = first.header(isa_name, &flags);
    for (case, _) in &cases {
        text += &case.functions_text();
    }
    let file = gantry_reader::parse_test(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut builder = gantry_codegen::isa::lookup(isa_name).expect("a known ISA");
    for f in &flags {
        builder.apply(f).expect("a flag of the ISA");
    }
    let mut shared = gantry_codegen::settings::Builder::new();
    shared.set("opt_level", first.opt_level).expect("a setting");
    let isa = builder
        .finish_with(shared.finish())
        .expect("the ISA builds");
    let calls: Vec<(String, Vec<DataValue>)> = cases
        .iter()
        .map(|(c, _)| (c.entry(), c.args.clone()))
        .collect();
    let outcomes = crate::run::call_functions(&file, isa.as_ref(), &calls)
        .unwrap_or_else(|e| panic!("the batch did not run: {e}"));
    for ((case, expected), got) in cases.iter().zip(outcomes) {
        match (expected, got) {
            (Ok(want), Ok(got)) => {
                let same = want.len() == got.len()
                    && want.iter().zip(&got).all(|(a, b)| a.eq_or_both_nan(b));
                assert!(
                    same,
                    "{isa_name}: compiled {got:?}, interpreted {want:?} for {:?}\n{}{}",
                    case.args,
                    case.header(isa_name, &flags),
                    case.functions_text()
                );
                counts.values += 1;
            }
            (Err(code), Err(why)) if why.contains("trap") => {
                assert!(
                    why.contains(code.as_str()),
                    "{isa_name}: compiled {why}, interpreted trap {code}\n{}",
                    case.functions_text()
                );
                counts.traps += 1;
            }
            (_, Err(why)) if !why.contains("trap") && !why.contains("signal") => {
                // A function this backend does not compile (a typed error).
                if std::env::var("FUZZGEN_SKIPS").is_ok() {
                    eprintln!("skip on {isa_name}: {why}");
                }
                counts.skipped += 1;
            }
            (want, got) => panic!(
                "{isa_name}: compiled {got:?}, interpreted {want:?} for {:?}\n{}{}",
                case.args,
                case.header(isa_name, &flags),
                case.functions_text()
            ),
        }
    }
    counts
}

/// `opt_equivalence` on a `fuzzgen` case: the interpreter gives the same values (or
/// trap) before and after the mid-end (`opt_level=speed`) optimizes every function.
///
/// # Panics
/// On a difference, or a function the verifier rejects.
pub fn check_fuzzgen_opt_equivalence(bytes: &[u8]) {
    let mut u = arbitrary::Unstructured::new(bytes);
    let Ok(case) = generate(&mut u, "") else {
        return;
    };
    let mut shared = gantry_codegen::settings::Builder::new();
    shared.set("opt_level", "speed").expect("a setting");
    let flags = shared.finish();
    let mut optimized = case.clone();
    for f in &mut optimized.functions {
        if let Err(e) = gantry_codegen::verifier::verify_function(f) {
            panic!("fuzzgen made an invalid function:\n{e}\n{f}");
        }
        let stencil = gantry_codegen::opts::optimize(&f.stencil, &flags, None)
            .unwrap_or_else(|e| panic!("the mid-end failed: {e}\n{f}"))
            .into_owned();
        f.stencil = stencil;
    }
    match (interpret(&case), interpret(&optimized)) {
        (Some(Ok(a)), Some(Ok(b))) => {
            let same = a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.eq_or_both_nan(y));
            assert!(
                same,
                "before {a:?}, after {b:?}\n{}\n{}",
                case.functions_text(),
                optimized.functions_text()
            );
        }
        (Some(Err(a)), Some(Err(b))) => assert_eq!(a, b, "{}", case.functions_text()),
        // The mid-end may remove work that ran out of steps.
        (None, _) | (_, None) => {}
        (a, b) => panic!(
            "before {a:?}, after {b:?}\n{}\n{}",
            case.functions_text(),
            optimized.functions_text()
        ),
    }
}

/// `interpret` on a `fuzzgen` case: the interpreter runs it to values, a trap or its
/// step limit, never to another error or a panic.
///
/// # Panics
/// When it does (the fuzzer's finding).
pub fn check_fuzzgen_interpret(bytes: &[u8]) {
    let mut u = arbitrary::Unstructured::new(bytes);
    if let Ok(case) = generate(&mut u, "") {
        let _ = interpret(&case);
    }
}
