//! Parse errors with their location.

use core::fmt;

/// A position in the source text: 1-based line and column (in characters).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Location {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Why the text could not be parsed, and where.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ParseError {
    /// Where the problem is.
    pub location: Location,
    /// What was expected or what is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for ParseError {}

/// The result of parsing.
pub type ParseResult<T> = Result<T, ParseError>;

/// Makes a `ParseError` at `loc` from a format string.
macro_rules! err {
    ($loc:expr, $($arg:tt)*) => {
        Err($crate::error::ParseError { location: $loc, message: format!($($arg)*) })
    };
}
pub(crate) use err;
