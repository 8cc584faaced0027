//! The real-world corpus the benchmarks read.

/// The xz-compressed real-world files beside the project (`../shared/bench/clif`, or
/// `GANTRY_BENCH_CLIF`), sorted; none if the folder is missing.
pub fn real_world_paths() -> Vec<std::path::PathBuf> {
    let dir = std::env::var("GANTRY_BENCH_CLIF").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/clif").to_string()
    });
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".clif.xz"))
        .collect();
    paths.sort();
    paths
}
