//! What a hover shows: an opcode's table entry and meaning, a value's type and
//! definition, the header or declaration of a block or entity, a function's signature.

use super::document::{Document, NameKind};
use gantry_codegen::ir::Opcode;

/// The hover text (Markdown) for `line`, `col` (0-based, characters), if any.
pub fn hover(doc: &Document, line: usize, col: usize) -> Option<String> {
    if let Some(name) = doc.name_at(line, col) {
        let def = doc.definition(name);
        let def_line = def.map(|d| doc.line(d.span.line).trim());
        return Some(match name.kind {
            NameKind::Value => {
                let ty = name
                    .function
                    .and_then(|f| doc.functions.get(f))
                    .and_then(|f| f.value_types.get(&name.text[1..].parse().ok()?))
                    .map_or("?", String::as_str);
                match def_line {
                    Some(d) => format!("`{}: {ty}`\n\ndefined by `{d}`", name.text),
                    None => format!("`{}: {ty}` (not defined in this function)", name.text),
                }
            }
            NameKind::Block | NameKind::Entity | NameKind::Function => match def_line {
                Some(d) => format!("`{d}`"),
                None => format!("`{}` is not defined here", name.text),
            },
        });
    }
    let word = word_at(doc.line(line), col)?;
    let op = Opcode::parse(word)?;
    Some(opcode_hover(op))
}

/// The word (`[A-Za-z0-9_]`) of `text` around column `col`.
fn word_at(text: &str, col: usize) -> Option<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if !chars.get(col).is_some_and(|(_, c)| is_word(*c)) {
        return None;
    }
    let mut s = col;
    while s > 0 && is_word(chars[s - 1].1) {
        s -= 1;
    }
    let mut e = col;
    while e < chars.len() && is_word(chars[e].1) {
        e += 1;
    }
    let end = chars.get(e).map_or(text.len(), |x| x.0);
    Some(&text[chars[s].0..end])
}

/// An opcode's name, operand format, type rules, properties and meaning.
fn opcode_hover(op: Opcode) -> String {
    let info = op.info();
    let flags = info.flags;
    let props: Vec<&str> = [
        (flags.is_branch, "branch"),
        (flags.is_terminator && !flags.is_branch, "terminator"),
        (flags.is_call, "call"),
        (flags.is_return, "return"),
        (flags.can_trap, "may trap"),
        (flags.can_load, "loads"),
        (flags.can_store, "stores"),
        (flags.other_side_effects, "side effects"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    let mut out = format!(
        "**{}** ({:?}): {} operand(s) -> {} result(s)",
        info.name,
        info.format,
        info.operands.len(),
        info.results.len()
    );
    if !props.is_empty() {
        out += &format!("; {}", props.join(", "));
    }
    out += "\n\n";
    out += info.doc.trim();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcodes_values_and_blocks() {
        let doc = Document::new(
            "function %f(i64) -> i64 {\nblock0(v0: i64):\n    v1 = iadd v0, v0\n    return v1\n}\n"
                .into(),
        );
        let h = hover(&doc, 2, 10).expect("a hover on iadd");
        assert!(
            h.contains("**iadd**") && h.contains("Wrapping addition"),
            "{h}"
        );
        let h = hover(&doc, 3, 11).expect("a hover on v1");
        assert!(
            h.contains("`v1: i64`") && h.contains("v1 = iadd v0, v0"),
            "{h}"
        );
        let h = hover(&doc, 1, 2).expect("a hover on block0");
        assert!(h.contains("block0(v0: i64):"), "{h}");
        assert_eq!(hover(&doc, 0, 0), None);
    }
}
