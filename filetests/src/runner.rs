//! Finding test files, running them in parallel, and summing up.

use crate::subtest;
use gantry_codegen::isa;
use gantry_codegen::settings::{self, Flags};
use gantry_codegen::verifier::VerifierFlags;
use gantry_reader::{HeaderLine, parse_test};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The result of one test file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileOutcome {
    /// Every test in it passed.
    Passed,
    /// Some test failed: why.
    Failed(String),
    /// Nothing in it could run here: why.
    Skipped(String),
}

/// Test cases counted over a run: a `; run:` line on one target is one case; for the
/// other test kinds a function under one `test` line is one case (a parse-error file is
/// one case).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cases {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed (including those a failure stopped from running).
    pub failed: usize,
    /// Cases that could not run here.
    pub skipped: usize,
}

impl std::ops::AddAssign for Cases {
    fn add_assign(&mut self, o: Cases) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
    }
}

/// Counts over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files whose tests all passed.
    pub passed: usize,
    /// Files with a failure, with the reasons.
    pub failed: Vec<(PathBuf, String)>,
    /// Files skipped, with the reasons.
    pub skipped: Vec<(PathBuf, String)>,
    /// Every reason some cases of a file were skipped, also in files that passed or
    /// failed otherwise (e.g. one target of several cannot run here).
    pub skips: Vec<(PathBuf, String)>,
    /// The test cases of all files.
    pub cases: Cases,
}

/// How a run is configured beyond the files themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Shared settings (`name=value`, or `name` for `true`) applied to every file after
    /// its own `set` lines.
    pub overrides: Vec<String>,
    /// ISA flags (`isa=flag`, e.g. `s390x=arch15`) applied to every `target` line of
    /// that ISA after its own flags.
    pub isa_flags: Vec<String>,
    /// Rewrite stale `test compile precise-output` expectations instead of failing
    /// (`clif-util test --bless`). Never taken from the environment, so a variable left
    /// set cannot turn a mismatch into a pass.
    pub bless: bool,
}

/// The result of one test file: its outcome, its cases, and why any of them were
/// skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    /// Passed, failed or skipped as a whole.
    pub outcome: FileOutcome,
    /// Its test cases.
    pub cases: Cases,
    /// Each reason some of its cases were skipped.
    pub skips: Vec<String>,
}

impl Summary {
    /// The closing line: `N passed, N failed, N skipped`, counting test cases.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.cases.passed, self.cases.failed, self.cases.skipped
        )
    }
}

/// The test kinds that run on parsed functions alone ([`subtest::run`]).
const SUBTESTS: &[&str] = &["cat", "verifier", "print-cfg", "domtree"];

/// Test kinds of Cranelift's filetests that Gantry does not run yet: files using them
/// are skipped with the reason. Any other unknown kind (a typo such as `test rn`) fails.
const NOT_YET: &[(&str, &str)] = &[
    ("legalizer", "Gantry has no separate legalization pass"),
    ("alias-analysis", "has no alias-analysis pass to test yet"),
    ("safepoint", "has no safepoint pass"),
    ("unwind", "has no unwind-info test yet"),
    ("inline", "has no inliner"),
];

/// Runs the tests of one file; returns its outcome and its test cases.
pub fn run_file(path: &Path) -> FileReport {
    run_file_with(path, &RunOptions::default())
}

/// As [`run_file`], configured by `options`.
pub fn run_file_with(path: &Path, options: &RunOptions) -> FileReport {
    let mut cases = Cases::default();
    let mut skips = Vec::new();
    let outcome = match std::fs::read_to_string(path) {
        Ok(text) => run_text(&text, path, options, &mut cases, &mut skips),
        Err(e) => FileOutcome::Failed(format!("cannot read: {e}")),
    };
    // A file that failed before counting anything is one failed case.
    if matches!(outcome, FileOutcome::Failed(_)) && cases.failed == 0 {
        cases.failed = 1;
    }
    FileReport {
        outcome,
        cases,
        skips,
    }
}

fn run_text(
    text: &str,
    path: &Path,
    options: &RunOptions,
    cases: &mut Cases,
    skipped: &mut Vec<String>,
) -> FileOutcome {
    let expected_parse_error = text.lines().find_map(|l| {
        let c = l.split_once(';')?.1.trim();
        c.strip_prefix("parse error:").map(|s| s.trim().to_string())
    });
    let file = match (parse_test(text), expected_parse_error) {
        (Ok(_), Some(want)) => {
            return FileOutcome::Failed(format!(
                "expected a parse error `{want}`, but the file parsed"
            ));
        }
        (Err(e), Some(want)) => {
            let got = e.to_string();
            // `LINE:COL: message`: the location must be exact, the message a substring.
            let (loc, msg) = match want.split_once(": ") {
                Some((l, m)) if l.contains(':') => (l.to_string(), m.to_string()),
                _ => (String::new(), want.clone()),
            };
            if got.starts_with(&format!("{loc}:")) && got.contains(&msg) {
                cases.passed += 1;
                return FileOutcome::Passed;
            }
            return FileOutcome::Failed(format!("expected parse error `{want}`, got `{got}`"));
        }
        (Err(e), None) => return FileOutcome::Failed(format!("parse error: {e}")),
        (Ok(f), None) => f,
    };
    let (flags, targets) = match configure(&file, &options.overrides, &options.isa_flags) {
        Ok(c) => c,
        Err(e) => return FileOutcome::Failed(e),
    };
    let verifier_flags = VerifierFlags {
        preserve_frame_pointers: flags.preserve_frame_pointers,
        enable_pinned_reg: flags.enable_pinned_reg,
        stencil_only: false,
    };
    if file.commands.is_empty() {
        return FileOutcome::Failed("no `test` line".into());
    }
    let mut ran = 0;
    let functions = file.functions.len();
    for cmd in &file.commands {
        let kind = cmd.command.as_str();
        // A kind with nothing to test is a mistake in the file (e.g. `test run` without
        // `; run:` lines), not a pass.
        let nothing = match kind {
            "run" | "interpret" => crate::run::count_commands(&file) == 0,
            _ => functions == 0,
        };
        if nothing {
            return FileOutcome::Failed(format!("`test {kind}` has no test cases in this file"));
        }
        let result = match kind {
            "run" => run_on_targets(&file, &targets, &flags, skipped, cases),
            "interpret" => interpret(&file, cases),
            "compile" => {
                let precise = cmd.options.iter().any(|o| o == "precise-output");
                let bless = options.bless.then_some((path, text));
                compile_on_targets(&file, &targets, &flags, precise, bless, skipped, cases)
            }
            "optimize" => whole_file(kind, functions, cases, subtest::optimize(&file, &flags)),
            _ if SUBTESTS.contains(&kind) => {
                let result = subtest::run(kind, &file, verifier_flags);
                whole_file(kind, functions, cases, result)
            }
            _ => match NOT_YET.iter().find(|(k, _)| *k == kind) {
                Some((_, why)) => {
                    skipped.push(format!("`test {kind}` is not run by Gantry yet: it {why}"));
                    cases.skipped += functions;
                    Ok(0)
                }
                None => {
                    return FileOutcome::Failed(format!(
                        "unknown test kind `test {kind}` (known: run, interpret, compile, optimize, {}, and \
                         Cranelift's {})",
                        SUBTESTS.join(", "),
                        NOT_YET
                            .iter()
                            .map(|(k, _)| *k)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            },
        };
        match result {
            Ok(n) => ran += n,
            Err(e) => return FileOutcome::Failed(e),
        }
    }
    if ran == 0 {
        FileOutcome::Skipped(skipped.join("; "))
    } else {
        FileOutcome::Passed
    }
}

/// `test interpret`: the run commands executed by the CLIF interpreter, counted as run
/// cases.
fn interpret(file: &gantry_reader::TestFile<'_>, cases: &mut Cases) -> Result<usize, String> {
    let counts = crate::run::interpret_with(file, false)?;
    cases.passed += counts.passed;
    cases.failed += counts.failures.len();
    if counts.failures.is_empty() {
        Ok(1)
    } else {
        Err(counts
            .failures
            .iter()
            .map(|f| format!("test interpret: {f}"))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

/// Counts the outcome of a test kind run on the whole file at once: every function passed
/// (one target ran), or one failure.
fn whole_file(
    kind: &str,
    functions: usize,
    cases: &mut Cases,
    result: Result<(), String>,
) -> Result<usize, String> {
    match result {
        Ok(()) => {
            cases.passed += functions;
            Ok(1)
        }
        Err(e) => {
            cases.failed += 1;
            Err(format!("test {kind}: {e}"))
        }
    }
}

/// A target a file is tested for: its name, and its ISA if Gantry knows it.
struct Target {
    name: String,
    isa: Option<isa::IsaBuilder>,
}

/// Runs `test run` for every target this machine can execute; the others are returned as
/// skip reasons.
fn run_on_targets(
    file: &gantry_reader::TestFile<'_>,
    targets: &[Target],
    flags: &Flags,
    skipped: &mut Vec<String>,
    cases: &mut Cases,
) -> Result<usize, String> {
    let mut ran = 0;
    let lines = crate::run::count_commands(file);
    let mut failures = Vec::new();
    for t in targets {
        let Some(b) = t.isa.clone().filter(|b| crate::run::host_runs(b.name())) else {
            skipped.push(format!(
                "`test run` for {} cannot execute on this machine",
                t.name
            ));
            cases.skipped += lines;
            continue;
        };
        if let Some(feature) = crate::run::missing_host_feature(b.flags()) {
            skipped.push(format!(
                "`test run` for {}: this CPU lacks {feature}",
                t.name
            ));
            cases.skipped += lines;
            continue;
        }
        match b.finish_with(flags.clone()) {
            Ok(isa) => {
                ran += 1;
                match crate::run::run_with(file, isa.as_ref(), false) {
                    Ok(counts) => {
                        cases.passed += counts.passed;
                        cases.failed += counts.failures.len();
                        failures.extend(
                            counts
                                .failures
                                .into_iter()
                                .map(|f| format!("test run on {}: {f}", t.name)),
                        );
                    }
                    Err(e) => {
                        // Nothing ran on this target: every command failed.
                        cases.failed += lines.max(1);
                        failures.push(format!("test run on {}: {e}", t.name));
                    }
                }
            }
            Err(e) => {
                skipped.push(format!("`test run`: {e}"));
                cases.skipped += lines;
            }
        }
    }
    if failures.is_empty() {
        Ok(ran)
    } else {
        Err(failures.join("\n"))
    }
}

/// Runs `test compile` for every target with a backend, counting each function on each
/// target as a case; returns the number of targets compiled for. `precise-output` needs
/// exactly one target (its expectations are one listing per function).
///
/// # Errors
/// The failures, each naming the target.
fn compile_on_targets(
    file: &gantry_reader::TestFile<'_>,
    targets: &[Target],
    flags: &Flags,
    precise: bool,
    bless: Option<(&Path, &str)>,
    skipped: &mut Vec<String>,
    cases: &mut Cases,
) -> Result<usize, String> {
    let functions = file.functions.len();
    if precise && targets.len() != 1 {
        cases.failed += functions;
        return Err("`test compile precise-output` needs exactly one `target` line".into());
    }
    let mut ran = 0;
    let mut failures = Vec::new();
    for t in targets {
        let isa = match t.isa.clone().map(|b| b.finish_with(flags.clone())) {
            Some(Ok(isa)) => isa,
            Some(Err(e)) => {
                skipped.push(format!("`test compile` for {}: {e}", t.name));
                cases.skipped += functions;
                continue;
            }
            None => {
                skipped.push(format!("`test compile` for {}", t.name));
                cases.skipped += functions;
                continue;
            }
        };
        let (passed, failed) = crate::compile::run(file, isa.as_ref(), precise, bless)
            .inspect_err(|_| cases.failed += functions)?;
        cases.passed += passed;
        cases.failed += failed.len();
        failures.extend(
            failed
                .into_iter()
                .map(|f| format!("test compile on {}: {f}", t.name)),
        );
        ran += 1;
    }
    if failures.is_empty() {
        Ok(ran)
    } else {
        Err(failures.join("\n"))
    }
}

/// Adds the test files at `path`: a file named explicitly, or the `.clif` files of a folder.
/// Applies the file's `set` and `target` lines: the shared flags, and a description of
/// each target (unsupported targets are named as such).
///
/// # Errors
/// An unknown setting, ISA, ISA flag, or a bad value.
fn configure(
    file: &gantry_reader::TestFile<'_>,
    overrides: &[String],
    isa_flags: &[String],
) -> Result<(Flags, Vec<Target>), String> {
    let mut builder = settings::Builder::new();
    let mut targets = Vec::new();
    for h in &file.headers {
        match h {
            HeaderLine::Set(list) => {
                for (name, value) in list {
                    builder
                        .set(name, value)
                        .map_err(|e| format!("`set` line: {e}"))?;
                }
            }
            HeaderLine::Target { isa, flags } => match isa::lookup(isa) {
                Ok(mut b) => {
                    for f in flags {
                        b.apply(f)
                            .map_err(|e| format!("`target {isa}` line: {e}"))?;
                    }
                    for extra in isa_flags {
                        let (name, flag) = extra
                            .split_once('=')
                            .ok_or_else(|| format!("ISA flag `{extra}` is not `isa=flag`"))?;
                        if name == b.name() {
                            b.apply(flag)
                                .map_err(|e| format!("ISA flag `{extra}`: {e}"))?;
                        }
                    }
                    targets.push(Target {
                        name: b.name().to_string(),
                        isa: Some(b),
                    });
                }
                Err(isa::LookupError::Unsupported(name)) => targets.push(Target {
                    name: format!("{name} (not supported by Gantry)"),
                    isa: None,
                }),
                Err(e) => return Err(format!("`target` line: {e}")),
            },
        }
    }
    for o in overrides {
        let (name, value) = o.split_once('=').unwrap_or((o.as_str(), "true"));
        builder
            .set(name, value)
            .map_err(|e| format!("setting override `{o}`: {e}"))?;
    }
    if targets.is_empty() {
        let host = std::env::consts::ARCH;
        targets.push(Target {
            name: host.into(),
            isa: isa::lookup(host).ok(),
        });
    }
    Ok((builder.finish(), targets))
}

fn collect(path: &Path, explicit: bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            collect(&e, false, out)?;
        }
    } else if explicit || path.extension().is_some_and(|e| e == "clif") {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Runs every `.clif` file under `paths` (files or folders), on all cores.
///
/// # Errors
/// If a path cannot be read.
pub fn run_tests(paths: &[PathBuf]) -> std::io::Result<Summary> {
    run_tests_with(paths, &RunOptions::default())
}

/// As [`run_tests`], configured by `options` (see [`run_file_with`]).
///
/// # Errors
/// If a path cannot be read.
pub fn run_tests_with(paths: &[PathBuf], options: &RunOptions) -> std::io::Result<Summary> {
    let mut files = Vec::new();
    for p in paths {
        if !p.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{}: no such file or folder", p.display()),
            ));
        }
        collect(p, true, &mut files)?;
    }
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(files.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    // A panic in one file is that file's failure, not the run's.
                    let outcome = std::panic::catch_unwind(|| run_file_with(path, options))
                        .unwrap_or_else(|_| FileReport {
                            outcome: FileOutcome::Failed("the test panicked".into()),
                            cases: Cases {
                                failed: 1,
                                ..Cases::default()
                            },
                            skips: Vec::new(),
                        });
                    results
                        .lock()
                        .expect("no worker panics while holding the lock")
                        .push((i, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("workers finished");
    results.sort_by_key(|r| r.0);
    let mut summary = Summary::default();
    for (i, report) in results {
        summary.cases += report.cases;
        let path = &files[i];
        summary
            .skips
            .extend(report.skips.into_iter().map(|why| (path.clone(), why)));
        match report.outcome {
            FileOutcome::Passed => summary.passed += 1,
            FileOutcome::Failed(why) => summary.failed.push((files[i].clone(), why)),
            FileOutcome::Skipped(why) => summary.skipped.push((files[i].clone(), why)),
        }
    }
    Ok(summary)
}
