//! `test compile precise-output`: a stale expectation fails with a diff, blessing rewrites
//! only the expectation, and the blessed file passes.

use gantry_filetests::{FileOutcome, RunOptions, run_file, run_file_with};

const SOURCE: &str = "test compile precise-output
target x86_64

; Doc comment of %f, kept by blessing.
function %f(i64) -> i64 {
block0(v0: i64):
    v1 = iadd_imm v0, 1
    return v1
}

; VCode:
;   stale

; Doc comment of %g.
function %g(i32) -> i32 {
block0(v0: i32):
    return v0
}
";

#[test]
fn stale_expectations_fail_and_blessing_fixes_them() {
    let dir = std::env::temp_dir().join(format!("gantry-precise-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("f.clif");
    std::fs::write(&path, SOURCE).unwrap();

    // A GANTRY_BLESS left in the environment must not turn the mismatch into a pass.
    // SAFETY: this binary's only test, so no other thread reads the environment.
    unsafe { std::env::set_var("GANTRY_BLESS", "1") };
    let report = run_file(&path);
    unsafe { std::env::remove_var("GANTRY_BLESS") };
    let FileOutcome::Failed(why) = report.outcome else {
        panic!("a stale expectation passed: {:?}", report.outcome)
    };
    assert!(why.contains(" -   stale"), "{why}");
    assert!(why.contains(" + Disassembled:"), "{why}");
    assert_eq!(report.cases.failed, 2);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        SOURCE,
        "rewritten without --bless"
    );

    let file = gantry_reader::parse_test(SOURCE).unwrap();
    let isa = gantry_codegen::isa::lookup("x86_64")
        .unwrap()
        .finish()
        .unwrap();
    let (passed, failed) =
        gantry_filetests::compile::run(&file, isa.as_ref(), true, Some((&path, SOURCE))).unwrap();
    assert_eq!((passed, failed.len()), (2, 0), "{failed:?}");
    let blessed = std::fs::read_to_string(&path).unwrap();
    assert!(!blessed.contains("stale"));
    assert!(blessed.contains("; Doc comment of %f, kept by blessing."));
    assert!(blessed.contains("; Doc comment of %g."));
    assert!(blessed.contains(";      0: pushq %rbp"));
    // The blessed file now passes, and blessing it again changes nothing.
    let report = run_file(&path);
    assert_eq!(report.outcome, FileOutcome::Passed);
    assert_eq!(report.cases.passed, 2);
    let file = gantry_reader::parse_test(&blessed).unwrap();
    gantry_filetests::compile::run(&file, isa.as_ref(), true, Some((&path, &blessed))).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), blessed);

    // `RunOptions::bless` (what `clif-util test --bless` sets) rewrites a stale file.
    std::fs::write(&path, SOURCE).unwrap();
    let bless = RunOptions {
        bless: true,
        ..RunOptions::default()
    };
    assert_eq!(run_file_with(&path, &bless).outcome, FileOutcome::Passed);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), blessed);
    std::fs::remove_dir_all(&dir).unwrap();
}
