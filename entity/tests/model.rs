//! Property tests: long random operation sequences on each container, checked after every
//! step against a `std` collection as the reference model.
//!
//! Each `*_long` test runs sequences of 100,000 operations; the short variants run many
//! small sequences, which shrink to readable counterexamples on failure. Set
//! `PROPTEST_CASES` to run more cases.

use gantry_entity::{
    EntityList, EntityRef, EntitySet, ListPool, PrimaryMap, SecondaryMap, SparseMap,
    SparseMapValue, entity_impl,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
struct E(u32);
entity_impl!(E);

const LONG: usize = 100_000;
/// Keys are drawn from `0..KEYS` so that operations keep hitting the same entities.
const KEYS: u32 = 300;

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

fn key() -> impl Strategy<Value = E> {
    (0..KEYS).prop_map(E)
}

// ---- PrimaryMap vs Vec ----

#[derive(Clone, Debug)]
enum PrimaryOp {
    Push(u16),
    Set(usize, u16),
    Clear,
}

fn primary_op() -> impl Strategy<Value = PrimaryOp> {
    prop_oneof![
        50 => any::<u16>().prop_map(PrimaryOp::Push),
        50 => (any::<usize>(), any::<u16>()).prop_map(|(i, v)| PrimaryOp::Set(i, v)),
        1 => Just(PrimaryOp::Clear),
    ]
}

fn run_primary(ops: &[PrimaryOp]) -> Result<(), TestCaseError> {
    let mut map: PrimaryMap<E, u16> = PrimaryMap::new();
    let mut model: Vec<u16> = Vec::new();
    for op in ops {
        match *op {
            PrimaryOp::Push(v) => {
                prop_assert_eq!(map.push(v).index(), model.len());
                model.push(v);
            }
            PrimaryOp::Set(i, v) if !model.is_empty() => {
                let i = i % model.len();
                map[E::new(i)] = v;
                model[i] = v;
            }
            PrimaryOp::Set(i, _) => prop_assert!(map.get(E::new(i % 1000)).is_none()),
            PrimaryOp::Clear => {
                map.clear();
                model.clear();
            }
        }
        prop_assert_eq!(map.len(), model.len());
        prop_assert_eq!(map.next_key().index(), model.len());
        prop_assert_eq!(map.as_values_slice(), &model[..]);
        prop_assert_eq!(map.last().map(|(_, v)| *v), model.last().copied());
    }
    Ok(())
}

// ---- SecondaryMap vs BTreeMap with a default ----

#[derive(Clone, Debug)]
enum SecondaryOp {
    Set(E, i8),
    Resize(usize),
    Clear,
}

fn secondary_op() -> impl Strategy<Value = SecondaryOp> {
    prop_oneof![
        80 => (key(), any::<i8>()).prop_map(|(k, v)| SecondaryOp::Set(k, v)),
        3 => (0..KEYS as usize).prop_map(SecondaryOp::Resize),
        1 => Just(SecondaryOp::Clear),
    ]
}

fn run_secondary(ops: &[SecondaryOp]) -> Result<(), TestCaseError> {
    const DEFAULT: i8 = -7;
    let mut map: SecondaryMap<E, i8> = SecondaryMap::with_default(DEFAULT);
    let mut model: BTreeMap<E, i8> = BTreeMap::new();
    for op in ops {
        match *op {
            SecondaryOp::Set(k, v) => {
                map[k] = v;
                model.insert(k, v);
            }
            SecondaryOp::Resize(n) => {
                map.resize(n);
                model.retain(|k, _| k.index() < n);
            }
            SecondaryOp::Clear => {
                map.clear();
                model.clear();
            }
        }
        for i in 0..KEYS {
            let k = E(i);
            prop_assert_eq!(
                map[k],
                model.get(&k).copied().unwrap_or(DEFAULT),
                "key {}",
                i
            );
        }
    }
    Ok(())
}

// ---- EntitySet vs BTreeSet ----

#[derive(Clone, Debug)]
enum SetOp {
    Insert(E),
    Remove(E),
    Pop,
    Clear,
}

fn set_op() -> impl Strategy<Value = SetOp> {
    prop_oneof![
        50 => key().prop_map(SetOp::Insert),
        40 => key().prop_map(SetOp::Remove),
        10 => Just(SetOp::Pop),
        1 => Just(SetOp::Clear),
    ]
}

fn run_set(ops: &[SetOp]) -> Result<(), TestCaseError> {
    let mut set: EntitySet<E> = EntitySet::new();
    let mut model: BTreeSet<E> = BTreeSet::new();
    for op in ops {
        match *op {
            SetOp::Insert(k) => prop_assert_eq!(set.insert(k), model.insert(k)),
            SetOp::Remove(k) => prop_assert_eq!(set.remove(k), model.remove(&k)),
            SetOp::Pop => prop_assert_eq!(set.pop(), model.pop_last()),
            SetOp::Clear => {
                set.clear();
                model.clear();
            }
        }
        prop_assert_eq!(set.len(), model.len());
        prop_assert_eq!(set.is_empty(), model.is_empty());
        prop_assert!(set.iter().eq(model.iter().copied()));
    }
    Ok(())
}

// ---- SparseMap vs BTreeMap ----

#[derive(Clone, Copy, Debug, PartialEq)]
struct Entry {
    key: E,
    payload: u32,
}

impl SparseMapValue<E> for Entry {
    fn key(&self) -> E {
        self.key
    }
}

#[derive(Clone, Debug)]
enum SparseOp {
    Insert(E, u32),
    Remove(E),
    Clear,
}

fn sparse_op() -> impl Strategy<Value = SparseOp> {
    prop_oneof![
        50 => (key(), any::<u32>()).prop_map(|(k, v)| SparseOp::Insert(k, v)),
        45 => key().prop_map(SparseOp::Remove),
        1 => Just(SparseOp::Clear),
    ]
}

fn run_sparse(ops: &[SparseOp]) -> Result<(), TestCaseError> {
    let mut map: SparseMap<E, Entry> = SparseMap::new();
    let mut model: BTreeMap<E, u32> = BTreeMap::new();
    for op in ops {
        match *op {
            SparseOp::Insert(key, payload) => {
                let old = map.insert(Entry { key, payload }).map(|e| e.payload);
                prop_assert_eq!(old, model.insert(key, payload));
            }
            SparseOp::Remove(k) => {
                prop_assert_eq!(map.remove(k).map(|e| e.payload), model.remove(&k));
            }
            SparseOp::Clear => {
                map.clear();
                model.clear();
            }
        }
        prop_assert_eq!(map.len(), model.len());
        let mut dense: Vec<(E, u32)> = map.values().map(|e| (e.key, e.payload)).collect();
        dense.sort();
        prop_assert!(
            dense
                .iter()
                .copied()
                .eq(model.iter().map(|(k, v)| (*k, *v)))
        );
        for (&k, &v) in &model {
            prop_assert_eq!(map.get(k).map(|e| e.payload), Some(v));
        }
    }
    Ok(())
}

// ---- EntityList in a shared ListPool vs Vec<Vec<_>> ----

const LISTS: usize = 6;

#[derive(Clone, Debug)]
enum ListOp {
    Push(usize, E),
    Insert(usize, usize, E),
    Remove(usize, usize),
    SwapRemove(usize, usize),
    Truncate(usize, usize),
    Extend(usize, Vec<E>),
    GrowAt(usize, usize, Vec<E>),
    Write(usize, usize, E),
    Clone(usize, usize),
    Clear(usize),
}

fn list_op() -> impl Strategy<Value = ListOp> {
    let l = 0..LISTS;
    let i = any::<usize>();
    prop_oneof![
        30 => (l.clone(), key()).prop_map(|(l, e)| ListOp::Push(l, e)),
        10 => (l.clone(), i, key()).prop_map(|(l, i, e)| ListOp::Insert(l, i, e)),
        15 => (l.clone(), i).prop_map(|(l, i)| ListOp::Remove(l, i)),
        10 => (l.clone(), i).prop_map(|(l, i)| ListOp::SwapRemove(l, i)),
        3 => (l.clone(), 0..40usize).prop_map(|(l, n)| ListOp::Truncate(l, n)),
        5 => (l.clone(), prop::collection::vec(key(), 0..20)).prop_map(|(l, v)| ListOp::Extend(l, v)),
        5 => (l.clone(), i, prop::collection::vec(key(), 0..6))
            .prop_map(|(l, i, v)| ListOp::GrowAt(l, i, v)),
        10 => (l.clone(), i, key()).prop_map(|(l, i, e)| ListOp::Write(l, i, e)),
        3 => (l.clone(), l.clone()).prop_map(|(a, b)| ListOp::Clone(a, b)),
        2 => l.prop_map(ListOp::Clear),
    ]
}

fn run_lists(ops: &[ListOp]) -> Result<(), TestCaseError> {
    let mut pool: ListPool<E> = ListPool::new();
    let mut lists = [EntityList::<E>::new(); LISTS];
    let mut model: Vec<Vec<E>> = vec![Vec::new(); LISTS];
    for op in ops {
        match op.clone() {
            ListOp::Push(l, e) => {
                prop_assert_eq!(lists[l].push(e, &mut pool), model[l].len());
                model[l].push(e);
            }
            ListOp::Insert(l, i, e) => {
                let i = i % (model[l].len() + 1);
                lists[l].insert(i, e, &mut pool);
                model[l].insert(i, e);
            }
            ListOp::Remove(l, i) if !model[l].is_empty() => {
                let i = i % model[l].len();
                prop_assert_eq!(lists[l].remove(i, &mut pool), model[l].remove(i));
            }
            ListOp::SwapRemove(l, i) if !model[l].is_empty() => {
                let i = i % model[l].len();
                prop_assert_eq!(lists[l].swap_remove(i, &mut pool), model[l].swap_remove(i));
            }
            ListOp::Remove(..) | ListOp::SwapRemove(..) => {}
            ListOp::Truncate(l, n) => {
                lists[l].truncate(n, &mut pool);
                model[l].truncate(n);
            }
            ListOp::Extend(l, v) => {
                lists[l].extend(v.iter().copied(), &mut pool);
                model[l].extend(v);
            }
            ListOp::GrowAt(l, i, v) => {
                let i = i % (model[l].len() + 1);
                lists[l].grow_at(i, v.len(), &mut pool);
                lists[l].as_mut_slice(&mut pool)[i..i + v.len()].copy_from_slice(&v);
                model[l].splice(i..i, v);
            }
            ListOp::Write(l, i, e) if !model[l].is_empty() => {
                let i = i % model[l].len();
                lists[l].as_mut_slice(&mut pool)[i] = e;
                model[l][i] = e;
            }
            ListOp::Write(..) => {}
            ListOp::Clone(from, to) => {
                if from != to {
                    lists[to].clear(&mut pool);
                    lists[to] = lists[from].deep_clone(&mut pool);
                    model[to] = model[from].clone();
                }
            }
            ListOp::Clear(l) => {
                lists[l].clear(&mut pool);
                model[l].clear();
            }
        }
        for (list, expected) in lists.iter().zip(&model) {
            prop_assert!(list.is_valid(&pool));
            prop_assert_eq!(list.as_slice(&pool), &expected[..]);
            prop_assert_eq!(list.is_empty(), expected.is_empty());
        }
    }
    // Cleared lists give their blocks back: lists of the same lengths fit in them again
    // without growing the pool.
    for list in &mut lists {
        list.clear(&mut pool);
    }
    let used = pool.capacity();
    for (list, expected) in lists.iter_mut().zip(&model) {
        *list = EntityList::from_slice(expected, &mut pool);
    }
    prop_assert_eq!(pool.capacity(), used);
    Ok(())
}

macro_rules! model_tests {
    ($($short:ident, $long:ident: $op:expr => $run:ident;)*) => {$(
        proptest! {
            #![proptest_config(config(64))]
            #[test]
            fn $short(ops in prop::collection::vec($op, 1..400)) {
                $run(&ops)?;
            }
        }
        proptest! {
            #![proptest_config(config(1))]
            #[test]
            fn $long(ops in prop::collection::vec($op, LONG)) {
                $run(&ops)?;
            }
        }
    )*};
}

model_tests! {
    primary_map_short, primary_map_long: primary_op() => run_primary;
    secondary_map_short, secondary_map_long: secondary_op() => run_secondary;
    entity_set_short, entity_set_long: set_op() => run_set;
    sparse_map_short, sparse_map_long: sparse_op() => run_sparse;
    entity_list_short, entity_list_long: list_op() => run_lists;
}
