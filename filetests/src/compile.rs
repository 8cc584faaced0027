//! `test compile` and `test compile precise-output`: compile each function and check the
//! listing (its VCode and the disassembly of the final code) against the function's
//! filecheck directives, or, for `precise-output`, against the whole listing kept in the
//! comments after the function (rewritten by `clif-util test --bless`).

use crate::disasm;
use gantry_codegen::Context;
use gantry_codegen::isa::TargetIsa;
use gantry_codegen::machinst::compiled::CompiledCode;
use gantry_reader::TestFile;
use std::path::Path;

/// The listing of a compiled function: `VCode:` with the code before register
/// allocation, then `Disassembled:` with the emitted machine code and the bytes of its
/// constant pool, then its relocations and trap sites.
pub fn listing(code: &CompiledCode, isa: &str) -> String {
    let mut out = String::from("VCode:\n");
    for l in code.vcode.as_deref().unwrap_or("").lines() {
        out.push_str("  ");
        out.push_str(l);
        out.push('\n');
    }
    out.push_str("\nDisassembled:\n");
    // The constants after the code are data like the ranges inside it.
    let mut data = code.data_ranges.clone();
    data.push((code.code_len, code.code.len() as u32));
    out.push_str(&disasm::disassemble_code(isa, &code.code, &data).text);
    for r in &code.relocs {
        out.push_str(&format!(
            "  reloc at {:#x}: {} -> {:?} {:+}\n",
            r.offset, r.kind, r.target, r.addend
        ));
    }
    for t in &code.traps {
        out.push_str(&format!("  trap at {:#x}: {}\n", t.offset, t.code));
    }
    out
}

/// Runs `test compile` (with `precise` for `precise-output`) on every function of `file`
/// for `isa`; returns the number of functions that passed and a description of each
/// failure (a function that did not compile or whose listing did not match). With
/// `bless`, precise expectations that differ are rewritten in the file at that path
/// instead of failing.
///
/// # Errors
/// The blessed file could not be written.
pub fn run(
    file: &TestFile<'_>,
    isa: &dyn TargetIsa,
    precise: bool,
    bless: Option<(&Path, &str)>,
) -> Result<(usize, Vec<String>), String> {
    let mut failures = Vec::new();
    let mut blessed: Vec<(usize, String)> = Vec::new();
    for (i, f) in file.functions.iter().enumerate() {
        let mut ctx = Context::for_function(f.func.clone());
        ctx.want_vcode = true;
        let text = match ctx.compile(isa) {
            Ok(code) => listing(code, isa.name()),
            Err(e) => {
                failures.push(format!("{}: {e}", f.func.name));
                continue;
            }
        };
        if precise {
            let want = expectation(f);
            if normalize(&want) != normalize(&text) {
                if bless.is_some() {
                    blessed.push((i, text));
                } else {
                    failures.push(format!(
                        "{}: the listing differs from the expected one (`clif-util test --bless` rewrites it):\n{}",
                        f.func.name,
                        diff(&want, &text)
                    ));
                }
            }
        } else {
            let directives = crate::filecheck::directives(f.comments.iter().map(|c| c.text));
            if let Err(e) = crate::filecheck::check(&text, &directives) {
                failures.push(format!("{}: {e}\nlisting:\n{text}", f.func.name));
            }
        }
    }
    if let (Some((path, src)), false) = (bless, blessed.is_empty()) {
        let rewritten = rewrite(src, file, &blessed);
        std::fs::write(path, rewritten).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok((file.functions.len() - failures.len(), failures))
}

/// The line (1-based) of the `}` that closes the function starting at line `start`.
fn closing_line(src: &str, start: usize) -> usize {
    src.lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| l.trim_end() == "}")
        .map_or(usize::MAX, |(i, _)| i + 1)
}

/// The expected listing: the block of comments on consecutive lines that starts with
/// `VCode:`, each with the one space after `;` removed.
fn expectation(f: &gantry_reader::ParsedFunction<'_>) -> String {
    let mut out = String::new();
    let Some(start) = f.comments.iter().position(|c| c.text.trim() == "VCode:") else {
        return out;
    };
    let mut line = f.comments[start].line;
    for c in &f.comments[start..] {
        if c.line > line + 1 {
            break;
        }
        line = c.line;
        out.push_str(c.text.strip_prefix(' ').unwrap_or(c.text));
        out.push('\n');
    }
    out
}

/// Lines with trailing blanks removed, and no blank lines at the ends.
fn normalize(s: &str) -> Vec<&str> {
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    lines[start..end].to_vec()
}

/// A line diff of `want` and `got` (`-` expected, `+` produced), by longest common
/// subsequence.
fn diff(want: &str, got: &str) -> String {
    let (a, b) = (normalize(want), normalize(got));
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("   {}\n", a[i]));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!(" + {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!(" - {}\n", a[i]));
            i += 1;
        }
    }
    out
}

/// `src` with the expectations of the functions in `blessed` (index, new listing)
/// replaced. A function's expectation is the comment block starting with `; VCode:`
/// after its closing brace (blank lines between them allowed); without one, the listing
/// is inserted after the brace. Other comments are kept.
fn rewrite(src: &str, file: &TestFile<'_>, blessed: &[(usize, String)]) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut next = 0usize; // the next source line (0-based) to copy
    for (i, listing) in blessed {
        let f = &file.functions[*i];
        let close = closing_line(src, f.location.line).min(lines.len());
        let mut end = close;
        let mut j = close;
        while j < lines.len() && lines[j].trim().is_empty() {
            j += 1;
        }
        if lines.get(j).is_some_and(|l| l.trim() == "; VCode:") {
            end = j;
            while end < lines.len() && lines[end].trim_start().starts_with(';') {
                end += 1;
            }
        }
        out.extend(lines[next..close].iter().map(|l| l.to_string()));
        out.push(String::new());
        out.extend(listing.lines().map(|l| {
            if l.is_empty() {
                ";".to_string()
            } else {
                format!("; {l}")
            }
        }));
        next = end;
    }
    out.extend(lines[next..].iter().map(|l| l.to_string()));
    let mut s = out.join("\n");
    s.push('\n');
    s
}
