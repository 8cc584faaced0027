//! The CLIF lexer: text into tokens with their locations. Comments are collected
//! separately so tests can read annotations in them.

use crate::error::{Location, ParseError, ParseResult};

/// A token.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Token<'a> {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `:`
    Colon,
    /// `=`
    Equal,
    /// `->`
    Arrow,
    /// `*`
    Star,
    /// `!=` (in run commands)
    NotEqual,
    /// `@` standing alone (in stack maps: `i64 @ ss0+8`).
    At,
    /// A word: keywords, opcodes, entity names (`v3`, `block1`), types (`i32x4`).
    Ident(&'a str),
    /// A number or float literal, possibly signed (`-8`, `0x1.8p3`, `+Inf`, `+NaN:0x1`).
    Number(&'a str),
    /// `%name` (without the `%`).
    Name(&'a str),
    /// `@hex` source location (without the `@`), or `@-`.
    SrcLoc(&'a str),
    /// A string literal's contents, escapes unresolved.
    Str(&'a str),
}

/// A comment: its text after `;` and the line it is on.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Comment<'a> {
    /// The line.
    pub line: usize,
    /// The text after the `;`, untrimmed.
    pub text: &'a str,
}

/// Tokens with their locations, and the comments.
pub type Tokenized<'a> = (Vec<(Token<'a>, Location)>, Vec<Comment<'a>>);

/// Splits `src` into tokens (each with its location) and comments.
///
/// # Errors
/// On a character that starts no token, or an unterminated string.
pub fn tokenize<'a>(src: &'a str, first_line: usize) -> ParseResult<Tokenized<'a>> {
    let mut tokens = Vec::new();
    let mut comments = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    let mut line = first_line;
    // Columns count characters; `col` is the count up to byte `col_pos` of the line, so
    // each character is counted once.
    let (mut col_pos, mut col) = (0, 0);
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
                (col_pos, col) = (i, 0);
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        col += src[col_pos..i].chars().count();
        col_pos = i;
        let loc = Location {
            line,
            column: col + 1,
        };
        let single = match c {
            b';' => {
                let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                comments.push(Comment {
                    line,
                    text: &src[i + 1..end],
                });
                i = end;
                continue;
            }
            b'(' => Some(Token::LParen),
            b')' => Some(Token::RParen),
            b'{' => Some(Token::LBrace),
            b'}' => Some(Token::RBrace),
            b'[' => Some(Token::LBracket),
            b']' => Some(Token::RBracket),
            b'<' => Some(Token::Less),
            b'>' => Some(Token::Greater),
            b',' => Some(Token::Comma),
            b'.' => Some(Token::Dot),
            b':' => Some(Token::Colon),
            b'=' => Some(Token::Equal),
            b'*' => Some(Token::Star),
            _ => None,
        };
        if let Some(t) = single {
            tokens.push((t, loc));
            i += 1;
            continue;
        }
        if c == b'!' && bytes.get(i + 1) == Some(&b'=') {
            tokens.push((Token::NotEqual, loc));
            i += 2;
            continue;
        }
        if c == b'-' && bytes.get(i + 1) == Some(&b'>') {
            tokens.push((Token::Arrow, loc));
            i += 2;
            continue;
        }
        if c == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                if bytes[j] == b'\\' {
                    j += 1;
                }
                if j < bytes.len() && bytes[j] == b'\n' {
                    break;
                }
                j += 1;
            }
            if j >= bytes.len() || bytes[j] != b'"' {
                return Err(ParseError {
                    location: loc,
                    message: "unterminated string".into(),
                });
            }
            tokens.push((Token::Str(&src[i + 1..j]), loc));
            i = j + 1;
            continue;
        }
        if c == b'%' || c == b'@' {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && is_word_byte(bytes[j]) {
                j += 1;
            }
            if c == b'@' && j == start && bytes.get(j) == Some(&b'-') {
                j += 1;
            }
            if c == b'@' && j == start {
                tokens.push((Token::At, loc));
                i = j;
                continue;
            }
            if j == start {
                return Err(ParseError {
                    location: loc,
                    message: format!("expected a name after `{}`", c as char),
                });
            }
            let text = &src[start..j];
            tokens.push((
                if c == b'%' {
                    Token::Name(text)
                } else {
                    Token::SrcLoc(text)
                },
                loc,
            ));
            i = j;
            continue;
        }
        let signed =
            (c == b'-' || c == b'+') && bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphanumeric());
        if c.is_ascii_digit() || signed {
            let j = number_end(bytes, i);
            tokens.push((Token::Number(&src[i..j]), loc));
            i = j;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut j = i;
            while j < bytes.len() && is_word_byte(bytes[j]) {
                j += 1;
            }
            let word = &src[i..j];
            // `NaN:0x1` and `sNaN:0x1` are one float literal.
            if (word == "NaN" || word == "sNaN") && bytes.get(j) == Some(&b':') {
                let k = number_end(bytes, j + 1);
                tokens.push((Token::Number(&src[i..k]), loc));
                i = k;
            } else if word == "Inf" || word == "NaN" || word == "sNaN" {
                tokens.push((Token::Number(word), loc));
                i = j;
            } else {
                tokens.push((Token::Ident(word), loc));
                i = j;
            }
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        return Err(ParseError {
            location: loc,
            message: format!("unexpected character `{ch}`"),
        });
    }
    Ok((tokens, comments))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The end of a number literal starting at `i` (which may be a sign).
fn number_end(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    if matches!(bytes.get(j), Some(b'-' | b'+')) {
        j += 1;
    }
    let hex = bytes[j..].starts_with(b"0x") || bytes[j..].starts_with(b"0X");
    let nan = bytes[j..].starts_with(b"NaN") || bytes[j..].starts_with(b"sNaN");
    while j < bytes.len() {
        let b = bytes[j];
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' {
            j += 1;
            // An exponent may be signed: `p-3` always, `e-3` in decimal.
            let exp = matches!(b, b'p' | b'P') || (!hex && matches!(b, b'e' | b'E'));
            if exp && matches!(bytes.get(j), Some(b'-' | b'+')) {
                j += 1;
            }
        } else if b == b':' && nan {
            j += 1;
        } else {
            break;
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Token<'_>> {
        tokenize(src, 1)
            .unwrap()
            .0
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn tokens() {
        use Token::*;
        assert_eq!(
            kinds("v1 = iadd.i32 v0, v2 ; comment\n"),
            [
                Ident("v1"),
                Equal,
                Ident("iadd"),
                Dot,
                Ident("i32"),
                Ident("v0"),
                Comma,
                Ident("v2")
            ]
        );
        assert_eq!(
            kinds("load.i64 v0+8"),
            [Ident("load"), Dot, Ident("i64"), Ident("v0"), Number("+8")]
        );
        assert_eq!(kinds("v0-0x10"), [Ident("v0"), Number("-0x10")]);
        assert_eq!(
            kinds("f32const -0x1.8p-3"),
            [Ident("f32const"), Number("-0x1.8p-3")]
        );
        assert_eq!(
            kinds("+NaN:0x1 -Inf NaN"),
            [Number("+NaN:0x1"), Number("-Inf"), Number("NaN")]
        );
        assert_eq!(kinds("1.5e-3"), [Number("1.5e-3")]);
        assert_eq!(
            kinds("%foo_1 @00a0 \"x\\\"y\""),
            [Name("foo_1"), SrcLoc("00a0"), Str("x\\\"y")]
        );
        assert_eq!(kinds("() -> i32"), [LParen, RParen, Arrow, Ident("i32")]);
        assert_eq!(kinds("u0:7"), [Ident("u0"), Colon, Number("7")]);
    }

    #[test]
    fn locations_and_comments() {
        let (tokens, comments) = tokenize("a\n  b ; hi\n", 3).unwrap();
        assert_eq!(tokens[1].1, Location { line: 4, column: 3 });
        assert_eq!(
            comments,
            [Comment {
                line: 4,
                text: " hi"
            }]
        );
    }

    #[test]
    fn errors() {
        let e = tokenize("v0 = $", 1).unwrap_err();
        assert_eq!(e.location, Location { line: 1, column: 6 });
        assert!(tokenize("\"open", 1).is_err());
        assert!(tokenize("%", 1).is_err());
        // A NaN payload cut off at the end of the text.
        assert_eq!(tokenize("NaN:", 1).unwrap().0[0].0, Token::Number("NaN:"));
    }
}
