//! The checks the fuzz targets run, shared with the stable-toolchain tests that run them
//! on a fixed set of random inputs. Each panics when a property fails.

mod cache;
mod fuzzgen_check;
mod interp;

pub use cache::{CacheCase, check_cache_input};
pub use fuzzgen_check::{
    Counts, check_fuzzgen_inputs, check_fuzzgen_interpret, check_fuzzgen_opt_equivalence,
};
pub use interp::{
    Compared, check_differential_input, check_differential_qemu_inputs, check_interpret_input,
    check_opt_equivalence_input,
};

use crate::random::{Rng, random_function};
use gantry_codegen::ir::instructions::InstructionData;
use gantry_codegen::ir::{Block, Function, Inst, Opcode, Value};
use gantry_codegen::verifier::verify_function;
use gantry_reader::parse_test;

/// Reader properties on arbitrary text: parsing never panics; what parses either fails
/// the verifier with errors or verifies, and then prints to text that parses back to an
/// equal function and prints the same again.
pub fn check_reader_input(text: &str) {
    let Ok(file) = parse_test(text) else { return };
    for f in &file.functions {
        if verify_function(&f.func).is_err() {
            continue;
        }
        let printed = f.func.to_string();
        let again = gantry_reader::parse_functions(&printed)
            .unwrap_or_else(|e| panic!("printed function does not parse: {e}\n{printed}"));
        assert_eq!(again.len(), 1, "printing one function gave {}", again.len());
        assert_eq!(again[0].to_string(), printed, "printing is not idempotent");
        assert!(again[0] == f.func, "re-parsed function differs:\n{printed}");
    }
}

/// Verifier properties on functions built through the IR API from `bytes`: a random
/// valid function damaged by the edits the bytes choose (dangling values, wrong types,
/// missing terminators, bad targets). The verifier must not panic; if it accepts the
/// result, the function must print and parse back.
pub fn check_verifier_input(bytes: &[u8]) {
    let seed = crate::random::seed_of(bytes, 0xcbf2_9ce4_8422_2325);
    let mut func = random_function(seed);
    let mut rng = Rng::new(seed ^ 0x5555);
    for &b in bytes.iter().take(16) {
        damage(&mut func, &mut rng, b);
    }
    if verify_function(&func).is_ok() {
        let text = func.to_string();
        gantry_reader::parse_functions(&text).unwrap_or_else(|e| {
            panic!("verified function does not print to valid text: {e}\n{text}")
        });
    }
}

fn random_inst(func: &Function, rng: &mut Rng) -> Option<Inst> {
    let n = func.dfg.num_insts();
    (n > 0).then(|| Inst::from_u32(rng.below(n) as u32))
}

/// Applies one edit chosen by `choice`.
fn damage(func: &mut Function, rng: &mut Rng, choice: u8) {
    let Some(inst) = random_inst(func, rng) else {
        return;
    };
    let nvalues = func.dfg.num_values();
    match choice % 8 {
        0 => {
            // An operand that is any value number, even one past the end.
            let v = Value::from_u32(rng.below(nvalues + 3) as u32);
            let mut data = func.dfg.insts[inst];
            if let Some(slot) = data.arguments_mut(&mut func.dfg.value_lists).first_mut() {
                *slot = v;
            }
            func.dfg.insts[inst] = data;
        }
        1 => {
            // Another opcode of the same format.
            let data = func.dfg.insts[inst];
            let format = data.opcode().format();
            let same: Vec<Opcode> = Opcode::ALL
                .iter()
                .copied()
                .filter(|o| o.format() == format)
                .collect();
            let new = same[rng.below(same.len())];
            func.dfg.insts[inst] = with_opcode(data, new);
        }
        2 => {
            if func.layout.inst_block(inst).is_some() {
                func.layout.remove_inst(inst);
            }
        }
        3 => {
            // A branch to a block that may not exist or be in the layout.
            let mut data = func.dfg.insts[inst];
            let n = func.dfg.num_blocks();
            for call in data.inline_block_calls_mut() {
                call.block = Block::from_u32(rng.below(n + 2) as u32);
            }
            func.dfg.insts[inst] = data;
        }
        4 => {
            let block = func.dfg.make_block();
            func.layout.append_block(block);
        }
        5 => {
            // Move an instruction to the front of another block.
            if let (Some(_), Some(block)) =
                (func.layout.inst_block(inst), func.layout.entry_block())
            {
                func.layout.remove_inst(inst);
                match func.layout.first_inst(block) {
                    Some(first) => func.layout.insert_inst(inst, first),
                    None => func.layout.append_inst(inst, block),
                }
            }
        }
        6 => {
            // A value made an alias of another (maybe of itself through a chain).
            let a = Value::from_u32(rng.below(nvalues.max(1)) as u32);
            let b = Value::from_u32(rng.below(nvalues.max(1)) as u32);
            if a != b && func.dfg.value_is_valid(a) && func.dfg.value_is_valid(b) {
                func.dfg.make_value_alias(a, b);
            }
        }
        _ => {
            let mut data = func.dfg.insts[inst];
            if let InstructionData::UnaryImm { imm, .. } = &mut data {
                *imm = gantry_codegen::ir::Imm64::new(rng.next_u64() as i64);
            }
            func.dfg.insts[inst] = data;
        }
    }
}

fn with_opcode(mut data: InstructionData, new: Opcode) -> InstructionData {
    *data.opcode_mut() = new;
    data
}
