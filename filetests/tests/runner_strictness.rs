//! The runner turns mistakes in test files into failures instead of silent passes or
//! skips: an unknown test kind, a run directive without its colon, a run line calling a
//! missing function, and a test kind with nothing to test.

use gantry_filetests::{FileOutcome, FileReport, run_file};

/// Writes `text` to a temporary file and runs it.
fn run_text(name: &str, text: &str) -> FileReport {
    let dir = std::env::temp_dir().join(format!("gantry-strict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.clif"));
    std::fs::write(&path, text).unwrap();
    let report = run_file(&path);
    std::fs::remove_file(&path).unwrap();
    report
}

const ADD: &str = "function %add(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd v0, v1
    return v2
}
";

fn failure(report: &FileReport) -> &str {
    match &report.outcome {
        FileOutcome::Failed(why) => why,
        other => panic!("expected a failure, got {other:?} ({:?})", report.cases),
    }
}

#[test]
fn a_well_formed_file_passes() {
    let report = run_text(
        "good",
        &format!("test run\ntarget x86_64\n{ADD}; run: %add(1, 2) == 3\n"),
    );
    if gantry_filetests::run::host_runs("x86_64") {
        assert_eq!(report.outcome, FileOutcome::Passed);
        assert_eq!(report.cases.passed, 1);
    }
}

#[test]
fn an_unknown_test_kind_fails() {
    let report = run_text("typo", &format!("test rn\n{ADD}"));
    assert!(failure(&report).contains("unknown test kind `test rn`"));
    assert_eq!(report.cases.failed, 1);
}

#[test]
fn a_known_kind_gantry_lacks_is_a_listed_skip() {
    let report = run_text("inline", &format!("test inline\n{ADD}"));
    assert!(
        matches!(report.outcome, FileOutcome::Skipped(_)),
        "{report:?}"
    );
    assert_eq!(report.skips.len(), 1);
    assert!(
        report.skips[0].contains("test inline"),
        "{:?}",
        report.skips
    );
}

#[test]
fn interpret_runs_the_run_lines_and_a_wrong_result_fails() {
    let report = run_text(
        "interpret",
        &format!("test interpret\n{ADD}; run: %add(1, 2) == 3\n; run: %add(2, 2) == 4\n"),
    );
    assert!(matches!(report.outcome, FileOutcome::Passed), "{report:?}");
    assert_eq!(report.cases.passed, 2);
    let report = run_text(
        "interpret_wrong",
        &format!("test interpret\n{ADD}; run: %add(1, 2) == 3\n; run: %add(2, 2) == 5\n"),
    );
    assert!(failure(&report).contains("%add(2, 2) == 5"), "{report:?}");
    assert_eq!((report.cases.passed, report.cases.failed), (1, 1));
    // A file with `test interpret` and no run line is a mistake, not a pass.
    assert!(
        failure(&run_text(
            "interpret_empty",
            &format!("test interpret\n{ADD}")
        ))
        .contains("no test cases")
    );
}

#[test]
fn a_run_line_without_its_colon_fails() {
    // Beside a good line, and alone (where the file would otherwise have no cases).
    let text =
        format!("test run\ntarget x86_64\n{ADD}; run: %add(1, 2) == 3\n; run %add(1, 2) == 4\n");
    assert!(failure(&run_text("colon1", &text)).contains("needs a colon"));
    let text = format!("test run\ntarget x86_64\n{ADD}; run %add(1, 2) == 4\n");
    failure(&run_text("colon2", &text));
}

#[test]
fn a_run_line_calling_a_missing_function_fails() {
    if !gantry_filetests::run::host_runs("x86_64") {
        return;
    }
    let text = format!("test run\ntarget x86_64\n{ADD}; run: %sub(1, 2) == 3\n");
    assert!(failure(&run_text("missing", &text)).contains("no function `%sub`"));
}

#[test]
fn a_kind_with_no_cases_fails() {
    let no_runs = format!("test run\ntarget x86_64\n{ADD}");
    assert!(failure(&run_text("noruns", &no_runs)).contains("no test cases"));
    let no_functions = "test verifier\n; nothing here\n";
    assert!(failure(&run_text("nofuncs", no_functions)).contains("no test cases"));
}

#[test]
fn a_target_this_machine_cannot_run_is_a_reported_skip() {
    let text = format!("test run\ntarget x86_64\ntarget riscv64\n{ADD}; run: %add(1, 2) == 3\n");
    let report = run_text("riscv64", &text);
    assert!(
        report.skips.iter().any(|s| s.contains("riscv64")),
        "{:?}",
        report.skips
    );
    assert_eq!(report.cases.skipped, 1);
}
