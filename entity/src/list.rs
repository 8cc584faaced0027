//! `EntityList` and `ListPool`: many short lists of entities in one shared vector.
//!
//! An IR has millions of short lists (instruction arguments, block parameters). Giving
//! each its own `Vec` would cost a heap allocation and three words per list. Instead every
//! list lives in a block of one shared [`ListPool`], and the list itself is a single `u32`.
//!
//! A block holds a length slot followed by the elements. Blocks come in size classes of
//! `4 << class` slots, so a list of `n` elements lives in the smallest class with at least
//! `n + 1` slots. Freed blocks go on a free list per size class and are reused before the
//! pool grows.

use crate::{EntityRef, ReservedValue};
use alloc::vec::Vec;
use core::marker::PhantomData;

/// A size class: blocks of class `c` have `4 << c` slots.
type SizeClass = u8;

fn slots_of(class: SizeClass) -> usize {
    4 << class
}

/// The size class holding a list of `len` elements, which needs `len + 1` slots.
fn class_for_len(len: usize) -> SizeClass {
    let slots = len + 1;
    if slots <= 4 {
        0
    } else {
        (usize::BITS - (slots - 1).leading_zeros() - 2) as SizeClass
    }
}

/// The shared storage of many [`EntityList`]s.
///
/// Dropping or clearing a pool invalidates every list allocated from it; using such a list
/// with another pool gives meaningless results or panics, but is memory safe.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ListPool<T: EntityRef + ReservedValue> {
    /// All blocks, back to back. Slot `b` of a live block is its length.
    data: Vec<T>,
    /// Per size class, the first free block plus one (0: none). A free block's first slot
    /// holds the next free block of its class, plus one, as an entity index.
    free: Vec<usize>,
}

impl<T: EntityRef + ReservedValue> ListPool<T> {
    /// An empty pool.
    pub fn new() -> Self {
        Self {
            data: Vec::new(),
            free: Vec::new(),
        }
    }

    /// An empty pool with room for `capacity` slots (elements plus one length slot per list).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            data: Vec::with_capacity(capacity),
            free: Vec::new(),
        }
    }

    /// Frees every list at once. Lists allocated before must not be used afterwards.
    pub fn clear(&mut self) {
        self.data.clear();
        self.free.clear();
    }

    /// The number of slots in use or on free lists; a measure of the pool's memory.
    pub fn capacity(&self) -> usize {
        self.data.len()
    }

    fn alloc(&mut self, class: SizeClass) -> usize {
        let class = class as usize;
        match self.free.get(class).copied() {
            Some(head) if head != 0 => {
                let block = head - 1;
                self.free[class] = self.data[block].index();
                block
            }
            _ => {
                let block = self.data.len();
                self.data
                    .resize(block + slots_of(class as SizeClass), T::reserved_value());
                block
            }
        }
    }

    fn release(&mut self, block: usize, class: SizeClass) {
        let class = class as usize;
        if self.free.len() <= class {
            self.free.resize(class + 1, 0);
        }
        self.data[block] = T::new(self.free[class]);
        self.free[class] = block + 1;
    }

    /// Moves the list at `block` (of `len` elements, class `from`) into a new block of
    /// class `to`, copying at most `keep` elements. Returns the new block.
    fn realloc(&mut self, block: usize, from: SizeClass, to: SizeClass, keep: usize) -> usize {
        let new_block = self.alloc(to);
        self.data
            .copy_within(block + 1..block + 1 + keep, new_block + 1);
        self.release(block, from);
        new_block
    }
}

impl<T: EntityRef + ReservedValue> Default for ListPool<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A list of entities stored in a [`ListPool`], itself the size of a `u32`.
///
/// Every operation takes the pool as an argument. The default list is empty and owns no
/// storage. A list must be [`clear`](Self::clear)ed to return its block to the pool;
/// dropping it leaks the block until the pool itself is cleared.
///
/// ```
/// use gantry_entity::{entity_impl, EntityList, EntityRef, ListPool};
///
/// #[derive(Clone, Copy, PartialEq, Eq)]
/// struct Value(u32);
/// entity_impl!(Value, "v");
///
/// let mut pool = ListPool::new();
/// let mut args = EntityList::from_slice(&[Value::new(1), Value::new(2)], &mut pool);
/// args.push(Value::new(3), &mut pool);
/// args.remove(0, &mut pool);
/// assert_eq!(args.as_slice(&pool), &[Value::new(2), Value::new(3)]);
/// args.clear(&mut pool);
/// assert!(args.is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EntityList<T: EntityRef + ReservedValue> {
    /// The pool slot of the first element (one past the length slot); 0 for the empty list.
    index: u32,
    #[cfg_attr(feature = "serde", serde(skip))]
    unused: PhantomData<T>,
}

impl<T: EntityRef + ReservedValue> Default for EntityList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: EntityRef + ReservedValue> EntityList<T> {
    /// The empty list. Allocates nothing.
    pub fn new() -> Self {
        Self {
            index: 0,
            unused: PhantomData,
        }
    }

    /// A new list holding a copy of `slice`.
    pub fn from_slice(slice: &[T], pool: &mut ListPool<T>) -> Self {
        let mut list = Self::new();
        list.extend(slice.iter().copied(), pool);
        list
    }

    /// A new list holding the items of `iter`.
    pub fn from_iter<I: IntoIterator<Item = T>>(iter: I, pool: &mut ListPool<T>) -> Self {
        let mut list = Self::new();
        list.extend(iter, pool);
        list
    }

    /// Whether the list is empty. Needs no pool.
    pub fn is_empty(&self) -> bool {
        self.index == 0
    }

    fn block(&self) -> usize {
        self.index as usize - 1
    }

    /// The number of elements.
    pub fn len(&self, pool: &ListPool<T>) -> usize {
        if self.is_empty() {
            0
        } else {
            pool.data[self.block()].index()
        }
    }

    /// Whether this list plausibly belongs to `pool`: its block lies inside the pool and
    /// fits the length it records. A `false` answer proves misuse; `true` proves nothing.
    pub fn is_valid(&self, pool: &ListPool<T>) -> bool {
        if self.is_empty() {
            return true;
        }
        let block = self.block();
        let Some(len) = pool.data.get(block).map(|t| t.index()) else {
            return false;
        };
        len > 0 && block + slots_of(class_for_len(len)) <= pool.data.len()
    }

    /// The elements as a slice.
    pub fn as_slice<'a>(&self, pool: &'a ListPool<T>) -> &'a [T] {
        let len = self.len(pool);
        let start = self.index as usize;
        &pool.data[start..start + len]
    }

    /// The elements as a mutable slice.
    pub fn as_mut_slice<'a>(&self, pool: &'a mut ListPool<T>) -> &'a mut [T] {
        let len = self.len(pool);
        let start = self.index as usize;
        &mut pool.data[start..start + len]
    }

    /// The element at `index`, if any.
    pub fn get(&self, index: usize, pool: &ListPool<T>) -> Option<T> {
        self.as_slice(pool).get(index).copied()
    }

    /// The first element, if any.
    pub fn first(&self, pool: &ListPool<T>) -> Option<T> {
        self.get(0, pool)
    }

    /// Empties the list, returning its block to the pool.
    pub fn clear(&mut self, pool: &mut ListPool<T>) {
        if !self.is_empty() {
            let len = self.len(pool);
            pool.release(self.block(), class_for_len(len));
            self.index = 0;
        }
    }

    /// Takes the list out, leaving the empty list. The pool is not touched.
    pub fn take(&mut self) -> Self {
        core::mem::take(self)
    }

    /// A copy of the list with its own block.
    pub fn deep_clone(&self, pool: &mut ListPool<T>) -> Self {
        let len = self.len(pool);
        if len == 0 {
            return Self::new();
        }
        let block = pool.alloc(class_for_len(len));
        let src = self.block();
        pool.data.copy_within(src..src + 1 + len, block);
        Self {
            index: (block + 1) as u32,
            unused: PhantomData,
        }
    }

    /// Changes the length to `new_len`, moving the list to another block if its size
    /// class changes. New elements are `T::reserved_value()`; they must be overwritten.
    fn set_len(&mut self, new_len: usize, pool: &mut ListPool<T>) {
        let len = self.len(pool);
        if new_len == len {
            return;
        }
        if new_len == 0 {
            self.clear(pool);
            return;
        }
        let (from, to) = (class_for_len(len), class_for_len(new_len));
        let block = if len == 0 {
            pool.alloc(to)
        } else if from != to {
            pool.realloc(self.block(), from, to, len.min(new_len))
        } else {
            self.block()
        };
        if new_len > len {
            pool.data[block + 1 + len..block + 1 + new_len].fill(T::reserved_value());
        }
        pool.data[block] = T::new(new_len);
        let index = u32::try_from(block + 1).expect("ListPool larger than 2^32 slots");
        self.index = index;
    }

    /// Appends `element`; returns its index.
    pub fn push(&mut self, element: T, pool: &mut ListPool<T>) -> usize {
        let len = self.len(pool);
        self.set_len(len + 1, pool);
        self.as_mut_slice(pool)[len] = element;
        len
    }

    /// Appends the items of `elements`.
    pub fn extend<I: IntoIterator<Item = T>>(&mut self, elements: I, pool: &mut ListPool<T>) {
        let iter = elements.into_iter();
        let (lower, _) = iter.size_hint();
        let len = self.len(pool);
        // Grow once for the known part, then one at a time for the rest.
        self.set_len(len + lower, pool);
        let mut n = len;
        for element in iter {
            if n < len + lower {
                self.as_mut_slice(pool)[n] = element;
            } else {
                self.push(element, pool);
            }
            n += 1;
        }
        if n < len + lower {
            // The iterator lied about its lower bound.
            self.set_len(n, pool);
        }
    }

    /// Inserts `count` placeholder elements at `index`, shifting later elements up.
    /// The caller must overwrite the placeholders.
    ///
    /// # Panics
    /// If `index > len`.
    pub fn grow_at(&mut self, index: usize, count: usize, pool: &mut ListPool<T>) {
        let len = self.len(pool);
        assert!(index <= len, "grow_at index {index} beyond length {len}");
        self.set_len(len + count, pool);
        let slice = self.as_mut_slice(pool);
        slice.copy_within(index..len, index + count);
    }

    /// Inserts `element` at `index`, shifting later elements up.
    ///
    /// # Panics
    /// If `index > len`.
    pub fn insert(&mut self, index: usize, element: T, pool: &mut ListPool<T>) {
        self.grow_at(index, 1, pool);
        self.as_mut_slice(pool)[index] = element;
    }

    /// Removes the element at `index`, shifting later elements down; returns it.
    ///
    /// # Panics
    /// If `index >= len`.
    pub fn remove(&mut self, index: usize, pool: &mut ListPool<T>) -> T {
        let slice = self.as_mut_slice(pool);
        let element = slice[index];
        slice.copy_within(index + 1.., index);
        let len = slice.len();
        self.set_len(len - 1, pool);
        element
    }

    /// Removes the element at `index`, replacing it with the last element; returns it.
    ///
    /// # Panics
    /// If `index >= len`.
    pub fn swap_remove(&mut self, index: usize, pool: &mut ListPool<T>) -> T {
        let slice = self.as_mut_slice(pool);
        let element = slice[index];
        let last = slice.len() - 1;
        slice[index] = slice[last];
        self.set_len(last, pool);
        element
    }

    /// Shortens the list to `new_len` elements; does nothing if it is not longer.
    pub fn truncate(&mut self, new_len: usize, pool: &mut ListPool<T>) {
        if new_len < self.len(pool) {
            self.set_len(new_len, pool);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, PartialEq, Eq)]
    struct E(u32);
    crate::entity_impl!(E, "e");

    fn e(i: usize) -> E {
        E::new(i)
    }

    #[test]
    fn size_classes() {
        assert_eq!(class_for_len(0), 0);
        assert_eq!(class_for_len(3), 0);
        assert_eq!(class_for_len(4), 1);
        assert_eq!(class_for_len(7), 1);
        assert_eq!(class_for_len(8), 2);
        assert_eq!(class_for_len(15), 2);
        assert_eq!(class_for_len(16), 3);
        for len in 0..1000 {
            assert!(slots_of(class_for_len(len)) > len);
            if let Some(smaller) = class_for_len(len).checked_sub(1) {
                assert!(slots_of(smaller) <= len);
            }
        }
    }

    #[test]
    fn freed_blocks_are_reused() {
        let mut pool = ListPool::new();
        let mut a = EntityList::from_slice(&[e(1), e(2)], &mut pool);
        let used = pool.capacity();
        a.clear(&mut pool);
        let b = EntityList::from_slice(&[e(3)], &mut pool);
        assert_eq!(pool.capacity(), used);
        assert_eq!(b.as_slice(&pool), &[e(3)]);
    }

    #[test]
    fn edits() {
        let mut pool = ListPool::new();
        let mut l = EntityList::new();
        assert_eq!(l.len(&pool), 0);
        assert_eq!(l.first(&pool), None);
        for i in 0..10 {
            assert_eq!(l.push(e(i), &mut pool), i);
        }
        assert!(l.is_valid(&pool));
        l.insert(0, e(100), &mut pool);
        assert_eq!(l.get(0, &pool), Some(e(100)));
        assert_eq!(l.remove(1, &mut pool), e(0));
        assert_eq!(l.swap_remove(0, &mut pool), e(100));
        assert_eq!(l.first(&pool), Some(e(9)));
        l.truncate(3, &mut pool);
        assert_eq!(l.as_slice(&pool), &[e(9), e(1), e(2)]);
        let copy = l.deep_clone(&mut pool);
        l.as_mut_slice(&mut pool)[0] = e(50);
        assert_eq!(copy.as_slice(&pool), &[e(9), e(1), e(2)]);
        l.grow_at(1, 2, &mut pool);
        l.as_mut_slice(&mut pool)[1..3].copy_from_slice(&[e(7), e(8)]);
        assert_eq!(l.as_slice(&pool), &[e(50), e(7), e(8), e(1), e(2)]);
        let taken = l.take();
        assert!(l.is_empty());
        assert_eq!(taken.len(&pool), 5);
    }

    #[test]
    fn invalid_list_is_detected() {
        let pool: ListPool<E> = ListPool::new();
        let bogus = EntityList::<E> {
            index: 40,
            unused: PhantomData,
        };
        assert!(!bogus.is_valid(&pool));
    }
}
