//! Redundant loads within a block: a load of the same type from the same address as an
//! earlier load or store of the block, with nothing in between that may write memory,
//! takes the value already known (the earlier access would have trapped first).
//!
//! Deliberately local and conservative: any store forgets everything else known (it may
//! alias any address), and so do calls, atomics, fences and other effects.

use crate::ir::{Endianness, FunctionStencil, Inst, InstructionData, Opcode, Type, Value};
use alloc::vec::Vec;
use hashbrown::HashMap;

/// A memory location as an access names it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Location {
    addr: Value,
    offset: i32,
    ty: Type,
    /// The byte order (`None`: native), which must agree for the bits to be reused.
    endianness: Option<Endianness>,
}

/// Runs the pass on `func`; returns how many loads it removed.
pub fn run(func: &mut FunctionStencil) -> usize {
    let mut removed = 0;
    let blocks: Vec<_> = func.layout.blocks().collect();
    for block in blocks {
        let mut known: HashMap<Location, Value> = HashMap::new();
        let insts: Vec<Inst> = func.layout.block_insts(block).collect();
        for inst in insts {
            let data = func.dfg.insts[inst];
            match data {
                InstructionData::Load {
                    opcode: Opcode::Load,
                    flags,
                    arg,
                    offset,
                } => {
                    let result = func.dfg.first_result(inst);
                    let at = Location {
                        addr: func.dfg.resolve_aliases(arg),
                        offset: offset.bytes(),
                        ty: func.dfg.value_type(result),
                        endianness: flags.explicit_endianness(),
                    };
                    match known.get(&at) {
                        Some(&v) => {
                            func.dfg.change_to_alias(result, v);
                            func.layout.remove_inst(inst);
                            removed += 1;
                        }
                        None => {
                            known.insert(at, result);
                        }
                    }
                }
                InstructionData::Store {
                    opcode: Opcode::Store,
                    flags,
                    args: [x, p],
                    offset,
                } => {
                    known.clear();
                    let x = func.dfg.resolve_aliases(x);
                    let at = Location {
                        addr: func.dfg.resolve_aliases(p),
                        offset: offset.bytes(),
                        ty: func.dfg.value_type(x),
                        endianness: flags.explicit_endianness(),
                    };
                    known.insert(at, x);
                }
                _ => {
                    let f = data.opcode().flags();
                    if f.can_store || f.is_call || f.other_side_effects {
                        known.clear();
                    }
                }
            }
        }
    }
    removed
}
