//! Reading a test file one function at a time gives what reading it whole gives.

use gantry_reader::{parse_test, parse_test_lazily};
use std::path::{Path, PathBuf};

fn clif_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            clif_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "clif") {
            out.push(path);
        }
    }
}

#[test]
fn lazy_reading_matches_whole_reading_on_the_corpus() {
    let mut files = Vec::new();
    clif_files(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../filetests/suite"),
        &mut files,
    );
    let mut functions = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let Ok(whole) = parse_test(&text) else {
            continue; // parse-error files
        };
        let lazy = parse_test_lazily(&text).unwrap();
        assert_eq!(lazy.commands, whole.commands, "{}", path.display());
        assert_eq!(lazy.headers, whole.headers, "{}", path.display());
        let lazy_fns: Vec<_> = lazy.functions.map(Result::unwrap).collect();
        assert_eq!(lazy_fns.len(), whole.functions.len(), "{}", path.display());
        for (a, b) in lazy_fns.iter().zip(&whole.functions) {
            assert!(a.func == b.func, "{}: {}", path.display(), b.func.name);
            assert_eq!(a.location, b.location, "{}", path.display());
            let texts = |f: &gantry_reader::ParsedFunction<'_>| {
                f.comments
                    .iter()
                    .map(|c| (c.line, c.text.to_string()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(texts(a), texts(b), "{}: {}", path.display(), b.func.name);
            functions += 1;
        }
    }
    assert!(functions > 500, "only {functions} functions compared");
}

#[test]
fn a_syntax_error_names_its_line_and_ends_the_functions() {
    let text = "test compile\nfunction %a() {\nblock0:\n    return\n}\n\
                function %b() {\nblock0:\n    bogus v1\n}\nfunction %c() {\nblock0:\n    return\n}\n";
    let mut fns = parse_test_lazily(text).unwrap().functions;
    assert!(fns.next().unwrap().is_ok());
    let err = fns.next().unwrap().unwrap_err();
    assert_eq!(err.location.line, 8, "{err}");
    assert!(fns.next().is_none());
}
