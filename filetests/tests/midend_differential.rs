//! The mid-end must not change what a program computes: random loops over a small memory
//! buffer (loads and stores at constant and computed cells, arithmetic, divisions by
//! constants, repeated and loop-invariant work) give the same results at
//! `opt_level=none` and `speed`.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::isa::{self, TargetIsa};
use gantry_filetests::random::Rng;

fn target(opt: &str) -> Box<dyn TargetIsa> {
    let mut b = gantry_codegen::settings::Builder::new();
    b.set("opt_level", opt).unwrap();
    isa::lookup("x86_64")
        .unwrap()
        .finish_with(b.finish())
        .unwrap()
}

/// A random program `%f(i64, i64, i64) -> i64` as CLIF.
fn program(rng: &mut Rng) -> String {
    let mut s = String::from(
        "function %f(i64, i64, i64) -> i64 {\n    ss0 = explicit_slot 64\n\
         block0(v0: i64, v1: i64, v2: i64):\n    v3 = stack_addr.i64 ss0\n",
    );
    for cell in 0..8 {
        s.push_str(&format!("    store v{}, v3+{}\n", cell % 3, cell * 8));
    }
    s.push_str("    v4 = band_imm v2, 15\n    v5 = iconst.i64 0\n    jump block1(v4, v5)\n");
    s.push_str("block1(v6: i64, v7: i64):\n    brif v6, block2, block3\nblock2:\n");
    // Values available in the loop body: arguments, the counter and the accumulator.
    let mut vals: Vec<usize> = vec![0, 1, 2, 6, 7];
    let mut next = 8;
    let pick = |rng: &mut Rng, vals: &Vec<usize>| vals[rng.below(vals.len())];
    for _ in 0..(4 + rng.below(20)) {
        let (a, b) = (pick(rng, &vals), pick(rng, &vals));
        let line = match rng.below(12) {
            0 => format!("load.i64 v3+{}", 8 * rng.below(8)),
            1 => {
                // A computed cell: v3 + ((a & 7) << 3).
                let n = next;
                s.push_str(&format!(
                    "    v{n} = band_imm v{a}, 7\n    v{} = ishl_imm v{n}, 3\n    v{} = iadd v3, v{}\n",
                    n + 1,
                    n + 2,
                    n + 1
                ));
                next += 3;
                format!("load.i64 v{}", n + 2)
            }
            2 => {
                s.push_str(&format!("    store v{a}, v3+{}\n", 8 * rng.below(8)));
                continue;
            }
            3 => format!("iadd v{a}, v{b}"),
            4 => format!("isub v{a}, v{b}"),
            5 => format!("imul v{a}, v{b}"),
            6 => format!("bxor v{a}, v{b}"),
            7 => "imul v0, v1".to_string(),
            8 => {
                let d = [3, 7, 10, 16, 100, 641][rng.below(6)];
                let op = ["udiv", "sdiv", "urem", "srem"][rng.below(4)];
                format!("{op}_imm v{a}, {d}")
            }
            9 => format!("ushr_imm v{a}, {}", rng.below(64)),
            10 => format!("iadd_imm v{a}, {}", rng.below(1000) as i64 - 500),
            _ => format!("band v{a}, v{b}"),
        };
        s.push_str(&format!("    v{next} = {line}\n"));
        vals.push(next);
        next += 1;
    }
    let acc = pick(rng, &vals);
    s.push_str(&format!(
        "    v{next} = iadd v7, v{acc}\n    v{} = iadd_imm v6, -1\n    jump block1(v{}, v{next})\n",
        next + 1,
        next + 1
    ));
    s.push_str(&format!(
        "block3:\n    v{} = load.i64 v3+{}\n    v{} = bxor v7, v{}\n    return v{}\n}}\n",
        next + 2,
        8 * rng.below(8),
        next + 3,
        next + 2,
        next + 3
    ));
    s
}

#[test]
fn random_memory_programs_agree_at_every_opt_level() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let (none, speed) = (target("none"), target("speed"));
    let cases: u64 = std::env::var("MIDEND_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    for seed in 0..cases {
        let mut rng = Rng::new(seed);
        let text = program(&mut rng);
        let f = gantry_reader::parse_functions(&text)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"))
            .remove(0);
        for args in [[3i64, -5, 7], [0, 1, 15], [i64::MIN, i64::MAX, 12]] {
            let args: Vec<DataValue> = args.iter().map(|&a| DataValue::I64(a)).collect();
            let want = gantry_filetests::run::compile_and_call(none.as_ref(), &f, &args)
                .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
            let got = gantry_filetests::run::compile_and_call(speed.as_ref(), &f, &args)
                .unwrap_or_else(|e| panic!("seed {seed} at speed: {e}\n{text}"));
            assert_eq!(got, want, "seed {seed}, args {args:?}\n{text}");
        }
    }
    eprintln!("{cases} random memory programs compiled and run at none and speed, 3 inputs each");
}
