//! `clif-util`: Gantry's command-line tool.

use clap::Parser;

/// Gantry's command-line tool for CLIF files.
///
/// Gantry is a retargetable code generator: it compiles functions in the CLIF
/// intermediate representation to machine code for x86-64, aarch64 and s390x.
/// Subcommands for testing, running and compiling .clif files arrive as the
/// reader and the backends land.
#[derive(Parser, Debug)]
#[command(name = "clif-util", version, about, long_about)]
struct Cli {}

fn main() {
    let Cli {} = Cli::parse();
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
        assert!(Cli::try_parse_from(["clif-util"]).is_ok());
    }
}
