//! `SecondaryMap`: side data for entities allocated elsewhere.

use crate::EntityRef;
use crate::iter::{Iter, IterMut};
use crate::keys::Keys;
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;
use core::ops::{Index, IndexMut};

/// A dense map from `K` to `V` for keys allocated by some [`PrimaryMap`](crate::PrimaryMap).
///
/// Every key has a value: keys never written read as the map's default value. Writing
/// through `map[k]` grows the storage up to `k`, so the map's storage is as long as the
/// largest key written, not as the number of keys.
///
/// ```
/// use gantry_entity::{entity_impl, EntityRef, SecondaryMap};
///
/// #[derive(Clone, Copy, PartialEq, Eq)]
/// struct Inst(u32);
/// entity_impl!(Inst, "inst");
///
/// let mut cost: SecondaryMap<Inst, u8> = SecondaryMap::with_default(1);
/// cost[Inst::new(3)] = 5;
/// assert_eq!(cost[Inst::new(0)], 1);
/// assert_eq!(cost[Inst::new(3)], 5);
/// assert_eq!(cost[Inst::new(100)], 1);
/// ```
#[derive(Clone)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(
        serialize = "V: serde::Serialize",
        deserialize = "V: serde::Deserialize<'de>"
    ))
)]
pub struct SecondaryMap<K: EntityRef, V: Clone> {
    elems: Vec<V>,
    default: V,
    #[cfg_attr(feature = "serde", serde(skip))]
    unused: PhantomData<K>,
}

impl<K: EntityRef, V: Clone + Default> SecondaryMap<K, V> {
    /// An empty map whose absent keys read as `V::default()`.
    pub fn new() -> Self {
        Self::with_default(V::default())
    }

    /// An empty map with room for `capacity` keys, whose absent keys read as `V::default()`.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            elems: Vec::with_capacity(capacity),
            default: V::default(),
            unused: PhantomData,
        }
    }
}

impl<K: EntityRef, V: Clone> SecondaryMap<K, V> {
    /// An empty map whose absent keys read as `default`.
    pub fn with_default(default: V) -> Self {
        Self {
            elems: Vec::new(),
            default,
            unused: PhantomData,
        }
    }

    /// The value absent keys read as.
    pub fn default_value(&self) -> &V {
        &self.default
    }

    /// The stored length: one more than the largest key written since the last clear.
    /// Keys at or beyond it read as the default.
    pub fn capacity(&self) -> usize {
        self.elems.len()
    }

    /// The value of `k`, or `None` if `k` is beyond the stored length.
    pub fn get(&self, k: K) -> Option<&V> {
        self.elems.get(k.index())
    }

    /// The value of `k` for writing, or `None` if `k` is beyond the stored length
    /// (use `map[k]` to grow the map).
    pub fn get_mut(&mut self, k: K) -> Option<&mut V> {
        self.elems.get_mut(k.index())
    }

    /// Whether no key has been written since the last clear.
    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    /// Resets every key to the default value.
    pub fn clear(&mut self) {
        self.elems.clear()
    }

    /// Sets the stored length to `n`: keys below it get storage, keys at or beyond it are
    /// reset to the default.
    pub fn resize(&mut self, n: usize) {
        self.elems.resize(n, self.default.clone());
    }

    /// The keys within the stored length, in order.
    pub fn keys(&self) -> Keys<K> {
        Keys::with_len(self.elems.len())
    }

    /// The values within the stored length, in key order.
    pub fn values(&self) -> core::slice::Iter<'_, V> {
        self.elems.iter()
    }

    /// The values within the stored length for writing, in key order.
    pub fn values_mut(&mut self) -> core::slice::IterMut<'_, V> {
        self.elems.iter_mut()
    }

    /// The `(key, &value)` pairs within the stored length, in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter::new(&self.elems)
    }

    /// The `(key, &mut value)` pairs within the stored length, in key order.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut::new(&mut self.elems)
    }

    #[cold]
    fn grow_to_include(&mut self, k: K) {
        self.resize(k.index() + 1);
    }
}

impl<K: EntityRef, V: Clone + Default> Default for SecondaryMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: EntityRef, V: Clone> Index<K> for SecondaryMap<K, V> {
    type Output = V;

    /// The value of `k`; the default value if `k` was never written.
    fn index(&self, k: K) -> &V {
        self.elems.get(k.index()).unwrap_or(&self.default)
    }
}

impl<K: EntityRef, V: Clone> IndexMut<K> for SecondaryMap<K, V> {
    /// The value of `k` for writing, growing the storage to include `k` if needed.
    fn index_mut(&mut self, k: K) -> &mut V {
        if k.index() >= self.elems.len() {
            self.grow_to_include(k);
        }
        &mut self.elems[k.index()]
    }
}

impl<K: EntityRef, V: Clone + PartialEq> PartialEq for SecondaryMap<K, V> {
    /// Two maps are equal when every key reads the same value in both, whatever their
    /// stored lengths.
    fn eq(&self, other: &Self) -> bool {
        let n = self.elems.len().max(other.elems.len());
        self.default == other.default && (0..n).all(|i| self[K::new(i)] == other[K::new(i)])
    }
}

impl<K: EntityRef, V: Clone + Eq> Eq for SecondaryMap<K, V> {}

impl<K: EntityRef + fmt::Debug, V: Clone + fmt::Debug> fmt::Debug for SecondaryMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecondaryMap")
            .field("elems", &DebugEntries(self))
            .field("default", &self.default)
            .finish()
    }
}

struct DebugEntries<'a, K: EntityRef, V: Clone>(&'a SecondaryMap<K, V>);

impl<K: EntityRef + fmt::Debug, V: Clone + fmt::Debug> fmt::Debug for DebugEntries<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    struct E(u32);
    crate::entity_impl!(E, "e");

    #[test]
    fn defaults_and_growth() {
        let mut m: SecondaryMap<E, i32> = SecondaryMap::with_default(-1);
        assert!(m.is_empty());
        assert_eq!(m[E::new(5)], -1);
        assert_eq!(m.get(E::new(5)), None);
        m[E::new(2)] = 7;
        assert_eq!(m.capacity(), 3);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), vec![-1, -1, 7]);
        assert_eq!(m.get(E::new(2)), Some(&7));
        m.resize(1);
        assert_eq!(m[E::new(2)], -1);
        m.clear();
        assert!(m.is_empty());
    }

    #[test]
    fn equality_ignores_stored_length() {
        let mut a: SecondaryMap<E, u8> = SecondaryMap::new();
        let mut b: SecondaryMap<E, u8> = SecondaryMap::new();
        a[E::new(4)] = 0;
        assert_eq!(a, b);
        b[E::new(1)] = 3;
        assert_ne!(a, b);
        a[E::new(1)] = 3;
        assert_eq!(a, b);
    }
}
