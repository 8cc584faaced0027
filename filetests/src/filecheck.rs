//! A small FileCheck: match `; check:` style directives against produced text.
//!
//! Directives, in order: `check: TEXT` finds TEXT on a line at or after the current one;
//! `nextln: TEXT` on the very next line; `sameln: TEXT` later on the current line;
//! `not: TEXT` asserts TEXT does not occur between the previous match and the next.
//! Matching is by substring, with runs of whitespace treated as one space.

/// One directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directive {
    /// `check:`
    Check(String),
    /// `nextln:`
    NextLn(String),
    /// `sameln:`
    SameLn(String),
    /// `not:`
    Not(String),
}

/// Reads the directives in `comments` (each the text after `;`).
pub fn directives<'a>(comments: impl IntoIterator<Item = &'a str>) -> Vec<Directive> {
    let mut out = Vec::new();
    for c in comments {
        let t = c.trim();
        for (prefix, make) in [
            ("check:", Directive::Check as fn(String) -> Directive),
            ("nextln:", Directive::NextLn),
            ("sameln:", Directive::SameLn),
            ("not:", Directive::Not),
        ] {
            if let Some(rest) = t.strip_prefix(prefix) {
                out.push(make(normalize(rest)));
            }
        }
    }
    out
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks `text` against `directives`.
///
/// # Errors
/// A description of the first directive that does not hold.
pub fn check(text: &str, directives: &[Directive]) -> Result<(), String> {
    let lines: Vec<String> = text.lines().map(normalize).collect();
    // The position after the last match: (line, column within the line).
    let mut line = 0usize;
    let mut col = 0usize;
    let mut pending_not: Vec<&str> = Vec::new();
    let find_from = |start_line: usize, start_col: usize, pat: &str| -> Option<(usize, usize)> {
        for (i, l) in lines.iter().enumerate().skip(start_line) {
            let from = if i == start_line {
                start_col.min(l.len())
            } else {
                0
            };
            if let Some(p) = l[from..].find(pat) {
                return Some((i, from + p + pat.len()));
            }
        }
        None
    };
    let mut matched_any = false;
    for d in directives {
        let (new_line, new_col) = match d {
            Directive::Not(p) => {
                pending_not.push(p);
                continue;
            }
            Directive::Check(p) => {
                find_from(line, col, p).ok_or_else(|| format!("check: `{p}` not found"))?
            }
            Directive::NextLn(p) => {
                let next = if matched_any { line + 1 } else { 0 };
                match lines.get(next).and_then(|l| l.find(p.as_str())) {
                    Some(pos) => (next, pos + p.len()),
                    None => return Err(format!("nextln: `{p}` not on line {}", next + 1)),
                }
            }
            Directive::SameLn(p) => match lines
                .get(line)
                .and_then(|l| l.get(col..))
                .and_then(|rest| rest.find(p.as_str()))
            {
                Some(pos) => (line, col + pos + p.len()),
                None => return Err(format!("sameln: `{p}` not on line {}", line + 1)),
            },
        };
        for p in pending_not.drain(..) {
            let region_has = (line..=new_line).any(|i| {
                let l = &lines[i];
                let from = if i == line && matched_any {
                    col.min(l.len())
                } else {
                    0
                };
                let to = if i == new_line {
                    new_col.min(l.len())
                } else {
                    l.len()
                };
                from <= to && l[from..to].contains(p)
            });
            if region_has {
                return Err(format!("not: `{p}` was found"));
            }
        }
        line = new_line;
        col = new_col;
        matched_any = true;
    }
    for p in pending_not {
        let rest = lines.iter().enumerate().skip(line).any(|(i, l)| {
            let from = if i == line && matched_any {
                col.min(l.len())
            } else {
                0
            };
            l[from..].contains(p)
        });
        if rest {
            return Err(format!("not: `{p}` was found"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(lines: &[&str]) -> Vec<Directive> {
        directives(lines.iter().copied())
    }

    #[test]
    fn directives_match_in_order() {
        let text = "a b c\nd  e\nf\n";
        assert!(
            check(
                text,
                &d(&["check: b", "sameln: c", "nextln: d e", "check: f"])
            )
            .is_ok()
        );
        assert!(check(text, &d(&["check: d", "check: b"])).is_err());
        assert!(check(text, &d(&["check: a", "nextln: f"])).is_err());
        assert!(check(text, &d(&["check: a", "not: e", "check: f"])).is_err());
        assert!(check(text, &d(&["check: a", "not: x", "check: f"])).is_ok());
        assert!(check(text, &d(&["check: d", "not: a"])).is_ok());
        assert!(check(text, &d(&["not: zz"])).is_ok());
    }
}
