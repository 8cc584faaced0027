//! Iterators over `(key, value)` pairs of dense entity maps.

use crate::EntityRef;
use alloc::vec;
use core::iter::Enumerate;
use core::marker::PhantomData;
use core::slice;

/// Iterates over `(K, &V)` of a dense map, in key order.
pub struct Iter<'a, K: EntityRef, V> {
    inner: Enumerate<slice::Iter<'a, V>>,
    unused: PhantomData<K>,
}

impl<'a, K: EntityRef, V> Iter<'a, K, V> {
    /// Iterates over `slice`, whose element `i` belongs to key `K::new(i)`.
    pub fn new(slice: &'a [V]) -> Self {
        Self {
            inner: slice.iter().enumerate(),
            unused: PhantomData,
        }
    }
}

impl<'a, K: EntityRef, V> Iterator for Iter<'a, K, V> {
    type Item = (K, &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(i, v)| (K::new(i), v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K: EntityRef, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|(i, v)| (K::new(i), v))
    }
}

impl<K: EntityRef, V> ExactSizeIterator for Iter<'_, K, V> {}

/// Iterates over `(K, &mut V)` of a dense map, in key order.
pub struct IterMut<'a, K: EntityRef, V> {
    inner: Enumerate<slice::IterMut<'a, V>>,
    unused: PhantomData<K>,
}

impl<'a, K: EntityRef, V> IterMut<'a, K, V> {
    /// Iterates over `slice`, whose element `i` belongs to key `K::new(i)`.
    pub fn new(slice: &'a mut [V]) -> Self {
        Self {
            inner: slice.iter_mut().enumerate(),
            unused: PhantomData,
        }
    }
}

impl<'a, K: EntityRef, V> Iterator for IterMut<'a, K, V> {
    type Item = (K, &'a mut V);
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(i, v)| (K::new(i), v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K: EntityRef, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|(i, v)| (K::new(i), v))
    }
}

impl<K: EntityRef, V> ExactSizeIterator for IterMut<'_, K, V> {}

/// Iterates over `(K, V)` of a dense map by value, consuming it.
pub struct IntoIter<K: EntityRef, V> {
    inner: Enumerate<vec::IntoIter<V>>,
    unused: PhantomData<K>,
}

impl<K: EntityRef, V> IntoIter<K, V> {
    /// Iterates over `v`, whose element `i` belongs to key `K::new(i)`.
    pub fn new(v: alloc::vec::Vec<V>) -> Self {
        Self {
            inner: v.into_iter().enumerate(),
            unused: PhantomData,
        }
    }
}

impl<K: EntityRef, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(i, v)| (K::new(i), v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K: EntityRef, V> DoubleEndedIterator for IntoIter<K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|(i, v)| (K::new(i), v))
    }
}

impl<K: EntityRef, V> ExactSizeIterator for IntoIter<K, V> {}
