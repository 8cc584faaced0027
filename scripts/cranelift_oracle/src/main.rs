//! Reads a CLIF file whose functions carry `; print: %f(args)` lines, evaluates each with
//! the Cranelift interpreter, and writes the file with `; run: %f(args) == results` lines
//! (dropping calls that trap or return a NaN, and functions the interpreter rejects).
//!
//!     cranelift-oracle IN OUT [MAX_DROPPED]
//!
//! Exits with status 1 if more than MAX_DROPPED (a fraction, default 0.05) of the print
//! lines were dropped, a print line does not parse, or nothing was kept: an oracle that
//! silently checks nothing must not pass.
use cranelift_codegen::data_value::DataValue;
use cranelift_interpreter::environment::FunctionStore;
use cranelift_interpreter::interpreter::{Interpreter, InterpreterState};
use cranelift_interpreter::step::ControlFlow;
use cranelift_reader::{parse_run_command, parse_test, ParseOptions, RunCommand};

fn is_nan(v: &DataValue) -> bool {
    match v {
        DataValue::F32(x) => x.is_nan(),
        DataValue::F64(x) => x.is_nan(),
        _ => false,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let test = parse_test(&text, ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut store = FunctionStore::default();
    for (f, _) in &test.functions {
        // Run lines name functions without the `%`, calls with it.
        store.add(f.name.to_string().trim_start_matches('%').to_string(), f);
        store.add(f.name.to_string(), f);
    }
    std::panic::set_hook(Box::new(|_| {}));
    let mut out = String::from("test run\ntarget x86_64\n\n");
    let (mut kept, mut dropped, mut malformed) = (0usize, 0usize, 0usize);
    for (f, details) in &test.functions {
        let mut lines = Vec::new();
        for c in &details.comments {
            let inv = match parse_run_command(c.text, &f.signature) {
                Ok(Some(RunCommand::Print(inv))) => inv,
                Ok(_) => continue,
                Err(e) => {
                    eprintln!("{}: a print line does not parse: {e}", f.name);
                    malformed += 1;
                    continue;
                }
            };
            let state = InterpreterState::default().with_function_store(store.clone());
            let mut interp = Interpreter::new(state).with_fuel(Some(100_000));
            let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                interp.call_by_name(&inv.func, &inv.args)
            }));
            let Ok(res) = res else {
                dropped += 1;
                continue;
            };
            match res {
                Ok(ControlFlow::Return(vals)) if !vals.iter().any(is_nan) => {
                    let vals: Vec<String> = vals.iter().map(|v| v.to_string()).collect();
                    let rhs = if vals.len() == 1 {
                        vals[0].clone()
                    } else {
                        format!("[{}]", vals.join(", "))
                    };
                    lines.push(format!("; run: {inv} == {rhs}"));
                    kept += 1;
                }
                _ => dropped += 1,
            }
        }
        // Functions without run lines stay: others may call them.
        {
            out.push_str(&f.display().to_string());
            for l in lines {
                out.push_str(&l);
                out.push('\n');
            }
            out.push('\n');
        }
    }
    std::fs::write(&args[2], out).unwrap();
    let max: f64 = args.get(3).map_or(0.05, |s| s.parse().expect("MAX_DROPPED is a fraction"));
    let share = dropped as f64 / (kept + dropped).max(1) as f64;
    eprintln!(
        "{kept} run lines, {dropped} dropped ({:.1}%, at most {:.1}% allowed)",
        100.0 * share,
        100.0 * max
    );
    if malformed > 0 || kept == 0 || share > max {
        eprintln!("the oracle checks too little: {malformed} malformed print lines, {kept} kept");
        std::process::exit(1);
    }
}
