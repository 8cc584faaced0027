//! One open CLIF document, analysed: the reader's and verifier's diagnostics, and an
//! index of the names it defines and uses (values, blocks, entities per function;
//! function names across the file) for definitions, references, hovers and symbols.
//!
//! Positions here are 0-based lines and columns in characters, as the reader counts
//! them; the server converts columns to the client's UTF-16 units.

use gantry_codegen::ir::{AnyEntity, Function, Value, ValueDef};
use gantry_reader::{Location, ParsedFunction, parse_test};
use std::collections::HashMap;

/// A span of one line: 0-based line, start and end columns (characters, end exclusive).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Span {
    /// The line.
    pub line: usize,
    /// The first column.
    pub start: usize,
    /// The column after the last.
    pub end: usize,
}

/// A problem the reader or the verifier found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Diagnostic {
    /// Where.
    pub span: Span,
    /// `reader` or `verifier`.
    pub source: &'static str,
    /// What: for the verifier, `[rule] message` (the instruction is the span's line).
    pub message: String,
}

/// What a name is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NameKind {
    /// `v3`.
    Value,
    /// `block2`.
    Block,
    /// `ss0`, `gv1`, `fn0`, `sig0`, ...
    Entity,
    /// `%name` or `u0:7`: a function of the file.
    Function,
}

/// One occurrence of a name.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Name {
    /// The text.
    pub text: String,
    /// Where.
    pub span: Span,
    /// What it names.
    pub kind: NameKind,
    /// Whether this occurrence defines it.
    pub is_def: bool,
    /// The function it is in (an index into [`Document::functions`]), if any.
    pub function: Option<usize>,
}

/// A function of the document.
#[derive(Clone, Debug)]
pub struct FunctionInfo {
    /// Its name as written (`%add`).
    pub name: String,
    /// The lines from its `function` line to its closing brace.
    pub lines: (usize, usize),
    /// Its blocks: name and the lines from the header to the block's last line.
    pub blocks: Vec<(String, (usize, usize))>,
    /// The type of each value number, when the file parsed.
    pub value_types: HashMap<u32, String>,
}

/// An analysed document.
pub struct Document {
    /// The text.
    pub text: String,
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Every name occurrence, in text order.
    pub names: Vec<Name>,
    /// The functions, in text order.
    pub functions: Vec<FunctionInfo>,
}

impl Document {
    /// Analyses `text`: reads it as a test file, verifies each function, indexes names.
    pub fn new(text: String) -> Document {
        let lines: Vec<&str> = text.lines().collect();
        let mut functions = function_spans(&lines);
        let names = index_names(&lines, &functions);
        let mut diagnostics = Vec::new();
        match parse_test(&text) {
            Err(e) => diagnostics.push(Diagnostic {
                span: word_span(&lines, e.location),
                source: "reader",
                message: e.message,
            }),
            Ok(file) => {
                for pf in &file.functions {
                    let at = pf.location.line.saturating_sub(1);
                    let info = functions.iter_mut().find(|f| f.lines.0 == at);
                    if let Some(info) = info {
                        info.value_types = value_types(&pf.func);
                    }
                    diagnostics.extend(verifier_diagnostics(pf, &lines, &names));
                }
            }
        }
        Document {
            text,
            diagnostics,
            names,
            functions,
        }
    }

    /// The name occurrence at `line`, `col`, if any.
    pub fn name_at(&self, line: usize, col: usize) -> Option<&Name> {
        self.names
            .iter()
            .find(|n| n.span.line == line && n.span.start <= col && col < n.span.end)
    }

    /// The occurrences of the name `n` refers to (in its function, or the file's for
    /// function names).
    pub fn occurrences<'a>(&'a self, n: &'a Name) -> impl Iterator<Item = &'a Name> + 'a {
        self.names.iter().filter(move |m| {
            m.text == n.text
                && m.kind == n.kind
                && (n.kind == NameKind::Function || m.function == n.function)
        })
    }

    /// The definition of the name `n` refers to.
    pub fn definition<'a>(&'a self, n: &'a Name) -> Option<&'a Name> {
        self.occurrences(n).find(|m| m.is_def)
    }

    /// The text of line `line` (without its end).
    pub fn line(&self, line: usize) -> &str {
        self.text.lines().nth(line).unwrap_or("")
    }
}

/// The functions of `lines`: from each `function` line to the next line starting
/// with `}` (or the end); blocks from their headers.
fn function_spans(lines: &[&str]) -> Vec<FunctionInfo> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(rest) = lines[i].strip_prefix("function") else {
            i += 1;
            continue;
        };
        let name = rest.split_whitespace().next().unwrap_or("");
        let name = name.split('(').next().unwrap_or("").to_string();
        let start = i;
        let mut end = i;
        while end + 1 < lines.len() && !lines[end].starts_with('}') {
            end += 1;
        }
        let mut blocks: Vec<(String, (usize, usize))> = Vec::new();
        for (l, text) in lines.iter().enumerate().take(end + 1).skip(start + 1) {
            let word = leading_word(text);
            if is_numbered(word, "block") && text.trim_end().trim_end_matches(';').contains(':') {
                if let Some(last) = blocks.last_mut() {
                    last.1.1 = l - 1;
                }
                blocks.push((word.to_string(), (l, l)));
            } else if let Some(last) = blocks.last_mut() {
                if !text.starts_with('}') {
                    last.1.1 = l;
                }
            }
        }
        out.push(FunctionInfo {
            name,
            lines: (start, end),
            blocks,
            value_types: HashMap::new(),
        });
        i = end + 1;
    }
    out
}

/// The first word of a line (after indentation).
fn leading_word(line: &str) -> &str {
    let t = line.trim_start();
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    &t[..end]
}

/// Whether `word` is `prefix` followed by a decimal number.
fn is_numbered(word: &str, prefix: &str) -> bool {
    word.strip_prefix(prefix)
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The entity prefixes of the preamble's declarations.
const ENTITIES: [&str; 9] = [
    "ss", "dss", "gv", "sig", "fn", "jt", "const", "region", "dt",
];

/// What `word` names, if anything.
fn kind_of(word: &str) -> Option<NameKind> {
    if word.starts_with('%') && word.len() > 1 {
        Some(NameKind::Function)
    } else if is_numbered(word, "v") {
        Some(NameKind::Value)
    } else if is_numbered(word, "block") {
        Some(NameKind::Block)
    } else if ENTITIES.iter().any(|p| is_numbered(word, p)) {
        Some(NameKind::Entity)
    } else {
        let mut parts = word.splitn(2, ':');
        let ns = parts.next().unwrap_or("");
        let idx = parts.next().unwrap_or("");
        (is_numbered(ns, "u") && !idx.is_empty() && idx.bytes().all(|b| b.is_ascii_digit()))
            .then_some(NameKind::Function)
    }
}

/// Every name occurrence of `lines` (comments and strings skipped), with definitions
/// marked: block headers and their parameters, instruction results, aliased values,
/// declarations, and `function` lines.
fn index_names(lines: &[&str], functions: &[FunctionInfo]) -> Vec<Name> {
    let mut out = Vec::new();
    for (l, line) in lines.iter().enumerate() {
        let function = functions
            .iter()
            .position(|f| f.lines.0 <= l && l <= f.lines.1);
        let code = code_part(line);
        let words = words(code);
        let first = words.first().map(|w| w.0);
        let is_block_header = first.is_some_and(|w| is_numbered(w, "block"));
        let eq = top_level_equals(code);
        let arrow = code.find("->");
        for (word, start) in &words {
            let Some(kind) = kind_of(word) else { continue };
            let is_def = match kind {
                NameKind::Block => is_block_header && Some(*word) == first,
                NameKind::Value if is_block_header => true,
                NameKind::Value => {
                    // Results before `=`, or the alias before `->` when it starts the line.
                    eq.is_some_and(|e| *start < e)
                        || (arrow.is_some_and(|a| *start < a)
                            && Some(*word) == first
                            && eq.is_none())
                }
                NameKind::Entity => Some(*word) == first && eq.is_some_and(|e| *start < e),
                NameKind::Function => {
                    line.starts_with("function") && is_first_function_name(&words, *start)
                }
            };
            out.push(Name {
                text: word.to_string(),
                span: Span {
                    line: l,
                    start: *start,
                    end: start + word.chars().count(),
                },
                kind,
                is_def,
                function: if kind == NameKind::Function {
                    None
                } else {
                    function
                },
            });
        }
    }
    out
}

/// Whether the name at `start` is the first function name of a `function` line.
fn is_first_function_name(words: &[(&str, usize)], start: usize) -> bool {
    words
        .iter()
        .find(|(w, _)| kind_of(w) == Some(NameKind::Function))
        .is_some_and(|(_, s)| *s == start)
}

/// `line` without its comment (a `;` outside a string).
fn code_part(line: &str) -> &str {
    let mut in_string = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_string = !in_string,
            ';' if !in_string => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The words of `code` with their character columns (`%` and `:` kept inside names
/// like `%f` and `u0:7`; strings skipped).
fn words(code: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i].1 != '"' {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' || c == '%' {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].1.is_ascii_alphanumeric()
                    || chars[j].1 == '_'
                    || (chars[j].1 == ':'
                        && c == 'u'
                        && chars.get(j + 1).is_some_and(|n| n.1.is_ascii_digit())))
            {
                j += 1;
            }
            let end = chars.get(j).map_or(code.len(), |x| x.0);
            out.push((&code[at..end], i));
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// The character column of an `=` outside brackets (results or declaration).
fn top_level_equals(code: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (col, c) in code.chars().enumerate() {
        match c {
            '(' | '[' | '<' => depth += 1,
            ')' | ']' | '>' => depth -= 1,
            '=' if depth == 0 => return Some(col),
            _ => {}
        }
    }
    None
}

/// The span of the word at the reader's `loc` (1-based), or of one character.
fn word_span(lines: &[&str], loc: Location) -> Span {
    let line = loc.line.saturating_sub(1);
    let start = loc.column.saturating_sub(1);
    let text: Vec<char> = lines.get(line).map_or(Vec::new(), |t| t.chars().collect());
    let mut end = start;
    while end < text.len() && !text[end].is_whitespace() && !",()[]{}".contains(text[end]) {
        end += 1;
    }
    Span {
        line,
        start,
        end: end.max(start + 1),
    }
}

/// The span of the code of line `line` (indentation and comment left out).
fn line_span(lines: &[&str], line: usize) -> Span {
    let text = lines.get(line).copied().unwrap_or("");
    let code = code_part(text);
    let start = code.chars().take_while(|c| c.is_whitespace()).count();
    let end = code.trim_end().chars().count();
    Span {
        line,
        start,
        end: end.max(start + 1),
    }
}

/// The types of a parsed function's values, by number.
fn value_types(func: &Function) -> HashMap<u32, String> {
    func.dfg
        .values()
        .map(|v| (v.as_u32(), func.dfg.value_type(v).to_string()))
        .collect()
}

/// The verifier's errors of `pf`, each on the line of what it is about: the instruction
/// (its line, from the reader's source map), the block header, the value's definition,
/// or the entity's declaration; else the `function` line.
fn verifier_diagnostics(
    pf: &ParsedFunction<'_>,
    lines: &[&str],
    names: &[Name],
) -> Vec<Diagnostic> {
    let Err(errors) = gantry_codegen::verifier::verify_function(&pf.func) else {
        return Vec::new();
    };
    let func_line = pf.location.line.saturating_sub(1);
    let inst_line = |i| pf.source_map.insts.get(&i).map(|l: &Location| l.line - 1);
    let block_line = |b| pf.source_map.blocks.get(&b).map(|l: &Location| l.line - 1);
    errors
        .0
        .iter()
        .map(|e| {
            let line = match e.location {
                AnyEntity::Inst(i) => inst_line(i),
                AnyEntity::Block(b) => block_line(b),
                AnyEntity::Value(v) => value_line(&pf.func, v, &inst_line, &block_line),
                AnyEntity::Function => None,
                other => {
                    let text = other.to_string();
                    names
                        .iter()
                        .find(|n| n.is_def && n.text == text && n.span.line >= func_line)
                        .map(|n| n.span.line)
                }
            };
            Diagnostic {
                span: line_span(lines, line.unwrap_or(func_line)),
                source: "verifier",
                message: format!("[{}] {}", e.rule, e.message),
            }
        })
        .collect()
}

/// The line defining value `v`: its instruction, or its block's header.
fn value_line(
    func: &Function,
    v: Value,
    inst_line: &dyn Fn(gantry_codegen::ir::Inst) -> Option<usize>,
    block_line: &dyn Fn(gantry_codegen::ir::Block) -> Option<usize>,
) -> Option<usize> {
    if !func.dfg.value_is_valid(v) {
        return None;
    }
    match func.dfg.value_def(v) {
        ValueDef::Result(i, _) => inst_line(i),
        ValueDef::Param(b, _) => block_line(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "test verifier\n\nfunction %f(i32) -> i32 {\n    ss0 = explicit_slot 8\nblock0(v0: i32):\n    v1 = iadd v0, v0 ; sum\n    v2 -> v1\n    jump block1(v1)\nblock1(v3: i32):\n    return v3\n}\n";

    #[test]
    fn definitions_and_references() {
        let d = Document::new(SRC.into());
        let v0_use = d.name_at(5, 14).expect("v0 at 6:15");
        assert_eq!(v0_use.text, "v0");
        let def = d.definition(v0_use).expect("v0 is defined");
        assert_eq!(
            def.span,
            Span {
                line: 4,
                start: 7,
                end: 9
            }
        );
        let v1 = d.name_at(7, 16).expect("v1 in the jump");
        assert_eq!(d.definition(v1).map(|n| n.span.line), Some(5));
        assert_eq!(d.occurrences(v1).count(), 3);
        let alias = d.name_at(6, 4).expect("v2");
        assert!(alias.is_def);
        let block = d.name_at(7, 9).expect("block1 in the jump");
        assert_eq!(d.definition(block).map(|n| n.span.line), Some(8));
        let ss0 = d.names.iter().find(|n| n.text == "ss0").expect("ss0");
        assert!(ss0.is_def);
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        assert_eq!(
            d.functions[0].value_types.get(&3).map(String::as_str),
            Some("i32")
        );
        let blocks: Vec<_> = d.functions[0]
            .blocks
            .iter()
            .map(|b| (b.0.as_str(), b.1))
            .collect();
        assert_eq!(blocks, [("block0", (4, 7)), ("block1", (8, 9))]);
    }

    #[test]
    fn reader_and_verifier_errors_are_placed() {
        let d = Document::new("function %f() {\nblock0:\n    v0 = iconst.i32 1\n    v1 = iadd v0, v9\n    return\n}\n".into());
        assert_eq!(d.diagnostics.len(), 1);
        assert_eq!(d.diagnostics[0].source, "reader");
        assert_eq!(d.diagnostics[0].span.line, 3);
        let d = Document::new(
            "function %f() {\nblock0:\n    v0 = iconst.i32 1\n    v1 = iadd v0, v0\n}\n".into(),
        );
        let d0 = d.diagnostics.first().expect("a verifier error");
        assert_eq!(d0.source, "verifier");
        assert!(d0.message.starts_with("[layout]"), "{}", d0.message);
    }

    #[test]
    fn names_inside_comments_and_strings_are_not_indexed() {
        let d = Document::new(
            "function %f() {\n    region0 = 8 \"v1 block2\" ; v3\nblock0:\n    return\n}\n".into(),
        );
        assert!(d.names.iter().all(|n| n.text != "v1" && n.text != "v3"));
    }
}
