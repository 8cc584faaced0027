//! The fuzz targets' checks on a fixed set of random inputs, so the stable toolchain
//! exercises them on every test run (`FUZZ_CASES` changes how many, `FUZZ_SEED` which).

use gantry_filetests::fuzzing::{
    Compared, check_cache_input, check_differential_input, check_differential_qemu_inputs,
    check_fuzzgen_inputs, check_interpret_input, check_opt_equivalence_input, check_reader_input,
    check_verifier_input,
};
use gantry_filetests::random::{Rng, random_function};
use std::path::Path;

/// Mixed into every generator seed; `FUZZ_SEED` explores other inputs.
fn seed(base: u64) -> u64 {
    base ^ std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0u64)
}

fn cases() -> u64 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3_000)
}

/// Texts to mutate: the corpus files and some random functions.
fn seeds() -> Vec<String> {
    let mut texts = Vec::new();
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("suite");
    let mut stack = vec![suite];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("suite is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "clif") {
                texts.push(std::fs::read_to_string(&path).expect("readable"));
            }
        }
    }
    texts.sort();
    texts.extend((0..20).map(|s| random_function(s).to_string()));
    texts
}

/// One random edit of `text`: delete, duplicate or replace a span, or insert a token.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return String::new();
    }
    let a = rng.below(bytes.len());
    let b = (a + rng.below(16)).min(bytes.len());
    const PIECES: &[&str] = &[
        "v0", "v99999", "block0", "block7", ",", "(", ")", "[", "]", "=", ".i32", ".i128", "0x",
        "-", "+", "iadd", "jump", "brif", "return", "\n", " ", ";", "@", "%", "fn0", "sig0", "ss0",
        "gv0", "\"", "0x1.8p3", "NaN:", "i8x16", "ret0", "exn0", "tag1:", "{", "}", "region0",
        "const0", "dt0", "-1",
    ];
    let mut out = Vec::with_capacity(bytes.len() + 16);
    match rng.below(4) {
        0 => {
            out.extend_from_slice(&bytes[..a]);
            out.extend_from_slice(&bytes[b..]);
        }
        1 => {
            out.extend_from_slice(&bytes[..b]);
            out.extend_from_slice(&bytes[a..]);
        }
        2 => {
            out.extend_from_slice(&bytes[..a]);
            out.extend_from_slice(PIECES[rng.below(PIECES.len())].as_bytes());
            out.extend_from_slice(&bytes[b..]);
        }
        _ => {
            out.extend_from_slice(&bytes[..a]);
            out.push(rng.next_u64() as u8);
            out.extend_from_slice(&bytes[a..]);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn reader_survives_mutated_inputs() {
    let texts = seeds();
    let mut rng = Rng::new(seed(0x1234));
    for _ in 0..cases() {
        let mut text = texts[rng.below(texts.len())].clone();
        for _ in 0..1 + rng.below(4) {
            text = mutate(&text, &mut rng);
        }
        check_reader_input(&text);
    }
}

#[test]
fn reader_survives_random_bytes() {
    let mut rng = Rng::new(seed(0x9876));
    for _ in 0..cases() {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        check_reader_input(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn verifier_survives_damaged_functions() {
    let mut rng = Rng::new(seed(0x4242));
    for _ in 0..cases() {
        let len = rng.below(20);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        check_verifier_input(&bytes);
    }
}

#[test]
fn the_cache_hits_exactly_when_it_may() {
    let mut rng = Rng::new(seed(0x7777));
    let (mut compiled, mut params_mattered) = (0, 0);
    let n = (cases() / 10).max(1);
    for _ in 0..n {
        let len = 1 + rng.below(16);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let case = check_cache_input(&bytes);
        compiled += u64::from(case.compiled);
        params_mattered += u64::from(case.params_mattered);
    }
    // Most functions compile, and for many the new parameters change the finalized
    // code's relocations or source locations (so comparing them can fail).
    assert!(compiled * 10 >= n * 8, "{compiled} of {n} compiled");
    assert!(
        params_mattered * 3 >= compiled,
        "{params_mattered} of {compiled}"
    );
}

/// Random input bytes for the generated-function checks.
fn inputs(salt: u64, n: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed(salt));
    (0..n)
        .map(|_| {
            let len = 1 + rng.below(16);
            (0..len).map(|_| rng.next_u64() as u8).collect()
        })
        .collect()
}

#[test]
fn the_interpreter_never_panics() {
    for bytes in inputs(0x1111, cases() / 3) {
        check_interpret_input(&bytes);
    }
}

#[test]
fn the_interpreter_agrees_with_compiled_code() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let (mut values, mut traps) = (0, 0);
    for bytes in inputs(0x2222, cases() / 6) {
        match check_differential_input(&bytes) {
            Compared::Values => values += 1,
            Compared::Traps => traps += 1,
            Compared::Skipped => {}
        }
    }
    // Enough comparable cases that the check means something.
    assert!(
        values * 10 >= cases() / 6 && traps > 0,
        "{values} values, {traps} traps"
    );
}

#[test]
fn the_mid_end_keeps_what_the_interpreter_computes() {
    for bytes in inputs(0x3333, cases() / 3) {
        check_opt_equivalence_input(&bytes);
    }
}

#[test]
fn the_interpreter_agrees_with_aarch64_and_s390x_code() {
    // One qemu process per ISA for the whole batch. (Most generated functions take
    // addresses or call out of themselves: a few in a hundred are comparable.)
    let inputs = inputs(0x4444, cases());
    for isa in ["aarch64", "s390x"] {
        let compared = check_differential_qemu_inputs(isa, &inputs);
        assert!(
            compared * 100 >= inputs.len(),
            "{isa}: only {compared} compared"
        );
    }
}

/// Longer random inputs for `fuzzgen` (whose cases grow with the bytes).
fn long_inputs(salt: u64, n: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed(salt));
    (0..n)
        .map(|_| {
            let len = 64 + rng.below(1024);
            (0..len).map(|_| rng.next_u64() as u8).collect()
        })
        .collect()
}

#[test]
fn the_interpreter_never_panics_on_fuzzgen_cases() {
    for bytes in long_inputs(0x7777, cases() / 3) {
        gantry_filetests::fuzzing::check_fuzzgen_interpret(&bytes);
    }
}

#[test]
fn the_mid_end_keeps_what_the_interpreter_computes_on_fuzzgen_cases() {
    for bytes in long_inputs(0x6666, cases() / 3) {
        gantry_filetests::fuzzing::check_fuzzgen_opt_equivalence(&bytes);
    }
}

#[test]
fn fuzzgen_cases_agree_with_every_backend() {
    // One batch (and on qemu one process) per ISA, in chunks so a failure names its case.
    let inputs = long_inputs(0x5555, cases() / 2);
    for isa in ["x86_64", "aarch64", "s390x"] {
        if isa == "x86_64" && !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            continue;
        }
        let mut total = gantry_filetests::fuzzing::Counts::default();
        for chunk in inputs.chunks(50) {
            let c = check_fuzzgen_inputs(isa, chunk);
            total.values += c.values;
            total.traps += c.traps;
            total.skipped += c.skipped;
        }
        eprintln!("fuzzgen on {isa}: {total:?}");
        assert!(
            total.values * 2 >= inputs.len() && total.traps > 0,
            "{isa}: {total:?}"
        );
    }
}
