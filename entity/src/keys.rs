//! An iterator over a dense range of entity keys.

use crate::EntityRef;
use core::marker::PhantomData;

/// Iterates over the entities with indices `0..len`, in order and in reverse.
#[derive(Clone, Debug)]
pub struct Keys<K: EntityRef> {
    pos: usize,
    rev_pos: usize,
    unused: PhantomData<K>,
}

impl<K: EntityRef> Keys<K> {
    /// The keys with indices `0..len`.
    pub fn with_len(len: usize) -> Self {
        Self {
            pos: 0,
            rev_pos: len,
            unused: PhantomData,
        }
    }
}

impl<K: EntityRef> Iterator for Keys<K> {
    type Item = K;

    fn next(&mut self) -> Option<K> {
        if self.pos < self.rev_pos {
            let k = K::new(self.pos);
            self.pos += 1;
            Some(k)
        } else {
            None
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.rev_pos - self.pos;
        (n, Some(n))
    }
}

impl<K: EntityRef> DoubleEndedIterator for Keys<K> {
    fn next_back(&mut self) -> Option<K> {
        if self.rev_pos > self.pos {
            self.rev_pos -= 1;
            Some(K::new(self.rev_pos))
        } else {
            None
        }
    }
}

impl<K: EntityRef> ExactSizeIterator for Keys<K> {}
impl<K: EntityRef> core::iter::FusedIterator for Keys<K> {}
