//! The incremental cache on generated functions: a reload equals the first compilation,
//! new parameters hit with the code a fresh compilation gives, a changed stencil misses,
//! and a damaged entry is a miss (`gantry_filetests::fuzzing::check_cache_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    gantry_filetests::fuzzing::check_cache_input(bytes);
});
