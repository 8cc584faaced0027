//! The interpreter gives the same results before and after the mid-end on generated functions
//! (`gantry_filetests::fuzzing::check_opt_equivalence_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = gantry_filetests::fuzzing::check_opt_equivalence_input(bytes);
});
