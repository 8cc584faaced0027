//! `SparseMap` and `SparseSet`: O(1) insert, lookup, remove and clear.
//!
//! The technique is the sparse set of Briggs and Torczon (1993): a dense vector holds the
//! values, and a sparse array maps each key to its value's position in the dense vector.
//! A sparse entry is trusted only if the dense element it points at has the same key, so
//! the sparse array never needs clearing.

use crate::{EntityRef, SecondaryMap};
use alloc::vec::Vec;
use core::fmt;

/// A value that knows its own key, so a [`SparseMap`] can store it without the key.
pub trait SparseMapValue<K> {
    /// The key this value is stored under.
    fn key(&self) -> K;
}

impl<T: EntityRef> SparseMapValue<T> for T {
    fn key(&self) -> T {
        *self
    }
}

/// A map from `K` to values that carry their key, with O(1) insert, lookup, remove and
/// clear, and iteration over the values in a dense slice (in no particular order).
///
/// ```
/// use gantry_entity::{entity_impl, EntityRef, SparseMap, SparseMapValue};
///
/// #[derive(Clone, Copy, PartialEq, Eq)]
/// struct Value(u32);
/// entity_impl!(Value, "v");
///
/// struct Live { value: Value, uses: u32 }
/// impl SparseMapValue<Value> for Live {
///     fn key(&self) -> Value { self.value }
/// }
///
/// let mut live = SparseMap::new();
/// live.insert(Live { value: Value::new(9), uses: 2 });
/// assert_eq!(live.get(Value::new(9)).map(|l| l.uses), Some(2));
/// assert!(live.remove(Value::new(9)).is_some());
/// assert!(live.is_empty());
/// ```
pub struct SparseMap<K: EntityRef, V: SparseMapValue<K>> {
    sparse: SecondaryMap<K, u32>,
    dense: Vec<V>,
}

impl<K: EntityRef, V: SparseMapValue<K>> SparseMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self {
            sparse: SecondaryMap::new(),
            dense: Vec::new(),
        }
    }

    /// The number of values in the map.
    pub fn len(&self) -> usize {
        self.dense.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.dense.is_empty()
    }

    /// Removes every value in O(1) (plus the values' drops).
    pub fn clear(&mut self) {
        self.dense.clear();
    }

    fn position(&self, key: K) -> Option<usize> {
        let idx = self.sparse[key] as usize;
        match self.dense.get(idx) {
            Some(v) if v.key() == key => Some(idx),
            _ => None,
        }
    }

    /// The value stored under `key`.
    pub fn get(&self, key: K) -> Option<&V> {
        self.position(key).map(|i| &self.dense[i])
    }

    /// The value stored under `key`, for writing. Changing its key is a logic error.
    pub fn get_mut(&mut self, key: K) -> Option<&mut V> {
        self.position(key).map(|i| &mut self.dense[i])
    }

    /// Whether a value is stored under `key`.
    pub fn contains_key(&self, key: K) -> bool {
        self.position(key).is_some()
    }

    /// Stores `value` under `value.key()`, returning the value it replaces, if any.
    pub fn insert(&mut self, value: V) -> Option<V> {
        let key = value.key();
        if let Some(i) = self.position(key) {
            return Some(core::mem::replace(&mut self.dense[i], value));
        }
        let idx = u32::try_from(self.dense.len()).expect("SparseMap holds at most 2^32 values");
        self.sparse[key] = idx;
        self.dense.push(value);
        None
    }

    /// Removes and returns the value stored under `key`, if any.
    pub fn remove(&mut self, key: K) -> Option<V> {
        let i = self.position(key)?;
        let removed = self.dense.swap_remove(i);
        if let Some(moved) = self.dense.get(i) {
            self.sparse[moved.key()] = i as u32;
        }
        Some(removed)
    }

    /// Removes and returns the most recently inserted value that is still present.
    pub fn pop(&mut self) -> Option<V> {
        self.dense.pop()
    }

    /// The values, in a dense slice, in no particular order.
    pub fn as_slice(&self) -> &[V] {
        &self.dense
    }

    /// The values, in no particular order.
    pub fn values(&self) -> core::slice::Iter<'_, V> {
        self.dense.iter()
    }
}

impl<K: EntityRef, V: SparseMapValue<K>> Default for SparseMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, K: EntityRef, V: SparseMapValue<K>> IntoIterator for &'a SparseMap<K, V> {
    type Item = &'a V;
    type IntoIter = core::slice::Iter<'a, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.values()
    }
}

impl<K: EntityRef, V: SparseMapValue<K> + fmt::Debug> fmt::Debug for SparseMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.values()).finish()
    }
}

/// A set of entities with O(1) insert, lookup, remove and clear.
pub type SparseSet<K> = SparseMap<K, K>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    struct E(u32);
    crate::entity_impl!(E);

    #[test]
    fn set_operations() {
        let mut s: SparseSet<E> = SparseSet::new();
        assert_eq!(s.insert(E::new(5)), None);
        assert_eq!(s.insert(E::new(2)), None);
        assert_eq!(s.insert(E::new(5)), Some(E::new(5)));
        assert_eq!(s.len(), 2);
        assert!(s.contains_key(E::new(2)) && !s.contains_key(E::new(3)));
        assert_eq!(s.remove(E::new(5)), Some(E::new(5)));
        assert_eq!(s.get(E::new(2)), Some(&E::new(2)));
        assert_eq!(s.remove(E::new(5)), None);
        s.clear();
        // Stale sparse entries are not trusted after a clear.
        assert!(!s.contains_key(E::new(2)));
        s.insert(E::new(7));
        assert!(!s.contains_key(E::new(2)) && s.contains_key(E::new(7)));
        assert_eq!(s.pop(), Some(E::new(7)));
    }
}
