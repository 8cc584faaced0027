//! Nodes and the pool that owns them.

use gantry_entity::{PackedOption, PrimaryMap, entity_impl};

/// The most subtrees an inner node has; it then has one fewer keys.
pub(crate) const INNER_CAP: usize = 16;
/// The fewest subtrees a non-root inner node has.
pub(crate) const INNER_MIN: usize = INNER_CAP / 2;
/// The most entries a leaf has.
pub(crate) const LEAF_CAP: usize = 15;
/// The fewest entries a non-root leaf has.
pub(crate) const LEAF_MIN: usize = LEAF_CAP / 2;

/// A reference to a node in a [`NodePool`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Node(u32);
entity_impl!(Node, "node");

/// One B+-tree node.
///
/// In an inner node, `keys[i]` separates `tree[i]` and `tree[i + 1]`: every key in
/// `tree[i]` is less than `keys[i]`, and every key in `tree[i + 1]` is at least `keys[i]`.
/// A separator need not equal a key present in the tree (removal leaves it alone).
#[derive(Clone, Copy, Debug)]
pub(crate) enum NodeData<K: Copy, V: Copy> {
    Inner {
        /// The number of keys; the node has `size + 1` subtrees.
        size: u8,
        keys: [K; INNER_CAP - 1],
        tree: [Node; INNER_CAP],
    },
    Leaf {
        /// The number of entries.
        size: u8,
        keys: [K; LEAF_CAP],
        vals: [V; LEAF_CAP],
    },
    /// A node on the pool's free list.
    Free { next: PackedOption<Node> },
}

impl<K: Copy, V: Copy> NodeData<K, V> {
    /// A leaf holding the given entries (at most `LEAF_CAP`).
    pub(crate) fn leaf(keys: &[K], vals: &[V]) -> Self {
        debug_assert!(!keys.is_empty() && keys.len() <= LEAF_CAP && keys.len() == vals.len());
        let mut k = [keys[0]; LEAF_CAP];
        let mut v = [vals[0]; LEAF_CAP];
        k[..keys.len()].copy_from_slice(keys);
        v[..vals.len()].copy_from_slice(vals);
        NodeData::Leaf {
            size: keys.len() as u8,
            keys: k,
            vals: v,
        }
    }

    /// An inner node with the given separators and subtrees (one more subtree than keys).
    pub(crate) fn inner(keys: &[K], tree: &[Node]) -> Self {
        debug_assert!(!keys.is_empty() && tree.len() == keys.len() + 1 && tree.len() <= INNER_CAP);
        let mut k = [keys[0]; INNER_CAP - 1];
        let mut t = [tree[0]; INNER_CAP];
        k[..keys.len()].copy_from_slice(keys);
        t[..tree.len()].copy_from_slice(tree);
        NodeData::Inner {
            size: keys.len() as u8,
            keys: k,
            tree: t,
        }
    }
}

/// The storage of every node of every tree in one forest, with a free list.
#[derive(Clone, Debug)]
pub(crate) struct NodePool<K: Copy, V: Copy> {
    nodes: PrimaryMap<Node, NodeData<K, V>>,
    free: PackedOption<Node>,
}

impl<K: Copy, V: Copy> NodePool<K, V> {
    pub(crate) fn new() -> Self {
        Self {
            nodes: PrimaryMap::new(),
            free: None.into(),
        }
    }

    /// Drops every node of every tree at once.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.free = None.into();
    }

    /// The number of nodes allocated, live or free.
    pub(crate) fn capacity(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn alloc(&mut self, data: NodeData<K, V>) -> Node {
        match self.free.expand() {
            Some(node) => {
                let NodeData::Free { next } = self.nodes[node] else {
                    unreachable!("{node} is on the free list but not free");
                };
                self.free = next;
                self.nodes[node] = data;
                node
            }
            None => self.nodes.push(data),
        }
    }

    pub(crate) fn free(&mut self, node: Node) {
        self.nodes[node] = NodeData::Free { next: self.free };
        self.free = node.into();
    }

    /// Frees `node` and every node below it.
    pub(crate) fn free_tree(&mut self, node: Node) {
        if let NodeData::Inner { size, tree, .. } = self.nodes[node] {
            for &child in &tree[..=size as usize] {
                self.free_tree(child);
            }
        }
        self.free(node);
    }
}

impl<K: Copy, V: Copy> core::ops::Index<Node> for NodePool<K, V> {
    type Output = NodeData<K, V>;
    fn index(&self, node: Node) -> &NodeData<K, V> {
        &self.nodes[node]
    }
}

impl<K: Copy, V: Copy> core::ops::IndexMut<Node> for NodePool<K, V> {
    fn index_mut(&mut self, node: Node) -> &mut NodeData<K, V> {
        &mut self.nodes[node]
    }
}
