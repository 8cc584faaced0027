//! The interpreter never panics and stops at its step limit on generated functions
//! (`gantry_filetests::fuzzing::check_interpret_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = gantry_filetests::fuzzing::check_interpret_input(bytes);
});
