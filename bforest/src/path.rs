//! A position in a tree: the node and entry at every level from the root to a leaf.
//!
//! Cursors and iterators walk the tree with a path, since leaves are not linked.

use crate::Comparator;
use crate::node::{Node, NodeData, NodePool};
use crate::tree::child_index;
use gantry_entity::PackedOption;

/// Deep enough for any tree a 32-bit node index can address: below the root, every inner
/// node has at least 8 subtrees and every leaf at least 7 entries.
pub(crate) const MAX_DEPTH: usize = 16;

/// The nodes from the root (level 0) down to a leaf, and at each level the subtree index
/// (inner nodes) or entry index (the leaf). An empty path is the position past the end.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Path {
    size: usize,
    node: [Node; MAX_DEPTH],
    entry: [u8; MAX_DEPTH],
}

impl Default for Path {
    fn default() -> Self {
        Self {
            size: 0,
            node: [Node::from_u32(0); MAX_DEPTH],
            entry: [0; MAX_DEPTH],
        }
    }
}

impl Path {
    /// Whether the path is past the end (or the tree is empty).
    pub(crate) fn is_end(&self) -> bool {
        self.size == 0
    }

    /// Moves past the end.
    pub(crate) fn reset(&mut self) {
        self.size = 0;
    }

    fn push(&mut self, node: Node, entry: usize) {
        self.node[self.size] = node;
        self.entry[self.size] = entry as u8;
        self.size += 1;
    }

    /// The entry the path points at.
    pub(crate) fn current<K: Copy, V: Copy>(&self, pool: &NodePool<K, V>) -> Option<(K, V)> {
        let leaf = *self.node.get(self.size.checked_sub(1)?)?;
        let NodeData::Leaf { keys, vals, .. } = &pool[leaf] else {
            unreachable!("path ends at {leaf}, not a leaf");
        };
        let e = self.entry[self.size - 1] as usize;
        Some((keys[e], vals[e]))
    }

    /// The value the path points at, for writing.
    pub(crate) fn value_mut<'a, K: Copy, V: Copy>(
        &self,
        pool: &'a mut NodePool<K, V>,
    ) -> Option<&'a mut V> {
        let leaf = *self.node.get(self.size.checked_sub(1)?)?;
        let NodeData::Leaf { vals, .. } = &mut pool[leaf] else {
            unreachable!("path ends at {leaf}, not a leaf");
        };
        Some(&mut vals[self.entry[self.size - 1] as usize])
    }

    /// Descends from `node` to a leaf along the first (`rightmost == false`) or last
    /// subtree at each level, pointing at the leaf's first or last entry.
    fn descend<K: Copy, V: Copy>(
        &mut self,
        pool: &NodePool<K, V>,
        mut node: Node,
        rightmost: bool,
    ) {
        loop {
            match &pool[node] {
                NodeData::Inner { size, tree, .. } => {
                    let e = if rightmost { *size as usize } else { 0 };
                    self.push(node, e);
                    node = tree[e];
                }
                NodeData::Leaf { size, .. } => {
                    let e = if rightmost { *size as usize - 1 } else { 0 };
                    self.push(node, e);
                    return;
                }
                NodeData::Free { .. } => unreachable!("{node} is free but reachable"),
            }
        }
    }

    /// Points at the first entry of the tree.
    pub(crate) fn first<K: Copy, V: Copy>(
        &mut self,
        root: PackedOption<Node>,
        pool: &NodePool<K, V>,
    ) -> Option<(K, V)> {
        self.size = 0;
        self.descend(pool, root.expand()?, false);
        self.current(pool)
    }

    /// Points at the last entry of the tree.
    pub(crate) fn last<K: Copy, V: Copy>(
        &mut self,
        root: PackedOption<Node>,
        pool: &NodePool<K, V>,
    ) -> Option<(K, V)> {
        self.size = 0;
        self.descend(pool, root.expand()?, true);
        self.current(pool)
    }

    /// Points at `key` if present, else at the first larger key, else past the end.
    /// Returns the value of `key` if present.
    pub(crate) fn find<K: Copy, V: Copy, C: Comparator<K>>(
        &mut self,
        root: PackedOption<Node>,
        pool: &NodePool<K, V>,
        key: K,
        comp: &C,
    ) -> Option<V> {
        self.size = 0;
        let mut node = root.expand()?;
        loop {
            match &pool[node] {
                NodeData::Inner { size, keys, tree } => {
                    let c = child_index(comp.search(key, &keys[..*size as usize]));
                    self.push(node, c);
                    node = tree[c];
                }
                NodeData::Leaf { size, keys, vals } => {
                    let n = *size as usize;
                    return match comp.search(key, &keys[..n]) {
                        Ok(i) => {
                            self.push(node, i);
                            Some(vals[i])
                        }
                        Err(i) => {
                            self.push(node, i);
                            if i == n {
                                // Every key of this leaf is smaller: the next one is the
                                // first of the following leaf.
                                self.next_leaf(pool);
                            }
                            None
                        }
                    };
                }
                NodeData::Free { .. } => unreachable!("{node} is free but reachable"),
            }
        }
    }

    /// Moves to the first entry of the leaf after the current one, or past the end.
    fn next_leaf<K: Copy, V: Copy>(&mut self, pool: &NodePool<K, V>) {
        // Climb to the deepest inner node with a subtree right of the path.
        self.size -= 1;
        while let Some(level) = self.size.checked_sub(1) {
            let NodeData::Inner { size, tree, .. } = &pool[self.node[level]] else {
                unreachable!("path has a leaf above the bottom");
            };
            let e = self.entry[level] as usize;
            if e < *size as usize {
                self.entry[level] += 1;
                let next = tree[e + 1];
                self.descend(pool, next, false);
                return;
            }
            self.size -= 1;
        }
    }

    /// Moves to the last entry of the leaf before the current one, or past the end.
    fn prev_leaf<K: Copy, V: Copy>(&mut self, pool: &NodePool<K, V>) {
        self.size -= 1;
        while let Some(level) = self.size.checked_sub(1) {
            let NodeData::Inner { tree, .. } = &pool[self.node[level]] else {
                unreachable!("path has a leaf above the bottom");
            };
            let e = self.entry[level] as usize;
            if e > 0 {
                self.entry[level] -= 1;
                let prev = tree[e - 1];
                self.descend(pool, prev, true);
                return;
            }
            self.size -= 1;
        }
    }

    /// Moves to the next entry and returns it; from past the end, moves to the first.
    pub(crate) fn next<K: Copy, V: Copy>(
        &mut self,
        root: PackedOption<Node>,
        pool: &NodePool<K, V>,
    ) -> Option<(K, V)> {
        if self.is_end() {
            return self.first(root, pool);
        }
        let level = self.size - 1;
        let NodeData::Leaf { size, .. } = &pool[self.node[level]] else {
            unreachable!("path ends at an inner node");
        };
        if (self.entry[level] as usize) + 1 < *size as usize {
            self.entry[level] += 1;
        } else {
            self.next_leaf(pool);
        }
        self.current(pool)
    }

    /// Moves to the previous entry and returns it; from past the end, moves to the last.
    pub(crate) fn prev<K: Copy, V: Copy>(
        &mut self,
        root: PackedOption<Node>,
        pool: &NodePool<K, V>,
    ) -> Option<(K, V)> {
        if self.is_end() {
            return self.last(root, pool);
        }
        let level = self.size - 1;
        if self.entry[level] > 0 {
            self.entry[level] -= 1;
        } else {
            self.prev_leaf(pool);
        }
        self.current(pool)
    }
}
