//! The grammars agree: the annotated samples of `editors/samples` (assertions in the
//! format of `vscode-tmgrammar-test`, with the TextMate scopes of
//! `editors/highlight-categories.tsv`) are checked against the TextMate grammar (by
//! `vscode-tmgrammar-test` itself), the tree-sitter highlight query, the vim syntax
//! (headless vim, `synID` at each asserted column) and the Emacs mode (batch Emacs, the
//! face at each). A missing vim, Emacs or node package is a failure: `scripts/test.sh`
//! installs them.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use tree_sitter::{Query, QueryCursor, StreamingIterator};

/// One highlight category as each grammar names it.
struct Category {
    name: String,
    tree_sitter: String,
    vim: String,
    emacs: String,
}

/// The categories by TextMate scope.
fn categories() -> HashMap<String, Category> {
    let path = common::repo_root().join("editors/highlight-categories.tsv");
    let text = std::fs::read_to_string(path).expect("the category table is readable");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "a category line has five columns: {l}");
            let c = Category {
                name: f[0].into(),
                tree_sitter: f[2].into(),
                vim: f[3].into(),
                emacs: f[4].into(),
            };
            (f[1].to_string(), c)
        })
        .collect()
}

/// An assertion: the 0-based row and column of a character and its TextMate scope.
struct Assertion {
    row: usize,
    col: usize,
    scope: String,
}

/// The assertions of a sample: a `;` line of carets (`^`) under the columns of the
/// line above, or `<~-` counting from the line's start (`~` skipped, `-` asserted),
/// then the scopes (the last one before any ` - ` is the category's).
fn assertions(src: &str) -> Vec<Assertion> {
    let mut out = Vec::new();
    let mut source_row = 0;
    for (row, line) in src.lines().enumerate() {
        let Some(rest) = line.strip_prefix(';') else {
            source_row = row;
            continue;
        };
        let body = rest.trim_start();
        let (cols, scopes): (Vec<usize>, &str) = if let Some(arrow) = body.strip_prefix('<') {
            let skip = arrow.chars().take_while(|&c| c == '~').count();
            let len = arrow[skip..].chars().take_while(|&c| c == '-').count();
            ((skip..skip + len).collect(), &arrow[skip + len..])
        } else if body.starts_with('^') {
            let first = line.find('^').expect("a caret");
            let len = line[first..].chars().take_while(|&c| c == '^').count();
            ((first..first + len).collect(), &line[first + len..])
        } else {
            source_row = row;
            continue;
        };
        let positive = scopes.split(" - ").next().unwrap_or("");
        let scope = positive
            .split_whitespace()
            .last()
            .expect("an asserted scope");
        for col in cols {
            out.push(Assertion {
                row: source_row,
                col,
                scope: scope.to_string(),
            });
        }
    }
    out
}

fn samples() -> Vec<PathBuf> {
    let files = common::files(&common::repo_root().join("editors/samples"), ".clif");
    assert!(files.len() >= 2, "the annotated samples are missing");
    files
}

/// The capture the highlight query gives the character at `row`, `col`: the one of the
/// smallest captured node around it (the first pattern's among equals).
fn tree_sitter_capture(src: &str, query: &Query, row: usize, col: usize) -> Option<String> {
    let tree = common::parse(src);
    let mut cursor = QueryCursor::new();
    let mut best: Option<(usize, usize, String)> = None;
    let mut matches = cursor.matches(query, tree.root_node(), src.as_bytes());
    while let Some(m) = matches.next() {
        for c in m.captures {
            let (s, e) = (c.node.start_position(), c.node.end_position());
            let inside = (s.row, s.column) <= (row, col) && (row, col) < (e.row, e.column);
            if !inside {
                continue;
            }
            let size = c.node.end_byte() - c.node.start_byte();
            let name = query.capture_names()[c.index as usize].to_string();
            if best
                .as_ref()
                .is_none_or(|(bs, bp, _)| (size, m.pattern_index) < (*bs, *bp))
            {
                best = Some((size, m.pattern_index, name));
            }
        }
    }
    best.map(|(_, _, name)| name)
}

#[test]
fn tree_sitter_highlights_match_the_samples() {
    let cats = categories();
    let query = Query::new(
        &tree_sitter_clif::LANGUAGE.into(),
        tree_sitter_clif::HIGHLIGHTS_QUERY,
    )
    .expect("the highlight query compiles");
    let mut wrong = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in samples() {
        let src = std::fs::read_to_string(&path).expect("the sample is readable");
        for a in assertions(&src) {
            let cat = cats
                .get(&a.scope)
                .unwrap_or_else(|| panic!("unknown scope {}", a.scope));
            seen.insert(cat.name.clone());
            let got = tree_sitter_capture(&src, &query, a.row, a.col);
            if got.as_deref() != Some(cat.tree_sitter.as_str()) {
                wrong.push(format!(
                    "{}:{}:{}: {} wants @{}, got {got:?}",
                    path.display(),
                    a.row + 1,
                    a.col + 1,
                    cat.name,
                    cat.tree_sitter
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        seen.len(),
        cats.len(),
        "every category is asserted in a sample"
    );
}

/// The vim syntax group at each of `points` (0-based row, column) of `file`.
fn vim_groups(file: &Path, points: &[(usize, usize)]) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("clif-vim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
    let out = dir.join("groups.txt");
    let script = dir.join("check.vim");
    let rtp = common::repo_root().join("editors/vim");
    let mut s = format!(
        "set nocompatible\nlet &rtp = '{},' . &rtp\nfiletype plugin on\nsyntax on\nedit {}\nlet out = []\n",
        rtp.display(),
        file.display()
    );
    for (row, col) in points {
        s += &format!(
            "call add(out, synIDattr(synID({}, {}, 1), 'name'))\n",
            row + 1,
            col + 1
        );
    }
    s += &format!("call writefile(out, '{}')\nqa!\n", out.display());
    std::fs::write(&script, s).expect("the script is writable");
    let status = Command::new("vim")
        .args(["-u", "NONE", "-i", "NONE", "-N", "-es", "-S"])
        .arg(&script)
        .status()
        .expect("vim runs (scripts/test.sh installs it)");
    assert!(status.success(), "vim failed: {status}");
    let groups = std::fs::read_to_string(&out).expect("vim wrote the groups");
    let _ = std::fs::remove_dir_all(&dir);
    groups.lines().map(String::from).collect()
}

/// Checks the samples against an editor: `names` gives the highlight name at each
/// point of a file, `want` the category's name in that editor, `normalize` maps what
/// the editor says to a category's name.
fn check_editor(
    names: impl Fn(&Path, &[(usize, usize)]) -> Vec<String>,
    want: impl Fn(&Category) -> &str,
    normalize: impl Fn(String) -> String,
) {
    let cats = categories();
    let mut wrong = Vec::new();
    for path in samples() {
        let src = std::fs::read_to_string(&path).expect("the sample is readable");
        let asserted = assertions(&src);
        let points: Vec<(usize, usize)> = asserted.iter().map(|a| (a.row, a.col)).collect();
        let got = names(&path, &points);
        assert_eq!(got.len(), asserted.len(), "one name per point");
        for (a, got) in asserted.iter().zip(got) {
            let cat = &cats[&a.scope];
            let got = normalize(got);
            if got != want(cat) {
                wrong.push(format!(
                    "{}:{}:{}: {} wants {}, got {got:?}",
                    path.display(),
                    a.row + 1,
                    a.col + 1,
                    cat.name,
                    want(cat)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn vim_syntax_matches_the_samples() {
    check_editor(vim_groups, |c| &c.vim, |g| g);
}

/// The Emacs face at each of `points` (0-based row, column) of `file` in `clif-mode`.
fn emacs_faces(file: &Path, points: &[(usize, usize)]) -> Vec<String> {
    let mode = common::repo_root().join("editors/emacs/clif-mode.el");
    let mut lisp = format!(
        "(progn (load \"{}\" nil t) (find-file \"{}\") (clif-mode) (font-lock-ensure)",
        mode.display(),
        file.display()
    );
    for (row, col) in points {
        lisp += &format!(
            " (goto-char (point-min)) (forward-line {row}) (move-to-column {col}) \
             (let ((f (get-text-property (point) 'face))) (princ (format \"%s\\n\" (if (consp f) (car f) f))))"
        );
    }
    lisp += ")";
    let out = Command::new("emacs")
        .args(["--batch", "-Q", "--eval", &lisp])
        .output()
        .expect("emacs runs (scripts/test.sh installs emacs-nox)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn emacs_mode_matches_the_samples() {
    // Emacs gives a comment's `;` the delimiter face (a kind of comment face).
    check_editor(
        emacs_faces,
        |c| &c.emacs,
        |f| {
            if f == "font-lock-comment-delimiter-face" {
                "font-lock-comment-face".into()
            } else {
                f
            }
        },
    );
}

#[test]
fn textmate_grammar_matches_the_samples() {
    let vscode = common::repo_root().join("editors/vscode");
    let bin = vscode.join("node_modules/.bin/vscode-tmgrammar-test");
    assert!(
        bin.exists(),
        "{} is missing: run `npm ci` in editors/vscode (scripts/test.sh does)",
        bin.display()
    );
    let out = Command::new(&bin)
        .arg("-g")
        .arg(vscode.join("syntaxes/clif.tmLanguage.json"))
        .args(samples())
        .output()
        .expect("vscode-tmgrammar-test runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_assertion_reader_reads_both_forms() {
    let src = "v1 = iadd v0, v0\n; <-- variable.other.value.clif\n;    ^^^^ support.function.opcode.clif\n";
    let a = assertions(src);
    let cols: Vec<(usize, usize)> = a.iter().map(|a| (a.row, a.col)).collect();
    assert_eq!(cols, [(0, 0), (0, 1), (0, 5), (0, 6), (0, 7), (0, 8)]);
    assert_eq!(a[2].scope, "support.function.opcode.clif");
}
