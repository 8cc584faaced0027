//! The corpus tests of `test/corpus` (the tree-sitter CLI's format: a title between `=`
//! lines, the input, `---`, the expected tree), run through the Rust bindings: each
//! input's syntax tree, field names left out as the CLI writes them, must equal the
//! expected one.

mod common;

/// `sexp` with field labels (`name: `) removed and whitespace collapsed.
fn normalize(sexp: &str) -> String {
    let mut out = String::new();
    for word in sexp.split_whitespace() {
        if word.ends_with(':') && !word.starts_with('(') {
            continue;
        }
        if !out.is_empty() && !word.starts_with(')') {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The cases of one corpus file: (title, input, expected tree).
fn cases(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with("===") {
            i += 1;
            continue;
        }
        let title = lines[i + 1].trim().to_string();
        let mut j = i + 3;
        let mut input = Vec::new();
        while j < lines.len() && lines[j] != "---" {
            input.push(lines[j]);
            j += 1;
        }
        let mut expected = Vec::new();
        j += 1;
        while j < lines.len() && !lines[j].starts_with("===") {
            expected.push(lines[j]);
            j += 1;
        }
        // The CLI keeps the input's final newline and drops the blank line before `---`.
        let input = input.join("\n").trim_end_matches('\n').to_string() + "\n";
        out.push((title, input, expected.join("\n")));
        i = j;
    }
    out
}

#[test]
fn corpus_trees_match() {
    let dir = common::repo_root().join("editors/tree-sitter-clif/test/corpus");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for path in common::files(&dir, ".txt") {
        let text = std::fs::read_to_string(&path).expect("the corpus file is readable");
        for (title, input, expected) in cases(&text) {
            let tree = common::parse(&input);
            let got = normalize(&tree.root_node().to_sexp());
            if got != normalize(&expected) {
                wrong.push(format!(
                    "{}: {title}\n  expected {}\n  got      {got}",
                    path.display(),
                    normalize(&expected)
                ));
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked >= 5, "only {checked} corpus cases found");
}

/// The generated parser is the one of the current `grammar.js` (`generate.sh` records
/// the grammar's hash when it regenerates `src/`).
#[test]
fn the_parser_is_generated_from_the_current_grammar() {
    use sha2::{Digest, Sha256};
    let dir = common::repo_root().join("editors/tree-sitter-clif");
    let grammar = std::fs::read(dir.join("grammar.js")).expect("grammar.js is readable");
    let recorded = std::fs::read_to_string(dir.join("src/grammar.js.sha256"))
        .expect("src/grammar.js.sha256 is readable");
    let hash: String = Sha256::digest(&grammar)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        recorded.trim(),
        hash,
        "grammar.js changed since the parser was generated: run editors/tree-sitter-clif/generate.sh"
    );
}
