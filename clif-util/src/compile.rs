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
    /// The incremental cache's folder, if compiling through it.
    pub cache: Option<PathBuf>,
    /// The files (`-` for standard input).
    pub files: Vec<PathBuf>,
}

/// The incremental cache's counts of a run (see [`Options::cache`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct CacheCounts {
    /// Functions found in entries of earlier runs.
    pub hits: usize,
    /// Functions compiled and stored.
    pub misses: usize,
    /// Functions found in entries this run stored (identical stencils).
    pub duplicates: usize,
}

/// Compiles every function of every file; prints each function's size (and with
/// `disasm`, its code), then a summary with throughput and the errors grouped by
/// message; returns the cache's counts.
///
/// # Errors
/// An unreadable or malformed file, a bad target or setting, or any function failing to
/// compile (after all were tried).
pub fn run(opts: &Options) -> Result<CacheCounts, String> {
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
    let mut store = match &opts.cache {
        Some(dir) => Some(gantry_codegen::incremental_cache::FileStore::new(
            dir.clone(),
        )?),
        None => None,
    };
    // Hits of entries this run wrote (identical stencils within the input) are
    // duplicates; hits of earlier runs' entries are hits.
    let (mut hits, mut misses, mut duplicates) = (0usize, 0usize, 0usize);
    let mut written = std::collections::HashSet::new();
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
            let result = match store.as_mut() {
                Some(store) => {
                    let key = gantry_codegen::incremental_cache::CacheKey::new(
                        target.as_ref(),
                        &ctx.func.stencil,
                    );
                    ctx.compile_with_cache(target.as_ref(), store)
                        .map(|(code, hit)| {
                            match (hit, written.contains(&key)) {
                                (true, true) => duplicates += 1,
                                (true, false) => hits += 1,
                                (false, _) => {
                                    misses += 1;
                                    written.insert(key);
                                }
                            }
                            code
                        })
                }
                None => ctx.compile(target.as_ref()),
            };
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
    if opts.cache.is_some() {
        eprintln!("cache: {hits} hits, {misses} misses, {duplicates} duplicates");
    }
    if failed > 0 {
        return Err(format!("{failed} function(s) did not compile"));
    }
    if opts.check_disasm {
        eprintln!("disassembly check: {undecodable} undecodable instruction(s)");
        if undecodable > 0 {
            return Err(format!("{undecodable} undecodable instruction(s)"));
        }
    }
    Ok(CacheCounts {
        hits,
        misses,
        duplicates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(dir: &std::path::Path, file: &std::path::Path, set: &[&str]) -> Options {
        Options {
            target: "x86_64".into(),
            set: set.iter().map(|s| s.to_string()).collect(),
            disasm: false,
            check_disasm: false,
            cache: Some(dir.to_path_buf()),
            files: vec![file.to_path_buf()],
        }
    }

    /// Hits, misses and duplicates as `--cache` counts them; a changed setting hits
    /// nothing of the earlier run; truncated and foreign entries are misses.
    #[test]
    fn the_cache_folder_hits_exactly_when_it_may() {
        let dir = std::env::temp_dir().join(format!("gantry-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.with_extension("clif");
        let f = |name: &str, k: i64| {
            format!(
                "function %{name}(i64) -> i64 {{\nblock0(v0: i64):\n    v1 = iadd_imm v0, {k}\n    return v1\n}}\n"
            )
        };
        std::fs::write(&file, f("a", 1) + &f("b", 1) + &f("c", 2)).unwrap();
        let cold = run(&options(&dir, &file, &[])).unwrap();
        assert_eq!((cold.hits, cold.misses, cold.duplicates), (0, 2, 1));
        let warm = run(&options(&dir, &file, &[])).unwrap();
        assert_eq!((warm.hits, warm.misses, warm.duplicates), (3, 0, 0));
        let speed = run(&options(&dir, &file, &["opt_level=speed"])).unwrap();
        assert_eq!((speed.hits, speed.misses, speed.duplicates), (0, 2, 1));
        // Damage every entry: truncated, a byte of the code changed, or of another
        // format version.
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        assert_eq!(entries.len(), 4);
        for (i, path) in entries.iter().enumerate() {
            let mut bytes = std::fs::read(path).unwrap();
            match i % 3 {
                0 => bytes.truncate(bytes.len() / 2),
                1 => *bytes.last_mut().unwrap() ^= 0x10,
                _ => bytes[4] ^= 0xff,
            }
            std::fs::write(path, bytes).unwrap();
        }
        let damaged = run(&options(&dir, &file, &[])).unwrap();
        assert_eq!(
            (damaged.hits, damaged.misses, damaged.duplicates),
            (0, 2, 1)
        );
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_file(&file).unwrap();
    }
}
