//! Malformed programs in `tests/fail/`: each must fail with the error kind and position
//! its first line states (`;; error: Kind LINE:COL`), without panicking.

use gantry_isle::compile;
use std::path::Path;

#[test]
fn every_failing_program_reports_its_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fail");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "isle"))
    {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let header = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix(";; error: "))
            .unwrap_or_else(|| panic!("{name}: no `;; error:` line"));
        let (kind, place) = header
            .split_once(' ')
            .unwrap_or_else(|| panic!("{name}: malformed header"));
        let errors = match compile(&[(name.clone(), text.clone())]) {
            Ok(_) => {
                problems.push(format!("{name}: compiled, expected {kind} at {place}"));
                continue;
            }
            Err(e) => e,
        };
        let first = &errors.errors[0];
        let got = format!("{:?} {}:{}", first.kind, first.pos.line, first.pos.col);
        if got != header {
            problems.push(format!(
                "{name}: expected `{header}`, got `{got}`:\n{errors}"
            ));
        }
        // The rendered report names the file and shows the line.
        let shown = errors.to_string();
        assert!(
            shown.contains(&format!("{name}:{}:{}", first.pos.line, first.pos.col)),
            "{shown}"
        );
        checked += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 25, "only {checked} failing programs");
}
