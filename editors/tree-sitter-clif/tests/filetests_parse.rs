//! Every `.clif` file of `filetests/` parses with the grammar without an error node.
//! The reader's syntax-error tests (a `; parse error: LINE:COLUMN: ...` line) may have
//! one, but then on the line where the reader finds the error.

mod common;

/// The line of a `; parse error: LINE:COLUMN: message` comment, if `src` has one.
fn reader_error_line(src: &str) -> Option<usize> {
    let at = src.find("; parse error: ")? + "; parse error: ".len();
    src[at..].split(':').next()?.trim().parse().ok()
}

#[test]
fn every_filetest_parses_without_error_nodes() {
    let root = common::repo_root().join("filetests");
    let files = common::files(&root, ".clif");
    assert!(files.len() > 200, "only {} .clif files found", files.len());
    let mut wrong = Vec::new();
    let mut syntax_error_files = 0;
    for path in &files {
        let src = std::fs::read_to_string(path).expect("the file is readable");
        let tree = common::parse(&src);
        let errors = common::errors(&tree);
        let Some((row, col, kind)) = errors.first() else {
            continue;
        };
        match reader_error_line(&src) {
            Some(line) if line == row + 1 => syntax_error_files += 1,
            Some(line) => wrong.push(format!(
                "{}: error node {kind} at {}:{}, but the reader's error is on line {line}",
                path.display(),
                row + 1,
                col + 1
            )),
            None => wrong.push(format!(
                "{}: error node {kind} at {}:{}",
                path.display(),
                row + 1,
                col + 1
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The reader's lexical and structural error tests (bad character, unterminated
    // string, missing brace, bad header, bad type) are errors to the grammar too.
    assert!(syntax_error_files >= 5, "{syntax_error_files}");
}
