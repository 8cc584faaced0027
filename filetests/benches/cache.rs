//! The incremental compilation cache on the real-world corpus (`../shared/bench/clif`,
//! or `GANTRY_BENCH_CLIF`), per file, at `opt_level=speed` for x86-64:
//!
//! - a cold compile through an empty in-memory cache as a ratio to compiling without
//!   one (the cost of hashing and storing), with the hits inside that one run
//!   (functions of the module with identical stencils, compiled once);
//! - a warm compile (every function in the cache) as a speedup over compiling, with its
//!   hit rate, in memory and in a cache folder;
//! - the cost of computing one function's key, in microseconds and as a share of
//!   compiling it.
//!
//! Run with `cargo bench -p gantry-filetests --bench cache`.

#[path = "common/corpus.rs"]
mod corpus;

use gantry_codegen::Context;
use gantry_codegen::incremental_cache::{CacheKey, CacheKvStore, FileStore, MemoryStore};
use gantry_codegen::ir::Function;
use gantry_codegen::isa::{self, TargetIsa};
use gantry_codegen::settings;
use std::hash::Hash;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn target() -> Box<dyn TargetIsa> {
    let mut shared = settings::Builder::new();
    shared.set("opt_level", "speed").expect("a setting");
    shared
        .set("preserve_frame_pointers", "true")
        .expect("a setting");
    isa::lookup("x86_64")
        .expect("x86_64")
        .finish_with(shared.finish())
        .expect("valid settings")
}

/// The best of `runs` timings of `f`.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = black_box(f());
        let d = start.elapsed();
        if best.as_ref().is_none_or(|(b, _)| d < *b) {
            best = Some((d, out));
        }
    }
    best.expect("at least one run")
}

/// Compiles every function through `store`; returns the number of hits.
fn through(isa: &dyn TargetIsa, funcs: &[Function], store: &mut dyn CacheKvStore) -> usize {
    funcs
        .iter()
        .filter(|f| {
            let mut ctx = Context::for_function((*f).clone());
            ctx.compile_with_cache(isa, store).expect("compiles").1
        })
        .count()
}

/// Counts the bytes a `Hash` impl writes.
struct ByteCounter(u64);

impl std::hash::Hasher for ByteCounter {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 += bytes.len() as u64;
    }

    fn write_usize(&mut self, _: usize) {
        self.0 += 8;
    }
}

fn main() {
    let paths = corpus::real_world_paths();
    if paths.is_empty() {
        println!("no corpus (../shared/bench/clif or GANTRY_BENCH_CLIF): nothing to measure");
        return;
    }
    let isa = target();
    let isa = isa.as_ref();
    for path in paths {
        let Ok(out) = std::process::Command::new("xz")
            .arg("-dc")
            .arg(&path)
            .output()
        else {
            println!("xz is missing: nothing to measure");
            return;
        };
        let text = String::from_utf8_lossy(&out.stdout);
        let funcs: Vec<Function> = gantry_reader::parse_test(&text)
            .expect("parses")
            .functions
            .into_iter()
            .map(|f| f.func)
            .collect();
        let n = funcs.len();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("{name}: {n} functions");

        let (plain, ()) = best(3, || {
            for f in &funcs {
                Context::for_function(f.clone())
                    .compile(isa)
                    .expect("compiles");
            }
        });
        let (cold, duplicates) = best(3, || through(isa, &funcs, &mut MemoryStore::default()));
        let mut store = MemoryStore::default();
        through(isa, &funcs, &mut store);
        let (warm, hits) = best(3, || through(isa, &funcs, &mut store));
        let folder =
            std::env::temp_dir().join(format!("gantry-cache-bench-{}", std::process::id()));
        let mut files = FileStore::new(&folder).expect("a temporary folder");
        through(isa, &funcs, &mut files);
        let (warm_files, file_hits) = best(3, || through(isa, &funcs, &mut files));
        let _ = std::fs::remove_dir_all(&folder);
        let (hashing, _) = best(3, || {
            funcs
                .iter()
                .map(|f| CacheKey::new(isa, &f.stencil))
                .collect::<Vec<_>>()
        });

        let mut counter = ByteCounter(0);
        funcs.iter().for_each(|f| f.stencil.hash(&mut counter));
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!("  compile without a cache      {:9.1} ms", ms(plain));
        println!(
            "  cold, empty cache            {:9.1} ms  x{:.3} of no cache; {duplicates} hits inside the run ({} distinct stencils)",
            ms(cold),
            cold.as_secs_f64() / plain.as_secs_f64(),
            n - duplicates
        );
        println!(
            "  warm, in memory              {:9.1} ms  x{:.1} faster than compiling; {hits}/{n} hits ({:.1}%)",
            ms(warm),
            plain.as_secs_f64() / warm.as_secs_f64(),
            100.0 * hits as f64 / n as f64
        );
        println!(
            "  warm, cache folder           {:9.1} ms  x{:.1} faster than compiling; {file_hits}/{n} hits",
            ms(warm_files),
            plain.as_secs_f64() / warm_files.as_secs_f64()
        );
        println!(
            "  key of one function          {:9.2} us  {:.2}% of compiling it; {} bytes hashed",
            hashing.as_secs_f64() * 1e6 / n as f64,
            100.0 * hashing.as_secs_f64() / plain.as_secs_f64(),
            counter.0 / n as u64
        );
    }
}
