//! Arbitrary bytes into the ISLE compiler's front end and code generator: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = gantry_isle::compile(&[("fuzz.isle".to_string(), text.to_string())]);
    }
});
