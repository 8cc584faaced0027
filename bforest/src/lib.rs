//! B+-tree maps and sets whose nodes live in a shared forest.
//!
//! A compiler keeps many small ordered collections: the live ranges of a value, the
//! instructions of a block ordered by position. Giving each its own allocation is costly.
//! Here every [`Map`] or [`Set`] is a single `u32` naming its root node, and all nodes of
//! all trees of one kind live in one pool, the [`MapForest`] or [`SetForest`], with a free
//! list. Operations take the forest as an argument.
//!
//! Keys are ordered by a [`Comparator`] given to each operation rather than by `Ord`, so
//! the order can depend on context: for example instructions ordered by their position in
//! a function's layout. The unit comparator `()` orders any `K: Ord`.
//!
//! ```
//! use core::cmp::Ordering;
//! use gantry_bforest::{Comparator, Set, SetForest};
//!
//! // Keys are indices into `positions`; they are ordered by the position they map to.
//! struct ByPosition<'a> { positions: &'a [u32] }
//! impl Comparator<usize> for ByPosition<'_> {
//!     fn cmp(&self, a: usize, b: usize) -> Ordering {
//!         self.positions[a].cmp(&self.positions[b])
//!     }
//! }
//!
//! let positions = [30, 10, 20];
//! let order = ByPosition { positions: &positions };
//! let mut forest = SetForest::new();
//! let mut set = Set::new();
//! for key in 0..3 {
//!     set.insert(key, &mut forest, &order);
//! }
//! assert_eq!(set.iter(&forest).collect::<Vec<_>>(), [1, 2, 0]);
//! ```
//!
//! Leaves hold up to 15 entries and inner nodes up to 16 subtrees; every node but the root
//! is at least half full, so lookups, insertions and removals are O(log n).
//!
//! The crate is `no_std` and needs only `alloc`.

#![no_std]
#![warn(missing_docs)]

extern crate alloc;

mod map;
mod node;
mod path;
mod set;
mod tree;

pub use crate::map::{Map, MapCursor, MapForest, MapIter, MapRange};
pub use crate::set::{Set, SetCursor, SetForest, SetIter, SetRange};

use core::cmp::Ordering;

/// Orders keys of type `K`, possibly by looking them up in some context.
///
/// The order must be total and must not change while a tree ordered by it holds the keys.
pub trait Comparator<K: Copy> {
    /// Compares `a` with `b`.
    fn cmp(&self, a: K, b: K) -> Ordering;

    /// Finds `key` in `keys`, which are sorted by this order: `Ok(index)` if present,
    /// otherwise `Err(index)` where it would be inserted. Override for a faster search.
    fn search(&self, key: K, keys: &[K]) -> Result<usize, usize> {
        keys.binary_search_by(|x| self.cmp(*x, key))
    }
}

/// The natural order of `K: Ord`.
impl<K: Copy + Ord> Comparator<K> for () {
    fn cmp(&self, a: K, b: K) -> Ordering {
        a.cmp(&b)
    }
}
