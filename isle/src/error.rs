//! Errors with their location in the ISLE source, shown with an excerpt and a caret.

use std::fmt;

/// A position: file index (into the compiled file list), 1-based line and column.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Pos {
    /// Index of the file in the list given to the compiler.
    pub file: usize,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub col: usize,
}

/// What kind of mistake an error reports.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ErrorKind {
    /// A character or token that cannot start anything here.
    Lex,
    /// Malformed syntax.
    Parse,
    /// A name used but never defined.
    UnknownName,
    /// A name defined twice.
    Duplicate,
    /// A value of the wrong type.
    TypeMismatch,
    /// The wrong number of arguments.
    Arity,
    /// A variable bound but never used.
    UnusedVariable,
    /// A rule that can never fire because an earlier one always matches first.
    UnreachableRule,
    /// Two rules of equal priority that can match the same input.
    Overlap,
    /// A term used in a way its declaration does not allow.
    BadTermUse,
    /// Recursion through terms not declared `rec`.
    Recursion,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Lex => "lexical error",
            ErrorKind::Parse => "syntax error",
            ErrorKind::UnknownName => "unknown name",
            ErrorKind::Duplicate => "duplicate definition",
            ErrorKind::TypeMismatch => "type mismatch",
            ErrorKind::Arity => "wrong number of arguments",
            ErrorKind::UnusedVariable => "unused variable",
            ErrorKind::UnreachableRule => "unreachable rule",
            ErrorKind::Overlap => "overlapping rules",
            ErrorKind::BadTermUse => "invalid use of a term",
            ErrorKind::Recursion => "recursion",
        })
    }
}

/// One error.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Error {
    /// The kind.
    pub kind: ErrorKind,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub pos: Pos,
    /// Other places involved (the other rule of an overlap, an earlier definition).
    pub related: Vec<(Pos, String)>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, pos: Pos, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            pos,
            related: Vec::new(),
        }
    }

    pub(crate) fn with_related(mut self, pos: Pos, note: impl Into<String>) -> Error {
        self.related.push((pos, note.into()));
        self
    }
}

/// Every error of a compilation, with the sources to show them against.
#[derive(Clone, Debug)]
pub struct Errors {
    /// The errors, in source order.
    pub errors: Vec<Error>,
    /// `(name, text)` of each file, indexed by `Pos::file`.
    pub files: Vec<(String, String)>,
}

impl Errors {
    fn excerpt(&self, f: &mut fmt::Formatter<'_>, pos: Pos) -> fmt::Result {
        let Some((_, text)) = self.files.get(pos.file) else {
            return Ok(());
        };
        let Some(line) = text.lines().nth(pos.line.saturating_sub(1)) else {
            return Ok(());
        };
        let n = pos.line.to_string();
        let pad = " ".repeat(n.len());
        writeln!(f, "{pad} |")?;
        writeln!(f, "{n} | {line}")?;
        let indent: String = line
            .chars()
            .take(pos.col.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(f, "{pad} | {indent}^")
    }

    fn place(&self, pos: Pos) -> String {
        let name = self
            .files
            .get(pos.file)
            .map_or("<unknown>", |f| f.0.as_str());
        format!("{name}:{}:{}", pos.line, pos.col)
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            writeln!(f, "{}: error: {}: {}", self.place(e.pos), e.kind, e.message)?;
            self.excerpt(f, e.pos)?;
            for (pos, note) in &e.related {
                writeln!(f, "{}: note: {note}", self.place(*pos))?;
                self.excerpt(f, *pos)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}
