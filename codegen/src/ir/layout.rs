//! The layout: the order of blocks in a function and of instructions in blocks.
//!
//! Blocks and instructions form doubly linked lists. Each also has a sequence number,
//! increasing along the list, so that the order of two instructions of one block, or of
//! two blocks, is one comparison.

use super::entities::{Block, Inst};
use core::cmp::Ordering;
use core::hash::{Hash, Hasher};
use gantry_entity::{PackedOption, SecondaryMap};

/// The gap left between consecutive sequence numbers, so most insertions fit between
/// neighbours without renumbering.
const STRIDE: u32 = 16;

#[derive(Clone, Copy, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct BlockNode {
    prev: PackedOption<Block>,
    next: PackedOption<Block>,
    first_inst: PackedOption<Inst>,
    last_inst: PackedOption<Inst>,
    inserted: bool,
    cold: bool,
    seq: u32,
}

#[derive(Clone, Copy, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct InstNode {
    block: PackedOption<Block>,
    prev: PackedOption<Inst>,
    next: PackedOption<Inst>,
    seq: u32,
}

/// The order of a function's blocks and instructions.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Layout {
    blocks: SecondaryMap<Block, BlockNode>,
    insts: SecondaryMap<Inst, InstNode>,
    first_block: PackedOption<Block>,
    last_block: PackedOption<Block>,
}

impl Layout {
    /// An empty layout.
    pub fn new() -> Layout {
        Layout::default()
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        *self = Layout::default();
    }

    // ---- blocks ----

    /// Whether `block` is in the layout.
    pub fn is_block_inserted(&self, block: Block) -> bool {
        self.blocks[block].inserted
    }

    /// The first block (the entry block), if any.
    pub fn entry_block(&self) -> Option<Block> {
        self.first_block.expand()
    }

    /// The last block, if any.
    pub fn last_block(&self) -> Option<Block> {
        self.last_block.expand()
    }

    /// The block after `block`.
    pub fn next_block(&self, block: Block) -> Option<Block> {
        self.blocks[block].next.expand()
    }

    /// The block before `block`.
    pub fn prev_block(&self, block: Block) -> Option<Block> {
        self.blocks[block].prev.expand()
    }

    /// The blocks in order.
    pub fn blocks(&self) -> Blocks<'_> {
        Blocks {
            layout: self,
            next: self.first_block.expand(),
        }
    }

    /// Whether `block` is marked cold (laid out at the end by backends).
    pub fn is_cold(&self, block: Block) -> bool {
        self.blocks[block].cold
    }

    /// Marks `block` cold.
    pub fn set_cold(&mut self, block: Block) {
        self.blocks[block].cold = true;
    }

    /// Appends `block` at the end.
    ///
    /// # Panics
    /// If it is already in the layout.
    pub fn append_block(&mut self, block: Block) {
        assert!(
            !self.is_block_inserted(block),
            "{block} is already in the layout"
        );
        let prev = self.last_block;
        let seq = prev
            .expand()
            .map_or(STRIDE, |p| self.blocks[p].seq.saturating_add(STRIDE));
        {
            let node = &mut self.blocks[block];
            node.inserted = true;
            node.prev = prev;
            node.next = None.into();
            node.seq = seq;
        }
        match prev.expand() {
            Some(p) => self.blocks[p].next = block.into(),
            None => self.first_block = block.into(),
        }
        self.last_block = block.into();
        if seq == u32::MAX {
            self.renumber_blocks();
        }
    }

    /// Inserts `block` just before `before`.
    ///
    /// # Panics
    /// If `block` is already in the layout or `before` is not.
    pub fn insert_block(&mut self, block: Block, before: Block) {
        assert!(
            !self.is_block_inserted(block),
            "{block} is already in the layout"
        );
        assert!(
            self.is_block_inserted(before),
            "{before} is not in the layout"
        );
        let prev = self.blocks[before].prev;
        {
            let node = &mut self.blocks[block];
            node.inserted = true;
            node.prev = prev;
            node.next = before.into();
        }
        self.blocks[before].prev = block.into();
        match prev.expand() {
            Some(p) => self.blocks[p].next = block.into(),
            None => self.first_block = block.into(),
        }
        let lo = prev.expand().map_or(0, |p| self.blocks[p].seq);
        let hi = self.blocks[before].seq;
        if hi - lo >= 2 {
            self.blocks[block].seq = lo + (hi - lo) / 2;
        } else {
            self.renumber_blocks();
        }
    }

    /// Inserts `block` just after `after`.
    pub fn insert_block_after(&mut self, block: Block, after: Block) {
        match self.next_block(after) {
            Some(next) => self.insert_block(block, next),
            None => self.append_block(block),
        }
    }

    /// Removes `block` from the layout; its instructions stay attached to it.
    pub fn remove_block(&mut self, block: Block) {
        assert!(
            self.is_block_inserted(block),
            "{block} is not in the layout"
        );
        let BlockNode { prev, next, .. } = self.blocks[block];
        match prev.expand() {
            Some(p) => self.blocks[p].next = next,
            None => self.first_block = next,
        }
        match next.expand() {
            Some(n) => self.blocks[n].prev = prev,
            None => self.last_block = prev,
        }
        let node = &mut self.blocks[block];
        node.inserted = false;
        node.prev = None.into();
        node.next = None.into();
    }

    fn renumber_blocks(&mut self) {
        let mut seq = STRIDE;
        let mut b = self.first_block.expand();
        while let Some(block) = b {
            self.blocks[block].seq = seq;
            seq = seq.saturating_add(STRIDE);
            b = self.blocks[block].next.expand();
        }
    }

    // ---- instructions ----

    /// The block `inst` is in, if it is in the layout.
    pub fn inst_block(&self, inst: Inst) -> Option<Block> {
        self.insts[inst].block.expand()
    }

    /// The first instruction of `block`.
    pub fn first_inst(&self, block: Block) -> Option<Inst> {
        self.blocks[block].first_inst.expand()
    }

    /// The last instruction of `block` (its terminator in valid IR).
    pub fn last_inst(&self, block: Block) -> Option<Inst> {
        self.blocks[block].last_inst.expand()
    }

    /// The instruction after `inst` in its block.
    pub fn next_inst(&self, inst: Inst) -> Option<Inst> {
        self.insts[inst].next.expand()
    }

    /// The instruction before `inst` in its block.
    pub fn prev_inst(&self, inst: Inst) -> Option<Inst> {
        self.insts[inst].prev.expand()
    }

    /// The instructions of `block`, in order.
    pub fn block_insts(&self, block: Block) -> Insts<'_> {
        Insts {
            layout: self,
            head: self.blocks[block].first_inst.expand(),
            tail: self.blocks[block].last_inst.expand(),
        }
    }

    /// Appends `inst` to `block`.
    ///
    /// # Panics
    /// If `inst` is already in the layout or `block` is not.
    pub fn append_inst(&mut self, inst: Inst, block: Block) {
        assert!(
            self.inst_block(inst).is_none(),
            "{inst} is already in the layout"
        );
        assert!(
            self.is_block_inserted(block),
            "{block} is not in the layout"
        );
        let last = self.blocks[block].last_inst;
        let seq = last
            .expand()
            .map_or(STRIDE, |l| self.insts[l].seq.saturating_add(STRIDE));
        self.insts[inst] = InstNode {
            block: block.into(),
            prev: last,
            next: None.into(),
            seq,
        };
        match last.expand() {
            Some(l) => self.insts[l].next = inst.into(),
            None => self.blocks[block].first_inst = inst.into(),
        }
        self.blocks[block].last_inst = inst.into();
        if seq == u32::MAX {
            self.renumber_insts(block);
        }
    }

    /// Inserts `inst` just before `before`.
    ///
    /// # Panics
    /// If `inst` is already in the layout or `before` is not.
    pub fn insert_inst(&mut self, inst: Inst, before: Inst) {
        assert!(
            self.inst_block(inst).is_none(),
            "{inst} is already in the layout"
        );
        let block = self
            .inst_block(before)
            .expect("instruction not in the layout");
        let prev = self.insts[before].prev;
        self.insts[inst] = InstNode {
            block: block.into(),
            prev,
            next: before.into(),
            seq: 0,
        };
        self.insts[before].prev = inst.into();
        match prev.expand() {
            Some(p) => self.insts[p].next = inst.into(),
            None => self.blocks[block].first_inst = inst.into(),
        }
        let lo = prev.expand().map_or(0, |p| self.insts[p].seq);
        let hi = self.insts[before].seq;
        if hi - lo >= 2 {
            self.insts[inst].seq = lo + (hi - lo) / 2;
        } else {
            self.renumber_insts(block);
        }
    }

    /// Removes `inst` from the layout.
    pub fn remove_inst(&mut self, inst: Inst) {
        let block = self
            .inst_block(inst)
            .expect("instruction not in the layout");
        let InstNode { prev, next, .. } = self.insts[inst];
        match prev.expand() {
            Some(p) => self.insts[p].next = next,
            None => self.blocks[block].first_inst = next,
        }
        match next.expand() {
            Some(n) => self.insts[n].prev = prev,
            None => self.blocks[block].last_inst = prev,
        }
        self.insts[inst] = InstNode::default();
    }

    fn renumber_insts(&mut self, block: Block) {
        let mut seq = STRIDE;
        let mut i = self.blocks[block].first_inst.expand();
        while let Some(inst) = i {
            self.insts[inst].seq = seq;
            seq = seq.saturating_add(STRIDE);
            i = self.insts[inst].next.expand();
        }
    }

    /// The order of two instructions of the same block.
    ///
    /// # Panics
    /// In debug builds, if they are in different blocks.
    pub fn cmp_insts(&self, a: Inst, b: Inst) -> Ordering {
        debug_assert_eq!(self.inst_block(a), self.inst_block(b));
        self.insts[a].seq.cmp(&self.insts[b].seq)
    }

    /// The order of two blocks in the layout.
    pub fn cmp_blocks(&self, a: Block, b: Block) -> Ordering {
        self.blocks[a].seq.cmp(&self.blocks[b].seq)
    }
}

/// Iterates over the blocks of a layout.
pub struct Blocks<'a> {
    layout: &'a Layout,
    next: Option<Block>,
}

impl Iterator for Blocks<'_> {
    type Item = Block;
    fn next(&mut self) -> Option<Block> {
        let b = self.next?;
        self.next = self.layout.next_block(b);
        Some(b)
    }
}

/// Iterates over the instructions of a block, in both directions.
pub struct Insts<'a> {
    layout: &'a Layout,
    head: Option<Inst>,
    tail: Option<Inst>,
}

impl Iterator for Insts<'_> {
    type Item = Inst;
    fn next(&mut self) -> Option<Inst> {
        let i = self.head?;
        if Some(i) == self.tail {
            self.head = None;
            self.tail = None;
        } else {
            self.head = self.layout.next_inst(i);
        }
        Some(i)
    }
}

impl DoubleEndedIterator for Insts<'_> {
    fn next_back(&mut self) -> Option<Inst> {
        let i = self.tail?;
        if Some(i) == self.head {
            self.head = None;
            self.tail = None;
        } else {
            self.tail = self.layout.prev_inst(i);
        }
        Some(i)
    }
}

/// Two layouts are equal when they order the same blocks and instructions the same way
/// and mark the same blocks cold; sequence numbers do not matter.
impl PartialEq for Layout {
    fn eq(&self, other: &Self) -> bool {
        self.blocks().eq(other.blocks())
            && self.blocks().all(|b| {
                self.is_cold(b) == other.is_cold(b) && self.block_insts(b).eq(other.block_insts(b))
            })
    }
}

impl Eq for Layout {}

impl Hash for Layout {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.blocks() {
            b.hash(state);
            self.is_cold(b).hash(state);
            for i in self.block_insts(b) {
                i.hash(state);
            }
            // Separates the blocks' instruction lists.
            u32::MAX.hash(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use gantry_entity::EntityRef;

    #[test]
    fn insertion_keeps_order_and_sequence() {
        let mut l = Layout::new();
        let (b0, b1, b2) = (Block::new(0), Block::new(1), Block::new(2));
        l.append_block(b0);
        l.append_block(b2);
        l.insert_block(b1, b2);
        assert_eq!(l.blocks().collect::<Vec<_>>(), [b0, b1, b2]);
        assert_eq!(l.cmp_blocks(b1, b2), Ordering::Less);
        let first = Inst::new(0);
        l.append_inst(first, b0);
        // Insert many instructions before the same one to force renumbering.
        let mut inserted = Vec::new();
        for n in 1..100 {
            let inst = Inst::new(n);
            l.insert_inst(inst, first);
            inserted.push(inst);
        }
        let order: Vec<Inst> = l.block_insts(b0).collect();
        assert_eq!(order.len(), 100);
        assert_eq!(*order.last().unwrap(), first);
        for w in order.windows(2) {
            assert_eq!(l.cmp_insts(w[0], w[1]), Ordering::Less);
        }
        assert_eq!(l.block_insts(b0).next_back(), Some(first));
        l.remove_inst(inserted[5]);
        assert_eq!(l.block_insts(b0).count(), 99);
        assert_eq!(l.inst_block(inserted[5]), None);
        l.remove_block(b1);
        assert_eq!(l.blocks().collect::<Vec<_>>(), [b0, b2]);
    }
}
