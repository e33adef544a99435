//! Fuzz target: any bytes are parsed or refused with an error, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = results_import::parse_bytes("fuzz", data);
});
