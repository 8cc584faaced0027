//! Arbitrary text into the CLIF reader: never a panic; what parses verifies or yields
//! verifier errors, and what verifies round-trips through the printer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        gantry_filetests::fuzzing::check_reader_input(text);
    }
});
