//! Insert and lookup time of `gantry_bforest::Map` against `std::collections::BTreeMap`,
//! printed as a ratio (bforest time / BTreeMap time; below 1.0 means bforest is faster).
//!
//! Run with `cargo bench -p gantry-bforest`. Each figure is the best of several runs.

use gantry_bforest::{Map, MapForest};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

/// Deterministic pseudo-random keys (xorshift64*), distinct with high probability.
fn keys(n: usize, seed: u64) -> Vec<u32> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
        })
        .collect()
}

fn best<F: FnMut()>(mut f: F) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

struct Row {
    name: String,
    ops: usize,
    bforest: Duration,
    btree: Duration,
}

impl Row {
    fn print(&self) {
        let per = |d: Duration| d.as_nanos() as f64 / self.ops as f64;
        println!(
            "{:<34} {:>10.1} {:>10.1} {:>8.2}",
            self.name,
            per(self.bforest),
            per(self.btree),
            self.bforest.as_secs_f64() / self.btree.as_secs_f64()
        );
    }
}

/// One big map of `n` keys: insertion, then lookups of present and absent keys.
fn one_map(n: usize) -> [Row; 2] {
    let ins = keys(n, 0x1234_5678);
    let miss = keys(n, 0x9abc_def0);
    let mut forest = MapForest::new();
    let mut map = Map::new();
    let bf_insert = best(|| {
        map.clear(&mut forest);
        for &k in &ins {
            map.insert(k, k, &mut forest, &());
        }
    });
    let mut btree = BTreeMap::new();
    let bt_insert = best(|| {
        btree.clear();
        for &k in &ins {
            btree.insert(k, k);
        }
    });
    let bf_get = best(|| {
        for k in ins.iter().chain(&miss) {
            black_box(map.get(*k, &forest, &()));
        }
    });
    let bt_get = best(|| {
        for k in ins.iter().chain(&miss) {
            black_box(btree.get(k));
        }
    });
    [
        Row {
            name: format!("insert, 1 map of {n}"),
            ops: n,
            bforest: bf_insert,
            btree: bt_insert,
        },
        Row {
            name: format!("lookup, 1 map of {n}"),
            ops: 2 * n,
            bforest: bf_get,
            btree: bt_get,
        },
    ]
}

/// Many small maps, as a compiler keeps them (e.g. one per value): insertion and lookups.
fn many_maps(maps: usize, per_map: usize) -> [Row; 2] {
    let ks = keys(maps * per_map, 0x5555_aaaa);
    let mut forest = MapForest::new();
    let mut bf: Vec<Map<u32, u32>> = vec![Map::new(); maps];
    let bf_insert = best(|| {
        forest.clear();
        for (i, &k) in ks.iter().enumerate() {
            let m = &mut bf[i % maps];
            if i < maps {
                m.clear_after_forest_clear();
            }
            m.insert(k, k, &mut forest, &());
        }
    });
    let mut bt: Vec<BTreeMap<u32, u32>> = vec![BTreeMap::new(); maps];
    let bt_insert = best(|| {
        for (i, &k) in ks.iter().enumerate() {
            if i < maps {
                bt[i].clear();
            }
            bt[i % maps].insert(k, k);
        }
    });
    let bf_get = best(|| {
        for (i, &k) in ks.iter().enumerate() {
            black_box(bf[i % maps].get(k, &forest, &()));
        }
    });
    let bt_get = best(|| {
        for (i, k) in ks.iter().enumerate() {
            black_box(bt[i % maps].get(k));
        }
    });
    let name = format!("{maps} maps of {per_map}");
    [
        Row {
            name: format!("insert, {name}"),
            ops: ks.len(),
            bforest: bf_insert,
            btree: bt_insert,
        },
        Row {
            name: format!("lookup, {name}"),
            ops: ks.len(),
            bforest: bf_get,
            btree: bt_get,
        },
    ]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this with no flag and
    // expects it to finish quickly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let scale = if quick { 100 } else { 1 };
    println!(
        "{:<34} {:>10} {:>10} {:>8}",
        "benchmark (ns/op)", "bforest", "BTreeMap", "ratio"
    );
    for row in one_map(1_000_000 / scale)
        .into_iter()
        .chain(one_map(1_000 / scale.min(10)))
        .chain(many_maps(10_000 / scale, 16))
    {
        row.print();
    }
    println!("ratio = bforest time / BTreeMap time; below 1.00 means bforest is faster");
}
