//! The fuzz target's property on a fixed set of random inputs (stable toolchain): the
//! compiler never panics on mutated valid programs or random bytes. `FUZZ_CASES` sets
//! how many, `FUZZ_SEED` which.

use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn programs() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["tests/run", "tests/fail"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for p in paths
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "isle"))
        {
            out.push(std::fs::read_to_string(p).unwrap());
        }
    }
    out
}

const PIECES: &[&str] = &[
    "(",
    ")",
    "(rule ",
    "(decl ",
    "(type ",
    "(extern constructor ",
    "(extern extractor ",
    "(extractor ",
    "_",
    "x",
    "x @ ",
    "(and ",
    "(if-let ",
    "(if ",
    "(let ((",
    "u32",
    "#t",
    "$C",
    "0x",
    "-1",
    "multi ",
    "partial ",
    "pure ",
    "rec ",
    "Enum.Variant",
    "(convert ",
    "(overlap-ok ",
    "1",
    "99",
    "\n",
    " ",
    ";",
];

#[test]
fn compiler_survives_mutated_programs() {
    let progs = programs();
    let mut rng = Rng(env("FUZZ_SEED", 0) ^ 0x1515);
    for _ in 0..env("FUZZ_CASES", 2_000) {
        let base = progs[rng.below(progs.len())].as_bytes().to_vec();
        let mut text = base;
        for _ in 0..1 + rng.below(3) {
            let a = rng.below(text.len() + 1);
            let b = (a + rng.below(12)).min(text.len());
            match rng.below(3) {
                0 => {
                    text.drain(a..b);
                }
                1 => {
                    let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                    text.splice(a..b, piece.iter().copied());
                }
                _ => {
                    let dup: Vec<u8> = text[a..b].to_vec();
                    text.splice(a..a, dup);
                }
            }
        }
        let text = String::from_utf8_lossy(&text).into_owned();
        let _ = gantry_isle::compile(&[("m.isle".into(), text)]);
    }
}

#[test]
fn compiler_survives_random_bytes() {
    let mut rng = Rng(env("FUZZ_SEED", 0) ^ 0x2626);
    for _ in 0..env("FUZZ_CASES", 2_000) {
        let len = rng.below(120);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = gantry_isle::compile(&[(
            "r.isle".into(),
            String::from_utf8_lossy(&bytes).into_owned(),
        )]);
    }
}
