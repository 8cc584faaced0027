//! Reader and verifier throughput on a generated 10 MB `.clif` file: functions per second
//! and megabytes per second for parsing, verifying, and both.
//!
//! Run with `cargo bench -p gantry-filetests`. Each figure is the best of several runs.

use gantry_codegen::verifier::verify_function;
use gantry_filetests::random::random_function;
use gantry_reader::parse_functions;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: keep that quick.
    let full = std::env::args().any(|a| a == "--bench");
    let target_bytes = if full { 10 << 20 } else { 256 << 10 };
    let runs = if full { 5 } else { 1 };
    let mut text = String::new();
    let mut seed = 0;
    while text.len() < target_bytes {
        text.push_str(&random_function(seed).to_string());
        text.push('\n');
        seed += 1;
    }
    let mb = text.len() as f64 / (1 << 20) as f64;
    let funcs = parse_functions(&text).expect("generated text parses");
    let n = funcs.len() as f64;
    let parse = best(runs, || parse_functions(&text).expect("parses"));
    let verify = best(runs, || funcs.iter().all(|f| verify_function(f).is_ok()));
    assert!(
        funcs.iter().all(|f| verify_function(f).is_ok()),
        "generated functions verify"
    );
    let both = parse + verify;
    println!("reader+verifier on {mb:.1} MB of CLIF, {n} functions (best of {runs})");
    println!(
        "{:<10} {:>10} {:>14} {:>10}",
        "stage", "seconds", "functions/s", "MB/s"
    );
    for (name, d) in [("parse", parse), ("verify", verify), ("both", both)] {
        let s = d.as_secs_f64();
        println!("{name:<10} {s:>10.3} {:>14.0} {:>10.1}", n / s, mb / s);
    }
}
