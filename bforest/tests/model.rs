//! Property tests: long random operation sequences on two maps (and two sets) sharing one
//! forest, checked after every step against `std::collections::BTreeMap`/`BTreeSet`,
//! together with the trees' structural invariants.
//!
//! The `*_long` tests run sequences of 100,000 operations; the short ones run many small
//! sequences that shrink well. Set `PROPTEST_CASES` to run more cases.

use gantry_bforest::{Comparator, Map, MapForest, Set, SetForest};
use proptest::prelude::*;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

const LONG: usize = 100_000;

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Orders keys backwards, to show the trees follow the comparator and not `Ord`.
struct Reverse;
impl Comparator<u32> for Reverse {
    fn cmp(&self, a: u32, b: u32) -> Ordering {
        b.cmp(&a)
    }
}

#[derive(Clone, Debug)]
enum CursorStep {
    Next,
    Prev,
    Remove,
    Insert(u32, u32),
    SetValue(u32),
}

#[derive(Clone, Debug)]
enum Op {
    Insert(usize, u32, u32),
    Remove(usize, u32),
    Get(usize, u32),
    GetOrLess(usize, u32),
    Range(usize, Bound<u32>, Bound<u32>),
    Cursor(usize, Option<u32>, Vec<CursorStep>),
    Retain(usize, u32),
    Clear(usize),
}

fn bound(keys: u32) -> impl Strategy<Value = Bound<u32>> {
    prop_oneof![
        Just(Bound::Unbounded),
        (0..keys).prop_map(Bound::Included),
        (0..keys).prop_map(Bound::Excluded),
    ]
}

fn op(keys: u32) -> impl Strategy<Value = Op> {
    let m = 0..2usize;
    let k = 0..keys;
    let step = prop_oneof![
        4 => Just(CursorStep::Next),
        4 => Just(CursorStep::Prev),
        2 => Just(CursorStep::Remove),
        1 => (k.clone(), any::<u32>()).prop_map(|(k, v)| CursorStep::Insert(k, v)),
        1 => any::<u32>().prop_map(CursorStep::SetValue),
    ];
    prop_oneof![
        300 => (m.clone(), k.clone(), any::<u32>()).prop_map(|(m, k, v)| Op::Insert(m, k, v)),
        250 => (m.clone(), k.clone()).prop_map(|(m, k)| Op::Remove(m, k)),
        100 => (m.clone(), k.clone()).prop_map(|(m, k)| Op::Get(m, k)),
        100 => (m.clone(), k.clone()).prop_map(|(m, k)| Op::GetOrLess(m, k)),
        50 => (m.clone(), bound(keys), bound(keys)).prop_map(|(m, a, b)| Op::Range(m, a, b)),
        100 => (m.clone(), prop::option::of(k.clone()), prop::collection::vec(step, 0..12))
            .prop_map(|(m, at, steps)| Op::Cursor(m, at, steps)),
        3 => (m.clone(), 2..5u32).prop_map(|(m, d)| Op::Retain(m, d)),
        1 => m.prop_map(Op::Clear),
    ]
}

/// The model of a cursor's position: a key, or `None` past the end.
fn model_next(model: &BTreeMap<u32, u32>, pos: Option<u32>) -> Option<(u32, u32)> {
    match pos {
        None => model.iter().next(),
        Some(p) => model.range((Bound::Excluded(p), Bound::Unbounded)).next(),
    }
    .map(|(k, v)| (*k, *v))
}

fn model_prev(model: &BTreeMap<u32, u32>, pos: Option<u32>) -> Option<(u32, u32)> {
    match pos {
        None => model.iter().next_back(),
        Some(p) => model.range(..p).next_back(),
    }
    .map(|(k, v)| (*k, *v))
}

fn run_maps(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut forest = MapForest::<u32, u32>::new();
    let mut maps = [Map::new(), Map::new()];
    let mut models = [BTreeMap::new(), BTreeMap::new()];
    let c = &();
    for op in ops {
        match op.clone() {
            Op::Insert(m, k, v) => {
                prop_assert_eq!(maps[m].insert(k, v, &mut forest, c), models[m].insert(k, v));
            }
            Op::Remove(m, k) => {
                prop_assert_eq!(maps[m].remove(k, &mut forest, c), models[m].remove(&k));
            }
            Op::Get(m, k) => {
                prop_assert_eq!(maps[m].get(k, &forest, c), models[m].get(&k).copied());
                prop_assert_eq!(
                    maps[m].contains_key(k, &forest, c),
                    models[m].contains_key(&k)
                );
            }
            Op::GetOrLess(m, k) => {
                let expected = models[m].range(..=k).next_back().map(|(k, v)| (*k, *v));
                prop_assert_eq!(maps[m].get_or_less(k, &forest, c), expected);
            }
            Op::Range(m, lo, hi) => {
                let invalid = match (lo, hi) {
                    (
                        Bound::Included(a) | Bound::Excluded(a),
                        Bound::Included(b) | Bound::Excluded(b),
                    ) => {
                        a > b
                            || (a == b
                                && matches!((lo, hi), (Bound::Excluded(_), Bound::Excluded(_))))
                    }
                    _ => false,
                };
                let got: Vec<_> = maps[m].range((lo, hi), &forest, c).collect();
                if invalid {
                    // `BTreeMap::range` panics on these; the forest yields nothing.
                    prop_assert!(got.is_empty());
                } else {
                    let expected: Vec<_> =
                        models[m].range((lo, hi)).map(|(k, v)| (*k, *v)).collect();
                    prop_assert_eq!(got, expected);
                }
            }
            Op::Cursor(m, at, steps) => {
                let model = &mut models[m];
                let mut cur = maps[m].cursor(&mut forest, c);
                let mut pos: Option<u32> = None;
                if let Some(k) = at {
                    prop_assert_eq!(cur.goto(k), model.get(&k).copied());
                    pos = model.range(k..).next().map(|(k, _)| *k);
                }
                prop_assert_eq!(cur.key(), pos);
                for step in steps {
                    match step {
                        CursorStep::Next => {
                            let e = model_next(model, pos);
                            prop_assert_eq!(cur.next(), e);
                            pos = e.map(|e| e.0);
                        }
                        CursorStep::Prev => {
                            let e = model_prev(model, pos);
                            prop_assert_eq!(cur.prev(), e);
                            pos = e.map(|e| e.0);
                        }
                        CursorStep::Remove => {
                            let removed = pos.map(|p| (p, model.remove(&p).unwrap()));
                            prop_assert_eq!(cur.remove(), removed);
                            if let Some((p, _)) = removed {
                                pos = model.range(p..).next().map(|(k, _)| *k);
                            }
                        }
                        CursorStep::Insert(k, v) => {
                            prop_assert_eq!(cur.insert(k, v), model.insert(k, v));
                            pos = Some(k);
                        }
                        CursorStep::SetValue(v) => {
                            if let Some(slot) = cur.value_mut() {
                                *slot = v;
                                model.insert(pos.unwrap(), v);
                            } else {
                                prop_assert_eq!(pos, None);
                            }
                        }
                    }
                    prop_assert_eq!(cur.key(), pos);
                    prop_assert_eq!(cur.value(), pos.map(|p| model[&p]));
                }
            }
            Op::Retain(m, d) => {
                let mut seen = Vec::new();
                maps[m].retain(&mut forest, |k, v| {
                    seen.push(k);
                    *v = v.wrapping_add(1);
                    k % d != 0
                });
                prop_assert!(seen.iter().copied().eq(models[m].keys().copied()));
                models[m].retain(|k, v| {
                    *v = v.wrapping_add(1);
                    k % d != 0
                });
            }
            Op::Clear(m) => {
                maps[m].clear(&mut forest);
                models[m].clear();
            }
        }
        for (map, model) in maps.iter().zip(&models) {
            if let Err(e) = map.verify(&forest, c) {
                return Err(TestCaseError::fail(e));
            }
            prop_assert_eq!(map.is_empty(), model.is_empty());
            prop_assert!(map.iter(&forest).eq(model.iter().map(|(k, v)| (*k, *v))));
        }
    }
    Ok(())
}

#[derive(Clone, Debug)]
enum SetOp {
    Insert(usize, u32),
    Remove(usize, u32),
    GetOrLess(usize, u32),
    CursorRemoveFrom(usize, u32, usize),
    Retain(usize, u32),
}

fn set_op(keys: u32) -> impl Strategy<Value = SetOp> {
    let m = 0..2usize;
    let k = 0..keys;
    prop_oneof![
        50 => (m.clone(), k.clone()).prop_map(|(m, k)| SetOp::Insert(m, k)),
        40 => (m.clone(), k.clone()).prop_map(|(m, k)| SetOp::Remove(m, k)),
        10 => (m.clone(), k.clone()).prop_map(|(m, k)| SetOp::GetOrLess(m, k)),
        5 => (m.clone(), k.clone(), 0..8usize).prop_map(|(m, k, n)| SetOp::CursorRemoveFrom(m, k, n)),
        1 => (m, 2..5u32).prop_map(|(m, d)| SetOp::Retain(m, d)),
    ]
}

/// Sets under a reversed comparator: the model stores `Reverse` keys.
fn run_sets(ops: &[SetOp]) -> Result<(), TestCaseError> {
    use std::cmp::Reverse as R;
    let mut forest = SetForest::<u32>::new();
    let mut sets = [Set::new(), Set::new()];
    let mut models = [BTreeSet::new(), BTreeSet::new()];
    let c = &Reverse;
    for op in ops {
        match *op {
            SetOp::Insert(m, k) => {
                prop_assert_eq!(sets[m].insert(k, &mut forest, c), models[m].insert(R(k)));
            }
            SetOp::Remove(m, k) => {
                prop_assert_eq!(sets[m].remove(k, &mut forest, c), models[m].remove(&R(k)));
            }
            SetOp::GetOrLess(m, k) => {
                // "Less" in the comparator's order: the smallest key >= k numerically.
                let expected = models[m].range(..=R(k)).next_back().map(|r| r.0);
                prop_assert_eq!(sets[m].get_or_less(k, &forest, c), expected);
                prop_assert_eq!(sets[m].contains(k, &forest, c), models[m].contains(&R(k)));
            }
            SetOp::CursorRemoveFrom(m, k, n) => {
                let mut cur = sets[m].cursor(&mut forest, c);
                cur.goto(k);
                for _ in 0..n {
                    let expected = models[m].range(R(k)..).next().copied();
                    let got = cur.remove();
                    prop_assert_eq!(got, expected.map(|r| r.0));
                    if let Some(r) = expected {
                        models[m].remove(&r);
                    }
                }
            }
            SetOp::Retain(m, d) => {
                sets[m].retain(&mut forest, |k| k % d != 0);
                models[m].retain(|r| r.0 % d != 0);
            }
        }
        for (set, model) in sets.iter().zip(&models) {
            if let Err(e) = set.verify(&forest, c) {
                return Err(TestCaseError::fail(e));
            }
            prop_assert!(set.iter(&forest).eq(model.iter().map(|r| r.0)));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]
    #[test]
    fn maps_short(ops in prop::collection::vec(op(200), 1..300)) {
        run_maps(&ops)?;
    }

    #[test]
    fn sets_short(ops in prop::collection::vec(set_op(200), 1..300)) {
        run_sets(&ops)?;
    }
}

proptest! {
    #![proptest_config(config(1))]
    #[test]
    fn maps_long(ops in prop::collection::vec(op(1000), LONG)) {
        run_maps(&ops)?;
    }

    #[test]
    fn sets_long(ops in prop::collection::vec(set_op(1000), LONG)) {
        run_sets(&ops)?;
    }
}
