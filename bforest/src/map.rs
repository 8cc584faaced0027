//! `Map`: an ordered map from `K` to `V` stored in a shared `MapForest`.

use crate::node::NodePool;
use crate::path::Path;
use crate::{Comparator, tree};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::{Bound, RangeBounds};
use gantry_entity::PackedOption;

/// The node pool shared by many [`Map`]s with the same key and value types.
///
/// A map's operations take its forest as an argument. Clearing the forest empties every
/// map in it at once, without visiting them.
pub struct MapForest<K: Copy, V: Copy> {
    pub(crate) pool: NodePool<K, V>,
}

impl<K: Copy, V: Copy> MapForest<K, V> {
    /// An empty forest.
    pub fn new() -> Self {
        Self {
            pool: NodePool::new(),
        }
    }

    /// Frees the nodes of every map in this forest. Each map must then be reset with
    /// [`Map::clear_after_forest_clear`] (or dropped) before it is used again.
    pub fn clear(&mut self) {
        self.pool.clear();
    }

    /// The number of nodes allocated (live or free); each node is about 128 bytes for
    /// 4-byte keys and values.
    pub fn node_capacity(&self) -> usize {
        self.pool.capacity()
    }
}

impl<K: Copy, V: Copy> Default for MapForest<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

/// An ordered map from `K` to `V`, whose nodes live in a [`MapForest`].
///
/// The map itself is one `u32` (the root node), so a data structure can hold many small
/// maps cheaply. Keys are ordered by a [`Comparator`] passed to each operation; the same
/// comparator must be used for every operation on a map. Keys and values are `Copy`.
///
/// ```
/// use gantry_bforest::{Map, MapForest};
///
/// let mut forest = MapForest::<u32, char>::new();
/// let mut m = Map::new();
/// m.insert(3, 'c', &mut forest, &());
/// m.insert(1, 'a', &mut forest, &());
/// assert_eq!(m.get(1, &forest, &()), Some('a'));
/// assert_eq!(m.get_or_less(2, &forest, &()), Some((1, 'a')));
/// assert_eq!(m.iter(&forest).collect::<Vec<_>>(), [(1, 'a'), (3, 'c')]);
/// assert_eq!(m.remove(3, &mut forest, &()), Some('c'));
/// m.clear(&mut forest);
/// assert!(m.is_empty());
/// ```
#[derive(Clone)]
pub struct Map<K: Copy, V: Copy> {
    pub(crate) root: PackedOption<crate::node::Node>,
    unused: core::marker::PhantomData<(K, V)>,
}

impl<K: Copy, V: Copy> Default for Map<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Copy, V: Copy> Map<K, V> {
    /// An empty map. Allocates nothing.
    pub fn new() -> Self {
        Self {
            root: None.into(),
            unused: core::marker::PhantomData,
        }
    }

    /// Whether the map is empty. Needs no forest.
    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    /// The value of `key`, if present. O(log n).
    pub fn get<C: Comparator<K>>(&self, key: K, forest: &MapForest<K, V>, comp: &C) -> Option<V> {
        tree::get(self.root, &forest.pool, key, comp)
    }

    /// Whether `key` is present. O(log n).
    pub fn contains_key<C: Comparator<K>>(
        &self,
        key: K,
        forest: &MapForest<K, V>,
        comp: &C,
    ) -> bool {
        self.get(key, forest, comp).is_some()
    }

    /// The entry with the largest key not greater than `key`, if any. O(log n).
    pub fn get_or_less<C: Comparator<K>>(
        &self,
        key: K,
        forest: &MapForest<K, V>,
        comp: &C,
    ) -> Option<(K, V)> {
        tree::get_or_less(self.root, &forest.pool, key, comp)
    }

    /// Maps `key` to `value`; returns the value it replaces, if any. O(log n).
    pub fn insert<C: Comparator<K>>(
        &mut self,
        key: K,
        value: V,
        forest: &mut MapForest<K, V>,
        comp: &C,
    ) -> Option<V> {
        tree::insert(&mut self.root, &mut forest.pool, key, value, comp)
    }

    /// Removes `key`; returns its value, if it was present. O(log n).
    pub fn remove<C: Comparator<K>>(
        &mut self,
        key: K,
        forest: &mut MapForest<K, V>,
        comp: &C,
    ) -> Option<V> {
        tree::remove(&mut self.root, &mut forest.pool, key, comp)
    }

    /// Removes every entry, returning the nodes to the forest's free list. O(n).
    pub fn clear(&mut self, forest: &mut MapForest<K, V>) {
        if let Some(root) = self.root.take() {
            forest.pool.free_tree(root);
        }
    }

    /// Forgets the entries without touching the forest, for use after
    /// [`MapForest::clear`] freed them all.
    pub fn clear_after_forest_clear(&mut self) {
        self.root = None.into();
    }

    /// Keeps only the entries for which `keep(key, &mut value)` is true, visiting them in
    /// key order. O(n); allocates a temporary vector of the entries.
    pub fn retain<F: FnMut(K, &mut V) -> bool>(
        &mut self,
        forest: &mut MapForest<K, V>,
        mut keep: F,
    ) {
        let mut entries = Vec::new();
        tree::collect(&forest.pool, self.root, &mut entries);
        entries.retain_mut(|(k, v)| keep(*k, v));
        self.clear(forest);
        self.root = tree::build_sorted(&mut forest.pool, &entries);
    }

    /// The entries in key order.
    pub fn iter<'a>(&self, forest: &'a MapForest<K, V>) -> MapIter<'a, K, V> {
        MapIter {
            root: self.root,
            pool: &forest.pool,
            path: Path::default(),
            started: false,
        }
    }

    /// The entries whose keys lie in `range`, in key order.
    pub fn range<'a, C: Comparator<K>, R: RangeBounds<K>>(
        &self,
        range: R,
        forest: &'a MapForest<K, V>,
        comp: &'a C,
    ) -> MapRange<'a, K, V, C> {
        let mut path = Path::default();
        let first = match range.start_bound() {
            Bound::Unbounded => path.first(self.root, &forest.pool),
            Bound::Included(&k) => {
                path.find(self.root, &forest.pool, k, comp);
                path.current(&forest.pool)
            }
            Bound::Excluded(&k) => match path.find(self.root, &forest.pool, k, comp) {
                Some(_) => path.next(self.root, &forest.pool),
                None => path.current(&forest.pool),
            },
        };
        MapRange {
            root: self.root,
            pool: &forest.pool,
            comp,
            path,
            pending: first,
            end: match range.end_bound() {
                Bound::Unbounded => Bound::Unbounded,
                Bound::Included(&k) => Bound::Included(k),
                Bound::Excluded(&k) => Bound::Excluded(k),
            },
        }
    }

    /// A cursor for walking and editing the map, placed past the end.
    pub fn cursor<'a, C: Comparator<K>>(
        &'a mut self,
        forest: &'a mut MapForest<K, V>,
        comp: &'a C,
    ) -> MapCursor<'a, K, V, C> {
        MapCursor {
            root: &mut self.root,
            pool: &mut forest.pool,
            comp,
            path: Path::default(),
        }
    }

    /// Checks the tree's structural invariants (key order, separators, node fill, equal
    /// leaf depth) under `comp`. For tests and debugging; O(n).
    ///
    /// # Errors
    /// A description of the first broken invariant found.
    pub fn verify<C: Comparator<K>>(&self, forest: &MapForest<K, V>, comp: &C) -> Result<(), String>
    where
        K: fmt::Debug,
    {
        tree::verify(self.root, &forest.pool, comp)
    }

    /// Shows the entries with their forest, for `{:?}`.
    pub fn display<'a>(&'a self, forest: &'a MapForest<K, V>) -> impl fmt::Debug + 'a
    where
        K: fmt::Debug,
        V: fmt::Debug,
    {
        struct Show<'a, K: Copy, V: Copy>(&'a Map<K, V>, &'a MapForest<K, V>);
        impl<K: Copy + fmt::Debug, V: Copy + fmt::Debug> fmt::Debug for Show<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.iter(self.1)).finish()
            }
        }
        Show(self, forest)
    }
}

/// An iterator over a [`Map`]'s entries in key order.
pub struct MapIter<'a, K: Copy, V: Copy> {
    root: PackedOption<crate::node::Node>,
    pool: &'a NodePool<K, V>,
    path: Path,
    started: bool,
}

impl<K: Copy, V: Copy> Iterator for MapIter<'_, K, V> {
    type Item = (K, V);
    fn next(&mut self) -> Option<(K, V)> {
        if !self.started {
            self.started = true;
            return self.path.first(self.root, self.pool);
        }
        if self.path.is_end() {
            return None;
        }
        self.path.next(self.root, self.pool)
    }
}

impl<K: Copy, V: Copy> core::iter::FusedIterator for MapIter<'_, K, V> {}

/// An iterator over the entries of a [`Map`] whose keys lie in a range, in key order.
pub struct MapRange<'a, K: Copy, V: Copy, C: Comparator<K>> {
    root: PackedOption<crate::node::Node>,
    pool: &'a NodePool<K, V>,
    comp: &'a C,
    path: Path,
    /// The entry to return next, before checking the end bound; `None` when done.
    pending: Option<(K, V)>,
    end: Bound<K>,
}

impl<K: Copy, V: Copy, C: Comparator<K>> Iterator for MapRange<'_, K, V, C> {
    type Item = (K, V);
    fn next(&mut self) -> Option<(K, V)> {
        let (k, v) = self.pending?;
        let inside = match self.end {
            Bound::Unbounded => true,
            Bound::Included(e) => self.comp.cmp(k, e).is_le(),
            Bound::Excluded(e) => self.comp.cmp(k, e).is_lt(),
        };
        if !inside {
            self.pending = None;
            return None;
        }
        // `pending` was a real position, so this cannot wrap around to the first entry.
        self.pending = self.path.next(self.root, self.pool);
        Some((k, v))
    }
}

/// A position in a [`Map`] that can move in both directions and edit the map.
///
/// A new cursor is past the end: [`next`](Self::next) moves it to the first entry and
/// [`prev`](Self::prev) to the last. Moving beyond either end returns `None` and leaves
/// the cursor past the end again.
pub struct MapCursor<'a, K: Copy, V: Copy, C: Comparator<K>> {
    root: &'a mut PackedOption<crate::node::Node>,
    pool: &'a mut NodePool<K, V>,
    comp: &'a C,
    path: Path,
}

impl<K: Copy, V: Copy, C: Comparator<K>> MapCursor<'_, K, V, C> {
    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    /// Moves to the next entry and returns it (see the type's docs for the ends).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<(K, V)> {
        self.path.next(*self.root, self.pool)
    }

    /// Moves to the previous entry and returns it (see the type's docs for the ends).
    pub fn prev(&mut self) -> Option<(K, V)> {
        self.path.prev(*self.root, self.pool)
    }

    /// The key at the cursor, or `None` past the end.
    pub fn key(&self) -> Option<K> {
        self.path.current(self.pool).map(|e| e.0)
    }

    /// The value at the cursor, or `None` past the end.
    pub fn value(&self) -> Option<V> {
        self.path.current(self.pool).map(|e| e.1)
    }

    /// The value at the cursor for writing, or `None` past the end.
    pub fn value_mut(&mut self) -> Option<&mut V> {
        self.path.value_mut(self.pool)
    }

    /// Moves to `key` and returns its value if present; otherwise moves to the first
    /// larger key (or past the end) and returns `None`.
    pub fn goto(&mut self, key: K) -> Option<V> {
        self.path.find(*self.root, self.pool, key, self.comp)
    }

    /// Moves to the first entry and returns its value, or `None` if the map is empty.
    pub fn goto_first(&mut self) -> Option<V> {
        self.path.first(*self.root, self.pool).map(|e| e.1)
    }

    /// Moves to the last entry and returns its value, or `None` if the map is empty.
    pub fn goto_last(&mut self) -> Option<V> {
        self.path.last(*self.root, self.pool).map(|e| e.1)
    }

    /// Maps `key` to `value` and moves to that entry; returns the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let old = tree::insert(self.root, self.pool, key, value, self.comp);
        self.path.find(*self.root, self.pool, key, self.comp);
        old
    }

    /// Removes the entry at the cursor and returns it, moving to the next entry (or past
    /// the end). Returns `None` and does nothing past the end.
    pub fn remove(&mut self) -> Option<(K, V)> {
        let (key, _) = self.path.current(self.pool)?;
        let value = tree::remove(self.root, self.pool, key, self.comp)?;
        self.path.find(*self.root, self.pool, key, self.comp);
        Some((key, value))
    }

    /// Moves past the end.
    pub fn reset(&mut self) {
        self.path.reset();
    }
}
