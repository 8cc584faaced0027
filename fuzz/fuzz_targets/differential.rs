//! The interpreter agrees with compiled x86-64 code (run on this host) on `fuzzgen`
//! cases: calls between generated functions, loops, switches, memory, vectors, traps,
//! with settings and ISA flags from the input
//! (`gantry_filetests::fuzzing::check_fuzzgen_inputs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = gantry_filetests::fuzzing::check_fuzzgen_inputs("x86_64", &[bytes.to_vec()]);
});
