//! The interpreter's fuzz checks on generated functions: it never panics and respects its
//! step limit (`interpret`), agrees with compiled x86-64 code (`differential`), and gives
//! the same results before and after the mid-end (`opt_equivalence`).

use crate::random::{Rng, random_function};
use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::{Function, Opcode, UserFuncName};
use gantry_codegen::settings::{self, Flags};
use gantry_interpreter::{InterpError, Interpreter};

/// The generated function `bytes` choose, named `%f`, and arguments for it.
fn case(bytes: &[u8]) -> (Function, Vec<DataValue>) {
    let seed = crate::random::seed_of(bytes, 0x243f_6a88_85a3_08d3);
    let mut func = random_function(seed);
    func.name = UserFuncName::testcase("f");
    let mut rng = Rng::new(seed ^ 0x5bd1_e995);
    let args = func
        .signature
        .params
        .iter()
        .map(|p| {
            let x = rng.next_u64() as i128;
            let x = if rng.one_in(3) { x % 7 } else { x };
            DataValue::from_integer(x, p.value_type)
                .or_else(|| DataValue::from_le_slot(&(x as u128).to_le_bytes(), p.value_type))
                .expect("a scalar type")
        })
        .collect();
    (func, args)
}

/// Runs `func` in the interpreter with at most `steps` steps.
fn interpret(
    func: &Function,
    args: &[DataValue],
    steps: u64,
) -> Result<Vec<DataValue>, InterpError> {
    Interpreter::new([func])
        .with_step_limit(steps)
        .call("f", args)
}

/// Whether two result lists are equal, any NaN equal to any NaN.
fn same(a: &[DataValue], b: &[DataValue]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_or_both_nan(y))
}

/// Whether `func` takes addresses, whose values differ between the interpreter (its own
/// fake ones) and compiled code.
fn takes_addresses(func: &Function) -> bool {
    func.layout.blocks().any(|b| {
        func.layout.block_insts(b).any(|i| {
            matches!(
                func.dfg.insts[i].opcode(),
                Opcode::StackAddr
                    | Opcode::FuncAddr
                    | Opcode::SymbolValue
                    | Opcode::TlsValue
                    | Opcode::GetFramePointer
                    | Opcode::GetStackPointer
                    | Opcode::GetReturnAddress
            )
        })
    })
}

/// `interpret`: the interpreter on a generated function never panics, and a run that
/// does not finish ends with `Timeout` within its step limit.
///
/// # Panics
/// When the interpreter panics (the fuzzer's finding).
pub fn check_interpret_input(bytes: &[u8]) {
    let (func, args) = case(bytes);
    let _ = interpret(&func, &args, 100_000);
}

/// What [`check_differential_input`] saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compared {
    /// Both returned the same values.
    Values,
    /// Both trapped with the same code.
    Traps,
    /// Not comparable (addresses, calls out of the function, an endless loop).
    Skipped,
}

/// `differential`: the interpreter and compiled x86-64 code (on this host) agree on a
/// generated function: the same values, or the same trap.
///
/// # Panics
/// On a disagreement.
pub fn check_differential_input(bytes: &[u8]) -> Compared {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Compared::Skipped;
    }
    let (func, args) = case(bytes);
    if takes_addresses(&func) {
        return Compared::Skipped;
    }
    // Generated loops may not end: compiled code stops early too (and is skipped).
    crate::run::set_time_limit(std::time::Duration::from_millis(200));
    let isa = gantry_codegen::isa::lookup("x86_64")
        .and_then(|b| b.finish_with(Flags::default()))
        .expect("x86_64");
    let native = crate::run::compile_and_call(isa.as_ref(), &func, &args);
    let interpreted = interpret(&func, &args, 1_000_000);
    match (native, interpreted) {
        (Ok(n), Ok(i)) => {
            assert!(same(&n, &i), "compiled {n:?}, interpreted {i:?}\n{func}");
            Compared::Values
        }
        (Err(n), Err(InterpError::Trap(code))) if n.contains("trap") => {
            assert!(
                n.contains(&code.to_string()),
                "compiled {n}, interpreted trap {code}\n{func}"
            );
            Compared::Traps
        }
        (Err(n), i) if n.contains("trap") => {
            panic!("compiled {n}, interpreted {i:?}\n{func}")
        }
        (Ok(n), Err(InterpError::Trap(code))) => {
            panic!("compiled {n:?}, interpreted trap {code}\n{func}")
        }
        _ => Compared::Skipped,
    }
}

/// `opt_equivalence`: interpreting a generated function before and after the mid-end
/// (`opt_level=speed`) gives the same values or the same trap.
///
/// # Panics
/// On a difference.
pub fn check_opt_equivalence_input(bytes: &[u8]) {
    let (func, args) = case(bytes);
    if gantry_codegen::verifier::verify_function(&func).is_err() {
        return;
    }
    let mut shared = settings::Builder::new();
    shared.set("opt_level", "speed").expect("a setting");
    let Ok(optimized) = gantry_codegen::opts::optimize(&func.stencil, &shared.finish(), None)
    else {
        return;
    };
    let after = Function {
        name: func.name.clone(),
        stencil: optimized.into_owned(),
        params: func.params.clone(),
    };
    let steps = 1_000_000;
    match (
        interpret(&func, &args, steps),
        interpret(&after, &args, steps),
    ) {
        (Ok(a), Ok(b)) => assert!(same(&a, &b), "before {a:?}, after {b:?}\n{func}\n{after}"),
        (Err(InterpError::Trap(a)), Err(InterpError::Trap(b))) => {
            assert_eq!(a, b, "{func}\n{after}")
        }
        // The mid-end may remove work that would have run out of steps, or a trap-free
        // computation whose result is unused; anything else is a difference.
        (Err(InterpError::Timeout), _) | (_, Err(InterpError::Timeout)) => {}
        (Err(a), Err(b)) if a == b => {}
        (a, b) => panic!("before {a:?}, after {b:?}\n{func}\n{after}"),
    }
}

/// `differential_qemu`: the functions `inputs` choose, compiled for `isa` (`aarch64` or
/// `s390x`) and run under qemu in one process, return what the interpreter computes.
/// Functions that take addresses, trap, do not finish in the interpreter, or refer to
/// functions outside themselves are left out. Returns how many were compared.
///
/// # Panics
/// On a disagreement, or when the batch cannot run (qemu or the cross compiler missing).
pub fn check_differential_qemu_inputs(isa_name: &str, inputs: &[Vec<u8>]) -> usize {
    use core::fmt::Write;
    let isa = gantry_codegen::isa::lookup(isa_name)
        .and_then(|b| b.finish_with(Flags::default()))
        .expect("a known ISA");
    let mut text = format!("test run\ntarget {isa_name}\n\n");
    let mut compared = 0;
    for (k, bytes) in inputs.iter().enumerate() {
        let (mut func, args) = case(bytes);
        let name = format!("f{k}");
        func.name = UserFuncName::testcase(&name);
        if takes_addresses(&func) {
            continue;
        }
        let Ok(results) = Interpreter::new([&func])
            .with_step_limit(1_000_000)
            .call(&name, &args)
        else {
            continue;
        };
        // Only functions that compile alone: no reference out of the function.
        let Ok(code) = isa.compile_function(&func) else {
            continue;
        };
        if !code.relocs.is_empty() {
            continue;
        }
        let list = |v: &[DataValue]| {
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let expected = match results.len() {
            0 => continue, // nothing to compare
            1 => list(&results),
            _ => format!("[{}]", list(&results)),
        };
        let _ = writeln!(
            text,
            "{func}; run: %{name}({}) == {expected}\n",
            list(&args)
        );
        compared += 1;
    }
    if compared == 0 {
        return 0;
    }
    let file = gantry_reader::parse_test(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let counts = crate::run::run_with(&file, isa.as_ref(), false)
        .unwrap_or_else(|e| panic!("the batch did not run: {e}"));
    assert!(
        counts.failures.is_empty(),
        "{isa_name} disagrees with the interpreter:\n{}\n{text}",
        counts.failures.join("\n")
    );
    compared
}
