//! `clif-util compile`: compile CLIF functions for a target and report the result.

use gantry_codegen::Context;
use gantry_codegen::isa;
use gantry_codegen::settings;
use gantry_filetests::compile::listing;
use gantry_filetests::disasm::disassemble_code;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// What `compile` was asked to do.
pub struct Options {
    /// The target: an ISA name or triple, then ISA flags (`x86_64 has_avx`).
    pub target: String,
    /// Shared settings, `name=value` or `name`, applied after the file's `set` lines.
    pub set: Vec<String>,
    /// Print the VCode and the disassembly of each function.
    pub disasm: bool,
    /// Disassemble every function's code and fail if any instruction bytes do not
    /// decode (data inside the code excluded).
    pub check_disasm: bool,
    /// The files (`-` for standard input).
    pub files: Vec<PathBuf>,
}

/// Compiles every function of every file; prints each function's size (and with
/// `disasm`, its code), then a summary with throughput and the errors grouped by message.
///
/// # Errors
/// An unreadable or malformed file, a bad target or setting, or any function failing to
/// compile (after all were tried).
pub fn run(opts: &Options) -> Result<(), String> {
    let mut words = opts.target.split_whitespace();
    let name = words.next().ok_or("--target needs an ISA name")?;
    let mut builder = isa::lookup(name).map_err(|e| e.to_string())?;
    for w in words {
        builder.apply(w).map_err(|e| e.to_string())?;
    }
    let (mut funcs, mut insts, mut bytes) = (0usize, 0usize, 0usize);
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut elapsed = std::time::Duration::ZERO;
    let mut undecodable = 0usize;
    for path in &opts.files {
        let text = crate::read_input(path)?;
        // One function at a time: each is parsed, compiled and dropped before the next,
        // so a large file needs memory for its text and one function.
        let file = gantry_reader::parse_test_lazily(&text)
            .map_err(|e| format!("{}:{e}", path.display()))?;
        // The file's `set` lines, then the command line's.
        let mut shared = settings::Builder::new();
        for h in &file.headers {
            if let gantry_reader::HeaderLine::Set(list) = h {
                for (k, v) in list {
                    shared
                        .set(k, v)
                        .map_err(|e| format!("{}: `set` line: {e}", path.display()))?;
                }
            }
        }
        for s in &opts.set {
            let (k, v) = s.split_once('=').unwrap_or((s.as_str(), "true"));
            shared.set(k, v).map_err(|e| e.to_string())?;
        }
        let target = builder
            .clone()
            .finish_with(shared.finish())
            .map_err(|e| e.to_string())?;
        for f in file.functions {
            let f = f.map_err(|e| format!("{}:{e}", path.display()))?;
            funcs += 1;
            insts += f.func.dfg.num_insts();
            let name = f.func.name.to_string();
            let mut ctx = Context::for_function(f.func);
            ctx.want_vcode = opts.disasm;
            let start = Instant::now();
            let result = ctx.compile(target.as_ref());
            elapsed += start.elapsed();
            match result {
                Ok(code) => {
                    bytes += code.code.len();
                    if opts.disasm {
                        println!("function {name}: {} bytes", code.code.len());
                        print!("{}", listing(code, target.name()));
                    }
                    if opts.check_disasm {
                        let mut data = code.data_ranges.clone();
                        data.push((code.code_len, code.code.len() as u32));
                        let d = disassemble_code(target.name(), &code.code, &data);
                        for at in d.undecodable.iter().take(3) {
                            eprintln!("{name}: undecodable instruction bytes at {at:#x}");
                        }
                        undecodable += d.undecodable.len();
                    }
                }
                Err(e) => errors
                    .entry(e.to_string().replace('\n', " | "))
                    .or_default()
                    .push(name),
            }
        }
    }
    let failed: usize = errors.values().map(Vec::len).sum();
    for (message, names) in &errors {
        let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
        eprintln!("{:6} x {message} (e.g. {})", names.len(), shown.join(", "));
    }
    let secs = elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "{funcs} functions, {insts} CLIF instructions: {} compiled ({bytes} bytes of code), {failed} failed; {:.0} instructions/s",
        funcs - failed,
        insts as f64 / secs
    );
    if failed > 0 {
        return Err(format!("{failed} function(s) did not compile"));
    }
    if opts.check_disasm {
        eprintln!("disassembly check: {undecodable} undecodable instruction(s)");
        if undecodable > 0 {
            return Err(format!("{undecodable} undecodable instruction(s)"));
        }
    }
    Ok(())
}
