//! The ISLE lexer: S-expression tokens with positions. `;` starts a comment to the end of
//! the line.

use crate::error::{Error, ErrorKind, Pos};

/// A token.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Token {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// A symbol: names, keywords, `Enum.Variant`, `$Const`, `_`, `@`.
    Symbol(String),
    /// An integer literal (decimal, `0x`, `0o`, `0b`, `_` separators, optional `-`).
    Int(i128),
}

/// Splits `text` (file number `file`) into tokens.
///
/// # Errors
/// On a character that starts no token or an integer too large for 128 bits.
pub fn lex(text: &str, file: usize) -> Result<Vec<(Token, Pos)>, Error> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut col = 1;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { file, line, col };
        match c {
            '\n' => {
                line += 1;
                col = 1;
                i += 1;
                continue;
            }
            ' ' | '\t' | '\r' => {
                i += 1;
                col += 1;
                continue;
            }
            ';' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '(' | ')' => {
                out.push((
                    if c == '(' {
                        Token::LParen
                    } else {
                        Token::RParen
                    },
                    pos,
                ));
                i += 1;
                col += 1;
                continue;
            }
            _ => {}
        }
        let start = i;
        while i < chars.len() && !matches!(chars[i], ' ' | '\t' | '\r' | '\n' | '(' | ')' | ';') {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        col += i - start;
        let first = word.chars().next().unwrap_or(' ');
        let numeric = first.is_ascii_digit()
            || (first == '-' && word.len() > 1 && word.as_bytes()[1].is_ascii_digit());
        if numeric {
            match parse_int(&word) {
                Some(v) => out.push((Token::Int(v), pos)),
                None => {
                    return Err(Error::new(
                        ErrorKind::Lex,
                        pos,
                        format!("invalid integer `{word}`"),
                    ));
                }
            }
        } else if word
            .chars()
            .all(|c| c.is_alphanumeric() || "_.$@#-=<>!?+*/%&|~^:".contains(c))
        {
            out.push((Token::Symbol(word), pos));
        } else {
            let bad = word
                .chars()
                .find(|c| !(c.is_alphanumeric() || "_.$@#-=<>!?+*/%&|~^:".contains(*c)))
                .unwrap_or(first);
            return Err(Error::new(
                ErrorKind::Lex,
                pos,
                format!("unexpected character `{bad}`"),
            ));
        }
    }
    Ok(out)
}

fn parse_int(word: &str) -> Option<i128> {
    let (neg, rest) = match word.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, word),
    };
    let (radix, digits) = if let Some(d) = rest.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = rest.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = rest.strip_prefix("0b") {
        (2, d)
    } else {
        (10, rest)
    };
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    // Parse as u128 so `0xffff_ffff_ffff_ffff_ffff_ffff_ffff_ffff` fits as a bit pattern.
    let magnitude = u128::from_str_radix(&clean, radix).ok()?;
    if neg {
        if magnitude > 1 << 127 {
            return None;
        }
        Some((magnitude as i128).wrapping_neg())
    } else {
        Some(magnitude as i128)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Token> {
        lex(s, 0).unwrap().into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn tokens() {
        use Token::*;
        assert_eq!(
            toks("(rule (f x) 0x1_0) ; comment\n-5 0b101 $I32 Inst.Add x@y"),
            [
                LParen,
                Symbol("rule".into()),
                LParen,
                Symbol("f".into()),
                Symbol("x".into()),
                RParen,
                Int(16),
                RParen,
                Int(-5),
                Int(5),
                Symbol("$I32".into()),
                Symbol("Inst.Add".into()),
                Symbol("x@y".into()),
            ]
        );
    }

    #[test]
    fn positions_and_errors() {
        let t = lex("(a\n  b)", 0).unwrap();
        assert_eq!(
            t[2].1,
            Pos {
                file: 0,
                line: 2,
                col: 3
            }
        );
        let e = lex("(a \"x\")", 3).unwrap_err();
        assert_eq!((e.kind, e.pos.file, e.pos.col), (ErrorKind::Lex, 3, 4));
        assert!(lex("0xzz", 0).is_err());
        assert!(lex("340282366920938463463374607431768211456", 0).is_err());
    }
}
