//! Run commands in comments: `; run: %f(1, 2) == 3`, `; run: %f(1) != 2`, `; print: %f(1)`.

use crate::error::{Location, ParseError, ParseResult, err};
use crate::lexer::{Token, tokenize};
use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::immediates::parse_i128_or_u128;
use gantry_codegen::ir::{Ieee16, Ieee32, Ieee64, Ieee128, Signature, Type};
use std::fmt;

/// The command of a bare `; run` after function `owner`: `%owner() != 0`.
fn bare_run<'s>(
    line: usize,
    owner: Option<&str>,
    sig_of: impl Fn(&str) -> Option<&'s Signature>,
) -> ParseResult<RunCommand> {
    let location = Location { line, column: 1 };
    let fail = |message: String| Err(ParseError { location, message });
    let Some(func) = owner else {
        return fail("a bare `; run` must follow the function it runs".into());
    };
    let Some(sig) = sig_of(func) else {
        return fail(format!("no function `%{func}` in this file"));
    };
    match (sig.params.len(), sig.returns.as_slice()) {
        (0, [r]) if r.value_type.is_int() && !r.value_type.is_vector() => {
            let zero =
                DataValue::from_integer(0, r.value_type).expect("an integer type has a zero");
            Ok(RunCommand::Run(
                Invocation {
                    func: func.to_string(),
                    args: Vec::new(),
                },
                Comparison::NotEquals,
                vec![zero],
            ))
        }
        _ => fail(format!(
            "a bare `; run` calls `%{func}` without arguments and expects one integer result; \
             write `; run: %{func}(...) == ...`"
        )),
    }
}

/// A function call with constant arguments.
#[derive(Clone, PartialEq, Debug)]
pub struct Invocation {
    /// The function's name, without `%`.
    pub func: String,
    /// The arguments, typed by the function's parameters.
    pub args: Vec<DataValue>,
}

/// How a run command compares the results.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Comparison {
    /// `==`
    Equals,
    /// `!=`
    NotEquals,
}

/// One run command.
#[derive(Clone, PartialEq, Debug)]
pub enum RunCommand {
    /// `; print: %f(args)`: call and show the results.
    Print(Invocation),
    /// `; run: %f(args) == results` (or `!=`).
    Run(Invocation, Comparison, Vec<DataValue>),
}

impl fmt::Display for Invocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}(", self.func)?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str(")")
    }
}

/// If `comment` (the text after `;`) is a run command, parses it against the signature of
/// the function it calls, found through `sig_of`. A bare `; run` calls `owner`, the
/// function the comment follows, without arguments, and expects its one integer result
/// to be true (non-zero).
///
/// # Errors
/// If it is a run command but malformed, names an unknown function, or its values do not
/// fit the signature; a bare `; run` without an owner, or whose owner takes arguments or
/// does not return one integer. `line` places the error.
pub fn parse_run_command<'s>(
    comment: &str,
    line: usize,
    owner: Option<&str>,
    sig_of: impl Fn(&str) -> Option<&'s Signature>,
) -> ParseResult<Option<RunCommand>> {
    let text = comment.trim();
    let (kind, rest) = if let Some(r) = text.strip_prefix("run:") {
        ("run", r)
    } else if let Some(r) = text.strip_prefix("print:") {
        ("print", r)
    } else if text == "run" {
        return bare_run(line, owner, sig_of).map(Some);
    } else if let Some(kind) = missing_colon(text) {
        // `; run %f(1) == 2` would otherwise be an ordinary comment, and the check it
        // was meant to be would silently never run.
        return Err(ParseError {
            location: Location { line, column: 1 },
            message: format!("`; {kind}` needs a colon: write `; {kind}: %f(...)`"),
        });
    } else {
        return Ok(None);
    };
    let (tokens, _) = tokenize(rest, line)?;
    let mut p = ValueParser {
        tokens: &tokens,
        pos: 0,
        line,
    };
    let loc = p.loc();
    let func = match p.next() {
        Some(Token::Name(n)) => n.to_string(),
        _ => return err!(loc, "expected `%function` in the run command"),
    };
    let Some(sig) = sig_of(&func) else {
        return err!(loc, "no function `%{func}` in this file");
    };
    p.expect(Token::LParen, "`(`")?;
    let mut args = Vec::new();
    if !p.eat(Token::RParen) {
        loop {
            let i = args.len();
            let Some(param) = sig.params.get(i) else {
                return err!(p.loc(), "`%{func}` takes {} argument(s)", sig.params.len());
            };
            args.push(p.value(param.value_type)?);
            if p.eat(Token::RParen) {
                break;
            }
            p.expect(Token::Comma, "`,` or `)`")?;
        }
    }
    if args.len() != sig.params.len() {
        return err!(
            loc,
            "`%{func}` takes {} argument(s), found {}",
            sig.params.len(),
            args.len()
        );
    }
    let invocation = Invocation { func, args };
    if kind == "print" {
        p.end()?;
        return Ok(Some(RunCommand::Print(invocation)));
    }
    let cmp_loc = p.loc();
    let comparison = match p.next() {
        Some(Token::Equal) if p.eat(Token::Equal) => Comparison::Equals,
        Some(Token::NotEqual) => Comparison::NotEquals,
        _ => return err!(cmp_loc, "expected `==` or `!=` after the call"),
    };
    let returns: Vec<Type> = sig.returns.iter().map(|r| r.value_type).collect();
    let expected = if returns.len() == 1 {
        vec![p.value(returns[0])?]
    } else {
        p.expect(Token::LBracket, "`[` with the results")?;
        let mut values = Vec::new();
        for (i, &ty) in returns.iter().enumerate() {
            if i > 0 {
                p.eat(Token::Comma);
            }
            values.push(p.value(ty)?);
        }
        p.expect(Token::RBracket, "`]`")?;
        values
    };
    p.end()?;
    Ok(Some(RunCommand::Run(invocation, comparison, expected)))
}

/// Whether `text` is a run or print command whose colon is missing (`run %f(1) == 2`,
/// `print %f()`): the kind, if so. Prose that merely starts with "run" is not.
fn missing_colon(text: &str) -> Option<&'static str> {
    ["run", "print"].into_iter().find(|kind| {
        text.strip_prefix(kind)
            .is_some_and(|rest| rest.trim_start().starts_with('%'))
    })
}

struct ValueParser<'t, 'a> {
    tokens: &'t [(Token<'a>, Location)],
    pos: usize,
    line: usize,
}

impl<'a> ValueParser<'_, 'a> {
    fn loc(&self) -> Location {
        self.tokens.get(self.pos).map_or(
            Location {
                line: self.line,
                column: 1,
            },
            |t| t.1,
        )
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let t = self.tokens.get(self.pos).map(|t| t.0);
        self.pos += 1;
        t
    }

    fn eat(&mut self, t: Token<'_>) -> bool {
        if self.tokens.get(self.pos).map(|t| t.0) == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, t: Token<'_>, what: &str) -> ParseResult<()> {
        if self.eat(t) {
            Ok(())
        } else {
            err!(self.loc(), "expected {what}")
        }
    }

    fn end(&self) -> ParseResult<()> {
        if self.pos < self.tokens.len() {
            return err!(self.loc(), "unexpected text after the run command");
        }
        Ok(())
    }

    fn value(&mut self, ty: Type) -> ParseResult<DataValue> {
        let loc = self.loc();
        if ty.is_vector() {
            // A vector is also written as one hex number of its bytes, last byte first
            // (how Cranelift and Gantry print vector values).
            if let Some(Token::Number(n)) = self.tokens.get(self.pos).map(|t| t.0) {
                let digits = n.strip_prefix("0x").unwrap_or(n).replace('_', "");
                let bits = u128::from_str_radix(&digits, 16);
                return match (n.starts_with("0x"), bits, ty.bits()) {
                    (true, Ok(b), 128) => {
                        self.pos += 1;
                        Ok(DataValue::V128(b.to_le_bytes()))
                    }
                    (true, Ok(b), 64) if b <= u128::from(u64::MAX) => {
                        self.pos += 1;
                        Ok(DataValue::V64((b as u64).to_le_bytes()))
                    }
                    _ => err!(loc, "expected `[` starting a vector, or its bytes in hex"),
                };
            }
            self.expect(Token::LBracket, "`[` starting a vector")?;
            let lane = ty.lane_type();
            let mut bytes = Vec::new();
            for i in 0..ty.lane_count() {
                if i > 0 {
                    self.eat(Token::Comma);
                }
                let v = self.value(lane)?;
                bytes.extend(lane_bytes(v));
            }
            self.expect(Token::RBracket, "`]` closing the vector")?;
            return match bytes.len() {
                16 => Ok(DataValue::V128(bytes.try_into().expect("16 bytes"))),
                8 => Ok(DataValue::V64(bytes.try_into().expect("8 bytes"))),
                n => err!(loc, "{n}-byte vectors are not supported in run commands"),
            };
        }
        let text = match self.next() {
            Some(Token::Number(n)) => n,
            Some(Token::Ident("true")) => "1",
            Some(Token::Ident("false")) => "0",
            _ => return err!(loc, "expected a {ty} value"),
        };
        let bad = || ParseError {
            location: loc,
            message: format!("`{text}` is not a valid {ty}"),
        };
        Ok(match ty {
            Type::F16 => DataValue::F16(Ieee16::parse(text).ok_or_else(bad)?),
            Type::F32 => DataValue::F32(Ieee32::parse(text).ok_or_else(bad)?),
            Type::F64 => DataValue::F64(Ieee64::parse(text).ok_or_else(bad)?),
            Type::F128 => DataValue::F128(Ieee128::parse(text).ok_or_else(bad)?),
            t if t.is_int() => {
                let x = parse_i128_or_u128(text).ok_or_else(bad)?;
                let bits = t.bits();
                if bits < 128 && (x < -(1i128 << (bits - 1)) || x > (1i128 << bits) - 1) {
                    return Err(bad());
                }
                DataValue::from_integer(x, t).ok_or_else(bad)?
            }
            _ => return Err(bad()),
        })
    }
}

fn lane_bytes(v: DataValue) -> Vec<u8> {
    match v {
        DataValue::I8(x) => x.to_le_bytes().to_vec(),
        DataValue::I16(x) => x.to_le_bytes().to_vec(),
        DataValue::I32(x) => x.to_le_bytes().to_vec(),
        DataValue::I64(x) => x.to_le_bytes().to_vec(),
        DataValue::I128(x) => x.to_le_bytes().to_vec(),
        DataValue::F16(x) => x.bits().to_le_bytes().to_vec(),
        DataValue::F32(x) => x.bits().to_le_bytes().to_vec(),
        DataValue::F64(x) => x.bits().to_le_bytes().to_vec(),
        DataValue::F128(x) => x.bits().to_le_bytes().to_vec(),
        DataValue::V128(b) => b.to_vec(),
        DataValue::V64(b) => b.to_vec(),
    }
}
