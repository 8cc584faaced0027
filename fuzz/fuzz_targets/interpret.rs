//! The interpreter never panics and stops at its step limit, on the generated function
//! the input chooses and on the `fuzzgen` case it makes
//! (`gantry_filetests::fuzzing::check_interpret_input`, `check_fuzzgen_interpret`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    gantry_filetests::fuzzing::check_interpret_input(bytes);
    gantry_filetests::fuzzing::check_fuzzgen_interpret(bytes);
});
