//! The interpreter agrees with compiled x86-64 code on generated functions
//! (`gantry_filetests::fuzzing::check_differential_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = gantry_filetests::fuzzing::check_differential_input(bytes);
});
