//! Run time of generated code: small kernels (each a loop of `n` iterations, written in
//! CLIF below) compiled for the host at `opt_level=none` and `speed`, timed by calling
//! them through the runner; the report gives milliseconds and the ratio none/speed.
//! Run with `cargo bench -p gantry-filetests --bench runtime`.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::isa::{self, TargetIsa};
use gantry_codegen::settings;
use std::time::{Duration, Instant};

/// (name, CLIF of `%kernel(i64 n) -> i64`)
const KERNELS: &[(&str, &str)] = &[
    (
        "divide by constants",
        "function %kernel(i64) -> i64 {
block0(v0: i64):
    v1 = iconst.i64 0
    jump block1(v0, v1)
block1(v2: i64, v3: i64):
    brif v2, block2, block3
block2:
    v4 = imul_imm v2, 7
    v5 = udiv_imm v4, 10
    v6 = srem_imm v2, 13
    v7 = iadd v5, v6
    v8 = iadd v3, v7
    v9 = iadd_imm v2, -1
    jump block1(v9, v8)
block3:
    return v3
}",
    ),
    (
        "memory through a base and index",
        "function %kernel(i64) -> i64 {
    ss0 = explicit_slot 64
block0(v0: i64):
    v1 = stack_addr.i64 ss0
    v2 = iconst.i64 0
    store v2, v1
    store v2, v1+8
    store v2, v1+16
    store v2, v1+24
    store v2, v1+32
    store v2, v1+40
    store v2, v1+48
    store v2, v1+56
    jump block1(v0)
block1(v3: i64):
    brif v3, block2, block3
block2:
    v4 = band_imm v3, 7
    v5 = ishl_imm v4, 3
    v6 = iadd v1, v5
    v7 = load.i64 v6
    v8 = iadd v7, v3
    store v8, v6
    v9 = iadd_imm v3, -1
    jump block1(v9)
block3:
    v10 = load.i64 v1
    v11 = load.i64 v1+56
    v12 = iadd v10, v11
    return v12
}",
    ),
    (
        "repeated and invariant work",
        "function %kernel(i64) -> i64 {
block0(v0: i64):
    v1 = iconst.i64 0
    jump block1(v0, v1)
block1(v2: i64, v3: i64):
    brif v2, block2, block3
block2:
    v4 = imul v0, v0
    v5 = imul v0, v0
    v6 = bxor v4, v5
    v7 = iadd v6, v2
    v8 = imul v0, v0
    v9 = iadd v7, v8
    v10 = iadd v3, v9
    v11 = iadd_imm v2, -1
    jump block1(v11, v10)
block3:
    return v3
}",
    ),
    (
        "compares and selects",
        "function %kernel(i64) -> i64 {
block0(v0: i64):
    v1 = iconst.i64 0
    jump block1(v0, v1)
block1(v2: i64, v3: i64):
    brif v2, block2, block3
block2:
    v4 = band_imm v2, 255
    v5 = icmp_imm ult v4, 100
    v6 = uextend.i64 v5
    v7 = select v6, v4, v3
    v8 = icmp sgt v7, v3
    v9 = select v8, v7, v2
    v10 = iadd v3, v9
    v11 = iadd_imm v2, -1
    jump block1(v11, v10)
block3:
    return v3
}",
    ),
];

fn target(opt: &str) -> Box<dyn TargetIsa> {
    let mut b = settings::Builder::new();
    b.set("opt_level", opt).expect("a valid setting");
    isa::lookup("x86_64")
        .expect("x86_64 is known")
        .finish_with(b.finish())
        .expect("the x86-64 backend exists")
}

/// The best of `runs` timed calls of the kernel with `n` iterations, and its result.
fn time(isa: &dyn TargetIsa, text: &str, n: i64, runs: u32) -> (Duration, Vec<DataValue>) {
    let func = gantry_reader::parse_functions(text).expect("the kernel parses")[0].clone();
    let mut best = Duration::MAX;
    let mut result = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        result = gantry_filetests::run::compile_and_call(isa, &func, &[DataValue::I64(n)])
            .expect("the kernel runs");
        best = best.min(start.elapsed());
    }
    (best, result)
}

fn main() {
    if !gantry_filetests::run::host_runs(std::env::consts::ARCH) {
        println!("the host cannot run x86-64 code: nothing to measure");
        return;
    }
    // `cargo test --benches` runs this without `--bench`: keep that quick.
    let full = std::env::args().any(|a| a == "--bench");
    let (n, runs) = if full { (200_000_000, 3) } else { (1_000, 1) };
    let (none, speed) = (target("none"), target("speed"));
    println!("{n} iterations per kernel (best of {runs}; includes compiling, well under 1 ms)");
    for (name, text) in KERNELS {
        let (t0, r0) = time(none.as_ref(), text, n, runs);
        let (t1, r1) = time(speed.as_ref(), text, n, runs);
        assert_eq!(r0, r1, "{name}: opt_level=none and speed disagree");
        println!(
            "  {name:32} none {:8.1} ms   speed {:8.1} ms   none/speed x{:.2}",
            t0.as_secs_f64() * 1e3,
            t1.as_secs_f64() * 1e3,
            t0.as_secs_f64() / t1.as_secs_f64()
        );
    }
}
