//! Deterministic tests on trees deep enough to split and merge at several levels.

use gantry_bforest::{Map, MapForest, Set, SetForest};

/// A fixed permutation of `0..n` (n a power of two): multiplication by an odd constant.
fn shuffled(n: u32) -> impl Iterator<Item = u32> {
    (0..n).map(move |i| i.wrapping_mul(0x9E37_79B9) % n)
}

#[test]
fn hundred_thousand_keys_in_and_out() {
    const N: u32 = 1 << 17;
    let mut forest = MapForest::new();
    let mut map = Map::new();
    for k in shuffled(N) {
        assert_eq!(map.insert(k, !k, &mut forest, &()), None);
    }
    map.verify(&forest, &()).unwrap();
    assert!(map.iter(&forest).map(|(k, _)| k).eq(0..N));
    assert_eq!(map.get(N / 2, &forest, &()), Some(!(N / 2)));
    assert_eq!(map.get(N, &forest, &()), None);
    assert_eq!(
        map.get_or_less(N + 5, &forest, &()),
        Some((N - 1, !(N - 1)))
    );
    // Remove the odd keys, in a scattered order.
    for k in shuffled(N).filter(|k| k % 2 == 1) {
        assert_eq!(map.remove(k, &mut forest, &()), Some(!k));
    }
    map.verify(&forest, &()).unwrap();
    assert!(map.iter(&forest).map(|(k, _)| k).eq((0..N).step_by(2)));
    assert_eq!(map.get_or_less(7, &forest, &()), Some((6, !6)));
    for k in (0..N).step_by(2) {
        assert_eq!(map.remove(k, &mut forest, &()), Some(!k));
    }
    assert!(map.is_empty());
}

#[test]
fn ascending_and_descending_inserts() {
    let mut forest = SetForest::new();
    let mut up = Set::new();
    let mut down = Set::new();
    for k in 0..10_000u32 {
        up.insert(k, &mut forest, &());
        down.insert(10_000 - k, &mut forest, &());
    }
    up.verify(&forest, &()).unwrap();
    down.verify(&forest, &()).unwrap();
    assert!(up.iter(&forest).eq(0..10_000));
    assert!(down.iter(&forest).eq(1..=10_000));
    assert!(up.range(500..510, &forest, &()).eq(500..510));
}

#[test]
fn cleared_nodes_are_reused() {
    let mut forest = MapForest::new();
    let mut a = Map::new();
    for k in 0..5_000u32 {
        a.insert(k, k, &mut forest, &());
    }
    let nodes = forest.node_capacity();
    a.clear(&mut forest);
    assert!(a.is_empty());
    let mut b = Map::new();
    for k in 0..5_000u32 {
        b.insert(k, k, &mut forest, &());
    }
    assert_eq!(forest.node_capacity(), nodes);
    // Removing everything through a cursor frees every node too.
    let mut cursor = b.cursor(&mut forest, &());
    cursor.goto_first();
    let mut removed = 0;
    while cursor.remove().is_some() {
        removed += 1;
    }
    assert_eq!(removed, 5_000);
    assert!(b.is_empty());
    let mut c = Map::new();
    for k in 0..5_000u32 {
        c.insert(k, k, &mut forest, &());
    }
    assert_eq!(forest.node_capacity(), nodes);
}

#[test]
fn forest_clear_empties_every_map() {
    let mut forest = MapForest::new();
    let mut maps: Vec<Map<u32, u8>> = (0..10).map(|_| Map::new()).collect();
    for (i, m) in maps.iter_mut().enumerate() {
        for k in 0..100 {
            m.insert(k * 10 + i as u32, i as u8, &mut forest, &());
        }
    }
    assert_eq!(maps[3].get(13, &forest, &()), Some(3));
    forest.clear();
    for m in &mut maps {
        m.clear_after_forest_clear();
        assert!(m.is_empty());
    }
    assert_eq!(forest.node_capacity(), 0);
}

#[test]
fn cursor_walks_both_ways_and_wraps() {
    let mut forest = MapForest::new();
    let mut map = Map::new();
    let mut cursor = map.cursor(&mut forest, &());
    assert!(cursor.is_empty());
    assert_eq!(cursor.next(), None);
    for k in (0..100u32).rev() {
        cursor.insert(k, k * 2);
    }
    assert_eq!(cursor.key(), Some(0));
    assert_eq!(cursor.prev(), None); // past the end
    assert_eq!(cursor.prev(), Some((99, 198))); // wraps to the last entry
    assert_eq!(cursor.goto(50), Some(100));
    *cursor.value_mut().unwrap() = 7;
    assert_eq!(cursor.next(), Some((51, 102)));
    assert_eq!(cursor.goto(1000), None);
    assert_eq!(cursor.key(), None);
    assert_eq!(cursor.next(), Some((0, 0)));
    assert_eq!(cursor.goto_last(), Some(198));
    assert_eq!(map.get(50, &forest, &()), Some(7));
    assert_eq!(
        format!("{:?}", map.display(&forest)).split(", ").nth(1),
        Some("1: 2")
    );
}
