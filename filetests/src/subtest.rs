//! The test kinds that run on parsed functions without a backend.

use crate::filecheck;
use gantry_codegen::cfg_printer::write_cfg;
use gantry_codegen::dominator_tree::DominatorTree;
use gantry_codegen::flowgraph::ControlFlowGraph;
use gantry_codegen::ir::entities::AnyEntity;
use gantry_codegen::ir::{Block, ValueDef};
use gantry_codegen::verifier::{VerifierFlags, verify_function_with};
use gantry_reader::{ParsedFunction, TestFile};
use std::collections::BTreeMap;

/// Runs test kind `kind` on every function of `file`.
///
/// # Errors
/// A description of what failed.
pub fn run(kind: &str, file: &TestFile<'_>, flags: VerifierFlags) -> Result<(), String> {
    for f in &file.functions {
        let result = match kind {
            "cat" => cat(f),
            "verifier" => verifier(f, flags),
            "print-cfg" => print_cfg(f),
            "domtree" => domtree(f),
            _ => unreachable!("unsupported kinds are filtered by the runner"),
        };
        result.map_err(|e| format!("function {}: {e}", f.func.name))?;
    }
    Ok(())
}

/// `test optimize`: each function after the mid-end (with the file's settings, e.g.
/// `set opt_level=speed`) matches its check directives.
///
/// # Errors
/// The first function whose optimized form fails its checks or does not verify.
pub fn optimize(
    file: &TestFile<'_>,
    flags: &gantry_codegen::settings::Flags,
) -> Result<(), String> {
    for f in &file.functions {
        let stencil = gantry_codegen::opts::optimize(&f.func.stencil, flags, None)
            .map_err(|e| format!("function {}: {e}", f.func.name))?
            .into_owned();
        let optimized = gantry_codegen::ir::Function {
            name: f.func.name.clone(),
            stencil,
            params: f.func.params.clone(),
        };
        let text = optimized.to_string();
        filecheck::check(&text, &filecheck::directives(comments(f))).map_err(|e| {
            format!(
                "function {}: {e}; the optimized function:\n{text}",
                f.func.name
            )
        })?;
    }
    Ok(())
}

fn comments<'a>(f: &'a ParsedFunction<'_>) -> impl Iterator<Item = &'a str> {
    f.comments.iter().map(|c| c.text)
}

/// `test cat`: printing is stable under re-parsing, and matches the check directives.
fn cat(f: &ParsedFunction<'_>) -> Result<(), String> {
    let text = f.func.to_string();
    let again = gantry_reader::parse_functions(&text)
        .map_err(|e| format!("printed text does not parse: {e}\n{text}"))?;
    if again.len() != 1 || again[0] != f.func || again[0].to_string() != text {
        return Err(format!("printing is not a round trip:\n{text}"));
    }
    filecheck::check(&text, &filecheck::directives(comments(f)))
}

/// `test print-cfg`: the dot graph matches the check directives.
fn print_cfg(f: &ParsedFunction<'_>) -> Result<(), String> {
    let mut dot = String::new();
    write_cfg(&mut dot, &f.func).map_err(|e| e.to_string())?;
    filecheck::check(&dot, &filecheck::directives(comments(f)))
}

/// `test domtree`: `; dominates: blockA blockB` on an instruction's line says its block
/// is the immediate dominator of exactly the blocks listed on its block's lines.
fn domtree(f: &ParsedFunction<'_>) -> Result<(), String> {
    let func = &f.func;
    let cfg = ControlFlowGraph::with_function(func);
    let tree = DominatorTree::with_function(func, &cfg);
    let mut expected: BTreeMap<Block, Block> = BTreeMap::new();
    for c in &f.comments {
        let Some(list) = c.text.trim().strip_prefix("dominates:") else {
            continue;
        };
        let dominator = f
            .source_map
            .insts
            .iter()
            .find(|(_, loc)| loc.line == c.line)
            .and_then(|(inst, _)| func.layout.inst_block(*inst))
            .or_else(|| {
                f.source_map
                    .blocks
                    .iter()
                    .find(|(_, l)| l.line == c.line)
                    .map(|(b, _)| *b)
            })
            .ok_or_else(|| {
                format!(
                    "line {}: `dominates:` is not on an instruction or block line",
                    c.line
                )
            })?;
        for name in list.split_whitespace() {
            let n: u32 = name
                .strip_prefix("block")
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| format!("line {}: `{name}` is not a block", c.line))?;
            expected.insert(Block::from_u32(n), dominator);
        }
    }
    filecheck::check(
        &domtree_text(func, &tree),
        &filecheck::directives(comments(f)),
    )?;
    for block in func.layout.blocks() {
        let actual = tree.idom(block);
        let want = expected.get(&block).copied();
        if actual != want {
            return Err(format!(
                "idom({block}) is {}, annotations say {}",
                actual.map_or("none".into(), |b| b.to_string()),
                want.map_or("none".into(), |b| b.to_string())
            ));
        }
    }
    Ok(())
}

fn domtree_text(func: &gantry_codegen::ir::Function, tree: &DominatorTree) -> String {
    let mut s = String::from("cfg_postorder:\n");
    for b in tree.cfg_rpo().iter().rev() {
        s.push_str(&format!("    {b}\n"));
    }
    s.push_str("domtree:\n");
    for b in func.layout.blocks() {
        if let Some(i) = tree.idom(b) {
            s.push_str(&format!("    {i} -> {b}\n"));
        }
    }
    s
}

/// `test verifier`: the verifier's errors are exactly those annotated with
/// `; error: TEXT` on the offending line (TEXT must occur in the message); an annotation
/// on a line of its own belongs to the instruction or block above it.
fn verifier(f: &ParsedFunction<'_>, flags: VerifierFlags) -> Result<(), String> {
    let func = &f.func;
    let mut entity_lines: Vec<usize> = f
        .source_map
        .insts
        .values()
        .chain(f.source_map.blocks.values())
        .map(|l| l.line)
        .collect();
    entity_lines.sort_unstable();
    let owner = |line: usize| -> usize {
        match entity_lines.binary_search(&line) {
            Ok(_) | Err(0) => line,
            Err(k) => entity_lines[k - 1],
        }
    };
    let mut expected: Vec<(usize, String, bool)> = f
        .comments
        .iter()
        .filter_map(|c| {
            c.text
                .trim()
                .strip_prefix("error:")
                .map(|t| (owner(c.line), t.trim().to_string(), false))
        })
        .collect();
    let errors = match verify_function_with(func, flags) {
        Ok(()) => Vec::new(),
        Err(e) => e.0,
    };
    let line_of = |entity: AnyEntity| -> Option<usize> {
        match entity {
            AnyEntity::Inst(i) => f.source_map.insts.get(&i).map(|l| l.line),
            AnyEntity::Block(b) => f.source_map.blocks.get(&b).map(|l| l.line),
            AnyEntity::Value(v) if func.dfg.value_is_valid(v) => match func.dfg.value_def(v) {
                ValueDef::Result(i, _) => f.source_map.insts.get(&i).map(|l| l.line),
                ValueDef::Param(b, _) => f.source_map.blocks.get(&b).map(|l| l.line),
            },
            _ => None,
        }
    };
    let mut unexpected = Vec::new();
    for e in &errors {
        let line = line_of(e.location);
        let text = e.to_string();
        let hit = expected.iter_mut().find(|(l, t, used)| {
            !*used && text.contains(t.as_str()) && (line.is_none() || line == Some(*l))
        });
        match hit {
            Some(h) => h.2 = true,
            None => unexpected.push(text),
        }
    }
    let missing: Vec<String> = expected
        .iter()
        .filter(|e| !e.2)
        .map(|(l, t, _)| format!("line {l}: expected error `{t}`"))
        .collect();
    if unexpected.is_empty() && missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            unexpected
                .iter()
                .map(|u| format!("unexpected verifier error: {u}\n"))
                .collect::<String>(),
            missing.join("\n")
        ))
    }
}
