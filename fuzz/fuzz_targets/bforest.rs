//! Random operations on two maps sharing one forest, checked against `BTreeMap`.
#![no_main]

use arbitrary::Arbitrary;
use gantry_bforest::{Map, MapForest};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(bool, u16, u32),
    Remove(bool, u16),
    GetOrLess(bool, u16),
    CursorRemove(bool, u16, u8),
    Retain(bool, u8),
    Clear(bool),
}

fuzz_target!(|ops: Vec<Op>| {
    let mut forest = MapForest::new();
    let mut maps = [Map::new(), Map::new()];
    let mut models = [BTreeMap::new(), BTreeMap::new()];
    for op in ops {
        match op {
            Op::Insert(m, k, v) => {
                let m = m as usize;
                assert_eq!(
                    maps[m].insert(k, v, &mut forest, &()),
                    models[m].insert(k, v)
                );
            }
            Op::Remove(m, k) => {
                let m = m as usize;
                assert_eq!(maps[m].remove(k, &mut forest, &()), models[m].remove(&k));
            }
            Op::GetOrLess(m, k) => {
                let m = m as usize;
                let expected = models[m].range(..=k).next_back().map(|(k, v)| (*k, *v));
                assert_eq!(maps[m].get_or_less(k, &forest, &()), expected);
            }
            Op::CursorRemove(m, k, n) => {
                let m = m as usize;
                let mut cursor = maps[m].cursor(&mut forest, &());
                cursor.goto(k);
                for _ in 0..n {
                    let expected = models[m].range(k..).next().map(|(k, v)| (*k, *v));
                    assert_eq!(cursor.remove(), expected);
                    if let Some((k, _)) = expected {
                        models[m].remove(&k);
                    }
                }
            }
            Op::Retain(m, d) => {
                let (m, d) = (m as usize, u16::from(d.max(1)));
                maps[m].retain(&mut forest, |k, _| k % d != 0);
                models[m].retain(|k, _| k % d != 0);
            }
            Op::Clear(m) => {
                maps[m as usize].clear(&mut forest);
                models[m as usize].clear();
            }
        }
        for (map, model) in maps.iter().zip(&models) {
            map.verify(&forest, &()).unwrap();
            assert!(map.iter(&forest).eq(model.iter().map(|(k, v)| (*k, *v))));
        }
    }
});
