//! The control flow graph: predecessors and successors of each block.

use crate::ir::{Block, FunctionStencil, Inst};
use alloc::vec::Vec;
use gantry_entity::SecondaryMap;

/// A predecessor of a block: the block and its branch instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BlockPredecessor {
    /// The predecessor block.
    pub block: Block,
    /// Its instruction that branches here.
    pub inst: Inst,
}

#[derive(Clone, Default, Debug)]
struct CfgNode {
    predecessors: Vec<BlockPredecessor>,
    successors: Vec<Block>,
}

/// Predecessors and successors of every block in the layout. Each edge is listed once,
/// even if a branch names the same target twice.
#[derive(Clone, Default, Debug)]
pub struct ControlFlowGraph {
    nodes: SecondaryMap<Block, CfgNode>,
    valid: bool,
}

impl ControlFlowGraph {
    /// An empty graph.
    pub fn new() -> ControlFlowGraph {
        ControlFlowGraph::default()
    }

    /// The graph of `func`.
    pub fn with_function(func: &FunctionStencil) -> ControlFlowGraph {
        let mut cfg = ControlFlowGraph::new();
        cfg.compute(func);
        cfg
    }

    /// Recomputes the graph for `func`.
    pub fn compute(&mut self, func: &FunctionStencil) {
        self.nodes.clear();
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                for call in func.dfg.branch_destinations(inst) {
                    self.add_edge(block, inst, call.block);
                }
            }
        }
        self.valid = true;
    }

    fn add_edge(&mut self, from: Block, inst: Inst, to: Block) {
        let succs = &mut self.nodes[from].successors;
        if !succs.contains(&to) {
            succs.push(to);
        }
        let pred = BlockPredecessor { block: from, inst };
        let preds = &mut self.nodes[to].predecessors;
        if !preds.contains(&pred) {
            preds.push(pred);
        }
    }

    /// The predecessors of `block`.
    pub fn pred_iter(&self, block: Block) -> impl Iterator<Item = BlockPredecessor> + '_ {
        self.nodes[block].predecessors.iter().copied()
    }

    /// The successors of `block`, in the order its branches name them.
    pub fn succ_iter(&self, block: Block) -> impl Iterator<Item = Block> + '_ {
        self.nodes[block].successors.iter().copied()
    }

    /// Whether the graph has been computed.
    pub fn is_valid(&self) -> bool {
        self.valid
    }
}
