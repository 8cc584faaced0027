//! The dominator tree, computed with the iterative algorithm of Cooper, Harvey and
//! Kennedy ("A Simple, Fast Dominance Algorithm", 2001) over reverse post-order.

use crate::flowgraph::ControlFlowGraph;
use crate::ir::{Block, FunctionStencil, Inst, Layout};
use alloc::vec::Vec;
use core::cmp::Ordering;
use gantry_entity::{PackedOption, SecondaryMap};

/// Immediate dominators and reverse post-order of the reachable blocks.
#[derive(Clone, Default, Debug)]
pub struct DominatorTree {
    /// Each reachable block's immediate dominator (the entry has none).
    idom: SecondaryMap<Block, PackedOption<Block>>,
    /// Each reachable block's position in `rpo` plus one (0: unreachable).
    rpo_number: SecondaryMap<Block, u32>,
    rpo: Vec<Block>,
}

impl DominatorTree {
    /// The tree of `func`, using its control flow graph `cfg`.
    pub fn with_function(func: &FunctionStencil, cfg: &ControlFlowGraph) -> DominatorTree {
        let mut tree = DominatorTree::default();
        tree.compute(func, cfg);
        tree
    }

    /// Recomputes the tree.
    pub fn compute(&mut self, func: &FunctionStencil, cfg: &ControlFlowGraph) {
        self.idom.clear();
        self.rpo_number.clear();
        self.rpo.clear();
        let Some(entry) = func.layout.entry_block() else {
            return;
        };
        // Post-order by an explicit DFS stack: (block, next successor index).
        let mut post = Vec::new();
        let mut visited = SecondaryMap::<Block, bool>::new();
        let mut stack = alloc::vec![(entry, 0usize)];
        visited[entry] = true;
        while let Some(&mut (block, ref mut i)) = stack.last_mut() {
            let succ = cfg.succ_iter(block).nth(*i);
            *i += 1;
            match succ {
                Some(s) if !visited[s] => {
                    visited[s] = true;
                    stack.push((s, 0));
                }
                Some(_) => {}
                None => {
                    post.push(block);
                    stack.pop();
                }
            }
        }
        self.rpo = post.into_iter().rev().collect();
        for (i, &b) in self.rpo.iter().enumerate() {
            self.rpo_number[b] = i as u32 + 1;
        }
        // Iterate to a fixed point; the entry is its own dominator during the iteration.
        self.idom[entry] = entry.into();
        let mut changed = true;
        while changed {
            changed = false;
            for &b in &self.rpo[1..] {
                let mut new_idom: Option<Block> = None;
                for pred in cfg.pred_iter(b) {
                    let p = pred.block;
                    if self.idom[p].is_none() {
                        continue; // unreachable or not processed yet
                    }
                    new_idom = Some(match new_idom {
                        None => p,
                        Some(cur) => self.intersect(cur, p),
                    });
                }
                if let Some(n) = new_idom {
                    if self.idom[b].expand() != Some(n) {
                        self.idom[b] = n.into();
                        changed = true;
                    }
                }
            }
        }
        self.idom[entry] = None.into();
    }

    fn intersect(&self, mut a: Block, mut b: Block) -> Block {
        while a != b {
            while self.rpo_number[a] > self.rpo_number[b] {
                a = self.idom[a].expect("processed block has an idom");
            }
            while self.rpo_number[b] > self.rpo_number[a] {
                b = self.idom[b].expect("processed block has an idom");
            }
        }
        a
    }

    /// Whether `block` is reachable from the entry.
    pub fn is_reachable(&self, block: Block) -> bool {
        self.rpo_number[block] != 0
    }

    /// The immediate dominator of `block`; `None` for the entry and unreachable blocks.
    pub fn idom(&self, block: Block) -> Option<Block> {
        self.idom[block].expand()
    }

    /// The reachable blocks in reverse post-order.
    pub fn cfg_rpo(&self) -> &[Block] {
        &self.rpo
    }

    /// Compares two reachable blocks by reverse post-order.
    pub fn rpo_cmp_block(&self, a: Block, b: Block) -> Ordering {
        self.rpo_number[a].cmp(&self.rpo_number[b])
    }

    /// Whether block `a` dominates block `b` (every block dominates itself). False if
    /// either is unreachable.
    pub fn block_dominates(&self, a: Block, mut b: Block) -> bool {
        if !self.is_reachable(a) || !self.is_reachable(b) {
            return false;
        }
        let ra = self.rpo_number[a];
        loop {
            if a == b {
                return true;
            }
            // Dominators precede in reverse post-order: stop once b climbs above a.
            if self.rpo_number[b] < ra {
                return false;
            }
            match self.idom(b) {
                Some(i) => b = i,
                None => return false,
            }
        }
    }

    /// Whether instruction `a` dominates instruction `b`: same block and not after it, or
    /// its block strictly dominates `b`'s.
    pub fn inst_dominates(&self, a: Inst, b: Inst, layout: &Layout) -> bool {
        let (Some(ba), Some(bb)) = (layout.inst_block(a), layout.inst_block(b)) else {
            return false;
        };
        if ba == bb {
            layout.cmp_insts(a, b) != Ordering::Greater
        } else {
            self.block_dominates(ba, bb)
        }
    }
}
