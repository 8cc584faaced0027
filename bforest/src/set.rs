//! `Set`: an ordered set of `K` stored in a shared `SetForest`.
//!
//! A set is a map with `()` values: the same trees, whose leaves carry no value bytes.

use crate::Comparator;
use crate::map::{Map, MapCursor, MapForest, MapIter, MapRange};
use alloc::string::String;
use core::fmt;
use core::ops::RangeBounds;

/// The node pool shared by many [`Set`]s with the same key type.
pub struct SetForest<K: Copy> {
    inner: MapForest<K, ()>,
}

impl<K: Copy> SetForest<K> {
    /// An empty forest.
    pub fn new() -> Self {
        Self {
            inner: MapForest::new(),
        }
    }

    /// Frees the nodes of every set in this forest. Each set must then be reset with
    /// [`Set::clear_after_forest_clear`] (or dropped) before it is used again.
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// The number of nodes allocated (live or free).
    pub fn node_capacity(&self) -> usize {
        self.inner.node_capacity()
    }
}

impl<K: Copy> Default for SetForest<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// An ordered set of `K`, whose nodes live in a [`SetForest`].
///
/// Like [`Map`], the set is one `u32` and takes its forest and [`Comparator`] as
/// arguments.
///
/// ```
/// use gantry_bforest::{Set, SetForest};
///
/// let mut forest = SetForest::<i64>::new();
/// let mut s = Set::new();
/// assert!(s.insert(5, &mut forest, &()));
/// assert!(!s.insert(5, &mut forest, &()));
/// s.insert(-2, &mut forest, &());
/// assert!(s.contains(-2, &forest, &()));
/// assert_eq!(s.iter(&forest).collect::<Vec<_>>(), [-2, 5]);
/// assert!(s.remove(5, &mut forest, &()));
/// ```
#[derive(Clone)]
pub struct Set<K: Copy> {
    inner: Map<K, ()>,
}

impl<K: Copy> Default for Set<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Copy> Set<K> {
    /// An empty set. Allocates nothing.
    pub fn new() -> Self {
        Self { inner: Map::new() }
    }

    /// Whether the set is empty. Needs no forest.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Whether `key` is in the set. O(log n).
    pub fn contains<C: Comparator<K>>(&self, key: K, forest: &SetForest<K>, comp: &C) -> bool {
        self.inner.get(key, &forest.inner, comp).is_some()
    }

    /// The largest key not greater than `key`, if any. O(log n).
    pub fn get_or_less<C: Comparator<K>>(
        &self,
        key: K,
        forest: &SetForest<K>,
        comp: &C,
    ) -> Option<K> {
        self.inner
            .get_or_less(key, &forest.inner, comp)
            .map(|e| e.0)
    }

    /// Adds `key`; returns `true` if it was not in the set before. O(log n).
    pub fn insert<C: Comparator<K>>(
        &mut self,
        key: K,
        forest: &mut SetForest<K>,
        comp: &C,
    ) -> bool {
        self.inner
            .insert(key, (), &mut forest.inner, comp)
            .is_none()
    }

    /// Removes `key`; returns `true` if it was in the set. O(log n).
    pub fn remove<C: Comparator<K>>(
        &mut self,
        key: K,
        forest: &mut SetForest<K>,
        comp: &C,
    ) -> bool {
        self.inner.remove(key, &mut forest.inner, comp).is_some()
    }

    /// Removes every key, returning the nodes to the forest's free list. O(n).
    pub fn clear(&mut self, forest: &mut SetForest<K>) {
        self.inner.clear(&mut forest.inner)
    }

    /// Forgets the keys without touching the forest, for use after [`SetForest::clear`].
    pub fn clear_after_forest_clear(&mut self) {
        self.inner.clear_after_forest_clear()
    }

    /// Keeps only the keys for which `keep` is true, visiting them in order. O(n).
    pub fn retain<F: FnMut(K) -> bool>(&mut self, forest: &mut SetForest<K>, mut keep: F) {
        self.inner.retain(&mut forest.inner, |k, _| keep(k))
    }

    /// The keys in order.
    pub fn iter<'a>(&self, forest: &'a SetForest<K>) -> SetIter<'a, K> {
        SetIter(self.inner.iter(&forest.inner))
    }

    /// The keys that lie in `range`, in order.
    pub fn range<'a, C: Comparator<K>, R: RangeBounds<K>>(
        &self,
        range: R,
        forest: &'a SetForest<K>,
        comp: &'a C,
    ) -> SetRange<'a, K, C> {
        SetRange(self.inner.range(range, &forest.inner, comp))
    }

    /// A cursor for walking and editing the set, placed past the end.
    pub fn cursor<'a, C: Comparator<K>>(
        &'a mut self,
        forest: &'a mut SetForest<K>,
        comp: &'a C,
    ) -> SetCursor<'a, K, C> {
        SetCursor(self.inner.cursor(&mut forest.inner, comp))
    }

    /// Checks the tree's structural invariants under `comp`. For tests and debugging; O(n).
    ///
    /// # Errors
    /// A description of the first broken invariant found.
    pub fn verify<C: Comparator<K>>(&self, forest: &SetForest<K>, comp: &C) -> Result<(), String>
    where
        K: fmt::Debug,
    {
        self.inner.verify(&forest.inner, comp)
    }
}

/// An iterator over a [`Set`]'s keys in order.
pub struct SetIter<'a, K: Copy>(MapIter<'a, K, ()>);

impl<K: Copy> Iterator for SetIter<'_, K> {
    type Item = K;
    fn next(&mut self) -> Option<K> {
        self.0.next().map(|e| e.0)
    }
}

/// An iterator over the keys of a [`Set`] that lie in a range, in order.
pub struct SetRange<'a, K: Copy, C: Comparator<K>>(MapRange<'a, K, (), C>);

impl<K: Copy, C: Comparator<K>> Iterator for SetRange<'_, K, C> {
    type Item = K;
    fn next(&mut self) -> Option<K> {
        self.0.next().map(|e| e.0)
    }
}

/// A position in a [`Set`] that can move in both directions and edit the set; the same
/// conventions as [`MapCursor`].
pub struct SetCursor<'a, K: Copy, C: Comparator<K>>(MapCursor<'a, K, (), C>);

impl<K: Copy, C: Comparator<K>> SetCursor<'_, K, C> {
    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Moves to the next key and returns it; from past the end, to the first.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<K> {
        self.0.next().map(|e| e.0)
    }

    /// Moves to the previous key and returns it; from past the end, to the last.
    pub fn prev(&mut self) -> Option<K> {
        self.0.prev().map(|e| e.0)
    }

    /// The key at the cursor, or `None` past the end.
    pub fn elem(&self) -> Option<K> {
        self.0.key()
    }

    /// Moves to `key` and returns `true` if present; otherwise moves to the first larger
    /// key (or past the end) and returns `false`.
    pub fn goto(&mut self, key: K) -> bool {
        self.0.goto(key).is_some()
    }

    /// Moves to the first key and returns it.
    pub fn goto_first(&mut self) -> Option<K> {
        self.0.goto_first().and_then(|_| self.0.key())
    }

    /// Moves to the last key and returns it.
    pub fn goto_last(&mut self) -> Option<K> {
        self.0.goto_last().and_then(|_| self.0.key())
    }

    /// Adds `key` and moves to it; returns `true` if it was not in the set before.
    pub fn insert(&mut self, key: K) -> bool {
        self.0.insert(key, ()).is_none()
    }

    /// Removes the key at the cursor and returns it, moving to the next key (or past the
    /// end). Returns `None` and does nothing past the end.
    pub fn remove(&mut self) -> Option<K> {
        self.0.remove().map(|e| e.0)
    }

    /// Moves past the end.
    pub fn reset(&mut self) {
        self.0.reset()
    }
}
