//! The interpreter gives the same results before and after the mid-end, on the generated
//! function the input chooses and on the `fuzzgen` case it makes
//! (`gantry_filetests::fuzzing::check_opt_equivalence_input`,
//! `check_fuzzgen_opt_equivalence`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    gantry_filetests::fuzzing::check_opt_equivalence_input(bytes);
    gantry_filetests::fuzzing::check_fuzzgen_opt_equivalence(bytes);
});
