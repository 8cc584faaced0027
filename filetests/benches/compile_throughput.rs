//! Compile throughput of the x86-64 backend, in CLIF instructions per second (and of
//! the aarch64 and s390x backends on the real-world corpus, as ratios to x86-64):
//!
//! - generated functions of 1,000 to 100,000 instructions (integer arithmetic, memory,
//!   calls and branches across many blocks), showing how time grows with size;
//! - the run-test corpus of `filetests/suite/runtests`;
//! - the real-world Wasm corpus beside the project (`../shared/bench/clif/*.clif.xz`,
//!   or `GANTRY_BENCH_CLIF`), when present and `xz` is installed;
//!
//! at `opt_level=none` with the backtracking and the single-pass register allocators, and
//! at `opt_level=speed` (with the mid-end: global value numbering),
//! then the peak resident memory of the process. Run with
//! `cargo bench -p gantry-filetests --bench compile_throughput`.

#[path = "common/corpus.rs"]
mod corpus;

use corpus::real_world_paths;
use gantry_codegen::ir::Function;
use gantry_codegen::isa::{self, TargetIsa};
use gantry_codegen::settings;
use std::fmt::Write;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A function of about `n` instructions: blocks of arithmetic on a window of live values,
/// each ending in a conditional branch that passes values on.
fn generated(n: usize) -> String {
    let mut s = String::new();
    let blocks = n.div_ceil(60).max(1);
    s.push_str("function %big(i64, i64, i64) -> i64 {\n    ss0 = explicit_slot 64\n    fn0 = %callee(i64, i64) -> i64\n");
    s.push_str("block0(v0: i64, v1: i64, v2: i64):\n    jump block1(v0, v1, v2)\n");
    let mut v = 3;
    let mut seed = 12345u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for b in 1..=blocks {
        let (a, c, d) = (v, v + 1, v + 2);
        v += 3;
        let _ = writeln!(s, "\nblock{b}(v{a}: i64, v{c}: i64, v{d}: i64):");
        let mut live = vec![a, c, d];
        for i in 0..55 {
            let x = live[(next() % live.len() as u64) as usize];
            let y = live[(next() % live.len() as u64) as usize];
            let line = match (next() % 10, i % 20) {
                (_, 7) => format!("v{v} = call fn0(v{x}, v{y})"),
                (_, 13) => {
                    let _ = writeln!(s, "    v{v} = stack_addr.i64 ss0\n    store v{x}, v{v}+8");
                    v += 1;
                    format!("v{v} = load.i64 v{}+8", v - 1)
                }
                (0, _) => format!("v{v} = iadd v{x}, v{y}"),
                (1, _) => format!("v{v} = isub v{x}, v{y}"),
                (2, _) => format!("v{v} = imul v{x}, v{y}"),
                (3, _) => format!("v{v} = band v{x}, v{y}"),
                (4, _) => format!("v{v} = bor v{x}, v{y}"),
                (5, _) => format!("v{v} = bxor v{x}, v{y}"),
                (6, _) => format!("v{v} = ishl v{x}, v{y}"),
                (7, _) => format!("v{v} = iconst.i64 {}", next() % 1000),
                (8, _) => format!(
                    "v{v} = icmp ult v{x}, v{y}\n    v{} = uextend.i64 v{v}",
                    v + 1
                ),
                _ => format!("v{v} = select v{x}, v{y}, v{x}"),
            };
            if line.contains("uextend") {
                v += 1;
            }
            let _ = writeln!(s, "    {line}");
            live.push(v);
            if live.len() > 12 {
                live.remove((next() % 12) as usize);
            }
            v += 1;
        }
        let (p, q, r) = (live[0], live[live.len() / 2], live[live.len() - 1]);
        if b == blocks {
            let _ = writeln!(s, "    return v{r}");
        } else {
            let target = 1 + (next() as usize % blocks);
            let _ = writeln!(
                s,
                "    brif v{p}, block{}(v{p}, v{q}, v{r}), block{target}(v{q}, v{r}, v{p})",
                b + 1
            );
        }
    }
    s.push_str("}\n\nfunction %callee(i64, i64) -> i64 {\nblock0(v0: i64, v1: i64):\n    v2 = iadd v0, v1\n    return v2\n}\n");
    s
}

/// The x86-64 target with `opt_level=opt` and the given register allocator.
fn target(opt: &str, regalloc: &str) -> Box<dyn TargetIsa> {
    target_for("x86_64", opt, regalloc)
}

/// Target `name` with `opt_level=opt` and the given register allocator.
fn target_for(name: &str, opt: &str, regalloc: &str) -> Box<dyn TargetIsa> {
    let mut b = settings::Builder::new();
    b.set("opt_level", opt).expect("a valid setting");
    b.set("regalloc_algorithm", regalloc)
        .expect("a valid setting");
    b.set("preserve_frame_pointers", "true")
        .expect("a valid setting");
    isa::lookup(name)
        .expect("a known target")
        .finish_with(b.finish())
        .expect("a backend")
}

/// Compiles every function `runs` times; returns the best time and the instruction count.
fn measure(isa: &dyn TargetIsa, funcs: &[Function], runs: usize) -> (Duration, usize) {
    let insts: usize = funcs.iter().map(|f| f.dfg.num_insts()).sum();
    let best = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for f in funcs {
                black_box(isa.compile_function(f).expect("compiles"));
            }
            start.elapsed()
        })
        .min()
        .expect("at least one run");
    (best, insts)
}

fn rate(d: Duration, insts: usize) -> f64 {
    insts as f64 / d.as_secs_f64().max(1e-9)
}

fn parse(text: &str) -> Vec<Function> {
    gantry_reader::parse_test(text)
        .expect("parses")
        .functions
        .into_iter()
        .map(|f| f.func)
        .collect()
}

fn corpus_functions() -> Vec<Function> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("suite/runtests");
    let mut funcs = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).expect("readable");
        // The files for baseline x86-64 whose functions need no settings but the
        // defaults (others need ISA flags, or are for other targets only).
        let baseline = text.lines().any(|l| l.trim() == "target x86_64");
        if baseline && !text.lines().any(|l| l.starts_with("set ")) {
            funcs.extend(parse(&text));
        }
    }
    funcs
}

fn real_world(full: bool) -> Vec<(String, Vec<Function>)> {
    let mut out = Vec::new();
    for path in real_world_paths() {
        let Ok(output) = std::process::Command::new("xz")
            .arg("-dc")
            .arg(&path)
            .output()
        else {
            continue;
        };
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let mut funcs = parse(&text);
        if !full {
            funcs.truncate(50);
        }
        out.push((
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            funcs,
        ));
    }
    out
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// In a child process: what `clif-util compile --set opt_level=speed` does with `path`
/// (read it, then parse, compile and drop one function at a time); prints the peak
/// resident memory in KiB.
fn rss_child(path: &str) {
    let output = std::process::Command::new("xz")
        .arg("-dc")
        .arg(path)
        .output()
        .expect("xz runs");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let isa = target("speed", "backtracking");
    let file = gantry_reader::parse_test_lazily(&text).expect("the headers parse");
    for f in file.functions {
        let f = f.expect("the function parses");
        let mut ctx = gantry_codegen::Context::for_function(f.func);
        let _ = ctx.compile(isa.as_ref());
    }
    println!("{}", peak_rss_kib().unwrap_or(0));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--rss-child") {
        return rss_child(&args[i + 1]);
    }
    // `cargo test --benches` runs this without `--bench`: keep that quick.
    let full = std::env::args().any(|a| a == "--bench");
    let runs = if full { 3 } else { 1 };
    let sizes: &[usize] = if full {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000]
    };
    for (opt, regalloc) in [
        ("none", "backtracking"),
        ("none", "single_pass"),
        ("speed", "backtracking"),
    ] {
        let isa = target(opt, regalloc);
        println!("opt_level={opt} regalloc_algorithm={regalloc}");
        let mut base = None;
        for &n in sizes {
            let funcs = parse(&generated(n));
            let (d, insts) = measure(isa.as_ref(), &funcs, runs);
            let per = d.as_secs_f64() / insts as f64;
            let ratio = base.map_or(1.0, |b: f64| per / b);
            base.get_or_insert(per);
            println!(
                "  generated {insts:>7} insts: {:>8.2} ms, {:>10.0} insts/s, time per instruction x{ratio:.2} of the smallest",
                d.as_secs_f64() * 1e3,
                rate(d, insts)
            );
        }
        let corpus = corpus_functions();
        let (d, insts) = measure(isa.as_ref(), &corpus, runs);
        println!(
            "  run-test corpus ({} functions, {insts} insts): {:.0} insts/s",
            corpus.len(),
            rate(d, insts)
        );
        for (name, funcs) in real_world(full) {
            let (d, insts) = measure(isa.as_ref(), &funcs, 1);
            println!(
                "  {name} ({} functions, {insts} insts): {:.0} insts/s",
                funcs.len(),
                rate(d, insts)
            );
        }
    }
    // aarch64 and s390x against x86-64 on the same functions, at speed, in one run.
    let x64 = target_for("x86_64", "speed", "backtracking");
    for other in ["aarch64", "s390x"] {
        let isa = target_for(other, "speed", "backtracking");
        println!("{other} against x86-64, opt_level=speed");
        for (name, funcs) in real_world(full) {
            let (dx, insts) = measure(x64.as_ref(), &funcs, 1);
            let (d, _) = measure(isa.as_ref(), &funcs, 1);
            println!(
                "  {name}: {other} {:.0} insts/s, x86-64 {:.0} insts/s: throughput ratio {other}/x86-64 {:.3}",
                rate(d, insts),
                rate(dx, insts),
                dx.as_secs_f64() / d.as_secs_f64()
            );
        }
    }
    if let Some(kib) = peak_rss_kib() {
        println!("peak resident memory: {:.1} MiB", kib as f64 / 1024.0);
    }
    // Each real-world file compiled at speed as `clif-util compile` does, in a process of
    // its own so the figure is that file's alone (Cranelift needs 154 MB for the 40 MB
    // file).
    if full {
        for path in real_world_paths() {
            let out = std::process::Command::new(std::env::current_exe().expect("this program"))
                .arg("--rss-child")
                .arg(&path)
                .output()
                .expect("the child runs");
            let kib: f64 = String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .unwrap_or(0.0);
            println!(
                "peak resident memory compiling {} at speed, one function at a time: {:.1} MiB",
                path.file_name().unwrap_or_default().to_string_lossy(),
                kib / 1024.0
            );
        }
    }
}
