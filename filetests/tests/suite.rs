//! Runs the whole corpus in `filetests/suite/` as part of `cargo test`.

use gantry_filetests::RunOptions;
use std::path::PathBuf;

/// Options applying the settings `overrides` to every file.
fn options(overrides: &[&str]) -> RunOptions {
    RunOptions {
        overrides: overrides.iter().map(|s| s.to_string()).collect(),
        ..RunOptions::default()
    }
}

/// Skips the suite may have: (file path suffix, text of the reason). Any other skip
/// fails the suite, so a typo in a `test` line, a target nobody can run or a CPU
/// flag this machine lacks cannot hide a file. Empty today: every file runs here.
const EXPECTED_SKIPS: &[(&str, &str)] = &[];

/// Prints every skip with its reason and returns those not on [`EXPECTED_SKIPS`].
fn unexpected_skips(summary: &gantry_filetests::Summary) -> Vec<String> {
    let mut unexpected = Vec::new();
    for (path, why) in &summary.skips {
        eprintln!("skip {}: {why}", path.display());
        let listed = EXPECTED_SKIPS
            .iter()
            .any(|(file, reason)| path.ends_with(file) && why.contains(reason));
        if !listed {
            unexpected.push(format!("{}: {why}", path.display()));
        }
    }
    unexpected
}

#[test]
fn suite_passes() {
    let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suite");
    let summary = gantry_filetests::run_tests(&[suite]).expect("the suite folder is readable");
    for (path, why) in &summary.failed {
        eprintln!("FAIL {}: {why}", path.display());
    }
    eprintln!("{}", summary.line());
    assert!(
        summary.failed.is_empty(),
        "{} filetest(s) failed",
        summary.failed.len()
    );
    let unexpected = unexpected_skips(&summary);
    assert!(
        unexpected.is_empty(),
        "unexpected skips:\n{}",
        unexpected.join("\n")
    );
    assert!(summary.passed > 0, "no filetest ran");
}

/// The checks above catch what they claim: an unlisted skip is reported.
#[test]
fn an_unlisted_skip_is_reported() {
    let summary = gantry_filetests::Summary {
        skips: vec![(
            PathBuf::from("suite/runtests/x.clif"),
            "`test run` for x86_64: this CPU lacks has_avx512f".into(),
        )],
        ..Default::default()
    };
    assert_eq!(unexpected_skips(&summary).len(), 1);
}

/// The run tests also pass with the single-pass register allocator (whose result, in
/// debug builds, regalloc2's checker validates).
#[test]
fn run_tests_pass_with_the_single_pass_allocator() {
    let runtests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suite/runtests");
    let summary = gantry_filetests::run_tests_with(
        &[runtests],
        &options(&["regalloc_algorithm=single_pass"]),
    )
    .expect("the runtests folder is readable");
    for (path, why) in &summary.failed {
        eprintln!("FAIL {}: {why}", path.display());
    }
    assert!(summary.failed.is_empty(), "{}", summary.line());
    assert!(unexpected_skips(&summary).is_empty(), "{}", summary.line());
    assert!(summary.cases.passed > 1000, "{}", summary.line());
}

/// The run tests also pass at `opt_level=speed`, through the mid-end (whose output the
/// verifier checks in debug builds).
#[test]
fn run_tests_pass_optimized() {
    let runtests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suite/runtests");
    let summary = gantry_filetests::run_tests_with(&[runtests], &options(&["opt_level=speed"]))
        .expect("the runtests folder is readable");
    for (path, why) in &summary.failed {
        eprintln!("FAIL {}: {why}", path.display());
    }
    assert!(summary.failed.is_empty(), "{}", summary.line());
    assert!(unexpected_skips(&summary).is_empty(), "{}", summary.line());
    assert!(summary.cases.passed > 1000, "{}", summary.line());
}

/// The run tests also pass with every s390x facility Gantry knows (`arch15` on each
/// `target s390x` line), unoptimized and optimized: the newer instructions the flags
/// allow compute what the z13 baseline does.
#[test]
fn run_tests_pass_at_arch15_on_s390x() {
    let runtests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suite/runtests");
    for opt in ["opt_level=none", "opt_level=speed"] {
        let options = RunOptions {
            isa_flags: vec!["s390x=arch15".into()],
            ..options(&[opt])
        };
        let summary = gantry_filetests::run_tests_with(std::slice::from_ref(&runtests), &options)
            .expect("the runtests folder is readable");
        for (path, why) in &summary.failed {
            eprintln!("FAIL {}: {why}", path.display());
        }
        assert!(summary.failed.is_empty(), "{opt}: {}", summary.line());
        assert!(summary.cases.passed > 1000, "{}", summary.line());
    }
}

/// The run tests also pass on x86-64 with a modern CPU's features (`skylake` on each
/// `target x86_64` line: AVX2, BMI1/2, FMA, LZCNT, POPCNT, SSE4.2), unoptimized and
/// optimized; the files' own lines cover the SSE2 baseline.
#[test]
fn run_tests_pass_with_skylake_on_x86_64() {
    #[cfg(target_arch = "x86_64")]
    let skylake = std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("bmi2")
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("lzcnt")
        && std::is_x86_feature_detected!("popcnt")
        && std::is_x86_feature_detected!("sse4.2");
    #[cfg(not(target_arch = "x86_64"))]
    let skylake = false;
    if !skylake {
        eprintln!("this host cannot run skylake code: not checked here");
        return;
    }
    let runtests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suite/runtests");
    for opt in ["opt_level=none", "opt_level=speed"] {
        let options = RunOptions {
            isa_flags: vec!["x86_64=skylake".into()],
            ..options(&[opt])
        };
        let summary = gantry_filetests::run_tests_with(std::slice::from_ref(&runtests), &options)
            .expect("the runtests folder is readable");
        for (path, why) in &summary.failed {
            eprintln!("FAIL {}: {why}", path.display());
        }
        assert!(summary.failed.is_empty(), "{opt}: {}", summary.line());
        assert!(unexpected_skips(&summary).is_empty(), "{}", summary.line());
    }
}

/// The run tests also pass with AVX-512 (`icelake-server`: VL, DQ, BITALG, VBMI) on
/// x86-64, unoptimized and optimized, on hosts that have it.
#[test]
fn run_tests_pass_with_avx512_on_x86_64() {
    #[cfg(target_arch = "x86_64")]
    let avx512 = [
        "avx512f",
        "avx512vl",
        "avx512dq",
        "avx512bitalg",
        "avx512vbmi",
    ]
    .iter()
    .all(|f| match *f {
        "avx512f" => std::is_x86_feature_detected!("avx512f"),
        "avx512vl" => std::is_x86_feature_detected!("avx512vl"),
        "avx512dq" => std::is_x86_feature_detected!("avx512dq"),
        "avx512bitalg" => std::is_x86_feature_detected!("avx512bitalg"),
        _ => std::is_x86_feature_detected!("avx512vbmi"),
    });
    #[cfg(not(target_arch = "x86_64"))]
    let avx512 = false;
    if !avx512 {
        eprintln!("this host cannot run AVX-512 code: not checked here");
        return;
    }
    let runtests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suite/runtests");
    for opt in ["opt_level=none", "opt_level=speed"] {
        let options = RunOptions {
            isa_flags: vec!["x86_64=icelake-server".into()],
            ..options(&[opt])
        };
        let summary = gantry_filetests::run_tests_with(std::slice::from_ref(&runtests), &options)
            .expect("the runtests folder is readable");
        for (path, why) in &summary.failed {
            eprintln!("FAIL {}: {why}", path.display());
        }
        assert!(summary.failed.is_empty(), "{opt}: {}", summary.line());
        assert!(unexpected_skips(&summary).is_empty(), "{}", summary.line());
    }
}

/// The example programs shipped in `examples/` compile and compute what they claim.
#[test]
fn examples_pass() {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let summary =
        gantry_filetests::run_tests(&[examples]).expect("the examples folder is readable");
    for (path, why) in &summary.failed {
        eprintln!("FAIL {}: {why}", path.display());
    }
    assert!(
        summary.failed.is_empty(),
        "{} example(s) failed",
        summary.failed.len()
    );
    if gantry_filetests::run::host_runs(std::env::consts::ARCH) {
        assert_eq!(summary.passed, 3, "{summary:?}");
    }
}

/// Every function of every corpus file that parses prints to text that parses back to an
/// equal function, and printing that again gives the same text.
#[test]
fn every_corpus_function_round_trips() {
    let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suite");
    let mut stack = vec![suite];
    let mut functions = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            if text.contains("; parse error:") {
                continue;
            }
            let file = gantry_reader::parse_test(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for f in &file.functions {
                let printed = f.func.to_string();
                let again = gantry_reader::parse_functions(&printed).unwrap_or_else(|e| {
                    panic!(
                        "{}: printed text does not parse: {e}\n{printed}",
                        path.display()
                    )
                });
                assert_eq!(again.len(), 1);
                assert!(
                    again[0] == f.func,
                    "{}: re-parsed function differs:\n{printed}",
                    path.display()
                );
                assert_eq!(
                    again[0].to_string(),
                    printed,
                    "{}: printing is not idempotent",
                    path.display()
                );
                functions += 1;
            }
        }
    }
    assert!(functions > 50, "only {functions} functions in the corpus");
}

/// Every function of every run file, compiled with each ISA's newer features (the forms
/// the baseline never uses: VEX, FEAT_FP16, the z14 vector facility), decodes
/// completely with Capstone:
/// an encoding a CPU would reject fails here even where no host runs it.
#[test]
fn run_files_decode_with_every_feature() {
    use gantry_codegen::context::Context;
    use gantry_codegen::isa;
    let targets: [(&str, &[&str]); 3] = [
        (
            "x86_64",
            &["skylake", "has_avx512vl", "has_avx512dq", "has_cmpxchg16b"],
        ),
        ("aarch64", &["has_lse", "has_fp16", "use_bti"]),
        // Capstone knows the z14 (arch12) instructions, not those of arch13's MIE3
        // (SELGR & co., checked against the assembler in `s390x_backend.rs`).
        ("s390x", &["arch12"]),
    ];
    let runtests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suite/runtests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&runtests)
        .expect("the runtests folder is readable")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "clif"))
        .collect();
    files.sort();
    let mut checked = 0usize;
    for (name, flags) in targets {
        let mut builder = isa::lookup(name).unwrap();
        for f in flags {
            builder.apply(f).unwrap();
        }
        let target = builder
            .finish_with(gantry_codegen::settings::Flags::default())
            .unwrap();
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            let file = gantry_reader::parse_test(&text).unwrap();
            for f in file.functions {
                let fname = f.func.name.to_string();
                // Functions the ISA does not compile (another ISA's opcodes) are not
                // this test's concern; the run tests check those that should.
                let mut ctx = Context::for_function(f.func);
                let Ok(code) = ctx.compile(target.as_ref()) else {
                    continue;
                };
                let mut data = code.data_ranges.clone();
                data.push((code.code_len, code.code.len() as u32));
                let d = gantry_filetests::disasm::disassemble_code(name, &code.code, &data);
                assert!(
                    d.undecodable.is_empty(),
                    "{name}: {fname} in {}: undecodable bytes at {:x?}\n{}",
                    path.display(),
                    d.undecodable,
                    d.text
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 3000, "only {checked} functions checked");
}
