//! `PrimaryMap`: the table that owns and numbers entities.

use crate::EntityRef;
use crate::iter::{IntoIter, Iter, IterMut};
use crate::keys::Keys;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;
use core::ops::{Index, IndexMut};

/// A dense map from `K` to `V` that allocates its keys: [`push`] returns the next key.
///
/// This is where entities come from; other maps attach data to keys made here. Keys
/// are never reused, so a key stays valid while its map lives.
///
/// ```
/// use gantry_entity::{entity_impl, EntityRef, PrimaryMap};
///
/// #[derive(Clone, Copy, PartialEq, Eq)]
/// struct StackSlot(u32);
/// entity_impl!(StackSlot, "ss");
///
/// let mut sizes: PrimaryMap<StackSlot, u32> = PrimaryMap::new();
/// let ss0 = sizes.push(16);
/// let ss1 = sizes.push(8);
/// assert_eq!((ss0.index(), ss1.index()), (0, 1));
/// sizes[ss1] *= 2;
/// let all: Vec<_> = sizes.iter().map(|(k, v)| (k.to_string(), *v)).collect();
/// assert_eq!(all, [("ss0".to_string(), 16), ("ss1".to_string(), 16)]);
/// ```
///
/// [`push`]: PrimaryMap::push
#[derive(Clone, Hash, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(
        serialize = "V: serde::Serialize",
        deserialize = "V: serde::Deserialize<'de>"
    ))
)]
pub struct PrimaryMap<K: EntityRef, V> {
    elems: Vec<V>,
    #[cfg_attr(feature = "serde", serde(skip))]
    unused: PhantomData<K>,
}

impl<K: EntityRef, V> PrimaryMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self {
            elems: Vec::new(),
            unused: PhantomData,
        }
    }

    /// An empty map with room for `capacity` entities before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            elems: Vec::with_capacity(capacity),
            unused: PhantomData,
        }
    }

    /// Whether `k` was allocated by this map.
    pub fn is_valid(&self, k: K) -> bool {
        k.index() < self.elems.len()
    }

    /// The value of `k`, or `None` if `k` is not in the map.
    pub fn get(&self, k: K) -> Option<&V> {
        self.elems.get(k.index())
    }

    /// The value of `k` for writing, or `None` if `k` is not in the map.
    pub fn get_mut(&mut self, k: K) -> Option<&mut V> {
        self.elems.get_mut(k.index())
    }

    /// Whether the map has no entities.
    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    /// The number of entities allocated.
    pub fn len(&self) -> usize {
        self.elems.len()
    }

    /// The allocated keys, in order.
    pub fn keys(&self) -> Keys<K> {
        Keys::with_len(self.elems.len())
    }

    /// The values, in key order.
    pub fn values(&self) -> core::slice::Iter<'_, V> {
        self.elems.iter()
    }

    /// The values for writing, in key order.
    pub fn values_mut(&mut self) -> core::slice::IterMut<'_, V> {
        self.elems.iter_mut()
    }

    /// The `(key, &value)` pairs, in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter::new(&self.elems)
    }

    /// The `(key, &mut value)` pairs, in key order.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut::new(&mut self.elems)
    }

    /// Removes every entity. Keys handed out before become invalid.
    pub fn clear(&mut self) {
        self.elems.clear()
    }

    /// The key the next [`push`](Self::push) will return.
    pub fn next_key(&self) -> K {
        K::new(self.elems.len())
    }

    /// Allocates a new entity with value `v` and returns its key.
    pub fn push(&mut self, v: V) -> K {
        let k = self.next_key();
        self.elems.push(v);
        k
    }

    /// The most recently allocated `(key, &value)`, if any.
    pub fn last(&self) -> Option<(K, &V)> {
        let len = self.elems.len();
        self.elems.last().map(|v| (K::new(len - 1), v))
    }

    /// The most recently allocated `(key, &mut value)`, if any.
    pub fn last_mut(&mut self) -> Option<(K, &mut V)> {
        let len = self.elems.len();
        self.elems.last_mut().map(|v| (K::new(len - 1), v))
    }

    /// Reserves room for at least `additional` more entities.
    pub fn reserve(&mut self, additional: usize) {
        self.elems.reserve(additional)
    }

    /// Reserves room for exactly `additional` more entities.
    pub fn reserve_exact(&mut self, additional: usize) {
        self.elems.reserve_exact(additional)
    }

    /// Shrinks the storage to fit the entities.
    pub fn shrink_to_fit(&mut self) {
        self.elems.shrink_to_fit()
    }

    /// The values as a slice; element `i` belongs to key `K::new(i)`.
    pub fn as_values_slice(&self) -> &[V] {
        &self.elems
    }

    /// Converts into a boxed slice of values; element `i` belongs to key `K::new(i)`.
    pub fn into_boxed_slice(self) -> Box<[V]> {
        self.elems.into_boxed_slice()
    }

    /// Mutable references to the values of two or more distinct keys at once.
    ///
    /// Returns `None` if a key is out of range or two keys are equal.
    pub fn get_disjoint_mut<const N: usize>(&mut self, keys: [K; N]) -> Option<[&mut V; N]> {
        self.elems.get_disjoint_mut(keys.map(|k| k.index())).ok()
    }
}

impl<K: EntityRef, V> Default for PrimaryMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: EntityRef, V> Index<K> for PrimaryMap<K, V> {
    type Output = V;

    /// The value of `k`.
    ///
    /// # Panics
    /// If `k` was not allocated by this map.
    fn index(&self, k: K) -> &V {
        &self.elems[k.index()]
    }
}

impl<K: EntityRef, V> IndexMut<K> for PrimaryMap<K, V> {
    fn index_mut(&mut self, k: K) -> &mut V {
        &mut self.elems[k.index()]
    }
}

impl<K: EntityRef, V> FromIterator<V> for PrimaryMap<K, V> {
    /// Allocates one entity per item, in order.
    fn from_iter<I: IntoIterator<Item = V>>(iter: I) -> Self {
        Self {
            elems: Vec::from_iter(iter),
            unused: PhantomData,
        }
    }
}

impl<K: EntityRef, V> Extend<V> for PrimaryMap<K, V> {
    /// Allocates one entity per item, in order.
    fn extend<I: IntoIterator<Item = V>>(&mut self, iter: I) {
        self.elems.extend(iter)
    }
}

impl<K: EntityRef, V> IntoIterator for PrimaryMap<K, V> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;
    fn into_iter(self) -> Self::IntoIter {
        IntoIter::new(self.elems)
    }
}

impl<'a, K: EntityRef, V> IntoIterator for &'a PrimaryMap<K, V> {
    type Item = (K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K: EntityRef, V> IntoIterator for &'a mut PrimaryMap<K, V> {
    type Item = (K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K: EntityRef + fmt::Debug, V: fmt::Debug> fmt::Debug for PrimaryMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
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
    fn push_get_iterate() {
        let mut m: PrimaryMap<E, char> = PrimaryMap::new();
        assert!(m.is_empty());
        assert_eq!(m.next_key(), E::new(0));
        let a = m.push('a');
        let b = m.push('b');
        assert_eq!(m.len(), 2);
        assert!(m.is_valid(b) && !m.is_valid(E::new(2)));
        assert_eq!(m.get(E::new(2)), None);
        m[a] = 'x';
        assert_eq!(m.values().copied().collect::<Vec<_>>(), vec!['x', 'b']);
        assert_eq!(m.keys().rev().collect::<Vec<_>>(), vec![b, a]);
        assert_eq!(m.last(), Some((b, &'b')));
        for (_, v) in &mut m {
            *v = v.to_ascii_uppercase();
        }
        assert_eq!(
            m.clone().into_iter().collect::<Vec<_>>(),
            vec![(a, 'X'), (b, 'B')]
        );
        assert_eq!(alloc::format!("{m:?}"), "{e0: 'X', e1: 'B'}");
    }

    #[test]
    fn disjoint_mut() {
        let mut m: PrimaryMap<E, u8> = (0..4).collect();
        let [x, y] = m.get_disjoint_mut([E::new(1), E::new(3)]).unwrap();
        core::mem::swap(x, y);
        assert_eq!(m.as_values_slice(), &[0, 3, 2, 1]);
        assert!(m.get_disjoint_mut([E::new(1), E::new(1)]).is_none());
        assert!(m.get_disjoint_mut([E::new(9)]).is_none());
    }
}
