//! The `.clif` filetest runner and its corpus in `filetests/suite/`.
//!
//! A test file starts with `test` lines naming the kinds of test to run on its functions
//! (`cat`, `verifier`, `print-cfg`, `domtree`, `compile [precise-output]`, `run`), `set` lines for settings and `target` lines for ISAs.
//! Expectations live in comments: filecheck directives (`; check:`), verifier errors
//! (`; error:` on the offending line), dominators (`; dominates:`). A file that must fail
//! to parse says where and why in a comment `; parse error: LINE:COL: MESSAGE`.
//!
//! [`run_tests`] runs files and folders in parallel and reports
//! `N passed, N failed, N skipped`.

#![warn(missing_docs)]

pub mod compile;
pub mod disasm;
mod filecheck;
pub mod fuzzgen;
pub mod fuzzing;
pub mod random;
pub mod run;
mod runner;
mod subtest;

pub use gantry_reader as reader;
pub use runner::{
    Cases, FileOutcome, FileReport, RunOptions, Summary, run_file, run_file_with, run_tests,
    run_tests_with,
};
