//! `test compile precise-output`: a stale expectation fails with a diff, blessing rewrites
//! only the expectation, and the blessed file passes.

use gantry_filetests::{FileOutcome, run_file};

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

    let (outcome, cases) = run_file(&path);
    let FileOutcome::Failed(why) = outcome else {
        panic!("a stale expectation passed: {outcome:?}")
    };
    assert!(why.contains(" -   stale"), "{why}");
    assert!(why.contains(" + Disassembled:"), "{why}");
    assert_eq!(cases.failed, 2);

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
    let (outcome, cases) = run_file(&path);
    assert_eq!(outcome, FileOutcome::Passed);
    assert_eq!(cases.passed, 2);
    let file = gantry_reader::parse_test(&blessed).unwrap();
    gantry_filetests::compile::run(&file, isa.as_ref(), true, Some((&path, &blessed))).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), blessed);
    std::fs::remove_dir_all(&dir).unwrap();
}
