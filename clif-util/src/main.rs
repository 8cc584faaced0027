//! `clif-util`: Gantry's command-line tool.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod cat;
mod compile;
mod interpret;
mod lsp;
mod print_cfg;
mod run;
mod test;

/// Gantry's command-line tool for CLIF files.
///
/// Gantry is a retargetable code generator: it compiles functions in the CLIF
/// intermediate representation to machine code for x86-64, aarch64 and s390x.
#[derive(Parser, Debug)]
#[command(name = "clif-util", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse CLIF files and print them back in canonical form.
    Cat {
        /// The .clif files (`-` for standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the control flow graph of each function as Graphviz dot.
    PrintCfg {
        /// The .clif files (`-` for standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compile CLIF files for the host and run them: each `; run:` line is called and
    /// checked (its results printed), or, without such lines, `%main` is called and
    /// its results printed.
    Run {
        /// The .clif files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run CLIF files in the interpreter: each `; run:` line is called and checked (its
    /// results printed), or, without such lines, `%main` is called and its results
    /// printed.
    Interpret {
        /// The .clif files (`-` for standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compile every function of CLIF files for a target; report sizes, throughput and
    /// errors grouped by message.
    Compile {
        /// The target ISA and flags, e.g. `x86_64` or `"x86_64 has_avx"`.
        #[arg(long, default_value = "x86_64")]
        target: String,
        /// A shared setting, `name=value` (repeatable).
        #[arg(long = "set")]
        set: Vec<String>,
        /// Print the disassembly of each function.
        #[arg(short = 'D', long)]
        disasm: bool,
        /// Disassemble every function (Capstone) and fail if any instruction does not
        /// decode; data inside the code (literals, jump tables) is excluded.
        #[arg(long)]
        check_disasm: bool,
        /// Compile through the incremental cache in this folder: functions whose stencil,
        /// target and settings were compiled before are only finalized (the summary
        /// counts hits, misses and, within this run, duplicates).
        #[arg(long)]
        cache: Option<PathBuf>,
        /// The .clif files (`-` for standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Serve the Language Server Protocol over stdin/stdout for CLIF files: the reader's
    /// and verifier's diagnostics as you type, hovers on opcodes and values, go to
    /// definition and references for values, blocks and entities, document symbols.
    Lsp,
    /// Run filetests: .clif files and folders of them.
    ///
    /// Ends with the line `N passed, N failed, N skipped`; exits non-zero if any failed.
    Test {
        /// Files and folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Also list skipped files and why.
        #[arg(short, long)]
        verbose: bool,
        /// A shared setting (`name=value`) applied to every file after its own `set`
        /// lines; repeatable.
        #[arg(long)]
        set: Vec<String>,
        /// An ISA flag (`isa=flag`, e.g. `s390x=arch15`) added to every `target` line
        /// of that ISA after its own flags; repeatable.
        #[arg(long = "isa-flag")]
        isa_flag: Vec<String>,
        /// Rewrite the expectations of `test compile precise-output` files whose
        /// listing changed (review the diff before committing).
        #[arg(long)]
        bless: bool,
    },
}

fn main() -> ExitCode {
    // Warnings (e.g. a damaged cache entry) go to stderr; RUST_LOG chooses more.
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Warn)
        .parse_default_env()
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Cat { files } => cat::run(&files),
        Command::PrintCfg { files } => print_cfg::run(&files),
        Command::Run { files } => run::run(&files),
        Command::Interpret { files } => interpret::run(&files),
        Command::Lsp => lsp::run().map_err(|e| e.to_string()),
        Command::Compile {
            target,
            set,
            disasm,
            check_disasm,
            cache,
            files,
        } => compile::run(&compile::Options {
            target,
            set,
            disasm,
            check_disasm,
            cache,
            files,
        })
        .map(|_| ()),
        Command::Test {
            paths,
            verbose,
            set,
            isa_flag,
            bless,
        } => test::run(&paths, &set, &isa_flag, verbose, bless),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads a file, or standard input for `-`.
fn read_input(path: &std::path::Path) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("stdin: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn unknown_arguments_are_rejected() {
        assert!(Cli::try_parse_from(["clif-util", "--no-such-flag"]).is_err());
        assert!(Cli::try_parse_from(["clif-util", "cat"]).is_err());
        assert!(Cli::try_parse_from(["clif-util", "cat", "x.clif"]).is_ok());
        assert!(Cli::try_parse_from(["clif-util", "test", "-v", "dir"]).is_ok());
    }
}
