//! Natural loops: their headers, nesting, and each block's innermost loop.

use crate::dominator_tree::DominatorTree;
use crate::flowgraph::ControlFlowGraph;
use crate::ir::{Block, Function};
use alloc::vec::Vec;
use gantry_entity::{PackedOption, PrimaryMap, SecondaryMap, entity_impl};

/// A loop found by [`LoopAnalysis`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loop(u32);
entity_impl!(Loop, "loop");

#[derive(Clone, Debug)]
struct LoopData {
    header: Block,
    parent: PackedOption<Loop>,
    depth: u32,
}

/// The natural loops of a function: a loop is the set of blocks that reach a back edge's
/// source without passing its header, where a back edge goes to a block that dominates
/// its source.
#[derive(Clone, Default, Debug)]
pub struct LoopAnalysis {
    loops: PrimaryMap<Loop, LoopData>,
    innermost: SecondaryMap<Block, PackedOption<Loop>>,
}

impl LoopAnalysis {
    /// The loops of `func`.
    pub fn with_function(
        func: &Function,
        cfg: &ControlFlowGraph,
        domtree: &DominatorTree,
    ) -> LoopAnalysis {
        let _ = func;
        LoopAnalysis::compute(cfg, domtree)
    }

    /// The loops of the function `cfg` and `domtree` were computed for.
    pub fn compute(cfg: &ControlFlowGraph, domtree: &DominatorTree) -> LoopAnalysis {
        let mut la = LoopAnalysis::default();
        // Headers in post-order, so inner loops are found before the loops around them.
        for &header in domtree.cfg_rpo().iter().rev() {
            let back_edges: Vec<Block> = cfg
                .pred_iter(header)
                .map(|p| p.block)
                .filter(|&p| domtree.block_dominates(header, p))
                .collect();
            if back_edges.is_empty() {
                continue;
            }
            let lp = la.loops.push(LoopData {
                header,
                parent: None.into(),
                depth: 0,
            });
            la.innermost[header] = lp.into();
            let mut work = back_edges;
            while let Some(b) = work.pop() {
                if !domtree.is_reachable(b) {
                    continue;
                }
                match la.innermost[b].expand() {
                    None => {
                        la.innermost[b] = lp.into();
                        work.extend(cfg.pred_iter(b).map(|p| p.block));
                    }
                    Some(l) if l == lp => {}
                    Some(inner) => {
                        // Climb to the outermost loop found so far and nest it in `lp`.
                        let mut outer = inner;
                        while let Some(p) = la.loops[outer].parent.expand() {
                            outer = p;
                        }
                        if outer != lp {
                            la.loops[outer].parent = lp.into();
                            work.extend(cfg.pred_iter(la.loops[outer].header).map(|p| p.block));
                        }
                    }
                }
            }
        }
        // Depths: parents were created after their children, so walk in reverse.
        let keys: Vec<Loop> = la.loops.keys().rev().collect();
        for l in keys {
            la.loops[l].depth = match la.loops[l].parent.expand() {
                Some(p) => la.loops[p].depth + 1,
                None => 1,
            };
        }
        la
    }

    /// Every loop.
    pub fn loops(&self) -> impl Iterator<Item = Loop> + use<> {
        self.loops.keys()
    }

    /// The header block of `lp`.
    pub fn loop_header(&self, lp: Loop) -> Block {
        self.loops[lp].header
    }

    /// The loop directly containing `lp`.
    pub fn loop_parent(&self, lp: Loop) -> Option<Loop> {
        self.loops[lp].parent.expand()
    }

    /// The innermost loop containing `block`.
    pub fn innermost_loop(&self, block: Block) -> Option<Loop> {
        self.innermost[block].expand()
    }

    /// Whether `block` is the header of a loop.
    pub fn is_loop_header(&self, block: Block) -> Option<Loop> {
        self.innermost_loop(block)
            .filter(|&l| self.loops[l].header == block)
    }

    /// The nesting depth of `block`: 0 outside loops, 1 in an outermost loop, ...
    pub fn loop_level(&self, block: Block) -> u32 {
        self.innermost_loop(block)
            .map_or(0, |l| self.loops[l].depth)
    }

    /// Whether `inner` is `outer` or nested in it.
    pub fn is_child_loop(&self, mut inner: Loop, outer: Loop) -> bool {
        loop {
            if inner == outer {
                return true;
            }
            match self.loop_parent(inner) {
                Some(p) => inner = p,
                None => return false,
            }
        }
    }
}
