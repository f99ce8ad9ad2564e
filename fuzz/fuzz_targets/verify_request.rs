//! libFuzzer entry point: see [`xroad_fuzz::verify_request`] for the input format and what is
//! checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xroad_fuzz::verify_request(data));
