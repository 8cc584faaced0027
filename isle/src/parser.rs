//! The ISLE parser: tokens into definitions.

use crate::ast::*;
use crate::error::{Error, ErrorKind, Pos};
use crate::lexer::Token;

/// Parses the tokens of one file.
///
/// # Errors
/// The first syntax error.
pub fn parse(tokens: &[(Token, Pos)], end: Pos) -> Result<Vec<Def>, Error> {
    let mut p = Parser {
        tokens,
        pos: 0,
        end,
    };
    let mut defs = Vec::new();
    while p.pos < tokens.len() {
        defs.push(p.def()?);
    }
    Ok(defs)
}

struct Parser<'a> {
    tokens: &'a [(Token, Pos)],
    pos: usize,
    end: Pos,
}

impl Parser<'_> {
    fn here(&self) -> Pos {
        self.tokens.get(self.pos).map_or(self.end, |t| t.1)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|t| &t.0)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, Error> {
        Err(Error::new(ErrorKind::Parse, self.here(), message))
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "end of input".into(),
            Some(Token::LParen) => "`(`".into(),
            Some(Token::RParen) => "`)`".into(),
            Some(Token::Symbol(s)) => format!("`{s}`"),
            Some(Token::Int(i)) => format!("`{i}`"),
        }
    }

    fn expected<T>(&self, what: &str) -> Result<T, Error> {
        self.error(format!("expected {what}, found {}", self.describe()))
    }

    fn lparen(&mut self) -> Result<Pos, Error> {
        let pos = self.here();
        if self.peek() == Some(&Token::LParen) {
            self.pos += 1;
            Ok(pos)
        } else {
            self.expected("`(`")
        }
    }

    fn rparen(&mut self) -> Result<(), Error> {
        if self.peek() == Some(&Token::RParen) {
            self.pos += 1;
            Ok(())
        } else {
            self.expected("`)`")
        }
    }

    fn is_rparen(&self) -> bool {
        self.peek() == Some(&Token::RParen)
    }

    fn symbol(&mut self, what: &str) -> Result<Ident, Error> {
        let pos = self.here();
        match self.peek() {
            Some(Token::Symbol(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(Ident(s, pos))
            }
            _ => self.expected(what),
        }
    }

    /// A name: a symbol that is not a keyword-like token (`_`, `$...`, `#t`).
    fn ident(&mut self, what: &str) -> Result<Ident, Error> {
        let id = self.symbol(what)?;
        if id.0 == "_" || id.0.starts_with('$') || id.0.starts_with('#') || id.0.contains('@') {
            self.pos -= 1;
            return self.expected(what);
        }
        Ok(id)
    }

    fn eat_symbol(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Token::Symbol(x)) if x == s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn def(&mut self) -> Result<Def, Error> {
        let pos = self.lparen()?;
        let kw = self.symbol("a definition keyword")?;
        let def = match kw.0.as_str() {
            "type" => self.type_def(pos)?,
            "decl" => self.decl(pos)?,
            "rule" => self.rule(pos)?,
            "extractor" => {
                self.lparen()?;
                let term = self.ident("the extractor's term")?;
                let mut args = Vec::new();
                while !self.is_rparen() {
                    args.push(self.ident("a parameter name")?);
                }
                self.rparen()?;
                let template = self.pattern()?;
                Def::Extractor {
                    term,
                    args,
                    template,
                    pos,
                }
            }
            "extern" => {
                let what = self.symbol("`constructor`, `extractor` or `const`")?;
                match what.0.as_str() {
                    "constructor" => {
                        let term = self.ident("a term")?;
                        let func = self.ident("a Rust method name")?;
                        Def::ExternConstructor { term, func, pos }
                    }
                    "extractor" => {
                        let infallible = self.eat_symbol("infallible");
                        let term = self.ident("a term")?;
                        let func = self.ident("a Rust method name")?;
                        Def::ExternExtractor {
                            term,
                            func,
                            infallible,
                            pos,
                        }
                    }
                    "const" => {
                        let name = self.symbol("a `$Name` constant")?;
                        if !name.0.starts_with('$') || name.0.len() < 2 {
                            return Err(Error::new(
                                ErrorKind::Parse,
                                name.1,
                                format!("a constant's name starts with `$`, found `{}`", name.0),
                            ));
                        }
                        let ty = self.ident("a type")?;
                        Def::ExternConst { name, ty, pos }
                    }
                    other => {
                        return Err(Error::new(
                            ErrorKind::Parse,
                            what.1,
                            format!(
                                "expected `constructor`, `extractor` or `const`, found `{other}`"
                            ),
                        ));
                    }
                }
            }
            "convert" => {
                let from = self.ident("a type")?;
                let to = self.ident("a type")?;
                let term = self.ident("a term")?;
                Def::Convert {
                    from,
                    to,
                    term,
                    pos,
                }
            }
            "overlap-ok" => {
                let a = self.ident("a rule name")?;
                let b = self.ident("a rule name")?;
                Def::OverlapOk(a, b)
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Parse,
                    kw.1,
                    format!(
                        "unknown definition `{other}` (expected `type`, `decl`, `rule`, `extractor`, `extern`, `convert` or `overlap-ok`)"
                    ),
                ));
            }
        };
        self.rparen()?;
        Ok(def)
    }

    fn type_def(&mut self, pos: Pos) -> Result<Def, Error> {
        let name = self.ident("a type name")?;
        let is_extern = self.eat_symbol("extern");
        self.lparen()?;
        let kind = self.symbol("`primitive` or `enum`")?;
        let value = match kind.0.as_str() {
            "primitive" => {
                let rust = self.ident("a Rust type")?;
                TypeValue::Primitive(rust)
            }
            "enum" => {
                let mut variants = Vec::new();
                while !self.is_rparen() {
                    self.lparen()?;
                    let vname = self.ident("a variant name")?;
                    let mut fields = Vec::new();
                    while !self.is_rparen() {
                        self.lparen()?;
                        let f = self.ident("a field name")?;
                        let t = self.ident("a field type")?;
                        self.rparen()?;
                        fields.push((f, t));
                    }
                    self.rparen()?;
                    variants.push(Variant {
                        name: vname,
                        fields,
                    });
                }
                TypeValue::Enum(variants)
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Parse,
                    kind.1,
                    format!("expected `primitive` or `enum`, found `{other}`"),
                ));
            }
        };
        self.rparen()?;
        Ok(Def::Type {
            name,
            is_extern,
            value,
            pos,
        })
    }

    fn decl(&mut self, pos: Pos) -> Result<Def, Error> {
        let (mut pure, mut multi, mut partial, mut rec) = (false, false, false, false);
        loop {
            if self.eat_symbol("pure") {
                pure = true;
            } else if self.eat_symbol("multi") {
                multi = true;
            } else if self.eat_symbol("partial") {
                partial = true;
            } else if self.eat_symbol("rec") {
                rec = true;
            } else {
                break;
            }
        }
        let term = self.ident("a term name")?;
        self.lparen()?;
        let mut args = Vec::new();
        while !self.is_rparen() {
            args.push(self.ident("an argument type")?);
        }
        self.rparen()?;
        let ret = self.ident("a result type")?;
        Ok(Def::Decl(Decl {
            term,
            args,
            ret,
            pure,
            multi,
            partial,
            rec,
            pos,
        }))
    }

    fn rule(&mut self, pos: Pos) -> Result<Def, Error> {
        let mut name = None;
        if let Some(Token::Symbol(s)) = self.peek() {
            if s != "_" && !s.starts_with('$') {
                name = Some(self.ident("a rule name")?);
            }
        }
        let mut prio = 0;
        if let Some(Token::Int(i)) = self.peek() {
            let p = self.here();
            prio = i64::try_from(*i)
                .map_err(|_| Error::new(ErrorKind::Parse, p, "priority out of range"))?;
            self.pos += 1;
        }
        let pattern = self.pattern()?;
        let mut iflets = Vec::new();
        loop {
            // `(if-let ...)` and `(if ...)` come before the final expression.
            let is_cond = self.peek() == Some(&Token::LParen)
                && matches!(self.tokens.get(self.pos + 1).map(|t| &t.0), Some(Token::Symbol(s)) if s == "if-let" || s == "if");
            if !is_cond {
                break;
            }
            let p = self.lparen()?;
            let kw = self.symbol("`if-let` or `if`")?;
            let (pattern, expr) = if kw.0 == "if-let" {
                let pat = self.pattern()?;
                (pat, self.expr()?)
            } else {
                (Pattern::Wildcard(p), self.expr()?)
            };
            self.rparen()?;
            iflets.push(IfLet {
                pattern,
                expr,
                pos: p,
            });
        }
        let expr = self.expr()?;
        Ok(Def::Rule(Rule {
            name,
            prio,
            pattern,
            iflets,
            expr,
            pos,
        }))
    }

    fn pattern(&mut self) -> Result<Pattern, Error> {
        let pos = self.here();
        match self.peek().cloned() {
            Some(Token::Int(i)) => {
                self.pos += 1;
                Ok(Pattern::Int(i, pos))
            }
            Some(Token::Symbol(s)) => {
                self.pos += 1;
                match s.as_str() {
                    "_" => Ok(Pattern::Wildcard(pos)),
                    "#t" => Ok(Pattern::Bool(true, pos)),
                    "#f" => Ok(Pattern::Bool(false, pos)),
                    _ if s.starts_with('$') => Ok(Pattern::Const(Ident(s, pos))),
                    _ if s.ends_with('@') || s.contains('@') => {
                        // `x @ pat` written as `x@ pat` or `x@pat`.
                        let (var, rest) = s.split_once('@').expect("contains @");
                        if var.is_empty() {
                            return Err(Error::new(
                                ErrorKind::Parse,
                                pos,
                                "expected a variable before `@`",
                            ));
                        }
                        let sub = if rest.is_empty() {
                            self.pattern()?
                        } else {
                            Pattern::Var(Ident(
                                rest.to_string(),
                                Pos {
                                    col: pos.col + var.len() + 1,
                                    ..pos
                                },
                            ))
                        };
                        Ok(Pattern::Bind(Ident(var.to_string(), pos), Box::new(sub)))
                    }
                    _ => {
                        if self.eat_symbol("@") {
                            let sub = self.pattern()?;
                            Ok(Pattern::Bind(Ident(s, pos), Box::new(sub)))
                        } else {
                            Ok(Pattern::Var(Ident(s, pos)))
                        }
                    }
                }
            }
            Some(Token::LParen) => {
                self.pos += 1;
                let head = self.symbol("a term or `and`")?;
                let mut args = Vec::new();
                while !self.is_rparen() {
                    if self.peek().is_none() {
                        return self.expected("`)`");
                    }
                    args.push(self.pattern()?);
                }
                self.rparen()?;
                if head.0 == "and" {
                    Ok(Pattern::And(args, pos))
                } else {
                    Ok(Pattern::Term(head, args))
                }
            }
            _ => self.expected("a pattern"),
        }
    }

    fn expr(&mut self) -> Result<Expr, Error> {
        let pos = self.here();
        match self.peek().cloned() {
            Some(Token::Int(i)) => {
                self.pos += 1;
                Ok(Expr::Int(i, pos))
            }
            Some(Token::Symbol(s)) => {
                self.pos += 1;
                match s.as_str() {
                    "#t" => Ok(Expr::Bool(true, pos)),
                    "#f" => Ok(Expr::Bool(false, pos)),
                    "_" => Err(Error::new(
                        ErrorKind::Parse,
                        pos,
                        "`_` is not an expression",
                    )),
                    _ if s.starts_with('$') => Ok(Expr::Const(Ident(s, pos))),
                    _ => Ok(Expr::Var(Ident(s, pos))),
                }
            }
            Some(Token::LParen) => {
                self.pos += 1;
                let head = self.symbol("a term or `let`")?;
                if head.0 == "let" {
                    self.lparen()?;
                    let mut defs = Vec::new();
                    while !self.is_rparen() {
                        self.lparen()?;
                        // `_` evaluates the value for its effect only.
                        let name = if matches!(self.peek(), Some(Token::Symbol(s)) if s == "_") {
                            self.symbol("a variable name")?
                        } else {
                            self.ident("a variable name")?
                        };
                        let ty = self.ident("a type")?;
                        let value = self.expr()?;
                        self.rparen()?;
                        defs.push((name, ty, value));
                    }
                    self.rparen()?;
                    let body = self.expr()?;
                    self.rparen()?;
                    return Ok(Expr::Let(defs, Box::new(body), pos));
                }
                let mut args = Vec::new();
                while !self.is_rparen() {
                    if self.peek().is_none() {
                        return self.expected("`)`");
                    }
                    args.push(self.expr()?);
                }
                self.rparen()?;
                Ok(Expr::Term(head, args))
            }
            _ => self.expected("an expression"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn parse_str(s: &str) -> Result<Vec<Def>, Error> {
        let toks = lex(s, 0).unwrap();
        parse(
            &toks,
            Pos {
                file: 0,
                line: 99,
                col: 1,
            },
        )
    }

    #[test]
    fn definitions() {
        let defs = parse_str(
            "(type u32 (primitive u32))
             (type Op (enum (Add (a u32) (b u32)) (Nop)))
             (decl pure partial f (u32 Op) u32)
             (rule named 2 (f x @ (Op.Add a _) y) (if-let z (g x)) (if (h z)) (let ((w u32 5)) w))
             (extern constructor g g_impl)
             (extern extractor infallible h h_impl)
             (extern const $Z u32)
             (convert u32 Op mk)
             (extractor (two a) (Op.Add a a))
             (overlap-ok named other)",
        )
        .unwrap();
        assert_eq!(defs.len(), 10);
        let Def::Rule(r) = &defs[3] else { panic!() };
        assert_eq!(r.name.as_ref().unwrap().0, "named");
        assert_eq!(r.prio, 2);
        assert_eq!(r.iflets.len(), 2);
        assert!(
            matches!(r.pattern, Pattern::Term(_, ref args) if matches!(args[0], Pattern::Bind(..)))
        );
        let Def::Decl(d) = &defs[2] else { panic!() };
        assert!(d.pure && d.partial && !d.multi);
    }

    #[test]
    fn errors_have_positions() {
        let e = parse_str("(rule (f x)").unwrap_err();
        assert_eq!((e.kind, e.pos.line), (ErrorKind::Parse, 99));
        let e = parse_str("(frob)").unwrap_err();
        assert_eq!(e.pos.col, 2);
        assert!(parse_str("(decl f (u32) )").is_err());
        assert!(parse_str("(rule (f _) _)").is_err());
    }
}
