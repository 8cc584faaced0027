//! Compile time of generated rule sets from 500 to 5,000 rules, to show it grows about
//! linearly. Run with `cargo bench -p gantry-isle`; each time is the best of 3.
//!
//! The rule sets look like lowering rules: terms of 100 rules each, matching an enum
//! variant, a constant and an extractor, with priorities.

use std::time::{Duration, Instant};

fn program(rules: usize) -> String {
    let mut s = String::from("(type u32 (primitive u32))\n(type Op (enum");
    for v in 0..20 {
        s.push_str(&format!(" (V{v} (a u32) (b u32))"));
    }
    s.push_str("))\n(decl k (u32 u32) u32)\n(extern constructor k k)\n");
    s.push_str("(decl small (u32) u32)\n(extern extractor small small)\n");
    let terms = rules.div_ceil(100);
    for t in 0..terms {
        s.push_str(&format!("(decl t{t} (Op u32) u32)\n"));
        for r in 0..100.min(rules - t * 100) {
            let (v, c) = (r % 20, r / 20);
            if r % 3 == 0 {
                s.push_str(&format!(
                    "(rule 1 (t{t} (Op.V{v} (small a) b) {c}) (k a b))\n"
                ));
            } else {
                s.push_str(&format!("(rule (t{t} (Op.V{v} a _b) {c}) (k a {r}))\n"));
            }
        }
    }
    s
}

fn best(f: impl Fn()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("three runs")
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if quick {
        &[50, 100]
    } else {
        &[500, 1000, 2000, 5000]
    };
    println!(
        "{:>7} {:>12} {:>14} {:>22}",
        "rules", "compile ms", "us per rule", "per-rule vs smallest"
    );
    let mut base = None;
    for &n in sizes {
        let text = program(n);
        let d = best(|| {
            gantry_isle::compile(&[("bench.isle".into(), text.clone())])
                .expect("the generated program compiles");
        });
        let per_rule = d.as_secs_f64() * 1e6 / n as f64;
        let b = *base.get_or_insert(per_rule);
        println!(
            "{n:>7} {:>12.1} {per_rule:>14.1} {:>22.2}",
            d.as_secs_f64() * 1e3,
            per_rule / b
        );
    }
    println!("near-linear growth keeps the last column close to 1.00");
}
