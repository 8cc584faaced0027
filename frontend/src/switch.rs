//! [`Switch`]: a multi-way branch on an integer, lowered to jump tables where the case
//! values are dense and to a binary search of comparisons where they are sparse.

use crate::FunctionBuilder;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use gantry_codegen::ir::{Block, InstBuilder, IntCC, JumpTableData, Type, Value};

/// Runs of consecutive case values at least this long get a jump table.
const MIN_TABLE: usize = 4;
/// Searches over more than this many runs split in two with one comparison.
const MAX_LINEAR: usize = 3;

/// A `switch` on an integer value: case values with their blocks, and a default.
///
/// ```ignore
/// let mut switch = Switch::new();
/// switch.set_entry(0, zero_block);
/// switch.set_entry(7, seven_block);
/// switch.emit(&mut builder, value, default_block);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Switch {
    cases: BTreeMap<u128, Block>,
}

/// A run of consecutive case values.
struct Run {
    first: u128,
    blocks: Vec<Block>,
}

impl Switch {
    /// An empty switch.
    pub fn new() -> Switch {
        Switch::default()
    }

    /// Branches to `block` when the value is `index` (as an unsigned number of the
    /// value's width).
    ///
    /// # Panics
    /// If `index` already has a different block.
    pub fn set_entry(&mut self, index: u128, block: Block) {
        let prev = self.cases.insert(index, block);
        assert!(
            prev.is_none() || prev == Some(block),
            "switch case {index} is set twice, to {} and {block}",
            prev.map_or(block, |b| b)
        );
    }

    /// The cases, by value.
    pub fn entries(&self) -> &BTreeMap<u128, Block> {
        &self.cases
    }

    /// Ends the current block of `builder` with the switch on `value` (an integer of 8
    /// to 64 bits); values without a case go to `otherwise`. The blocks it creates are
    /// sealed; the case blocks and `otherwise` are the caller's to seal.
    ///
    /// # Panics
    /// If `value` is not an integer of 8 to 64 bits, or a case value does not fit its
    /// type.
    pub fn emit(self, builder: &mut FunctionBuilder<'_>, value: Value, otherwise: Block) {
        let ty = builder.func.dfg.value_type(value);
        assert!(
            ty.is_scalar_int() && ty.bits() <= 64,
            "a switch on {value} of type {ty}: integers of 8 to 64 bits only"
        );
        let max = u128::from(u64::MAX >> (64 - ty.bits()));
        let mut runs: Vec<Run> = Vec::new();
        for (&index, &block) in &self.cases {
            assert!(index <= max, "switch case {index} does not fit {ty}");
            match runs.last_mut() {
                Some(run) if run.first + run.blocks.len() as u128 == index => {
                    run.blocks.push(block)
                }
                _ => runs.push(Run {
                    first: index,
                    blocks: alloc::vec![block],
                }),
            }
        }
        // Short runs are cheaper as comparisons: split them into single cases.
        let runs: Vec<Run> = runs
            .into_iter()
            .flat_map(|run| {
                if run.blocks.len() >= MIN_TABLE {
                    alloc::vec![run]
                } else {
                    run.blocks
                        .iter()
                        .enumerate()
                        .map(|(i, &b)| Run {
                            first: run.first + i as u128,
                            blocks: alloc::vec![b],
                        })
                        .collect()
                }
            })
            .collect();
        search(builder, value, ty, &runs, otherwise);
    }
}

/// Emits the search over `runs` (sorted) from the current block.
fn search(b: &mut FunctionBuilder<'_>, value: Value, ty: Type, runs: &[Run], otherwise: Block) {
    if runs.len() > MAX_LINEAR {
        let mid = runs.len() / 2;
        let (low, high) = (b.create_block(), b.create_block());
        let pivot = b.ins().iconst(ty, runs[mid].first as i64);
        let upper = b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, value, pivot);
        b.ins().brif(upper, high, &[], low, &[]);
        for (block, part) in [(low, &runs[..mid]), (high, &runs[mid..])] {
            b.switch_to_block(block);
            b.seal_block(block);
            search(b, value, ty, part, otherwise);
        }
        return;
    }
    for run in runs {
        let next = b.create_block();
        let first = b.ins().iconst(ty, run.first as i64);
        if run.blocks.len() == 1 {
            let hit = b.ins().icmp(IntCC::Equal, value, first);
            b.ins().brif(hit, run.blocks[0], &[], next, &[]);
        } else {
            // value - first < len (unsigned) selects the table entry.
            let offset = b.ins().isub(value, first);
            let len = b.ins().iconst(ty, run.blocks.len() as i64);
            let inside = b.ins().icmp(IntCC::UnsignedLessThan, offset, len);
            let table_block = b.create_block();
            b.ins().brif(inside, table_block, &[], next, &[]);
            b.switch_to_block(table_block);
            b.seal_block(table_block);
            let index = match ty.bits() {
                32 => offset,
                64 => b.ins().ireduce(Type::I32, offset),
                _ => b.ins().uextend(Type::I32, offset),
            };
            let default = b.func.dfg.block_call(otherwise, &[]);
            let table = run
                .blocks
                .iter()
                .map(|&t| b.func.dfg.block_call(t, &[]))
                .collect();
            let jt = b.create_jump_table(JumpTableData { default, table });
            b.ins().br_table(index, jt);
        }
        b.switch_to_block(next);
        b.seal_block(next);
    }
    b.ins().jump(otherwise, &[]);
}
