//! The interpreter agrees with aarch64 and s390x code under qemu on `fuzzgen` cases:
//! each input is cut into eight, one case each, run in one qemu process per ISA
//! (`gantry_filetests::fuzzing::check_fuzzgen_inputs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let part = bytes.len().div_ceil(8).max(1);
    let batch: Vec<Vec<u8>> = bytes.chunks(part).map(<[u8]>::to_vec).collect();
    for isa in ["aarch64", "s390x"] {
        let _ = gantry_filetests::fuzzing::check_fuzzgen_inputs(isa, &batch);
    }
});
