//! The interpreter agrees with aarch64 and s390x code under qemu: each input chooses a
//! batch of 64 generated functions, run in one qemu process per ISA
//! (`gantry_filetests::fuzzing::check_differential_qemu_inputs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let batch: Vec<Vec<u8>> = (0..64u8)
        .map(|i| {
            let mut b = bytes.to_vec();
            b.push(i);
            b
        })
        .collect();
    for isa in ["aarch64", "s390x"] {
        gantry_filetests::fuzzing::check_differential_qemu_inputs(isa, &batch);
    }
});
