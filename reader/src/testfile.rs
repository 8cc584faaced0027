//! Test files: `test`, `set` and `target` headers, then functions with their comments.

use crate::error::{Location, ParseResult, err};
use crate::lexer::{Comment, tokenize};
use crate::parser::{ParseOptions, ParsedFunction, Parser};
use gantry_codegen::ir::{CallConv, Type};

/// A `test` line: the kind of test and its options (`test compile precise-output`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TestCommand {
    /// The kind (`run`, `compile`, `verifier`, ...).
    pub command: String,
    /// The words after it.
    pub options: Vec<String>,
}

/// A `set` or `target` line, in file order (a `set` applies to the targets after it).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum HeaderLine {
    /// `set name=value ...` (`set name` means `name=true`).
    Set(Vec<(String, String)>),
    /// `target isa flag ...`.
    Target {
        /// The ISA or triple (`x86_64`, `aarch64`, `s390x`, `riscv64`, ...).
        isa: String,
        /// The ISA flags and presets (`has_avx`, `skylake`, ...).
        flags: Vec<String>,
    },
}

/// A parsed test file.
#[derive(Clone, Debug)]
pub struct TestFile<'a> {
    /// The `test` lines.
    pub commands: Vec<TestCommand>,
    /// The `set` and `target` lines.
    pub headers: Vec<HeaderLine>,
    /// Comments before the first function.
    pub preamble_comments: Vec<Comment<'a>>,
    /// The functions.
    pub functions: Vec<ParsedFunction<'a>>,
}

impl TestFile<'_> {
    /// The ISAs named by `target` lines, in order.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.headers.iter().filter_map(|h| match h {
            HeaderLine::Target { isa, .. } => Some(isa.as_str()),
            HeaderLine::Set(_) => None,
        })
    }
}

/// The default calling convention of an ISA or triple name, as test files assume: the
/// ISA's C convention; `system_v` for targets Gantry knows but does not support.
pub fn default_call_conv_for(isa: &str) -> Option<CallConv> {
    match gantry_codegen::isa::lookup(isa) {
        Ok(b) => Some(b.default_call_conv()),
        Err(gantry_codegen::isa::LookupError::Unsupported(_)) => Some(CallConv::SystemV),
        Err(gantry_codegen::isa::LookupError::Unknown(_)) => None,
    }
}

/// Parses a whole test file.
///
/// Functions without an explicit calling convention get the default one of the file's
/// target when it names exactly one, else `fast`.
///
/// # Errors
/// The first syntax error, with its line and column.
pub fn parse_test(text: &str) -> ParseResult<TestFile<'_>> {
    let (header, rest, first_line, opts) = parse_header(text)?;
    let functions = parse_functions_at(rest, first_line, opts)?;
    Ok(TestFile {
        commands: header.commands,
        headers: header.headers,
        preamble_comments: header.preamble_comments,
        functions,
    })
}

/// A test file read one function at a time ([`parse_test_lazily`]): its headers, and an
/// iterator parsing each function when asked, so only one is in memory at a time.
#[derive(Clone, Debug)]
pub struct LazyTestFile<'a> {
    /// The `test` lines.
    pub commands: Vec<TestCommand>,
    /// The `set` and `target` lines.
    pub headers: Vec<HeaderLine>,
    /// Comments before the first function.
    pub preamble_comments: Vec<Comment<'a>>,
    /// The functions, each parsed when the iterator reaches it.
    pub functions: LazyFunctions<'a>,
}

/// The functions of a [`LazyTestFile`]; each item is one function or the syntax error
/// that stopped it (after an error the iterator ends).
#[derive(Clone, Debug)]
pub struct LazyFunctions<'a> {
    rest: &'a str,
    line: usize,
    opts: ParseOptions,
}

impl<'a> Iterator for LazyFunctions<'a> {
    type Item = ParseResult<ParsedFunction<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.trim().is_empty() {
            return None;
        }
        // The function runs up to the next line that starts another one (no line of a
        // function body starts with `function`).
        let mut end = self.rest.len();
        let mut lines = 0;
        let mut at = 0;
        for (i, line) in self.rest.split_inclusive('\n').enumerate() {
            let content = line.split(';').next().unwrap_or("").trim();
            if i > 0 && content.starts_with("function") {
                end = at;
                break;
            }
            at += line.len();
            lines += 1;
        }
        let (chunk, rest) = self.rest.split_at(end);
        let first_line = self.line;
        self.rest = rest;
        self.line += lines;
        let parsed =
            parse_functions_at(chunk, first_line, self.opts).and_then(|mut fs| match fs.len() {
                1 => Ok(fs.remove(0)),
                _ => err!(
                    Location {
                        line: first_line,
                        column: 1
                    },
                    "expected one function here"
                ),
            });
        if parsed.is_err() {
            self.rest = "";
        }
        Some(parsed)
    }
}

/// Reads a test file's headers and returns them with an iterator over its functions,
/// parsed one at a time (as [`parse_test`] would parse them, comments after a function
/// belonging to it).
///
/// # Errors
/// The first syntax error in the headers; the functions' errors come from the iterator.
pub fn parse_test_lazily(text: &str) -> ParseResult<LazyTestFile<'_>> {
    let (header, rest, line, opts) = parse_header(text)?;
    Ok(LazyTestFile {
        commands: header.commands,
        headers: header.headers,
        preamble_comments: header.preamble_comments,
        functions: LazyFunctions { rest, line, opts },
    })
}

/// What comes before a test file's first function.
struct Header<'a> {
    commands: Vec<TestCommand>,
    headers: Vec<HeaderLine>,
    preamble_comments: Vec<Comment<'a>>,
}

/// Parses the lines before the first function; returns them, the text from the first
/// function on, its line number, and the parse options the headers imply.
fn parse_header(text: &str) -> ParseResult<(Header<'_>, &str, usize, ParseOptions)> {
    let mut commands = Vec::new();
    let mut headers = Vec::new();
    let mut preamble_comments = Vec::new();
    let mut offset = 0;
    let mut line_no = 1;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let content = trimmed.split(';').next().unwrap_or("").trim();
        if content.starts_with("function") {
            break;
        }
        if let Some(i) = trimmed.find(';') {
            let start = line.find(';').unwrap_or(0) + 1;
            let _ = i;
            preamble_comments.push(Comment {
                line: line_no,
                text: line[start..].trim_end_matches(['\n', '\r']),
            });
        }
        let mut words = content.split_whitespace();
        match words.next() {
            None => {}
            Some("test") => {
                let Some(command) = words.next() else {
                    return err!(
                        Location {
                            line: line_no,
                            column: 1
                        },
                        "expected a test kind after `test`"
                    );
                };
                commands.push(TestCommand {
                    command: command.into(),
                    options: words.map(String::from).collect(),
                });
            }
            Some("set") => {
                let mut settings = Vec::new();
                for w in words {
                    match w.split_once('=') {
                        Some((k, v)) if !k.is_empty() && !v.is_empty() => {
                            settings.push((k.into(), v.into()))
                        }
                        Some(_) => {
                            return err!(
                                Location {
                                    line: line_no,
                                    column: 1
                                },
                                "malformed setting `{w}`"
                            );
                        }
                        None => settings.push((w.into(), "true".into())),
                    }
                }
                if settings.is_empty() {
                    return err!(
                        Location {
                            line: line_no,
                            column: 1
                        },
                        "expected `name=value` after `set`"
                    );
                }
                headers.push(HeaderLine::Set(settings));
            }
            Some("target") => {
                let Some(isa) = words.next() else {
                    return err!(
                        Location {
                            line: line_no,
                            column: 1
                        },
                        "expected an ISA after `target`"
                    );
                };
                headers.push(HeaderLine::Target {
                    isa: isa.into(),
                    flags: words.map(String::from).collect(),
                });
            }
            Some(w) => {
                let column = line.find(w).map_or(1, |i| line[..i].chars().count() + 1);
                return err!(
                    Location {
                        line: line_no,
                        column
                    },
                    "expected `test`, `set`, `target` or `function`, found `{w}`"
                );
            }
        }
        offset += line.len();
        line_no += 1;
    }
    let targets: Vec<&str> = headers
        .iter()
        .filter_map(|h| match h {
            HeaderLine::Target { isa, .. } => Some(isa.as_str()),
            HeaderLine::Set(_) => None,
        })
        .collect();
    let default_call_conv = match targets.as_slice() {
        [one] => default_call_conv_for(one).unwrap_or(CallConv::Fast),
        _ => CallConv::Fast,
    };
    let opts = ParseOptions {
        default_call_conv,
        pointer_type: Type::I64,
    };
    let header = Header {
        commands,
        headers,
        preamble_comments,
    };
    Ok((header, &text[offset..], line_no, opts))
}

/// Parses the functions in `text`, whose first line is line `first_line` of the file.
pub(crate) fn parse_functions_at(
    text: &str,
    first_line: usize,
    opts: ParseOptions,
) -> ParseResult<Vec<ParsedFunction<'_>>> {
    let (tokens, comments) = tokenize(text, first_line)?;
    let last_line = first_line + text.matches('\n').count();
    let end = Location {
        line: last_line,
        column: 1,
    };
    let mut parser = Parser::new(&tokens, opts, end);
    let mut functions: Vec<ParsedFunction<'_>> = Vec::new();
    while !parser.at_end() {
        let (func, location, source_map) = parser.function()?;
        functions.push(ParsedFunction {
            func,
            location,
            comments: Vec::new(),
            source_map,
        });
    }
    // Each comment belongs to the last function starting at or before its line.
    for c in comments {
        let idx = functions
            .iter()
            .rposition(|f| f.location.line <= c.line)
            .unwrap_or(0);
        if let Some(f) = functions.get_mut(idx) {
            f.comments.push(c);
        }
    }
    Ok(functions)
}
