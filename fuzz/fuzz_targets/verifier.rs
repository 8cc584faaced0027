//! Structured functions built through the IR API and damaged by the input: the verifier
//! never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    gantry_filetests::fuzzing::check_verifier_input(data);
});
