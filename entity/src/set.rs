//! `EntitySet`: a bit set of entities.

use crate::EntityRef;
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

const WORD_BITS: usize = 64;

/// A set of entities stored as one bit per possible key, up to the largest key inserted.
///
/// ```
/// use gantry_entity::{entity_impl, EntityRef, EntitySet};
///
/// #[derive(Clone, Copy, PartialEq, Eq, Debug)]
/// struct Block(u32);
/// entity_impl!(Block);
///
/// let mut visited = EntitySet::new();
/// assert!(visited.insert(Block::new(70)));
/// assert!(!visited.insert(Block::new(70)));
/// visited.insert(Block::new(3));
/// assert!(visited.contains(Block::new(3)));
/// assert_eq!(visited.iter().collect::<Vec<_>>(), [Block::new(3), Block::new(70)]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EntitySet<K: EntityRef> {
    /// Bit `i % 64` of word `i / 64` says whether key `i` is present. No trailing zero
    /// words are kept, so equal sets have equal storage.
    words: Vec<u64>,
    #[cfg_attr(feature = "serde", serde(skip))]
    unused: PhantomData<K>,
}

impl<K: EntityRef> EntitySet<K> {
    /// An empty set.
    pub fn new() -> Self {
        Self {
            words: Vec::new(),
            unused: PhantomData,
        }
    }

    /// An empty set with room for keys below `capacity` before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            words: Vec::with_capacity(capacity.div_ceil(WORD_BITS)),
            unused: PhantomData,
        }
    }

    /// Whether `k` is in the set.
    pub fn contains(&self, k: K) -> bool {
        let i = k.index();
        self.words
            .get(i / WORD_BITS)
            .is_some_and(|w| w & (1 << (i % WORD_BITS)) != 0)
    }

    /// Adds `k`; returns `true` if it was not in the set before.
    pub fn insert(&mut self, k: K) -> bool {
        let i = k.index();
        let w = i / WORD_BITS;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let bit = 1 << (i % WORD_BITS);
        let fresh = self.words[w] & bit == 0;
        self.words[w] |= bit;
        fresh
    }

    /// Removes `k`; returns `true` if it was in the set.
    pub fn remove(&mut self, k: K) -> bool {
        let i = k.index();
        let Some(word) = self.words.get_mut(i / WORD_BITS) else {
            return false;
        };
        let bit = 1 << (i % WORD_BITS);
        let present = *word & bit != 0;
        *word &= !bit;
        self.trim();
        present
    }

    /// Removes and returns the largest key, if any.
    pub fn pop(&mut self) -> Option<K> {
        let (w, word) = self.words.iter_mut().enumerate().next_back()?;
        // `trim` keeps the last word non-zero.
        let bit = WORD_BITS - 1 - word.leading_zeros() as usize;
        *word &= !(1 << bit);
        self.trim();
        Some(K::new(w * WORD_BITS + bit))
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The number of keys in the set (counts bits: O(largest key / 64)).
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.words.clear()
    }

    /// The keys in the set, in increasing order.
    pub fn iter(&self) -> SetIter<'_, K> {
        SetIter {
            words: &self.words,
            word: 0,
            bits: self.words.first().copied().unwrap_or(0),
            unused: PhantomData,
        }
    }

    fn trim(&mut self) {
        while self.words.last() == Some(&0) {
            self.words.pop();
        }
    }
}

impl<K: EntityRef> Default for EntitySet<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: EntityRef> Extend<K> for EntitySet<K> {
    fn extend<I: IntoIterator<Item = K>>(&mut self, iter: I) {
        for k in iter {
            self.insert(k);
        }
    }
}

impl<K: EntityRef> FromIterator<K> for EntitySet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        let mut s = Self::new();
        s.extend(iter);
        s
    }
}

impl<K: EntityRef + fmt::Debug> fmt::Debug for EntitySet<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<'a, K: EntityRef> IntoIterator for &'a EntitySet<K> {
    type Item = K;
    type IntoIter = SetIter<'a, K>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterates over the keys of an [`EntitySet`] in increasing order.
pub struct SetIter<'a, K: EntityRef> {
    words: &'a [u64],
    /// Index of the word `bits` came from.
    word: usize,
    /// The bits of `words[word]` not yet returned.
    bits: u64,
    unused: PhantomData<K>,
}

impl<K: EntityRef> Iterator for SetIter<'_, K> {
    type Item = K;
    fn next(&mut self) -> Option<K> {
        while self.bits == 0 {
            self.word += 1;
            self.bits = *self.words.get(self.word)?;
        }
        let bit = self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(K::new(self.word * WORD_BITS + bit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    struct E(u32);
    crate::entity_impl!(E);

    #[test]
    fn insert_remove_pop() {
        let mut s: EntitySet<E> = EntitySet::new();
        assert!(s.is_empty() && s.pop().is_none());
        for i in [0, 63, 64, 200] {
            assert!(s.insert(E::new(i)));
        }
        assert_eq!(s.len(), 4);
        assert!(!s.contains(E::new(1)) && !s.contains(E::new(1000)));
        assert!(s.remove(E::new(63)));
        assert!(!s.remove(E::new(63)));
        assert!(!s.remove(E::new(5000)));
        assert_eq!(s.pop(), Some(E::new(200)));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![E::new(0), E::new(64)]);
        assert_eq!(s.pop(), Some(E::new(64)));
        assert_eq!(s.pop(), Some(E::new(0)));
        assert!(s.is_empty());
    }

    #[test]
    fn equal_sets_compare_equal() {
        let a: EntitySet<E> = [E::new(1)].into_iter().collect();
        let mut b: EntitySet<E> = [E::new(1), E::new(500)].into_iter().collect();
        b.remove(E::new(500));
        assert_eq!(a, b);
    }
}
