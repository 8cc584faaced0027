//! `gantry-bf`: run a Brainfuck program with the JIT, build it into an executable, or
//! measure compile and run time.

use std::process::ExitCode;
use std::time::Instant;

fn usage() -> ExitCode {
    eprintln!("usage: gantry-bf run FILE | gantry-bf build FILE -o OUT | gantry-bf bench FILE");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(cmd), Some(file)) = (args.first(), args.get(1)) else {
        return usage();
    };
    let source = match std::fs::read(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cmd.as_str() {
        "run" => gantry_bf::run_jit(&source),
        "build" => match (args.get(2).map(String::as_str), args.get(3)) {
            (Some("-o"), Some(out)) => gantry_bf::build_executable(&source, out.as_ref()),
            _ => return usage(),
        },
        "bench" => bench(&source),
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{file}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the compile time (parse + CLIF + machine code + linking in memory) and the run
/// time of the JIT-compiled program (its output goes to standard output).
fn bench(source: &[u8]) -> Result<(), gantry_bf::Error> {
    let start = Instant::now();
    let object = gantry_bf::compile_object(source)?;
    let compile = start.elapsed();
    let start = Instant::now();
    gantry_bf::run_jit(source)?;
    let total = start.elapsed();
    eprintln!(
        "compile (to an object, {} bytes): {:.2} ms; JIT compile + run: {:.2} ms",
        object.len(),
        compile.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3
    );
    Ok(())
}
